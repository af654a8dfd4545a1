"""Where the shipped report's build time goes: each stage of `build_report` timed on its own
(median of several runs, warm snapshot), then pyinstrument's view of the slowest Python stage.

    python benchmarks/report_stages.py [--runs 3] [--profile]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stage_times(runs: int) -> dict[str, float]:
    """Median seconds per stage of a full build (all formats) of the shipped report."""
    from claimbook.report import write_exports
    from claimbook.report.context import build_context
    from claimbook.report.figures import render_figures
    from claimbook.report.html import render_html
    from claimbook.report.markdown import render_markdown
    from claimbook.report.pdf import html_to_pdf
    from claimbook.review import load_review

    samples: dict[str, list[float]] = {}

    def clock(name: str, fn: Callable[[], object]) -> object:
        t0 = time.perf_counter()
        value = fn()
        samples.setdefault(name, []).append(time.perf_counter() - t0)
        return value

    def build(out: Path) -> None:
        review = clock("load and grade the claims", lambda: load_review(ROOT / "claims"))
        ctx = clock("report content", lambda: build_context(review))
        figs = clock("figures (matplotlib to SVG)", lambda: render_figures(ctx))
        html = clock("HTML (Jinja2)", lambda: render_html(ctx, figs, "report.html"))
        clock("Markdown", lambda: render_markdown(ctx, "figures"))
        clock("exports (RIS, BibTeX, CSL-JSON, NBIB, CSV, JSON-LD)",
              lambda: write_exports(ctx, out))  # fmt: skip
        clock("PDF (headless Chromium prints the HTML)",
              lambda: html_to_pdf(html, out / "report.pdf"))  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):  # the first run warms caches and is dropped
            build(Path(tmp))
    return {name: statistics.median(times[1:]) for name, times in samples.items()}


def chromium_floor(runs: int) -> float:
    """Median seconds for Chromium to print a one-line page: its start-up cost alone."""
    from scale import timed  # benchmarks/ is on sys.path when this runs as a script

    from claimbook.report.pdf import html_to_pdf

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "blank.pdf"
        return timed(lambda: html_to_pdf("<!doctype html><p>one line</p>", pdf), runs)


def profile_figures() -> str:
    """pyinstrument's call tree for drawing the figures (the slowest Python stage)."""
    from pyinstrument import Profiler

    from claimbook.report.context import build_context
    from claimbook.report.figures import render_figures
    from claimbook.review import load_review

    ctx = build_context(load_review(ROOT / "claims"))
    render_figures(ctx)
    profiler = Profiler(interval=0.001)
    profiler.start()
    render_figures(ctx)
    profiler.stop()
    return profiler.output_text(unicode=False, color=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="also print pyinstrument's tree")
    args = parser.parse_args()
    stages = stage_times(args.runs)
    total = sum(stages.values())
    print("| stage | seconds | share |\n|---|---:|---:|")
    for name, seconds in stages.items():
        print(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    print(f"| **all stages** | **{total:.2f}** | |")
    print(f"\nChromium printing a one-line page takes {chromium_floor(args.runs):.2f} s "
          "(its start-up cost, paid once per PDF).")  # fmt: skip
    if args.profile:
        print("\n```\n" + profile_figures() + "```")


if __name__ == "__main__":
    main()
