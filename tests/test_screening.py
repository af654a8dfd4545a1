"""`claimbook search --save` and the screening queue, against a loopback E-utilities server
replaying real PubMed records (NCBI is not reachable here): the hits are stored with their
records, then listed offline, newest first, without what the claim cites or excludes."""

from __future__ import annotations

import re

from click.testing import CliRunner
from test_fetch_cli import Eutils, make_project

from claimbook.cli.app import main
from claimbook.edit import exclude
from claimbook.edit.screening import EMPTY_QUEUE_HINT, load_hits, screening_queue

from conftest import REAL


def test_search_save_then_screen_offline(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])  # C01 cites the first real record
    Eutils(httpserver, records)
    fetched = CliRunner().invoke(main, ["fetch", "--project", str(project), "-q"], env=env)
    assert fetched.exit_code == 0, fetched.output
    ids = "".join(f"<Id>{p}</Id>" for p in REAL)
    httpserver.expect_request(re.compile(".*esearch.*")).respond_with_data(
        f"<eSearchResult><Count>{len(REAL)}</Count><RetMax>{len(REAL)}</RetMax>"
        f"<RetStart>0</RetStart><IdList>{ids}</IdList></eSearchResult>",
        content_type="text/xml",
    )
    httpserver.expect_request(re.compile(".*esummary.*")).respond_with_data(
        '{"result": {"uids": []}}', content_type="application/json"
    )
    result = CliRunner().invoke(
        main, ["search", "C01", "--save", "--project", str(project), "-q"], env=env
    )
    assert result.exit_code == 0, result.output
    saved = load_hits(project, "C01")
    assert sorted(r.pmid for r in saved.records) == sorted(REAL)
    assert all(r.title for r in saved.records)
    assert f"Saved {len(REAL)} hits in " in result.output
    assert f": {len(REAL) - 1} wait in the screening queue" in result.output

    httpserver.clear()  # from here on, offline: nothing answers
    from claimbook import load_claims

    claim = load_claims(project / "claims")[0]
    queue = screening_queue(project, claim)
    assert [r.pmid for r in queue] == [
        r.pmid for r in sorted(
            (r for r in saved.records if r.pmid != REAL[0]),
            key=lambda r: (r.year or 0, int(r.pmid)), reverse=True,
        )
    ]  # fmt: skip
    assert REAL[0] not in {r.pmid for r in queue}  # cited already
    exclude(project, "C01", queue[0].pmid, "Not about cramps: screened out in a test.")
    assert queue[0].pmid not in {r.pmid for r in screening_queue(project, "C01")}


def test_the_queue_is_empty_and_says_how_to_fill_it(tmp_path):
    project = make_project(tmp_path, REAL[:1])
    assert screening_queue(project, "C01") == []
    assert "claimbook search C01 --save" in EMPTY_QUEUE_HINT.format(id="C01")


def _fetch(project, environ) -> None:
    result = CliRunner().invoke(main, ["fetch", "--project", str(project), "-q"], env=environ)
    assert result.exit_code == 0, result.output


def test_cite_fetches_a_paper_the_snapshot_lacks(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    assert (
        CliRunner().invoke(main, ["fetch", "--project", str(project), "-q"], env=env).exit_code == 0
    )
    result = CliRunner().invoke(
        main,
        ["cite", "C01", REAL[1], "--stance", "context", "--design", "other", "--finding",
         "Fetched from the loopback server and cited by a test.", "--project", str(project),
         "--anyway"],  # a urinalysis guideline for the stand-in claim: unrelated, confirmed
        env=env,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    from claimbook import load_claims
    from claimbook.pubmed import load_snapshot

    assert load_snapshot(project / "data" / "pubmed").get(REAL[1]).source == "pubmed-efetch"
    assert [c.pmid for c in load_claims(project / "claims")[0].evidence] == REAL[:2]


def test_cite_with_pubmed_failing_changes_nothing(
    tmp_path,
    httpserver,
    records,
    env,
    monkeypatch,
):
    from claimbook.pubmed import EutilsClient

    from conftest import tree_digest

    # The real client, with a short backoff so the test does not sleep for seconds.
    monkeypatch.setattr(
        "claimbook.cli.app.client", lambda quiet: EutilsClient(progress=False, backoff_factor=0.01)
    )
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    assert (
        CliRunner().invoke(main, ["fetch", "--project", str(project), "-q"], env=env).exit_code == 0
    )
    httpserver.clear()
    Eutils(httpserver, records, fail_with=500)
    before = tree_digest(project)
    result = CliRunner().invoke(
        main,
        ["cite", "C01", REAL[1], "--stance", "context", "--design", "other", "--finding",
         "Never cited: the server fails every time.", "--project", str(project)],
        env=env,
    )  # fmt: skip
    assert result.exit_code == 1
    assert f"PMID {REAL[1]}" in result.output and "500" in result.output
    assert tree_digest(project) == before
