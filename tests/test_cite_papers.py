"""Citing by PMID, DOI or address (issue 23, the citing half): a DOI is resolved to its PMID
through esearch, a paper PubMed lacks is cited with the details the reviewer types (marked "not
in PubMed" in the claim file, papers.yaml and the snapshot), a fault while asking PubMed writes
nothing, and a paper that shares no word with the claim is cited only when the reviewer says so.

PubMed is a loopback server: esearch answers in the shape of a real recorded reply
(tests/fixtures/eutils-search/README.md) with the PMID whose real record carries the DOI asked
(none for a DOI no real record carries), efetch replays the real records of the shared fixtures.
The paper PubMed lacks is the pickle-juice trial of the evidence dossiers (DOI only, "PMID not
seen"), its details as the dossier gives them.
"""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from click.testing import CliRunner
from test_fetch_cli import Eutils
from werkzeug import Response

from claimbook.cli.app import main
from claimbook.edit import EditError, PaperDetails, cite, find_paper
from claimbook.folder import ReviewFolder
from claimbook.jupyter import citing
from claimbook.jupyter.session import NotSaved, ReviewSession
from claimbook.pubmed.client import LIMITER, EutilsClient
from claimbook.pubmed.lookup import PaperRef, doi_term, parse_paper_ref
from claimbook.pubmed.parse import parse_pubmed_xml
from claimbook.pubmed.store import load_snapshot

from conftest import EUTILS_FIXTURES, EVIDENCE_DIR, claim_file, need_shared, tree_digest

TEMPLATE = (Path(__file__).parent / "fixtures" / "eutils-search" / "esearch.xml").read_text()
IN_PUBMED = ("29963580", "10.1117/1.JMI.5.2.026002")  # biopython pubmed7.xml: PMID and its DOI
LACKING_DOI = "10.1249/MSS.0b013e3181c0647e"  # the pickle-juice trial: DOI only
FINDING = "Pickle juice shortened electrically induced cramps compared with water."


def _files(root: Path) -> dict[str, str]:
    """sha256 of every file of a review folder but the empty lock files a write leaves."""
    return {k: v for k, v in tree_digest(root).items() if not k.endswith(".lock")}


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LIMITER.reset()


def _dossier_paper(doi: str) -> dict:
    """A paper of the shared evidence dossiers, by DOI (its details as curated there)."""
    for path in sorted(need_shared(EVIDENCE_DIR).glob("*.json")):
        for paper in json.loads(path.read_text(encoding="utf-8"))["papers"]:
            if (paper.get("doi") or "").lower() == doi.lower():
                return paper
    raise AssertionError(f"{doi} is in no dossier")


class Resolver:
    """Loopback esearch: records each term; answers the PMIDs whose real record has the DOI
    in the term (none for another DOI), or fails with `fail_with`."""

    def __init__(self, httpserver, records: dict[str, bytes], fail_with: int | None = None):
        self.terms: list[str] = []
        self.fail_with = fail_with
        self.by_doi = {}
        for pmid, xml in records.items():
            for art in parse_pubmed_xml(b"<PubmedArticleSet>" + xml + b"</PubmedArticleSet>"):
                if art.doi:
                    self.by_doi[art.doi.lower()] = pmid
        httpserver.expect_request(re.compile(".*esearch.*")).respond_with_handler(self.answer)

    def answer(self, request):
        form = parse_qs(request.get_data(as_text=True)) or parse_qs(request.query_string.decode())
        term = form["term"][0]
        self.terms.append(term)
        if self.fail_with == 429:  # NCBI's own words (NBK25497), as the docs quote them
            body = (EUTILS_FIXTURES / "errors" / "ncbi-doc-NBK25497__429_rate_limit_exceeded_"
                    "example.json").read_bytes()  # fmt: skip
            return Response(body, status=429, content_type="application/json")
        if self.fail_with:
            return Response("unavailable", status=self.fail_with)
        m = re.fullmatch(r'"(.+)"\[aid\]', term)
        pmid = self.by_doi.get(m.group(1).lower()) if m else None
        ids = f"<Id>{pmid}</Id>" if pmid else ""
        body = TEMPLATE.format(count=int(bool(pmid)), retmax=int(bool(pmid)), ids=ids,
                               translation=term.replace("&", "&amp;"))  # fmt: skip
        return Response(body, content_type="text/xml")


@pytest.fixture
def lacking(project: Path) -> Path:
    """The one-claim project, its snapshot without the pickle-juice trial (a new review that
    has never cited it)."""
    path = project / "data" / "pubmed" / "records.jsonl"
    kept = [ln for ln in path.read_text(encoding="utf-8").splitlines() if LACKING_DOI not in ln]
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    return project


def _cli(project: Path, *args: str, env: dict | None = None):
    return CliRunner().invoke(
        main, ["cite", *args, "--project", str(project)], env=env, catch_exceptions=False
    )


def _typed_options(paper: dict) -> list[str]:
    return ["--title", paper["title"], "--first-author", paper["first_author"],
            "--journal", paper["journal"], "--year", str(paper["year"])]  # fmt: skip


# --------------------------------------------------------------------------- what is typed


@pytest.mark.parametrize(
    ("typed", "ref"),
    [
        ("3735481", PaperRef(pmid="3735481")),
        ("PMID: 3735481", PaperRef(pmid="3735481")),
        ("https://pubmed.ncbi.nlm.nih.gov/3735481/", PaperRef(pmid="3735481")),
        ("https://www.ncbi.nlm.nih.gov/pubmed/3735481", PaperRef(pmid="3735481")),
        ("https://doi.org/10.1080/02640418608732095", PaperRef(doi="10.1080/02640418608732095")),
        ("http://dx.doi.org/10.1016%2F0003-9993(91)90011-7",
         PaperRef(doi="10.1016/0003-9993(91)90011-7")),
        ("doi:10.1002/MUS.20341", PaperRef(doi="10.1002/MUS.20341")),
        ("https://journals.lww.com/acsm-msse/x.aspx",
         PaperRef(url="https://journals.lww.com/acsm-msse/x.aspx")),
    ],
)  # fmt: skip
def test_a_paper_is_named_by_pmid_doi_or_address(typed, ref):
    assert parse_paper_ref(typed) == ref


@pytest.mark.parametrize("typed", ["Maughan 1986", "https://doi.org/abc", "javascript:alert(1)"])
def test_anything_else_is_refused_in_words(typed):
    with pytest.raises(ValueError, match=r"neither a PMID|without a DOI"):
        parse_paper_ref(typed)


def test_a_doi_is_searched_quoted_in_the_article_identifier_field():
    assert doi_term("10.1016/0003-9993(91)90011-7") == '"10.1016/0003-9993(91)90011-7"[aid]'


# --------------------------------------------------------------------------- DOI -> PMID


def test_cite_by_doi_address_resolves_it_to_its_pmid(project, httpserver, records, env):
    pmid, doi = IN_PUBMED
    resolver, fetcher = Resolver(httpserver, records), Eutils(httpserver, records)
    result = _cli(project, "C01", f"https://doi.org/{doi}", "--stance", "context", "--design",
                  "other", "--finding", "A paper found by its DOI, cited for the test.",
                  "--anyway", env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert resolver.terms == [f'"{doi}"[aid]']  # the exact esearch term sent
    assert [c["id"] for c in fetcher.calls] == [[pmid]]
    assert f"cites {pmid} (PubMed's record of https://doi.org/{doi})" in result.output
    text = claim_file(project, "C01").read_text(encoding="utf-8")
    assert f'- pmid: "{pmid}"' in text and doi not in text  # cited by its PMID
    rec = load_snapshot(project / "data" / "pubmed").get(pmid)
    assert rec.source == "pubmed-efetch" and rec.doi == doi and rec.in_pubmed


def test_a_doi_pubmed_lacks_is_cited_with_the_details_typed(lacking, httpserver, records, env):
    paper = _dossier_paper(LACKING_DOI)
    resolver = Resolver(httpserver, records)
    before = _files(lacking)
    refused = _cli(lacking, "C01", LACKING_DOI, "--stance", "context", "--design",
                   "crossover-trial", "--finding", FINDING, env=env)  # fmt: skip
    assert refused.exit_code == 1
    assert (f"DOI {LACKING_DOI} has no record in PubMed: give its title, first author, "
            "journal and year") in refused.output  # fmt: skip
    assert _files(lacking) == before

    result = _cli(lacking, "C01", f"https://doi.org/{LACKING_DOI}", "--stance", "context",
                  "--design", "crossover-trial", "--n", str(paper["n"]), "--finding", FINDING,
                  *_typed_options(paper), env=env)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert resolver.terms == [f'"{LACKING_DOI}"[aid]'] * 2  # asked PubMed first, each time
    assert f"cites DOI {LACKING_DOI} (context, crossover-trial, not in PubMed)" in result.output

    claim = claim_file(lacking, "C01").read_text(encoding="utf-8")
    assert re.search(rf"- doi: {re.escape(LACKING_DOI)} +# not in PubMed", claim), claim
    papers = (lacking / "claims" / "papers.yaml").read_text(encoding="utf-8")
    assert re.search(rf"- doi: {re.escape(LACKING_DOI)} +# not in PubMed", papers), papers
    entry = next(p for p in yaml.safe_load(papers)["papers"] if p.get("doi") == LACKING_DOI)
    assert entry["design"] == "crossover-trial" and entry["n"] == paper["n"]
    rec = load_snapshot(lacking / "data" / "pubmed").find(doi=LACKING_DOI)
    assert rec.in_pubmed is False and rec.pmid is None
    assert (rec.title, rec.authors, rec.journal, rec.year) == (
        paper["title"], [paper["first_author"]], paper["journal"], paper["year"])  # fmt: skip
    manifest = json.loads((lacking / "data" / "pubmed" / "manifest.json").read_text())
    assert "not in PubMed" in manifest["history"][-1]["note"]


def test_an_address_pubmed_does_not_index_is_cited_offline_with_its_details(lacking):
    paper = _dossier_paper(LACKING_DOI)
    url = paper["verified_from"][0]  # the page the dossier read it on (not PubMed's, not doi.org)
    result = _cli(lacking, "C01", url, "--stance", "context", "--design", "crossover-trial",
                  "--finding", FINDING, "--offline", *_typed_options(paper))  # fmt: skip
    assert result.exit_code == 0, result.output
    assert re.search(rf"- url: {re.escape(url)} +# not in PubMed", claim_file(lacking, "C01")
                     .read_text(encoding="utf-8"))  # fmt: skip
    rec = load_snapshot(lacking / "data" / "pubmed").find(url=url)
    assert rec.in_pubmed is False and rec.title == paper["title"]


@pytest.mark.parametrize("fault", [500, 429, "down"])
def test_a_fault_while_resolving_a_doi_writes_nothing(
    lacking, httpserver, records, env, monkeypatch, fault
):
    paper = _dossier_paper(LACKING_DOI)
    if fault == "down":  # nothing listens on the port any more
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        env = {**env, "CLAIMBOOK_EUTILS_URL": f"http://127.0.0.1:{port}/"}
    else:
        Resolver(httpserver, records, fail_with=fault)
    monkeypatch.setattr(
        "claimbook.cli.app.client", lambda quiet: EutilsClient(progress=False, backoff_factor=0.01)
    )
    before = _files(lacking)
    args = ["--stance", "context", "--design", "crossover-trial", "--finding", FINDING]
    result = _cli(lacking, "C01", LACKING_DOI, *args, *_typed_options(paper), env=env)
    assert result.exit_code == 1
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    said = next(ln for ln in lines if "could not ask PubMed" in ln)
    assert f"DOI {LACKING_DOI}: could not ask PubMed, so nothing was saved" in said
    assert "Traceback" not in result.output
    assert _files(lacking) == before  # every file byte-identical (sha256)


def test_a_doi_is_checked_against_the_record_pubmed_returns(lacking, httpserver, records):
    """esearch answering with a record that carries another DOI is refused, nothing written."""
    pmid, _ = IN_PUBMED
    Eutils(httpserver, records)
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data(
        TEMPLATE.format(count=1, retmax=1, ids=f"<Id>{pmid}</Id>", translation="x"),
        content_type="text/xml",
    )
    before = _files(lacking)
    client = EutilsClient(httpserver.url_for("/"), progress=False)
    with pytest.raises(EditError, match=f"PubMed's record PMID {pmid} has DOI"):
        cite(lacking, "C01", LACKING_DOI, stance="context", design="other", finding=FINDING,
             client=client)  # fmt: skip
    assert _files(lacking) == before


# --------------------------------------------------------------------------- unrelated papers

UNRELATED = "1589464"  # in the shipped snapshot: massage and the H-reflex, nothing on fluids


def test_the_cli_refuses_a_paper_that_looks_unrelated_unless_anyway(project):
    rec = load_snapshot(project / "data" / "pubmed").get(UNRELATED)
    args = ["C01", UNRELATED, "--stance", "supports", "--design", "other", "--finding",
            "A paper cited for C01 whose title is about massage.", "--offline"]  # fmt: skip
    before = _files(project)
    refused = _cli(project, *args)
    assert refused.exit_code == 1
    assert f"This paper looks unrelated: {rec.title} — cite anyway?" in refused.output
    assert "--anyway" in refused.output
    assert _files(project) == before
    done = _cli(project, *args, "--anyway")
    assert done.exit_code == 0, done.output
    assert f'- pmid: "{UNRELATED}"' in claim_file(project, "C01").read_text(encoding="utf-8")


def test_the_session_asks_before_citing_a_paper_that_looks_unrelated(review):
    session = ReviewSession(ReviewFolder.at(review), offline=True)
    session.load("C01")
    snapshot = session.review.snapshot
    assert citing.unrelated(session, snapshot.get("3735481")) is None  # marathon cramps: related
    question = citing.unrelated(session, snapshot.get(UNRELATED))
    assert question == f"This paper looks unrelated: {snapshot.get(UNRELATED).title} — cite anyway?"
    before = _files(review)
    with pytest.raises(NotSaved, match=r"(?i)this paper looks unrelated"):
        session.cite(UNRELATED, stance="supports",
                     finding="A paper cited for C01 whose title is about massage.")  # fmt: skip
    assert _files(review) == before
    saved = session.cite(UNRELATED, stance="supports", anyway=True,
                         finding="A paper cited for C01 whose title is about massage.")  # fmt: skip
    assert any(c.pmid == UNRELATED for c in saved.claim.evidence)


def test_the_session_finds_a_doi_pubmed_lacks_and_cites_it_with_details(
    lacking, httpserver, records, monkeypatch
):
    monkeypatch.setenv("CLAIMBOOK_EUTILS_URL", httpserver.url_for("/"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    Resolver(httpserver, records)
    paper = _dossier_paper(LACKING_DOI)
    session = ReviewSession(ReviewFolder.at(lacking))
    session.load("C01")
    found = citing.find(session, f"https://doi.org/{LACKING_DOI}")
    assert found == PaperRef(doi=LACKING_DOI)
    assert isinstance(find_paper(lacking, LACKING_DOI), PaperRef)
    details = PaperDetails(paper["title"], paper["first_author"], paper["year"], paper["journal"])
    saved = session.cite(LACKING_DOI, stance="context", design="crossover-trial",
                         finding=FINDING, details=details)  # fmt: skip
    assert any(c.doi == LACKING_DOI for c in saved.claim.evidence)
    assert session.review.snapshot.find(doi=LACKING_DOI).in_pubmed is False


def test_the_cite_form_cites_a_doi_pubmed_lacks_with_the_details_typed(
    lacking, httpserver, records, monkeypatch
):
    from claimbook.evidence.review import load_review
    from claimbook.jupyter.workbench import Workbench
    from claimbook.report import build_report

    monkeypatch.setenv("CLAIMBOOK_EUTILS_URL", httpserver.url_for("/"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    Resolver(httpserver, records)
    paper = _dossier_paper(LACKING_DOI)
    bench = Workbench(project=lacking, claim_id="C01")
    panel = bench.cite_panel
    bench.cite_ident.value = f"https://doi.org/{LACKING_DOI}"
    bench.lookup_button.click()
    assert "not in PubMed" in bench.record_html.value
    assert panel.details_box.layout.display is None and not bench.cite_button.disabled
    before = _files(lacking)
    bench.cite_finding.value = FINDING
    bench.cite_design.value = "crossover-trial"
    panel.cite_year.value = "twenty ten"  # refused in words, nothing written
    bench.cite_button.click()
    assert "year in digits" in bench.message.value and _files(lacking) == before
    panel.cite_title.value, panel.cite_author.value = paper["title"], paper["first_author"]
    panel.cite_journal.value, panel.cite_year.value = paper["journal"], str(paper["year"])
    bench.cite_button.click()
    assert "cb-ok" in bench.message.value, bench.message.value
    # the evidence row says it (the table draws its rows from this data in the browser)
    row = next(r.data()["paper"] for r in bench.rows if r.ident == LACKING_DOI)
    assert row["ident"] == f"DOI {LACKING_DOI}" and row["not_in_pubmed"]
    assert row in [r["paper"] for r in bench.evidence_panel.table.table["rows"]]
    out = build_report(load_review(project=lacking), lacking / "reports", formats=("md", "html"))
    assert "(not in PubMed)" in out["md"].read_text(encoding="utf-8")
    assert "not in PubMed" in out["html"].read_text(encoding="utf-8")
