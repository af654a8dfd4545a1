"""The review session's authoring and screening actions (mixed into `ReviewSession`): start a
claim from a sentence of the article, change its own words, split it into parts, fill and
screen its saved-search queue (ranked by the reviewer's decisions, votes per reviewer, blind
until every reviewer is done).

    session.reviewer = "Ann Lee"                       # remembered for the session
    session.add_claim(session.candidates()[0].text, "Naps make you sleep worse at night")
    session.set_fields(query='"Sleep Wake Disorders"[MeSH]')
    session.vote("3735481", "include")

Every write goes through `claimbook.edit` (validated first, atomic, nothing written when
refused); a refusal is a `NotSaved` in plain words (`claimbook.jupyter.messages`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from claimbook import edit as editing
from claimbook.article.candidates import Candidate, find_candidates
from claimbook.edit.claim_edits import CLAIM_FIELDS, set_fields, split_claim
from claimbook.edit.claim_files import context_of
from claimbook.edit.screening import load_hits, save_hits, screening_queue
from claimbook.edit.votes import (
    TITLE_ABSTRACT,
    Vote,
    blind_done,
    exclude_after_full_text,
    final_votes,
    load_votes,
    record_vote,
    visible_votes,
)
from claimbook.evidence.ranking import RankedQueue, rank_queue, stopping_hint
from claimbook.jupyter.messages import plain_of
from claimbook.jupyter.session_types import NotSaved, Saved, SessionError, View

if TYPE_CHECKING:
    from claimbook.claims.schema import Claim

__all__ = ["Authoring", "Queue"]

MIN_REVIEWER = 2  # characters of a reviewer's name


@dataclass
class Queue:
    """The saved-search queue of the claim shown, for the reviewer: the papers still to screen
    (ranked once there is something to learn from), why in that order, the stopping hint, and
    what the other reviewers decided that the reviewer may see (key -> 'Name: include')."""

    ranked: RankedQueue
    about: str
    hint: str
    others: dict[str, list[str]] = field(default_factory=dict)
    hidden: int = 0  # votes of other reviewers kept hidden (blind screening; never shown)
    blind: bool = False  # screening is still blind for the reviewer (the queue says so)

    @property
    def records(self) -> list[Any]:
        return self.ranked.records


class Authoring:
    """Authoring and screening actions; needs the `ReviewSession` it is mixed into."""

    reviewer: str
    blind: bool
    _candidates: list[Candidate] | None
    _text: tuple[str | None] | None  # the article's text, once read

    # ------------------------------------------------------------------ messages

    def not_saved(self, exc: BaseException, prefix: str = "Not saved") -> NotSaved:
        """The NotSaved for a refused edit: the refusal in plain words, where it is as detail
        (paths relative to the review folder)."""
        plain = plain_of(exc, self.one_line(exc))
        text = plain.text
        if text[:2].istitle():  # 'The finding ...' -> 'Not saved: the finding ...'
            text = text[0].lower() + text[1:]
        return NotSaved(f"{prefix}: {text}", self.relative(plain.detail))

    def relative(self, detail: str) -> str:
        """Located lines with paths relative to the review folder, one line each."""
        return "\n".join(self.one_line(line) for line in detail.splitlines())

    def nothing_shown(self, prefix: str) -> str:
        """Why an action on the claim shown cannot run: the review has none, or none is picked."""
        if self.review is None:
            return f"{prefix}: the review could not be read; fix what the message says, then Reload"
        if not self.review.claims:
            return (
                f"{prefix}: this review has no claims yet; start one from a sentence of the article"
            )
        return f"{prefix}: pick a claim first"

    # ------------------------------------------------------------------ the article

    def article_text(self) -> str | None:
        """The article's text (None when article.yaml names no readable text file); read once
        a load."""
        if self._text is None:
            try:
                self._text = (context_of(self.folder).text,)
            except editing.EditError:
                self._text = (None,)
        return self._text[0]

    def candidates(self) -> list[Candidate]:
        """The article's sentences worth checking that no claim quotes yet (read once)."""
        if self._candidates is None:
            text = self.article_text()
            self._candidates = find_candidates(text) if text else []
        quoted = {q.text for c in (self.review.claims if self.review else []) for q in c.quotes}
        return [c for c in self._candidates if not any(c.text in q or q in c.text for q in quoted)]

    def check_quote(self, quote: str) -> str:
        """The quote as it will be saved, once it is an exact part of the article's text;
        else NotSaved saying so."""
        quote = quote.strip()
        if len(quote) < 8:
            raise NotSaved("Not saved: the quote needs at least 8 characters of the article")
        text = self.article_text()
        if text is None:
            raise NotSaved(
                "Not saved: the article's text file cannot be read, so the quote cannot be "
                "checked (see text_file in claims/article.yaml)"
            )
        if quote not in text:
            raise NotSaved(
                "Not saved: that is not an exact quote of the article; copy the words as the "
                "article has them (or pick one of its sentences)"
            )
        return quote

    # ------------------------------------------------------------------ claims

    def add_claim(
        self, quote: str, title: str, *, claim: str | None = None, topic: str | None = None,
    ) -> Saved:  # fmt: skip
        """Save a new draft claim from an exact quote of the article and show it."""
        quote, title = self.check_quote(quote), " ".join((title or "").split())
        if len(title) < 5:
            raise NotSaved("Not saved: give the claim a title of at least 5 characters")
        t0 = time.perf_counter()
        try:
            new = editing.add_claim(
                self.folder, quote=quote, title=title, topic=topic or None,
                claim=" ".join(claim.split()) if claim and claim.strip() else None,
            )  # fmt: skip
        except Exception as exc:
            raise self.not_saved(exc) from exc
        return self._show_new(new, f"new claim {new.id} (a draft)", t0)

    def _show_new(self, new: Claim, what: str, t0: float) -> Saved:
        """Put a new or re-shaped claim record into the review and show `new`."""
        if self.review is None:
            self.load(new.id)
        else:
            self.review = self.review.updated(new)
            self._tell_loaded()
            self.select(new.id)
        ms = (time.perf_counter() - t0) * 1000
        timing = {"what": what, "edit_ms": ms, "verdict_ms": ms, "figure_ms": 0, "total_ms": ms}
        self.timings.append(timing)
        return Saved(self.claim, what, timing, self.view)

    def set_fields(self, *, view: View | None = None, **fields: str | None) -> Saved | None:
        """Change the claim's title, plain wording (`claim`), topic, question kind or PubMed
        query; None if it already says that."""
        view = self.current(view)
        shown = self.review.claim(view.claim_id)
        wanted = {
            k: (" ".join(v.split()) if isinstance(v, str) else v) or None
            for k, v in fields.items()
            if k in CLAIM_FIELDS
        }
        changed = {k: v for k, v in wanted.items() if v != getattr(shown, k)}
        if not changed:
            return None
        words = ", ".join(FIELD_NAMES[k] for k in changed)
        saved = self.apply(words, lambda cid: set_fields(self.folder, cid, **changed), view=view)
        if "title" in changed:
            self._tell_loaded()  # the picker shows titles
        return saved

    def split(self, title: str, claim: str, quote: str, *, view: View | None = None) -> Saved:
        """Split the claim shown into parts: what it has becomes part a, and a new part with
        its own title, wording and quote is shown (the claim is a draft again)."""
        view = self.current(view)
        quote = self.check_quote(quote)
        t0 = time.perf_counter()
        try:
            part = split_claim(self.folder, view.claim_id, title=title, claim=claim, quote=quote)
        except Exception as exc:
            raise self.not_saved(exc) from exc
        return self._show_new(part, f"split into parts; new part {part.id}", t0)

    def _tell_loaded(self) -> None:
        from claimbook.jupyter.session_types import Change

        self._tell(Change("loaded"), late=False)

    # ------------------------------------------------------------------ screening

    def search_and_save(self, max_hits: int = 100, *, view: View | None = None) -> int:
        """Run the claim's PubMed query and save its hits as the screening queue; how many
        wait in it."""
        view = self.current(view)
        claim = self.review.claim(view.claim_id)
        if not claim.query:
            raise SessionError("Write the claim's PubMed query first: the search runs it")
        if self.offline:
            raise SessionError("The workbench is offline: it cannot search PubMed")
        from claimbook.pubmed.client import EutilsClient

        try:
            save_hits(self.folder, claim, EutilsClient(progress=False), max_hits)
        except Exception as exc:
            raise SessionError(f"The search failed: {self.one_line(exc)}") from exc
        self.select(view.claim_id)
        return len(screening_queue(self.folder, claim))

    def ranked_queue(self) -> Queue | None:
        """The claim's queue for the reviewer (None: no saved search): papers no claim decision
        and no vote of the reviewer has settled, ranked by the reviewer's decisions."""
        claim = self.claim
        saved = load_hits(self.folder, claim.id)
        if saved is None:
            return None
        me = self.reviewer.strip()
        votes = [v for v in load_votes(self.folder, claim.id) if v.stage == TITLE_ABSTRACT]
        mine = {v.key: v for v in final_votes([v for v in votes if v.reviewer == me]).values()}
        cited, out = {c.key for c in claim.evidence}, {c.key for c in claim.excluded}
        decided = {k: v.decision for k, v in mine.items()}
        included = [r for r in saved.records if r.key in cited or decided.get(r.key) == "include"]
        excluded = [r for r in saved.records if r.key in out or decided.get(r.key) == "exclude"]
        unseen = [r for r in screening_queue(self.folder, claim) if r.key not in mine]
        mine_in_order = [v for v in votes if v.reviewer == me]
        hint = stopping_hint([v.decision == "include" for v in mine_in_order]) if me else ""
        about = f"saved search of {saved.searched_at[:10]}; {saved.count} records match the query"
        queue = Queue(rank_queue(unseen, included, excluded), about, hint)
        others = [v for v in final_votes(votes).values() if v.reviewer != me]
        seen = others if not self.blind else [
            v for v in visible_votes(self.folder, claim.id, me) if v.reviewer != me
        ]  # fmt: skip
        for v in seen:
            queue.others.setdefault(v.key, []).append(f"{v.reviewer}: {v.decision}")
        queue.hidden = len(others) - len(seen)
        queue.blind = self.blind and not blind_done(self.folder, claim.id)
        return queue

    def vote(
        self, ident: str, decision: str, reason: str | None = None, *, view: View | None = None
    ) -> Vote:
        """Record the reviewer's screening vote on a saved hit (the claim file is not changed:
        the decision grading uses is settled by citing or excluding)."""
        view = self.current(view)
        if len(self.reviewer.strip()) < MIN_REVIEWER:
            raise NotSaved("Not saved: type your name as the reviewer first (at the top)")
        try:
            vote = record_vote(
                self.folder, view.claim_id, ident, self.reviewer, decision,
                reason=(reason or "").strip() or None,
            )  # fmt: skip
        except Exception as exc:
            raise self.not_saved(exc) from exc
        self.select(view.claim_id)  # the queue is drawn again without it
        return vote

    def exclude_full_text(self, ident: str, reason: str, *, view: View | None = None) -> Saved:
        """Exclude a paper read in full, in one step: the reviewer's full-text exclude vote
        and the claim's exclusion, with the one reason (both or neither)."""
        if len(self.reviewer.strip()) < MIN_REVIEWER:
            raise NotSaved("Not saved: type your name as the reviewer first (at the top)")
        me, why = self.reviewer.strip(), (reason or "").strip()
        return self.apply(
            f"excluded {ident} after reading it in full",
            lambda cid: exclude_after_full_text(self.folder, cid, ident, me, why)[1],
            view=view,
            rebuild=True,
        )


FIELD_NAMES = {
    "title": "title", "claim": "plain wording", "topic": "topic", "question": "question kind",
    "query": "PubMed query",
}  # fmt: skip
