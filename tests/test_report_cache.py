"""Rebuild only what changed (issue 24, item 6): after one claim's edit, a rebuild into the folder
of the last build redraws that claim's figure and section only, and writes the very bytes a build
without any cache writes. No timing here (benchmarks/rebuild_bench.py measures it)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from claimbook.evidence.review import load_review
from claimbook.report import build_report
from claimbook.report.cache import CACHE_DIR

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
    return {p.name for p in (out / CACHE_DIR).iterdir()}


def _edit_finding(review: Path, claim_id: str) -> None:
    path = claim_file(review, claim_id)
    text = path.read_text(encoding="utf-8")
    edited = re.sub(r"(finding: >-\n\s+)", r"\g<1>(re-read) ", text, count=1)
    assert edited != text
    path.write_text(edited, encoding="utf-8")


def test_a_cached_rebuild_is_byte_identical_and_redraws_only_the_edited_claim(review, tmp_path):
    cached, clean = tmp_path / "cached", tmp_path / "clean"
    first = load_review(project=review)
    build_report(first, cached, FORMATS, progress=False)
    build_report(first, clean, FORMATS, progress=False)
    before = _pieces(cached)
    ids = [c.id for c in first.claims]
    assert {f"section-{i}" for i in ids} <= {p.rsplit("-", 1)[0] for p in before}

    _edit_finding(review, "C03")
    edited = load_review(project=review)
    build_report(edited, cached, FORMATS, progress=False)
    shutil.rmtree(clean / CACHE_DIR)  # the same history, no cache: everything drawn afresh
    build_report(edited, clean, FORMATS, progress=False)

    assert _files(cached) == _files(clean)
    after = _pieces(cached)
    redrawn = {p.rsplit("-", 1)[0] for p in after - before}
    assert "section-C03" in redrawn and "timeline-C03" in redrawn  # its row changed
    assert not {f"section-{i}" for i in ids if i != "C03"} & redrawn
    assert not {f"timeline-{i}" for i in ids if i != "C03"} & redrawn
    assert "overview-all" not in redrawn  # a finding is not a weight: the verdicts are the same
    assert len(after) == len(before)  # the stale C03 pieces were pruned


def test_a_build_without_its_cache_writes_the_same_bytes_and_a_new_cache(review, tmp_path):
    """Deleting the cache only makes the next build a full one."""
    out = tmp_path / "out"
    rev = load_review(project=review)
    build_report(rev, out, FORMATS, progress=False)
    reference = _files(out)
    shutil.rmtree(out / CACHE_DIR)
    build_report(rev, out, FORMATS, progress=False)
    assert _files(out) == reference and _pieces(out)
