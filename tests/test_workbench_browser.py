"""The workbench in a real browser: JupyterLab on 127.0.0.1 serves a temp copy of the review,
headless Chromium (driven by Playwright) runs notebooks/workbench.ipynb, picks another stance
in the evidence table, and the claim's YAML file on disk changes.

The screenshot is kept in the test's temp folder and copied to /tmp/workbench-screenshot.png.
"""

from __future__ import annotations

import itertools
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from jupyter_servers import (
    CHROMIUM,
    Lab,
    ServerFailed,
    chromium,
    local_only,
    review_copy,
)
from jupyter_servers import lab as jupyter_lab

from conftest import tree_digest

SCREENSHOT_COPY = Path("/tmp/workbench-screenshot.png")
WIDGET_RENDER = 120_000  # ms: kernel start, imports, first load of the review
SAVED_ON_DISK = 20  # seconds to wait for the YAML file to change

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (/usr/bin/chromium or chromium on PATH)"
)


@pytest.fixture
def lab(tmp_path) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 (free port, no token, no password) over a copy of the review,
    run by this interpreter so the kernel is the venv's Python; stopped at the end."""
    root = review_copy(tmp_path / "review")
    try:
        with jupyter_lab(root, tmp_path) as running:
            yield running
    except ServerFailed as exc:
        pytest.fail(str(exc))


_local_only = local_only
_chromium = chromium


def _open_workbench(page, lab: Lab):
    """Open notebooks/workbench.ipynb in the lab, run its cell and wait for the workbench."""
    from playwright.sync_api import expect

    page.route("**/*", _local_only)
    page.goto(f"{lab.url}/lab/tree/notebooks/workbench.ipynb?reset")
    page.wait_for_selector(".jp-Notebook .jp-CodeCell", timeout=WIDGET_RENDER)
    # the kernel is up when the toolbar names it and the status bar says it is idle
    kernel = page.locator(".jp-NotebookPanel-toolbar .jp-Toolbar-kernelName")
    expect(kernel).to_contain_text("Python 3", timeout=WIDGET_RENDER)
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=WIDGET_RENDER)
    bench = page.locator(".cb-workbench")
    for attempt in range(2):
        page.locator(".lm-MenuBar-itemLabel", has_text=re.compile(r"^Run$")).click()
        page.locator(".lm-Menu-itemLabel", has_text=re.compile(r"^Run All Cells$")).click()
        try:
            expect(bench).to_be_visible(timeout=WIDGET_RENDER // 2)
            break
        except AssertionError:
            # Seen once on a loaded 2-core machine: the cell ran but the widget view
            # never arrived (the lab's widget manager missed the first comm message).
            # Running the cell again is what a user would do; twice is a failure.
            if attempt:
                raise
    expect(page.locator(".cb-stance-0 select")).to_be_enabled(timeout=WIDGET_RENDER)
    return bench


def test_a_stance_chosen_in_the_browser_is_saved_to_the_claim_file(lab, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    claim_file = next((lab.root / "claims").glob("C01-*.yaml"))
    before = claim_file.read_text(encoding="utf-8")
    screenshot = tmp_path / "workbench-screenshot.png"
    with sync_playwright() as pw:
        browser = _chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2200})
            bench = _open_workbench(page, lab)
            stance = page.locator(".cb-stance-0 select")
            verdict = page.locator(".cb-verdict .cb-rationale")
            expect(verdict).to_be_visible()
            rationale = verdict.inner_text()
            old = stance.input_value()
            new = "contradicts" if old != "contradicts" else "supports"

            stance.select_option(new)

            deadline = time.monotonic() + SAVED_ON_DISK
            while claim_file.read_text(encoding="utf-8") == before:
                if time.monotonic() > deadline:
                    page.screenshot(path=str(screenshot))
                    shutil.copy(screenshot, SCREENSHOT_COPY)
                    pytest.fail(
                        f"{claim_file.name} did not change within {SAVED_ON_DISK} s; "
                        f"the workbench says: {page.locator('.cb-message').inner_text()!r}"
                    )
                time.sleep(0.2)
            expect(page.locator(".cb-message .cb-ok")).to_contain_text("Saved C01", timeout=10_000)
            expect(verdict).not_to_have_text(rationale, timeout=10_000)
            bench.scroll_into_view_if_needed()
            page.screenshot(path=str(screenshot))
        finally:
            browser.close()
    shutil.copy(screenshot, SCREENSHOT_COPY)
    after = claim_file.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert changed == [(f"    stance: {old}", f"    stance: {new}")]


# --------------------------------------------------------------------------- stale views

SHARED_PAPER = "34185846"  # cited by every claim of ROTATION (at different rows)
ROTATION = ["C09", "C10a", "C16a", "C14", "C02", "C05", "C03", "C04", "C17"]
PICKS = ROTATION + ROTATION[:4]  # consecutive picks are always different claims


def _select_of(page, what: str, claim_id: str | None = None):
    """The `what` ('stance', 'design') select of the evidence row citing SHARED_PAPER that is
    on screen now (of `claim_id`'s view if given), once it is drawn; None while between two
    views, for at most SAVED_ON_DISK seconds."""
    view = f".cb-for-{claim_id}" if claim_id else ""
    href = f"https://pubmed.ncbi.nlm.nih.gov/{SHARED_PAPER}/"
    selector = f'.cb-evidence .cb-row{view}:has(a[href="{href}"]) .cb-{what} select'
    deadline = time.monotonic() + SAVED_ON_DISK
    while (found := page.query_selector(selector)) is None and time.monotonic() < deadline:
        pass  # the rows are being replaced, or their widgets not drawn yet
    return found


def _view_of(select) -> str:
    """The claim the row holding `select` was drawn for, from its `cb-for-ID` class."""
    classes = select.evaluate("el => el.closest('.cb-row').className").split()
    return next(c[len("cb-for-") :] for c in classes if c.startswith("cb-for-"))


def _stance_on_file(root: Path, claim_id: str) -> str:
    """The stance the claim file gives SHARED_PAPER for `claim_id`, read as the grading reads it."""
    from claimbook.evidence.review import load_review

    claim = load_review(project=root).claim(claim_id)
    return next(e.stance for e in claim.evidence if e.pmid == SHARED_PAPER)


def _claim_bytes(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((root / "claims").iterdir()) if p.is_file()}


def test_stale_view_never_writes(lab, tmp_path):
    """Edit, pick the next claim and edit again as fast as Playwright can, many times over:
    the edit made right after a pick usually lands in the previous claim's rows, still on
    screen. Each edit must be saved to the claim whose rows it was made in, and an edit made
    in rows that are no longer the current view must write nothing. After every round each
    claim file must equal what the editing API makes of the edits that were current, applied
    to a second copy of the review (other claims' files byte-identical)."""
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import expect, sync_playwright

    from claimbook import edit
    from claimbook.evidence.review import load_review
    from claimbook.folder import ReviewFolder
    from claimbook.vocab import DESIGNS, STANCES

    reference = tmp_path / "reference"
    shutil.copytree(lab.root / "claims", reference / "claims")
    shutil.copytree(lab.root / "data", reference / "data")
    original = _claim_bytes(lab.root)
    data_before = tree_digest(lab.root / "data")
    ref = ReviewFolder.at(reference)
    ids = [c.id for c in load_review(project=reference).claims]
    stance_of = {cid: _stance_on_file(reference, cid) for cid in ROTATION}

    def expect_edit(claim_id: str, **change) -> bool:
        """The same edit through the editing API on the reference copy (refused: nothing)."""
        try:
            edit.update_citation(ref, claim_id, SHARED_PAPER, **change)
        except edit.EditError:
            return False
        if "stance" in change:
            stance_of[claim_id] = change["stance"]
        return True

    stale = fresh = early = 0
    with sync_playwright() as pw:
        browser = _chromium(pw)
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2200})
            _open_workbench(page, lab)
            picker = page.locator(".cb-claim-picker select")
            message = page.locator(".cb-message")
            picker.select_option(index=ids.index(PICKS[0]))
            page.wait_for_selector(f".cb-evidence .cb-for-{PICKS[0]}", timeout=WIDGET_RENDER)
            for before, picked in itertools.pairwise(PICKS):
                # 1. a design edit in the current view keeps the kernel busy for a moment
                design = _select_of(page, "design", before)
                assert design is not None, f"{before}'s rows are not drawn"
                other = (design.evaluate("el => el.selectedIndex") + 1) % len(DESIGNS)
                design.select_option(index=other)
                if not expect_edit(before, design=DESIGNS[other]):  # refused: let it say so
                    expect(message).to_contain_text("Not saved", timeout=SAVED_ON_DISK * 1000)
                # 2. pick the next claim, and 3. at once change a stance in the rows on screen
                picker.select_option(index=ids.index(picked))
                select = _select_of(page, "stance")
                assert select is not None, f"no row citing {SHARED_PAPER} after picking {picked}"
                try:
                    view = _view_of(select)
                    shown = select.input_value()
                    stance = next(s for s in STANCES if s not in (shown, stance_of[picked]))
                    select.select_option(stance, timeout=5_000)
                except PlaywrightError:  # the row went away under the mouse: nothing was sent
                    view = None
                # 4. wait until the kernel has handled all three, then compare every file
                page.wait_for_selector(f".cb-evidence .cb-for-{picked}", timeout=WIDGET_RENDER)
                if view == picked:
                    fresh += 1
                    expect_edit(picked, stance=stance)
                    expect(message).to_contain_text(
                        re.compile(rf"Saved {picked}:|Not saved"), timeout=SAVED_ON_DISK * 1000
                    )
                elif view is not None and _stance_on_file(lab.root, view) == stance:
                    # ipywidgets holds a widget's change back while that widget's previous one
                    # is unanswered (its message throttle), so the pick can reach the kernel
                    # after the edit: the rows were then still the view shown, and the edit
                    # belongs to their claim (the file comparison below checks nothing else)
                    early += 1
                    expect_edit(view, stance=stance)
                elif view is not None:
                    stale += 1  # rows of an earlier view: must write nothing, and say so
                    expect(message).to_contain_text("Not saved", timeout=SAVED_ON_DISK * 1000)
                got, want = _claim_bytes(lab.root), _claim_bytes(reference)
                wrong = [name for name in want if got.get(name) != want[name]]
                assert not wrong and got.keys() == want.keys(), (
                    f"after picking {picked} (the stance edit was made in "
                    f"{view or 'no'} view): {wrong} differ from the edits made in their own "
                    f"view; the workbench says {message.inner_text()!r}"
                )
        finally:
            browser.close()
    print(
        f"{stale} stance edits in a stale view, {fresh} in the current view, {early} "
        "before the pick reached the kernel"
    )
    assert tree_digest(lab.root / "data") == data_before
    touched = {p.name for p in (reference / "claims").iterdir() if p.is_file()
               and original.get(p.name) != p.read_bytes()}  # fmt: skip
    untouched = {name for name in original if name not in touched}
    assert all(_claim_bytes(lab.root)[name] == original[name] for name in untouched)
