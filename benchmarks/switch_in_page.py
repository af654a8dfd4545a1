"""A claim switch timed inside the page (median of --runs, default 10): the claim picked in the
page itself (the picker's change event), then a MutationObserver waits for the new claim's
first stance in the evidence table. No Playwright round trip is inside the time, unlike
workbench_bench.py's switch, whose check of the page waits while the browser handles the rest
of the view. Also prints how many websocket frames arrived before the table's.

    PYTHONPATH=$PWD/src /work/main/.venv/bin/python benchmarks/switch_in_page.py [--runs 10]

Works on a temporary copy of the shipped review, in `claimbook workbench --no-browser`.
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

CLAIMS = ["C07", "C01", "C05", "C09", "C03"]
WAIT = 120_000
# every websocket frame's arrival, and whether it carries the table's model
FRAMES = """
window.cbFrames = [];
const Socket = window.WebSocket;
window.WebSocket = function (...args) {
  const ws = new Socket(...args);
  ws.addEventListener("message", (e) => {
    const text = typeof e.data === "string" ? e.data.slice(0, 4000)
      : new TextDecoder().decode(new Uint8Array(e.data).slice(0, 4000));
    window.cbFrames.push([performance.now(), text.includes('"table"')]);
  });
  return ws;
};
window.WebSocket.prototype = Socket.prototype;
Object.assign(window.WebSocket, Socket);
"""
PICK = """(claim) => new Promise((done) => {
  window.cbFrames = [];
  const wanted = `.cb-evidence .cb-row-0.cb-for-${claim} .cb-stance select:enabled`;
  const t0 = performance.now();
  const seen = new MutationObserver(() => {
    if (!document.querySelector(wanted)) return;
    seen.disconnect();
    done([performance.now() - t0, window.cbFrames.findIndex((f) => f[1])]);
  });
  seen.observe(document.body, {subtree: true, childList: true, attributes: true});
  const picker = document.querySelector(".cb-claim-picker select");
  picker.selectedIndex = [...picker.options].findIndex((o) => o.textContent.startsWith(claim));
  picker.dispatchEvent(new Event("change", {bubbles: true}));
})"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    times, before, loads = [], [], []
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as pw:
        root = review_copy(Path(tmp) / "review")
        browser = chromium(pw)
        try:
            with workbench_app(root, Path(tmp) / "run") as app:
                page = browser.new_page(viewport={"width": 1280, "height": 1400})
                page.add_init_script(FRAMES)
                page.route("**/*", local_only)
                page.goto(app.url)
                page.wait_for_selector(".cb-stance-0 select:enabled", timeout=WAIT)
                time.sleep(3)
                for i in range(args.runs):
                    ms, index = page.evaluate(PICK, CLAIMS[i % len(CLAIMS)])
                    times.append(ms)
                    before.append(index)
                    loads.append(os.getloadavg()[0])
                    time.sleep(1.5)  # the rest of the view, and its timeline
        finally:
            browser.close()
    print(f"claim switch to its evidence table, timed in the page: median "
          f"{statistics.median(times):.0f} ms (min {min(times):.0f}, max {max(times):.0f}, "
          f"n={len(times)}; load average {statistics.median(loads):.1f}); frames before the "
          f"table's: {statistics.median(before):.0f}")  # fmt: skip


if __name__ == "__main__":
    main()
