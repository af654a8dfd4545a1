"""The edits of a claim itself, beside its evidence: save a new draft claim from a quote of the
article (add_claim), set what to tell a client (set_advice), and sign a claim off (signoff).
Each goes through the write path in claim_files: validated first, written atomically.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from claimbook.claims.load import ClaimsError, load_claims
from claimbook.claims.schema import Claim
from claimbook.claims.validate import ClaimContext
from claimbook.edit.claim_files import (
    EditError,
    context_of,
    edit_claim,
    folder_of,
    locked,
    refuse,
    typed,
    write_checked,
)
from claimbook.edit.round_trip import dump, folded, set_after, yaml_for
from claimbook.folder import PathLike, ReviewFolder

__all__ = ["add_claim", "set_advice", "signoff"]


def set_advice(project: PathLike | ReviewFolder, claim_id: str, advice: str | None) -> Claim:
    """Set (or, with None or "", remove) what to tell a client."""
    typed(folder_of(project).claims, advice=advice)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if advice:
            set_after(doc, "advice", folded(advice, indent=2), ("excluded", "evidence"))
        else:
            doc.pop("advice", None)

    return edit_claim(project, claim_id, change)


def signoff(
    project: PathLike | ReviewFolder,
    claim_id: str,
    reviewer: str,
    note: str | None = None,
    on: dt.date | None = None,
) -> Claim:
    """Sign a claim off: its evidence was checked. It stops being a draft, and must then pass
    every check of a reviewed claim (a query, at least one citation). A sign-off covers the
    whole record: signing off C10a signs off C10 and all its parts."""
    on = on or dt.date.today()
    typed(folder_of(project).claims, reviewer=reviewer, note=note)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        doc.pop("status", None)
        record = CommentedMap()
        record["reviewer"] = reviewer.strip()
        record["date"] = on
        if note:
            record["note"] = folded(note)
        doc["reviewed"] = on
        set_after(doc, "signoff", record, ("reviewed",))

    return edit_claim(project, claim_id, change, whole=True)


# --------------------------------------------------------------------------- new claims


def _slug(title: str) -> str:
    words = re.findall(r"[a-z0-9]+", title.lower())
    return "-".join(words[:8]) or "claim"


def _next_id(claims: list[Claim]) -> str:
    ids = list(dict.fromkeys(c.record_id for c in claims))  # C10a and C10b count once: C10
    prefixes = [i[0] for i in ids]
    prefix = max(set(prefixes), key=prefixes.count) if prefixes else "A"
    numbers = [int(i[1:]) for i in ids if i[0] == prefix]
    return f"{prefix}{max(numbers, default=0) + 1:02d}"


def _topic(folder: ReviewFolder, context: ClaimContext, topic: str | None) -> str:
    """The claim's topic: as given, else the article's only one (refused when it has several)."""
    if topic is not None:
        return topic
    topics = list(context.article.topics) if context.article else []
    if len(topics) != 1:
        raise refuse(
            folder.claims / "article.yaml", "topics",
            f"choose a topic for the claim: one of {', '.join(topics)}",
        )  # fmt: skip
    return topics[0]


def _section(context: ClaimContext, quote: str, section: str | None) -> str:
    """The quote's section: as given, else the heading the candidate finder puts the quote
    under, else the article's title."""
    from claimbook.article.candidates import find_candidates

    if section is None and context.text is not None:
        hits = [c for c in find_candidates(context.text) if quote in c.text]
        section = hits[0].section if hits else None
    return section or (context.article.title if context.article else "")


def _new_claim(
    claim_id: str, title: str, topic: str, claim: str | None, section: str, quote: str
) -> CommentedMap:
    """The YAML document of a new draft claim, its keys in the order of the hand-written files."""
    doc = CommentedMap()
    doc["id"] = claim_id
    doc["slug"] = _slug(title)
    doc["title"] = title
    doc["topic"] = topic
    doc["status"] = "draft"
    doc["claim"] = folded(claim or title, indent=2)
    q = CommentedMap()
    q["section"] = section
    q["text"] = DoubleQuotedScalarString(quote)
    doc["quotes"] = CommentedSeq([q])
    doc["reviewed"] = dt.date.today()
    return doc


def add_claim(
    project: PathLike | ReviewFolder,
    *,
    quote: str,
    title: str,
    topic: str | None = None,
    section: str | None = None,
    claim: str | None = None,
    claim_id: str | None = None,
) -> Claim:
    """Save a new draft claim from an exact quote (or a candidate's text and section).

    `topic` may be left out when the article has one topic; `section` when the quote sits
    under a heading the candidate finder recognises (else the article's first heading).
    """
    folder = folder_of(project)
    typed(folder.claims, quote=quote, title=title, topic=topic, section=section, claim=claim)
    context = context_of(folder)
    with locked(folder.claims):
        try:
            existing = load_claims(folder.claims)
        except ClaimsError as exc:
            raise EditError(exc.problems) from None
        claim_id = (claim_id or _next_id(existing)).upper()
        if any(claim_id in (c.id, c.record_id) for c in existing):
            raise refuse(folder.claims, "id", f"{claim_id} exists already; choose another id")
        topic = _topic(folder, context, topic)
        section = _section(context, quote, section)
        doc = _new_claim(claim_id, title, topic, claim, section, quote)
        path = folder.claims / f"{claim_id}-{doc['slug']}.yaml"
        return write_checked(path, None, dump(yaml_for(""), doc), context)
