"""The review workbench: review a folder's claims in JupyterLab with widgets.

    from claimbook.jupyter.workbench import Workbench
    Workbench(project="..")   # in notebooks/workbench.ipynb of a review folder

Pick a claim; see its quotes, its live verdict (certainty, rationale, draft or sign-off state)
and the timeline of its evidence; edit each citation's stance, design, n, finding and note;
exclude a paper with a reason; look a paper up by PMID or DOI and cite it; screen the saved
search hits; sign the claim off. Every change goes through `claimbook.edit` (which validates
and then writes the claim's YAML file, keeping its comments); the workbench never writes a
file itself. After an edit only the edited claim is re-graded, from the claim the edit
returns, so the verdict updates in a few tens of milliseconds. Any error is shown as one line
in a red box, never as a traceback; a refused value is put back to what the file holds.

An edit is saved to the claim it was made on, or not at all. Every widget that can change
something is drawn for one `View` (a claim and a generation number) and its callback goes
through `Workbench.bind`, which runs it only while that view is the one shown. Picking
another claim ends the view at once, before anything slow: its widgets are taken off the
screen and disabled, and a change still arriving from them (the browser had not yet heard)
writes nothing and says so.

Every widget carries a stable CSS class (`cb-claim-picker`, `cb-stance-0`, `cb-cite-button`,
...) so browser tests and custom styles can find it; an evidence or queue row also carries
`cb-for-ID`, the claim it was drawn for.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import io
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from claimbook import edit as editing
from claimbook.claims.load import ClaimsError
from claimbook.claims.schema import Claim
from claimbook.claims.validate import check_claim_text, claim_context
from claimbook.edit.screening import load_hits, screening_queue
from claimbook.evidence import plots
from claimbook.evidence.review import Review, load_review
from claimbook.folder import PathLike, ReviewFolder, find_root, shown_path
from claimbook.inputs import MAX_YAML_BYTES, InputError, read_text
from claimbook.jupyter.workbench_rows import (
    NOTE_STYLE,
    EvidenceRow,
    QueueRow,
    View,
    design_options,
    esc,
    ident_of,
    parse_n,
    styled,
    width,
)
from claimbook.notebooks.workbench_file import WORKBENCH_NOTEBOOK, is_workbench, workbench_notebook
from claimbook.pubmed.designs import design_from_pubmed
from claimbook.pubmed.store import PaperRecord, Snapshot, load_snapshot
from claimbook.vocab import STANCES, verdict_sentence

__all__ = ["WORKBENCH_NOTEBOOK", "View", "Workbench", "is_workbench", "workbench_notebook"]

ERROR_STYLE = (
    "color:#8a1010;background:#fdecea;border:1px solid #d33;border-radius:3px;"
    "padding:4px 8px;margin:2px 0"
)
OK_STYLE = (
    "color:#12501e;background:#e8f5e9;border:1px solid #6a6;border-radius:3px;"
    "padding:4px 8px;margin:2px 0"
)
MAX_MESSAGE = 400  # characters of a one-line message
MAX_QUEUE = 50  # screening hits shown at once
AUTHORS_SHOWN = 6
FIGURE_DPI = 96
CITE_FIELDS = ("cite_ident", "cite_stance", "cite_design", "cite_n", "cite_finding", "cite_note")


def _box(message: str, style: str, css: str) -> str:
    return f'<div class="{css}" style="{style}">{esc(message)}</div>'


def _heading(title: str, hint: str) -> widgets.HTML:
    return widgets.HTML(
        f'<h4 style="margin:12px 0 2px 0">{esc(title)} '
        f'<span style="font-weight:normal;color:#666;font-size:90%">· {esc(hint)}</span></h4>'
    )


class Workbench(widgets.VBox):
    """A claim-by-claim review workbench for one review folder (an ipywidgets VBox).

    `project` is the review folder (default: the one around the current folder); `claims` and
    `data` move its claims or data folder elsewhere, as `ReviewFolder.at` does. `claim_id`
    picks the first claim shown; `offline=True` never looks papers up on PubMed (only the
    snapshot); `rules_file` grades with other rules.

    Attributes for scripts and tests: `review` (the review in memory), `claim_id`, `view`
    (what is drawn now: claim and generation), `message` (the one-line status), `rows` (one
    `EvidenceRow` per citation) and `timings` (how long each edit took, in ms). The editing
    methods (`update_citation`, `exclude`, `cite`, ...) act on the claim shown unless given
    the `view` a widget was drawn for.
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
    ) -> None:
        if isinstance(project, ReviewFolder):
            self.folder = project
        else:
            if project is None and claims is None and data is None:
                project = find_root()
            self.folder = ReviewFolder.at(project, claims, data)
        self.offline = offline
        self.rules_file = rules_file
        self.review: Review | None = None
        self.claim_id: str | None = None
        self.view: View | None = None
        self._generation = 0
        self._owned: list[widgets.Widget] = []  # the widgets of `view` that can change things
        self.rows: list[EvidenceRow] = []
        self.queue_rows: list[QueueRow] = []
        self.timings: list[dict[str, Any]] = []
        self._quiet = False
        self._record: PaperRecord | None = None  # the paper the cite form looked up

        self.header = styled(widgets.HTML(), "cb-header")
        self.picker = styled(
            widgets.Dropdown(
                description="Claim", options=[], layout=widgets.Layout(width="min(100%, 60em)")
            ),
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
        self.message = styled(widgets.HTML(), "cb-message")
        self.claim_html = styled(widgets.HTML(), "cb-claim")
        self.verdict_html = styled(widgets.HTML(), "cb-verdict")
        self.figure = styled(widgets.Output(), "cb-figure")
        self.evidence_box = styled(widgets.VBox(), "cb-evidence")
        self.excluded_html = styled(widgets.HTML(), "cb-excluded")
        self.cite_box = styled(widgets.VBox(), "cb-cite")
        self.queue_box = styled(widgets.VBox(), "cb-queue")
        self.advice_box = styled(widgets.VBox(), "cb-advice-box")
        self.signoff_html = styled(widgets.HTML(), "cb-signoff-state")
        self.reviewer = styled(  # the reviewer's name, not the claim's: kept from claim to claim
            widgets.Text(description="Reviewer", placeholder="your name"), "cb-reviewer"
        )
        self.signoff_form = widgets.HBox()
        self.signoff_box = styled(
            widgets.VBox([self.signoff_html, self.signoff_form]), "cb-signoff"
        )

        self.picker.observe(self._guard(self._on_pick), names="value")
        self.reload_button.on_click(self._guard(lambda _b: self.reload()))

        super().__init__(
            children=[
                self.header,
                widgets.HBox([self.picker, self.reload_button]),
                self.message,
                self.claim_html,
                self.verdict_html,
                self.figure,
                _heading(
                    "Evidence", "one row per citation; a change is saved when you leave the field"
                ),
                self.evidence_box,
                self.excluded_html,
                _heading("Cite a paper", "look it up by PMID or DOI first, then cite it"),
                self.cite_box,
                _heading("Screening queue", "saved PubMed hits neither cited nor excluded"),
                self.queue_box,
                _heading("What to tell a client", "saved when you leave the field"),
                self.advice_box,
                _heading("Sign-off", "vouch that this claim's evidence has been checked"),
                self.signoff_box,
            ]
        )
        self.add_class("cb-workbench")
        self.reload(claim_id)

    def __repr__(self) -> str:  # short and stable (the default lists every child widget)
        return f"Workbench(project={str(self.folder.root)!r}, claim_id={self.claim_id!r})"

    # ------------------------------------------------------------------ views

    def own(self, widget: widgets.Widget, *classes: str) -> Any:
        """`widget` (with CSS `classes`) as part of the view being drawn: it is disabled when
        the view ends. Give it callbacks through `bind`."""
        self._owned.append(styled(widget, *classes))
        return widget

    def bind(self, view: View, handler: Callable[..., Any]) -> Callable[..., Any]:
        """`handler` as the callback of a widget drawn for `view`: it runs only while `view`
        is the one shown. A callback from an ended view (another claim picked, the rows redrawn)
        changes nothing and says so. Every widget that can change something goes through here."""

        @functools.wraps(handler)
        def current_only(*args: Any) -> Any:
            if view != self.view:
                self._stale(view)
                return None
            return handler(*args)

        return self._guard(current_only)

    def _current(self, view: View | None) -> View | None:
        """`view` (by default the one shown) when it is the one shown; else None, and a
        message saying that nothing was saved."""
        if view is None:
            view = self.view
            if view is None:
                self.show_error("Not saved: no claim is shown")
                return None
        if view != self.view:
            self._stale(view)
            return None
        return view

    def _stale(self, view: View) -> None:
        if self.claim_id != view.claim_id:
            self.show_error(
                f"Not saved: that change was made on {view.claim_id} after "
                f"{self.claim_id or 'another claim'} was picked; pick {view.claim_id} to make "
                "it again"
            )
        else:
            self.show_error(
                f"Not saved: that change was made on {view.claim_id} as shown before it was "
                "redrawn; make it again"
            )

    def _end_view(self, next_claim: str | None, *, clear: bool = True) -> None:
        """End the view shown, before any slow work: from here on its widgets' callbacks do
        nothing, and they are disabled. `clear`: another claim comes, so the old one's widgets
        leave the screen at once (a 'Loading' line meanwhile); else they are redrawn next."""
        self._generation += 1
        self.view = None
        old, self._owned = self._owned, []
        self.rows, self.queue_rows = [], []
        if clear:
            loading = f'<div style="{NOTE_STYLE}">Loading {esc(next_claim)}…</div>'
            self.claim_html.value = loading if next_claim else ""
            self.verdict_html.value = ""
            self.figure.outputs = ()
            self.excluded_html.value = ""
            self.signoff_html.value = ""
            for box in (self.evidence_box, self.cite_box, self.queue_box, self.advice_box,
                        self.signoff_form):  # fmt: skip
                box.children = ()
        for widget in old:
            widget.disabled = True

    def _draw(self, keep: dict[str, Any] | None = None, *, figure: bool = True) -> None:
        """Draw the claim `claim_id` as a new view: text, verdict, evidence rows, cite form,
        queue, advice, sign-off (`keep`: what was typed in the forms of the view before, when
        this redraws the same claim), then the figure."""
        keep = keep or {}
        view = self.view = View(self.claim_id, self._generation)
        self._show_claim_text()
        self._show_verdict()
        self._show_evidence(view)
        self._build_cite_form(view, keep.get("cite"))
        self._show_queue(view)
        self._build_advice(view)
        self._build_signoff(view, keep.get("signoff_note", ""))
        if figure:
            try:
                self._show_figure()
            except Exception as exc:  # the rows stay usable without a figure
                self.show_error(f"The timeline could not be drawn: {self.one_line(exc)}")

    def _typed(self) -> dict[str, Any]:
        """What the reviewer typed in the forms of the view shown and has not saved yet."""
        if self.view is None:
            return {}
        cite = {name: getattr(self, name).value for name in CITE_FIELDS}
        return {"cite": cite | {"record": self._record}, "signoff_note": self.signoff_note.value}

    # ------------------------------------------------------------------ building blocks

    def _build_cite_form(self, view: View, keep: dict[str, Any] | None = None) -> None:
        keep = keep or {}
        own = self.own

        def field(name: str, kind: type[widgets.Widget], default: str, **options: Any) -> Any:
            """The cite form's field `name`, holding what was typed in it before a redraw."""
            return own(kind(**options, value=keep.get(f"cite_{name}", default)), f"cb-cite-{name}")

        self.cite_ident = field(
            "ident", widgets.Text, "", description="PMID or DOI",
            placeholder="e.g. 3735481 or 10.1136/bjsm.2010.078535",
            layout=widgets.Layout(width="30em"), style={"description_width": "7em"},
        )  # fmt: skip
        self.lookup_button = own(
            widgets.Button(description="Look up", icon="search", tooltip="Show the paper's record"),
            "cb-lookup",
        )
        self.record_html = styled(widgets.HTML(), "cb-record")
        self.cite_stance = field(
            "stance", widgets.Dropdown, "supports", description="Stance", options=list(STANCES)
        )
        self.cite_design = field(
            "design", widgets.Dropdown, "other", description="Design", options=design_options()
        )
        self.cite_n = field(
            "n", widgets.Text, "", description="n", placeholder="participants",
            layout=width("14em"),
        )  # fmt: skip
        self.cite_finding = field(
            "finding", widgets.Textarea, "", description="Finding",
            placeholder="What the paper found, in your own words (20 to 700 characters)",
            layout=widgets.Layout(width="min(100%, 60em)", height="5em"),
        )  # fmt: skip
        self.cite_note = field(
            "note", widgets.Text, "", description="Note", placeholder="optional",
            layout=width("min(100%, 60em)"),
        )  # fmt: skip
        self.cite_button = own(
            widgets.Button(
                description="Cite",
                icon="plus",
                button_style="primary",
                disabled=True,
                tooltip="Look the paper up first",
            ),
            "cb-cite-button",
        )
        self.cite_fields = widgets.VBox(
            [
                widgets.HBox([self.cite_stance, self.cite_design, self.cite_n]),
                self.cite_finding,
                self.cite_note,
                self.cite_button,
            ],
            layout=widgets.Layout(display="none"),
        )
        self.cite_box.children = [
            widgets.HBox([self.cite_ident, self.lookup_button]),
            self.record_html,
            self.cite_fields,
        ]
        self._record = None
        rec = keep.get("record")
        if rec is not None and self._already(rec) is None:  # the same claim, redrawn
            self._offer(rec)
        on = functools.partial(self.bind, view)
        self.lookup_button.on_click(on(lambda _b: self.look_up(view=view)))
        self.cite_button.on_click(on(lambda _b: self.cite(view=view)))
        self.cite_ident.observe(on(self._on_ident_typed), names="value")

    def _build_advice(self, view: View) -> None:
        self.advice = self.own(
            widgets.Textarea(
                value=self.claim.advice or "",
                placeholder="What to tell a client, in plain words (at least 20 characters)",
                continuous_update=False,
                layout=widgets.Layout(width="min(100%, 60em)", height="5em"),
            ),
            "cb-advice",
        )
        self.advice.observe(self.bind(view, self._on_advice), names="value")
        self.advice_box.children = [self.advice]

    def _build_signoff(self, view: View, note: str = "") -> None:
        self.signoff_note = self.own(
            widgets.Text(
                value=note, description="Note", placeholder="optional", layout=width("30em")
            ),
            "cb-signoff-note",
        )
        self.signoff_button = self.own(
            widgets.Button(description="Sign off", icon="check", button_style="success"),
            "cb-signoff-button",
        )
        self.signoff_button.on_click(self.bind(view, lambda _b: self.sign_off(view=view)))
        self.signoff_form.children = [self.reviewer, self.signoff_note, self.signoff_button]

    # ------------------------------------------------------------------ messages

    def _guard(self, handler: Callable[..., Any]) -> Callable[..., Any]:
        """Run a widget callback, showing any error as one line instead of a traceback."""

        @functools.wraps(handler)
        def run(*args: Any) -> Any:
            if self._quiet:
                return None
            try:
                return handler(*args)
            except Exception as exc:  # every error is the reviewer's to read, in one line
                self.show_error(exc)
                return None

        return run

    def one_line(self, exc: BaseException | str) -> str:
        """An error as one line, with paths relative to the review folder."""
        if isinstance(exc, str):
            text = exc
        elif isinstance(exc, KeyError) and exc.args:  # str() of a KeyError adds quotes
            text = str(exc.args[0])
        elif isinstance(
            exc, (editing.EditError, ClaimsError, InputError, ValueError, LookupError, OSError)
        ):
            text = str(exc) or type(exc).__name__
        else:
            text = f"{type(exc).__name__}: {exc}"
        text = " ".join(text.split())
        for base in {str(self.folder.root.absolute()), str(self.folder.root.resolve())}:
            text = text.replace(base + os.sep, "")
        if len(text) > MAX_MESSAGE:
            text = text[: MAX_MESSAGE - 1] + "…"
        return text

    def show_error(self, exc: BaseException | str) -> None:
        self.message.value = _box(self.one_line(exc), ERROR_STYLE, "cb-error")

    def show_ok(self, text: str) -> None:
        self.message.value = _box(text, OK_STYLE, "cb-ok")

    @contextlib.contextmanager
    def quietly(self) -> Iterator[None]:
        """Set widget values without their callbacks saving anything."""
        before, self._quiet = self._quiet, True
        try:
            yield
        finally:
            self._quiet = before

    # ------------------------------------------------------------------ loading

    def reload(self, claim_id: str | None = None) -> None:
        """Read the whole review again from disk (claims, snapshot) and show `claim_id` (by
        default the claim shown now)."""
        want = claim_id or self.claim_id
        self._end_view(want)  # reading every file takes a while: nothing stays editable
        try:
            self.review = load_review(self.folder.claims, self.folder.data, self.rules_file)
        except Exception as exc:
            self.review = None
            self.claim_id = None
            self._end_view(None)
            with self.quietly():
                self.picker.options = []
            self.header.value = self._header_html()
            self.show_error(exc)
            return
        self.header.value = self._header_html()
        ids = [c.id for c in self.review.claims]
        options = [(f"{c.id} · {c.title}", c.id) for c in self.review.claims]
        if want not in ids:
            want = ids[0] if ids else None
        with self.quietly():
            self.picker.options = options
            self.picker.value = want
        self.message.value = ""
        try:
            self.show_claim(want)
        except Exception as exc:  # never a traceback, even from a figure
            self.show_error(exc)

    def _header_html(self) -> str:
        if self.review is None:
            return f"<h3>claimbook workbench</h3><div>{esc(self.folder.root)}</div>"
        a = self.review.article
        n = len(self.review.claims)
        drafts = sum(c.is_draft for c in self.review.claims)
        waiting = f" ({drafts} draft{'s' if drafts != 1 else ''})" if drafts else ""
        return (
            f"<h3>claimbook workbench · {esc(a.title)}</h3>"
            f'<div style="{NOTE_STYLE}">{esc(a.publisher)} · {n} claims{waiting} · snapshot: '
            f"{esc(self.review.snapshot_summary())} · every change is saved to the claim's "
            "file in <code>claims/</code></div>"
        )

    def _on_pick(self, change: dict) -> None:
        if change["new"]:
            self.message.value = ""
            self.show_claim(change["new"])

    def _refresh_from_disk(self) -> None:
        """Re-read the shown claim's file (cheap), so edits made elsewhere show when it is
        picked."""
        claim = self.claim
        if claim.path is None or not claim.path.exists():
            return
        context = claim_context(self.folder.claims, self.folder.data)
        text = read_text(claim.path, MAX_YAML_BYTES, "claim file")
        fresh = check_claim_text(claim.path, text, context)
        if fresh.model_dump() != claim.record.model_dump():  # the file holds the whole record
            self._regrade(fresh, context.snapshot)

    def show_claim(self, claim_id: str | None) -> None:
        """Show one claim: text, verdict, figure, evidence, cite form, queue, sign-off. The
        claim shown before stops being editable first, before anything slow."""
        if self.review is not None and claim_id is not None:
            self.review.claim(claim_id)  # an unknown id is refused; the claim shown stays
        self._end_view(claim_id)
        self.claim_id = claim_id
        if self.review is None or claim_id is None:
            return
        with self.quietly():
            if self.picker.value != claim_id:
                self.picker.value = claim_id
        try:
            self._refresh_from_disk()
        except Exception as exc:  # the file on disk is broken now: show what we had, and why
            self.show_error(exc)
        self._draw()

    # ------------------------------------------------------------------ the claim

    @property
    def claim(self) -> Claim:
        return self.review.claim(self.claim_id)

    def citation(self, claim_id: str, key: str) -> Any:
        """The citation `key` of claim `claim_id` as last read or saved (None if it has none)."""
        if self.review is None:
            return None
        return next((c for c in self.review.claim(claim_id).evidence if c.key == key), None)

    def _show_claim_text(self) -> None:
        c = self.claim
        quotes = "".join(
            f'<blockquote style="margin:4px 0 4px 1em;border-left:3px solid #ccc;'
            f'padding-left:8px">“{esc(q.text)}”<br><i>— {esc(q.section)}</i></blockquote>'
            for q in c.quotes
        )
        where = esc(shown_path(c.path, self.folder.root)) if c.path else ""
        query = f"<div><b>PubMed query:</b> <code>{esc(c.query)}</code></div>" if c.query else ""
        self.claim_html.value = (
            f"<h3>{esc(c.id)} · {esc(c.title)}</h3>"
            f"<div>{self._state_html(c)} · <code>{where}</code></div>"
            f"<div><b>What the article says</b></div>{quotes}"
            f"<div><b>The claim, plainly:</b> {esc(c.claim)}</div>{query}"
        )
        self.signoff_html.value = self._state_html(c)

    @staticmethod
    def _state_html(c: Claim) -> str:
        signed = getattr(c, "signoff", None)
        if signed is not None:
            note = f": {esc(signed.note)}" if signed.note else ""
            return (
                f'<span class="cb-state cb-signed-off" style="color:#12501e"><b>Signed off</b> by '
                f"{esc(signed.reviewer)} on {esc(signed.date)}{note}</span>"
            )
        if c.is_draft:
            return (
                '<span class="cb-state cb-draft" style="color:#8a5a00"><b>Draft</b>: not yet '
                "reviewed</span>"
            )
        return (
            f'<span class="cb-state cb-reviewed"><b>Reviewed</b> {esc(c.reviewed)}; not signed '
            "off yet</span>"
        )

    def _show_verdict(self) -> None:
        c = self.claim
        v = self.review.verdict_row(c.id)
        colour = plots.VERDICT_COLOURS.get(v["verdict"], "#999999")
        counts = " · ".join(f"{int(v[s])} {s}" for s in STANCES)
        retracted = f" · {int(v['retracted'])} retracted" if int(v["retracted"]) else ""
        self.verdict_html.value = (
            f'<div style="border-left:6px solid {colour};padding:4px 10px;margin:6px 0">'
            f'<div><b>Verdict: <span class="cb-verdict-word">{esc(v["verdict"])}</span></b>'
            f' · certainty: <span class="cb-certainty">{esc(v["certainty"])}</span></div>'
            f"<div>{esc(verdict_sentence(v['verdict'], v['certainty'], c.is_draft))}</div>"
            f'<div><i>Why:</i> <span class="cb-rationale">{esc(v["rationale"])}</span></div>'
            f'<div style="{NOTE_STYLE}">{counts}{retracted}</div></div>'
        )

    def _show_figure(self) -> None:
        fig = plots.timeline(self.review.table, self.claim_id)
        try:
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=FIGURE_DPI)
        finally:
            plt.close(fig)
        self.figure.outputs = (
            {
                "output_type": "display_data",
                "data": {
                    "image/png": base64.b64encode(buf.getvalue()).decode("ascii"),
                    "text/plain": f"<timeline of {self.claim_id}>",
                },
                "metadata": {},
            },
        )

    def _design_notes(self) -> dict[str, Any]:
        """Citation key -> 'PubMed indexes it as ...' where PubMed's design differs."""
        sub = self.review.table[self.review.table["claim_id"] == self.claim_id]
        return dict(zip(sub["key"], sub["design_note"], strict=False))

    def _show_evidence(self, view: View) -> None:
        c = self.claim
        notes = self._design_notes()
        find = self.review.snapshot.find
        self.rows = [
            EvidenceRow(self, view, i, cit, find(cit.pmid, cit.doi, cit.url), notes)
            for i, cit in enumerate(c.evidence)
        ]
        header = widgets.HTML(
            '<div style="display:flex;gap:4px;font-weight:bold;color:#444">'
            '<span style="width:14em">paper</span><span style="width:9em">stance</span>'
            '<span style="width:12em">design</span><span style="width:5em">n</span>'
            "<span>finding · note</span></div>"
        )
        empty = widgets.HTML(
            f'<div style="{NOTE_STYLE}">No citations yet: cite a paper below.</div>'
        )
        self.evidence_box.children = [header, *(r.box for r in self.rows)] if self.rows else [empty]
        if c.excluded:
            items = "".join(
                f"<li>{esc(f'PMID {x.pmid}' if x.pmid else f'DOI {x.doi}')}: {esc(x.reason)}</li>"
                for x in c.excluded
            )
            self.excluded_html.value = (
                f"<details><summary>Excluded papers ({len(c.excluded)})</summary>"
                f"<ul>{items}</ul></details>"
            )
        else:
            self.excluded_html.value = ""

    # ------------------------------------------------------------------ editing

    def _regrade(self, claim: Claim, snapshot: Snapshot | None = None) -> None:
        """Put the edited claim into the review and grade only it again (`Review.updated`);
        the snapshot is read again only when the claim cites a paper it lacks (a cite stored
        a new record)."""
        r = self.review
        if snapshot is None and any(
            r.snapshot.find(c.pmid, c.doi, c.url) is None for c in claim.evidence
        ):
            snapshot = load_snapshot(self.folder.snapshot)
        self.review = r.updated(claim, snapshot)

    def apply(
        self,
        what: str,
        action: Callable[[str], Claim],
        *,
        view: View | None = None,
        rebuild: bool = False,
    ) -> bool:
        """Run one edit through the editing API: `action(claim_id)` with the claim of `view`
        (by default the one shown), only while `view` is the one shown; then re-grade that
        claim and update the display (`rebuild`: draw its rows again, as a new view). `what`
        says what changed, for the message. Returns whether it was saved (if not, a message
        says why, and nothing was written)."""
        view = self._current(view)
        if view is None:
            return False
        t0 = time.perf_counter()
        try:
            claim = action(view.claim_id)
        except Exception as exc:
            self.show_error(f"Not saved: {self.one_line(exc)}")
            return False
        t1 = time.perf_counter()
        try:
            self._regrade(claim)
            self.header.value = self._header_html()  # the count of drafts may change
            if rebuild:  # other rows: a new view, keeping what was typed in the forms
                typed = self._typed()
                self._end_view(view.claim_id, clear=False)
                self._draw(typed, figure=False)
            else:  # the same rows; a changed design may change what PubMed's indexing says
                self._show_claim_text()
                self._show_verdict()
                notes = self._design_notes()
                for row in self.rows:
                    row.refresh_label(notes)
            t2 = time.perf_counter()
            self._show_figure()
            t3 = time.perf_counter()
        except Exception as exc:
            self.show_error(
                f"Saved {claim.id} ({what}), but the display did not update: "
                f"{self.one_line(exc)}; press Reload from disk"
            )
            return True
        timing = {
            "what": what,
            "edit_ms": (t1 - t0) * 1000,
            "verdict_ms": (t2 - t0) * 1000,
            "figure_ms": (t3 - t2) * 1000,
            "total_ms": (time.perf_counter() - t0) * 1000,
        }
        self.timings.append(timing)
        self.show_ok(
            f"Saved {claim.id}: {what}. Verdict updated in {timing['verdict_ms']:.0f} ms "
            f"({claim.path.name if claim.path else 'claim file'})."
        )
        return True

    def update_citation(self, ident: str, *, view: View | None = None, **changes: Any) -> bool:
        """Change fields of one citation of the claim of `view` (as the table does)."""
        what = ", ".join(f"{k} of {ident}" for k in changes)
        return self.apply(
            what,
            lambda cid: editing.update_citation(self.folder, cid, ident, **changes),
            view=view,
        )

    def exclude(self, ident: str, reason: str, *, view: View | None = None) -> bool:
        """Screen a paper out of the claim of `view`, with the reason."""
        return self.apply(
            f"excluded {ident}",
            lambda cid: editing.exclude(self.folder, cid, ident, reason.strip()),
            view=view,
            rebuild=True,
        )

    def uncite(self, ident: str, *, view: View | None = None) -> bool:
        """Remove a citation from the claim of `view`."""
        return self.apply(
            f"removed {ident}",
            lambda cid: editing.uncite(self.folder, cid, ident),
            view=view,
            rebuild=True,
        )

    def _on_advice(self, change: dict) -> None:
        text = (change["new"] or "").strip()
        saved = self.claim.advice or ""
        if text == saved:
            return
        advice = self.advice  # the widget of this view (bind ran this only while it is shown)
        ok = self.apply("advice", lambda cid: editing.set_advice(self.folder, cid, text or None))
        if not ok:  # show what the file holds, not the refused text
            with self.quietly():
                advice.value = saved

    def sign_off(self, *, view: View | None = None) -> bool:
        """Sign the claim of `view` off with the reviewer's name and note."""
        view = self._current(view)
        if view is None:
            return False
        reviewer = self.reviewer.value.strip()
        if not reviewer:
            self.show_error("Not signed off: type your name as the reviewer first")
            return False
        note = self.signoff_note.value.strip() or None
        ok = self.apply(
            f"signed off by {reviewer}",
            lambda cid: editing.signoff(self.folder, cid, reviewer, note=note),
            view=view,
        )
        if ok:
            with self.quietly():
                self.signoff_note.value = ""
        return ok

    # ------------------------------------------------------------------ citing

    def _reset_cite_form(self) -> None:
        self._record = None
        with self.quietly():
            self.cite_ident.value = ""
            self.cite_stance.value = "supports"
            self.cite_design.value = "other"
            self.cite_n.value = ""
            self.cite_finding.value = ""
            self.cite_note.value = ""
        self._withdraw_offer()

    def _withdraw_offer(self) -> None:
        self._record = None
        self.record_html.value = ""
        self.cite_button.disabled = True
        self.cite_fields.layout.display = "none"

    def _on_ident_typed(self, change: dict) -> None:
        if self._record is not None:  # the looked-up record no longer matches what is typed
            self._withdraw_offer()

    def look_up(self, *, view: View | None = None) -> PaperRecord | None:
        """Show the record of the paper typed in the cite form (snapshot first, then PubMed
        unless offline; nothing is stored); the Cite button is enabled only after this."""
        if self._current(view) is None:
            return None
        ident = self.cite_ident.value.strip()
        self._withdraw_offer()
        if not ident:
            self.show_error("Type a PMID or a DOI to look up")
            return None
        try:
            rec = editing.lookup_paper(self.folder, ident, offline=self.offline)
        except Exception as exc:
            self.show_error(f"Look-up failed: {self.one_line(exc)}")
            return None
        self._show_record(rec)
        return rec

    def _show_record(self, rec: PaperRecord) -> None:
        """Show a looked-up record and, unless the claim already cites or excludes it, the
        fields to cite it with (the design guessed from PubMed's indexing)."""
        self.message.value = ""
        cited = self._already(rec)
        if cited:
            self._record = rec
            self.record_html.value = self._record_html(rec)
            self.show_error(
                f"{self.cite_ident.value.strip()} is already {cited} by {self.claim_id}"
            )
            return
        guess = design_from_pubmed(rec.publication_types, rec.mesh_terms)
        if guess:
            with self.quietly():
                self.cite_design.value = guess
        self._offer(rec)

    def _offer(self, rec: PaperRecord) -> None:
        """Show `rec` in the cite form with the fields and the Cite button."""
        self._record = rec
        self.record_html.value = self._record_html(rec)
        self.cite_fields.layout.display = None
        self.cite_button.disabled = False
        self.cite_button.tooltip = f"Cite it as evidence for {self.claim_id}"

    def _already(self, rec: PaperRecord) -> str | None:
        c = self.claim
        keys = {rec.key} | ({"doi:" + rec.doi.lower()} if rec.doi else set())
        if any(cit.key in keys for cit in c.evidence):
            return "cited"
        if any(x.key in keys for x in c.excluded):
            return "excluded"
        return None

    def _record_html(self, rec: PaperRecord) -> str:
        authors = ", ".join(rec.authors[:AUTHORS_SHOWN]) + (
            " et al." if len(rec.authors) > AUTHORS_SHOWN else ""
        )
        ids = " · ".join(
            x
            for x in (
                f"PMID {rec.pmid}" if rec.pmid else "",
                f"DOI {rec.doi}" if rec.doi else "",
                ", ".join(rec.publication_types),
            )
            if x
        )
        where = (
            "in the snapshot"
            if self.review is not None and self.review.snapshot.find(rec.pmid, rec.doi, rec.url)
            else "from PubMed (stored in the snapshot when you cite it)"
        )
        retracted = '<div style="color:#8a1010"><b>Retracted.</b></div>' if rec.retracted else ""
        abstract = (
            f"<details><summary>Abstract</summary><div>{esc(rec.abstract)}</div></details>"
            if rec.abstract
            else f'<div style="{NOTE_STYLE}">No abstract in the record.</div>'
        )
        return (
            '<div style="border:1px solid #ccc;border-radius:3px;padding:6px 10px;margin:4px 0">'
            f'<div class="cb-record-title"><b>{esc(rec.title)}</b></div>'
            f"<div>{esc(authors or 'No authors listed')}</div>"
            f"<div>{esc(rec.journal or '')} {esc(rec.year or '')}</div>"
            f'<div style="{NOTE_STYLE}">{esc(ids)} · {where}</div>{retracted}{abstract}</div>'
        )

    def cite(self, *, view: View | None = None) -> bool:
        """Cite the looked-up paper with the form's stance, design, n, finding and note, for
        the claim of `view`. A refused cite keeps the form filled and stores nothing."""
        view = self._current(view)
        if view is None:
            return False
        if self._record is None:
            self.show_error("Look the paper up first, then cite it")
            return False
        ident = self.cite_ident.value.strip()
        try:
            n = parse_n(self.cite_n.value)
        except ValueError as exc:
            self.show_error(f"Not saved: {exc}")
            return False
        stance, design = self.cite_stance.value, self.cite_design.value
        finding = " ".join(self.cite_finding.value.split())
        note = self.cite_note.value.strip() or None
        ok = self.apply(
            f"cited {ident} ({stance})",
            lambda cid: editing.cite(
                self.folder,
                cid,
                ident,
                stance=stance,
                design=design,
                finding=finding,
                n=n,
                note=note,
                offline=self.offline,
            ),
            view=view,
            rebuild=True,
        )
        if ok:
            message = self.message.value
            self._reset_cite_form()
            self.message.value = message
        return ok

    # ------------------------------------------------------------------ screening

    def _saved_search(self) -> str:
        """'saved search of 2026-11-28; 340 records match the query'."""
        saved = load_hits(self.folder, self.claim_id)
        if saved is None:
            return ""
        return f"saved search of {saved.searched_at[:10]}; {saved.count} records match the query"

    def _show_queue(self, view: View) -> None:
        cid = self.claim_id
        empty = widgets.HTML(
            f'<div class="cb-queue-empty" style="{NOTE_STYLE}">No saved search hits: run '
            f"<code>claimbook search {esc(cid)} --save</code> to fill the queue.</div>"
        )
        self.queue_rows = []
        try:
            hits = screening_queue(self.folder, self.claim)
        except Exception as exc:
            message = _box(f"Screening queue: {self.one_line(exc)}", ERROR_STYLE, "cb-error")
            self.queue_box.children = [widgets.HTML(message)]
            return
        if not hits:
            self.queue_box.children = [empty]
            return
        about = self._saved_search()
        shown = f"; the first {MAX_QUEUE} are shown" if len(hits) > MAX_QUEUE else ""
        head = widgets.HTML(
            f'<div style="{NOTE_STYLE}">{len(hits)} hit{"s" if len(hits) != 1 else ""} to '
            f"screen{' (' + esc(about) + ')' if about else ''}{shown}: look one up to cite "
            "it, or exclude it with a reason.</div>"
        )
        self.queue_rows = [QueueRow(self, view, i, hit) for i, hit in enumerate(hits[:MAX_QUEUE])]
        self.queue_box.children = [head, *(r.box for r in self.queue_rows)]

    def screen(self, hit: PaperRecord, *, view: View | None = None) -> PaperRecord | None:
        """Put a queue hit into the cite form, with its saved record (no network)."""
        if self._current(view) is None:
            return None
        with self.quietly():
            self.cite_ident.value = ident_of(hit.pmid, hit.doi) or ""
        self._withdraw_offer()
        self._show_record(hit)
        return hit
