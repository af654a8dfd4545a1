"""Issue 21, point 9 and the second half of point 8: what the package did in two or more places
is done in one, and the snapshot folder is written by its store alone.

* A paper's PubMed and DOI addresses come from `ids.pubmed_url` / `ids.doi_url`, in every writer.
* A PMID is what `ids.PMID_RE` says, for the E-utilities client as for the claim files.
* The client reads its small XML answers with the parser's safety (`parse.parse_xml_root`).
* A saved search (`search --save`) is written by the store, under the snapshot's lock; a cite
  whose claim write fails has the store put the snapshot back byte for byte.

PubMed is a real HTTP server on 127.0.0.1 (pytest-httpserver): NCBI is not reachable here.
"""

from __future__ import annotations

import re
import shutil
import threading
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_client import Server, client
from test_fetch_cli import Eutils, make_project
from werkzeug import Response

from claimbook.cli.app import main
from claimbook.edit import fetch_paper
from claimbook.edit.screening import load_hits, store_hits
from claimbook.evidence.review import load_review
from claimbook.folder import ReviewFolder
from claimbook.ids import doi_url, pubmed_url
from claimbook.pubmed import ParseError, load_snapshot, store
from claimbook.pubmed.client import EutilsClient
from claimbook.report import build_report

from conftest import REAL, ROOT, tree_digest

PACKAGE = ROOT / "src" / "claimbook"
WAIT = 30  # seconds: far longer than any step below takes; only a hang would reach it


def _content(folder: Path) -> dict[str, str]:
    """sha256 of every file under `folder` but the empty `.lock` files: a command that takes a
    folder's lock leaves that file behind, saved or not (locks, not the review's content)."""
    return {k: v for k, v in tree_digest(folder).items() if not k.endswith(".lock")}


def _package_files() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*")) if p.suffix in {".py", ".j2"}]


# --------------------------------------------------------------------------- one address


def test_only_ids_spells_the_pubmed_and_doi_addresses():
    """Every writer (report, Markdown, exports, workbench) links through ids.py, so the address
    of a paper can change in one place."""
    spelled = []
    for path in _package_files():
        if path == PACKAGE / "ids.py":
            continue
        text = path.read_text(encoding="utf-8")
        # The PubMed host, or a DOI address built by hand (f"...doi.org/{doi}", "doi.org/" ~ x).
        if "pubmed.ncbi.nlm.nih.gov" in text or re.search(r"doi\.org/(?:\{|\"|')", text):
            spelled.append(str(path.relative_to(PACKAGE)))
    assert spelled == []


def test_the_addresses_are_pubmeds_and_doi_orgs():
    assert pubmed_url("3735481") == "https://pubmed.ncbi.nlm.nih.gov/3735481/"
    assert doi_url("10.1002/mus.21170") == "https://doi.org/10.1002/mus.21170"


@pytest.fixture(scope="module")
def report_with_exclusions(tmp_path_factory):
    """The shipped review with one more paper screened out, by DOI only, in C02, built as HTML
    and Markdown."""
    root = tmp_path_factory.mktemp("review")
    for name in ("claims", "data"):
        shutil.copytree(ROOT / name, root / name)
    c02 = next((root / "claims").glob("C02-*.yaml"))
    text = c02.read_text(encoding="utf-8")
    assert "\nexcluded:\n- pmid: " in text  # the shipped C02 screens papers out by PMID
    extra = '- doi: "10.1002/mus.21170"\n  reason: A test exclusion by DOI only, not in PubMed.\n'
    c02.write_text(text.replace("\nexcluded:\n", "\nexcluded:\n" + extra, 1), encoding="utf-8")
    review = load_review(root / "claims", root / "data")
    written = build_report(review, root / "report", formats=("html", "md"), progress=False)
    c02_claim = next(c for c in review.claims if c.id == "C02")
    return written, c02_claim


def test_screened_out_papers_link_to_pubmed_and_doi_in_html_and_markdown(report_with_exclusions):
    written, claim = report_with_exclusions
    html = Path(written["html"]).read_text(encoding="utf-8")
    md = Path(written["md"]).read_text(encoding="utf-8")
    assert claim.excluded
    for x in claim.excluded:
        url = pubmed_url(x.pmid) if x.pmid else doi_url(x.doi)
        assert f'href="{url}"' in html, url
        assert f"]({url})" in md, url
    assert any(x.doi and not x.pmid for x in claim.excluded)


# --------------------------------------------------------------------------- one PMID pattern


def test_the_client_refuses_a_ten_digit_pmid_as_the_claim_files_do(httpserver):
    """A PMID has at most nine digits (ids.PMID_RE); the client used to allow ten."""
    server = Server(httpserver, default=Response(b"<PubmedArticleSet/>", content_type="text/xml"))
    with pytest.raises(ValueError, match="not a PMID: 1234567890"):
        client(server).efetch(["1234567890"])
    assert server.calls == []
    result = client(server).efetch(["999999999"])  # nine digits: asked for, and not found
    assert result.missing == ["999999999"]
    assert server.calls[0]["form"]["id"] == ["999999999"]


# --------------------------------------------------------------------------- one safe XML reader


def _esearch(prolog: bytes) -> bytes:
    return prolog + (
        b"<eSearchResult><Count>1</Count><RetMax>1</RetMax><RetStart>0</RetStart>"
        b"<IdList><Id>3735481</Id></IdList></eSearchResult>"
    )


def test_an_esearch_answer_declaring_an_entity_is_refused(httpserver, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("not for NCBI")
    body = _esearch(
        f'<?xml version="1.0"?>\n<!DOCTYPE eSearchResult [<!ENTITY x SYSTEM "file://{secret}">]>'
        "\n".encode()
    )
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    with pytest.raises(ParseError, match="esearch: entity declarations are not allowed") as info:
        client(server, max_retries=0).esearch("cramp")
    assert "not for NCBI" not in str(info.value)


def test_an_entity_declared_after_a_long_prolog_is_refused_too(httpserver):
    """The quick byte check looks at the first 64 KiB; the parsed DOCTYPE is checked as well,
    as parse_pubmed_xml does, so a long comment before it hides nothing."""
    padding = b"<!--" + b" " * (70 << 10) + b"-->\n"
    body = _esearch(padding + b'<!DOCTYPE eSearchResult [<!ENTITY x "y">]>\n')
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    with pytest.raises(ParseError, match="esearch: entity declarations are not allowed"):
        client(server, max_retries=0).esearch("cramp")


def test_a_plain_esearch_answer_still_reads(httpserver):
    body = _esearch(b'<?xml version="1.0"?>\n<!DOCTYPE eSearchResult PUBLIC "-//NLM//x" "x.dtd">\n')
    server = Server(httpserver, default=Response(body, content_type="text/xml"))
    assert client(server).esearch("cramp").ids == ["3735481"]


# --------------------------------------------------------------------------- the store writes


def test_a_saved_search_waits_for_the_snapshots_lock(project):
    """search --save writes through the store: while another command holds the snapshot's lock
    (a fetch committing a batch), the saved search is not written beside it."""
    snapshot = ReviewFolder.at(project).snapshot
    hit = next(iter(load_snapshot(snapshot)))
    done = threading.Event()

    def save() -> None:
        try:
            store_hits(project, "C01", "cramp[tiab]", 1, [hit])
        finally:
            done.set()

    with store.lock(snapshot):
        writer = threading.Thread(target=save)
        writer.start()
        assert not done.wait(0.5)  # it cannot finish while the lock is held
        assert load_hits(project, "C01") is None
    writer.join(WAIT)
    assert done.is_set()
    assert [r.key for r in load_hits(project, "C01").records] == [hit.key]


def test_search_save_that_cannot_write_is_one_line_and_changes_nothing(
    tmp_path, httpserver, records, env
):
    project = make_project(tmp_path, REAL[:1])
    hits = ReviewFolder.at(project).snapshot / store.HITS_DIR
    (hits / "C01.json").mkdir(parents=True)  # a folder where the file goes: a real write failure
    Eutils(httpserver, records)
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data(
        f"<eSearchResult><Count>1</Count><RetMax>1</RetMax><RetStart>0</RetStart>"
        f"<IdList><Id>{REAL[1]}</Id></IdList></eSearchResult>",
        content_type="text/xml",
    )
    httpserver.expect_request(re.compile(".*esummary.*")).respond_with_data(
        '{"result": {"uids": []}}', content_type="application/json"
    )
    before = _content(project)
    result = CliRunner().invoke(
        main, ["search", "C01", "--save", "--project", str(project), "-q"], env=env
    )
    assert result.exit_code == 1, result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("error: cannot write ") and "C01.json" in last, result.output
    assert "Traceback" not in result.output
    assert _content(project) == before


def test_a_cite_whose_claim_write_fails_leaves_the_snapshot_as_it_was(review, httpserver, records):
    """The store puts the snapshot back (records, manifest, the raw response it added) when the
    claim write that goes with the stored paper fails."""
    Eutils(httpserver, records)
    pubmed = EutilsClient(httpserver.url_for("/"), progress=False, backoff_factor=0.01)
    folder = ReviewFolder.at(review)
    staged = fetch_paper(folder, REAL[0], client=pubmed)
    before = _content(review / "data")
    with pytest.raises(RuntimeError, match="the claim write failed"), staged.stored(folder):
        assert load_snapshot(folder.snapshot).get(REAL[0]) is not None  # stored for now
        raise RuntimeError("the claim write failed")
    assert _content(review / "data") == before
    assert load_snapshot(folder.snapshot).get(REAL[0]) is None
