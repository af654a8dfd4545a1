"""The edits of a claim itself, beside its evidence: save a new draft claim from a quote of the
article (add_claim), change its own words (set_fields: title, plain wording, topic, question
kind, PubMed query), split it into parts (split_claim), set what to tell a client
(set_advice), and sign a claim off (signoff).
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

__all__ = ["add_claim", "set_advice", "set_fields", "signoff", "split_claim"]


def set_advice(project: PathLike | ReviewFolder, claim_id: str, advice: str | None) -> Claim:
    """Set (or, with None or "", remove) what to tell a client."""
    typed(folder_of(project).claims, advice=advice)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if advice:
            set_after(doc, "advice", folded(advice, indent=2), ("excluded", "evidence"))
        else:
            doc.pop("advice", None)

    return edit_claim(project, claim_id, change)


CLAIM_FIELDS = ("title", "claim", "topic", "question", "query")  # what set_fields changes
RECORD_ONLY = ("topic",)  # a part keeps its record's topic


def set_fields(project: PathLike | ReviewFolder, claim_id: str, **fields: str | None) -> Claim:
    """Change the claim's own words: `title`, `claim` (the plain wording), `topic`, `question`
    (its kind, claimbook.vocab.QUESTIONS) and `query` (the PubMed query); None or "" removes an
    optional one (query, a part's question). For a part (C10a) the part's fields change, but
    the topic, which is its record's."""
    unknown = sorted(set(fields) - set(CLAIM_FIELDS))
    if unknown:
        raise TypeError(f"set_fields() got unknown fields: {', '.join(unknown)}")
    typed(folder_of(project).claims, **fields)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        for key, value in fields.items():
            target = root if key in RECORD_ONLY else doc
            value = " ".join(value.split()) if isinstance(value, str) else value
            if not value:
                target.pop(key, None)
            elif key in ("claim", "query"):
                set_after(target, key, folded(value, indent=2), ("title", "claim", "quotes"))
            else:
                set_after(target, key, value, ("title", "topic"))

    return edit_claim(project, claim_id, change)


MOVED_TO_PART = ("quotes", "query", "evidence", "excluded", "positive", "polarity")


def split_claim(
    project: PathLike | ReviewFolder,
    claim_id: str,
    *,
    title: str,
    claim: str,
    quote: str,
    section: str | None = None,
) -> Claim:
    """Split a claim into parts: a claim not yet in parts becomes part a (its title, wording,
    quotes, query, evidence and exclusions move there) and the new part b is `title`, `claim`
    and an exact `quote` of the article; a claim in parts gets the next part. The claim becomes
    a draft again (the new part has no query or evidence yet). Returns the new part."""
    folder = folder_of(project)
    typed(folder.claims, title=title, claim=claim, quote=quote, section=section)
    added: list[str] = []

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        parts = doc.get("parts")
        if not parts:
            first = CommentedMap([("part", "a"), ("title", doc.get("title"))])
            first["claim"] = doc.get("claim")  # the record keeps its title and wording too
            for key in MOVED_TO_PART:
                if key in doc:
                    first[key] = doc.pop(key)
            parts = CommentedSeq([first])
            set_after(doc, "parts", parts, ("claim",))
        letters = [p.get("part") for p in parts if isinstance(p, dict)]
        letter = next(c for c in "abcdefghijklmnopqrstuvwxyz" if c not in letters)
        new = CommentedMap([("part", letter), ("title", " ".join(title.split()))])
        new["claim"] = folded(claim, indent=4)
        q = CommentedMap([("section", _section(context, quote, section))])
        q["text"] = DoubleQuotedScalarString(quote)
        new["quotes"] = CommentedSeq([q])
        parts.append(new)
        added.append(letter)
        doc.pop("signoff", None)  # the new part has no evidence yet: the claim is a draft again
        set_after(doc, "status", "draft", ("topic",))

    record = edit_claim(project, claim_id, change, whole=True)
    wanted = f"{record.record_id}{added[-1]}" if added else record.id
    return next((u for u in record.record.units() if u.id == wanted), record)


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
