"""Candidate claims: time `find_candidates` on both shipped articles and measure what it lists
against the hand-marked gold lists in tests/fixtures/candidates/ (recall, share of candidates
that are claims). Prints two markdown tables; an article absent from ../shared is skipped.

    python benchmarks/candidates_bench.py [--runs 21] [--scale 100]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import yaml

from claimbook.article.candidates import find_candidates, sentence_spans

ROOT = Path(__file__).resolve().parents[1]
ARTICLES = ROOT.parent / "shared" / "article"
GOLD = ROOT / "tests" / "fixtures" / "candidates"
NAMES = ["muscle-cramps-article", "leg-cramps-quick-tip"]


def median_ms(text: str, runs: int) -> float:
    """Median wall time of find_candidates(text) in milliseconds, after one warm-up call."""
    find_candidates(text)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        find_candidates(text)
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times)


def body_sentences(text: str) -> int:
    """Sentences of the article body: what is left once chrome, epigraph and headings go."""
    from claimbook.article.candidates import (  # internals, measuring only
        _classify,
        _lines,
        _prose_units,
    )

    lines = _lines(text)
    _classify(lines)
    ends = _prose_units(lines)
    n = 0
    for ln in lines:
        if ln.kind == "prose":
            n += len(sentence_spans(text, ln.start, ends[ln.no]))
        elif ln.kind in ("lead", "item"):
            n += len(sentence_spans(text, ln.body_start, ln.end))
    return n


def main() -> None:
    """Print the timing table and the quality table for the articles that are present."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=21, help="timed runs per article (median)")
    ap.add_argument("--scale", type=int, default=100, help="also time the text repeated N times")
    args = ap.parse_args()

    present = [(n, ARTICLES / f"{n}.txt") for n in NAMES if (ARTICLES / f"{n}.txt").exists()]
    for n in NAMES:
        if not (ARTICLES / f"{n}.txt").exists():
            print(f"skipped {n}: {ARTICLES / f'{n}.txt'} is absent", file=sys.stderr)
    if not present:
        print("no article found under ../shared/article; nothing to time", file=sys.stderr)
        return

    print(f"Median of {args.runs} runs of `find_candidates`, after one warm-up call.\n")
    print("| article | characters | lines | candidates | ms per article | MB/s |")
    print("|---|---:|---:|---:|---:|---:|")
    rows = []
    for name, path in present:
        text = path.read_text(encoding="utf-8")
        ms = median_ms(text, args.runs)
        mbs = len(text.encode()) / 1e6 / (ms / 1000)
        print(f"| {name} | {len(text):,} | {text.count(chr(10)) + 1} | "
              f"{len(find_candidates(text))} | {ms:.2f} | {mbs:.2f} |")  # fmt: skip
        rows.append((name, text))
    if args.scale > 1:
        name, text = rows[0]
        big = text * args.scale
        ms = median_ms(big, max(3, args.runs // 7))
        mbs = len(big.encode()) / 1e6 / (ms / 1000)
        print(f"| {name} x{args.scale} | {len(big):,} | {big.count(chr(10)) + 1} | "
              f"{len(find_candidates(big))} | {ms:.1f} | {mbs:.2f} |")  # fmt: skip

    print("\n| article | sentences in the text | body sentences | candidates listed "
          "| gold claims | caught | recall | candidates that are claims |")  # fmt: skip
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for name, text in rows:
        gold_file = GOLD / f"{name}.yaml"
        if not gold_file.exists():
            continue
        gold = [g["text"] for g in yaml.safe_load(gold_file.read_text(encoding="utf-8"))]
        cands = find_candidates(text)
        every = sum(len(sentence_spans(line)) for line in text.split("\n"))
        caught = [g for g in gold if any(g in c.text for c in cands)]
        claims = [c for c in cands if any(g in c.text for g in gold)]
        print(f"| {name} | {every} | {body_sentences(text)} | {len(cands)} | {len(gold)} | "
              f"{len(caught)} | {len(caught) / len(gold):.2f} | "
              f"{len(claims)}/{len(cands)} = {len(claims) / len(cands):.2f} |")  # fmt: skip


if __name__ == "__main__":
    main()
