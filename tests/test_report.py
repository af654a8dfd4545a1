"""The report: every claim and verdict in every format, exports that real readers parse back, a
self-contained HTML that makes no request, a real paginated PDF, inert injected markup, and
byte-identical rebuilds. The report is built once for the module; a few tests build their own."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import bibtexparser
import pytest
import rispy
from Bio import Medline
from click.testing import CliRunner

from claimbook.claims.schema import normal_id
from claimbook.cli.app import main
from claimbook.evidence.plots import VERDICT_COLOURS
from claimbook.evidence.review import load_review
from claimbook.pubmed.store import PaperRecord
from claimbook.report import PDFError, build_report
from claimbook.report.exports import _split_author, bibtex, medline_field, nbib
from claimbook.report.html import safe_title
from claimbook.report.markdown import md
from claimbook.report.pdf import chromium_command, find_chromium, fix_dates

from conftest import ROOT

INJECTED = "<script>alert(1)</script><img src=x onerror=alert(2)>"
INJECTED_FINDING = " <img src=y onerror=alert(3)> | pipes | and </script> too."
# Hosts Chromium itself may try at start-up (updates, time, accounts); the resolver rules make
# every lookup fail, so nothing leaves the machine. Requests made by the page are what we check.
BROWSER_OWN_HOSTS = re.compile(r"https?://[^/\"]*(google\.com|googleapis\.com|gstatic\.com)")
CONSOLE_ERRORS = ("CONSOLE", "Uncaught", "Failed to load resource")


def needs(binary: str) -> str:
    path = shutil.which(binary)
    if not path:
        pytest.skip(f"{binary} is not installed (Debian: apt-get install chromium poppler-utils)")
    return path


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def review():
    return load_review(ROOT / "claims", ROOT / "data")


@pytest.fixture(scope="module")
def built(review, tmp_path_factory):
    """The report in every format (PDF only when Chromium is installed), built once."""
    out = tmp_path_factory.mktemp("report")
    formats = ("html", "pdf", "md") if shutil.which("chromium") else ("html", "md")
    written = build_report(review, out, formats=formats, progress=False)
    return out, written


@pytest.fixture(scope="module")
def pdf_text(built):
    needs("pdftotext")
    if "pdf" not in built[1]:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    proc = subprocess.run(
        ["pdftotext", "-layout", str(built[1]["pdf"]), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def cited(review) -> list[PaperRecord]:
    """Every paper the claims cite (the table holds their snapshot keys)."""
    keys = set(review.table["key"])
    return [r for r in review.snapshot if r.key in keys]


def sections(body: str, ids: list[str], start: str = "{} · ") -> dict[str, str]:
    """Split a text into each claim's part: from its heading to the next claim's."""
    found = {cid: body.find(start.format(cid)) for cid in ids}
    assert all(pos >= 0 for pos in found.values()), [c for c, p in found.items() if p < 0]
    order = sorted(found, key=found.get)
    ends = [found[c] for c in order[1:]] + [len(body)]
    return {cid: body[found[cid] : end] for cid, end in zip(order, ends, strict=True)}


# --------------------------------------------------------------------------- content


def test_every_claim_and_verdict_in_html(review, built):
    html = text(built[1]["html"])
    main_part = html[html.index("<main>") : html.index("</main>")]
    anchors = [c.id.lower() for c in review.claims]
    parts = sections(main_part, anchors, ' id="{0}" aria-labelledby="{0}-h"')
    for row in review.verdicts.itertuples():
        part = parts[row.claim_id.lower()]
        assert f'<h2 id="{row.claim_id.lower()}-h"><span class="cid">{row.claim_id}</span>' in part
        badge = f'<span class="badge v-{row.verdict}">{escape_html(row.label)}</span>'
        assert badge in part, row.claim_id  # the colour of its word, the label's words
        assert f"({row.certainty} certainty)" in part
    summary = html[html.index('id="summary"') : html.index("<main>")]
    for row in review.verdicts.itertuples():
        assert re.search(
            rf'href="#{row.claim_id.lower()}"[^<]*>{row.claim_id}</a>.*?v-{row.verdict}',
            summary,
            re.S,
        )


def test_every_claim_and_verdict_in_markdown(review, built):
    body = text(built[1]["md"])
    parts = sections(body, [c.id for c in review.claims], "## {} · ")
    for row in review.verdicts.itertuples():
        assert f"**Verdict: {row.label}** — " in parts[row.claim_id]
        assert f"({row.certainty} certainty)" in parts[row.claim_id]
        cid, label = row.claim_id, re.escape(row.label)
        assert re.search(rf"^- \*\*{label}\*\* \[{cid}\]\(#{cid.lower()}\) ", body, re.M)


def test_every_claim_and_verdict_in_pdf(review, pdf_text):
    parts = sections(pdf_text, [c.id for c in review.claims])
    for row in review.verdicts.itertuples():
        part = parts[row.claim_id]
        assert row.label in " ".join(part.split()), row.claim_id  # the badge's label
        assert f"{row.certainty} certainty" in " ".join(part.split())


def test_cover_has_article_kind_dates_and_sources(review, built):
    html = text(built[1]["html"])
    cover = html[: html.index('id="glance"')]  # page 1: title, key messages and the facts
    a = review.article
    for fact in (a.title, a.publisher, a.kind.split(".")[0], a.reviewed.isoformat()):
        assert str(escape_html(fact)) in cover, fact
    assert re.search(r"as of \d{4}-\d{2}-\d{2}: \d+ records", cover)
    assert "curated from verified PubMed, PMC or publisher pages" in cover
    assert str(escape_html(review.claims[0].quotes[0].text)) in html  # quoted, attributed
    assert f"{escape_html(a.publisher)}, section " in html


def escape_html(s: str) -> str:
    from markupsafe import escape

    return str(escape(s))


def test_references_numbered_once_in_order_of_first_citation(review, built):
    html = text(built[1]["html"])
    main_part = html[html.index("<main>") : html.index("</main>")]
    numbers = [int(n) for n in re.findall(r'<a href="#ref-(\d+)">\[\d+\]</a>', main_part)]
    first_seen = list(dict.fromkeys(numbers))
    assert first_seen == list(range(1, len(first_seen) + 1))
    refs = html[html.index('id="references"') : html.index('id="method"')]
    papers = cited(review)
    assert refs.count('<li id="ref-') == len(papers) == len(first_seen)
    md_refs = text(built[1]["md"]).split("## References", 1)[1].split("## Method", 1)[0]
    for rec in papers:
        ident = f"PMID {rec.pmid}" if rec.pmid else f"doi:{rec.doi}" if rec.doi else rec.url
        assert escape_html(ident) in refs, ident
        assert md(ident) in md_refs or ident in md_refs, ident
        if rec.pmid:
            assert f'href="https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/"' in refs
        if rec.doi:
            assert f'href="https://doi.org/{escape_html(rec.doi)}"' in refs


def test_method_appendix_has_queries_rules_and_limitations(review, built):
    html = text(built[1]["html"])
    method = html[html.index('id="method"') :]
    for claim in review.claims:
        assert escape_html(claim.query) in method
    for name, rank, weight in [("Meta-analysis", 7, 6), ("RCT", 5, 4), ("Case report", 0, 0.5)]:
        assert re.search(
            rf"{name}.*?<td class=\"num\">{rank}</td><td class=\"num\">{weight:g}</td>", method
        )
    assert "at least 75%" in method and "at most 25%" in method
    assert "Certainty follows GRADE" in method and "reading-the-report.md" in method
    assert "curated" in method and "verified there" in method
    # thin: fewer than 2 independent primary studies (the rule is stated, not just applied)
    thin = review.verdicts[review.verdicts["independent_studies"] < 2]
    assert "Thin evidence</b> means fewer than 2 independent primary studies" in method
    assert len(thin) < len(review.verdicts)
    for cid in thin["claim_id"]:
        assert re.search(rf"Thin evidence</b> means.*>{cid}</a>", method, re.S)


# --------------------------------------------------------------------------- exports


def test_ris_bibtex_and_csl_json_parse_back_with_every_pmid(review, built):
    exports = built[0] / "exports"
    papers = cited(review)
    want = {r.pmid for r in papers if r.pmid}
    entries = rispy.loads(text(exports / "all.ris"))
    assert len(entries) == len(papers)
    assert {e.get("accession_number") for e in entries} >= want
    library = bibtexparser.parse_string(text(exports / "all.bib"))
    assert not library.failed_blocks
    assert len(library.entries) == len(papers)
    assert {e.fields_dict["pmid"].value for e in library.entries if "pmid" in e.fields_dict} == want
    assert len({e.key for e in library.entries}) == len(library.entries)
    csl = json.loads(text(exports / "all.csl.json"))
    assert {i.get("PMID") for i in csl if i.get("PMID")} == want
    # Non-ASCII survives every format.
    martinez = next(i for i in csl if i.get("PMID") == "32796418")
    assert martinez["author"][0] == {"family": "Martínez-Navarro", "given": "I"}
    assert "Martínez-Navarro, I" in text(exports / "all.ris")
    assert "Martínez-Navarro, I" in text(exports / "all.bib")


def test_bibtex_escapes_special_characters():
    rec = PaperRecord(
        pmid="123",
        title="Salt & water: 50% of {cramps} in #1 runners_A ~ $5 ^2 \\x",
        authors=["Núñez J", "ACSM & Friends"],
        journal="J_Sports & Med",
        year=2020,
        source="curated",
    )
    out = bibtex([rec])
    assert r"Salt \& water: 50\% of \{cramps\} in \#1 runners\_A" in out
    assert r"\textasciitilde{}" in out and r"\$5" in out and r"\textasciicircum{}2" in out
    assert r"Núñez, J" in out and r"{ACSM \& Friends}" in out and r"J\_Sports \& Med" in out
    library = bibtexparser.parse_string(out)
    assert not library.failed_blocks and library.entries[0].fields_dict["pmid"].value == "123"


def test_nbib_parses_with_biopython_medline(review, built):
    with open(built[0] / "exports" / "all.nbib", encoding="utf-8") as fh:
        records = list(Medline.parse(fh))
    papers = cited(review)
    assert len(records) == len(papers)
    by_pmid = {r["PMID"]: r for r in records if "PMID" in r}
    assert set(by_pmid) == {r.pmid for r in papers if r.pmid}
    for rec in papers:
        if rec.pmid:
            assert by_pmid[rec.pmid]["TI"] == " ".join(rec.title.split())
            people = [a for a in rec.authors if _split_author(a)[1]]
            groups = [a for a in rec.authors if not _split_author(a)[1]]
            assert by_pmid[rec.pmid].get("AU", []) == people
            assert by_pmid[rec.pmid].get("CN", []) == groups
    maughan = by_pmid["3735481"]
    assert maughan["DP"] == "1986" and maughan["TA"] == "J Sports Sci"
    assert "10.1080/02640418608732095 [doi]" in maughan["AID"]


def test_nbib_tags_and_continuation_lines():
    long = "Cramps " * 40
    lines = medline_field("TI", long)
    assert lines[0].startswith("TI  - ") and all(ln.startswith(" " * 6) for ln in lines[1:])
    assert all(len(ln) <= 80 for ln in lines)
    rec = PaperRecord(
        pmid="99", title=long, authors=["Ünal Ö"], journal="J", year=2001, source="curated"
    )
    (parsed,) = Medline.parse(io.StringIO(nbib([rec])))
    assert parsed["TI"] == long.strip() and parsed["AU"] == ["Ünal Ö"] and parsed["PMID"] == "99"


def test_per_claim_exports_hold_that_claims_citations(review, built):
    exports = built[0] / "exports"
    for claim in review.claims:
        n = len({c.key for c in claim.evidence})
        assert len(rispy.loads(text(exports / f"{claim.id}.ris"))) == n, claim.id
        assert len(bibtexparser.parse_string(text(exports / f"{claim.id}.bib")).entries) == n
        assert len(json.loads(text(exports / f"{claim.id}.csl.json"))) == n
        with open(exports / f"{claim.id}.nbib", encoding="utf-8") as fh:
            assert len(list(Medline.parse(fh))) == n
        rows = list(csv.DictReader(io.StringIO(text(exports / f"{claim.id}.csv"))))
        assert len(rows) == len(claim.evidence) and {r["claim_id"] for r in rows} == {claim.id}


def test_evidence_csv_matches_the_table_and_reference_numbers(review, built):
    rows = list(csv.DictReader(io.StringIO(text(built[0] / "exports" / "all.csv"))))
    assert len(rows) == len(review.table)
    html = text(built[1]["html"])
    for row in rows[:20]:
        assert row["ref"].isdigit() and f'id="ref-{row["ref"]}"' in html
        assert row["stance"] in {"supports", "contradicts", "mixed", "context"}


# --------------------------------------------------------------------------- ClaimReview

REQUIRED = {
    # schema.org ClaimReview + Google's fact-check guide: required and recommended fields
    "": ["@context", "@type", "claimReviewed", "reviewRating", "url", "author", "datePublished",
         "itemReviewed"],
    "author": ["@type", "name"],
    "reviewRating": ["@type", "alternateName", "ratingValue", "bestRating", "worstRating"],
    "itemReviewed": ["@type", "author"],
    "itemReviewed.author": ["@type", "name"],
}  # fmt: skip


def claimreview_problems(block: dict) -> list[str]:
    """What a ClaimReview object lacks or gets wrong; [] when it is valid."""
    problems = []
    for path, keys in REQUIRED.items():
        obj = block
        for part in filter(None, path.split(".")):
            obj = obj.get(part, {}) if isinstance(obj, dict) else {}
        for key in keys:
            if obj.get(key) in (None, "", [], {}):
                problems.append(f"{path or '(top)'}: missing {key}")
    if block.get("@context") != "https://schema.org" or block.get("@type") != "ClaimReview":
        problems.append("not a schema.org ClaimReview")
    item = block.get("itemReviewed", {})
    if item.get("@type") != "Claim":
        problems.append("itemReviewed is not a Claim")
    if not (item.get("appearance") or item.get("firstAppearance") or item.get("datePublished")):
        problems.append("itemReviewed needs appearance/firstAppearance or datePublished")
    appearance = item.get("appearance") or {}
    if appearance and (
        appearance.get("@type") not in ("CreativeWork", "Article") or not appearance.get("headline")
    ):
        problems.append("itemReviewed.appearance must be a CreativeWork with a headline")
    rating = block.get("reviewRating", {})
    try:
        if not rating["worstRating"] <= rating["ratingValue"] <= rating["bestRating"]:
            problems.append("ratingValue outside worstRating..bestRating")
    except (KeyError, TypeError):
        problems.append("reviewRating values are not comparable numbers")
    try:
        date.fromisoformat(block.get("datePublished", ""))
    except ValueError:
        problems.append("datePublished is not an ISO date")
    return problems


def test_claimreview_validator_catches_gaps():
    assert "reviewRating: missing alternateName" in claimreview_problems(
        {"@context": "https://schema.org", "@type": "ClaimReview", "reviewRating": {}}
    )
    assert "itemReviewed is not a Claim" in claimreview_problems({})


def test_claimreview_has_the_fields_fact_check_tools_require(review, built):
    blocks = json.loads(text(built[0] / "claimreview.jsonld"))
    assert len(blocks) == len(review.claims)
    verdicts = review.verdicts.set_index("claim_id")
    for block, claim in zip(blocks, review.claims, strict=True):
        assert claimreview_problems(block) == [], claim.id
        assert block["claimReviewed"] == claim.claim
        assert block["url"] == f"claimbook-report.html#{claim.id.lower()}"
        assert block["datePublished"] == claim.reviewed.isoformat()
        assert block["author"]["name"] == "claimbook review"
        v = verdicts.loc[claim.id]
        assert block["reviewRating"]["alternateName"] == v["label"]
        appearance = block["itemReviewed"]["appearance"]
        assert appearance["headline"] == review.article.title
        assert appearance["publisher"]["name"] == review.article.publisher
    html = text(built[1]["html"])
    embedded = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert [json.loads(b) for b in embedded] == blocks


# --------------------------------------------------------------------------- self-contained HTML


def test_html_references_no_external_resource(built):
    html = text(built[1]["html"])
    assert not re.search(r"<(link|img|iframe|source|video|audio|object|embed)\b", html)
    assert not re.search(r"<script(?![^>]*application/ld\+json)", html)
    assert "@import" not in html
    assert not re.search(r"url\(\s*['\"]?(?!#)", html)  # only SVG-internal url(#id)
    # Every src= or href= to http(s) is a plain <a href> link (SVG namespaces are not links).
    for m in re.finditer(r"<(\w+)[^>]*?\b(src|href|xlink:href)=[\"']?(https?:[^\"' >]+)", html):
        assert (m.group(1), m.group(2)) == ("a", "href"), m.group(0)


def _chromium_visit(page: Path, tmp_path: Path, size: str) -> tuple[Path, str, str]:
    shot = tmp_path / f"shot-{size.replace(',', 'x')}.png"
    netlog = tmp_path / f"net-{size.replace(',', 'x')}.json"
    cmd = chromium_command(
        find_chromium(),
        str(tmp_path / f"profile-{size.replace(',', 'x')}"),
        "--enable-logging=stderr",
        "--v=0",
        f"--log-net-log={netlog}",
        "--hide-scrollbars",
        f"--screenshot={shot}",
        f"--window-size={size}",
        page.resolve().as_uri(),
    )
    assert "--host-resolver-rules=MAP * ~NOTFOUND" in cmd and "--proxy-server=127.0.0.1:9" in cmd
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-500:]
    return shot, proc.stderr, netlog.read_text(encoding="utf-8")


def _page_requests(netlog: str) -> list[str]:
    urls = set(re.findall(r'"url":"(https?://[^"]+)"', netlog))
    return sorted(u for u in urls if not BROWSER_OWN_HOSTS.match(u))


@pytest.mark.parametrize("size", ["1200,2400", "390,844"])
def test_html_loads_offline_in_chromium_without_requests_or_console_errors(built, tmp_path, size):
    needs("chromium")
    shot, stderr, netlog = _chromium_visit(built[1]["html"], tmp_path, size)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
    assert [e for e in CONSOLE_ERRORS if e in stderr] == []
    assert _page_requests(netlog) == []


def test_the_chromium_check_would_catch_a_request_and_an_error(tmp_path):
    """Negative control: a page that loads a remote image and logs an error is caught."""
    needs("chromium")
    bad = tmp_path / "bad.html"
    bad.write_text('<img src="http://example.invalid/x.png"><script>console.error("oops")</script>')
    _, stderr, netlog = _chromium_visit(bad, tmp_path, "400,300")
    assert "http://example.invalid/x.png" in _page_requests(netlog)
    assert "CONSOLE" in stderr


def test_html_is_responsive_and_printable(built):
    html = text(built[1]["html"])
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert ".table-wrap { overflow-x: auto" in html and "@media (max-width:" in html
    assert "@media print" in html and "break-before: page" in html
    assert ".ext .lbl { display: none; }" in html  # on paper, links show their address
    assert '<span class="addr">https://pubmed.ncbi.nlm.nih.gov/' in html
    for verdict, colour in VERDICT_COLOURS.items():
        assert f"--{verdict}: {colour};" in html


# --------------------------------------------------------------------------- PDF


def test_pdf_is_paginated_with_page_numbers_and_links(review, built, pdf_text):
    pdf = built[1]["pdf"]
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))
    n = len(review.claims)
    assert n / 2 <= pages <= n * 4 + 6
    assert f"Page 1 of {pages}" in pdf_text and f"Page {pages} of {pages}" in pdf_text
    assert pdf_text.count(f" of {pages}") == pages
    assert "References" in pdf_text and "Method" in pdf_text and "Limitations" in pdf_text
    data = pdf.read_bytes()
    assert b"/URI (https://pubmed.ncbi.nlm.nih.gov/" in data
    assert b"/URI (https://doi.org/" in data
    assert re.search(
        rb"/CreationDate \(D:" + review.article.reviewed.strftime("%Y%m%d").encode(), data
    )


def test_pdf_pages_render(built, tmp_path):
    needs("pdftoppm")
    if "pdf" not in built[1]:
        pytest.skip("chromium is not installed (Debian: apt-get install chromium)")
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "40",
            "-png",
            "-f",
            "1",
            "-l",
            "2",
            str(built[1]["pdf"]),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    pngs = sorted(tmp_path.glob("p-*.png"))
    assert len(pngs) == 2 and all(p.stat().st_size > 5_000 for p in pngs)


def test_pdf_dates_are_pinned_without_moving_offsets():
    raw = (
        b"1 0 obj\n<</CreationDate (D:20991231235959+00'00')\n/ModDate (D:20991231235959+00'00')>>"
    )
    fixed = fix_dates(raw, date(2026, 11, 24))
    assert len(fixed) == len(raw)
    assert fixed.count(b"(D:20261124000000+00'00')") == 2


def test_missing_chromium_is_a_clear_error(monkeypatch, tmp_path, review):
    from claimbook.report import browser

    monkeypatch.delenv("CLAIMBOOK_CHROMIUM", raising=False)
    monkeypatch.setattr(browser.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser, "LINUX_PATHS", ())
    with pytest.raises(PDFError, match="install Chrome, Chromium, Edge or Brave"):
        find_chromium()


# --------------------------------------------------------------------------- hostile input


@pytest.fixture
def hostile_project(tmp_path):
    """A copy of the project with markup in a PubMed title, a title_html and a claim finding,
    and one citation marked retracted."""
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    records = tmp_path / "data" / "pubmed" / "records.jsonl"
    lines = []
    for line in records.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["pmid"] == "3735481":
            rec.update(title=INJECTED, title_html=None, retracted=True)
        elif rec["pmid"] == "26284165":
            rec.update(title="Plain title", title_html=INJECTED + "<i onclick=x()>Ok</i>")
        lines.append(json.dumps(rec, ensure_ascii=False))
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    c01 = next((tmp_path / "claims").glob("C01-*.yaml"))
    body = c01.read_text(encoding="utf-8")
    marker = "before and after the race."
    assert marker in body
    c01.write_text(body.replace(marker, marker + INJECTED_FINDING, 1), encoding="utf-8")
    return tmp_path


@pytest.fixture
def hostile_build(hostile_project, tmp_path, capsys):
    review = load_review(hostile_project / "claims", hostile_project / "data")
    out = build_report(review, tmp_path / "out", formats=("html", "md"), progress=False)
    assert capsys.readouterr().err == ""  # progress=False is quiet
    return review, out


def test_injected_markup_renders_as_text(hostile_build):
    _, out = hostile_build
    html, body = text(out["html"]), text(out["md"])
    assert "<script>alert" not in html and "<img" not in html and "onclick" not in html
    assert not re.search(r"<[^>]+\sonerror=", html)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    assert "&lt;img src=y onerror=alert(3)&gt;" in html
    assert "<i>Ok</i>" in html  # the allowed inline markup of title_html survives, cleaned
    # The JSON-LD cannot be broken out of either: every '<' inside it is escaped.
    for block in re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S):
        assert "<" not in block
    assert not re.search(r"<(script|img)", body)  # '<' of markup is written as &lt;
    assert r"&lt;script\>alert(1)&lt;/script\>&lt;img src=x onerror=alert(2)\>" in body
    assert r"\| pipes \|" in body  # pipes cannot split a table cell


def test_retracted_citation_is_flagged_and_does_not_count(hostile_build, review):
    hostile, out = hostile_build
    html, body = text(out["html"]), text(out["md"])
    assert html.count("RETRACTED") >= 2 and "**RETRACTED**" in body
    assert '<tr class="retracted">' in html and "Retracted papers:" in html
    c01 = hostile.verdicts.set_index("claim_id").loc["C01"]
    assert c01["retracted"] == 1
    assert (
        c01["support_weight"] < review.verdicts.set_index("claim_id").loc["C01", "support_weight"]
    )


def test_title_markup_from_pubmed_is_sanitised():
    out = safe_title("x", 'Ca<sup>2+</sup> <i onclick="e()">in</i> <u>u</u> ' + INJECTED)
    assert "<sup>2+</sup>" in out and "<i>in</i>" in out
    for bad in ("<script", "onerror", "onclick", "<img", "<u>"):
        assert bad not in out


# --------------------------------------------------------------------------- rebuilds, CLI


def test_rebuild_is_byte_identical_and_leaves_no_temp_files(review, built, tmp_path, capfd):
    again = build_report(review, tmp_path, formats=("html", "md"), progress=True)
    assert "report" in capfd.readouterr().err  # progress=True shows a bar
    first = built[0]
    for path in again.values():
        rel = path.relative_to(tmp_path)
        assert path.read_bytes() == (first / rel).read_bytes(), rel
    assert not [p for p in first.rglob("*") if p.name.startswith(".") or p.suffix == ".tmp"]


def test_formats_are_checked():
    with pytest.raises(ValueError, match="unknown format docx; choose from html, pdf, md"):
        build_report(None, "unused", formats=("html", "docx"))  # type: ignore[arg-type]


def test_report_command_writes_requested_formats(tmp_path):
    result = CliRunner().invoke(
        main, ["report", "--format", "md,html", "--out", str(tmp_path), "--claims",
               str(ROOT / "claims"), "--data", str(ROOT / "data"), "-q"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (tmp_path / "claimbook-report.md").exists()
    assert (tmp_path / "claimbook-report.html").exists()
    assert not (tmp_path / "claimbook-report.pdf").exists()
    bad = CliRunner().invoke(main, ["report", "--format", "docx", "--out", str(tmp_path)])
    assert bad.exit_code == 2 and "unknown format docx" in bad.output


def test_every_command_and_option_is_documented():
    """Docs as tests: the README names every command and every long option."""
    readme = text(ROOT / "README.md")
    for name, command in main.commands.items():
        assert f"claimbook {name}" in readme, f"command {name} missing from README"
        for param in command.params:
            for opt in getattr(param, "opts", []):
                if opt.startswith("--") and opt != "--help":
                    assert opt in readme, f"option {opt} of {name} missing from README"


# --------------------------------------------------------------------------- GRADE


def _sections(md_text: str) -> dict[str, str]:
    """Each claim's section of the Markdown report, by claim id."""
    parts = re.split(r'\n<a id="(c\d+[a-z]?)"></a>\n', md_text.split("## References")[0])
    return {normal_id(parts[i]): parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def test_every_claim_has_five_domains_a_statement_and_no_arithmetic(review, built):
    sections = _sections(text(built[1]["md"]))
    in_parts = {c.record_id for c in review.claims if c.part}  # their records' intros
    assert set(sections) == {c.id for c in review.claims} | in_parts
    for claim_id, section in sections.items():
        if claim_id in in_parts:
            continue
        row = review.verdict_row(claim_id)
        assert row["statement"] in section
        for label in ("risk of bias", "inconsistency", "indirectness", "imprecision",
                      "publication bias"):  # fmt: skip
            assert f"- **{label}**: " in section, (claim_id, label)
        prose = section.split("| Ref |")[0]  # the claim's text, before its evidence table
        assert "support share" not in prose and "weight " not in prose, claim_id
        assert not re.search(r"\d+% of the weight", prose.split("**Certainty")[0]), claim_id


def test_summary_of_findings_has_a_row_per_claim_with_circles(review, built):
    html = text(built[1]["html"])
    sof = html[html.index('id="summary-of-findings"') : html.index("<main>")]
    for claim in review.claims:
        row = review.verdict_row(claim.id)
        assert f'href="#{claim.id.lower()}"' in sof
        assert escape_html(row["statement"]) in sof
    assert sof.count("⊕") >= len(review.claims)
