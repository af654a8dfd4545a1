"""The report: every claim and verdict in every format, exports that real readers parse back, a
self-contained HTML that makes no request, a real PDF, and inert injected markup."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import bibtexparser
import pytest
import rispy
from Bio import Medline
from click.testing import CliRunner

from claimbook.cli import main
from claimbook.pubmed.store import load_snapshot, save_snapshot
from claimbook.report import build_report
from claimbook.report.pdf import chromium_command, find_chromium
from claimbook.review import load_review

from conftest import ROOT

INJECTED = "<script>alert(1)</script><img src=x onerror=alert(2)>"
# Hosts Chromium itself tries to reach at start-up (updates, time, accounts); the resolver
# rules make every lookup fail, so nothing leaves the machine. Page requests are what we check.
BROWSER_OWN_HOSTS = re.compile(r"https?://[^/\"]*(google\.com|googleapis\.com|gstatic\.com)")


def needs(binary: str) -> str:
    path = shutil.which(binary)
    if not path:
        pytest.skip(f"{binary} is not installed (make test installs it)")
    return path


@pytest.fixture(scope="module")
def review():
    return load_review(ROOT / "claims", ROOT / "data")


@pytest.fixture(scope="module")
def built(review, tmp_path_factory):
    needs("chromium")
    out = tmp_path_factory.mktemp("report")
    written = build_report(review, out)
    return out, written


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def cited_pmids(review) -> set[str]:
    return {r.pmid for r in review.snapshot if r.pmid}


# --------------------------------------------------------------------------- content


def test_every_claim_and_verdict_in_html_and_markdown(review, built):
    html, md = text(built[1]["html"]), text(built[1]["md"])
    for row in review.verdicts.itertuples():
        assert f'id="{row.claim_id.lower()}"' in html
        assert re.search(rf"{row.claim_id} · .*?verdict v-{row.verdict}", html, re.S)
        assert f"## {row.claim_id} · " in md
        assert f"**Verdict: {row.verdict.upper()} ({row.certainty} certainty).**" in md


def test_every_cited_paper_is_in_the_reference_list(review, built):
    html = text(built[1]["html"])
    refs = html[html.index('id="references"') :]
    for rec in review.snapshot:
        ident = f"PMID {rec.pmid}" if rec.pmid else f"doi:{rec.doi}" if rec.doi else rec.url
        assert ident in refs, ident
    assert refs.count('<li id="ref-') == len(review.snapshot)


def test_quotes_attribution_and_snapshot_on_the_cover(review, built):
    html = text(built[1]["html"])
    cover = html[: html.index("Summary")]
    assert review.article.publisher in cover
    assert "Promotional web article by a massage centre" in cover
    assert "107 curated and verified by hand" in cover or "curated and verified by hand" in cover
    assert review.claims[0].quotes[0].text in html


def test_ris_bibtex_and_csl_json_parse_back_with_every_pmid(review, built):
    exports = built[0] / "exports"
    want = cited_pmids(review)
    entries = rispy.loads(text(exports / "all.ris"))
    assert len(entries) == len(review.snapshot)
    assert {e.get("accession_number") for e in entries} >= want
    library = bibtexparser.parse_string(text(exports / "all.bib"))
    assert not library.failed_blocks
    assert {e.fields_dict["pmid"].value for e in library.entries if "pmid" in e.fields_dict} == want
    assert len({e.key for e in library.entries}) == len(library.entries)
    csl = json.loads(text(exports / "all.csl.json"))
    assert {i.get("PMID") for i in csl} >= want
    martinez = next(i for i in csl if i.get("PMID") == "32796418")
    assert martinez["author"][0] == {"family": "Martínez-Navarro", "given": "I"}


def test_nbib_parses_with_biopython_medline(review, built):
    with open(built[0] / "exports" / "all.nbib", encoding="utf-8") as fh:
        records = list(Medline.parse(fh))
    by_pmid = {r["PMID"]: r for r in records if "PMID" in r}
    assert set(by_pmid) == cited_pmids(review)
    rec = review.snapshot.get("3735481")
    assert by_pmid["3735481"]["TI"] == rec.title
    assert by_pmid["3735481"]["AU"] == rec.authors
    assert by_pmid["3735481"]["DP"] == str(rec.year)


def test_per_claim_exports_hold_that_claims_citations(review, built):
    exports = built[0] / "exports"
    for claim in review.claims:
        entries = rispy.loads(text(exports / f"{claim.id}.ris"))
        assert len(entries) == len({c.key for c in claim.evidence}), claim.id
        rows = text(exports / f"{claim.id}.csv").strip().splitlines()
        assert len(rows) == 1 + len(claim.evidence)


def test_claimreview_has_the_fields_fact_check_tools_require(review, built):
    blocks = json.loads(text(built[0] / "claimreview.jsonld"))
    assert len(blocks) == len(review.claims)
    for block, claim in zip(blocks, review.claims, strict=True):
        assert block["@context"] == "https://schema.org" and block["@type"] == "ClaimReview"
        for key in (
            "claimReviewed",
            "url",
            "author",
            "datePublished",
            "reviewRating",
            "itemReviewed",
        ):
            assert block[key], key
        assert block["claimReviewed"] == claim.claim
        rating = block["reviewRating"]
        assert rating["@type"] == "Rating" and rating["alternateName"]
        assert rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]
        item = block["itemReviewed"]
        assert item["@type"] == "Claim"
        assert item["appearance"]["headline"] == review.article.title
        assert item["author"]["name"]
    html = text(built[1]["html"])
    embedded = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert [json.loads(b)["claimReviewed"] for b in embedded] == [c.claim for c in review.claims]


# --------------------------------------------------------------------------- self-contained HTML


def test_html_references_no_external_resource(built):
    html = text(built[1]["html"])
    assert not re.search(r"<(link|script|img|iframe|source|video|audio)[^>]+(src|href)=", html)
    assert "@import" not in html and not re.search(r"url\(\s*['\"]?https?:", html)
    # Only plain <a href> links point outside.
    for m in re.finditer(r'([\w:]+)="(https?://[^"]+)"', html):
        assert m.group(1) == "href" or m.group(1).startswith("xmlns"), m.group(0)


def _chromium_visit(html: Path, tmp_path: Path, size: str = "1200,2400") -> tuple[Path, str, str]:
    shot, netlog = tmp_path / f"shot-{size.replace(',', 'x')}.png", tmp_path / "net.json"
    cmd = chromium_command(
        find_chromium(),
        str(tmp_path / "profile"),
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={netlog}",
        f"--screenshot={shot}",
        f"--window-size={size}",
        html.resolve().as_uri(),
    )
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-500:]
    return shot, proc.stderr, netlog.read_text(encoding="utf-8")


def _page_requests(netlog: str) -> list[str]:
    urls = set(re.findall(r'"url":"(https?://[^"]+)"', netlog))
    return sorted(u for u in urls if not BROWSER_OWN_HOSTS.match(u))


def test_html_loads_in_chromium_without_requests_or_console_errors(built, tmp_path):
    shot, stderr, netlog = _chromium_visit(built[1]["html"], tmp_path)
    assert shot.stat().st_size > 50_000  # a real page was painted
    assert "CONSOLE" not in stderr and "Uncaught" not in stderr
    assert _page_requests(netlog) == []
    phone, _, _ = _chromium_visit(built[1]["html"], tmp_path / "phone", "390,844")
    assert phone.stat().st_size > 10_000


def test_the_chromium_check_would_catch_a_request(tmp_path):
    """Negative control: a page that loads a remote image and logs an error is caught."""
    needs("chromium")
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/x.png"><script>console.error("oops")</script>')
    _, stderr, netlog = _chromium_visit(bad, tmp_path)
    assert "http://example.invalid/x.png" in _page_requests(netlog)
    assert "CONSOLE" in stderr


# --------------------------------------------------------------------------- PDF


def test_pdf_has_every_claim_page_numbers_and_links(review, built):
    needs("pdftotext")
    pdf = built[1]["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    n = len(review.claims)
    assert n <= pages <= n * 4 + 6
    body = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    for claim in review.claims:
        assert f"{claim.id} · " in body.stdout
    assert f"Page 1 of {pages}" in body.stdout
    assert "References" in body.stdout and "Method" in body.stdout
    assert b"/URI (https://pubmed.ncbi.nlm.nih.gov/" in pdf.read_bytes()


# --------------------------------------------------------------------------- hostile input


@pytest.fixture
def hostile_project(tmp_path):
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    store = tmp_path / "data" / "pubmed"
    snap = load_snapshot(store)
    records = []
    for rec in snap:
        if rec.pmid == "3735481":
            rec = rec.model_copy(update={"title": INJECTED, "title_html": None, "retracted": True})
        records.append(rec)
    save_snapshot(store, records)
    return tmp_path


def test_injected_markup_renders_as_text(hostile_project, tmp_path):
    review = load_review(hostile_project / "claims", hostile_project / "data")
    out = build_report(review, tmp_path / "out", formats=("html", "md"))
    html, md = text(out["html"]), text(out["md"])
    assert "<script>alert" not in html and "onerror=" not in html.replace(
        "onerror=alert(2)&gt;", ""
    )
    assert not re.search(r"<img[^>]*onerror", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<script>alert" not in md and "\\<script\\>alert(1)\\</script\\>" in md


def test_title_markup_from_pubmed_is_sanitised():
    from claimbook.report.html import safe_title

    out = safe_title("x", 'Ca<sup>2+</sup> <i onclick="e()">in</i> ' + INJECTED)
    assert "<sup>2+</sup>" in out and "<i>in</i>" in out
    assert (
        "<script" not in out and "onerror" not in out and "onclick" not in out and "<img" not in out
    )


def test_retracted_citation_is_flagged_and_does_not_count(hostile_project, tmp_path, review):
    hostile = load_review(hostile_project / "claims", hostile_project / "data")
    out = build_report(hostile, tmp_path / "out", formats=("html", "md"))
    html, md = text(out["html"]), text(out["md"])
    assert html.count("RETRACTED") >= 2 and "**RETRACTED**" in md
    before = review.verdicts.set_index("claim_id")
    after = hostile.verdicts.set_index("claim_id")
    c01 = after.loc["C01"]
    assert c01["retracted"] == 1
    assert c01["support_weight"] < before.loc["C01", "support_weight"]


# --------------------------------------------------------------------------- CLI and docs


def test_report_command_writes_requested_formats(tmp_path):
    result = CliRunner().invoke(
        main, ["report", "--format", "md,html", "--out", str(tmp_path), "--claims",
               str(ROOT / "claims"), "--data", str(ROOT / "data"), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "claimbook-report.md").exists() and (
        tmp_path / "claimbook-report.html"
    ).exists()
    assert not (tmp_path / "claimbook-report.pdf").exists()
    bad = CliRunner().invoke(main, ["report", "--format", "docx", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "unknown format docx" in bad.output


def test_every_command_and_option_is_documented():
    """Docs as tests: the README names every command and every long option."""
    readme = text(ROOT / "README.md")
    ctx = main.make_context("claimbook", ["--help"], resilient_parsing=True)
    for name, command in main.commands.items():
        assert f"claimbook {name}" in readme, f"command {name} missing from README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"option {opt} of {name} missing from README"
    del ctx
