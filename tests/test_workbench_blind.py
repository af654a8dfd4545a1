"""Two reviewers screen blind in the workbench app, in a real browser (issue 25): reviewer A
votes on a claim's saved hits; reviewer B, in another window (its own kernel), sees none of
A's votes, no name and no count that would tell them, and the conflicts view says in words
that screening is blind; once B has voted on every hit, the conflicts view lists the papers
they disagree on, and B settles each one in the claim file (one excluded with a reason, one
cited), which is what the claim file, and so grading, then holds.

The review is a copy of the shipped one; the saved hits are two real records of its snapshot
that the claim neither cites nor excludes (no network is needed).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import yaml
from jupyter_servers import CHROMIUM, chromium, review_copy, workbench_app
from test_workbench_app import STEP, _cite, _message, _open, _pick, _saved, _shoot

from conftest import ROOT

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed")

CLAIM = "C01"
ANN, BO = "Ann Lee", "Bo Chen"
SCREENING = (".cb-queue", ".cb-conflicts")  # the shots: the queue and the conflicts view


def _hits(root):
    """Two snapshot records the claim neither cites nor excludes, saved as its search hits."""
    from claimbook.claims.load import load_claims
    from claimbook.edit.screening import store_hits
    from claimbook.pubmed.store import load_snapshot

    claim = next(c for c in load_claims(root / "claims") if c.id == CLAIM)
    known = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
    snapshot = load_snapshot(root / "data" / "pubmed")
    hits = [r for r in snapshot if r.pmid and r.key not in known][:2]
    assert len(hits) == 2
    store_hits(root, CLAIM, "cramp[tiab]", 2, hits)
    return hits


def _as(page, name: str) -> None:
    from playwright.sync_api import expect

    page.locator(".cb-reviewer input").fill(name)
    page.locator(".cb-reviewer input").press("Tab")
    _pick(page, CLAIM)
    expect(page.locator(".cb-queue .cb-queue-head")).to_be_visible(timeout=STEP)


def _vote(page, pmid: str, decision: str, reason: str = "") -> None:
    """Vote on the queue row of `pmid` (rows are drawn again after each vote)."""
    from playwright.sync_api import expect

    rows = page.locator(".cb-queue [class*='cb-queue-row-']")
    row = rows.filter(has_text=f"PMID {pmid}")
    expect(row).to_have_count(1, timeout=STEP)
    if reason:
        row.locator("[class*='cb-queue-reason-'] input").fill(reason)
    row.locator(f"[class*='cb-vote-{decision}-']").click()
    expect(_message(page).locator(".cb-ok")).to_contain_text(
        f"votes {decision} for {pmid}", timeout=STEP
    )


def test_blind_screening_hides_the_other_reviewer_until_both_are_done(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from claimbook.jupyter.conflicts_panel import BLIND_WORDS

    root = review_copy(tmp_path / "review")
    first, second = (h.pmid for h in _hits(root))
    claim_file = next((root / "claims").glob(f"{CLAIM}-*.yaml"))
    with workbench_app(root, tmp_path) as app, sync_playwright() as pw:
        browser = chromium(pw)
        try:
            ann = browser.new_page(viewport={"width": 1280, "height": 1400})
            _open(ann, app.url)
            _as(ann, ANN)
            _vote(ann, first, "include")
            _vote(ann, second, "exclude", "Not about this claim.")
            expect(ann.locator(".cb-conflicts-blind")).to_contain_text(BLIND_WORDS[:40])

            bo = browser.new_page(viewport={"width": 1280, "height": 1400})
            _open(bo, app.url)  # a window of its own: a kernel of its own
            _as(bo, BO)
            bench = bo.locator(".cb-workbench")
            queue = bo.locator(".cb-queue")
            expect(queue.locator("[class*='cb-queue-row-']")).to_have_count(2, timeout=STEP)
            expect(queue.locator(".cb-queue-head")).to_contain_text("2 hits to screen")
            expect(queue.locator(".cb-queue-head")).to_contain_text("blind screening")
            expect(bo.locator(".cb-conflicts-blind")).to_have_text(BLIND_WORDS)
            said = bench.inner_text()
            assert ANN not in said and "Not about this claim." not in said
            assert queue.locator(".cb-others-votes").count() == 0
            assert "vote of" not in said and "votes of" not in said  # no count of hidden votes
            _shoot(bo, tmp_path, "8-blind", SCREENING)
            _vote(bo, first, "exclude", "Wrong population for it.")
            assert ANN not in bench.inner_text()  # B is not done yet: still blind
            expect(bo.locator(".cb-conflicts-blind")).to_be_visible()
            _vote(bo, second, "include")  # both done: the conflicts appear

            conflicts = bo.locator(".cb-conflicts .cb-conflict")
            expect(conflicts).to_have_count(2, timeout=STEP)
            one = conflicts.filter(has_text=f"PMID {first}")
            expect(one).to_contain_text(f"{ANN}: include")
            expect(one).to_contain_text(f"{BO}: exclude (Wrong population for it.)")
            two = conflicts.filter(has_text=f"PMID {second}")
            expect(two).to_contain_text(f"{ANN}: exclude (Not about this claim.)")
            assert bo.locator(".cb-conflicts-blind").count() == 0
            _shoot(bo, tmp_path, "9-conflicts", SCREENING)
            # settle the first: out, with a reason
            one.locator("[class*='cb-conflict-reason-'] input").fill("Adults with other cramps.")
            one.locator("[class*='cb-conflict-exclude-']").click()
            _saved(bo, f"excluded {first}")
            one = bo.locator(".cb-conflicts .cb-conflict").filter(has_text=f"PMID {first}")
            expect(one).to_contain_text("Settled: excluded (Adults with other cramps.)")
            # settle the second: in, cited through the cite form it opens
            two = bo.locator(".cb-conflicts .cb-conflict").filter(has_text=f"PMID {second}")
            two.locator("[class*='cb-conflict-include-']").click()
            expect(bo.locator(".cb-cite-ident input")).to_have_value(second, timeout=STEP)
            _cite(bo, second, "context", "Read in full after the reviewers disagreed on it.",
                  looked_up=True)  # fmt: skip
            two = bo.locator(".cb-conflicts .cb-conflict").filter(has_text=f"PMID {second}")
            expect(two).to_contain_text("Settled: included (cited as context)", timeout=STEP)
            # A's window, read again from disk, now shows the conflicts, settled
            ann.locator(".cb-reload").click()
            settled = ann.locator(".cb-conflicts .cb-conflict")
            expect(settled).to_have_count(2, timeout=STEP)
            expect(settled.filter(has_text=f"PMID {first}")).to_contain_text("Settled: excluded")
            expect(settled.filter(has_text=f"PMID {second}")).to_contain_text(f"{BO}: include")
        finally:
            browser.close()
    assert app.returncode == 0

    claim = yaml.safe_load(claim_file.read_text(encoding="utf-8"))
    assert {"pmid": first, "reason": "Adults with other cramps."} in claim["excluded"]
    cited = {str(c["pmid"]): c for c in claim["evidence"] if c.get("pmid")}
    assert cited[second]["stance"] == "context"
    listed = subprocess.run(
        [sys.executable, "-m", "claimbook.cli", "conflicts", CLAIM, "--project", str(root)],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
    )  # fmt: skip
    assert listed.returncode == 0 and f"{CLAIM}: 2 conflicts." in listed.stdout
