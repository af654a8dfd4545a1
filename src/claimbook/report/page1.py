"""Page 1 of the report: what a reader needs in 30 seconds, generated from the graded verdicts.

The key messages follow Cochrane's plain language summaries: what the evidence says, how sure
it is, and what that means for a client, never a recommendation beyond the evidence. They are
chosen, not typed: where the article is wrong (a contradicted claim) first, then what holds,
strongest certainty first, then how much is too uncertain to say. Below them every claim is one
line, in the order that matters to a reader (the same ranking), not the article's order.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from claimbook.pubmed import store
from claimbook.vocab import CERTAINTIES, NOT_GRADED, VERY_LOW, hedged_advice

if TYPE_CHECKING:  # the sections are built in claimbook.report.context
    from claimbook.evidence.review import Review
    from claimbook.report.context import ClaimSection

MAX_MESSAGES = 5
MIN_MESSAGES = 3
WRONG, HOLDS, DISAGREE, UNCERTAIN, DEFINED = "wrong", "holds", "disagree", "uncertain", "defined"
NOT_MEDICAL_ADVICE = (
    "This is not medical advice. It summarises published research on the article's claims; it "
    "does not replace a clinician's assessment of a person, and anyone worried by their "
    "symptoms should see a doctor."
)
THIN_RULE = (
    "fewer than 2 independent primary studies count towards the verdict (a systematic review "
    "counts as the studies it pooled; narrative reviews and guidelines never count), or every "
    "counted study is indirect (another population, intervention or outcome)"
)


@dataclass(frozen=True)
class KeyMessage:
    """One key message: a bold headline (the claim and its label), what the evidence says and
    how sure, and what it means for a client (hedged advice, first sentence), if recorded."""

    kind: str
    claim_ids: list[str]
    headline: str
    text: str
    client: str | None = None


def _certainty_rank(c: ClaimSection) -> int:
    """High first; a description (checked, not graded) after low; too little research last."""
    if c.draft:
        return 9
    if c.verdict == "insufficient":
        return 8
    if c.certainty == NOT_GRADED:
        return CERTAINTIES.index(VERY_LOW)  # before the very uncertain ones
    return CERTAINTIES.index(c.certainty) + (1 if c.certainty == VERY_LOW else 0)


def reader_order(sections: list[ClaimSection]) -> list[ClaimSection]:
    """The claims as a reader wants them: surest first and, as sure, where the article is wrong
    before where it holds, then the rest (disagreement, unclear), article order last."""
    verdict_rank = {"contradicted": 0, "supported": 1, "contested": 2, "unclear": 3}
    return sorted(
        sections,
        key=lambda c: (_certainty_rank(c), verdict_rank.get(c.verdict, 4)),
    )


def first_sentence(text: str) -> str:
    """The first sentence of a paragraph (a full stop followed by a capital starts the next)."""
    parts = re.split(r"(?<=[.!?])\s+(?=[A-Z])", text.strip(), maxsplit=1)
    return parts[0]


def _client(c: ClaimSection, raw_advice: str | None) -> str | None:
    if not raw_advice:
        return None
    return hedged_advice(first_sentence(raw_advice), c.certainty)


def _basis(c: ClaimSection) -> str:
    n = c.sof.get("studies") or 0
    people = c.sof.get("participants")
    studies = f"{n} stud{'y' if n == 1 else 'ies'}"
    return f"{studies} with {people:,} participants" if people else studies


def _one(kind: str, c: ClaimSection, advice: str | None) -> KeyMessage:
    certainty = (
        "checked against clinical definitions"
        if c.certainty == NOT_GRADED
        else f"{c.certainty} certainty"
    )
    return KeyMessage(
        kind=kind,
        claim_ids=[c.id],
        headline=f"{c.title}: {c.label.lower() if c.label[:1].isupper() else c.label}.",
        text=f"{c.statement} {certainty[:1].upper()}{certainty[1:]}; {_basis(c)}.",
        client=_client(c, advice),
    )


def key_messages(sections: list[ClaimSection], advice: dict[str, str | None]) -> list[KeyMessage]:
    """3 to 5 key messages from the verdicts (`advice`: each claim's advice as recorded, not
    hedged): the article wrong, then right, surest first; then disagreement and uncertainty."""
    graded = [c for c in reader_order(sections) if not c.draft]
    sure = [c for c in graded if c.certainty not in (VERY_LOW, NOT_GRADED)]
    wrong = [c for c in sure if c.verdict == "contradicted"][:2]
    holds = [c for c in sure if c.verdict == "supported"][:2]
    out = [_one(WRONG, c, advice.get(c.id)) for c in wrong]
    out += [_one(HOLDS, c, advice.get(c.id)) for c in holds]
    split = [c for c in sure if c.verdict in ("contested", "unclear")]
    if split and len(out) < MAX_MESSAGES - 1:
        out.append(KeyMessage(
            DISAGREE, [c.id for c in split],
            f"The studies disagree on {len(split)} of the {len(graded)} claims.",
            "On these the research points both ways or gives mixed results, so the article "
            "states as settled what is still open.",
        ))  # fmt: skip
    unsure = [c for c in graded if c.certainty == VERY_LOW or c.verdict == "insufficient"]
    if unsure:
        out.append(KeyMessage(
            UNCERTAIN, [c.id for c in unsure],
            f"For {len(unsure)} of the {len(graded)} claims the evidence is very uncertain or "
            "too thin to judge.",
            "On these the research cannot say whether the article is right; tell a client that "
            "it is not known, rather than that it is true or false.",
        ))  # fmt: skip
    defined = [c for c in graded if c.certainty == NOT_GRADED]
    for c in defined:
        if len(out) >= MAX_MESSAGES:
            break
        out.append(_one(DEFINED, c, advice.get(c.id)))
    rest = [c for c in graded if c.certainty == VERY_LOW and c.verdict != "insufficient"]
    for c in rest:  # too few so far: the surest of the very uncertain ones, one by one
        if len(out) >= MIN_MESSAGES:
            break
        out.insert(len(out) - 1 if unsure else len(out), _one(UNCERTAIN, c, advice.get(c.id)))
    return out[:MAX_MESSAGES]


def reviewers(review: Review) -> list[str]:
    """Who signed which claims off, one line per reviewer ('A. Reviewer (C01, C02) on
    2026-11-24'); [] when no claim is signed off."""
    by: dict[str, list] = {}
    for c in review.claims:
        if c.signoff is not None:
            by.setdefault(c.signoff.reviewer, []).append((c.id, c.signoff.date))
    out = []
    for name, signed in by.items():
        dates = sorted({d.isoformat() for _, d in signed})
        when = dates[0] if len(dates) == 1 else f"{dates[0]} to {dates[-1]}"
        out.append(f"{name} ({', '.join(i for i, _ in signed)}) on {when}")
    return out


@dataclass(frozen=True)
class SearchRecord:
    """A claim's saved PubMed search, when the snapshot holds one (`claimbook search --save`)."""

    claim_id: str
    searched_at: str
    count: int


def saved_searches(review: Review) -> dict[str, SearchRecord]:
    """Each claim's saved search (date and number of hits) where the snapshot recorded one; a
    file that cannot be read is left out (the report never fails on it)."""
    directory = review.snapshot.directory
    out: dict[str, SearchRecord] = {}
    if directory is None:
        return out
    for c in review.claims:
        path = store.hits_file(directory, c.id)
        try:
            body = json.loads(path.read_text("utf-8")) if path.is_file() else None
        except (OSError, ValueError):
            body = None
        if isinstance(body, dict) and isinstance(body.get("count"), int):
            out[c.id] = SearchRecord(c.id, str(body.get("searched_at", ""))[:10], body["count"])
    return out


def gathered(review: Review) -> list[str]:
    """When the evidence was gathered, from the snapshot's manifest: each kind of action (curate,
    efetch) with its first and last date."""
    directory = review.snapshot.directory
    try:
        manifest = store.load_manifest(directory) if directory is not None else {}
    except store.SnapshotError:
        manifest = {}
    words = {"curate": "curated", "efetch": "fetched from PubMed"}
    when: dict[str, list[str]] = {}
    for entry in manifest.get("history", []):
        if isinstance(entry, dict) and entry.get("action") in words:
            when.setdefault(entry["action"], []).append(str(entry.get("at", ""))[:10])
    out = []
    for action, dates in when.items():
        dates = sorted(d for d in dates if d)
        if dates:
            span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
            out.append(f"{words[action]} on {span}")
    return out
