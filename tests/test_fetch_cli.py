"""`claimbook fetch | search | show` end to end, against a loopback E-utilities server that
replays real PubMed records from the shared fixtures (NCBI itself is not reachable here)."""

from __future__ import annotations

import gzip
import json
import logging
import re
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from click.testing import CliRunner
from werkzeug import Response

from claimbook.cli.app import main
from claimbook.pubmed.client import LIMITER, EutilsClient
from claimbook.pubmed.store import PaperRecord, load_snapshot, save_snapshot

from conftest import EUTILS_FIXTURES, REAL, ROOT, need_shared, tree_digest

KEY = "secret-api-key-0042"


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LIMITER.reset()


class Eutils:
    """Loopback E-utilities: efetch answers with the real records it has (and omits the rest,
    as NCBI does); every request is recorded."""

    def __init__(self, httpserver, records, fail_with: int | None = None):
        self.calls: list[dict] = []
        self.bodies: list[bytes] = []
        self.records = records
        self.fail_with = fail_with
        httpserver.expect_request(re.compile(r".*efetch.*")).respond_with_handler(self.efetch)

    def efetch(self, request):
        form = parse_qs(request.get_data(as_text=True))
        self.calls.append(form)
        if self.fail_with:
            return Response("unavailable", status=self.fail_with)
        ids = form["id"][0].split(",")
        body = (
            b'<?xml version="1.0" ?>\n<PubmedArticleSet>\n'
            + b"\n".join(self.records[i] for i in ids if i in self.records)
            + b"\n</PubmedArticleSet>\n"
        )
        self.bodies.append(body)
        return Response(body, content_type="text/xml")


def make_project(tmp_path: Path, pmids: list[str]) -> Path:
    claims = tmp_path / "claims"
    claims.mkdir()
    (claims / "article.yaml").write_text((ROOT / "claims" / "article.yaml").read_text())
    claim = {
        "id": "C01",
        "slug": "test-claim",
        "title": "A claim for fetch tests",
        "topic": "dehydration",
        "claim": "Something the tests need a claim for.",
        "quotes": [{"section": "Somewhere", "text": "a quote of some length"}],
        "query": "cramp[tiab]",
        "evidence": [
            {
                "pmid": p,
                "stance": "context",
                "design": "other",
                "finding": "Used by the fetch tests.",
            }
            for p in pmids
        ],
        "reviewed": "2026-11-24",
    }
    (claims / "C01-test-claim.yaml").write_text(yaml.safe_dump(claim))
    (tmp_path / "data" / "pubmed").mkdir(parents=True)
    return tmp_path


def run(project: Path, *args: str, env: dict | None = None):
    argv = [args[0], *args[1:]]
    if args[0] in ("fetch",):
        argv += ["--claims", str(project / "claims"), "--data", str(project / "data"), "--quiet"]
    return CliRunner().invoke(main, argv, env=env, catch_exceptions=False)


def test_cold_fetch_stores_records_raw_and_manifest(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL)
    server = Eutils(httpserver, records)
    result = run(project, "fetch", env=env)
    assert result.exit_code == 0, result.output
    assert "Fetched 3 of 3 PMIDs" in result.output
    assert len(server.calls) == 1  # one batch, one POST
    store = project / "data" / "pubmed"
    snap = load_snapshot(store)
    assert {r.pmid for r in snap} == set(REAL)
    rec = snap.get("38534005")
    assert rec.source == "pubmed-efetch" and rec.fetched_at is not None
    assert rec.title == "The EFLM European Urinalysis Guideline 2023."
    assert gzip.decompress((store / rec.raw).read_bytes()) == server.bodies[0]  # raw as received
    manifest = json.loads((store / "manifest.json").read_text())
    assert manifest["records"]["by_source"] == {"pubmed-efetch": 3}
    assert manifest["history"][-1]["action"] == "efetch"
    assert manifest["hashes"][rec.raw]


def test_warm_snapshot_makes_zero_requests(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL)
    server = Eutils(httpserver, records)
    assert run(project, "fetch", env=env).exit_code == 0
    before = tree_digest(project / "data")
    result = run(project, "fetch", env=env)
    assert result.exit_code == 0
    assert "no request made" in result.output
    assert len(server.calls) == 1
    assert tree_digest(project / "data") == before
    # --refresh fetches them all again.
    assert run(project, "fetch", "--refresh", env=env).exit_code == 0
    assert len(server.calls) == 2


def test_curated_record_is_replaced_in_place(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    store = project / "data" / "pubmed"
    curated = PaperRecord(
        pmid="29963580",
        title="Development of a pulmonary imaging biomarker pipeline for phenotyping of "
        "chronic lung disease.",
        source="curated",
        verified_from=["https://pubmed.ncbi.nlm.nih.gov/29963580/"],
    )
    save_snapshot(store, [curated])
    Eutils(httpserver, records)
    assert run(project, "fetch", env=env).exit_code == 0
    lines = (store / "records.jsonl").read_text().splitlines()
    assert len(lines) == 1
    rec = load_snapshot(store).get("29963580")
    assert rec.source == "pubmed-efetch"
    assert rec.doi == "10.1117/1.JMI.5.2.026002"  # what PubMed says, not what was curated


def test_offline_never_touches_the_network(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL)
    server = Eutils(httpserver, records)
    result = run(project, "fetch", "--offline", env=env)
    assert result.exit_code == 0
    assert "Offline: 3 of 3 cited PMIDs have no E-utilities record" in result.output
    assert all(p in result.output for p in REAL)
    assert server.calls == []


def test_unknown_pmid_is_named_and_exits_nonzero(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, [*REAL[:1], "99999999"])
    Eutils(httpserver, records)
    result = run(project, "fetch", env=env)
    assert result.exit_code == 1
    assert "PubMed returned no record for PMID 99999999" in result.output
    assert load_snapshot(project / "data" / "pubmed").get("29963580") is not None  # kept


def test_final_failure_leaves_the_snapshot_untouched(
    tmp_path, httpserver, records, env, monkeypatch
):
    project = make_project(tmp_path, REAL)
    save_snapshot(
        project / "data" / "pubmed",
        [PaperRecord(pmid="151222", title="Histochemical and histoenzymic researches in "
                        "coronary sudden death.", source="curated")],
    )  # fmt: skip
    before = tree_digest(project / "data")
    server = Eutils(httpserver, records, fail_with=500)
    # The real client, with a short backoff so the test does not sleep for seconds.
    monkeypatch.setattr(
        "claimbook.cli.app.client", lambda quiet: EutilsClient(progress=False, backoff_factor=0.01)
    )
    result = run(project, "fetch", env=env)
    assert result.exit_code == 1
    errors = [ln for ln in result.output.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1
    assert "HTTP 500" in errors[0] and "3 of 3 PMIDs not fetched" in errors[0]
    assert len(server.calls) >= 2  # it retried
    assert tree_digest(project / "data") == before


def test_api_key_is_never_stored_or_logged(tmp_path, httpserver, records, env, caplog):
    project = make_project(tmp_path, REAL)
    server = Eutils(httpserver, records)
    caplog.set_level(logging.DEBUG)
    result = run(project, "fetch", env={**env, "NCBI_API_KEY": KEY})
    assert result.exit_code == 0
    assert server.calls[0]["api_key"] == [KEY]  # NCBI gets it ...
    for path in (project / "data").rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            if path.suffix == ".gz":
                data = gzip.decompress(data)
            assert KEY.encode() not in data, path
    assert KEY not in result.output and KEY not in caplog.text


def test_search_lists_only_new_hits(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:2])
    ids = "".join(f"<Id>{p}</Id>" for p in [*REAL[:2], "27933103"])
    esearch = (
        "<eSearchResult><Count>3</Count><RetMax>3</RetMax><RetStart>0</RetStart>"
        f"<IdList>{ids}</IdList></eSearchResult>"
    )
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data(
        esearch, content_type="text/xml"
    )
    summary = (
        need_shared(EUTILS_FIXTURES) / "esummary" / "ualib-cookbook__esummary_pubmed_27933103.json"
    ).read_bytes()
    httpserver.expect_request(re.compile(".*esummary.*")).respond_with_data(
        summary, content_type="application/json"
    )
    result = CliRunner().invoke(
        main, ["search", "c01", "--claims", str(project / "claims"), "-q"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "C01: 3 PubMed hits; 1 shown" in result.output
    line = next(ln for ln in result.output.splitlines() if "27933103" in ln)
    assert "2016" in line and "Programmatic conversion of crystal structures" in line
    assert REAL[0] not in result.output


def test_search_unknown_claim(tmp_path, env):
    project = make_project(tmp_path, REAL[:1])
    result = CliRunner().invoke(
        main, ["search", "C99", "--claims", str(project / "claims")], env=env
    )
    assert result.exit_code == 1
    assert "no claim C99" in result.output


def test_show_prints_from_the_snapshot_offline(env):
    result = CliRunner().invoke(
        main, ["show", "3735481", "--data", str(ROOT / "data"), "--offline"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "PMID 3735481" in result.output
    assert "Exercise-induced muscle cramp: a prospective biochemical study" in result.output
    assert "[source: curated" in result.output


def test_show_fetches_what_the_snapshot_lacks_without_storing(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, [])
    Eutils(httpserver, records)
    before = tree_digest(project / "data")
    result = CliRunner().invoke(
        main, ["show", "38534005", "--data", str(project / "data"), "-q"], env=env
    )
    assert result.exit_code == 0, result.output
    assert "The EFLM European Urinalysis Guideline 2023." in result.output
    assert "BACKGROUND: The EFLM Task and Finish Group" in result.output
    assert tree_digest(project / "data") == before


def test_show_rejects_non_pmids(env):
    result = CliRunner().invoke(main, ["show", "PMID123"], env=env)
    assert result.exit_code == 2
    assert "not a PMID: PMID123" in result.output


def test_show_ends_a_long_author_list_with_one_full_stop():
    from claimbook.cli.terminal import paper
    from claimbook.pubmed.store import PaperRecord

    many = PaperRecord(
        pmid="3735481", title="A title", authors=[f"Author{i} A" for i in range(8)],
        journal="J Sports Sci", year=1986, source="curated",
    )  # fmt: skip
    line = paper(many).splitlines()[2]
    assert line.endswith(", et al. J Sports Sci 1986") and ".." not in line
    few = many.model_copy(update={"authors": ["Maughan RJ"]})
    assert paper(few).splitlines()[2] == "Maughan RJ. J Sports Sci 1986"
