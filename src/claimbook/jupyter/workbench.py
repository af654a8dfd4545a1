"""The review workbench: review a folder's claims in JupyterLab with widgets.

    from claimbook.jupyter.workbench import Workbench
    Workbench(project="..")   # in notebooks/workbench.ipynb of a review folder

Pick a claim; see its quotes, its live verdict (certainty, rationale, draft or sign-off state)
and the timeline of its evidence; edit each citation's stance, design, n, finding and note;
exclude a paper with a reason; look a paper up by PMID or DOI and cite it; screen the saved
search hits; sign the claim off. Every change goes through `claimbook.edit`; the workbench
never writes a file itself. Any error is shown as one line in a red box, never as a
traceback; a refused value is put back to what the file holds.

The app is built as ipywidgets apps are:

    session.py     ReviewSession: the state and the actions, no widget (testable without one)
    views.py       pure functions, data in, HTML out; workbench.css their one stylesheet
    controls.py    the message line, and the guard that a widget of an ended view writes nothing
    evidence_table.py / .js  the evidence table, one widget (anywidget): its rows as data
    rows.py        the rows of the screening queue
    panels.py      review bar, claim, evidence, queue, advice, sign-off; cite_panel.py: cite;
                   conflicts_panel.py: the two reviewers' conflicts, to settle;
                   full_text_panel.py: the papers voted in, to read in full
    workbench.py   this small app, which composes them

An edit is saved to the claim it was made on, or not at all: every widget that can change
something is drawn for one `View` (a claim and a generation number) and its callback goes
through `Workbench.bind`, which runs it only while that view is the one shown. Picking another
claim ends the view at once, before anything slow. An edit that renumbers the rows (a cite, an
exclude, a removal) draws them again as a new view of the same claim; what does not depend on
the rows (the claim's words, advice, cite form, sign-off) stays on screen, bound to the claim
as it was picked (`bind(..., claim=True)`), so such an edit sends the verdict, the table and
a few values, not a hundred new widgets.

Every widget carries a stable CSS class (`cb-claim-picker`, `cb-stance-0`, `cb-cite-button`,
...) so browser tests and custom styles can find it; an evidence or queue row also carries
`cb-for-ID`, the claim it was drawn for.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from claimbook.claims.schema import Claim
from claimbook.folder import PathLike, ReviewFolder, find_root
from claimbook.jupyter import views
from claimbook.jupyter.author_panel import ClaimWordsPanel, NewClaimPanel, ReviewerPanel
from claimbook.jupyter.cite_panel import CitePanel
from claimbook.jupyter.conflicts_panel import ConflictsPanel
from claimbook.jupyter.controls import Controls
from claimbook.jupyter.full_text_panel import FullTextPanel
from claimbook.jupyter.page_ready import PageReady
from claimbook.jupyter.panels import (
    AdvicePanel,
    ClaimPanel,
    EvidencePanel,
    QueuePanel,
    ReviewBar,
    SignoffPanel,
)
from claimbook.jupyter.session import ReviewSession, View
from claimbook.notebooks.workbench_file import WORKBENCH_NOTEBOOK, is_workbench, workbench_notebook
from claimbook.pubmed.store import PaperRecord

__all__ = ["WORKBENCH_NOTEBOOK", "View", "Workbench", "is_workbench", "workbench_notebook"]


def _of(panel: str, name: str) -> property:
    """The widget or value `name` of one of the app's panels, as an attribute of the app."""
    return property(lambda self: getattr(getattr(self, panel), name), doc=f"`{panel}.{name}`")


def _session(name: str) -> property:
    return property(lambda self: getattr(self.session, name), doc=f"`session.{name}`")


def _later(call: Callable[[], Any]) -> bool:
    """Run `call` once the kernel is idle (after the cell that drew the app has returned, so
    its page is sent while `call` runs); False where no event loop runs."""
    try:
        asyncio.get_running_loop().call_soon(call)
    except RuntimeError:
        return False
    return True


class Workbench(widgets.VBox):
    """A claim-by-claim review workbench for one review folder (an ipywidgets VBox).

    `project` is the review folder (default: the one around the current folder); `claims` and
    `data` move its claims or data folder elsewhere, as `ReviewFolder.at` does. `claim_id`
    picks the first claim shown; `offline=True` never looks papers up on PubMed (only the
    snapshot); `rules_file` grades with other rules. `when_idle=True` (the app's cell) returns
    at once: the review is read once the kernel is idle, while the browser loads the page, and
    drawn when the page says it is ready (`page_ready`); without an event loop, at once.

    Attributes for scripts and tests: `session` (the `ReviewSession`: state and actions),
    `review`, `claim_id`, `view` (what is drawn now: claim and generation), `message` (the
    one-line status), `rows` (one `CitationRow` per citation), `queue_rows` and `timings`
    (how long each edit took, in ms), and each panel's widgets. The editing methods
    (`update_citation`, `exclude`, `cite`, ...) act on the claim shown unless given the `view`
    a widget was drawn for, and return whether the change was saved.
    """

    def __init__(
        self,
        project: PathLike | ReviewFolder | None = None,
        claims: PathLike | None = None,
        data: PathLike | None = None,
        *,
        claim_id: str | None = None,
        offline: bool = False,
        rules_file: PathLike | None = None,
        when_idle: bool = False,
    ) -> None:
        if isinstance(project, ReviewFolder):
            folder = project
        else:
            if project is None and claims is None and data is None:
                project = find_root()
            folder = ReviewFolder.at(project, claims, data)
        self.session = ReviewSession(folder, offline=offline, rules_file=rules_file)
        self.controls = Controls(self.session)
        # the panels, in the order they are told of each change: the verdict and the evidence
        # table first, so the browser draws them while the rest is still being sent
        self.bar = ReviewBar(self.controls)
        self.reviewer_panel = ReviewerPanel(
            self.controls,
            lambda: [p.redraw() for p in (self.queue_panel, self.full_text_panel,
                                          self.conflicts_panel)],
        )  # fmt: skip
        self.claim_panel = ClaimPanel(self.controls)
        self.evidence_panel = EvidencePanel(self.controls)
        self.words_panel = ClaimWordsPanel(self.controls)
        self.cite_panel = CitePanel(self.controls)
        self.queue_panel = QueuePanel(self.controls, lambda hit, view: self.screen(hit, view=view))
        self.full_text_panel = FullTextPanel(self.controls, lambda h, v: self.screen(h, view=v))
        self.conflicts_panel = ConflictsPanel(self.controls, lambda h, v: self.screen(h, view=v))
        self.advice_panel = AdvicePanel(self.controls)
        self.signoff_panel = SignoffPanel(self.controls)
        self.new_claim_panel = NewClaimPanel(self.controls)
        style = widgets.HTML(f"<style>{views.stylesheet()}</style>")
        style.layout.display = "none"
        super().__init__(
            children=[
                style,
                *self.bar.children,
                *self.reviewer_panel.children,
                self.message,
                *self.claim_panel.children,
                *self.words_panel.children,
                *self.evidence_panel.children,
                *self.cite_panel.children,
                *self.queue_panel.children,
                *self.full_text_panel.children,
                *self.conflicts_panel.children,
                *self.advice_panel.children,
                *self.signoff_panel.children,
                *self.new_claim_panel.children,
            ]
        )
        self.add_class("cb-workbench")
        if when_idle and _later(self.session.read_ahead):
            # read while the browser loads the page; drawn once the page can take the widgets
            self.claim_html.value = views.loading(claim_id) or views.reading_review()
            self.page_ready = PageReady(lambda: self.reload(claim_id))
            self.children = (*self.children, self.page_ready)
        else:
            self.reload(claim_id)

    def __repr__(self) -> str:  # short and stable (the default lists every child widget)
        return f"Workbench(project={str(self.folder.root)!r}, claim_id={self.claim_id!r})"

    # the session's state
    folder = _session("folder")
    offline = _session("offline")
    rules_file = _session("rules_file")
    review = _session("review")
    claim_id = _session("claim_id")
    view = _session("view")
    timings = _session("timings")
    message = _of("controls", "message")
    # the panels' widgets
    header, picker, reload_button = (_of("bar", n) for n in ("header", "picker", "reload_button"))
    claim_html, verdict_html, figure = (
        _of("claim_panel", n) for n in ("claim_html", "verdict_html", "figure")
    )
    evidence_box, excluded_html, rows = (
        _of("evidence_panel", n) for n in ("evidence_box", "excluded_html", "rows")
    )
    cite_box, cite_ident, lookup_button, record_html, cite_fields, cite_button = (
        _of("cite_panel", n)
        for n in ("cite_box", "cite_ident", "lookup_button", "record_html", "cite_fields",
                  "cite_button")
    )  # fmt: skip
    cite_stance, cite_design, cite_n, cite_finding, cite_note = (
        _of("cite_panel", n)
        for n in ("cite_stance", "cite_design", "cite_n", "cite_finding", "cite_note")
    )
    queue_box, queue_rows = (_of("queue_panel", n) for n in ("queue_box", "queue_rows"))
    advice_box, advice = (_of("advice_panel", n) for n in ("advice_box", "advice"))
    signoff_box, signoff_html, signoff_form, signoff_note, signoff_button = (
        _of("signoff_panel", n)
        for n in ("signoff_box", "signoff_html", "signoff_form", "signoff_note", "signoff_button")
    )
    reviewer, blind = (_of("reviewer_panel", n) for n in ("reviewer", "blind"))

    @property
    def claim(self) -> Claim:
        """The claim shown (as last read or saved)."""
        return self.session.claim

    def citation(self, claim_id: str, key: str) -> Any:
        """The citation `key` of claim `claim_id` as last read or saved (None if it has none)."""
        return self.session.citation(claim_id, key)

    # ------------------------------------------------------------------ views and messages

    def own(self, widget: widgets.Widget, *classes: str) -> Any:
        """`widget` (with CSS `classes`) as part of the view being drawn (see `Controls.own`)."""
        return self.controls.own(widget, *classes)

    def bind(self, view: View, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler` as the callback of a widget drawn for `view`: it runs only while `view`
        is the one shown; from an ended view it changes nothing and says so."""
        return self.controls.bind(view, handler)

    def one_line(self, exc: BaseException | str) -> str:
        """An error as one line, with paths relative to the review folder."""
        return self.session.one_line(exc)

    def show_error(self, exc: BaseException | str) -> None:
        self.controls.show_error(exc)

    def show_ok(self, text: str) -> None:
        self.controls.show_ok(text)

    def quietly(self) -> contextlib.AbstractContextManager[None]:
        """Set widget values without their callbacks saving anything."""
        return self.controls.quietly()

    # ------------------------------------------------------------------ loading

    def reload(self, claim_id: str | None = None) -> None:
        """Read the whole review again from disk (claims, snapshot) and show `claim_id` (by
        default the claim shown now)."""
        self.bar.reload(claim_id)

    def show_claim(self, claim_id: str | None) -> None:
        """Show one claim: text, verdict, figure, evidence, cite form, queue, sign-off. The
        claim shown before stops being editable first, before anything slow."""
        self.bar.pick(claim_id)

    # ------------------------------------------------------------------ editing

    def apply(
        self,
        what: str,
        action: Callable[[str], Claim],
        *,
        view: View | None = None,
        rebuild: bool = False,
    ) -> bool:
        """Run one edit `action(claim_id)` on the claim of `view` (see `ReviewSession.apply`);
        returns whether it was saved (if not, the message line says why)."""
        return self.controls.act(
            lambda: self.session.apply(what, action, view=view, rebuild=rebuild)
        )

    def update_citation(self, ident: str, *, view: View | None = None, **changes: Any) -> bool:
        """Change fields of one citation of the claim of `view` (as the table does)."""
        return self.controls.act(lambda: self.session.update_citation(ident, view=view, **changes))

    def exclude(self, ident: str, reason: str, *, view: View | None = None) -> bool:
        """Screen a paper out of the claim of `view`, with the reason."""
        return self.controls.act(lambda: self.session.exclude(ident, reason, view=view))

    def uncite(self, ident: str, *, view: View | None = None) -> bool:
        """Remove a citation from the claim of `view`."""
        return self.controls.act(lambda: self.session.uncite(ident, view=view))

    def sign_off(self, *, view: View | None = None) -> bool:
        """Sign the claim of `view` off with the reviewer's name and note."""
        return self.signoff_panel.sign_off(view)

    def look_up(self, *, view: View | None = None) -> PaperRecord | None:
        """Show the record of the paper typed in the cite form (nothing is stored)."""
        return self.cite_panel.look_up(view)

    def cite(self, *, view: View | None = None) -> bool:
        """Cite the looked-up paper with the cite form's fields, for the claim of `view`."""
        return self.cite_panel.cite(view)

    def screen(self, hit: PaperRecord, *, view: View | None = None) -> PaperRecord | None:
        """Put a queue hit into the cite form, with its saved record (no network)."""
        return self.cite_panel.screen(hit, view)
