"""Rebuild after one claim's edit against a full build (issue 24, item 6): the shipped review,
HTML + Markdown + exports (the PDF is Chromium printing the whole page, which no cache
shortens), each timed from loading the claims to the last file written.

    full build     a copy of the review built into an empty folder (no cache)
    rebuild        the same copy with one claim's finding edited, rebuilt into that folder:
                   only the edited claim's figure and section are drawn again

Median of --runs pairs, alternating. Also checks the rebuild is byte-identical to a clean build
of the edited review. Prints a Markdown table (and JSON with --json FILE).

    python benchmarks/rebuild_bench.py [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FORMATS = ("html", "md")


def _copy(dest: Path) -> Path:
    shutil.copytree(ROOT / "claims", dest / "claims")
    shutil.copytree(ROOT / "data", dest / "data")
    article = dest / "claims" / "article.yaml"
    text = (ROOT.parent / "shared" / "article" / "muscle-cramps-article.txt").resolve()
    body = re.sub(r"^text_file: .*$", f"text_file: {text}", article.read_text("utf-8"), flags=re.M)
    article.write_text(body, encoding="utf-8")
    return dest


def _edit(folder: Path, n: int) -> str:
    """Change one claim's first finding (a different word each time); returns the claim id."""
    path = sorted((folder / "claims").glob("C0[3]-*.yaml"))[0]
    text = path.read_text("utf-8")
    text = re.sub(r"(finding: >-\n\s+)", rf"\g<1>(edit {n}) ", text, count=1)
    path.write_text(text, encoding="utf-8")
    return path.name.split("-")[0]


def _build(folder: Path, out: Path) -> float:
    from claimbook.evidence.review import load_review
    from claimbook.report import build_report
    from claimbook.report.cache import grading_cache

    t0 = time.perf_counter()  # as `claimbook report` does: the grading kept in the report's cache
    review = load_review(project=folder, cache=grading_cache(out))
    build_report(review, out, formats=FORMATS, progress=False)
    return time.perf_counter() - t0


def _files(out: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(out)): p.read_bytes()
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.parts[len(out.parts)] != "cache" and "previous" not in p.name
    }


def measure(runs: int) -> dict:
    full, rebuild = [], []
    identical = True
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        folder = _copy(tmp / "review")
        _build(folder, tmp / "warm")  # imports, fonts and caches of the first build: dropped
        for i in range(runs):
            full.append(_build(folder, tmp / f"full-{i}"))
            _edit(folder, i)
            rebuild.append(_build(folder, tmp / f"full-{i}"))  # into the folder just built
            _build(folder, tmp / f"clean-{i}")
            identical &= _files(tmp / f"full-{i}") == _files(tmp / f"clean-{i}")
    f, r = statistics.median(full), statistics.median(rebuild)
    return {"full": f, "rebuild": r, "ratio": r / f, "identical": identical, "runs": runs}


def table(result: dict) -> str:
    lines = [
        f"Median of {result['runs']} pairs; HTML + Markdown + exports of the shipped review, "
        "from loading the claims to the last file written.",
        "",
        "| build | seconds | share of the full build |",
        "|---|---:|---:|",
        f"| full build (empty folder) | {result['full']:.2f} | 1.00 |",
        f"| rebuild after one claim's edit | {result['rebuild']:.2f} | {result['ratio']:.2f} |",
        "",
        "Target:",
        "",
        f"- rebuild after one claim's edit at most a third of a full build: "
        f"{result['ratio']:.2f} ({'met' if result['ratio'] <= 1 / 3 else 'MISSED'})",
        f"- rebuild byte-identical to a clean build of the edited review: "
        f"{'yes' if result['identical'] else 'NO'}",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    result = measure(args.runs)
    if args.json:
        args.json.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    print(table(result))


if __name__ == "__main__":
    main()
