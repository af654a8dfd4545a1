"""The workbench's conflicts view without a browser (issue 25, item 3): blind until both
reviewers have voted on every saved hit, in words and with no vote shown; then the papers they
decided differently, as `claimbook conflicts` lists them; settling one writes the claim file,
which grading and the queue then follow. (tests/test_workbench_blind.py does it in a real
browser.)"""

from __future__ import annotations

import html

import pytest
import yaml

from claimbook.claims import load_claims
from claimbook.edit.screening import store_hits
from claimbook.edit.votes import conflicts, record_vote
from claimbook.jupyter.conflicts_panel import BLIND_WORDS
from claimbook.jupyter.workbench import Workbench
from claimbook.pubmed import load_snapshot

from conftest import claim_file, tree_digest


def _shown(bench: Workbench) -> str:
    """The conflicts view's text as the reviewer reads it (HTML unescaped)."""
    parts = []

    def walk(w):
        parts.append(getattr(w, "value", "") if hasattr(w, "value") else "")
        for child in getattr(w, "children", ()):
            walk(child)

    walk(bench.conflicts_panel.conflicts_box)
    return html.unescape(" ".join(str(p) for p in parts))


@pytest.fixture
def hits(review):
    claim = load_claims(review / "claims")[0]
    named = {c.pmid for c in [*claim.evidence, *claim.excluded] if c.pmid}
    records = [r for r in load_snapshot(review / "data" / "pubmed") if r.pmid not in named][:2]
    store_hits(review, claim.id, "q[tiab]", 2, records)
    return review, claim.id, [r.pmid for r in records]


def test_conflicts_are_hidden_while_blind_then_listed_and_settled(hits):
    review, cid, (one, two) = hits
    record_vote(review, cid, one, "Ana", "include")
    record_vote(review, cid, two, "Ana", "exclude", reason="Not about the claim.")
    record_vote(review, cid, one, "Ben", "exclude", reason="Wrong population.")
    bench = Workbench(project=review, claim_id=cid, offline=True)
    bench.reviewer.value = "Ben"
    said = _shown(bench)
    assert BLIND_WORDS in said and "Ana" not in said and "Wrong population" not in said
    assert bench.conflicts_panel.found == []

    record_vote(review, cid, two, "Ben", "exclude", reason="Not about it either.")
    bench.reload()
    said = _shown(bench)
    assert BLIND_WORDS not in said
    assert [c.key for c in bench.conflicts_panel.found] == [c.key for c in conflicts(review, cid)]
    assert [c.key for c in bench.conflicts_panel.found] == [one]  # they agree on the other
    assert "Ana: include" in said and "Ben: exclude (Wrong population.)" in said

    before = tree_digest(review)
    assert not bench.conflicts_panel.exclude(one, "no", view=bench.view)  # too short a reason
    assert tree_digest(review) == before
    assert bench.conflicts_panel.exclude(one, "Adults with another condition.", view=bench.view)
    assert "Settled: excluded (Adults with another condition.)" in _shown(bench)
    excluded = yaml.safe_load(claim_file(review, cid).read_text(encoding="utf-8"))["excluded"]
    assert {"pmid": one, "reason": "Adults with another condition."} in excluded
    assert one not in {r.pmid for r in bench.session.ranked_queue().records}


def test_a_paper_voted_in_is_read_in_full_then_excluded_in_one_step(hits):
    """The "read in full" list holds the papers the reviewer voted in; "Exclude after reading"
    records the full-text vote and the claim's exclusion together (refused: both or neither)."""
    from claimbook.edit.votes import load_votes

    review, cid, (one, two) = hits
    record_vote(review, cid, one, "Ana", "include")
    record_vote(review, cid, two, "Ana", "exclude", reason="Not about the claim.")
    record_vote(review, cid, two, "Ben", "include")  # Ben's, not Ana's
    bench = Workbench(project=review, claim_id=cid, offline=True)
    assert bench.full_text_panel.papers == []  # no reviewer named yet
    bench.reviewer.value = "Ana"
    assert [r.pmid for r in bench.full_text_panel.papers] == [one]

    before = tree_digest(review)
    assert not bench.full_text_panel.exclude(one, "no", view=bench.view)  # too short a reason
    assert tree_digest(review) == before and "reason" in bench.message.value
    reason = "Read in full: no one in it had the condition."
    assert bench.full_text_panel.exclude(one, reason, view=bench.view)
    last = load_votes(review, cid)[-1]
    assert (last.reviewer, last.key, last.stage, last.decision, last.reason) == (
        "Ana", one, "full-text", "exclude", reason,
    )  # fmt: skip
    excluded = yaml.safe_load(claim_file(review, cid).read_text(encoding="utf-8"))["excluded"]
    assert {"pmid": one, "reason": reason} in excluded
    assert bench.full_text_panel.papers == []  # settled: off the list
