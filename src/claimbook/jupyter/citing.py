"""What the cite form asks of a review session, without a widget: find the paper typed (a
record, or a paper PubMed lacks to be cited with typed details), the suggestions its record
makes (design, n, each with its rule) and whether it looks unrelated to the claim shown.

    found = find(session, "https://doi.org/10.1249/MSS.0b013e3181c0647e")
    isinstance(found, PaperRef)          # PubMed has no record: type its details
    unrelated(session, record)           # 'This paper looks unrelated: ... — cite anyway?'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from claimbook import edit as editing
from claimbook.edit.papers import PaperDetails, claim_texts, looks_unrelated, unrelated_message
from claimbook.jupyter.session_types import SessionError, View
from claimbook.pubmed.designs import Suggestion, suggest_design, suggest_n
from claimbook.pubmed.lookup import PaperRef
from claimbook.pubmed.store import PaperRecord
from claimbook.vocab import DESIGN_LABELS

if TYPE_CHECKING:  # the session calls `find` for its own look-up: no import at run time
    from claimbook.jupyter.session import ReviewSession

__all__ = ["Suggestions", "appraisal", "details", "find", "suggestions", "unrelated"]

EMPTY_IDENT = "Type a PMID, a DOI or the paper's address to look it up"
LOOKUP_FAILED = "Look-up failed"


def find(session: ReviewSession, ident: str, *, view: View | None = None) -> PaperRecord | PaperRef:
    """The record of the paper typed (snapshot first, then PubMed unless offline; nothing is
    stored), or the `PaperRef` of a paper PubMed lacks (a DOI it has no record of, an
    address): the form then asks for its details. The one look-up path of the workbench
    (`ReviewSession.look_up` is this too). Raises SessionError in one plain line, where the
    problem is as its detail."""
    session.current(view)
    ident = ident.strip()
    if not ident:
        raise SessionError(EMPTY_IDENT)
    try:
        return editing.find_paper(session.folder, ident, offline=session.offline)
    except Exception as exc:
        raise session.not_saved(exc, LOOKUP_FAILED) from exc


@dataclass(frozen=True)
class Suggestions:
    """What a record suggests for the cite form, each with its rule (None: nothing clear)."""

    design: Suggestion | None
    n: Suggestion | None

    def lines(self) -> list[str]:
        """'Design suggested: Randomised controlled trial (PubMed indexes it as ...)', ..."""
        out = []
        if self.design is not None:
            label = DESIGN_LABELS.get(str(self.design.value), self.design.value)
            out.append(f"Design suggested: {label} ({self.design.rule})")
        if self.n is not None:
            out.append(f"n suggested: {self.n.value} ({self.n.rule})")
        return out


def suggestions(rec: PaperRecord) -> Suggestions:
    """The design PubMed's indexing suggests and the n the abstract states."""
    design = suggest_design(rec.publication_types, rec.mesh_terms)
    return Suggestions(design, suggest_n(rec.abstract))


def unrelated(session: ReviewSession, rec: PaperRecord) -> str | None:
    """'This paper looks unrelated: <title> — cite anyway?' when the paper's title and MeSH
    share no content word with the claim shown (its title, wording, query); else None."""
    claim = session.claim
    unit_texts = claim_texts(claim, *[u for u in claim.units() if u is not claim])
    return unrelated_message(rec) if looks_unrelated(rec, unit_texts) else None


def details(title: str, first_author: str, journal: str, year: str) -> PaperDetails:
    """The typed details of a paper PubMed lacks; a year that is not a number is refused in
    words (the rest is checked when citing)."""
    text = year.strip()
    if not text.isdigit():
        raise SessionError("Not saved: type the paper's year in digits (e.g. 2010)")
    return PaperDetails(title, first_author, int(text), journal or None)


def appraisal(session: ReviewSession, rec: PaperRecord) -> Any:
    """The appraisal of a paper (its design, n, risk_of_bias ...) as the claims citing it have
    it, so a paper is appraised once; None when no claim cites it yet."""
    if session.review is None:
        return None
    keys = {rec.key} | ({"doi:" + rec.doi.lower()} if rec.doi else set())
    cited = (cit for c in session.review.claims for cit in c.evidence if cit.key in keys)
    return next(cited, None)
