"""Regenerate docs/workbench.png: the workbench in JupyterLab, after a stance was changed.

Run it from the repository root (it needs JupyterLab, Playwright and Debian's chromium, as
tests/test_workbench_browser.py does):

    PYTHONPATH=$PWD/src /work/main/.venv/bin/python docs/screenshot_workbench.py

It copies the shipped review (claims/, data/, notebooks/workbench.ipynb) into a temp folder,
so nothing in the repository changes; starts JupyterLab on 127.0.0.1 (no token; the kernel
imports this checkout's src/); opens notebooks/workbench.ipynb in headless Chromium (which may
talk to 127.0.0.1 only), runs its cell, picks a claim (--claim, default C03), changes the
stance of its first paper, waits until the verdict has changed, and saves a screenshot of the
window (--width by --height CSS pixels, drawn at --scale pixels each) to --out (default
docs/workbench.png). --full also saves the whole workbench, top to bottom, next to it
(NAME-full.png), for checking the styles.
"""

from __future__ import annotations

import argparse
import contextlib
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))  # the one helper that starts JupyterLab (and the app)
from jupyter_servers import CHROMIUM_ARGS, lab, local_only, review_copy  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
WAIT = 120_000  # ms: kernel start, imports, first load of the review


@contextlib.contextmanager
def _lab(tmp: Path):
    """JupyterLab on 127.0.0.1 over a copy of the review (the kernel imports this checkout's
    src/); its URL; stopped at the end."""
    from jupyter_servers import jupyter_env

    root = review_copy(tmp / "review")
    env = jupyter_env(tmp / "jupyter", PYTHONPATH=str(ROOT / "src"))
    with lab(root, tmp, env) as running:
        yield running.url


_local_only = local_only


def _open_workbench(page, url: str):
    """Open the workbench notebook, run its cell, wait for the workbench; return it."""
    from playwright.sync_api import expect

    page.route("**/*", _local_only)
    page.goto(f"{url}/lab/tree/notebooks/workbench.ipynb?reset")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=WAIT)
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName")
    expect(kernel).to_contain_text("Python 3", timeout=WAIT)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=WAIT)
    bench = page.locator(".cb-workbench")
    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            expect(bench).to_be_visible(timeout=WAIT // 2)
            break
        except AssertionError:  # the widget view missed its first message: run it again
            if attempt:
                raise
    expect(page.locator(".cb-stance-0 select")).to_be_enabled(timeout=WAIT)
    return bench


def _change_a_stance(page, claim_id: str) -> None:
    """Pick `claim_id`, change its first paper's stance, wait for the saved verdict."""
    from playwright.sync_api import expect

    picker = page.locator(".cb-claim-picker select")
    labels = picker.locator("option").all_inner_texts()
    picker.select_option(index=next(i for i, t in enumerate(labels) if t.startswith(claim_id)))
    stance = page.locator(f".cb-evidence .cb-row-0.cb-for-{claim_id} .cb-stance select")
    expect(stance).to_be_enabled(timeout=WAIT)
    rationale = page.locator(".cb-verdict .cb-rationale")
    expect(rationale).to_be_visible(timeout=WAIT)
    before = rationale.inner_text()
    old = stance.input_value()
    stance.select_option("contradicts" if old != "contradicts" else "supports")
    expect(page.locator(".cb-message .cb-ok")).to_contain_text(f"Saved {claim_id}", timeout=WAIT)
    expect(rationale).not_to_have_text(before, timeout=WAIT)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "workbench.png")
    parser.add_argument("--claim", default="C03")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--height", type=int, default=1700)
    parser.add_argument(
        "--scale",
        type=float,
        default=0.7,
        help="pixels per CSS pixel in the picture (0.7: 896 by 1190)",
    )
    parser.add_argument("--full", action="store_true", help="also the whole workbench")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, _lab(Path(tmp)) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            # opened wide: a narrow notebook toolbar hides the kernel name _open_workbench waits for
            page = browser.new_page(viewport={"width": max(args.width, 1280), "height": 1000},
                                    device_scale_factor=args.scale)  # fmt: skip
            bench = _open_workbench(page, url)
            page.set_viewport_size({"width": args.width, "height": args.height})
            _change_a_stance(page, args.claim)
            # the workbench's output at the top of the notebook, as a user sees it after a run
            output = page.locator(".jp-CodeCell .jp-Cell-outputWrapper").first
            output.evaluate("el => el.scrollIntoView()")
            page.mouse.move(0, 0)  # no hover highlight in the picture
            page.wait_for_timeout(500)  # the figure and fonts settle
            args.out.parent.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(args.out))
            print(f"wrote {args.out}")
            if args.full:
                full = args.out.with_name(f"{args.out.stem}-full.png")
                # a window as tall as the workbench, so the notebook draws all of it
                tall = int(bench.evaluate("el => el.scrollHeight")) + 400
                page.set_viewport_size({"width": args.width, "height": tall})
                page.wait_for_timeout(1000)
                bench.screenshot(path=str(full))
                print(f"wrote {full}")
        finally:
            browser.close()


if __name__ == "__main__":
    main()
