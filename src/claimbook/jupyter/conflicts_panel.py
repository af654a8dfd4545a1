"""The workbench's conflicts view: the saved hits of the claim shown that two reviewers decided
differently (`edit.votes.conflicts`, what `claimbook conflicts` lists), each with both votes
and a way to settle it in the claim file, as the CLI settles it with `cite` or `exclude`:

- **Include…** puts the paper into the cite form (stance, design, finding; then Cite);
- **Exclude** screens it out of the claim with the reason typed.

The claim file's `evidence:` and `excluded:` are the decision that grading, the queue and the
PRISMA counts use, so a settled conflict is shown as settled ("included: cited as supports",
"excluded: <reason>"). While screening is blind (until two reviewers have each voted on every
saved hit) the view says so in words and shows no vote, no name and no count.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.edit.screening import load_hits
from claimbook.edit.votes import Conflict, blind_done, conflicts
from claimbook.jupyter import views
from claimbook.jupyter.controls import Controls, heading, styled, width
from claimbook.jupyter.panels import Panel
from claimbook.jupyter.session import Change, View, ident_of
from claimbook.pubmed.store import PaperRecord

__all__ = ["BLIND_WORDS", "ConflictsPanel"]

BLIND_WORDS = (
    "Screening is blind: the papers two reviewers decided differently are listed here once two "
    "reviewers have each voted on every saved hit of this claim. Until then neither sees the "
    "other's votes."
)
NO_SEARCH_WORDS = "No saved search yet: conflicts come from screening its hits."
NONE_WORDS = "Both reviewers have screened every hit and agree on each: nothing to settle."
STAGE_WORDS = {"title-abstract": "title and abstract", "full-text": "full text"}


def vote_words(conflict: Conflict) -> str:
    """'Ann Lee: include; Bo Chen: exclude (not adults)' — each reviewer's final vote."""
    said = []
    for v in conflict.votes:
        bits = v.decision + (f", {v.stance}" if v.stance else "")
        said.append(f"{v.reviewer}: {bits}" + (f" ({v.reason})" if v.reason else ""))
    return "; ".join(said)


class ConflictsPanel(Panel):
    """The conflicts of the claim shown, one row each (see the module docstring);
    `look_up(hit, view)` puts a paper into the cite form."""

    def __init__(self, controls: Controls, look_up: Callable[[PaperRecord, View], Any]) -> None:
        self.conflicts_box = styled(widgets.VBox(), "cb-conflicts")
        self._look_up = look_up
        self.found: list[Conflict] = []  # the conflicts drawn
        super().__init__(controls)
        self.children = [
            heading("Conflicts", "papers two reviewers decided differently, to settle"),
            self.conflicts_box,
        ]

    def on_change(self, change: Change) -> None:
        if change.kind == "ended" and change.clear:
            self.found = []
            self.conflicts_box.children = ()
        elif change.kind == "shown":
            self._draw(change.view)

    def redraw(self) -> None:
        """Draw the view again (the reviewer or blind mode changed)."""
        if self.session.view is not None:
            self._draw(self.session.view)

    def _words(self, text: str, css: str) -> list[widgets.Widget]:
        return [widgets.HTML(views.note(views.esc(text), css))]

    def _draw(self, view: View) -> None:
        self.found = []
        claim = self.session.claim
        try:
            saved = load_hits(self.session.folder, claim.id)
            if saved is None:
                self.conflicts_box.children = self._words(NO_SEARCH_WORDS, "cb-conflicts-none")
                return
            if not blind_done(self.session.folder, claim.id):
                self.conflicts_box.children = self._words(BLIND_WORDS, "cb-conflicts-blind")
                return
            self.found = conflicts(self.session.folder, claim.id)
        except Exception as exc:
            text = f"Conflicts: {self.session.one_line(exc)}"
            self.conflicts_box.children = [widgets.HTML(views.message(text, "error"))]
            return
        if not self.found:
            self.conflicts_box.children = self._words(NONE_WORDS, "cb-conflicts-none")
            return
        by_key = {r.key: r for r in saved.records}
        head = f"{len(self.found)} paper{'s' if len(self.found) != 1 else ''} to settle: " + (
            "include one by citing it (stance and finding in the cite form), or exclude it "
            "with a reason. What the claim file then says is what grading uses."
        )
        rows = [self._row(view, i, c, by_key.get(c.key)) for i, c in enumerate(self.found)]
        self.conflicts_box.children = [*self._words(head, "cb-conflicts-head"), *rows]

    def _settled(self, key: str) -> str | None:
        """How the claim file settles paper `key` ('included: cited as supports',
        'excluded: reason'), or None while it does not."""
        claim = self.session.claim
        cited = next((c for c in claim.evidence if c.key == key), None)
        if cited is not None:
            return f"Settled: included (cited as {cited.stance})"
        out = next((c for c in claim.excluded if c.key == key), None)
        return None if out is None else f"Settled: excluded ({out.reason})"

    def _row(self, view: View, i: int, c: Conflict, hit: PaperRecord | None) -> widgets.Widget:
        """One conflict: the paper, both votes, and how it is settled (or the controls)."""
        label = views.hit_label(hit) if hit is not None else f"<div><b>{views.esc(c.key)}</b></div>"
        stage = STAGE_WORDS.get(c.stage, c.stage)
        said = views.esc(f"{c.what.capitalize()} ({stage}): {vote_words(c)}")
        text = widgets.HTML(f'{label}<div class="cb-conflict-votes">{said}</div>',
                            layout=widgets.Layout(flex="1 1 24em"))  # fmt: skip
        settled = self._settled(c.key)
        parts: list[widgets.Widget] = [text]
        if settled is not None:
            parts.append(styled(widgets.HTML(views.note(views.esc(settled))),
                                f"cb-conflict-settled-{i}"))  # fmt: skip
        elif hit is not None:
            parts.extend(self._controls(view, i, hit))
        box = styled(widgets.HBox(parts), "cb-conflict", f"cb-conflict-{i}", "cb-line",
                     f"cb-for-{view.claim_id}")  # fmt: skip
        return box

    def _controls(self, view: View, i: int, hit: PaperRecord) -> list[widgets.Widget]:
        """Include… (into the cite form) and Exclude with a reason, for one conflict."""
        own, bind = self.controls.own, self.controls.bind
        include = own(
            widgets.Button(description="Include…", icon="plus", layout=width("8em"),
                           tooltip="Cite it: the cite form opens with its record"),
            f"cb-conflict-include-{i}",
        )  # fmt: skip
        reason = own(widgets.Text(placeholder="reason to exclude", layout=width("16em")),
                     f"cb-conflict-reason-{i}")  # fmt: skip
        exclude = own(widgets.Button(description="Exclude", icon="ban", layout=width("8em")),
                      f"cb-conflict-exclude-{i}")  # fmt: skip
        ident = ident_of(hit.pmid, hit.doi) or ""
        include.on_click(bind(view, lambda _b: self._look_up(hit, view)))
        exclude.on_click(bind(view, lambda _b: self.exclude(ident, reason.value, view=view)))
        return [include, reason, exclude]

    def exclude(self, ident: str, reason: str, *, view: View | None = None) -> bool:
        """Settle a conflict by screening the paper out of the claim, with the reason."""
        return self.controls.act(lambda: self.session.exclude(ident, reason, view=view))
