"""Any-article commands, timed on both shipped articles: `claimbook candidates` and
`claimbook init` as a user runs them (a fresh process each, so start-up counts), and the second
article's notebooks (generate + execute every notebook of its review folder).

    python benchmarks/articles_bench.py [--runs 5] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "article"
EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"
CLAIMBOOK = [sys.executable, "-m", "claimbook.cli"]


def timed_command(argv: list[str], runs: int, before=None) -> float:
    """Median wall time of a command in a fresh process (`before` runs untimed each time)."""
    times = []
    for _ in range(runs):
        if before:
            before()
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True, cwd=ROOT)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "review"
        for article in sorted(ARTICLES.glob("*.txt")):
            n = len(json.loads(subprocess.run(
                [*CLAIMBOOK, "candidates", str(article), "--json"],
                check=True, capture_output=True, text=True, cwd=ROOT,
            ).stdout))  # fmt: skip
            cand = timed_command([*CLAIMBOOK, "candidates", str(article), "--json"], args.runs)
            init = timed_command(
                [*CLAIMBOOK, "init", str(target), "--article", str(article)],
                args.runs,
                before=lambda: shutil.rmtree(target, ignore_errors=True),
            )
            rows.append({"article": article.name, "candidates": n,
                         "candidates_s": cand, "init_s": init})  # fmt: skip
        copy = Path(tmp) / "example"
        shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("reports"))
        # the copy's text_file is relative to the example folder: point it at the same text
        art = copy / "claims" / "article.yaml"
        art.write_text(
            art.read_text(encoding="utf-8").replace(
                "text_file: ../../../shared/", f"text_file: {ARTICLES.parent.as_posix()}/"
            ),
            encoding="utf-8",
        )
        notebooks = timed_command(
            [*CLAIMBOOK, "notebooks", "--project", str(copy), "-q"], max(1, args.runs // 2)
        )
        from claimbook.notebooks.run import review_notebooks

        n_notebooks = len(review_notebooks(copy / "notebooks"))
    table = [
        "| article | candidates listed | `claimbook candidates --json` | `claimbook init` |",
        "|---|---:|---:|---:|",
    ]
    for r in rows:
        table.append(f"| {r['article']} | {r['candidates']} | {r['candidates_s']:.2f} s | "
                     f"{r['init_s']:.2f} s |")  # fmt: skip
    table += [
        "",
        f"Second article's notebooks (`claimbook notebooks --project examples/"
        f"leg-cramps-quick-tip`: generate and execute its {n_notebooks} review notebooks; the "
        "workbench is not run): "
        f"{notebooks:.1f} s.",
    ]
    print("\n".join(table))
    if args.json:
        args.json.write_text(json.dumps({"articles": rows, "notebooks_s": notebooks}))


if __name__ == "__main__":
    main()
