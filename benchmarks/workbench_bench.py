"""How fast the workbench app answers, in a real browser (median of --runs, default 10):

- start: `claimbook workbench --no-browser` started -> the first usable screen (the evidence
  table's first stance enabled), each run a fresh app, its page opened as soon as the command
  prints the URL;
- open: the page opened on an app that has been running for --settle seconds (its kernel
  preheated, as when the reviewer opens the URL a little later) -> the first usable screen;
- switch: a claim picked -> its evidence table drawn for it;
- cite: Cite pressed (a paper of the snapshot, so no network) -> the verdict box redrawn with
  the new count; the citation is removed again after each run (not timed).

    PYTHONPATH=$PWD/src /work/main/.venv/bin/python benchmarks/workbench_bench.py [--runs 10]

The machine's load average (1 minute) is printed with each result: on this shared 2-core
machine it moves every timing.

It works on a temporary copy of the shipped review; the results go to docs/benchmarks.md by
hand. Needs Playwright and Debian's chromium, as tests/test_workbench_app.py does.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from jupyter_servers import chromium, local_only, review_copy, workbench_app  # noqa: E402

CLAIMS = ["C03", "C07", "C01", "C05", "C09"]
WAIT = 120_000


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


def _pick(page, claim_id: str) -> float:
    picker = page.locator(".cb-claim-picker select")
    labels = picker.locator("option").all_inner_texts()
    t0 = time.perf_counter()
    picker.select_option(index=next(i for i, t in enumerate(labels) if t.startswith(claim_id)))
    page.wait_for_selector(f".cb-evidence .cb-row-0.cb-for-{claim_id} .cb-stance select:enabled",
                           timeout=WAIT)  # fmt: skip
    return _ms(t0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds the app runs before the page is opened (open)")  # fmt: skip
    parser.add_argument("--switch-only", action="store_true",
                        help="measure only the claim switches, in one app")  # fmt: skip
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    from claimbook.edit.papers import claim_texts, looks_unrelated
    from claimbook.evidence.review import load_review

    starts, opens, switches, cites = [], [], [], []
    loads: dict[str, list[float]] = {"start": [], "open": [], "switch": [], "cite": []}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = review_copy(Path(tmp) / "review")
        review = load_review(project=root)
        claim = review.claim("C03")
        cited = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
        paper = next(
            r.pmid
            for r in review.snapshot
            if r.pmid and r.key not in cited and not looks_unrelated(r, claim_texts(claim))
        )  # no "cite anyway?"
        browser = chromium(pw)
        try:
            for run in range(args.runs):
                t0 = time.perf_counter()
                with workbench_app(root, Path(tmp) / f"run{run}") as app:
                    page = browser.new_page(viewport={"width": 1280, "height": 1400})
                    page.route("**/*", local_only)
                    page.goto(app.url)
                    page.wait_for_selector(".cb-stance-0 select:enabled", timeout=WAIT)
                    starts.append(_ms(t0))
                    loads["start"].append(os.getloadavg()[0])
                    print(f"start {run}: {starts[-1]:.0f} ms", flush=True)
                    if run == 0:  # the other measures in the first app
                        for i in range(args.runs):
                            switches.append(_pick(page, CLAIMS[(i + 1) % len(CLAIMS)]))
                            loads["switch"].append(os.getloadavg()[0])
                        if args.switch_only:
                            break
                        if CLAIMS[args.runs % len(CLAIMS)] != "C03":  # not the last picked
                            _pick(page, "C03")
                        for _ in range(args.runs):
                            page.wait_for_selector(".cb-cite-ident input:enabled", timeout=WAIT)
                            counts = page.locator(".cb-verdict .cb-note")
                            before = counts.inner_text()
                            page.locator(".cb-cite-ident input").fill(paper)
                            page.locator(".cb-lookup").click()
                            page.locator(".cb-cite-finding textarea").fill(
                                "A paper cited by the benchmark, removed again after it.",
                                timeout=WAIT,
                            )
                            button = page.locator(".cb-cite-button")
                            expect(button).to_be_enabled(timeout=WAIT)
                            t1 = time.perf_counter()
                            button.click()
                            expect(counts).not_to_have_text(before, timeout=WAIT)
                            cites.append(_ms(t1))
                            loads["cite"].append(os.getloadavg()[0])
                            n = len(claim.evidence)
                            page.locator(f".cb-row-{n} .cb-remove").click()
                            page.locator(f".cb-remove-confirm-{n}").click()
                            expect(counts).to_have_text(before, timeout=WAIT)
                    page.close()
                    time.sleep(args.settle)  # the app idle, its next kernel preheated
                    page = browser.new_page(viewport={"width": 1280, "height": 1400})
                    page.route("**/*", local_only)
                    t2 = time.perf_counter()
                    page.goto(app.url)
                    page.wait_for_selector(".cb-stance-0 select:enabled", timeout=WAIT)
                    opens.append(_ms(t2))
                    loads["open"].append(os.getloadavg()[0])
                    print(f"open {run}: {opens[-1]:.0f} ms", flush=True)
                    page.close()
        finally:
            browser.close()
    for name, key, values in (
        ("command start to first usable screen", "start", starts),
        ("page opened on a running app to first usable screen", "open", opens),
        ("claim switch to its evidence table", "switch", switches),
        ("cite to updated verdict", "cite", cites),
    ):
        if not values:
            continue
        load = statistics.median(loads[key])
        print(f"{name}: median {statistics.median(values):.0f} ms "
              f"(min {min(values):.0f}, max {max(values):.0f}, n={len(values)}; "
              f"load average {load:.1f})")  # fmt: skip


if __name__ == "__main__":
    main()
