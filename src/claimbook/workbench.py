"""The review workbench: review a folder's claims in JupyterLab with widgets.

    from claimbook.workbench import Workbench
    Workbench(project="..")   # in notebooks/workbench.ipynb of a review folder

Pick a claim; see its quotes, its live verdict (certainty, rationale, draft or sign-off state)
and the timeline of its evidence; edit each citation's stance, design, n, finding and note;
exclude a paper with a reason; look a paper up by PMID or DOI and cite it; screen the saved
search hits; sign the claim off. Every change goes through `claimbook.edit` (which validates
and then writes the claim's YAML file, keeping its comments); the workbench never writes a
file itself. After an edit only the edited claim is re-graded, from the claim the edit
returns, so the verdict updates in a few tens of milliseconds. Any error is shown as one line
in a red box, never as a traceback.

Every widget carries a stable CSS class (`cb-claim-picker`, `cb-stance-0`, `cb-cite-button`,
...) so browser tests and custom styles can find it.
"""

from __future__ import annotations

import base64
import contextlib
import functools
import html
import io
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

import ipywidgets as widgets
import matplotlib.pyplot as plt

from claimbook import edit as editing
from claimbook import plots
from claimbook.claims import Claim, ClaimsError, check_claim_text, project_context
from claimbook.designs import design_from_pubmed
from claimbook.evidence import surname
from claimbook.folder import PathLike, ReviewFolder, find_root
from claimbook.pubmed.store import PaperRecord, Snapshot, load_snapshot
from claimbook.review import Review, load_review
from claimbook.screening import load_hits, screening_queue
from claimbook.vocab import DESIGNS, STANCES, design_label, verdict_sentence
from claimbook.workbench_notebook import WORKBENCH_NOTEBOOK, is_workbench, workbench_notebook

__all__ = ["WORKBENCH_NOTEBOOK", "Workbench", "is_workbench", "workbench_notebook"]

ERROR_STYLE = (
    "color:#8a1010;background:#fdecea;border:1px solid #d33;border-radius:3px;"
    "padding:4px 8px;margin:2px 0"
)
OK_STYLE = (
    "color:#12501e;background:#e8f5e9;border:1px solid #6a6;border-radius:3px;"
    "padding:4px 8px;margin:2px 0"
)
NOTE_STYLE = "color:#555;padding:2px 0"
MAX_MESSAGE = 400  # characters of a one-line message
MAX_QUEUE = 50  # screening hits shown at once
AUTHORS_SHOWN = 6
FIGURE_DPI = 96


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def _box(message: str, style: str, css: str) -> str:
    return f'<div class="{css}" style="{style}">{_esc(message)}</div>'


def _styled(widget: widgets.DOMWidget, *classes: str) -> Any:
    for css in classes:
        widget.add_class(css)
    return widget


def _ident_of(pmid: str | None, doi: str | None) -> str | None:
    """What the editing API takes to name a paper: its PMID, else its DOI."""
    return pmid or doi or None


def _parse_n(text: str) -> int | None:
    text = text.strip().replace(",", "").replace("_", "")
    if not text:
        return None
    if not text.isdigit():
        raise ValueError(f"n must be a whole number of participants (or empty), not {text!r}")
    return int(text)


class Workbench(widgets.VBox):
    """A claim-by-claim review workbench for one review folder (an ipywidgets VBox).

    `project` is the review folder (default: the one around the current folder); `claims` and
    `data` move its claims or data folder elsewhere, as `ReviewFolder.at` does. `claim_id`
    picks the first claim shown; `offline=True` never looks papers up on PubMed (only the
    snapshot); `rules_file` grades with other rules.

    Attributes for scripts and tests: `review` (the review in memory), `claim_id`,
    `message` (the one-line status), `rows` (one `EvidenceRow` per citation) and `timings`
    (how long each edit took, in ms).
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
        self.rows: list[EvidenceRow] = []
        self.queue_rows: list[QueueRow] = []
        self.timings: list[dict[str, Any]] = []
        self._quiet = False
        self._record: PaperRecord | None = None  # the paper the cite form looked up

        self.header = _styled(widgets.HTML(), "cb-header")
        self.picker = _styled(
            widgets.Dropdown(
                description="Claim", options=[], layout=widgets.Layout(width="min(100%, 60em)")
            ),
            "cb-claim-picker",
        )
        self.reload_button = _styled(
            widgets.Button(
                description="Reload from disk",
                icon="refresh",
                tooltip="Read every claim file and the snapshot again (after editing them "
                "elsewhere)",
            ),
            "cb-reload",
        )
        self.message = _styled(widgets.HTML(), "cb-message")
        self.claim_html = _styled(widgets.HTML(), "cb-claim")
        self.verdict_html = _styled(widgets.HTML(), "cb-verdict")
        self.figure = _styled(widgets.Output(), "cb-figure")
        self.evidence_box = _styled(widgets.VBox(), "cb-evidence")
        self.excluded_html = _styled(widgets.HTML(), "cb-excluded")
        self._build_cite_form()
        self.queue_box = _styled(widgets.VBox(), "cb-queue")
        self._build_advice_and_signoff()

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
                self.advice,
                _heading("Sign-off", "vouch that this claim's evidence has been checked"),
                self.signoff_box,
            ]
        )
        self.add_class("cb-workbench")
        self.reload(claim_id)

    def __repr__(self) -> str:  # short and stable (the default lists every child widget)
        return f"Workbench(project={str(self.folder.root)!r}, claim_id={self.claim_id!r})"

    # ------------------------------------------------------------------ building blocks

    def _build_cite_form(self) -> None:
        self.cite_ident = _styled(
            widgets.Text(
                description="PMID or DOI",
                placeholder="e.g. 3735481 or 10.1136/bjsm.2010.078535",
                layout=widgets.Layout(width="30em"),
                style={"description_width": "7em"},
            ),
            "cb-cite-ident",
        )
        self.lookup_button = _styled(
            widgets.Button(description="Look up", icon="search", tooltip="Show the paper's record"),
            "cb-lookup",
        )
        self.record_html = _styled(widgets.HTML(), "cb-record")
        self.cite_stance = _styled(
            widgets.Dropdown(description="Stance", options=list(STANCES), value="supports"),
            "cb-cite-stance",
        )
        self.cite_design = _styled(
            widgets.Dropdown(description="Design", options=_design_options(), value="other"),
            "cb-cite-design",
        )
        self.cite_n = _styled(
            widgets.Text(description="n", placeholder="participants", layout=_w("14em")),
            "cb-cite-n",
        )
        self.cite_finding = _styled(
            widgets.Textarea(
                description="Finding",
                placeholder="What the paper found, in your own words (20 to 700 characters)",
                layout=widgets.Layout(width="min(100%, 60em)", height="5em"),
            ),
            "cb-cite-finding",
        )
        self.cite_note = _styled(
            widgets.Text(description="Note", placeholder="optional", layout=_w("min(100%, 60em)")),
            "cb-cite-note",
        )
        self.cite_button = _styled(
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
            ]
        )
        self.cite_box = _styled(
            widgets.VBox(
                [
                    widgets.HBox([self.cite_ident, self.lookup_button]),
                    self.record_html,
                    self.cite_fields,
                ]
            ),
            "cb-cite",
        )
        self.lookup_button.on_click(self._guard(lambda _b: self.look_up()))
        self.cite_button.on_click(self._guard(lambda _b: self.cite()))
        self.cite_ident.observe(self._guard(self._on_ident_typed), names="value")

    def _build_advice_and_signoff(self) -> None:
        self.advice = _styled(
            widgets.Textarea(
                placeholder="What to tell a client, in plain words (at least 20 characters)",
                continuous_update=False,
                layout=widgets.Layout(width="min(100%, 60em)", height="5em"),
            ),
            "cb-advice",
        )
        self.advice.observe(self._guard(self._on_advice), names="value")
        self.signoff_html = _styled(widgets.HTML(), "cb-signoff-state")
        self.reviewer = _styled(
            widgets.Text(description="Reviewer", placeholder="your name"), "cb-reviewer"
        )
        self.signoff_note = _styled(
            widgets.Text(description="Note", placeholder="optional", layout=_w("30em")),
            "cb-signoff-note",
        )
        self.signoff_button = _styled(
            widgets.Button(description="Sign off", icon="check", button_style="success"),
            "cb-signoff-button",
        )
        self.signoff_button.on_click(self._guard(lambda _b: self.sign_off()))
        self.signoff_box = _styled(
            widgets.VBox(
                [
                    self.signoff_html,
                    widgets.HBox([self.reviewer, self.signoff_note, self.signoff_button]),
                ]
            ),
            "cb-signoff",
        )

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
        elif isinstance(exc, (editing.EditError, ClaimsError, ValueError, LookupError, OSError)):
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
    def _quietly(self) -> Iterator[None]:
        """Set widget values without their observers saving anything."""
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
        try:
            self.review = load_review(self.folder.claims, self.folder.data, self.rules_file)
        except Exception as exc:
            self.review = None
            self.claim_id = None
            with self._quietly():
                self.picker.options = []
            self.header.value = self._header_html()
            self._clear_claim()
            self.show_error(exc)
            return
        self.header.value = self._header_html()
        ids = [c.id for c in self.review.claims]
        options = [(f"{c.id} · {c.title}", c.id) for c in self.review.claims]
        if want not in ids:
            want = ids[0] if ids else None
        with self._quietly():
            self.picker.options = options
            self.picker.value = want
        self.message.value = ""
        try:
            self.show_claim(want)
        except Exception as exc:  # never a traceback, even from a figure
            self.show_error(exc)

    def _header_html(self) -> str:
        if self.review is None:
            return f"<h3>claimbook workbench</h3><div>{_esc(self.folder.root)}</div>"
        a = self.review.article
        n = len(self.review.claims)
        drafts = sum(c.is_draft for c in self.review.claims)
        waiting = f" ({drafts} draft{'s' if drafts != 1 else ''})" if drafts else ""
        return (
            f"<h3>claimbook workbench · {_esc(a.title)}</h3>"
            f'<div style="{NOTE_STYLE}">{_esc(a.publisher)} · {n} claims{waiting} · snapshot: '
            f"{_esc(self.review.snapshot_summary())} · every change is saved to the claim's "
            "file in <code>claims/</code></div>"
        )

    def _clear_claim(self) -> None:
        self.claim_html.value = ""
        self.verdict_html.value = ""
        self.figure.outputs = ()
        self.evidence_box.children = ()
        self.excluded_html.value = ""
        self.queue_box.children = ()
        self.signoff_html.value = ""

    def _on_pick(self, change: dict) -> None:
        if change["new"]:
            self.message.value = ""
            self.show_claim(change["new"])

    def _refresh_from_disk(self, claim_id: str) -> None:
        """Re-read one claim's file (cheap), so edits made elsewhere show when it is picked."""
        claim = self.claim
        if claim.path is None or not claim.path.exists():
            return
        context = project_context(self.folder.claims, self.folder.data)
        fresh = check_claim_text(claim.path, claim.path.read_text(encoding="utf-8"), context)
        if fresh.model_dump() != claim.record.model_dump():  # the file holds the whole record
            self._regrade(fresh, context.snapshot)

    def show_claim(self, claim_id: str | None) -> None:
        """Show one claim: text, verdict, figure, evidence, cite form, queue, sign-off."""
        self.claim_id = claim_id
        if self.review is None or claim_id is None:
            self._clear_claim()
            return
        with self._quietly():
            if self.picker.value != claim_id:
                self.picker.value = claim_id
        try:
            self._refresh_from_disk(claim_id)
        except Exception as exc:  # the file on disk is broken now: show what we had, and why
            self.show_error(exc)
        self._show_claim_text()
        self._show_verdict()
        self._show_figure()
        self._show_evidence()
        self._reset_cite_form()
        self._show_queue()
        with self._quietly():
            self.advice.value = self.claim.advice or ""

    # ------------------------------------------------------------------ the claim

    @property
    def claim(self) -> Claim:
        return self.review.claim(self.claim_id)

    def _show_claim_text(self) -> None:
        c = self.claim
        quotes = "".join(
            f'<blockquote style="margin:4px 0 4px 1em;border-left:3px solid #ccc;'
            f'padding-left:8px">“{_esc(q.text)}”<br><i>— {_esc(q.section)}</i></blockquote>'
            for q in c.quotes
        )
        where = _esc(self._shown(c.path)) if c.path else ""
        query = f"<div><b>PubMed query:</b> <code>{_esc(c.query)}</code></div>" if c.query else ""
        self.claim_html.value = (
            f"<h3>{_esc(c.id)} · {_esc(c.title)}</h3>"
            f"<div>{self._state_html(c)} · <code>{where}</code></div>"
            f"<div><b>What the article says</b></div>{quotes}"
            f"<div><b>The claim, plainly:</b> {_esc(c.claim)}</div>{query}"
        )
        self.signoff_html.value = self._state_html(c)

    def _shown(self, path: os.PathLike[str] | str) -> str:
        """A path relative to the review folder when it is inside it."""
        try:
            return os.path.relpath(path, self.folder.root)
        except ValueError:  # another drive
            return str(path)

    @staticmethod
    def _state_html(c: Claim) -> str:
        signed = getattr(c, "signoff", None)
        if signed is not None:
            note = f": {_esc(signed.note)}" if signed.note else ""
            return (
                f'<span class="cb-state cb-signed-off" style="color:#12501e"><b>Signed off</b> by '
                f"{_esc(signed.reviewer)} on {_esc(signed.date)}{note}</span>"
            )
        if c.is_draft:
            return (
                '<span class="cb-state cb-draft" style="color:#8a5a00"><b>Draft</b>: not yet '
                "reviewed</span>"
            )
        return (
            f'<span class="cb-state cb-reviewed"><b>Reviewed</b> {_esc(c.reviewed)}; not signed '
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
            f'<div><b>Verdict: <span class="cb-verdict-word">{_esc(v["verdict"])}</span></b>'
            f' · certainty: <span class="cb-certainty">{_esc(v["certainty"])}</span></div>'
            f"<div>{_esc(verdict_sentence(v['verdict'], v['certainty'], c.is_draft))}</div>"
            f'<div><i>Why:</i> <span class="cb-rationale">{_esc(v["rationale"])}</span></div>'
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

    def _show_evidence(self) -> None:
        c = self.claim
        notes = self._design_notes()
        self.rows = [
            EvidenceRow(self, i, cit, self.review.snapshot.find(cit.pmid, cit.doi, cit.url), notes)
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
                f"<li>{_esc(f'PMID {x.pmid}' if x.pmid else f'DOI {x.doi}')}: {_esc(x.reason)}</li>"
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

    def apply(self, what: str, action: Callable[[], Claim], *, rebuild: bool = False) -> bool:
        """Run one edit of the shown claim through the editing API, then re-grade it and
        update the display; `what` says what changed, for the message. Returns whether it was
        saved (an error is shown, and nothing was written)."""
        t0 = time.perf_counter()
        try:
            claim = action()
        except Exception as exc:
            self.show_error(f"Not saved: {self.one_line(exc)}")
            return False
        t1 = time.perf_counter()
        try:
            self._regrade(claim)
            self.header.value = self._header_html()  # the count of drafts may change
            self._show_claim_text()
            self._show_verdict()
            t2 = time.perf_counter()
            self._show_figure()
            t3 = time.perf_counter()
            if rebuild:
                self._show_evidence()
            else:  # the same rows; a changed design may change what PubMed's indexing says
                notes = self._design_notes()
                for row in self.rows:
                    row.refresh_label(notes)
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

    def update_citation(self, ident: str, **changes: Any) -> bool:
        """Change fields of one citation of the shown claim (as the table does)."""
        what = ", ".join(f"{k} of {ident}" for k in changes)
        cid = self.claim_id
        return self.apply(what, lambda: editing.update_citation(self.folder, cid, ident, **changes))

    def exclude(self, ident: str, reason: str) -> bool:
        cid = self.claim_id
        return (
            self.apply(
                f"excluded {ident}",
                lambda: editing.exclude(self.folder, cid, ident, reason.strip()),
                rebuild=True,
            )
            and self._after_screening()
        )

    def uncite(self, ident: str) -> bool:
        cid = self.claim_id
        return self.apply(
            f"removed {ident}", lambda: editing.uncite(self.folder, cid, ident), rebuild=True
        )

    def _after_screening(self) -> bool:
        self._show_queue()
        return True

    def _on_advice(self, change: dict) -> None:
        text = (change["new"] or "").strip()
        if text == (self.claim.advice or ""):
            return
        cid = self.claim_id
        self.apply("advice", lambda: editing.set_advice(self.folder, cid, text or None))

    def sign_off(self) -> bool:
        reviewer = self.reviewer.value.strip()
        if not reviewer:
            self.show_error("Not signed off: type your name as the reviewer first")
            return False
        note = self.signoff_note.value.strip() or None
        cid = self.claim_id
        ok = self.apply(
            f"signed off by {reviewer}",
            lambda: editing.signoff(self.folder, cid, reviewer, note=note),
        )
        if ok:
            with self._quietly():
                self.signoff_note.value = ""
        return ok

    # ------------------------------------------------------------------ citing

    def _reset_cite_form(self) -> None:
        self._record = None
        with self._quietly():
            self.cite_ident.value = ""
            self.cite_stance.value = "supports"
            self.cite_design.value = "other"
            self.cite_n.value = ""
            self.cite_finding.value = ""
            self.cite_note.value = ""
        self.record_html.value = ""
        self.cite_button.disabled = True
        self.cite_fields.layout.display = "none"

    def _on_ident_typed(self, change: dict) -> None:
        if self._record is not None:  # the looked-up record no longer matches what is typed
            self._record = None
            self.record_html.value = ""
            self.cite_button.disabled = True
            self.cite_fields.layout.display = "none"

    def look_up(self) -> PaperRecord | None:
        """Show the record of the paper typed in the cite form (snapshot first, then PubMed
        unless offline); the Cite button is enabled only after this."""
        ident = self.cite_ident.value.strip()
        self._record = None
        self.cite_button.disabled = True
        self.cite_fields.layout.display = "none"
        if not ident:
            self.show_error("Type a PMID or a DOI to look up")
            return None
        try:
            rec = editing.lookup_paper(self.folder, ident, offline=self.offline)
        except Exception as exc:
            self.record_html.value = ""
            self.show_error(f"Look-up failed: {self.one_line(exc)}")
            return None
        self._show_record(rec)
        return rec

    def _show_record(self, rec: PaperRecord) -> None:
        """Show a looked-up record and, unless the claim already cites or excludes it, the
        fields to cite it with (the design guessed from PubMed's indexing)."""
        self._record = rec
        self.record_html.value = self._record_html(rec)
        self.message.value = ""
        cited = self._already(rec)
        if cited:
            self.show_error(
                f"{self.cite_ident.value.strip()} is already {cited} by {self.claim_id}"
            )
            return
        guess = design_from_pubmed(rec.publication_types, rec.mesh_terms)
        if guess:
            with self._quietly():
                self.cite_design.value = guess
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
            f"<details><summary>Abstract</summary><div>{_esc(rec.abstract)}</div></details>"
            if rec.abstract
            else f'<div style="{NOTE_STYLE}">No abstract in the record.</div>'
        )
        return (
            '<div style="border:1px solid #ccc;border-radius:3px;padding:6px 10px;margin:4px 0">'
            f'<div class="cb-record-title"><b>{_esc(rec.title)}</b></div>'
            f"<div>{_esc(authors or 'No authors listed')}</div>"
            f"<div>{_esc(rec.journal or '')} {_esc(rec.year or '')}</div>"
            f'<div style="{NOTE_STYLE}">{_esc(ids)} · {where}</div>{retracted}{abstract}</div>'
        )

    def cite(self) -> bool:
        """Cite the looked-up paper with the form's stance, design, n, finding and note."""
        if self._record is None:
            self.show_error("Look the paper up first, then cite it")
            return False
        ident = self.cite_ident.value.strip()
        try:
            n = _parse_n(self.cite_n.value)
        except ValueError as exc:
            self.show_error(f"Not saved: {exc}")
            return False
        stance, design = self.cite_stance.value, self.cite_design.value
        finding = " ".join(self.cite_finding.value.split())
        note = self.cite_note.value.strip() or None
        cid = self.claim_id
        ok = self.apply(
            f"cited {ident} ({stance})",
            lambda: editing.cite(
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
            rebuild=True,
        )
        if ok:
            message = self.message.value
            self._reset_cite_form()
            self._show_queue()
            self.message.value = message
        return ok

    # ------------------------------------------------------------------ screening

    def _saved_search(self) -> str:
        """'saved search of 2026-11-28; 340 records match the query'."""
        saved = load_hits(self.folder, self.claim_id)
        if saved is None:
            return ""
        return f"saved search of {saved.searched_at[:10]}; {saved.count} records match the query"

    def _show_queue(self) -> None:
        cid = self.claim_id
        empty = widgets.HTML(
            f'<div class="cb-queue-empty" style="{NOTE_STYLE}">No saved search hits: run '
            f"<code>claimbook search {_esc(cid)} --save</code> to fill the queue.</div>"
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
            f"screen{' (' + _esc(about) + ')' if about else ''}{shown}: look one up to cite "
            "it, or exclude it with a reason.</div>"
        )
        self.queue_rows = [QueueRow(self, i, hit) for i, hit in enumerate(hits[:MAX_QUEUE])]
        self.queue_box.children = [head, *(r.box for r in self.queue_rows)]

    def screen(self, hit: PaperRecord) -> PaperRecord:
        """Put a queue hit into the cite form, with its saved record (no network)."""
        with self._quietly():
            self.cite_ident.value = _ident_of(hit.pmid, hit.doi) or ""
        self._show_record(hit)
        return hit


# --------------------------------------------------------------------------- rows


def _w(width: str) -> widgets.Layout:
    return widgets.Layout(width=width)


def _design_options() -> list[tuple[str, str]]:
    return [(design_label(d), d) for d in DESIGNS]


def _heading(title: str, hint: str) -> widgets.HTML:
    return widgets.HTML(
        f'<h4 style="margin:12px 0 2px 0">{_esc(title)} '
        f'<span style="font-weight:normal;color:#666;font-size:90%">· {_esc(hint)}</span></h4>'
    )


class EvidenceRow:
    """One citation of the shown claim as a row of widgets; each change saves that field."""

    def __init__(
        self, bench: Workbench, i: int, cit: Any, rec: PaperRecord | None, notes: dict
    ) -> None:
        self.bench = bench
        self.index = i
        self.ident = _ident_of(cit.pmid, cit.doi)
        self.saved = {"stance": cit.stance, "design": cit.design}
        editable = self.ident is not None
        self.cit, self.rec = cit, rec
        self.key = rec.key if rec is not None else cit.key  # as the evidence table keys it
        self.label = _styled(
            widgets.HTML(_paper_label(cit, rec, notes.get(self.key))), f"cb-paper-{i}"
        )
        self.label.layout = _w("14em")
        tip = f"{self.ident or cit.url}"
        self.stance = _styled(
            widgets.Dropdown(options=list(STANCES), value=cit.stance, layout=_w("9em"),
                             tooltip=f"Stance of {tip}", disabled=not editable),
            f"cb-stance-{i}", "cb-stance",
        )  # fmt: skip
        self.design = _styled(
            widgets.Dropdown(options=_design_options(), value=cit.design, layout=_w("12em"),
                             tooltip=f"Design of {tip}", disabled=not editable),
            f"cb-design-{i}", "cb-design",
        )  # fmt: skip
        self.n = _styled(
            widgets.Text(value="" if cit.n is None else str(cit.n), placeholder="n",
                         continuous_update=False, layout=_w("5em"),
                         tooltip=f"Participants in {tip}", disabled=not editable),
            f"cb-n-{i}", "cb-n",
        )  # fmt: skip
        self.finding = _styled(
            widgets.Textarea(value=cit.finding, continuous_update=False,
                             layout=widgets.Layout(width="100%", height="6.5em"),
                             tooltip=f"Finding of {tip}", disabled=not editable),
            f"cb-finding-{i}", "cb-finding",
        )  # fmt: skip
        self.note = _styled(
            widgets.Text(value=cit.note or "", placeholder="note (optional)",
                         continuous_update=False, layout=widgets.Layout(width="100%"),
                         tooltip=f"Note on {tip}", disabled=not editable),
            f"cb-note-{i}", "cb-note",
        )  # fmt: skip
        self.exclude_button = _styled(
            widgets.Button(description="Exclude…", icon="ban", layout=_w("8em"),
                           tooltip=f"Exclude {tip} from the evidence, with a reason",
                           disabled=not editable),
            f"cb-exclude-{i}", "cb-exclude",
        )  # fmt: skip
        self.remove_button = _styled(
            widgets.Button(description="Remove…", icon="trash", layout=_w("8em"),
                           tooltip=f"Remove the citation of {tip} (a mistake, not a screening "
                           "decision: use Exclude for that)", disabled=not editable),
            f"cb-remove-{i}", "cb-remove",
        )  # fmt: skip
        self.reason = _styled(
            widgets.Text(placeholder="why it is excluded (at least 5 characters)",
                         layout=_w("30em")),
            f"cb-exclude-reason-{i}",
        )  # fmt: skip
        self.confirm_exclude = _styled(
            widgets.Button(description="Exclude", button_style="danger", layout=_w("8em")),
            f"cb-exclude-confirm-{i}",
        )
        self.confirm_remove = _styled(
            widgets.Button(description="Remove", button_style="danger", layout=_w("8em")),
            f"cb-remove-confirm-{i}",
        )
        self.cancel = widgets.Button(description="Cancel", layout=_w("7em"))
        self.confirm = widgets.HBox([], layout=widgets.Layout(display="none"))
        self.box = _styled(
            widgets.VBox(
                [
                    widgets.HBox(
                        [
                            self.label,
                            self.stance,
                            self.design,
                            self.n,
                            widgets.VBox([self.finding, self.note],
                                         layout=widgets.Layout(flex="1 1 auto")),
                            widgets.VBox([self.exclude_button, self.remove_button]),
                        ]
                    ),
                    self.confirm,
                ],
                layout=widgets.Layout(border_bottom="1px solid #eee", padding="2px 0"),
            ),
            f"cb-row-{i}", "cb-row",
        )  # fmt: skip
        if not editable:
            return
        g = bench._guard
        self.stance.observe(g(lambda ch: self._save("stance", ch["new"], self.stance)), "value")
        self.design.observe(g(lambda ch: self._save("design", ch["new"], self.design)), "value")
        self.n.observe(g(self._save_n), "value")
        self.finding.observe(g(lambda ch: self._save("finding", ch["new"], None)), "value")
        self.note.observe(g(lambda ch: self._save("note", ch["new"].strip() or None, None)),
                          "value")  # fmt: skip
        self.exclude_button.on_click(g(lambda _b: self._ask("exclude")))
        self.remove_button.on_click(g(lambda _b: self._ask("remove")))
        self.cancel.on_click(g(lambda _b: self._hide()))
        self.confirm_exclude.on_click(g(lambda _b: self._exclude()))
        self.confirm_remove.on_click(g(lambda _b: self._remove()))

    def refresh_label(self, notes: dict[str, Any]) -> None:
        self.label.value = _paper_label(self.cit, self.rec, notes.get(self.key))

    def _save(self, field: str, value: Any, dropdown: widgets.Dropdown | None) -> None:
        ok = self.bench.update_citation(self.ident, **{field: value})
        if dropdown is not None:
            if ok:
                self.saved[field] = value
            else:  # show what the file holds, not the refused choice
                with self.bench._quietly():
                    dropdown.value = self.saved[field]

    def _save_n(self, change: dict) -> None:
        try:
            n = _parse_n(change["new"])
        except ValueError as exc:
            self.bench.show_error(f"Not saved: {exc}")
            return
        self._save("n", n, None)

    def _ask(self, what: str) -> None:
        if what == "exclude":
            self.confirm.children = [self.reason, self.confirm_exclude, self.cancel]
        else:
            note = widgets.HTML(f"Remove the citation of {_esc(self.ident)}?&nbsp;")
            self.confirm.children = [note, self.confirm_remove, self.cancel]
        self.confirm.layout.display = None

    def _hide(self) -> None:
        self.confirm.layout.display = "none"
        self.reason.value = ""

    def _exclude(self) -> None:
        reason = self.reason.value.strip()
        if not reason:
            self.bench.show_error(f"Not excluded: say why {self.ident} is excluded")
            return
        self.bench.exclude(self.ident, reason)

    def _remove(self) -> None:
        self.bench.uncite(self.ident)


def _paper_label(cit: Any, rec: PaperRecord | None, design_note: Any) -> str:
    who = surname(rec.first_author) if rec else "?"
    year = f" {rec.year}" if rec and rec.year else ""
    if cit.pmid:
        ident = f"PMID {cit.pmid}"
        href = f"https://pubmed.ncbi.nlm.nih.gov/{cit.pmid}/"
    elif cit.doi:
        ident = f"DOI {cit.doi}"
        href = f"https://doi.org/{cit.doi}"
    else:
        ident = "not in PubMed (cited by URL: edit its YAML file)"
        href = cit.url
    title = _esc(rec.title) if rec else ""
    extra = ""
    if rec and rec.retracted:
        extra += '<div style="color:#8a1010"><b>retracted</b></div>'
    if isinstance(design_note, str) and design_note:
        extra += f'<div style="{NOTE_STYLE};font-size:85%">{_esc(design_note)}</div>'
    return (
        f'<div title="{title}"><b>{_esc(who)}{_esc(year)}</b><br>'
        f'<a href="{_esc(href)}" target="_blank" rel="noopener">{_esc(ident)}</a>{extra}</div>'
    )


class QueueRow:
    """One saved search hit: look it up (to cite it) or exclude it with a reason."""

    def __init__(self, bench: Workbench, i: int, hit: PaperRecord) -> None:
        self.bench = bench
        self.ident = _ident_of(hit.pmid, hit.doi) or ""
        design = design_from_pubmed(hit.publication_types, hit.mesh_terms)
        title = hit.title or ""
        first = f"PMID {hit.pmid}" if hit.pmid else hit.doi
        bits = " · ".join(str(x) for x in (first, hit.year, design) if x)
        self.label = widgets.HTML(
            f"<div><b>{_esc(bits)}</b> {_esc(title)}</div>", layout=widgets.Layout(flex="1 1 auto")
        )
        self.look = _styled(
            widgets.Button(description="Look up", icon="search", layout=_w("8em"),
                           tooltip="Show its record in the cite form"),
            f"cb-queue-lookup-{i}",
        )  # fmt: skip
        self.reason = _styled(
            widgets.Text(placeholder="reason to exclude", layout=_w("16em")),
            f"cb-queue-reason-{i}",
        )
        self.exclude_button = _styled(
            widgets.Button(description="Exclude", icon="ban", layout=_w("8em")),
            f"cb-queue-exclude-{i}",
        )
        g = bench._guard
        self.look.on_click(g(lambda _b: bench.screen(hit)))
        self.exclude_button.on_click(g(lambda _b: self._exclude()))
        self.box = _styled(
            widgets.HBox([self.label, self.look, self.reason, self.exclude_button]),
            f"cb-queue-row-{i}",
        )

    def _exclude(self) -> None:
        reason = self.reason.value.strip()
        if not reason:
            self.bench.show_error(f"Not excluded: say why {self.ident} is excluded")
            return
        self.bench.exclude(self.ident, reason)
