"""Where the shipped report's build time goes: each stage of `build_report` timed on its own
(median of several runs, warm snapshot), then pyinstrument's view of the slowest Python stage.
With --builds: the whole build with and without the PDF, side by side, in one run.

    python benchmarks/report_stages.py [--runs 3] [--profile]
    python benchmarks/report_stages.py --builds 5 [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def stage_times(runs: int) -> dict[str, float]:
    """Median seconds per stage of a full build (all formats) of the shipped report."""
    from claimbook.evidence.review import load_review
    from claimbook.report import write_exports
    from claimbook.report.context import build_context
    from claimbook.report.figures import render_figures
    from claimbook.report.html import render_html
    from claimbook.report.markdown import render_markdown
    from claimbook.report.pdf import html_to_pdf

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
        clock("PDF on its own (start Chromium, print the HTML)",
              lambda: html_to_pdf(html, out / "report.pdf"))  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(runs + 1):  # the first run warms caches and is dropped
            build(Path(tmp))
    return {name: statistics.median(times[1:]) for name, times in samples.items()}


def chromium_floor(runs: int) -> float:
    """Median seconds for Chromium to start and print a one-line page: its start-up cost."""
    from scale import timed  # benchmarks/ is on sys.path when this runs as a script

    from claimbook.report.pdf import html_to_pdf

    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "blank.pdf"
        return timed(lambda: html_to_pdf("<!doctype html><p>one line</p>", pdf), runs)


def build_times(runs: int) -> dict[str, float]:
    """Median seconds of `build_report` on the shipped review (loaded once), without the PDF and
    with it, the two builds alternating in one run after a warm-up of each."""
    from claimbook.evidence.review import load_review
    from claimbook.report import build_report

    review = load_review(ROOT / "claims", ROOT / "data")
    builds = {"html_md": ("html", "md"), "full": ("html", "pdf", "md")}
    samples: dict[str, list[float]] = {name: [] for name in builds}
    with tempfile.TemporaryDirectory() as tmp:
        for i in range(runs + 1):  # the first round warms caches and is dropped
            for name, formats in builds.items():
                t0 = time.perf_counter()
                build_report(review, Path(tmp) / name, formats=formats, progress=False)
                if i:
                    samples[name].append(time.perf_counter() - t0)
    return {name: statistics.median(times) for name, times in samples.items()}


def builds_table(seconds: dict[str, float], runs: int) -> str:
    """The two builds side by side, as Markdown."""
    from claimbook.report.pdf import find_printer

    ratio = seconds["full"] / seconds["html_md"]
    return "\n".join([
        f"Median of {runs} builds of each in one run, alternating; the PDF printed by "
        f"`{Path(find_printer()).name}`.",
        "",
        "| build of the shipped report | seconds | ratio |",
        "|---|---:|---:|",
        f"| HTML + Markdown + exports | {seconds['html_md']:.2f} | 1.00 |",
        f"| full: HTML + PDF + Markdown + exports | {seconds['full']:.2f} | {ratio:.2f} |",
    ])  # fmt: skip


def profile_figures() -> str:
    """pyinstrument's call tree for drawing the figures (the slowest Python stage)."""
    from pyinstrument import Profiler

    from claimbook.evidence.review import load_review
    from claimbook.report.context import build_context
    from claimbook.report.figures import render_figures

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
    parser.add_argument("--builds", type=int, metavar="RUNS", help="time whole builds instead")
    parser.add_argument("--json", type=Path, help="with --builds: also write the seconds here")
    args = parser.parse_args()
    if args.builds:
        seconds = build_times(args.builds)
        if args.json:
            args.json.write_text(json.dumps(seconds, indent=2))
        print(builds_table(seconds, args.builds))
        return
    stages = stage_times(args.runs)
    total = sum(stages.values())
    print("| stage | seconds | share |\n|---|---:|---:|")
    for name, seconds in stages.items():
        print(f"| {name} | {seconds:.2f} | {seconds / total:.0%} |")
    print(f"| **all stages** | **{total:.2f}** | |")
    floor = chromium_floor(args.runs)
    print(f"\nChromium starting and printing a one-line page takes {floor:.2f} s "
          "(its start-up, which a full build overlaps with the figures).")  # fmt: skip
    if args.profile:
        print("\n```\n" + profile_figures() + "```")


if __name__ == "__main__":
    main()
