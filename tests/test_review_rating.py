"""Issue 22: a cited systematic review's own GRADE rating is recorded on its citation and shown
beside claimbook's; a gap of more than one level must be explained, in the rationale."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from claimbook import CERTAINTIES, load_review
from claimbook.cli import main

from conftest import claim_file

REVIEW = "33998664"  # the cramp review's C11 cites this Cochrane review (stance: mixed)


def _far_from(certainty: str) -> str:
    """A GRADE level at least two away from `certainty`."""
    i = CERTAINTIES.index(certainty)
    return CERTAINTIES[i + 2] if i + 2 < len(CERTAINTIES) else CERTAINTIES[i - 2]


def _rate(review: Path, certainty: str, gap: str | None = None) -> None:
    """Record the review's own rating on C11's citation of it, as a reviewer would type it."""
    path = claim_file(review, "C11")
    lines = _unrated(path.read_text(encoding="utf-8").splitlines(keepends=True))
    at = next(i for i, line in enumerate(lines) if f'pmid: "{REVIEW}"' in line)
    indent = " " * (len(lines[at]) - len(lines[at].lstrip(" -")))
    new = [f"{indent}review_rating:\n", f"{indent}  certainty: {certainty}\n",
           f"{indent}  outcome: night-cramp severity\n"]  # fmt: skip
    if gap:
        new.append(f"{indent}  gap: {gap}\n")
    path.write_text("".join([*lines[: at + 1], *new, *lines[at + 1 :]]), encoding="utf-8")


def _unrated(lines: list[str]) -> list[str]:
    """The claim file's lines without the rating the shipped review records for the paper."""
    at = next(i for i, line in enumerate(lines) if f'pmid: "{REVIEW}"' in line)
    end = next(i for i in range(at + 1, len(lines)) if lines[i].lstrip().startswith("- "))
    block, out, skip = lines[at:end], [], None
    for line in block:
        depth = len(line) - len(line.lstrip(" "))
        if skip is not None and depth > skip:
            continue
        skip = depth if line.lstrip().startswith("review_rating:") else None
        if skip is None:
            out.append(line)
    return [*lines[:at], *out, *lines[end:]]


def _unrate(review: Path) -> None:
    path = claim_file(review, "C11")
    path.write_text("".join(_unrated(path.read_text(encoding="utf-8").splitlines(True))), "utf-8")


def _c11(review: Path):
    v = load_review(project=review).verdicts
    return v[v["claim_id"] == "C11"].iloc[0]


def test_the_reviews_own_rating_is_shown_beside_claimbooks(review):
    assert "(PMID 33998664): low" in _c11(review)["review_rating"]  # as shipped
    _unrate(review)
    ours = _c11(review)["certainty"]
    assert _c11(review)["review_rating"] == ""  # nothing recorded
    _rate(review, ours)
    row = _c11(review)
    assert row["certainty"] == ours  # recording it never changes claimbook's grade
    assert f"{ours} (night-cramp severity)" in row["review_rating"]
    assert f"on night-cramp severity {ours} certainty" in row["rationale"]
    assert "not yet said why" not in row["rationale"]


def test_a_gap_of_more_than_one_level_unexplained_is_said_and_warned(review):
    ours = _c11(review)["certainty"]
    theirs = _far_from(ours)
    _rate(review, theirs)
    row = _c11(review)
    assert f"{theirs} certainty; this review rates the claim {ours}" in row["rationale"]
    assert "the reviewer has not yet said why" in row["rationale"]
    result = CliRunner().invoke(main, ["validate", "--project", str(review)])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.stderr.splitlines() if "review_rating.gap" in line]
    assert warning and "C11" in warning[0] and f"PMID {REVIEW}" in warning[0]


def test_an_explained_gap_is_in_the_rationale_and_not_warned(review):
    ours = _c11(review)["certainty"]
    _rate(review, _far_from(ours), gap="it rated severity alone, in older adults only")
    row = _c11(review)
    assert "because it rated severity alone, in older adults only" in row["rationale"]
    result = CliRunner().invoke(main, ["validate", "--project", str(review)])
    assert result.exit_code == 0 and "review_rating.gap" not in result.stderr


def test_a_review_rating_must_be_a_grade_level(review):
    _rate(review, "quite sure")
    result = CliRunner().invoke(main, ["validate", "--project", str(review)])
    assert result.exit_code == 1
    assert "C11" in result.stderr and "review_rating.certainty" in result.stderr
