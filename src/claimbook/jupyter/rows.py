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
from claimbook.jupyter.controls import Controls, styled, width
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
    URL only (not in PubMed) is shown but cannot be edited here."""

    def __init__(
        self, controls: Controls, view: View, i: int, cit: Any, rec: PaperRecord | None,
        notes: dict,
    ) -> None:  # fmt: skip
        super().__init__(controls, view, ident_of(cit.pmid, cit.doi))
        self.index, self.cit, self.rec = i, cit, rec
        self.key = rec.key if rec is not None else cit.key  # as the evidence table keys it
        self.label = styled(
            widgets.HTML(views.paper_label(cit, rec, notes.get(self.key)), layout=width("14em")),
            f"cb-paper-{i}",
        )
        self._build_fields(i)
        self._build_confirm(i)
        self.box = self._box(
            widgets.VBox([
                styled(widgets.HBox([
                    self.label, self.stance, self.design, self.n,
                    widgets.VBox([self.finding, self.note], layout=widgets.Layout(flex="1 1 auto")),
                    widgets.VBox([self.exclude_button, self.remove_button]),
                ]), "cb-row-fields"),
                self.confirm,
            ]),
            f"cb-row-{i}", "cb-row",
        )  # fmt: skip
        if self.ident is None:
            return
        for field in CITATION_FIELDS:
            getattr(self, field).observe(self._on(functools.partial(self._changed, field)), "value")
        self.exclude_button.on_click(self._on(lambda _b: self._ask("exclude")))
        self.remove_button.on_click(self._on(lambda _b: self._ask("remove")))
        self.cancel.on_click(self._on(lambda _b: self._hide()))
        self.confirm_exclude.on_click(self._on(lambda _b: self._exclude()))
        self.confirm_remove.on_click(self._on(lambda _b: self._remove()))

    def _build_fields(self, i: int) -> None:
        """The citation's fields and the row's two buttons (disabled if it cannot be edited)."""
        cit, tip, fixed = self.cit, f"{self.ident or self.cit.url}", self.ident is None

        def own(name: str, widget: widgets.Widget) -> Any:
            widget.disabled = fixed
            return self._own(widget, f"cb-{name}-{i}", f"cb-{name}")

        self.stance = own("stance", widgets.Dropdown(
            options=list(STANCES), value=cit.stance, layout=width("9em"),
            tooltip=f"Stance of {tip}"))  # fmt: skip
        self.design = own("design", widgets.Dropdown(
            options=design_options(), value=cit.design, layout=width("12em"),
            tooltip=f"Design of {tip}"))  # fmt: skip
        self.n = own("n", widgets.Text(
            value=shown_value("n", cit.n), placeholder="n", continuous_update=False,
            layout=width("5em"), tooltip=f"Participants in {tip}"))  # fmt: skip
        self.finding = own("finding", widgets.Textarea(
            value=cit.finding, continuous_update=False, tooltip=f"Finding of {tip}",
            layout=widgets.Layout(width="100%", height="6.5em")))  # fmt: skip
        self.note = own("note", widgets.Text(
            value=shown_value("note", cit.note), placeholder="note (optional)",
            continuous_update=False, layout=width("100%"), tooltip=f"Note on {tip}"))  # fmt: skip
        self.exclude_button = own("exclude", widgets.Button(
            description="Exclude…", icon="ban", layout=width("8em"),
            tooltip=f"Exclude {tip} from the evidence, with a reason"))  # fmt: skip
        self.remove_button = own("remove", widgets.Button(
            description="Remove…", icon="trash", layout=width("8em"),
            tooltip=f"Remove the citation of {tip} (a mistake, not a screening decision: use "
            "Exclude for that)"))  # fmt: skip

    def _build_confirm(self, i: int) -> None:
        """The confirmation shown under the row: a reason to exclude, or remove? yes/cancel."""
        self.reason = self._own(
            widgets.Text(placeholder="why it is excluded (at least 5 characters)",
                         layout=width("30em")),
            f"cb-exclude-reason-{i}",
        )  # fmt: skip
        self.confirm_exclude = self._own(
            widgets.Button(description="Exclude", button_style="danger", layout=width("8em")),
            f"cb-exclude-confirm-{i}",
        )
        self.confirm_remove = self._own(
            widgets.Button(description="Remove", button_style="danger", layout=width("8em")),
            f"cb-remove-confirm-{i}",
        )
        self.cancel = self._own(widgets.Button(description="Cancel", layout=width("7em")))
        self.confirm = styled(widgets.HBox([], layout=widgets.Layout(display="none")), "cb-line")

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
        self.label = widgets.HTML(
            views.hit_label(hit) + views.others_votes(others),
            layout=widgets.Layout(flex="1 1 20em"),
        )
        self.vote_in = self._own(
            widgets.Button(description="Include", icon="thumbs-up", layout=width("7em"),
                           tooltip="Your vote: relevant, read it in full"),
            f"cb-vote-include-{i}",
        )  # fmt: skip
        self.vote_out = self._own(
            widgets.Button(description="Vote out", icon="thumbs-down", layout=width("7em"),
                           tooltip="Your vote: not relevant (say why in the reason)"),
            f"cb-vote-exclude-{i}",
        )  # fmt: skip
        self.vote_in.on_click(self._on(lambda _b: self._vote("include")))
        self.vote_out.on_click(self._on(lambda _b: self._vote("exclude")))
        self.look = self._own(
            widgets.Button(description="Look up", icon="search", layout=width("8em"),
                           tooltip="Show its record in the cite form"),
            f"cb-queue-lookup-{i}",
        )  # fmt: skip
        self.reason = self._own(
            widgets.Text(placeholder="reason to exclude", layout=width("16em")),
            f"cb-queue-reason-{i}",
        )
        self.exclude_button = self._own(
            widgets.Button(description="Exclude", icon="ban", layout=width("8em")),
            f"cb-queue-exclude-{i}",
        )
        self.look.on_click(self._on(lambda _b: look_up(hit, view)))
        self.exclude_button.on_click(self._on(lambda _b: self._exclude()))
        self.box = self._box(
            widgets.HBox(
                [
                    self.label,
                    self.vote_in,
                    self.vote_out,
                    self.look,
                    self.reason,
                    self.exclude_button,
                ]
            ),
            f"cb-queue-row-{i}",
            "cb-line",
        )

    def _vote(self, decision: str) -> None:
        reason = self.reason.value
        try:
            vote = self.session.vote(self.ident, decision, reason, view=self.view)
        except Exception as exc:
            self.controls.show_error(exc)
            return
        self.controls.show_ok(f"Recorded: {vote.reviewer} votes {decision} for {self.ident}.")
