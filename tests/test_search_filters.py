"""Design-aware search (issue 25, item 1): `claimbook search` adds the PubMed Clinical Queries
filter the claim's question calls for, shows it and lets the reviewer turn it off; the query
PubMed ran (esearch's QueryTranslation), the date and the count are saved with the hits.

Against a loopback E-utilities server: esearch answers in the shape of a real recorded reply
(tests/fixtures/eutils-search/README.md) with a translation made from the term it received, and
efetch replays real records from the shared fixtures."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs

import pytest
import yaml
from click.testing import CliRunner
from test_fetch_cli import Eutils, make_project
from werkzeug import Response

from claimbook.cli.app import main
from claimbook.edit.screening import load_hits
from claimbook.pubmed.search import design_term

from conftest import REAL

TEMPLATE = (Path(__file__).parent / "fixtures" / "eutils-search" / "esearch.xml").read_text()


class Search:
    """Loopback esearch: records each term sent; answers with REAL and a translation of it."""

    def __init__(self, httpserver, count: int = 117):
        self.terms: list[str] = []
        self.count = count
        httpserver.expect_request(re.compile(".*esearch.*")).respond_with_handler(self.answer)
        httpserver.expect_request(re.compile(".*esummary.*")).respond_with_data(
            '{"result": {"uids": []}}', content_type="application/json"
        )

    @staticmethod
    def translation(term: str) -> str:
        return "TRANSLATED " + term.replace("[tiab]", "[Title/Abstract]")

    def answer(self, request):
        form = parse_qs(request.get_data(as_text=True)) or parse_qs(request.query_string.decode())
        term = form["term"][0]
        first = form.get("retstart", ["0"])[0] == "0"
        if first:  # the client pages on while it has fewer ids than the count: one page here
            self.terms.append(term)
        ids = "\n".join(f"<Id>{p}</Id>" for p in REAL) if first else ""
        body = TEMPLATE.format(
            count=self.count, retmax=len(REAL), ids=ids,
            translation=self.translation(term).replace("&", "&amp;").replace("<", "&lt;"),
        )  # fmt: skip
        return Response(body, content_type="text/xml")


def _question(project: Path, question: str) -> None:
    path = project / "claims" / "C01-test-claim.yaml"
    body = yaml.safe_load(path.read_text())
    body["question"] = question
    path.write_text(yaml.safe_dump(body))


def _search(project: Path, env, *args: str):
    return CliRunner().invoke(
        main, ["search", "C01", "--project", str(project), "-q", *args], env=env
    )


def test_an_effect_claim_is_searched_with_the_therapy_filter_and_the_translation_is_saved(
    tmp_path, httpserver, records, env
):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    search = Search(httpserver)
    before = datetime.now(UTC).replace(microsecond=0)
    result = _search(project, env, "--save")
    assert result.exit_code == 0, result.output
    sent = "(cramp[tiab]) AND Therapy/Broad[filter]"
    assert search.terms == [sent, sent]  # the listing, then the saved search
    assert f"Searched: {sent}" in result.output
    assert "Filter: Therapy/Broad[filter] (from the claim's question, effect" in result.output
    assert f"PubMed ran: {Search.translation(sent)}" in result.output

    saved = load_hits(project, "C01")
    (run,) = saved.searches
    assert run.term == sent and run.filter == "therapy-broad" and run.query == "cramp[tiab]"
    assert run.query_translation == Search.translation(sent)
    assert run.count == 117 and sorted(run.pmids) == sorted(REAL)
    assert datetime.fromisoformat(run.searched_at) >= before
    body = json.loads(saved.path.read_text())  # the file keeps it, as a user would read it
    assert body["searches"][0]["query_translation"] == Search.translation(sent)
    assert body["searches"][0]["count"] == 117


def test_filter_none_sends_the_bare_query(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    search = Search(httpserver)
    result = _search(project, env, "--filter", "none", "--save")
    assert result.exit_code == 0, result.output
    assert search.terms == ["cramp[tiab]", "cramp[tiab]"]
    assert "Filter: no filter" in result.output
    (run,) = load_hits(project, "C01").searches
    assert run.term == "cramp[tiab]" and run.filter is None


@pytest.mark.parametrize(
    ("question", "added"),
    [
        ("effect", "Therapy/Broad[filter]"),
        ("harm", "Etiology/Broad[filter]"),
        ("cause", "Etiology/Broad[filter]"),
        ("prevalence", "Prognosis/Broad[filter]"),
    ],
)
def test_the_question_picks_the_filter(tmp_path, httpserver, records, env, question, added):
    project = make_project(tmp_path, REAL[:1])
    _question(project, question)
    search = Search(httpserver)
    result = _search(project, env)
    assert result.exit_code == 0, result.output
    assert search.terms == [f"(cramp[tiab]) AND {added}"]


def test_a_description_gets_no_filter_and_reviews_only_adds_the_subset(
    tmp_path, httpserver, records, env
):
    project = make_project(tmp_path, REAL[:1])
    _question(project, "description")
    search = Search(httpserver)
    assert _search(project, env).exit_code == 0
    assert _search(project, env, "--reviews-only").exit_code == 0
    narrow = _search(project, env, "--filter", "diagnosis-narrow", "--reviews-only")
    assert narrow.exit_code == 0, narrow.output
    assert search.terms == [
        "cramp[tiab]",
        "(cramp[tiab]) AND systematic[sb]",
        "(cramp[tiab]) AND Diagnosis/Narrow[filter] AND systematic[sb]",
    ]


def test_a_second_saved_search_is_a_second_run_and_the_hits_are_merged(
    tmp_path, httpserver, records, env
):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    Search(httpserver)
    assert _search(project, env, "--save").exit_code == 0
    assert _search(project, env, "--save", "--filter", "none").exit_code == 0
    saved = load_hits(project, "C01")
    assert [r.filter for r in saved.searches] == ["therapy-broad", None]
    assert sorted(r.pmid for r in saved.records) == sorted(REAL)  # one record per paper


def test_an_unknown_filter_is_refused_before_any_request(tmp_path, httpserver, env):
    project = make_project(tmp_path, REAL[:1])
    search = Search(httpserver)
    result = _search(project, env, "--filter", "harmful")
    assert result.exit_code == 2 and "harmful" in result.output
    assert search.terms == []
    with pytest.raises(ValueError, match="unknown search filter 'x'"):
        design_term("q[tiab]", "effect", "x")
