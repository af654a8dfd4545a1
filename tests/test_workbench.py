"""The review workbench driven from Python, on temp copies of the review: a widget change is
saved through the editing API (only the edited line changes) and the verdict updates at once;
a refused change shows one red line and leaves the file byte-identical; the cite form shows a
paper's record before citing it; the workbench notebook is committed as the builder makes it."""

from __future__ import annotations

import asyncio
import html
import os
import re
import shutil
import subprocess
import sys

import nbformat

from claimbook import edit
from claimbook.claims import load_claims
from claimbook.edit.screening import store_hits
from claimbook.errors import Problem
from claimbook.evidence.review import load_review
from claimbook.jupyter.workbench import Workbench
from claimbook.notebooks.build import is_generated
from claimbook.notebooks.run import review_notebooks
from claimbook.notebooks.workbench_file import WORKBENCH_NOTEBOOK, is_workbench, workbench_notebook

from conftest import ROOT, changed_lines, claim_file


def _other_stance(stance: str) -> str:
    return "contradicts" if stance != "contradicts" else "supports"


def _is_error(bench: Workbench) -> bool:
    return 'class="cb-error"' in bench.message.value


def _said(bench: Workbench) -> str:
    """The message line as the reviewer reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", bench.message.value))


# --------------------------------------------------------------------------- editing


def test_a_stance_set_in_the_table_saves_that_line_and_updates_the_verdict(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    path = claim_file(review, "C01")
    before = path.read_text(encoding="utf-8")
    verdict_before, figure_before = bench.verdict_html.value, bench.figure.value
    row = bench.rows[0]
    new = _other_stance(row.stance.value)

    row.stance.value = new

    assert not _is_error(bench), _said(bench)
    assert "Saved C01" in _said(bench)
    after = path.read_text(encoding="utf-8")
    changed = changed_lines(before, after)
    assert len(changed) == 2, changed  # one line out, one line in
    assert changed[0].strip().startswith("-") and "stance:" in changed[0]
    assert changed[1].strip() == f"+    stance: {new}"
    # the verdict shown is the one a fresh load of the folder grades
    assert bench.verdict_html.value != verdict_before
    fresh = load_review(review / "claims", review / "data").verdict_row("C01")
    assert html.escape(fresh["rationale"]) in bench.verdict_html.value
    assert f">{html.escape(fresh['label'])}<" in bench.verdict_html.value  # the informative label
    assert f">{fresh['certainty']}<" in bench.verdict_html.value
    assert bench.review.verdict_row("C01")["rationale"] == fresh["rationale"]
    # the timeline (inline SVG) moved the paper to its new stance
    point = f'class="cb-point cb-stance-{new}"'
    assert bench.figure.value.count(point) == figure_before.count(point) + 1


def _verdict_note(bench: Workbench) -> str:
    box = bench.verdict_html.value
    return html.unescape(re.sub(r"<[^>]+>", "", box[box.index('<div class="cb-note"') :]))


def test_the_verdict_says_which_cited_stances_are_read_as_context(review):
    """The stances given count every citation, the why's lists only the studies: the note says
    how many cited narrative reviews or guidelines were read as context, so the two agree."""
    bench = Workbench(project=review, claim_id="C01", offline=True)
    rows = load_review(review / "claims", review / "data").table
    rows = rows[rows["claim_id"] == "C01"]
    reviews = rows[rows["design"].isin(["narrative-review", "guideline"])
                   & (rows["stance"] != "context") & ~rows["retracted"]]  # fmt: skip
    assert len(reviews) >= 2  # C01 cites narrative reviews as supporting or against
    note = _verdict_note(bench)
    assert note.startswith("Stances given: ")
    assert f"{len(reviews)} of them are narrative reviews or guidelines" in note, note
    counted = bench.review.verdict_row("C01")["rationale"].split("Context, not counted:")[0]
    for key in reviews["key"]:  # none is among the studies the why counts for or against
        assert key not in counted, (key, counted)

    row = next(r for r in bench.rows if r.key == reviews["key"].iloc[0])
    row.stance.value = "context"  # one of them given the context stance: one fewer to explain

    assert not _is_error(bench), _said(bench)
    assert f"{len(reviews) - 1} of them" in _verdict_note(bench), _verdict_note(bench)


def test_each_edit_is_timed_for_the_benchmark(review):
    """The time from an edit to its verdict is recorded per edit (benchmarks/edit_bench.py
    reports it; timed assertions do not belong in tests)."""
    bench = Workbench(project=review, claim_id="C03", offline=True)
    row = bench.rows[0]
    for _ in range(3):
        row.stance.value = _other_stance(row.stance.value)
        assert not _is_error(bench), _said(bench)
    assert len(bench.timings) == 3 and all(t["verdict_ms"] > 0 for t in bench.timings)


def test_a_refused_edit_shows_one_red_line_and_writes_nothing(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    path = claim_file(review, "C01")
    before = path.read_bytes()
    verdict = bench.verdict_html.value

    bench.rows[0].finding.value = "Too short."

    assert path.read_bytes() == before
    assert _is_error(bench)
    message = _said(bench)
    assert "evidence[0].finding" in message and "at least 20 characters" in message
    assert "Traceback" not in message and "\n" not in message
    assert "claims/C01-" in message  # paths shown relative to the review folder
    assert str(review) not in message
    assert bench.verdict_html.value == verdict

    bench.rows[0].n.value = "a lot"  # not a number: refused before the editing API
    assert path.read_bytes() == before
    assert _is_error(bench) and "whole number" in _said(bench)


def test_a_refused_dropdown_choice_snaps_back_to_what_the_file_holds(review, monkeypatch):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    row = bench.rows[0]
    saved = row.stance.value

    def refuse(*args, **kwargs):
        raise edit.EditError([Problem("claims/C01.yaml", 3, "evidence[0].stance", "no")])

    monkeypatch.setattr(edit, "update_citation", refuse)
    row.stance.value = _other_stance(saved)
    assert _is_error(bench) and "evidence[0].stance: no" in _said(bench)
    assert row.stance.value == saved


def test_editing_a_field_then_excluding_and_signing_off(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    path = claim_file(review, "C01")
    row = bench.rows[1]
    ident = row.ident
    n_rows = len(bench.rows)

    row.note.value = "Checked against the full text."
    assert not _is_error(bench), _said(bench)
    assert "note: Checked against the full text." in path.read_text(encoding="utf-8")

    row.exclude_button.click()
    assert row.confirm.layout.display is None  # the reason box shows
    row.confirm_exclude.click()  # without a reason: refused
    assert _is_error(bench) and "say why" in _said(bench)
    row.reason.value = "Ultramarathon only: not the population the claim is about."
    row.confirm_exclude.click()
    assert not _is_error(bench), _said(bench)
    assert len(bench.rows) == n_rows - 1
    claim = bench.review.claim("C01")
    assert ident not in {c.pmid for c in claim.evidence}
    assert ident in {x.pmid for x in claim.excluded}
    assert "Excluded papers (" in bench.excluded_html.value

    bench.signoff_button.click()  # no reviewer yet
    assert _is_error(bench) and "reviewer" in _said(bench)
    bench.reviewer.value = "A. Reviewer"
    bench.signoff_note.value = "Evidence re-read."
    bench.signoff_button.click()
    assert not _is_error(bench), _said(bench)
    text = path.read_text(encoding="utf-8")
    assert "reviewer: A. Reviewer" in text
    assert "Signed off</b> by A. Reviewer" in bench.signoff_html.value
    assert "Signed off</b> by A. Reviewer" in bench.claim_html.value
    # changing the evidence of a signed-off claim returns it to draft, and the workbench says so
    bench.rows[0].stance.value = _other_stance(bench.rows[0].stance.value)
    assert not _is_error(bench), _said(bench)
    assert "<b>Draft</b>" in bench.signoff_html.value and "(1 draft)" in bench.header.value
    assert "Not yet reviewed (draft)" in html.unescape(bench.verdict_html.value)


def test_advice_is_saved_when_the_field_changes(review):
    bench = Workbench(project=review, claim_id="C02", offline=True)
    path = claim_file(review, "C02")
    advice = "Drink to thirst; a sports drink will not stop cramps from coming on during sport."
    bench.advice.value = advice
    assert not _is_error(bench), _said(bench)
    assert bench.review.claim("C02").advice == advice
    assert "Drink to thirst" in path.read_text(encoding="utf-8")


# --------------------------------------------------------------------------- citing


def _uncited(bench: Workbench, claim_id: str):
    claim = bench.review.claim(claim_id)
    known = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
    known |= {"doi:" + c.doi.lower() for c in [*claim.evidence, *claim.excluded] if c.doi}
    return next(
        r
        for r in bench.review.snapshot
        if r.pmid and r.key not in known and not (r.doi and "doi:" + r.doi.lower() in known)
    )


def test_the_cite_form_shows_the_record_first_then_cites_it(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    path = claim_file(review, "C01")
    rec = _uncited(bench, "C01")
    assert bench.cite_button.disabled

    bench.cite_ident.value = rec.pmid
    bench.lookup_button.click()

    assert not _is_error(bench), _said(bench)
    assert html.escape(rec.title) in bench.record_html.value
    assert str(rec.year) in bench.record_html.value
    assert "in the snapshot" in bench.record_html.value
    assert not bench.cite_button.disabled
    before = path.read_bytes()

    bench.cite_finding.value = "short"  # refused: nothing written, the form stays filled
    bench.cite_button.click()  # the paper is about something else: "cite anyway?" first
    assert "looks unrelated" in _said(bench) and path.read_bytes() == before
    bench.cite_panel.anyway_button.click()
    assert _is_error(bench) and "finding" in _said(bench)
    assert path.read_bytes() == before
    assert bench.cite_ident.value == rec.pmid

    n_rows = len(bench.rows)
    bench.cite_stance.value = "context"
    appraised = bench.session.appraisal(rec)  # cited by another claim: its appraisal is reused
    if appraised is None:
        bench.cite_n.value = "12"
    else:
        assert bench.cite_design.value == appraised.design
        assert bench.cite_n.value == ("" if appraised.n is None else str(appraised.n))
    bench.cite_finding.value = "A paper cited from the workbench test, in the project's words."
    bench.cite_button.click()
    bench.cite_panel.anyway_button.click()
    assert not _is_error(bench), _said(bench)
    assert len(bench.rows) == n_rows + 1
    assert bench.rows[-1].ident == rec.pmid and bench.rows[-1].stance.value == "context"
    assert f'pmid: "{rec.pmid}"' in path.read_text(encoding="utf-8")
    assert bench.cite_ident.value == "" and bench.cite_button.disabled  # the form is reset


def test_typing_another_id_after_a_look_up_disables_cite(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    bench.cite_ident.value = _uncited(bench, "C01").pmid
    bench.lookup_button.click()
    assert not bench.cite_button.disabled
    bench.cite_ident.value = "123"
    assert bench.cite_button.disabled and bench.record_html.value == ""


def test_looking_up_a_cited_paper_or_an_unknown_one_offline_says_so(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    bench.cite_ident.value = bench.rows[0].ident
    bench.lookup_button.click()
    assert _is_error(bench) and "already cited by C01" in _said(bench)
    assert bench.cite_button.disabled

    bench.cite_ident.value = "1"  # not in the snapshot; offline: never fetched
    bench.lookup_button.click()
    assert _is_error(bench) and "Look-up failed" in _said(bench)
    assert bench.cite_button.disabled

    bench.cite_ident.value = "not an id"
    bench.lookup_button.click()
    assert _is_error(bench) and "neither a PMID" in _said(bench)


# --------------------------------------------------------------------------- screening


def test_the_queue_says_how_to_fill_it_when_empty(review):
    bench = Workbench(project=review, claim_id="C03", offline=True)
    text = bench.queue_box.children[0].value
    assert "No saved search yet" in text and "<b>Search PubMed</b>" in text
    assert "cb-search-button" in bench.queue_box.children[1]._dom_classes


def test_queue_hits_can_be_looked_up_and_excluded(review):
    bench = Workbench(project=review, claim_id="C01", offline=True)
    hit = _uncited(bench, "C01")
    store_hits(review, "C01", "cramp[tiab]", 1, [hit])  # a saved search holding one hit
    bench.show_claim("C01")
    assert len(bench.queue_rows) == 1
    row = bench.queue_rows[0]
    row.look.click()
    assert bench.cite_ident.value == hit.pmid
    assert html.escape(hit.title) in bench.record_html.value and not bench.cite_button.disabled

    row.reason.value = "Not about exercise cramps at all."
    row.exclude_button.click()
    assert not _is_error(bench), _said(bench)
    assert hit.pmid in {x.pmid for x in bench.review.claim("C01").excluded}
    assert "Every saved hit is screened" in bench.queue_box.children[0].value


# --------------------------------------------------------------------------- loading


def test_picking_a_claim_shows_it_and_edits_made_elsewhere(review):
    bench = Workbench(project=review, offline=True)
    assert bench.claim_id == "C01"
    assert [v for _, v in bench.picker.options] == [c.id for c in bench.review.claims]
    bench.picker.value = "C02"
    assert bench.claim_id == "C02" and "C02 · " in bench.claim_html.value
    assert "no claim" not in _said(bench)
    # a cite by URL (not in PubMed) is shown but cannot be edited here
    url_rows = [r for r in bench.rows if r.ident is None]
    assert url_rows and all(r.stance.disabled for r in url_rows)

    path = claim_file(review, "C01")
    text = path.read_text(encoding="utf-8")
    old = re.search(r"stance: (\w+)", text).group(1)
    path.write_text(text.replace(f"stance: {old}", f"stance: {_other_stance(old)}", 1))
    bench.picker.value = "C01"
    assert bench.rows[0].stance.value == _other_stance(old)


def test_claims_and_data_folders_may_live_elsewhere(review, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    shutil.move(review / "claims", elsewhere / "claims")
    bench = Workbench(claims=elsewhere / "claims", data=review / "data", offline=True)
    assert not _is_error(bench)
    assert [c.id for c in bench.review.claims] == [c.id for c in load_claims(ROOT / "claims")]
    bench.rows[0].note.value = "Saved where the claims live."
    assert not _is_error(bench), _said(bench)
    path = next((elsewhere / "claims").glob("C01-*.yaml"))
    assert "note: Saved where the claims live." in path.read_text(encoding="utf-8")


def test_a_broken_review_shows_its_problem_not_a_traceback(review):
    path = claim_file(review, "C04")
    path.write_text(path.read_text(encoding="utf-8").replace("stance: supports", "stance: maybe"))
    bench = Workbench(project=review, offline=True)
    assert _is_error(bench)
    assert "claims/C04-" in _said(bench) and "'maybe' is not allowed" in _said(bench)
    assert bench.review is None and bench.rows == []
    shutil.copy(ROOT / "claims" / path.name, path)
    bench.reload_button.click()
    assert not _is_error(bench) and bench.claim_id == "C01" and bench.rows


def _app_after_idle(review, **kwargs) -> tuple[Workbench, str, object]:
    """The app's workbench (`when_idle`) after the kernel's next idle moment, with what its
    claim area said and its review before it."""

    async def idle() -> tuple[Workbench, str, object]:
        bench = Workbench(project=review, offline=True, when_idle=True, **kwargs)
        before = (bench.claim_html.value, bench.review)
        await asyncio.sleep(0)  # the kernel's next idle moment
        return bench, *before

    return asyncio.run(idle())


def test_in_the_app_the_review_is_read_once_the_kernel_is_idle(review):
    """The app's cell returns before the review is read (`when_idle`), so Voilà sends the page
    while the kernel reads and grades it; its widgets are made only once the page says it is
    ready (widgets made while the page's widget manager starts came in out of order, and the
    manager retried until 15-34 s after the start); the claim area says it is loading meanwhile."""

    bench, said_before, review_before = _app_after_idle(review, claim_id="C02")
    assert review_before is None and "Loading C02" in said_before
    assert bench.review is None and bench.rows == []  # read, not yet drawn
    assert "Loading C02" in bench.claim_html.value
    bench.page_ready._handle_custom_msg({"something": "else"}, [])
    assert bench.review is None
    bench.page_ready._handle_custom_msg({"ready": True}, [])  # what the page sends, drawn
    assert bench.claim_id == "C02" and bench.rows and not _is_error(bench)
    assert "Loading" not in bench.claim_html.value
    shown = bench.view
    bench.page_ready._handle_custom_msg({"ready": True}, [])  # a second page: nothing again
    assert bench.view == shown


def test_the_app_without_a_claim_picked_says_it_is_reading_the_review(review):
    bench, said, _ = _app_after_idle(review)
    assert "Reading the review" in said and "Reading the review" in bench.claim_html.value
    bench.page_ready._handle_custom_msg({"ready": True}, [])
    assert bench.claim_id == "C01" and "Reading the review" not in bench.claim_html.value


def test_a_review_refused_while_the_page_loads_is_said_once_it_is_ready(review):
    path = next((review / "claims").glob("C04-*.yaml"))
    path.write_text(path.read_text(encoding="utf-8").replace("stance: supports", "stance: maybe"))
    bench, _, _ = _app_after_idle(review)
    assert not _is_error(bench)
    bench.page_ready._handle_custom_msg({"ready": True}, [])
    assert _is_error(bench) and "'maybe' is not allowed" in _said(bench)
    assert bench.review is None


def test_the_app_draws_its_first_screen_before_pandas_is_imported():
    """The app's kernel imports the workbench before its page is sent; pandas (a third of that
    import) waits for the review to be read, which happens while the browser loads the page."""
    code = "import sys; import claimbook.jupyter.workbench; print('pandas' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


def test_without_an_event_loop_the_review_is_read_at_once(review):
    bench = Workbench(project=review, claim_id="C02", offline=True, when_idle=True)
    assert bench.claim_id == "C02" and bench.rows  # a script has no idle time to wait for


# --------------------------------------------------------------------------- the notebook


def test_the_workbench_notebook_is_committed_as_built_without_outputs():
    path = ROOT / "notebooks" / WORKBENCH_NOTEBOOK
    assert path.read_text(encoding="utf-8") == nbformat.writes(workbench_notebook()) + "\n", (
        f"{path} is not what workbench_notebook() builds: if only its outputs changed, clear "
        "them (Edit > Clear Outputs of All Cells) and save it again"
    )
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")
    assert is_workbench(path) and not is_generated(path)
    assert path not in review_notebooks(ROOT / "notebooks")  # never executed in place
    code = next(c for c in nb.cells if c.cell_type == "code")
    assert "Workbench(" in code.source and "nbval-ignore-output" in code.metadata["tags"]
