"""Draft claims: saved from a candidate with no evidence yet. They validate, are counted, get
'insufficient' with 'not yet reviewed' as the reason, and are marked in notebooks and report."""

from __future__ import annotations

from pathlib import Path

import yaml
from click.testing import CliRunner

from claimbook import load_review
from claimbook.cli.app import main
from claimbook.jupyter.display import claim_markdown
from claimbook.report import build_report


def _draft(project: Path, claim_id: str = "C02", **extra) -> Path:
    quote = yaml.safe_load(next((project / "claims").glob("C01-*.yaml")).read_text())["quotes"][0]
    data = {
        "id": claim_id, "slug": "a-draft-claim", "title": "A claim not reviewed yet",
        "topic": "dehydration", "status": "draft",
        "claim": "Something the article says, in plain words.",
        "quotes": [quote], "reviewed": "2026-11-28", **extra,
    }  # fmt: skip
    path = project / "claims" / f"{claim_id}-a-draft-claim.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _validate(project: Path):
    return CliRunner().invoke(
        main, ["validate", "--project", str(project), "--article", str(project / "article.txt")]
    )


def test_a_draft_without_evidence_or_query_validates_and_is_counted(project):
    _draft(project)
    result = _validate(project)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 2 claims (1 still draft), ")


def test_a_reviewed_claim_still_needs_evidence_and_a_query(project):
    path = _draft(project)
    path.write_text(path.read_text().replace("status: draft\n", ""), encoding="utf-8")
    result = _validate(project)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(
        line.startswith(f"{path}:")
        and "evidence: a reviewed claim needs at least one citation (or set status: draft)" in line
        for line in lines
    ), result.output
    assert any("query: a reviewed claim needs a PubMed query" in line for line in lines)


def test_a_drafts_verdict_is_insufficient_not_yet_reviewed(project):
    _draft(project)
    review = load_review(project=project)
    row = review.verdict_row("C02")
    assert (row["verdict"], row["certainty"], row["status"]) == (
        "insufficient", "very low", "draft",
    )  # fmt: skip
    assert row["rationale"].startswith("Not yet reviewed")
    assert review.verdict_row("C01")["status"] == "reviewed"
    assert not review.verdict_row("C01")["rationale"].startswith("Not yet reviewed")


def test_a_draft_with_evidence_is_graded_provisionally_and_says_so(project):
    c01 = yaml.safe_load(next((project / "claims").glob("C01-*.yaml")).read_text())
    _draft(project, evidence=c01["evidence"], query=c01["query"])
    review = load_review(project=project)
    draft, reviewed = review.verdict_row("C02"), review.verdict_row("C01")
    assert draft["verdict"] == reviewed["verdict"] != "insufficient"
    assert draft["certainty"] == reviewed["certainty"]
    assert draft["rationale"].startswith("Not yet reviewed (draft); provisionally: ")
    papers = reviewed["rationale"][reviewed["rationale"].index("For the claim:") :]
    assert draft["rationale"].endswith(papers)  # the same papers decided it


def test_notebook_text_and_report_mark_the_draft(project, tmp_path):
    _draft(project)
    review = load_review(project=project)
    assert "Draft: not yet reviewed" in claim_markdown(review, "C02")
    assert "Draft: not yet reviewed" not in claim_markdown(review, "C01")
    out = tmp_path / "out"
    build_report(review, out, formats="html,md", progress=False)
    md = (out / "claimbook-report.md").read_text(encoding="utf-8")
    section = md[md.index("C02") :]
    assert "Draft: not yet reviewed" in section
    claimreview = (out / "claimreview.jsonld").read_text(encoding="utf-8")
    assert "C01" in claimreview or "dehydration" in claimreview.lower()
    assert "A claim not reviewed yet" not in claimreview  # no rating published for a draft


def test_search_refuses_a_draft_without_query(project):
    _draft(project)
    result = CliRunner().invoke(main, ["search", "C02", "--project", str(project)])
    assert result.exit_code == 1
    assert "C02 has no PubMed query yet" in result.output
