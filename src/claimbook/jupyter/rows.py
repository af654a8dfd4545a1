"""The rows of the screening queue: one `HitWidgets` per saved search hit (the evidence
table is one widget: evidence_table.py).

A row never asks which claim is shown: it was drawn for one `View` (a claim and a generation
number) and names that view, and its own paper, in every action it sends to the session. Its
callbacks go through `Controls.bind`, so a row left over from another claim, or from before
the rows were redrawn, writes nothing. `PaperWidgets`: the paper, the view, the box marked
`cb-for-ID` and excluding the paper with the reason typed in the row.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, make, styled
from claimbook.jupyter.session import View, ident_of
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import DESIGNS, design_label

__all__ = ["HitWidgets", "PaperWidgets", "design_options"]


def design_options() -> list[tuple[str, str]]:
    """The designs as a dropdown offers them: (label, value)."""
    return [(design_label(d), d) for d in DESIGNS]


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
