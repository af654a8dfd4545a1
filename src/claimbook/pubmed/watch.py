"""Retraction and correction watch: cited papers that PubMed marks as retracted, under an
expression of concern, or corrected, with the claims that cite them.

A paper is *retracted* when its record says so (publication type "Retracted Publication" or a
RetractionIn link: `PaperRecord.retracted`), under an *expression of concern* when it has an
ExpressionOfConcernIn link (`PaperRecord.concern`), and *corrected* when it has an ErratumIn link
(`PaperRecord.corrected`). A retracted paper never counts towards a verdict (evidence.py); the
other two still count, and are flagged for the reviewer to read the notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from claimbook.pubmed.store import PaperRecord, Snapshot

__all__ = ["KINDS", "KIND_WORDS", "PaperAlert", "flags", "paper_alerts"]

AlertKind = Literal["retracted", "concern", "corrected"]
#: The kinds of alert, most serious first, and the CommentsCorrections links naming their notices.
#: Each kind is also the name of the PaperRecord flag that raises it.
KINDS: dict[str, tuple[str, ...]] = {
    "retracted": ("RetractionIn",),
    "concern": ("ExpressionOfConcernIn",),
    "corrected": ("ErratumIn",),
}
#: Each kind in a few words, for tables and flags.
KIND_WORDS = {
    "retracted": "retracted",
    "concern": "expression of concern",
    "corrected": "corrected",
}
_WHAT = {
    "retracted": ("was retracted", "notice"),
    "concern": ("is under an expression of concern", "notice"),
    "corrected": ("was corrected", "erratum"),
}


@dataclass(frozen=True)
class PaperAlert:
    """A cited paper that is retracted, under an expression of concern, or corrected."""

    pmid: str
    kind: AlertKind
    claim_ids: list[str] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)

    @property
    def message(self) -> str:
        """One plain line: 'PMID 123 was retracted (notice PMID 456); cited by C03, C07.'"""
        verb, notice = _WHAT[self.kind]
        who = f"PMID {self.pmid}" if self.pmid[:1].isdigit() else self.pmid
        where = ""
        if self.notices:
            plural = "s" if len(self.notices) > 1 else ""
            where = f" ({notice}{plural} PMID {', '.join(self.notices)})"
        cited = f"; cited by {', '.join(self.claim_ids)}" if self.claim_ids else ""
        return f"{who} {verb}{where}{cited}."

    def to_dict(self) -> dict:
        """A JSON-ready dict: pmid, kind, claim_ids, notices, message."""
        return {
            "pmid": self.pmid, "kind": self.kind, "claim_ids": list(self.claim_ids),
            "notices": list(self.notices), "message": self.message,
        }  # fmt: skip


def flags(rec: PaperRecord | None) -> list[str]:
    """The kinds of alert PubMed's record raises for a paper, most serious first (KINDS are
    PaperRecord's flags: retracted, concern, corrected); [] for none or no record."""
    return [kind for kind in KINDS if rec is not None and getattr(rec, kind)]


def _notices(rec: PaperRecord, kind: str) -> list[str]:
    links = KINDS[kind]
    return list(dict.fromkeys(c.pmid for c in rec.corrections if c.type in links and c.pmid))


def cited_records(claims: Iterable, snapshot: Snapshot) -> dict[str, tuple[PaperRecord, list]]:
    """Each paper the claims cite as evidence (by snapshot key, in first-cited order): its
    record and the ids of the claims citing it. Citations the snapshot lacks are left out."""
    out: dict[str, tuple[PaperRecord, list]] = {}
    for claim in claims:
        for cit in claim.evidence:
            rec = snapshot.find(cit.pmid, cit.doi, cit.url)
            if rec is None:
                continue
            _, ids = out.setdefault(rec.key, (rec, []))
            if claim.id not in ids:
                ids.append(claim.id)
    return out


def paper_alerts(claims: Iterable, snapshot: Snapshot) -> list[PaperAlert]:
    """Every cited paper that is retracted, under an expression of concern or corrected: one
    alert per paper and kind, retractions first, each kind in first-cited order."""
    cited = cited_records(claims, snapshot)
    return [
        PaperAlert(rec.pmid or key, kind, list(ids), _notices(rec, kind))  # type: ignore[arg-type]
        for kind in KINDS
        for key, (rec, ids) in cited.items()
        if kind in flags(rec)
    ]
