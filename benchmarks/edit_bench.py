"""Edit to updated verdict: the workbench's loop, timed on a copy of the shipped review.

One edit = `claimbook.edit.update_citation` (read under the lock, round-trip, validate in the
project's context, atomic write), then the claim re-graded: `Review.updated(claim)`, as the
workbench does, beside a full `load_review` of every file. Compared with re-running
`claimbook validate` as a separate process, what a reviewer editing YAML by hand waits for.

    python benchmarks/edit_bench.py [--runs 15] [--json FILE]
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

import yaml

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    from claimbook.edit import update_citation
    from claimbook.evidence.review import load_review

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(ROOT / "claims", folder / "claims")
        shutil.copytree(ROOT / "data", folder / "data")
        art = folder / "claims" / "article.yaml"
        text = (ROOT / "claims" / "article.yaml").read_text(encoding="utf-8")
        article = (ROOT / yaml.safe_load(text)["text_file"]).resolve()
        art.write_text(text.replace(yaml.safe_load(text)["text_file"], article.as_posix()))
        c03 = next((folder / "claims").glob("C03-*.yaml"))
        first = yaml.safe_load(c03.read_text(encoding="utf-8"))["evidence"][0]
        ident = first.get("pmid") or first["doi"]
        stances = ["contradicts", "supports"]
        review = load_review(project=folder)  # also warms the imports
        edit_s, verdict_s, reload_s = [], [], []
        for i in range(args.runs):
            t0 = time.perf_counter()
            claim = update_citation(folder, "C03", ident, stance=stances[i % 2])
            t1 = time.perf_counter()
            review = review.updated(claim)
            review.verdict_row("C03")
            t2 = time.perf_counter()
            load_review(project=folder).verdict_row("C03")
            t3 = time.perf_counter()
            edit_s.append(t1 - t0)
            verdict_s.append(t2 - t1)
            reload_s.append(t3 - t2)
        from claimbook.jupyter.workbench import Workbench

        bench = Workbench(project=folder, claim_id="C03", offline=True)
        row = bench.rows[0]
        widget_s = []
        for i in range(args.runs):
            t0 = time.perf_counter()
            row.stance.value = (
                stances[(i + 1) % 2] if row.stance.value == stances[i % 2] else stances[i % 2]
            )
            widget_s.append(time.perf_counter() - t0)
        cli = []
        for _ in range(max(3, args.runs // 5)):
            t0 = time.perf_counter()
            subprocess.run([sys.executable, "-m", "claimbook.cli", "validate", "--project",
                            str(folder)], check=True, capture_output=True)  # fmt: skip
            cli.append(time.perf_counter() - t0)
    result = {
        "edit_ms": 1000 * statistics.median(edit_s),
        "verdict_ms": 1000 * statistics.median(verdict_s),
        "reload_ms": 1000 * statistics.median(reload_s),
        "widget_ms": 1000 * statistics.median(widget_s),
        "cli_validate_ms": 1000 * statistics.median(cli),
    }
    total = result["edit_ms"] + result["verdict_ms"]
    print("| step (17 claims, 210 citations) | median |")
    print("|---|---:|")
    print(f"| edit a stance (validate + atomic round-trip write) | {result['edit_ms']:.0f} ms |")
    print(f"| re-grade the edited claim (`Review.updated`) | {result['verdict_ms']:.0f} ms |")
    print(f"| **edit to updated verdict** | **{total:.0f} ms** |")
    print(f"| in the workbench: stance dropdown changed to verdict, figure and table redrawn | "
          f"{result['widget_ms']:.0f} ms |")  # fmt: skip
    print(f"| instead: reload and re-grade every claim (`load_review`) | "
          f"{result['reload_ms']:.0f} ms |")  # fmt: skip
    print(f"| for comparison: `claimbook validate` as a new process | "
          f"{result['cli_validate_ms']:.0f} ms |")  # fmt: skip
    if args.json:
        args.json.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
