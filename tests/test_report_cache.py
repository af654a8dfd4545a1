"""Rebuild only what changed (issue 24, item 6): after one claim's edit, a rebuild into the folder
of the last build redraws that claim's figure and section only, and writes the very bytes a build
without any cache writes. No timing here (benchmarks/rebuild_bench.py measures it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pandas as pd

from claimbook.evidence.domains import Rating
from claimbook.evidence.review import load_review
from claimbook.report import build_report
from claimbook.report.cache import CACHE_DIR, GRADING_DIR, grading_cache

from conftest import claim_file

FORMATS = ("html", "md")


def _files(out: Path) -> dict[str, bytes]:
    """Every file of a build but its cache."""
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.relative_to(out).parts[0] != CACHE_DIR
    }


def _pieces(out: Path) -> set[str]:
    return {p.name for p in (out / CACHE_DIR).iterdir() if p.is_file()}


def _graded(out: Path) -> set[str]:
    return {p.name for p in (out / CACHE_DIR / GRADING_DIR).iterdir()}


def _kinds(names: set[str]) -> set[str]:
    """'section-C03-<hash>.txt' -> 'section-C03'."""
    return {p.rsplit("-", 1)[0] for p in names}


def _edit_finding(review: Path, claim_id: str) -> None:
    path = claim_file(review, claim_id)
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"(finding: >-\n\s+)", r"\g<1>(re-read) ", text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_a_cached_rebuild_is_byte_identical_and_redraws_only_the_edited_claim(review, tmp_path):
    """As `claimbook report` builds: the grading kept in the report's cache too."""
    cached, clean = tmp_path / "cached", tmp_path / "clean"
    first = load_review(project=review, cache=grading_cache(cached))
    build_report(first, cached, FORMATS, progress=False)
    build_report(load_review(project=review), clean, FORMATS, progress=False)
    before, graded_before = _pieces(cached), _graded(cached)
    ids = [c.id for c in first.claims]
    for kind in ("section", "sof", "timeline"):
        assert {f"{kind}-{i}" for i in ids} <= _kinds(before)
    assert _kinds(graded_before) == {f"grading-{i}" for i in ids}

    _edit_finding(review, "C03")
    edited = load_review(project=review, cache=grading_cache(cached))
    build_report(edited, cached, FORMATS, progress=False)
    shutil.rmtree(clean / CACHE_DIR)  # the same history, no cache: everything made afresh
    build_report(load_review(project=review), clean, FORMATS, progress=False)

    assert _files(cached) == _files(clean)
    after = _pieces(cached)
    redrawn = _kinds(after - before)
    for kind in ("section", "sof", "timeline"):  # its row of the evidence table changed
        assert f"{kind}-C03" in redrawn
        assert not {f"{kind}-{i}" for i in ids if i != "C03"} & redrawn
    assert "overview-all" not in redrawn  # a finding is not a weight: the verdicts are the same
    assert len(after) == len(before)  # the stale C03 pieces were pruned
    assert _kinds(_graded(cached) - graded_before) == {"grading-C03"}  # only it graded again
    assert len(_graded(cached)) == len(graded_before)  # its old grading pruned


def test_a_review_graded_from_its_cache_equals_one_graded_afresh(review, tmp_path):
    """Each claim's grading read back from the cache: the same table, the same values, the
    domains still Ratings (rating and reason), after an edit as before."""
    keep = tmp_path / "grading"
    load_review(project=review, cache=keep)
    assert not keep.exists()  # loading only reads: the build (or save) keeps what it used
    for edit in (False, True):
        if edit:
            _edit_finding(review, "C03")
        load_review(project=review, cache=keep).grading.save()  # kept for the next load
        fresh, kept = load_review(project=review), load_review(project=review, cache=keep)
        pd.testing.assert_frame_equal(kept.verdicts, fresh.verdicts)
        pd.testing.assert_frame_equal(kept.table, fresh.table)
        for a, b in zip(kept.verdicts.itertuples(), fresh.verdicts.itertuples(), strict=True):
            for x, y in zip(a, b, strict=True):
                assert type(x) is type(y)
                if isinstance(x, Rating):
                    assert (x.rating, x.reason) == (y.rating, y.reason)


def test_a_build_without_its_cache_writes_the_same_bytes_and_a_new_cache(review, tmp_path):
    """Deleting the cache only makes the next build a full one."""
    out = tmp_path / "out"
    rev = load_review(project=review)
    build_report(rev, out, FORMATS, progress=False)
    reference = _files(out)
    shutil.rmtree(out / CACHE_DIR)
    build_report(rev, out, FORMATS, progress=False)
    assert _files(out) == reference and _pieces(out)


def test_claimbook_report_keeps_the_grading_in_its_cache_and_regrades_only_the_edited_claim(
    review, tmp_path
):
    """The command as a user runs it, twice, with one claim edited between."""
    from click.testing import CliRunner

    from claimbook.cli import main

    out = tmp_path / "reports"
    args = ["report", "--project", str(review), "--format", "html,md", "--out", str(out), "-q"]
    assert CliRunner().invoke(main, args).exit_code == 0
    first = _graded(out)
    assert _kinds(first) == {f"grading-{c.id}" for c in load_review(project=review).claims}
    _edit_finding(review, "C03")
    assert CliRunner().invoke(main, args).exit_code == 0
    assert _kinds(_graded(out) - first) == {"grading-C03"}
