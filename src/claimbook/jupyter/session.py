"""The review session behind the workbench: its state and its actions, without a widget.

    session = ReviewSession(ReviewFolder.at(".."), offline=True)
    session.load("C01")                               # read the review, show C01
    saved = session.update_citation("3735481", stance="contradicts")
    saved.message                                     # 'Saved C01: stance of 3735481. ...'

The state is the review folder, the review in memory (graded), the claim shown and the `View`
it is drawn as. Every action goes through `claimbook.edit` (which validates, then writes the
claim's YAML file) and returns a value, or raises a `SessionError` whose text is the one line
the reviewer reads; after an edit only the edited claim is re-graded (`Review.updated`).

An edit is saved to the claim it was made on, or not at all. Each drawing of a claim is a new
`View` (the claim and a generation number); an action given a view runs only while that view
is the one shown, else it raises `NotSaved` and writes nothing. A new view is made when a
claim is picked, the folder reloaded or the rows redrawn after a cite, exclude or removal;
the old one ends first, before anything slow, and observers hear of it at once.

Observers (the workbench's panels) are told of every `Change`: a view `ended`, the review
`loaded`, a view `shown`, the claim of the view `graded` after an edit (before any redrawing),
then `edited`. First observers (the evidence table) are told before the others; late
observers (the timeline) after them, so an edit's timing says how soon the verdict showed.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from claimbook import edit as editing
from claimbook.claims.schema import Claim
from claimbook.claims.validate import check_claim_text, claim_context
from claimbook.edit.screening import load_hits, screening_queue
from claimbook.folder import PathLike, ReviewFolder
from claimbook.inputs import MAX_YAML_BYTES, read_text
from claimbook.jupyter import citing
from claimbook.jupyter.session_authoring import Authoring, Queue
from claimbook.jupyter.session_types import (
    Change,
    NotSaved,
    NotShown,
    ReadReview,
    Saved,
    SessionError,
    ShownAsLastRead,
    View,
    file_stamp,
    ident_of,
    one_line,
    parse_n,
    read_review,
    stale_message,
)
from claimbook.pubmed.store import PaperRecord, Snapshot, load_snapshot

if TYPE_CHECKING:
    from claimbook.evidence.review import Review

__all__ = [  # the session, and the values it hands out (session_types.py)
    "Change",
    "NotSaved",
    "NotShown",
    "Queue",
    "ReviewSession",
    "Saved",
    "SessionError",
    "ShownAsLastRead",
    "View",
    "ident_of",
    "one_line",
    "parse_n",
]


Observer = Callable[[Change], None]


class ReviewSession(Authoring):
    """One reviewer's session on one review folder: the review in memory, the claim shown, its
    view, and every action the workbench offers (see the module docstring).

    `offline=True` never looks papers up on PubMed (only the snapshot); `rules_file` grades
    with other rules. `timings` holds how long each saved edit took."""

    def __init__(
        self,
        folder: ReviewFolder,
        *,
        offline: bool = False,
        rules_file: PathLike | None = None,
    ) -> None:
        self.folder, self.offline, self.rules_file = folder, offline, rules_file
        self.review: Review | None = None
        self.claim_id: str | None = None
        self.view: View | None = None
        self.timings: list[dict[str, Any]] = []
        self._generation = 0
        self._pick = 0  # the generation at which the claim shown was picked
        self._first: list[Observer] = []
        self._observers: list[Observer] = []
        self._late: list[Observer] = []
        self.reviewer = ""  # the reviewer's name, for sign-off and screening votes
        self.blind = True  # screening: the other reviewers' votes hidden until all are done
        self._candidates = self._text = None
        self._stamps: dict[Any, tuple[int, int]] = {}  # claim file -> (mtime_ns, size) last read
        self._ahead: ReadReview | None = None  # read while the app's page loads

    def __repr__(self) -> str:
        return f"ReviewSession({str(self.folder.root)!r}, claim_id={self.claim_id!r})"

    # ------------------------------------------------------------------ observers

    def observe(self, observer: Observer, *, late: bool = False, first: bool = False) -> None:
        """Tell `observer` of every `Change` (`late`: after the others, for slow drawing;
        `first`: before them, and of a claim picked only that it is shown, before the others
        hear that the view before it ended: what the reviewer waits for, drawn first)."""
        (self._late if late else self._first if first else self._observers).append(observer)

    def _tell(self, change: Change, *, late: bool | None = None) -> None:
        """Tell the observers (`late`: only the late ones, or only the others; None: all)."""
        early = [*self._first, *self._observers]
        groups = [early, self._late] if late is None else [self._late if late else early]
        for group in groups:
            for observer in list(group):
                observer(change)

    # ------------------------------------------------------------------ views

    def one_line(self, exc: BaseException | str) -> str:
        """An error as one line, with paths relative to the review folder."""
        return one_line(exc, self.folder.root)

    def is_current(self, view: View | None) -> bool:
        return view is not None and view == self.view

    def still_picked(self, view: View | None) -> bool:
        """Whether the claim of `view` is still shown as it was picked then (its rows may have
        been redrawn since, after an edit)."""
        return view is not None and view.same_pick(self.view)

    def stale_message(self, view: View) -> str:
        """Why a change made on `view`, no longer shown, was not saved."""
        return stale_message(view, self.claim_id)

    def current(self, view: View | None = None) -> View:
        """`view` (by default the one shown) if it is the one shown; else NotSaved."""
        if view is None:
            view = self.view
            if view is None:
                raise NotSaved(self.nothing_shown("Not saved"))
        if view != self.view:
            raise NotSaved(self.stale_message(view))
        return view

    def _end(self, next_claim: str | None, *, clear: bool = True) -> None:
        """End the view shown, before any slow work: from here on actions given it do
        nothing, and the observers take its widgets off (`clear`) or redraw them next."""
        self._generation += 1
        self.view = None
        self._tell(Change("ended", next_claim=next_claim, clear=clear), late=False)

    def _show(self, *, edit: bool = False) -> View:
        """Make the claim `claim_id` a new view and tell the (early) observers."""
        pick = self._pick if edit else self._generation  # an edit redraws the claim picked
        self.view = View(self.claim_id, self._generation, pick)
        self._tell(Change("shown", self.view, edit=edit), late=False)
        return self.view

    # ------------------------------------------------------------------ loading

    def load(self, claim_id: str | None = None) -> View | None:
        """Read the whole review again from disk (claims, snapshot) and show `claim_id` (by
        default the claim shown now; else the first). Raises what the loading raised (the
        review is then None and no claim is shown)."""
        want = claim_id or self.claim_id
        self._candidates, self._text = None, None  # the article may have changed too
        self._end(want)  # reading every file takes a while: nothing stays editable
        ahead, self._ahead = self._ahead, None
        review, problem, stamps = ahead or read_review(self.folder, self.rules_file)
        if problem is not None:
            self.review = None
            self.claim_id = None
            self._end(None)
            self._tell(Change("loaded"))
            raise problem
        self.review, self._stamps = review, stamps
        self._tell(Change("loaded"))
        ids = [c.id for c in self.review.claims]
        if want not in ids:
            want = ids[0] if ids else None
        return self.select(want)

    def read_ahead(self) -> None:
        """Read and grade the review now, unseen by observers; the next `load` shows it (the app
        reads while its page loads, and draws once the page is ready for the widgets)."""
        self._ahead = read_review(self.folder, self.rules_file)

    def select(self, claim_id: str | None) -> View | None:
        """Show one claim as a new view (re-reading its file first, so edits made elsewhere
        show). The view shown before ends first, before anything slow. An unknown id raises
        KeyError and the claim shown stays; a claim whose file is broken now is shown as last
        read, then ShownAsLastRead says why."""
        if self.review is None or claim_id is None:
            self._end(claim_id)
            self.claim_id = claim_id
            return None
        self.review.claim(claim_id)  # an unknown id is refused; the claim shown stays
        self._generation += 1  # the view shown ends: nothing it sends is saved from here on
        self.view, self.claim_id = None, claim_id
        problem = None
        try:
            self._refresh_from_disk()
        except Exception as exc:  # the file on disk is broken now: show what we had, and why
            problem = exc
        self._pick = self._generation
        view = View(claim_id, self._generation, self._pick)
        ended = Change("ended", next_claim=claim_id)
        # the evidence table first, then the others end the old widgets and draw (the claim
        # named last among them, once its forms are off); the late observers last
        steps = [
            (self._first, Change("shown", view)),
            (self._observers, ended),
            (self._observers, Change("shown", view)),
            (self._late, Change("shown", view)),
        ]
        for group, change in steps:
            self.view = None if change is ended else view
            for observer in list(group):
                observer(change)
        if problem is not None:
            raise ShownAsLastRead(self.one_line(problem)) from problem
        self._preload(self.claim)
        return view

    def _refresh_from_disk(self) -> None:
        """Re-read the shown claim's file and re-grade it if it changed (not even read again
        while its size and modification time are those of the last reading or saving)."""
        claim = self.claim
        if claim.path is None or not claim.path.exists():
            return
        stamp = file_stamp(claim.path)
        if self._stamps.get(claim.path) == stamp:
            return
        context = claim_context(self.folder.claims, self.folder.data)
        text = read_text(claim.path, MAX_YAML_BYTES, "claim file")
        fresh = check_claim_text(claim.path, text, context)
        self._stamps[claim.path] = stamp
        if fresh.model_dump() != claim.record.model_dump():  # the file holds the whole record
            self._regrade(fresh, context.snapshot)

    def _regrade(self, claim: Claim, snapshot: Snapshot | None = None) -> None:
        """Put the edited claim into the review and grade only it again (`Review.updated`);
        the snapshot is read again only when the claim cites a paper it lacks (a cite stored
        a new record)."""
        r = self.review
        if claim.path is not None and claim.path.exists():
            self._stamps[claim.path] = file_stamp(claim.path)  # as saved: no need to read it again
        if snapshot is None and any(
            r.snapshot.find(c.pmid, c.doi, c.url) is None for c in claim.evidence
        ):
            snapshot = load_snapshot(self.folder.snapshot)
        self.review = r.updated(claim, snapshot)

    # ------------------------------------------------------------------ reading

    @property
    def claim(self) -> Claim:
        """The claim shown (as last read or saved)."""
        return self.review.claim(self.claim_id)

    def citation(self, claim_id: str, key: str) -> Any:
        """The citation `key` of claim `claim_id` as last read or saved (None if it has none)."""
        if self.review is None:
            return None
        return next((c for c in self.review.claim(claim_id).evidence if c.key == key), None)

    def verdict(self) -> Any:
        """The verdict row of the claim shown (verdict, certainty, rationale, counts)."""
        return self.review.verdict_row(self.claim_id)

    def design_notes(self) -> dict[str, Any]:
        """Citation key -> 'PubMed indexes it as ...' where PubMed's design differs."""
        sub = self.review.table[self.review.table["claim_id"] == self.claim_id]
        return dict(zip(sub["key"], sub["design_note"], strict=False))

    def record_of(self, cit: Any) -> PaperRecord | None:
        """The snapshot's record of a citation (None if the snapshot lacks it)."""
        return self.review.snapshot.find(cit.pmid, cit.doi, cit.url)

    def in_snapshot(self, rec: PaperRecord) -> bool:
        """Whether the snapshot holds `rec` (else it was fetched, and is stored on citing)."""
        found = self.review is not None and self.review.snapshot.find(rec.pmid, rec.doi, rec.url)
        return bool(found)

    def already(self, rec: PaperRecord) -> str | None:
        """'cited' or 'excluded' if the claim shown already cites or excludes `rec`."""
        c = self.claim
        keys = {rec.key} | ({"doi:" + rec.doi.lower()} if rec.doi else set())
        if any(cit.key in keys for cit in c.evidence):
            return "cited"
        if any(x.key in keys for x in c.excluded):
            return "excluded"
        return None

    def queue(self) -> list[PaperRecord]:
        """The saved search hits of the claim shown that it neither cites nor excludes."""
        return screening_queue(self.folder, self.claim)

    def saved_search(self) -> str:
        """'saved search of 2026-11-28; 340 records match the query' ('' if none saved)."""
        saved = load_hits(self.folder, self.claim_id)
        if saved is None:
            return ""
        return f"saved search of {saved.searched_at[:10]}; {saved.count} records match the query"

    # ------------------------------------------------------------------ editing

    def apply(
        self,
        what: str,
        action: Callable[[str], Claim],
        *,
        view: View | None = None,
        rebuild: bool = False,
    ) -> Saved:
        """Run one edit through the editing API: `action(claim_id)` with the claim of `view`
        (by default the one shown), only while `view` is the one shown; then re-grade that
        claim and tell the observers (`rebuild`: its view ends and a new one is shown). `what`
        says what changed. Raises NotSaved (nothing written) or NotShown (saved, not drawn)."""
        view = self.current(view)
        t0 = time.perf_counter()
        try:
            claim = action(view.claim_id)
        except Exception as exc:
            raise self.not_saved(exc) from exc
        t1 = time.perf_counter()
        try:
            self._regrade(claim)
            self._tell(Change("graded", view, edit=True), late=False)  # the verdict, first
            if rebuild:  # other rows: a new view
                self._end(view.claim_id, clear=False)
                view = self._show(edit=True)
                change = Change("shown", view, edit=True)
            else:
                change = Change("edited", view, edit=True)
                self._tell(change, late=False)
            t2 = time.perf_counter()
            self._tell(change, late=True)
            t3 = time.perf_counter()
        except Exception as exc:
            raise NotShown(
                f"Saved {claim.id} ({what}), but the display did not update: "
                f"{self.one_line(exc)}; press Reload from disk"
            ) from exc
        timing = {
            "what": what,
            "edit_ms": (t1 - t0) * 1000,
            "verdict_ms": (t2 - t0) * 1000,
            "figure_ms": (t3 - t2) * 1000,
            "total_ms": (time.perf_counter() - t0) * 1000,
        }
        self.timings.append(timing)
        self._preload(claim)
        return Saved(claim, what, timing, view)

    def _preload(self, claim: Claim) -> None:
        """Parse the claim's file for its next edit once the kernel is idle (after this
        change's messages are sent: `edit.preload`); not where no event loop runs (a script,
        a test), which has no idle time to use."""
        path = getattr(claim, "path", None)
        with contextlib.suppress(RuntimeError):
            if path is not None:
                asyncio.get_running_loop().call_soon(editing.preload, path)

    def update_citation(self, ident: str, *, view: View | None = None, **changes: Any) -> Saved:
        """Change fields of one citation of the claim of `view` (stance, design, n, ...). A
        design or n is the paper's appraisal: every claim citing the paper is graded again."""
        what = ", ".join(f"{k} of {ident}" for k in changes)
        saved = self.apply(
            what,
            lambda cid: editing.update_citation(self.folder, cid, ident, **changes),
            view=view,
        )
        if set(changes) & {"design", "n"}:
            try:
                self._regrade_citing(saved.claim, ident)
            except Exception as exc:
                raise NotShown(
                    f"Saved {saved.claim.id} ({what}), but the other claims citing {ident} were "
                    f"not graded again: {self.one_line(exc)}; press Reload from disk"
                ) from exc
        return saved

    def _regrade_citing(self, edited: Claim, ident: str) -> None:
        """Grade again, from their files, the other claims that cite the paper `ident` (its
        appraisal changed)."""
        keys = {ident, f"doi:{ident.lower()}"}
        keys |= {c.key for c in edited.evidence if c.pmid == ident or c.key in keys}
        records = {
            c.record_id: c.record
            for c in self.review.claims
            if c.record_id != edited.record_id and any(cit.key in keys for cit in c.evidence)
        }
        if not records:
            return
        context = claim_context(self.folder.claims, self.folder.data)
        for record in records.values():
            text = read_text(record.path, MAX_YAML_BYTES, "claim file")
            self._regrade(check_claim_text(record.path, text, context), context.snapshot)

    def appraisal(self, rec: PaperRecord) -> Any:
        """The appraisal of a paper as the claims citing it have it (`citing.appraisal`)."""
        return citing.appraisal(self, rec)

    def exclude(self, ident: str, reason: str, *, view: View | None = None) -> Saved:
        """Screen a paper out of the claim of `view`, with the reason."""
        return self.apply(
            f"excluded {ident}",
            lambda cid: editing.exclude(self.folder, cid, ident, reason.strip()),
            view=view,
            rebuild=True,
        )

    def uncite(self, ident: str, *, view: View | None = None) -> Saved:
        """Remove a citation from the claim of `view`."""
        return self.apply(
            f"removed {ident}",
            lambda cid: editing.uncite(self.folder, cid, ident),
            view=view,
            rebuild=True,
        )

    def set_advice(self, text: str, *, view: View | None = None) -> Saved | None:
        """Save what to tell a client (empty: none); None if the claim already says it."""
        view = self.current(view)
        text = (text or "").strip()
        if text == (self.review.claim(view.claim_id).advice or ""):
            return None
        return self.apply(
            "advice",
            lambda cid: editing.set_advice(self.folder, cid, text or None),
            view=view,
        )

    def sign_off(self, reviewer: str, note: str = "", *, view: View | None = None) -> Saved:
        """Sign the claim of `view` off with the reviewer's name and an optional note."""
        if self.view is None and view is None:
            raise NotSaved(self.nothing_shown("Not signed off"))
        view = self.current(view)
        reviewer = (reviewer or self.reviewer or "").strip()
        if not reviewer:
            raise NotSaved("Not signed off: type your name as the reviewer first")
        note = (note or "").strip() or None
        return self.apply(
            f"signed off by {reviewer}",
            lambda cid: editing.signoff(self.folder, cid, reviewer, note=note),
            view=view,
        )

    def look_up(self, ident: str, *, view: View | None = None) -> PaperRecord:
        """The record of a paper by PMID, DOI or address (snapshot first, then PubMed unless
        offline; nothing is stored), through the cite form's one look-up path
        (`citing.find`); a paper PubMed has no record of is refused here, in the same words."""
        found = citing.find(self, ident, view=view)
        if isinstance(found, PaperRecord):
            return found
        raise SessionError(f"{citing.LOOKUP_FAILED}: PubMed has no record of {found.what}")

    def cite(
        self,
        ident: str,
        *,
        stance: str,
        design: str | None = None,
        finding: str,
        n: int | None = None,
        note: str | None = None,
        view: View | None = None,
        details: Any = None,
        anyway: bool = False,
    ) -> Saved:
        """Cite a paper (PMID, DOI or address) as evidence for the claim of `view`; its record
        is stored in the snapshot (from PubMed, or from the `details` typed of a paper PubMed
        lacks: `edit.papers.PaperDetails`). A paper that looks unrelated to the claim is
        refused unless `anyway`. A refused cite stores nothing."""
        ident = ident.strip()
        return self.apply(
            f"cited {ident} ({stance})",
            lambda cid: editing.cite(
                self.folder, cid, ident, stance=stance, design=design, finding=finding,
                n=n, note=note, offline=self.offline, details=details, check_related=not anyway,
            ),
            view=view,
            rebuild=True,
        )  # fmt: skip
