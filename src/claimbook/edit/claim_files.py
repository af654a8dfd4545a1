"""The write path every claim edit goes through: read the claim file under the claims folder's
lock, change it in memory, validate the claim as it would be after the change, and only then
replace the file atomically.

The edits themselves live beside this module (citations: cite, uncite, exclude,
update_citation; claim_edits: add_claim, set_advice, signoff); they hand `edit_claim` a change
to make to the YAML document (round_trip keeps the reviewer's comments, key order, quoting and
line breaks). A refused edit raises EditError with the validator's `FILE:LINE: field: message`
and leaves the file byte-identical.
"""

from __future__ import annotations

import contextlib
import copy
import errno
import os
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ruamel.yaml.comments import CommentedMap

from claimbook.claims.load import ClaimsError
from claimbook.claims.schema import Claim, split_id
from claimbook.claims.validate import (
    ClaimContext,
    check_claim_text,
    check_papers_text,
    claim_context,
)
from claimbook.edit.appraisals import PapersDoc
from claimbook.edit.round_trip import dump, line_of, yaml_for
from claimbook.errors import ClaimbookError, Problem
from claimbook.files import atomic_write_all, lock, os_reason, write_text
from claimbook.folder import PathLike, ReviewFolder
from claimbook.inputs import MAX_YAML_BYTES, InputError, check_plain_yaml, read_text

if TYPE_CHECKING:
    from claimbook.edit.papers import StagedPaper

__all__ = ["EditError", "preload"]

# claim file -> (its text, its round-trip document as loaded from that text): `preload`
_PRELOADED: dict[Path, tuple[str, CommentedMap]] = {}

# change(target, context, path, record): edit `target` (the record, or the part a C10a names)
Change = Callable[[CommentedMap, ClaimContext, Path, CommentedMap], None]
# papers_change(papers, context): edit papers.yaml, after the change of the claim file
PapersChange = Callable[[PapersDoc, ClaimContext], None]


class EditError(ClaimbookError):
    """An edit was refused: `problems` says why, as `FILE:LINE: field: message`; nothing was
    written."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        more = f" (+{len(problems) - 1} more)" if len(problems) > 1 else ""
        super().__init__(f"{problems[0]}{more}" if problems else "edit refused")


def refuse(where: object, field: str, message: str, line: int = 1) -> EditError:
    """An EditError of one problem: `where:line: field: message`."""
    return EditError([Problem(str(where), line, field, message)])


def typed(where: object, **fields: Any) -> None:
    """Refuse text with a control character (a terminal escape, a stray byte from a paste):
    YAML cannot hold it as typed, and it would print as garbage."""
    for field, value in fields.items():
        if not isinstance(value, str):
            continue
        bad = next((c for c in value if _control(c)), None)
        if bad is not None:
            raise refuse(
                where, field,
                f"the {field} contains the control character U+{ord(bad):04X}; retype it "
                "without it (it often comes from pasting)",
            )  # fmt: skip


def _control(c: str) -> bool:
    return c not in "\n\t" and unicodedata.category(c) in ("Cc", "Cs")


def folder_of(project: PathLike | ReviewFolder) -> ReviewFolder:
    """The review folder an edit is about (a path is taken as its root)."""
    return project if isinstance(project, ReviewFolder) else ReviewFolder.at(project)


def context_of(folder: ReviewFolder) -> ClaimContext:
    """The project a claim is validated in (article, snapshot); a broken one is an EditError."""
    try:
        return claim_context(folder.claims, folder.data)
    except ClaimsError as exc:
        raise EditError(exc.problems) from None


def _claim_path(folder: ReviewFolder, claim_id: str) -> Path:
    """The file of claim `claim_id` (for a part such as C10a: its record's file, C10-...)."""
    try:
        record, _ = split_id(claim_id)
    except ValueError as exc:
        raise refuse(folder.claims, "id", str(exc)) from None
    found = sorted(folder.claims.glob(f"{record}-*.y*ml")) + sorted(
        folder.claims.glob(f"{record}.y*ml")
    )
    if not found:
        known = sorted({p.name.split("-")[0].split(".")[0] for p in folder.claims.glob("*.y*ml")})
        known = [k for k in known if k not in ("article", "papers")]
        raise refuse(folder.claims, "id", f"no claim {record}; known: {', '.join(known)}")
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
        raise refuse(
            path, "parts", f"{doc.get('id')} is in parts ({names}); name the part",
            line_of(doc, "parts"),
        )  # fmt: skip
    if part not in letters:
        raise refuse(path, "parts", f"{doc.get('id')} has no part {part}", line_of(doc, "parts"))
    return parts[letters.index(part)]


def _checked(path: Path, new: str, context: ClaimContext) -> Claim:
    """The claim `new` would be as the file `path`, validated in its project; EditError if not."""
    try:
        return check_claim_text(path, new, context)
    except ClaimsError as exc:
        raise EditError(exc.problems) from None


def write_checked(path: Path, old: str | None, new: str, context: ClaimContext) -> Claim:
    """Validate `new` as the file `path` (which held `old`), then write it if it changed."""
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
        raise cannot_write(path, exc) from None


def write_all(files: dict[Path, str]) -> None:
    """Replace several files together (a claim file and papers.yaml): all of them, or none;
    a folder that cannot be written is an EditError."""
    if len(files) == 1:
        _write(*next(iter(files.items())))
        return
    try:
        atomic_write_all({path: text.encode("utf-8") for path, text in files.items()})
    except OSError as exc:
        raise cannot_write(Path(getattr(exc, "filename", None) or next(iter(files))), exc) from None


def read_papers(folder: ReviewFolder) -> PapersDoc:
    """papers.yaml as an edit changes it; one that cannot be read is an EditError."""
    try:
        return PapersDoc.read(folder.claims)
    except InputError as exc:
        raise refuse(exc.file, exc.field, exc.message, exc.line) from None


def checked_papers(text: str, context: ClaimContext) -> ClaimContext:
    """`context` with papers.yaml as the edit leaves it (`text`), validated; EditError if not."""
    try:
        return check_papers_text(text, context)
    except ClaimsError as exc:
        raise EditError(exc.problems) from None


def cannot_write(path: Path, exc: OSError) -> EditError:
    """The EditError for a file that could not be written, the OS's reason in words."""
    why = os_reason(exc)
    return refuse(path, "file", f"cannot save the change, so nothing was changed: {why}")


def _writable(path: Path) -> None:
    """Refuse before anything is written when the claim file's folder cannot take a new file
    (an atomic write needs the folder, not the file, to be writable)."""
    if not os.access(path.parent, os.W_OK):
        read_only = bool(os.statvfs(path.parent).f_flag & os.ST_RDONLY)
        raise cannot_write(path, OSError(errno.EROFS if read_only else errno.EACCES, ""))


def _read_claim_file(path: Path) -> str:
    try:
        text = read_text(path, MAX_YAML_BYTES, "claim file")
        check_plain_yaml(text, path)
    except InputError as exc:
        raise refuse(exc.file, exc.field, exc.message, exc.line) from None
    return text


def preload(path: PathLike) -> None:
    """Parse a claim file's round-trip document now, while nothing waits (the workbench does
    this after drawing a claim and after each edit), so its next edit starts from a copy of it
    (a few ms) instead of parsing the file again (ruamel.yaml's round trip: the slowest step
    of an edit). Only a copy is ever changed, and only while the file still holds the same
    text. A file that cannot be read or parsed is left to the edit, to refuse in its words."""
    path = Path(path).resolve()
    try:
        text = read_text(path, MAX_YAML_BYTES, "claim file")
        doc = yaml_for(text).load(text)
    except Exception:  # the edit reads it again and says what is wrong
        _PRELOADED.pop(path, None)
        return
    if isinstance(doc, CommentedMap):
        _PRELOADED[path] = (text, doc)


def _document(path: Path, text: str) -> tuple[Any, Any]:
    """The round-trip YAML for `text` and the document it holds: a copy of the preloaded one
    when the file holds the text it was preloaded from, else parsed now."""
    yaml = yaml_for(text)
    kept = _PRELOADED.get(path.resolve())
    if kept is not None and kept[0] == text:
        return yaml, copy.deepcopy(kept[1])
    return yaml, yaml.load(text)


def edit_claim(
    project: PathLike | ReviewFolder,
    claim_id: str,
    change: Change,
    context: ClaimContext | None = None,
    whole: bool = False,
    staged: StagedPaper | None = None,
    papers_change: PapersChange | None = None,
) -> Claim:
    """Apply `change(target, context, path, record)` to the claim's YAML document (`target`:
    the record, or the part a C10a names), and `papers_change(papers, context)` to papers.yaml
    (a paper's appraisal), validate the claim in the folder as it would then be, write; all
    under the lock. The claim file and papers.yaml are written together, or neither. A
    `staged` paper is stored in the snapshot only once the change has been validated, and
    taken out again if the files cannot be written: all change, or none. Returns the claim as
    graded: the record, or the part."""
    folder = folder_of(project)
    path = _claim_path(folder, claim_id)
    with locked(folder.claims):
        text = _read_claim_file(path)
        yaml, doc = _document(path, text)
        if not isinstance(doc, CommentedMap):
            raise refuse(path, "file", "expected a mapping of fields")
        context = context or context_of(folder)
        change(_target(doc, claim_id, path, whole), context, path, doc)
        new = dump(yaml, doc)
        files = {path: new} if new != text else {}
        if papers_change is not None:
            papers = read_papers(folder)
            papers_change(papers, context)
            new_papers = papers.dump()
            if new_papers != papers.text:
                context = checked_papers(new_papers, context)
                files[papers.path] = new_papers
        record = _checked(path, new, context)
        if files:
            _writable(path)
            if staged is None:
                write_all(files)
            else:
                with staged.stored(folder):
                    write_all(files)
    rid, part = split_id(claim_id)
    return {u.id: u for u in record.units()}.get(f"{rid}{part or ''}", record)


@contextlib.contextmanager
def locked(directory: Path) -> Iterator[None]:
    """The claims folder's lock; a folder where the lock file cannot be made is an EditError."""
    try:
        held = lock(directory)
        held.acquire()
    except OSError as exc:
        raise cannot_write(Path(directory) / ".lock", exc) from None
    try:
        yield
    finally:
        held.release()
