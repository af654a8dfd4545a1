"""How fast the workbench app answers, in a real browser (median of --runs, default 10), each
time taken inside the page (a MutationObserver sees the change; `performance.now()` and the
page's `timeOrigin` give the times), not by Playwright's checks, which poll the page at 100,
250, 500 and 1000 ms and so round every time up to the next of those steps:

- start: `claimbook workbench --no-browser` started -> the first usable screen (the evidence
  table's first stance enabled), each run a fresh app, its page opened as soon as the command
  prints the URL;
- open: the page opened on an app that has been running for --settle seconds (its kernel
  preheated, as when the reviewer opens the URL a little later) -> the first usable screen;
- switch: a claim picked (the picker's change event, in the page) -> its evidence table drawn
  for it (`switch_in_page.py`'s measure);
- cite: Cite clicked (in the page; a paper of the snapshot, so no network) -> the verdict box
  redrawn with the new count; the citation is removed again after each run (not timed).

    PYTHONPATH=$PWD/src /work/main/.venv/bin/python benchmarks/workbench_bench.py [--runs 10]

Nothing leaves 127.0.0.1: Chromium is started with a proxy at a closed port of 127.0.0.1, so
every request for another host fails at once, while 127.0.0.1 itself is reached directly
(Chromium never sends loopback through a proxy); the benchmark checks that first, and stops if
an outside address answers. The tests use Playwright's `page.route` instead, which hands every
request to the Python driver and back: that cost about half a second of each start here, a
cost no practitioner's browser has (`--route` measures that way too, for comparison).

The machine's load average (1 minute) is printed with each result, and a CPU check (a plain
Python loop of 10 million additions, in seconds) before the runs: on this shared 2-core machine
both move every timing.

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
sys.path.insert(0, str(ROOT / "benchmarks"))
from jupyter_servers import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_ARGS,
    free_port,
    local_only,
    review_copy,
    workbench_app,
)
from switch_in_page import PICK  # noqa: E402

CLAIMS = ["C03", "C07", "C01", "C05", "C09"]
WAIT = 120_000


# when the first screen is usable (the first stance enabled), as wall-clock ms
USABLE = """
window.cbUsable = null;
new MutationObserver((_, seen) => {
  if (!document.querySelector(".cb-stance-0 select:enabled")) return;
  window.cbUsable = performance.timeOrigin + performance.now();
  seen.disconnect();
}).observe(document, {subtree: true, childList: true, attributes: true});
"""
# Cite clicked in the page -> the verdict's count changed
CITE = """() => new Promise((done) => {
  const note = () => document.querySelector(".cb-verdict .cb-note")?.innerText;
  const before = note();
  let t0 = null;
  const seen = new MutationObserver(() => {
    if (t0 === null || note() === before) return;
    seen.disconnect();
    done(performance.now() - t0);
  });
  seen.observe(document.body, {subtree: true, childList: true, characterData: true});
  t0 = performance.now();
  document.querySelector(".cb-cite-button").click();
})"""


def _browser(pw, route: bool):
    """Debian's headless Chromium that reaches 127.0.0.1 only (see the module's docstring)."""
    if route:
        return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    closed = f"--proxy-server=http://127.0.0.1:{free_port()}"  # nothing listens there
    browser = pw.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, closed], headless=True
    )
    page = browser.new_page()
    try:  # a reserved name (RFC 2606): nothing is sent anywhere if the proxy refuses it
        page.goto("http://example.com/", timeout=10_000)
    except Exception as exc:  # Playwright's Error: net::ERR_PROXY_CONNECTION_FAILED
        if "ERR_PROXY_CONNECTION_FAILED" not in str(exc):
            raise
    else:
        raise SystemExit("an outside address answered through the browser: not benchmarking")
    finally:
        page.close()
    return browser


def _opened(page, url: str, route: bool) -> float:
    """Open the app's page; the wall-clock time (ms) its first screen became usable."""
    page.add_init_script(USABLE)
    if route:
        page.route("**/*", local_only)
    page.goto(url)
    page.wait_for_selector(".cb-stance-0 select:enabled", timeout=WAIT)
    page.wait_for_function("() => window.cbUsable !== null", timeout=WAIT)
    return page.evaluate("() => window.cbUsable")


def _cpu_check() -> float:
    t0, total = time.perf_counter(), 0
    for i in range(10_000_000):
        total += i
    return time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds the app runs before the page is opened (open)")  # fmt: skip
    parser.add_argument("--switch-only", action="store_true",
                        help="measure only the claim switches, in one app")  # fmt: skip
    parser.add_argument("--route", action="store_true",
                        help="keep the page local with Playwright's page.route, as the tests "
                             "do, not with the closed proxy")  # fmt: skip
    args = parser.parse_args()
    from playwright.sync_api import expect, sync_playwright

    from claimbook.edit.papers import claim_texts, looks_unrelated
    from claimbook.evidence.review import load_review

    starts, opens, switches, cites = [], [], [], []
    loads: dict[str, list[float]] = {"start": [], "open": [], "switch": [], "cite": []}
    print(f"CPU check: {_cpu_check():.2f} s for 10 million additions", flush=True)
    print("pages kept local by", "page.route" if args.route else "a closed proxy", flush=True)
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
        browser = _browser(pw, args.route)
        try:
            for run in range(args.runs):
                t0 = time.time() * 1000  # wall clock, as the page's timeOrigin
                with workbench_app(root, Path(tmp) / f"run{run}") as app:
                    page = browser.new_page(viewport={"width": 1280, "height": 1400})
                    starts.append(_opened(page, app.url, args.route) - t0)
                    loads["start"].append(os.getloadavg()[0])
                    print(f"start {run}: {starts[-1]:.0f} ms", flush=True)
                    if run == 0:  # the other measures in the first app
                        time.sleep(3)  # the first view's timeline and the rest, all sent
                        for i in range(args.runs):
                            ms, _frames = page.evaluate(PICK, CLAIMS[(i + 1) % len(CLAIMS)])
                            switches.append(ms)
                            loads["switch"].append(os.getloadavg()[0])
                            time.sleep(1.5)  # the rest of the view
                        if args.switch_only:
                            break
                        if CLAIMS[args.runs % len(CLAIMS)] != "C03":  # not the last picked
                            page.evaluate(PICK, "C03")
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
                            expect(page.locator(".cb-cite-button")).to_be_enabled(timeout=WAIT)
                            time.sleep(0.5)  # the look-up's messages all handled
                            cites.append(page.evaluate(CITE))
                            loads["cite"].append(os.getloadavg()[0])
                            n = len(claim.evidence)
                            page.locator(f".cb-row-{n} .cb-remove").click()
                            page.locator(f".cb-remove-confirm-{n}").click()
                            expect(counts).to_have_text(before, timeout=WAIT)
                            time.sleep(0.5)
                    page.close()
                    time.sleep(args.settle)  # the app idle, its next kernel preheated
                    page = browser.new_page(viewport={"width": 1280, "height": 1400})
                    usable = _opened(page, app.url, args.route)
                    opens.append(usable - page.evaluate("() => performance.timeOrigin"))
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
