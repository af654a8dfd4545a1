"""Issue 15: a refresh verifies before it replaces; retractions, expressions of concern and errata
are announced; `claimbook status`. End to end against a loopback E-utilities server replaying
real PubMed records (and, for a disagreement, another real paper's record under a cited PMID)."""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from urllib.parse import parse_qs
from xml.sax.saxutils import escape

import pytest
import yaml
from click.testing import CliRunner
from test_fetch_cli import Eutils, make_project
from werkzeug import Response

from claimbook.cli.app import main
from claimbook.evidence.table import verdicts
from claimbook.pubmed.client import LIMITER, EutilsClient
from claimbook.pubmed.parse import Correction, parse_pubmed_xml
from claimbook.pubmed.store import PaperRecord, load_snapshot, save_snapshot
from claimbook.pubmed.sync import commit_batch, record_from_article
from claimbook.pubmed.verify import PENDING_FILE, compare, load_drift, normalise_title, surname_key
from claimbook.pubmed.watch import paper_alerts

from conftest import EUTILS_FIXTURES, ROOT, need_shared, tree_digest

KEY = "secret-api-key-0042"
CURATED = "3735481"  # Maughan 1986, a curated record of the shipped snapshot
OTHER = "38534005"  # the EFLM urinalysis guideline (2024): the "other paper"
AGREES = "29963580"  # a real record, curated here with the small differences curation leaves
RETRACTED = ["8863847", "11543891"]  # retracted in PubMed (pubmed-baseline sample)
CORRECTED = "35649368"  # has an ErratumIn link to 35767954


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LIMITER.reset()


@pytest.fixture(scope="session")
def baseline() -> dict[str, bytes]:
    """Real <PubmedArticle> elements by PMID from the PubMed baseline sample (retractions)."""
    path = need_shared(EUTILS_FIXTURES) / "pubmed-baseline" / "fatcat__pubmedsample_2019.xml"
    out = {}
    for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", path.read_bytes(), re.S):
        pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", m.group(0)).group(1).decode()
        out.setdefault(pmid, m.group(0))
    return out


def swapped(markup: bytes, old: str, new: str) -> bytes:
    """A real record's markup with its own PMID (record and ArticleId) replaced by `new`."""
    return markup.replace(f">{old}</PMID>".encode(), f">{new}</PMID>".encode(), 1).replace(
        f'IdType="pubmed">{old}<'.encode(), f'IdType="pubmed">{new}<'.encode()
    )


def parsed(markup: bytes) -> PaperRecord:
    body = b"<PubmedArticleSet>" + markup + b"</PubmedArticleSet>"
    (article,) = parse_pubmed_xml(body)
    return record_from_article(article, None, "(test)")


def curated_from(rec: PaperRecord, **changes) -> PaperRecord:
    """A curated record of the same paper, as a curator would have typed it."""
    data = {"pmid": rec.pmid, "doi": rec.doi, "title": rec.title, "authors": rec.authors,
            "year": rec.year, "journal": rec.journal, "source": "curated",
            "verified_from": [f"https://pubmed.ncbi.nlm.nih.gov/{rec.pmid}/"]}  # fmt: skip
    return PaperRecord(**{**data, **changes})


def cli(project, *args, env=None):
    argv = [*args, "--project", str(project)]
    if args[0] in ("fetch",):
        argv.append("--quiet")
    return CliRunner().invoke(main, argv, env=env, catch_exceptions=False)


def line_of(store, pmid: str) -> str:
    return next(
        ln for ln in (store / "records.jsonl").read_text().splitlines() if f'"{pmid}"' in ln[:20]
    )


@pytest.fixture
def drifting(tmp_path, httpserver, records, env):
    """A project citing a curated PMID whose efetch answer is another paper, and one whose
    answer agrees with its curated record; the server replays both."""
    project = make_project(tmp_path, [CURATED, AGREES])
    store = project / "data" / "pubmed"
    shipped = load_snapshot(ROOT / "data" / "pubmed").get(CURATED)
    real = parsed(records[AGREES])
    near = curated_from(real, title=real.title.rstrip(".").upper(), year=real.year + 1)
    save_snapshot(store, [shipped, near])
    server = Eutils(
        httpserver, {AGREES: records[AGREES], CURATED: swapped(records[OTHER], OTHER, CURATED)}
    )
    return project, store, server, env


# --------------------------------------------------------------------------- verify.compare


def test_compare_tolerates_what_curation_changes_and_names_what_differs():
    a = PaperRecord(
        pmid="27797938", title="<i>Brca1</i> and the “Cell-cycle”: a study.", source="curated",
        authors=["Müller-Lüdenscheidt AB"], year=2016, doi="10.1000/ABC",
    )  # fmt: skip
    same = a.model_copy(update={
        "title": "BRCA1 and the cell cycle a study", "authors": ["Muller-Ludenscheidt A Jr"],
        "year": 2017, "doi": "10.1000/abc", "source": "pubmed-efetch",
    })  # fmt: skip
    assert compare(a, same) == []
    other = a.model_copy(update={
        "title": "Quinine for muscle cramps.", "authors": ["El-Tawil S"], "year": 2014,
        "doi": "10.1002/14651858.CD005044.pub3",
    })  # fmt: skip
    assert [m.field for m in compare(a, other)] == ["title", "first_author", "year", "doi"]
    mismatch = compare(a, other)[2]
    assert (mismatch.curated, mismatch.fetched, mismatch.label) == (2016, 2014, "year")
    # A field one side lacks never disagrees.
    bare = a.model_copy(update={"authors": [], "year": None, "doi": None})
    assert compare(bare, other) == [compare(a, other)[0]]


def test_title_and_surname_normalisation():
    assert normalise_title("[Effect of <b>fetal</b> growth on diseases in adults].") == (
        "effect of fetal growth on diseases in adults"
    )
    assert surname_key("Eriksson Crommert M") == surname_key("eriksson crommert")
    assert surname_key("de Jager I") == "dejager"
    assert surname_key("TAX 325 Study Group") == "tax325studygroup"
    assert surname_key(None) is None


# --------------------------------------------------------------------------- refresh drift


def test_a_disagreeing_refresh_keeps_the_curated_record_and_exits_1(drifting):
    project, store, _, env = drifting
    before = line_of(store, CURATED)
    result = cli(project, "fetch", "--refresh", env=env)
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Fetched 1 of 2 PMIDs" in out  # the agreeing one was applied
    assert f"PMID {CURATED}" in out
    side = out[out.index(f"PMID {CURATED}\n") :]
    assert "curated (kept)" in side and "PubMed (not applied)" in side
    assert "Exercise-induced muscle cramp" in side and "The EFLM European Urinalysis" in side
    assert re.search(r"first author\s+≠ Maughan RJ\s+Kouri TT", side)
    assert re.search(r"year\s+≠ 1986\s+2024", side)
    assert re.search(r"DOI\s+≠ 10.1080/02640418608732095\s+10.1515/cclm-2024-0070", side)
    assert f"error: not applied: PMID {CURATED}" in out
    assert line_of(store, CURATED) == before  # byte for byte
    snap = load_snapshot(store)
    assert snap.get(AGREES).source == "pubmed-efetch"
    drift = load_drift(store)
    assert list(drift) == [CURATED]
    assert drift[CURATED].fields == ["title", "first_author", "year", "doi"]
    assert drift[CURATED].fetched.title == "The EFLM European Urinalysis Guideline 2023."
    history = json.loads((store / "manifest.json").read_text())["history"]
    assert history[-1]["disagreed"] == [CURATED] and "accepted" not in history[-1]


def test_show_and_status_and_validate_name_the_waiting_disagreement(drifting):
    project, _, _, env = drifting
    cli(project, "fetch", "--refresh", env=env)
    shown = CliRunner().invoke(main, ["show", CURATED, "--project", str(project), "--offline"])
    assert shown.exit_code == 0, shown.output
    assert "disagrees with the curated one (title, first author, year, DOI)" in shown.output
    curated_part, waiting_part = shown.output.split("-- PubMed's record, not applied")
    assert "In the snapshot (curated" in curated_part and "Maughan RJ" in curated_part
    assert "Kouri TT" in waiting_part and "EFLM" in waiting_part
    status = cli(project, "status", "--offline", "--json")
    assert json.loads(status.output)["drift"] == [CURATED]
    checked = cli(project, "validate")
    assert checked.exit_code == 0, checked.output
    assert f"warning: PMID {CURATED}: PubMed's record disagrees" in checked.output


def test_accept_changes_applies_the_waiting_record_offline_and_records_why(drifting):
    project, store, server, env = drifting
    cli(project, "fetch", "--refresh", env=env)
    calls = len(server.calls)
    result = cli(project, "fetch", "--accept-changes", "--offline", env=env)
    assert result.exit_code == 0, result.output
    assert f"over the curated one for PMID {CURATED}" in result.output
    assert len(server.calls) == calls  # applied from pending.jsonl, no request
    rec = load_snapshot(store).get(CURATED)
    assert rec.source == "pubmed-efetch" and rec.title.startswith("The EFLM")
    assert not (store / PENDING_FILE).exists()
    entry = json.loads((store / "manifest.json").read_text())["history"][-1]
    assert entry["action"] == "accept-changes"
    (accepted,) = entry["accepted"]
    assert accepted["pmid"] == CURATED
    assert [m["field"] for m in accepted["mismatches"]] == ["title", "first_author", "year", "doi"]
    assert accepted["mismatches"][2] == {"field": "year", "curated": 1986, "fetched": 2024}


def test_accept_changes_on_a_refresh_applies_new_disagreements(drifting):
    project, store, _, env = drifting
    result = cli(project, "fetch", "--refresh", "--accept-changes", env=env)
    assert result.exit_code == 0, result.output
    assert "Fetched 2 of 2 PMIDs" in result.output
    assert load_snapshot(store).get(CURATED).year == 2024
    entry = json.loads((store / "manifest.json").read_text())["history"][-1]
    assert entry["action"] == "efetch" and entry["accepted"][0]["pmid"] == CURATED


def test_a_later_refresh_that_agrees_clears_the_disagreement(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, [AGREES])
    store = project / "data" / "pubmed"
    save_snapshot(store, [curated_from(parsed(records[AGREES]))])
    server = Eutils(httpserver, {AGREES: swapped(records[OTHER], OTHER, AGREES)})
    assert cli(project, "fetch", "--refresh", env=env).exit_code == 1
    assert list(load_drift(store)) == [AGREES]
    server.records = {AGREES: records[AGREES]}  # PubMed's answer now matches the curation
    result = cli(project, "fetch", "--refresh", env=env)
    assert result.exit_code == 0, result.output
    assert load_drift(store) == {} and not (store / PENDING_FILE).exists()
    assert load_snapshot(store).get(AGREES).source == "pubmed-efetch"


def test_only_a_curated_record_is_verified(tmp_path, records):
    """A record already fetched from E-utilities is PubMed's own word: replaced as is."""
    store = tmp_path / "pubmed"
    body = b"<PubmedArticleSet>" + records[AGREES] + b"</PubmedArticleSet>"
    assert commit_batch(store, body, _now(), {"requested": 1}) == [AGREES]
    other = b"<PubmedArticleSet>" + swapped(records[OTHER], OTHER, AGREES) + b"</PubmedArticleSet>"
    assert commit_batch(store, other, _now(), {"requested": 1}) == [AGREES]
    assert load_snapshot(store).get(AGREES).year == 2024 and load_drift(store) == {}


def _now():
    from datetime import UTC, datetime

    return datetime.now(UTC).replace(microsecond=0)


def test_a_broken_pending_file_is_one_line_and_changes_nothing(drifting):
    project, store, server, env = drifting
    (store / PENDING_FILE).write_text('{"pmid": "3735481", "mismatches": [], "record": {}}\n')
    before = tree_digest(project / "data")
    for args in (["fetch", "--refresh"], ["status", "--offline"]):
        result = cli(project, *args, env=env)
        assert result.exit_code == 1, (args, result.output)
        (line,) = result.output.splitlines()
        assert line.startswith("error: ") and f"{PENDING_FILE}:1: record.title:" in line, line
    checked = cli(project, "validate")
    assert checked.exit_code == 1
    assert checked.output.splitlines()[-1] == "1 problem found."
    assert f"{PENDING_FILE}:1: record.title:" in checked.output.splitlines()[0]
    shown = CliRunner().invoke(main, ["show", CURATED, "--project", str(project), "--offline"])
    assert shown.exit_code == 1 and f"{PENDING_FILE}:1:" in shown.output
    assert server.calls == []
    assert tree_digest(project / "data") == before


# --------------------------------------------------------------------------- retraction watch


def _concern(markup: bytes) -> bytes:
    """A real record given an ExpressionOfConcernIn link (synthetic: no fixture has one; the
    notice is named by its citation only, as no real notice PMID is known)."""
    link = (
        b'<CommentsCorrections RefType="ExpressionOfConcernIn"><RefSource>'
        b"Expression of concern (test)</RefSource></CommentsCorrections>"
    )
    if b"<CommentsCorrectionsList>" in markup:
        return markup.replace(b"<CommentsCorrectionsList>", b"<CommentsCorrectionsList>" + link)
    return markup.replace(
        b"</MedlineCitation>", b"<CommentsCorrectionsList>" + link + b"</CommentsCorrectionsList>"
        b"</MedlineCitation>", 1,
    )  # fmt: skip


@pytest.fixture
def watched(tmp_path, httpserver, records, baseline, env):
    """A project citing two retracted papers, a corrected one and one under concern."""
    project = make_project(tmp_path, [*RETRACTED, CORRECTED, OTHER])
    server = Eutils(
        httpserver,
        {**{p: baseline[p] for p in RETRACTED}, CORRECTED: records[CORRECTED],
         OTHER: _concern(records[OTHER])},
    )  # fmt: skip
    return project, server, env


def test_fetch_announces_retracted_concern_and_corrected_papers(watched):
    project, _, env = watched
    result = cli(project, "fetch", env=env)
    assert result.exit_code == 0, result.output
    warnings = [ln for ln in result.output.splitlines() if ln.startswith("warning:")]
    assert warnings == [
        "warning: PMID 8863847 was retracted (notice PMID 9499167); cited by C01.",
        "warning: PMID 11543891 was retracted (notice PMID 11600210); cited by C01.",
        f"warning: PMID {OTHER} is under an expression of concern; cited by C01.",
        "warning: PMID 8863847 was corrected; cited by C01.",  # its erratum link has no PMID
        f"warning: PMID {CORRECTED} was corrected (erratum PMID 35767954); cited by C01.",
    ]
    # Announced again by a fetch that has nothing to do, and by validate (exit 0).
    again = cli(project, "fetch", env=env)
    assert "no request made" in again.output and "was retracted" in again.output
    checked = cli(project, "validate")
    assert checked.exit_code == 0 and checked.output.count("warning: PMID") == 5


def test_status_lists_them_and_a_retracted_paper_never_counts(watched):
    project, _, env = watched
    cli(project, "fetch", env=env)
    data = json.loads(cli(project, "status", "--offline", "--json").output)
    assert data["retracted"] == RETRACTED
    assert data["concerns"] == [OTHER]
    assert data["corrected"] == ["8863847", CORRECTED]
    assert data["records"]["fetched"] == 4 and data["new_hits"] is None
    plain = cli(project, "status", "--offline").output
    assert "Retracted (never counted): 2" in plain
    assert "  PMID 8863847 was retracted (notice PMID 9499167); cited by C01." in plain
    from claimbook.claims import load_claims

    claims = load_claims(project / "claims")
    row = verdicts(claims, load_snapshot(project / "data" / "pubmed")).iloc[0]
    assert row["retracted"] == 2 and row["context"] == 2  # the two retracted are not counted


def test_citing_a_retracted_paper_announces_it(tmp_path, httpserver, baseline, env):
    project = make_project(tmp_path, [CURATED])
    shipped = load_snapshot(ROOT / "data" / "pubmed").get(CURATED)
    save_snapshot(project / "data" / "pubmed", [shipped])
    Eutils(httpserver, {RETRACTED[1]: baseline[RETRACTED[1]]})
    result = cli(
        project, "cite", "C01", RETRACTED[1], "--stance", "context", "--design", "other",
        "--anyway", "--finding", "A genetics paper the tests cite because PubMed retracted it.",
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.output.splitlines()[-1] == (
        f"warning: PMID {RETRACTED[1]} was retracted (notice PMID 11600210); cited by C01."
    )


def test_paper_alerts_name_every_citing_claim_and_each_notice():
    rec = PaperRecord(
        pmid="8863847", title="Mechanism of extracellular ATP-induced proliferation",
        source="curated", retracted=True,
        corrections=[Correction("RetractionIn", "9499167", "Mol Pharmacol. 1998"),
                     Correction("ErratumIn", None, "Mol Pharmacol 1997")],
    )  # fmt: skip
    from claimbook.pubmed.store import Snapshot

    class C:
        def __init__(self, cid):
            self.id, self.evidence = cid, [type("Cit", (), {"pmid": "8863847", "doi": None,
                                                             "url": None})()]  # fmt: skip

    alerts = paper_alerts([C("C03"), C("C07")], Snapshot([rec]))
    assert [(a.kind, a.claim_ids, a.notices) for a in alerts] == [
        ("retracted", ["C03", "C07"], ["9499167"]),
        ("corrected", ["C03", "C07"], []),
    ]
    assert (
        alerts[0].message == "PMID 8863847 was retracted (notice PMID 9499167); cited by C03, C07."
    )


# --------------------------------------------------------------------------- status


def _esearch(server_calls: list, count: int = 7):
    def handler(request):
        server_calls.append(parse_qs(request.get_data(as_text=True)))
        body = (
            f"<eSearchResult><Count>{count}</Count><RetMax>0</RetMax><RetStart>0</RetStart>"
            "<IdList/></eSearchResult>"
        )
        return Response(body, content_type="text/xml")

    return handler


def test_status_counts_new_hits_with_one_dated_esearch_per_claim(tmp_path, httpserver, env):
    project = make_project(tmp_path, [CURATED])
    save_snapshot(
        project / "data" / "pubmed", [load_snapshot(ROOT / "data" / "pubmed").get(CURATED)]
    )
    calls: list = []
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_handler(_esearch(calls))
    online = {**env, "NCBI_API_KEY": KEY, "NCBI_EMAIL": "reviewer@example.org"}
    result = cli(project, "status", "--json", env=online)
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["new_hits"] == {"C01": 7}
    (form,) = calls
    assert form == {
        "db": ["pubmed"], "term": ["cramp[tiab]"], "retstart": ["0"], "retmax": ["0"],
        "mindate": ["2026/11/24"], "maxdate": [date.today().strftime("%Y/%m/%d")],
        "datetype": ["edat"], "tool": ["claimbook"], "email": ["reviewer@example.org"],
        "api_key": [KEY],
    }  # fmt: skip
    assert KEY not in result.output
    plain = cli(project, "status", env=env).output
    assert "New PubMed hits since each claim's review: C01 7" in plain


def test_status_offline_and_unreachable_never_fail(tmp_path, httpserver, env, monkeypatch):
    project = make_project(tmp_path, [CURATED])
    save_snapshot(
        project / "data" / "pubmed", [load_snapshot(ROOT / "data" / "pubmed").get(CURATED)]
    )
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data("down", status=503)
    offline = cli(project, "status", "--offline", env=env)
    assert offline.exit_code == 0 and "not checked (offline)" in offline.output
    assert len(httpserver.log) == 0
    monkeypatch.setattr(
        "claimbook.cli.app.client", lambda quiet: EutilsClient(progress=False, backoff_factor=0.01)
    )
    down = cli(project, "status", "--json", env=env)
    assert down.exit_code == 0, down.output
    data = json.loads(down.output)
    assert data["new_hits"] is None and "HTTP 503" in data["new_hits_error"]


def test_status_names_drafts_and_stale_claims(tmp_path, records):
    project = make_project(tmp_path, [AGREES, OTHER])
    store = project / "data" / "pubmed"
    save_snapshot(store, [curated_from(parsed(records[p])) for p in (AGREES, OTHER)])
    c01 = project / "claims" / "C01-test-claim.yaml"
    claim = yaml.safe_load(c01.read_text())
    claim["reviewed"] = "2023-06-01"  # before OTHER (2024) was published: stale
    c01.write_text(yaml.safe_dump(claim))
    draft = {**claim, "id": "C02", "slug": "a-draft", "status": "draft", "evidence": [],
             "reviewed": "2024-01-01"}  # fmt: skip
    del draft["query"]
    (project / "claims" / "C02-a-draft.yaml").write_text(yaml.safe_dump(draft))
    fresh = {
        **claim,
        "id": "C03",
        "slug": "fresh",
        "reviewed": "2024-01-01",
    }  # same year: not stale
    (project / "claims" / "C03-fresh.yaml").write_text(yaml.safe_dump(fresh))
    data = json.loads(cli(project, "status", "--offline", "--json").output)
    assert data["drafts"] == ["C02"]
    assert data["stale_claims"] == ["C01"]
    assert data["records"] == {"total": 2, "curated": 2, "fetched": 0, "oldest_fetch": None}
    plain = cli(project, "status", "--offline").output
    assert "  C01: reviewed 2023-06-01, cites a paper from 2024" in plain
    assert "Draft claims: C02" in plain


# --------------------------------------------------------------------------- the README


def markup_of(rec: PaperRecord) -> bytes:
    """PubMed-style markup carrying a curated record's facts (which were verified on PubMed):
    the README session's stand-in for PubMed's answer."""
    authors = ""
    for name in rec.authors:
        last, _, initials = name.rpartition(" ")
        authors += (
            f"<Author><LastName>{escape(last or initials)}</LastName>"
            + (f"<Initials>{initials}</Initials>" if last else "")
            + "</Author>"
        )
    doi = f'<ELocationID EIdType="doi">{escape(rec.doi)}</ELocationID>' if rec.doi else ""
    year = f"<Year>{rec.year}</Year>" if rec.year else ""
    journal = escape(rec.journal or "")
    return (
        f'<PubmedArticle><MedlineCitation Status="MEDLINE" Owner="NLM"><PMID Version="1">{rec.pmid}'
        f'</PMID><Article PubModel="Print"><Journal><JournalIssue><PubDate>{year}</PubDate>'
        f"</JournalIssue><Title>{journal}</Title><ISOAbbreviation>{journal}</ISOAbbreviation>"
        f"</Journal><ArticleTitle>{escape(rec.title)}</ArticleTitle>{doi}"
        f'<AuthorList CompleteYN="Y">{authors}</AuthorList><PublicationTypeList>'
        '<PublicationType UI="D016428">Journal Article</PublicationType></PublicationTypeList>'
        "</Article></MedlineCitation><PubmedData><ArticleIdList>"
        f'<ArticleId IdType="pubmed">{rec.pmid}</ArticleId></ArticleIdList></PubmedData>'
        "</PubmedArticle>"
    ).encode()


def test_readme_refresh_session_runs_against_a_loopback_server(tmp_path, httpserver, monkeypatch):
    """The README's "Refreshing from PubMed" session, run as written in a copy of the review
    whose curated record of 3735481 was given a wrong year (1968), as the README says; the local
    server answers every cited PMID with the curated facts."""
    from test_docs import README, claimbook_steps, matches, run, sessions

    (session,) = [s for s in sessions(README.read_text(encoding="utf-8")) if s.mode == "loopback"]
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    store = tmp_path / "data" / "pubmed"
    snapshot = load_snapshot(store)
    Eutils(httpserver, {r.pmid: markup_of(r) for r in snapshot if r.pmid})
    slip = snapshot.get(CURATED).model_copy(update={"year": 1968})
    save_snapshot(store, [slip if r.key == CURATED else r for r in snapshot])
    monkeypatch.setenv("CLAIMBOOK_EUTILS_URL", httpserver.url_for("/"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    steps = claimbook_steps(session)
    assert [s.command.split()[1] for s in steps] == ["fetch", "status", "show", "fetch"]
    for step in steps:
        actual = run(step, tmp_path, monkeypatch)
        assert matches(step.expected, actual), (step.command, step.expected, actual)
    assert load_snapshot(store).get(CURATED).year == 1986
