"""The workbench's panels, but the cite form (`cite_panel.py`): the review bar (title, claim
picker, reload), the claim (text, verdict, timeline), the evidence table, the screening queue,
the advice and the sign-off.

Each panel builds its widgets, observes the `ReviewSession` (redraws when it says a view
ended, was shown or its claim was edited) and turns clicks into session actions through its
`Controls`; `children` is what the app puts on screen. A panel knows the session, never the
app or another panel.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.evidence.grading import read_as_context
from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, heading, make, styled, width
from claimbook.jupyter.evidence_table import CitationRow, EvidenceTable, on_message, table_data
from claimbook.jupyter.rows import HitWidgets
from claimbook.jupyter.session import Change, ShownAsLastRead, View
from claimbook.jupyter.timeline import timeline_svg
from claimbook.pubmed.store import PaperRecord

__all__ = ["AdvicePanel", "ClaimPanel", "EvidencePanel", "QueuePanel", "ReviewBar", "SignoffPanel"]

MAX_QUEUE = 50  # screening hits shown at once
WIDE = "min(100%, 60em)"


class Panel:
    """A panel: its `Controls` (and so its session), the widgets it puts on screen
    (`children`) and `on_change`, which the session calls with every `Change`."""

    children: list[widgets.Widget]

    def __init__(self, controls: Controls) -> None:
        self.controls, self.session = controls, controls.session
        controls.session.observe(self.on_change)

    def on_change(self, change: Change) -> None:
        raise NotImplementedError


class ReviewBar(Panel):
    """The review's title and size, the claim picker and the Reload button."""

    def __init__(self, controls: Controls) -> None:
        self.header = styled(widgets.HTML(), "cb-header")
        self.picker = styled(
            widgets.Dropdown(description="Claim", options=[], layout=width(WIDE)),
            "cb-claim-picker",
        )
        self.reload_button = styled(
            widgets.Button(
                description="Reload from disk",
                icon="refresh",
                tooltip="Read every claim file and the snapshot again (after editing them "
                "elsewhere)",
            ),
            "cb-reload",
        )
        super().__init__(controls)
        self.picker.observe(controls.guard(self._on_pick), names="value")
        self.reload_button.on_click(controls.guard(lambda _b: self.reload()))
        line = styled(widgets.HBox([self.picker, self.reload_button]), "cb-line")
        self.children = [self.header, line]

    def on_change(self, change: Change) -> None:
        review = self.session.review
        if change.kind == "loaded":
            options = [(f"{c.id} · {c.title}", c.id) for c in review.claims] if review else []
            with self.controls.quietly():
                self.picker.options = options
        elif change.kind == "shown" and self.picker.value != change.view.claim_id:
            with self.controls.quietly():
                self.picker.value = change.view.claim_id
        if change.kind != "ended":  # the count of drafts may change with any edit
            self.header.value = views.header(review, self.session.folder.root)

    def reload(self, claim_id: str | None = None) -> None:
        """Read the whole review again and show `claim_id` (by default the claim shown)."""
        try:
            self.session.load(claim_id)
        except Exception as exc:  # never a traceback, even from a figure
            self.controls.show_error(exc)

    def pick(self, claim_id: str | None) -> None:
        """Show another claim; a claim file broken since it was read is shown as last read,
        with its problem in the message line."""
        try:
            self.session.select(claim_id)
        except ShownAsLastRead as exc:
            self.controls.show_error(exc)

    def _on_pick(self, change: dict) -> None:
        if change["new"]:
            self.controls.message.value = ""
            self.pick(change["new"])


class ClaimPanel(Panel):
    """The claim shown: its text and state, its live verdict and its timeline (inline SVG,
    `jupyter.timeline`, drawn once the rest of the view is sent: a late observer). For a claim
    picked it is told after the other panels have taken the old claim's widgets off, so the
    claim named on screen and the forms below it never disagree."""

    def __init__(self, controls: Controls) -> None:
        self.claim_html = styled(widgets.HTML(), "cb-claim")
        self.verdict_html = styled(widgets.HTML(), "cb-verdict")
        self.figure = styled(widgets.HTML(), "cb-figure")
        super().__init__(controls)
        controls.session.observe(self._on_figure, late=True)  # after the evidence table
        self.children = [self.claim_html, self.verdict_html, self.figure]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended" and change.clear:
            self.claim_html.value = (
                views.loading(change.next_claim)
                if change.next_claim
                else views.no_claim(self.session.review)
            )
            self.verdict_html.value = self.figure.value = ""
        elif change.kind == "loaded" and self.session.view is None:
            self.claim_html.value = views.no_claim(self.session.review)
        elif change.kind in ("shown", "graded", "edited"):  # graded: an edit's verdict, first
            claim = self.session.claim
            self.verdict_html.value = views.verdict(
                claim, self.session.verdict(), self._as_context()
            )
            self.claim_html.value = views.claim_text(claim, self.session.folder.root)

    def _as_context(self) -> int:
        """How many of the claim's live citations the grading reads as context for their
        design although given a stance for or against (`read_as_context`)."""
        review = self.session.review
        rows = review.table[(review.table["claim_id"] == self.session.claim_id)
                            & ~review.table["retracted"]]  # fmt: skip
        return read_as_context(rows["design"], rows["stance"], review.rules)

    def _on_figure(self, change: Change) -> None:
        if change.kind in ("shown", "edited"):
            claim_id, table = self.session.claim_id, self.session.review.table
            rows = table[table["claim_id"] == claim_id].to_dict("records")
            self.figure.value = timeline_svg(rows, claim_id)


class EvidencePanel(Panel):
    """The evidence table (one `EvidenceTable` widget, a `CitationRow` per citation) and the
    excluded papers. A claim switch is one change of the table's model: its rows as data."""

    def __init__(self, controls: Controls) -> None:
        self.table = EvidenceTable()
        self.evidence_box = styled(widgets.VBox([self.table]), "cb-evidence")
        self.excluded_html = styled(widgets.HTML(), "cb-excluded")
        self.rows: list[CitationRow] = []
        self.controls, self.session = controls, controls.session
        # told first: a claim picked is drawn here before the other panels take their widgets
        # off, so the table is the first message of a switch, not the fifteenth
        controls.session.observe(self.on_change, first=True)
        self.table.on_msg(
            controls.guard(lambda _w, content, _b: on_message(controls, lambda: self.rows, content))
        )
        self.children = [
            heading("Evidence", "one row per citation; a change is saved when you leave the field"),
            widgets.HTML(views.APPRAISAL_NOTE),
            self.evidence_box,
            self.excluded_html,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended":
            self.rows = []
            if change.clear:  # not told of a claim picked (see __init__): the folder reloaded
                self.table.table = {}
                self.excluded_html.value = ""
        elif change.kind == "shown":
            self._draw(change.view)
        elif change.kind == "edited":  # a changed design may change what PubMed's says
            notes = self.session.design_notes()
            if [row.refresh_label(notes) for row in self.rows].count(True):
                self.table.send({"kind": "labels", "generation": change.view.generation,
                                 "papers": [row.paper for row in self.rows]})  # fmt: skip

    def _draw(self, view: View) -> None:
        claim, notes = self.session.claim, self.session.design_notes()
        self.rows = [
            CitationRow(self.controls, self.table, view, i, cit, self.session.record_of(cit), notes)
            for i, cit in enumerate(claim.evidence)
        ]
        self.table.table = table_data(view, self.rows)
        self.excluded_html.value = views.excluded(claim)


class QueuePanel(Panel):
    """The screening queue: the saved search hits the claim neither cites nor excludes, and
    the reviewer has not voted on, ranked by the reviewer's decisions (with why, and the
    stopping hint), one `HitWidgets` row each; `look_up(hit, view)` puts a hit into the cite
    form. The other reviewers' votes show only once screening is no longer blind."""

    def __init__(self, controls: Controls, look_up: Callable[[PaperRecord, View], Any]) -> None:
        self.queue_box = styled(widgets.VBox(), "cb-queue")
        self.queue_rows: list[HitWidgets] = []
        self._look_up = look_up
        self._query: str | None = None  # the claim's query when the queue was drawn
        super().__init__(controls)
        self.children = [
            heading("Screening queue", "saved PubMed hits neither cited nor excluded"),
            self.queue_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended":
            self.queue_rows = []
            if change.clear:
                self.queue_box.children = ()
        elif change.kind == "shown":
            self._draw(change.view)
        elif change.kind == "edited" and self.session.claim.query != self._query:
            self._draw(change.view)  # a query written or changed: what the queue offers

    def redraw(self) -> None:
        """Draw the queue again (the reviewer or blind mode changed)."""
        if self.session.view is not None:
            self._draw(self.session.view)

    def _search_button(self, view: View, again: bool) -> widgets.Button:
        button = self.controls.own(
            widgets.Button(description="Search PubMed again" if again else "Search PubMed",
                           icon="search", tooltip="Run the claim's query and save its hits"),
            "cb-search-button",
        )  # fmt: skip
        button.on_click(self.controls.bind(view, lambda _b: self._search(view)))
        return button

    def _search(self, view: View) -> None:
        try:
            n = self.session.search_and_save(view=view)
        except Exception as exc:
            self.controls.show_error(exc)
            return
        self.controls.show_ok(f"Saved the search: {n} hit{'s' if n != 1 else ''} to screen.")

    def _draw(self, view: View) -> None:
        self.queue_rows = []
        self._query = self.session.claim.query
        try:
            queue = self.session.ranked_queue()
        except Exception as exc:
            text = f"Screening queue: {self.session.one_line(exc)}"
            self.queue_box.children = [widgets.HTML(views.message(text, "error"))]
            return
        claim = self.session.claim
        if queue is None or not queue.records:
            empty = widgets.HTML(views.queue_empty(claim, queue is not None, queue))
            button = [self._search_button(view, queue is not None)] if claim.query else []
            self.queue_box.children = [empty, *button]
            return
        head = widgets.HTML(views.queue_head(len(queue.records), queue, MAX_QUEUE))
        self.queue_rows = [
            HitWidgets(self.controls, view, i, hit, self._look_up, queue.others.get(hit.key))
            for i, hit in enumerate(queue.records[:MAX_QUEUE])
        ]
        self.queue_box.children = [head, *(r.box for r in self.queue_rows)]


class AdvicePanel(Panel):
    """What to tell a client: one text area, saved when the reviewer leaves it."""

    def __init__(self, controls: Controls) -> None:
        self.advice_box = styled(widgets.VBox(), "cb-advice-box")
        self.advice: widgets.Textarea | None = None
        self._view: View | None = None  # the view the advice was drawn for
        super().__init__(controls)
        self.children = [heading("What to tell a client", "saved when you leave the field"),
                         self.advice_box]  # fmt: skip

    def on_change(self, change: Change) -> None:
        if change.kind == "ended" and change.clear:
            self.advice_box.children = ()
        elif change.kind == "shown":
            if change.edit and self.advice is not None and change.view.same_pick(self._view):
                return  # the rows redrawn after an edit: the advice stays
            self._view = change.view
            self.advice = self.controls.own(
                make(
                    widgets.Textarea,
                    "cb-advice",
                    value=self.session.claim.advice or "",
                    placeholder="What to tell a client, in plain words (at least 20 characters)",
                    continuous_update=False,
                    layout={"width": WIDE, "height": "5em"},
                ),
                claim=True,
            )
            on = self.controls.bind(change.view, self._on_advice, claim=True)
            self.advice.observe(on, names="value")
            self.advice_box.children = [self.advice]

    def _on_advice(self, change: dict) -> None:
        advice, saved = self.advice, self.session.claim.advice or ""  # bind: this view's
        if not self.controls.act(lambda: self.session.set_advice(change["new"])):
            with self.controls.quietly():  # show what the file holds, not the refused text
                advice.value = saved


class SignoffPanel(Panel):
    """The claim's sign-off state, and the form to sign it off (by the session's reviewer,
    typed at the top; the note belongs to the view)."""

    def __init__(self, controls: Controls) -> None:
        self.signoff_html = styled(widgets.HTML(), "cb-signoff-state")
        self.signoff_form = styled(widgets.HBox(), "cb-line")
        self.signoff_box = styled(
            widgets.VBox([self.signoff_html, self.signoff_form]), "cb-signoff"
        )
        self.signoff_note: widgets.Text | None = None
        self.signoff_button: widgets.Button | None = None
        self._note = ""  # the note typed in the view that ended, for its redrawing
        self._view: View | None = None  # the view the form was drawn for
        super().__init__(controls)
        self.children = [
            heading("Sign-off", "vouch that this claim's evidence has been checked"),
            self.signoff_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended":
            self._note = self.signoff_note.value if self.signoff_note and not change.clear else ""
            if change.clear:
                self.signoff_html.value = ""
                self.signoff_form.children = ()
        elif change.kind in ("shown", "edited"):
            self.signoff_html.value = views.claim_state(self.session.claim)
        if change.kind == "shown":
            kept = change.edit and self.signoff_note is not None
            if not (kept and change.view.same_pick(self._view)):  # else kept through an edit
                self._build(change.view, self._note if change.edit else "")

    def _build(self, view: View, note: str) -> None:
        """The note and the button, for the claim as picked: they stay when an edit redraws
        its rows, so the button signs off the view shown when it is pressed."""
        self._view = view
        self.signoff_note = self.controls.own(
            make(widgets.Text, "cb-signoff-note", value=note, description="Note",
                 placeholder="optional", width="30em"), claim=True,
        )  # fmt: skip
        self.signoff_button = self.controls.own(
            make(widgets.Button, "cb-signoff-button", description="Sign off", icon="check",
                 button_style="success"), claim=True,
        )  # fmt: skip
        self.signoff_button.on_click(
            self.controls.bind(view, lambda _b: self.sign_off(self.session.view), claim=True)
        )
        self.signoff_form.children = [self.signoff_note, self.signoff_button]

    def sign_off(self, view: View | None = None) -> bool:
        """Sign the claim of `view` off with the reviewer's name and the note typed."""
        note = self.signoff_note.value if self.signoff_note else ""
        reviewer = self.session.reviewer
        ok = self.controls.act(lambda: self.session.sign_off(reviewer, note, view=view))
        if ok:
            with self.controls.quietly():
                self.signoff_note.value = ""
        return ok
