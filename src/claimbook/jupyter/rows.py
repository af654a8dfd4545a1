"""The rows of the workbench: one `CitationWidgets` per citation of the claim shown (the
evidence table), one `HitWidgets` per saved search hit (the screening queue).

A row never asks which claim is shown: it was drawn for one `View` (a claim and a generation
number) and names that view, and its own paper, in every action it sends to the session. Its
callbacks go through `Controls.bind`, so a row left over from another claim, or from before
the rows were redrawn, writes nothing. Both kinds share `PaperWidgets`: the paper, the view,
the box marked `cb-for-ID` and excluding the paper with the reason typed in the row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, make, styled
from claimbook.jupyter.session import View, ident_of, parse_n
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import DESIGNS, STANCES, design_label

__all__ = ["CitationWidgets", "HitWidgets", "PaperWidgets", "design_options", "shown_value"]

CITATION_FIELDS = ("stance", "design", "n", "finding", "note")


def design_options() -> list[tuple[str, str]]:
    return [(design_label(d), d) for d in DESIGNS]


def shown_value(field: str, value: Any) -> Any:
    """A citation field as its widget shows it (a Text holds '' for no n or note)."""
    if field in ("n", "note"):
        return "" if value is None else str(value)
    return value


class PaperWidgets:
    """What both kinds of row share: the paper they name (`ident`), the view they were drawn
    for, and excluding the paper with the reason typed in `reason`."""

    reason: widgets.Text

    def __init__(self, controls: Controls, view: View, ident: str | None) -> None:
        self.controls, self.session, self.view, self.ident = (
            controls, controls.session, view, ident,
        )  # fmt: skip

    def _own(self, widget: widgets.Widget, *classes: str) -> Any:
        return self.controls.own(widget, *classes)

    def _on(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler` as a callback that runs only while this row's view is shown."""
        return self.controls.bind(self.view, handler)

    def _box(self, box: widgets.Box, *classes: str) -> widgets.Box:
        """The row's box, marked with the claim it was drawn for."""
        return styled(box, *classes, f"cb-for-{self.view.claim_id}")

    def _exclude(self) -> None:
        reason = self.reason.value.strip()
        if not reason:
            self.controls.show_error(f"Not excluded: say why {self.ident} is excluded")
            return
        self.controls.act(lambda: self.session.exclude(self.ident, reason, view=self.view))


class CitationWidgets(PaperWidgets):
    """One citation of the claim shown as a row of widgets; each change saves that field of
    that citation of that claim (the ones the row was drawn for), or nothing. A citation by
    URL only (not in PubMed) is shown but cannot be edited here.

    A row is redrawn for every view, so it is kept small: its widgets share their layouts and
    styles and are born with their classes (`controls.make`), and the confirmation under it
    (a reason to exclude, or remove? yes/cancel) is made only when it is first asked for."""

    def __init__(
        self, controls: Controls, view: View, i: int, cit: Any, rec: PaperRecord | None,
        notes: dict,
    ) -> None:  # fmt: skip
        super().__init__(controls, view, ident_of(cit.pmid, cit.doi))
        self.index, self.cit, self.rec = i, cit, rec
        self.key = rec.key if rec is not None else cit.key  # as the evidence table keys it
        self.label = make(widgets.HTML, f"cb-paper-{i}", "cb-paper", width="14em",
                          value=views.paper_label(cit, rec, notes.get(self.key)))  # fmt: skip
        self._build_fields(i)
        self._confirm: widgets.HBox | None = None
        self._confirm_widgets: dict[str, widgets.Widget] = {}
        # one box, laid out as a grid by workbench.css (paper, stance, design and n, then
        # finding over note and exclude over remove): a row is nine widgets for the browser
        # to draw, not thirteen
        self.box = make(widgets.Box, f"cb-row-{i}", "cb-row", "cb-row-fields",
                        f"cb-for-{view.claim_id}",
                        children=[self.label, self.stance, self.design, self.n, self.finding,
                                  self.exclude_button, self.note, self.remove_button])  # fmt: skip
        if self.ident is None:
            return
        for field in CITATION_FIELDS:
            getattr(self, field).observe(self._on(functools.partial(self._changed, field)), "value")
        self.exclude_button.on_click(self._on(lambda _b: self._ask("exclude")))
        self.remove_button.on_click(self._on(lambda _b: self._ask("remove")))

    def _build_fields(self, i: int) -> None:
        """The citation's fields and the row's two buttons (disabled if it cannot be edited)."""
        cit, tip, fixed = self.cit, f"{self.ident or self.cit.url}", self.ident is None

        def own(name: str, kind: type, **options: Any) -> Any:
            widget = make(kind, f"cb-{name}-{i}", f"cb-{name}", disabled=fixed, **options)
            return self._own(widget)

        self.stance = own("stance", widgets.Dropdown, options=list(STANCES), value=cit.stance,
                          width="9em", tooltip=f"Stance of {tip}")  # fmt: skip
        self.design = own("design", widgets.Dropdown, options=design_options(),
                          value=cit.design, width="12em", tooltip=f"Design of {tip}")  # fmt: skip
        self.n = own("n", widgets.Text, value=shown_value("n", cit.n), placeholder="n",
                     continuous_update=False, width="5em",
                     tooltip=f"Participants in {tip}")  # fmt: skip
        self.finding = own("finding", widgets.Textarea, value=cit.finding,
                           continuous_update=False, tooltip=f"Finding of {tip}",
                           layout={"width": "100%", "height": "6.5em"})  # fmt: skip
        self.note = own("note", widgets.Text, value=shown_value("note", cit.note),
                        placeholder="note (optional)", continuous_update=False, width="100%",
                        tooltip=f"Note on {tip}")  # fmt: skip
        self.exclude_button = own(
            "exclude", widgets.Button, description="Exclude…", icon="ban", width="8em",
            tooltip=f"Exclude {tip} from the evidence, with a reason")  # fmt: skip
        self.remove_button = own("remove", widgets.Button, description="Remove…", icon="trash",
                                 width="8em",
                                 tooltip=f"Remove the citation of {tip} (a mistake, not a "
                                 "screening decision: use Exclude for that)")  # fmt: skip

    def _confirm_widget(self, name: str) -> Any:
        """One widget of the confirmation under the row, made when first asked for: a widget
        of a view that has ended is made disabled, its callbacks still go through the view."""
        if name not in self._confirm_widgets:
            self._confirm_widgets[name] = widget = self._make_confirm(name)
            if self.session.is_current(self.view):
                self._own(widget)
            else:
                widget.disabled = True
        return self._confirm_widgets[name]

    def _make_confirm(self, name: str) -> widgets.Widget:
        i = self.index
        if name == "reason":
            return make(widgets.Text, f"cb-exclude-reason-{i}", width="30em",
                        placeholder="why it is excluded (at least 5 characters)")  # fmt: skip
        if name == "cancel":
            button = make(widgets.Button, description="Cancel", width="7em")
            button.on_click(self._on(lambda _b: self._hide()))
            return button
        what = "Exclude" if name == "confirm_exclude" else "Remove"
        button = make(widgets.Button, f"cb-{what.lower()}-confirm-{i}", description=what,
                      button_style="danger", width="8em")  # fmt: skip
        act = self._exclude if what == "Exclude" else self._remove
        button.on_click(self._on(lambda _b: act()))
        return button

    reason = property(lambda self: self._confirm_widget("reason"))
    confirm_exclude = property(lambda self: self._confirm_widget("confirm_exclude"))
    confirm_remove = property(lambda self: self._confirm_widget("confirm_remove"))
    cancel = property(lambda self: self._confirm_widget("cancel"))

    @property
    def confirm(self) -> widgets.HBox:
        """The line under the row that asks to confirm (hidden until asked; made then)."""
        if self._confirm is None:
            self._confirm = styled(
                widgets.HBox([], layout=widgets.Layout(display="none")), "cb-line"
            )
            self.box.children = (*self.box.children, self._confirm)
        return self._confirm

    def refresh_label(self, notes: dict[str, Any]) -> None:
        self.label.value = views.paper_label(self.cit, self.rec, notes.get(self.key))

    def _changed(self, field: str, change: dict) -> None:
        value = change["new"]
        if field == "n":
            try:
                value = parse_n(value)
            except ValueError as exc:
                self.controls.show_error(f"Not saved: {exc}")
                self.show_saved(field)
                return
        elif field == "note":
            value = value.strip() or None
        changes = {field: value}
        if not self.controls.act(
            lambda: self.session.update_citation(self.ident, view=self.view, **changes)
        ):
            self.show_saved(field)

    def show_saved(self, field: str) -> None:
        """Put one field back to what the claim file holds (as last read or saved), so a
        refused value does not stay on screen as if it were saved."""
        cit = self.session.citation(self.view.claim_id, self.cit.key) or self.cit
        with self.controls.quietly():
            getattr(self, field).value = shown_value(field, getattr(cit, field))

    def _ask(self, what: str) -> None:
        if what == "exclude":
            self.confirm.children = [self.reason, self.confirm_exclude, self.cancel]
        else:
            question = widgets.HTML(views.remove_question(self.ident))
            self.confirm.children = [question, self.confirm_remove, self.cancel]
        self.confirm.layout.display = None

    def _hide(self) -> None:
        self.confirm.layout.display = "none"
        self.reason.value = ""

    def _remove(self) -> None:
        self.controls.act(lambda: self.session.uncite(self.ident, view=self.view))


class HitWidgets(PaperWidgets):
    """One saved search hit: the reviewer's vote (include, or exclude with a reason), look it
    up (into the cite form, by `look_up(hit, view)`) or exclude it from the claim with a
    reason; `others`: the other reviewers' votes the reviewer may see."""

    def __init__(
        self, controls: Controls, view: View, i: int, hit: PaperRecord,
        look_up: Callable[[PaperRecord, View], Any], others: list[str] | None = None,
    ) -> None:  # fmt: skip
        super().__init__(controls, view, ident_of(hit.pmid, hit.doi) or "")
        self.hit = hit
        self.label = make(widgets.HTML, value=views.hit_label(hit) + views.others_votes(others),
                          layout={"flex": "1 1 20em"})  # fmt: skip

        def button(css: str, w: str, **options: Any) -> widgets.Button:
            return self._own(make(widgets.Button, f"{css}-{i}", width=w, **options))

        self.vote_in = button("cb-vote-include", "7em", description="Include", icon="thumbs-up",
                              tooltip="Your vote: relevant, read it in full")  # fmt: skip
        self.vote_out = button(
            "cb-vote-exclude", "7em", description="Vote out", icon="thumbs-down",
            tooltip="Your vote: not relevant (say why in the reason)")  # fmt: skip
        self.vote_in.on_click(self._on(lambda _b: self._vote("include")))
        self.vote_out.on_click(self._on(lambda _b: self._vote("exclude")))
        self.look = button("cb-queue-lookup", "8em", description="Look up", icon="search",
                           tooltip="Show its record in the cite form")  # fmt: skip
        self.reason = self._own(make(widgets.Text, f"cb-queue-reason-{i}", width="16em",
                                     placeholder="reason to exclude"))  # fmt: skip
        self.exclude_button = button("cb-queue-exclude", "8em", description="Exclude",
                                     icon="ban")  # fmt: skip
        self.look.on_click(self._on(lambda _b: look_up(hit, view)))
        self.exclude_button.on_click(self._on(lambda _b: self._exclude()))
        self.box = make(
            widgets.HBox, f"cb-queue-row-{i}", "cb-line", f"cb-for-{view.claim_id}",
            children=[self.label, self.vote_in, self.vote_out, self.look, self.reason,
                      self.exclude_button],
        )  # fmt: skip

    def _vote(self, decision: str) -> None:
        reason = self.reason.value
        try:
            vote = self.session.vote(self.ident, decision, reason, view=self.view)
        except Exception as exc:
            self.controls.show_error(exc)
            return
        self.controls.show_ok(f"Recorded: {vote.reviewer} votes {decision} for {self.ident}.")
