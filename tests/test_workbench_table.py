"""The evidence table as one widget, from the kernel's side: a claim switch is one change of
its model (the claim, the view's generation, the rows as data, never HTML); an edit the
browser sends is saved only if it names the view shown, else refused in the view guard's
words; anything malformed is ignored. The browser half is test_workbench_browser.py."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

from claimbook.evidence.review import load_review
from claimbook.jupyter.workbench import Workbench

from conftest import claim_file, tree_digest

SHOWN_FIRST, PICKED_NEXT = "C01", "C07"  # both cite PMID 3735481 in their first row
SHARED = "3735481"


def _said(bench: Workbench) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", bench.message.value))


def _files(review: Path) -> dict[str, dict[str, str]]:
    return {name: tree_digest(review / name) for name in ("claims", "data")}


def _browser_sends(bench: Workbench, content: object) -> None:
    """A custom message from the table's front end, as the comm hands it to the widget."""
    bench.evidence_panel.table._handle_custom_msg(content, [])


def _other(stance: str) -> str:
    return "contradicts" if stance != "contradicts" else "supports"


def test_a_switch_is_one_model_value_holding_the_rows_as_data(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    table = bench.evidence_panel.table
    first = dict(table.table)
    bench.picker.value = PICKED_NEXT
    shown = table.table
    assert shown["claim"] == PICKED_NEXT and shown["generation"] > first["generation"]
    claim = load_review(project=review).claim(PICKED_NEXT)
    assert [r["stance"] for r in shown["rows"]] == [c.stance for c in claim.evidence]
    assert [r["finding"] for r in shown["rows"]] == [c.finding for c in claim.evidence]
    assert shown["rows"][0]["paper"]["ident"] == f"PMID {SHARED}"
    assert shown["rows"][0]["paper"]["href"] == f"https://pubmed.ncbi.nlm.nih.gov/{SHARED}/"


def test_an_edit_sent_for_the_view_shown_is_saved(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    table = bench.evidence_panel.table.table
    new = _other(table["rows"][0]["stance"])
    path = claim_file(review, SHOWN_FIRST)
    _browser_sends(bench, {"claim": SHOWN_FIRST, "generation": table["generation"],
                           "action": "set", "row": 0, "field": "stance", "value": new})  # fmt: skip
    assert f"Saved {SHOWN_FIRST}:" in _said(bench), _said(bench)
    assert f"stance: {new}" in path.read_text(encoding="utf-8")
    assert bench.rows[0].stance.value == new


def test_an_edit_sent_from_the_claim_shown_before_writes_nothing(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    old = dict(bench.evidence_panel.table.table)
    bench.picker.value = PICKED_NEXT
    before = _files(review)
    for content in (
        {"action": "set", "row": 0, "field": "stance", "value": _other(old["rows"][0]["stance"])},
        {"action": "exclude", "row": 0, "reason": "Sent from C01's rows after C07 was picked."},
        {"action": "remove", "row": 0},
    ):
        _browser_sends(bench, {"claim": SHOWN_FIRST, "generation": old["generation"], **content})
        assert _files(review) == before
        assert _said(bench).startswith(f"Not saved: that change was made on {SHOWN_FIRST} after")
    assert bench.claim_id == PICKED_NEXT


def test_an_exclude_sent_without_a_reason_is_refused_and_with_one_is_saved(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    table = bench.evidence_panel.table.table
    n, before = len(bench.rows), _files(review)
    at = {"claim": SHOWN_FIRST, "generation": table["generation"], "action": "exclude", "row": 1}
    _browser_sends(bench, {**at, "reason": "   "})
    assert _files(review) == before and "say why" in _said(bench)
    ident = bench.rows[1].ident
    _browser_sends(bench, {**at, "reason": "Ultramarathon only: not the claim's population."})
    assert len(bench.rows) == n - 1, _said(bench)
    assert ident in {x.pmid for x in load_review(project=review).claim(SHOWN_FIRST).excluded}
    assert bench.evidence_panel.table.table["generation"] > table["generation"]  # rows redrawn


@pytest.mark.parametrize(
    "content",
    [
        None,
        "stance",
        {"claim": SHOWN_FIRST},
        {"claim": SHOWN_FIRST, "generation": "1", "action": "set", "row": 0},
        {"action": "set", "row": 99, "field": "stance", "value": "supports"},
        {"action": "set", "row": -1, "field": "stance", "value": "supports"},
        {"action": "set", "row": 0, "field": "pmid", "value": "1"},
        {"action": "set", "row": 0, "field": "stance", "value": ["supports"]},
        {"action": "set", "row": 0, "field": "finding", "value": "x" * 100_000},
        {"action": "drop table", "row": 0},
    ],
)
def test_a_malformed_message_writes_nothing_and_raises_nothing(review, content):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    table = bench.evidence_panel.table.table
    if isinstance(content, dict) and "claim" not in content:
        content = {"claim": SHOWN_FIRST, "generation": table["generation"], **content}
    before = _files(review)
    _browser_sends(bench, content)
    assert _files(review) == before
    assert "Traceback" not in _said(bench)


def test_the_rows_hold_text_not_html_and_only_http_links(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    row = bench.rows[0]
    hostile = row.rec.model_copy(update={"title": '<img src=x onerror="alert(1)">'})
    cit = row.cit.model_copy(update={"pmid": None, "doi": None, "url": "javascript:alert(1)"})
    from claimbook.jupyter import views

    parts = views.paper_parts(cit, hostile, "<b>note</b>")
    assert parts["title"] == '<img src=x onerror="alert(1)">'  # drawn as text by the table
    assert parts["design_note"] == "<b>note</b>"
    assert parts["href"] == ""  # no link to a script
    js = (Path(views.__file__).parent / "evidence_table.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js
