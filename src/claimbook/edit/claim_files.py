"""Edit a review: the one module that writes claim files. The CLI and the Jupyter workbench call
it; neither writes YAML itself.

Every edit reads the claim file under the claims folder's lock, changes only the edited block
(ruamel.yaml round-trip: the reviewer's comments, key order, quoting and line breaks stay),
validates the claim as it would be after the change, and only then replaces the file
atomically. A refused edit raises EditError with the validator's `FILE:LINE: field: message`
and leaves the file byte-identical. Changing the evidence of a signed-off claim returns it to
draft: a sign-off vouches for the evidence as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import io
import os
import re
import textwrap
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString, FoldedScalarString

from claimbook.claims.load import ClaimsError, load_claims
from claimbook.claims.schema import Claim, split_id
from claimbook.claims.validate import ClaimContext, check_claim_text, claim_context
from claimbook.errors import ClaimbookError, Problem
from claimbook.files import lock, os_reason, write_text
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import DOI_RE, PMID_RE, citation_key
from claimbook.inputs import MAX_YAML_BYTES, InputError, check_plain_yaml, read_text
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.store import PaperRecord, Snapshot

__all__ = [
    "EditError",
    "add_claim",
    "cite",
    "exclude",
    "fetch_paper",
    "lookup_paper",
    "parse_ident",
    "set_advice",
    "signoff",
    "uncite",
    "update_citation",
]

WRAP = 96  # folded text is wrapped like the hand-written claim files
CITATION_FIELDS = ("stance", "design", "n", "finding", "note")


class EditError(ClaimbookError):
    """An edit was refused: `problems` says why, as `FILE:LINE: field: message`; nothing was
    written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}" if problems else "edit refused")


def _refuse(where: object, field: str, message: str, line: int = 1) -> EditError:
    return EditError([Problem(str(where), line, field, message)])


def _typed(where: object, **fields: Any) -> None:
    """Refuse text with a control character (a terminal escape, a stray byte from a paste):
    YAML cannot hold it as typed, and it would print as garbage."""
    for field, value in fields.items():
        if not isinstance(value, str):
            continue
        bad = next((c for c in value if _control(c)), None)
        if bad is not None:
            raise _refuse(
                where, field,
                f"the {field} contains the control character U+{ord(bad):04X}; retype it "
                "without it (it often comes from pasting)",
            )  # fmt: skip


def _control(c: str) -> bool:
    return c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs")


def _folder(project: PathLike | ReviewFolder) -> ReviewFolder:
    return project if isinstance(project, ReviewFolder) else ReviewFolder.at(project)


# --------------------------------------------------------------------------- identifiers


def parse_ident(ident: str) -> tuple[str | None, str | None]:
    """(pmid, doi) from what a reviewer types: '3735481', 'PMID: 3735481', '10.1002/x',
    'doi:10.1002/x' or 'https://doi.org/10.1002/x'. Raises ValueError for anything else."""
    text = ident.strip()
    bare = re.sub(r"^(?:pmid:?\s*)", "", text, flags=re.I)
    if PMID_RE.match(bare):
        return bare, None
    doi = re.sub(r"^(?:doi:\s*|https?://(?:dx\.)?doi\.org/)", "", text, flags=re.I)
    if DOI_RE.match(doi):
        return None, doi
    raise ValueError(f"{ident!r} is neither a PMID (digits) nor a DOI (10.NNNN/...)")


def _key_of(entry: dict) -> str:
    return citation_key(entry.get("pmid"), entry.get("doi"), entry.get("url"))


def _keys(ident: str, context: ClaimContext) -> set[str]:
    """Every key the paper may be cited under in a claim: its PMID, its DOI, its record's key."""
    pmid, doi = parse_ident(ident)
    keys = {citation_key(pmid, doi)}
    rec = context.snapshot.find(pmid, doi)
    if rec is not None:
        keys |= {rec.key} | ({"doi:" + rec.doi.lower()} if rec.doi else set())
    return keys


# --------------------------------------------------------------------------- YAML round trip


def _yaml_for(text: str) -> YAML:
    """A round-trip YAML that writes lists the way this file already does."""
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap existing lines
    yaml.representer.ignore_aliases = lambda data: True  # no &id001 for a date used twice
    if re.search(r"^- ", text, re.M):
        yaml.indent(mapping=2, sequence=2, offset=0)
    else:
        yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _dump(yaml: YAML, doc: Any) -> str:
    out = io.StringIO()
    yaml.dump(doc, out)
    return out.getvalue()


def folded(text: str, indent: int = 6) -> FoldedScalarString | str:
    """Long prose as a folded block (`>-`) wrapped like the hand-written files; short as is."""
    text = " ".join(text.split())
    if len(text) + indent <= WRAP:
        return text
    scalar = FoldedScalarString(text)
    positions, at = [], 0
    for line in textwrap.wrap(text, WRAP - indent, break_long_words=False)[:-1]:
        at += len(line)
        positions.append(at)
        at += 1
    scalar.fold_pos = positions
    return scalar


def _set_after(doc: CommentedMap, key: str, value: Any, after: tuple[str, ...]) -> None:
    """Set `key`, placing a new key after the last of `after` present (else at the end)."""
    if key in doc:
        doc[key] = value
        return
    keys = list(doc)
    spots = [keys.index(k) + 1 for k in after if k in keys]
    doc.insert(max(spots) if spots else len(keys), key, value)


def _return_to_draft(doc: CommentedMap) -> None:
    """A signed-off claim whose evidence changes is no longer signed off."""
    if "signoff" in doc:
        del doc["signoff"]
        _set_after(doc, "status", "draft", ("topic", "title", "slug", "id"))


# --------------------------------------------------------------------------- the one writer


def _claim_path(folder: ReviewFolder, claim_id: str) -> Path:
    """The file of claim `claim_id` (for a part such as C10a: its record's file, C10-...)."""
    try:
        record, _ = split_id(claim_id)
    except ValueError as exc:
        raise _refuse(folder.claims, "id", str(exc)) from None
    found = sorted(folder.claims.glob(f"{record}-*.y*ml")) + sorted(
        folder.claims.glob(f"{record}.y*ml")
    )
    if not found:
        known = sorted({p.name.split("-")[0].split(".")[0] for p in folder.claims.glob("*.y*ml")})
        known = [k for k in known if k != "article"]
        raise _refuse(folder.claims, "id", f"no claim {record}; known: {', '.join(known)}")
    return found[0]


def _target(doc: CommentedMap, claim_id: str, path: Path, whole: bool) -> CommentedMap:
    """The mapping an edit of `claim_id` changes: the record, or the part a C10a names.
    `whole`: the edit is about the record (a sign-off), so a part id means its record."""
    _, part = split_id(claim_id)
    parts = doc.get("parts") or []
    if whole or (part is None and not parts):
        return doc
    letters = [p.get("part") for p in parts if isinstance(p, dict)]
    if part is None:
        names = ", ".join(f"{doc.get('id')}{x}" for x in letters)
        raise _refuse(
            path, "parts", f"{doc.get('id')} is in parts ({names}); name the part",
            _line(doc, "parts"),
        )  # fmt: skip
    if part not in letters:
        raise _refuse(path, "parts", f"{doc.get('id')} has no part {part}", _line(doc, "parts"))
    return parts[letters.index(part)]


def _context(folder: ReviewFolder) -> ClaimContext:
    try:
        return claim_context(folder.claims, folder.data)
    except ClaimsError as exc:
        raise EditError(exc.problems) from None


def _checked(path: Path, new: str, context: ClaimContext) -> Claim:
    """The claim `new` would be as the file `path`, validated in its project; EditError if not."""
    try:
        return check_claim_text(path, new, context)
    except ClaimsError as exc:
        raise EditError(exc.problems) from None


def _write_checked(path: Path, old: str | None, new: str, context: ClaimContext) -> Claim:
    claim = _checked(path, new, context)
    if new != old:
        _writable(path)
        _write(path, new)
    return claim


def _write(path: Path, text: str) -> None:
    """Replace a claim file atomically; a folder that cannot be written is an EditError."""
    try:
        write_text(path, text)
    except OSError as exc:
        raise _cannot_write(path, exc) from None


def _cannot_write(path: Path, exc: OSError) -> EditError:
    why = os_reason(exc)
    return _refuse(path, "file", f"cannot save the change, so nothing was changed: {why}")


def _writable(path: Path) -> None:
    """Refuse before anything is written when the claim file's folder cannot take a new file
    (an atomic write needs the folder, not the file, to be writable)."""
    if not os.access(path.parent, os.W_OK):
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
        raise _cannot_write(path, OSError(errno.EROFS if read_only else errno.EACCES, ""))


def _read_claim_file(path: Path) -> str:
    try:
        text = read_text(path, MAX_YAML_BYTES, "claim file")
        check_plain_yaml(text, path)
    except InputError as exc:
        raise _refuse(exc.file, exc.field, exc.message, exc.line) from None
    return text


def _edit(
    project: PathLike | ReviewFolder,
    claim_id: str,
    change: Callable[[CommentedMap, ClaimContext, Path, CommentedMap], None],
    context: ClaimContext | None = None,
    whole: bool = False,
    staged: StagedPaper | None = None,
) -> Claim:
    """Apply `change(target, context, path, record)` to the claim's YAML document (`target`:
    the record, or the part a C10a names), validate, write; all under the lock. A `staged`
    paper is stored in the snapshot only once the change has been validated, and taken out
    again if the claim file cannot be written: both change, or neither. Returns the claim as
    graded: the record, or the part."""
    folder = _folder(project)
    path = _claim_path(folder, claim_id)
    with _locked(folder.claims):
        text = _read_claim_file(path)
        yaml = _yaml_for(text)
        doc = yaml.load(text)
        if not isinstance(doc, CommentedMap):
            raise _refuse(path, "file", "expected a mapping of fields")
        context = context or _context(folder)
        change(_target(doc, claim_id, path, whole), context, path, doc)
        new = _dump(yaml, doc)
        record = _checked(path, new, context)
        if new != text:
            _writable(path)
            if staged is None:
                _write(path, new)
            else:
                with staged.stored(folder):
                    _write(path, new)
    rid, part = split_id(claim_id)
    return {u.id: u for u in record.units()}.get(f"{rid}{part or ''}", record)


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    """The claims folder's lock; a folder where the lock file cannot be made is an EditError."""
    try:
        held = lock(directory)
        held.acquire()
    except OSError as exc:
        raise _cannot_write(Path(directory) / ".lock", exc) from None
    try:
        yield
    finally:
        held.release()


def _find(doc: CommentedMap, section: str, ident: str, context: ClaimContext) -> int | None:
    keys = _keys(ident, context)
    for i, entry in enumerate(doc.get(section) or []):
        if isinstance(entry, dict) and _key_of(entry) in keys:
            return i
    return None


def _line(doc: CommentedMap, key: str) -> int:
    try:
        return doc.lc.key(key)[0] + 1
    except (KeyError, TypeError):
        return 1


def _block_list(doc: CommentedMap, key: str) -> CommentedSeq:
    """The list under `key` as a block sequence (a flow `[]` becomes block when it grows)."""
    seq = doc.get(key)
    if not isinstance(seq, CommentedSeq) or not seq:
        seq = CommentedSeq(list(seq or []))
        _set_after(doc, key, seq, ("evidence", "query", "quotes"))
    return seq


def _set_field(entry: CommentedMap, field: str, value: Any) -> None:
    """Set one citation field in its usual place; an empty n or note is removed."""
    if value in (None, "") and field in ("n", "note"):
        entry.pop(field, None)
        return
    if field in ("finding", "note"):
        value = folded(str(value))
    before = ("pmid", "doi", "url", *CITATION_FIELDS[: CITATION_FIELDS.index(field)])
    _set_after(entry, field, value, before)


# --------------------------------------------------------------------------- edits


def update_citation(
    project: PathLike | ReviewFolder, claim_id: str, ident: str, **changes: Any
) -> Claim:
    """Change a citation's stance, design, n, finding or note (None/"" removes n or note)."""
    unknown = sorted(set(changes) - set(CITATION_FIELDS))
    if unknown:
        raise ValueError(f"cannot change {', '.join(unknown)}; fields: {CITATION_FIELDS}")
    _typed(_folder(project).claims, **changes)
    _parsed(ident, _folder(project))

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        i = _find(doc, "evidence", ident, context)
        if i is None:
            raise _refuse(
                path, "evidence", f"{ident} is not cited by {claim_id}", _line(doc, "evidence")
            )
        entry = doc["evidence"][i]
        for field, value in changes.items():
            _set_field(entry, field, value)
        if changes:
            _return_to_draft(root)

    return _edit(project, claim_id, change)


def _paper_entry(pmid: str | None, doi: str | None) -> CommentedMap:
    entry = CommentedMap()
    if pmid:
        entry["pmid"] = DoubleQuotedScalarString(pmid)
    else:
        entry["doi"] = doi
    return entry


def cite(
    project: PathLike | ReviewFolder,
    claim_id: str,
    ident: str,
    *,
    stance: str,
    design: str,
    finding: str,
    n: int | None = None,
    note: str | None = None,
    offline: bool = False,
    client: Eutils | None = None,
) -> Claim:
    """Cite a paper (PMID or DOI) for a claim; an excluded paper is taken off the excluded
    list. A paper the snapshot lacks is fetched from PubMed (refused offline) and stored in the
    snapshot together with the claim edit: a refused cite changes neither."""
    folder = _folder(project)
    _typed(folder.claims, stance=stance, design=design, finding=finding, note=note)
    pmid, doi = _parsed(ident, folder)
    context = _context(folder)
    staged = None
    if context.snapshot.find(pmid, doi) is None:
        staged = fetch_paper(folder, ident, offline=offline, client=client)
        pmid, doi = staged.record.pmid, (None if staged.record.pmid else staged.record.doi)
        context = staged.context(context)

    def change(doc: CommentedMap, ctx: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "evidence", ident, ctx) is not None:
            raise _refuse(
                path, "evidence", f"{ident} is already cited; change it instead",
                _line(doc, "evidence"),
            )  # fmt: skip
        gone = _find(doc, "excluded", ident, ctx)
        if gone is not None:
            del doc["excluded"][gone]
        entry = _paper_entry(pmid, doi)
        for field, value in (("stance", stance), ("design", design), ("n", n),
                             ("finding", finding), ("note", note)):  # fmt: skip
            _set_field(entry, field, value)
        _block_list(doc, "evidence").append(entry)
        _return_to_draft(root)

    return _edit(folder, claim_id, change, context, staged=staged)


def uncite(project: PathLike | ReviewFolder, claim_id: str, ident: str) -> Claim:
    """Remove a citation from a claim (a reviewed claim must keep at least one)."""
    _parsed(ident, _folder(project))

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        i = _find(doc, "evidence", ident, context)
        if i is None:
            raise _refuse(
                path, "evidence", f"{ident} is not cited by {claim_id}", _line(doc, "evidence")
            )
        del doc["evidence"][i]
        _return_to_draft(root)

    return _edit(project, claim_id, change)


def exclude(project: PathLike | ReviewFolder, claim_id: str, ident: str, reason: str) -> Claim:
    """Screen a paper out of a claim, with the reason; a cited paper stops being cited."""
    folder = _folder(project)
    _typed(folder.claims, reason=reason)
    pmid, doi = _parsed(ident, folder)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if _find(doc, "excluded", ident, context) is not None:
            raise _refuse(path, "excluded", f"{ident} is already excluded", _line(doc, "excluded"))
        i = _find(doc, "evidence", ident, context)
        if i is not None:
            del doc["evidence"][i]
            _return_to_draft(root)
        entry = _paper_entry(pmid, doi)
        entry["reason"] = folded(reason)
        _block_list(doc, "excluded").append(entry)

    return _edit(folder, claim_id, change)


def set_advice(project: PathLike | ReviewFolder, claim_id: str, advice: str | None) -> Claim:
    """Set (or, with None or "", remove) what to tell a client."""
    _typed(_folder(project).claims, advice=advice)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        if advice:
            _set_after(doc, "advice", folded(advice, indent=2), ("excluded", "evidence"))
        else:
            doc.pop("advice", None)

    return _edit(project, claim_id, change)


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
    _typed(_folder(project).claims, reviewer=reviewer, note=note)

    def change(doc: CommentedMap, context: ClaimContext, path: Path, root: CommentedMap) -> None:
        doc.pop("status", None)
        record = CommentedMap()
        record["reviewer"] = reviewer.strip()
        record["date"] = on
        if note:
            record["note"] = folded(note)
        doc["reviewed"] = on
        _set_after(doc, "signoff", record, ("reviewed",))

    return _edit(project, claim_id, change, whole=True)


def _parsed(ident: str, where: object) -> tuple[str | None, str | None]:
    try:
        return parse_ident(ident)
    except ValueError as exc:
        raise _refuse(where, "paper", str(exc)) from None


@dataclass(frozen=True)
class StagedPaper:
    """A paper fetched from PubMed and held in memory: the E-utilities response exactly as
    received, and the record it gives. Nothing is in the snapshot until `stored`."""

    record: PaperRecord
    raw: bytes
    fetched_at: dt.datetime

    def context(self, context: ClaimContext) -> ClaimContext:
        """`context` as it will be once this paper is stored: for validating the edit first."""
        snapshot = Snapshot([*context.snapshot, self.record], context.snapshot.directory)
        return replace(context, snapshot=snapshot)

    @contextlib.contextmanager
    def stored(self, folder: ReviewFolder) -> Iterator[None]:
        """Store the paper, then run the block (the claim write); if the block fails, put the
        snapshot back byte for byte, so the paper is stored only together with the edit."""
        from claimbook.pubmed.store import undone_on_error
        from claimbook.pubmed.sync import commit_batch

        with undone_on_error(folder.snapshot):
            try:
                commit_batch(folder.snapshot, self.raw, self.fetched_at,
                             {"requested": 1, "missing": [], "for": "cite"})  # fmt: skip
            except OSError as exc:
                raise _cannot_write(folder.snapshot, exc) from None
            yield


def lookup_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> PaperRecord:
    """The record of a paper by PMID or DOI: from the snapshot, else fetched from PubMed
    without storing it. Refused offline or when PubMed has no record."""
    folder = _folder(project)
    pmid, doi = _parsed(ident, folder.snapshot)
    found = _context(folder).snapshot.find(pmid, doi)
    if found is not None:
        return found
    return fetch_paper(folder, ident, offline=offline, client=client).record


def fetch_paper(
    project: PathLike | ReviewFolder,
    ident: str,
    offline: bool = False,
    client: Eutils | None = None,
) -> StagedPaper:
    """Fetch a paper by PMID or DOI from PubMed into memory (nothing is written). Refused
    offline, when PubMed has no record or no single record for a DOI."""
    from claimbook.pubmed import PubMedError
    from claimbook.pubmed.sync import fetch_records

    folder = _folder(project)
    pmid, doi = _parsed(ident, folder.snapshot)
    what = f"PMID {pmid}" if pmid else f"DOI {doi}"
    if offline:
        raise _refuse(
            folder.snapshot, "paper",
            f"{what} is not in the snapshot and cannot be fetched offline; run without "
            "--offline on a machine with internet, or cite a paper the snapshot holds",
        )  # fmt: skip
    if client is None:
        from claimbook.pubmed.client import EutilsClient

        client = EutilsClient(progress=False)
    try:
        if pmid is None:
            ids = client.esearch(f"{doi}[doi]", retmax=2).ids
            if len(ids) != 1:
                raise _refuse(folder.snapshot, "paper", f"{what}: PubMed has no single record")
            pmid = ids[0]
        fetched = fetch_records(client, [pmid])
    except PubMedError as exc:
        raise _refuse(folder.snapshot, "paper", f"{what}: {exc}") from None
    for record, batch in fetched:
        if record.pmid == pmid:
            return StagedPaper(record, batch.raw, batch.fetched_at)
    raise _refuse(folder.snapshot, "paper", f"{what}: PubMed returned no record (deleted?)")


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
    from claimbook.article.candidates import find_candidates

    folder = _folder(project)
    _typed(folder.claims, quote=quote, title=title, topic=topic, section=section, claim=claim)
    context = _context(folder)
    with _locked(folder.claims):
        try:
            existing = load_claims(folder.claims)
        except ClaimsError as exc:
            raise EditError(exc.problems) from None
        claim_id = (claim_id or _next_id(existing)).upper()
        if any(claim_id in (c.id, c.record_id) for c in existing):
            raise _refuse(folder.claims, "id", f"{claim_id} exists already; choose another id")
        topics = list(context.article.topics) if context.article else []
        if topic is None:
            if len(topics) != 1:
                raise _refuse(
                    folder.claims / "article.yaml", "topics",
                    f"choose a topic for the claim: one of {', '.join(topics)}",
                )  # fmt: skip
            topic = topics[0]
        if section is None and context.text is not None:
            hits = [c for c in find_candidates(context.text) if quote in c.text]
            section = hits[0].section if hits else None
        section = section or (context.article.title if context.article else "")
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
        path = folder.claims / f"{claim_id}-{doc['slug']}.yaml"
        yaml = _yaml_for("")
        return _write_checked(path, None, _dump(yaml, doc), context)
