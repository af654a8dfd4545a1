"""What changed since the last review (review.json, `claimbook diff`, the report's Changes
section) and how flagged papers (retracted, expression of concern, corrected) reach the report
and the notebooks."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimbook import load_review
from claimbook.cli.app import main
from claimbook.edit import exclude, signoff
from claimbook.evidence.changes import diff_reviews, load_review_json, review_record
from claimbook.jupyter.display import claim_markdown
from claimbook.report import build_report

from conftest import claim_file


def _build(review: Path, out: Path) -> dict[str, Path]:
    return build_report(
        load_review(review / "claims", review / "data"), out, formats="html,md", progress=False
    )


def _first_pmid(review: Path, claim_id: str) -> str:
    text = claim_file(review, claim_id).read_text(encoding="utf-8")
    return re.search(r'pmid: "(\d+)"', text).group(1)


def _flag(review: Path, pmid: str, **changes) -> None:
    """Mark one snapshot record as PubMed would (synthetic: the notices carry no PMID, so that
    none is invented)."""
    path = review / "data" / "pubmed" / "records.jsonl"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec.get("pmid") == pmid:
            rec |= changes
        lines.append(json.dumps(rec, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _notice(kind: str) -> dict:
    return {"type": kind, "pmid": None, "source": "J Test. 2026;1:1"}


# --------------------------------------------------------------------------- review.json


def test_every_build_writes_review_json_and_a_rebuild_changes_nothing(review, tmp_path):
    out = tmp_path / "out"
    written = _build(review, out)
    data = load_review_json(written["review.json"])
    reloaded = load_review(review / "claims", review / "data")
    assert list(data["claims"]) == [c.id for c in reloaded.claims]
    c01 = data["claims"]["C01"]
    row = reloaded.verdict_row("C01")
    assert (c01["verdict"], c01["certainty"]) == (row["verdict"], row["certainty"])
    assert {c["key"] for c in c01["citations"]} == set(
        reloaded.table.loc[reloaded.table["claim_id"] == "C01", "key"]
    )
    assert re.fullmatch(r"[0-9a-f]{64}", data["snapshot"]["sha256"])
    html = written["html"].read_bytes()
    before = written["review.json"].read_bytes()
    again = _build(review, out)
    assert again["review.json"].read_bytes() == before
    assert again["html"].read_bytes() == html
    assert "Changes since the last review" not in html.decode()
    assert not (out / "review.previous.json").exists()


def test_the_report_shows_what_changed_and_keeps_showing_it_on_a_rebuild(review, tmp_path):
    out = tmp_path / "out"
    _build(review, out)
    pmid = _first_pmid(review, "C04")
    exclude(review, "C04", pmid, "Testing the changes section: screened out.")
    built = _build(review, out)
    html = built["html"].read_text(encoding="utf-8")
    section = html[html.index('id="changes"') : html.index("<main>")]
    assert 'href="#c04"' in section
    assert f"no longer cites PMID {pmid}" in section
    # the reason it was screened out, and the verdicts in words (none is "0 verdicts")
    assert "screened out: Testing the changes section: screened out." in section
    assert "0 verdicts" not in section
    records = [load_review_json(out / n) for n in ("review.previous.json", "review.json")]
    moved = [c for c in diff_reviews(*records).claims if c.verdict]
    assert ("no verdict changed" in section) == (not moved)
    assert (out / "review.previous.json").exists()
    md = built["md"].read_text(encoding="utf-8")
    assert "## Changes since the last review" in md
    assert f"no longer cites PMID {pmid}" in md
    # A plain rebuild still compares with the review before the change, byte for byte.
    assert _build(review, out)["html"].read_text(encoding="utf-8") == html


def test_diff_cli_between_two_builds_and_against_the_review_now(review, tmp_path):
    out = tmp_path / "out"
    _build(review, out)
    old = tmp_path / "old.json"
    old.write_bytes((out / "review.json").read_bytes())
    pmid = _first_pmid(review, "C04")
    exclude(review, "C04", pmid, "Testing the diff command: screened out.")
    runner = CliRunner()
    now = runner.invoke(main, ["diff", str(old), "--project", str(review)])
    assert now.exit_code == 0, now.output
    assert re.search(
        rf"^C04 · .*\n  no longer cites PMID {pmid} \(.*\) \(was \w+\)$", now.output, re.M
    )
    _build(review, out)
    both = runner.invoke(main, ["diff", str(old), str(out / "review.json")])
    assert both.exit_code == 0 and both.output == now.output
    same = runner.invoke(main, ["diff", str(old), str(old)])
    assert same.output.startswith("No changes")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("{not json", r"old\.json:1: not valid JSON"),
        ('{"claims": {}}', r"old\.json: not a claimbook review\.json"),
        (None, r"old\.json: no such file"),
    ],
)
def test_diff_of_a_file_that_is_not_a_review_says_which_and_why(tmp_path, body, message):
    old = tmp_path / "old.json"
    if body is not None:
        old.write_text(body, encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(old), str(old)])
    assert result.exit_code == 1
    assert re.search(message, result.output), result.output
    assert len(result.output.strip().splitlines()) == 1


def test_diff_explains_verdicts_stances_retractions_sign_offs_and_claims(review):
    old = review_record(load_review(review / "claims", review / "data"))
    new = json.loads(json.dumps(old))
    c01 = new["claims"]["C01"]
    c01["citations"][0]["retracted"] = True
    c01["citations"][1]["stance"] = (
        "contradicts" if c01["citations"][1]["stance"] != "contradicts" else "supports"
    )
    c01["verdict"] = "unclear"
    new["claims"]["C02"]["signoff"] = {
        "reviewer": "Ann Reviewer",
        "date": "2026-11-28",
        "note": None,
    }
    new["claims"]["C03"]["certainty"] = "moderate"  # moved by the rules, no citation changed
    del new["claims"]["C05"]
    new["claims"]["C99"] = {"title": "A new claim", "citations": []}
    new["snapshot"]["sha256"] = "0" * 64
    diff = diff_reviews(old, new)
    text = diff.text()
    first = c01["citations"][0]
    assert f"PMID {first['pmid']}" in text and "is now retracted (no longer counted)" in text
    assert re.search(r"C01 · .*: verdict \w+ → unclear", text)
    assert re.search(r": stance \w+ → \w+", text)
    assert "signed off by Ann Reviewer on 2026-11-28" in text
    assert re.search(r"C03 · .*: certainty [a-z ]+ → moderate\n  no citation changed", text)
    assert re.search(r"C05 · .*: removed", text) and "C99 · A new claim: added" in text
    assert text.startswith("Snapshot changed")
    assert [c.claim_id for c in diff.verdict_changes] == ["C01"]
    assert not diff_reviews(old, old)


# --------------------------------------------------------------------------- flagged papers


def test_flagged_papers_reach_the_report_and_the_notebooks(review, tmp_path):
    concern, corrected, retracted = (_first_pmid(review, c) for c in ("C01", "C02", "C03"))
    _flag(review, concern, corrections=[_notice("ExpressionOfConcernIn")])
    _flag(review, corrected, corrections=[_notice("ErratumIn")])
    _flag(review, retracted, retracted=True, corrections=[_notice("RetractionIn")])
    r = load_review(review / "claims", review / "data")
    table = r.table.set_index(["claim_id", "key"])
    assert table.loc[("C03", retracted), "weight"] == 0  # a retracted paper never counts
    assert table.loc[("C01", concern), "weight"] > 0  # a paper under concern still does
    assert table.loc[("C01", concern), "alert"] == "expression of concern"
    built = build_report(r, tmp_path / "out", formats="html,md", progress=False)
    html = built["html"].read_text(encoding="utf-8")

    def section(cid: str) -> str:
        start = html.index(f'id="{cid}" aria-labelledby')
        return html[start : html.index('<section class="claim', start + 1)]

    assert f"PMID {concern} is under an expression of concern" in section("c01")
    assert "EXPRESSION OF CONCERN" in section("c01")
    assert f"PMID {corrected} was corrected" in section("c02") and "CORRECTED" in section("c02")
    assert f"PMID {retracted} was retracted" in section("c03") and "RETRACTED" in section("c03")
    md = built["md"].read_text(encoding="utf-8")
    assert f"- PMID {concern} is under an expression of concern" in md
    assert f"PMID {retracted} was retracted" in claim_markdown(r, "C03")
    assert f"PMID {concern} is under an expression of concern" in claim_markdown(r, "C01")
    flagged = {concern, corrected, retracted}
    clean = next(c.id for c in r.claims if not flagged & {x.pmid for x in c.evidence})
    assert "PubMed flags" not in claim_markdown(r, clean)


def test_a_sign_off_is_listed_as_a_change(review, tmp_path):
    out = tmp_path / "out"
    _build(review, out)
    signoff(review, "C07", "Ann Reviewer")
    _build(review, out)
    diff = diff_reviews(
        load_review_json(out / "review.previous.json"), load_review_json(out / "review.json")
    )
    assert [c.claim_id for c in diff.claims] == ["C07"]
    assert diff.claims[0].notes[-1].startswith("signed off by Ann Reviewer on ")
