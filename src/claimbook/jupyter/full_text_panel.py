"""The workbench's "read in full" list: the saved hits the reviewer voted in at title and
abstract that the claim neither cites nor excludes yet, the papers to read in full. Each is
settled in one step:

- **Cite…** puts the paper into the cite form (stance, design, finding; then Cite);
- **Exclude after reading** records the reviewer's full-text exclude vote and screens the
  paper out of the claim, with the one reason typed (`edit.votes.exclude_after_full_text`,
  as `claimbook exclude ... --full-text --reviewer NAME` does).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.edit.screening import load_hits
from claimbook.edit.votes import TITLE_ABSTRACT, final_votes, load_votes
from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, heading, styled, width
from claimbook.jupyter.panels import Panel
from claimbook.jupyter.session import Change, View, ident_of
from claimbook.pubmed.store import PaperRecord

__all__ = ["FullTextPanel", "to_read"]

NOTHING_WORDS = "Nothing to read in full: the papers you vote in at title and abstract come here."
NO_NAME_WORDS = "Type your name as the reviewer (at the top) to see the papers you voted in."


def to_read(session: Any) -> list[PaperRecord]:
    """The saved hits of the claim shown that the reviewer voted in (final vote, title and
    abstract) and that the claim neither cites nor excludes."""
    claim, me = session.claim, session.reviewer.strip()
    saved = load_hits(session.folder, claim.id)
    if saved is None or not me:
        return []
    votes = final_votes([v for v in load_votes(session.folder, claim.id) if v.reviewer == me])
    voted_in = {k for (_who, k, stage), v in votes.items()
                if stage == TITLE_ABSTRACT and v.decision == "include"}  # fmt: skip
    settled = {c.key for c in [*claim.evidence, *claim.excluded]}
    return [r for r in saved.records if r.key in voted_in and r.key not in settled]


class FullTextPanel(Panel):
    """The papers to read in full, one row each (see the module docstring);
    `look_up(hit, view)` puts a paper into the cite form."""

    def __init__(self, controls: Controls, look_up: Callable[[PaperRecord, View], Any]) -> None:
        self.full_text_box = styled(widgets.VBox(), "cb-full-text")
        self._look_up = look_up
        self.papers: list[PaperRecord] = []  # the papers drawn
        super().__init__(controls)
        self.children = [
            heading("Read in full", "the papers you voted in: cite each, or exclude it"),
            self.full_text_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended" and change.clear:
            self.papers = []
            self.full_text_box.children = ()
        elif change.kind == "shown":
            self._draw(change.view)

    def redraw(self) -> None:
        """Draw the list again (the reviewer changed)."""
        if self.session.view is not None:
            self._draw(self.session.view)

    def _draw(self, view: View) -> None:
        try:
            self.papers = to_read(self.session)
        except Exception as exc:
            self.papers = []
            text = f"Read in full: {self.session.one_line(exc)}"
            self.full_text_box.children = [widgets.HTML(views.message(text, "error"))]
            return
        if not self.papers:
            words = NOTHING_WORDS if self.session.reviewer.strip() else NO_NAME_WORDS
            self.full_text_box.children = [widgets.HTML(views.note(views.esc(words)))]
            return
        self.full_text_box.children = [self._row(view, i, r) for i, r in enumerate(self.papers)]

    def _row(self, view: View, i: int, hit: PaperRecord) -> widgets.Widget:
        own, bind = self.controls.own, self.controls.bind
        label = widgets.HTML(views.hit_label(hit), layout=widgets.Layout(flex="1 1 20em"))
        cite = own(widgets.Button(description="Cite…", icon="plus", layout=width("7em"),
                                  tooltip="Cite it: the cite form opens with its record"),
                   f"cb-full-cite-{i}")  # fmt: skip
        reason = own(widgets.Text(placeholder="why it is out, after reading it",
                                  layout=width("18em")), f"cb-full-reason-{i}")  # fmt: skip
        out = own(widgets.Button(description="Exclude after reading", icon="ban",
                                 layout=width("13em"),
                                 tooltip="Your full-text vote and the claim's exclusion"),
                  f"cb-full-exclude-{i}")  # fmt: skip
        ident = ident_of(hit.pmid, hit.doi) or ""
        cite.on_click(bind(view, lambda _b: self._look_up(hit, view)))
        out.on_click(bind(view, lambda _b: self.exclude(ident, reason.value, view=view)))
        return styled(widgets.HBox([label, cite, reason, out]), "cb-full-row", f"cb-full-row-{i}",
                      "cb-line", f"cb-for-{view.claim_id}")  # fmt: skip

    def exclude(self, ident: str, reason: str, *, view: View | None = None) -> bool:
        """Exclude a paper read in full: the reviewer's full-text vote and the claim's
        exclusion, with one reason, in one step."""
        return self.controls.act(lambda: self.session.exclude_full_text(ident, reason, view=view))
