"""The citation snapshot on disk (`data/pubmed/`): normalised records, raw responses, manifest.

Layout::

    data/pubmed/records.jsonl   one PaperRecord per line, sorted by key (diff-friendly)
    data/pubmed/manifest.json   what was asked, when, counts, tool version, content hashes
    data/pubmed/raw/*.xml.gz    E-utilities responses exactly as received (gzip-compressed)
    data/pubmed/pending.jsonl   fetched records that disagree with the curated ones (verify.py)
    data/pubmed/hits/*.json     a claim's saved search, for screening offline (screening.py)

Curated records (from the shared evidence dossiers) and E-utilities records share one format;
`claimbook fetch` replaces a curated record in place by one with `source: pubmed-efetch`.
Every write goes through a temp file + rename under a file lock, so a crash or a concurrent run
never leaves a half-written snapshot. Nothing else writes in `data/pubmed/`: the other modules
(sync, verify, screening, edit) hand their bytes to the functions here.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claimbook import files
from claimbook.errors import ClaimbookError
from claimbook.files import FolderLock, WriteError, atomic_write, atomic_write_all
from claimbook.ids import check_doi, check_pmcid, check_pmid, citation_key, key_sort
from claimbook.pubmed.records import AbstractSection, Correction

__all__ = [
    "PaperRecord",
    "Snapshot",
    "SnapshotError",
    "SnapshotWriteError",
    "atomic_write",
    "load_snapshot",
    "lock",
    "save_snapshot",
    "undone_on_error",
    "write_hits",
]

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "manifest.json"
RAW_DIR = "raw"
PENDING_FILE = "pending.jsonl"  # its format is verify.py's
HITS_DIR = "hits"  # its format is screening.py's
#: No snapshot file is read past this size (a few thousand records take a few MB).
MAX_FILE_BYTES = 256 << 20


class SnapshotError(ClaimbookError):
    """The snapshot on disk is unreadable or invalid: `FILE:LINE: field: message`."""

    def __init__(self, file: str | os.PathLike[str], line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(f"{self.file}:{line}: {field}: {message}")


class SnapshotWriteError(SnapshotError, WriteError):
    """A snapshot file could not be written (disk full, read-only folder, lock held): both a
    SnapshotError and a files.WriteError; every file of the snapshot is as it was."""

    def __init__(self, error: WriteError) -> None:
        OSError.__init__(self, error.errno, error.strerror, error.filename)
        self.path = error.path
        self.file, self.line, self.field = str(error.path), 1, "file"
        self.message = f"cannot write it: {error.strerror}"

    def __str__(self) -> str:
        return WriteError.__str__(self)


@contextlib.contextmanager
def snapshot_writes() -> Iterator[None]:
    """Turn a WriteError raised inside into a SnapshotWriteError."""
    try:
        yield
    except SnapshotWriteError:
        raise
    except WriteError as exc:
        raise SnapshotWriteError(exc) from None


class _SnapshotLock(FolderLock):
    def acquire(self, *args, **kwargs):  # type: ignore[override]
        with snapshot_writes():
            return super().acquire(*args, **kwargs)


def lock(directory: str | os.PathLike[str], timeout: float = 60.0) -> FolderLock:
    """The snapshot folder's lock (`files.lock`); failing to take it is a SnapshotWriteError."""
    directory = Path(directory)
    with snapshot_writes(), files.writing(directory):
        directory.mkdir(parents=True, exist_ok=True)
    return _SnapshotLock(str(directory / files.LOCK_FILE), timeout=timeout)


class PaperRecord(BaseModel):
    """One cited paper, normalised: the bibliographic facts plus where they came from."""

    model_config = ConfigDict(extra="forbid")

    pmid: str | None = None
    doi: str | None = None
    pmcid: str | None = None
    url: str | None = Field(None, description="only for sources not indexed in PubMed")
    in_pubmed: bool | None = Field(
        True, description="True: has a PMID; None: cited by DOI, PMID unknown; False: not indexed"
    )
    title: str
    title_html: str | None = None
    authors: list[str] = Field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    abstract: str | None = None
    abstract_sections: list[AbstractSection] = Field(default_factory=list)
    publication_types: list[str] = Field(default_factory=list)
    mesh_terms: list[str] = Field(default_factory=list)
    retracted: bool = False
    corrections: list[Correction] = Field(default_factory=list)
    source: Literal["curated", "pubmed-efetch"]
    verified_from: list[str] = Field(default_factory=list)
    curated_on: date | None = None
    fetched_at: datetime | None = None
    raw: str | None = Field(None, description="path of the raw response, relative to the store")

    _pmid = field_validator("pmid")(check_pmid)
    _doi = field_validator("doi")(check_doi)
    _pmcid = field_validator("pmcid")(check_pmcid)

    @property
    def key(self) -> str:
        """The snapshot key: the PMID, else `doi:<doi>` (lower case), else `url:<url>`."""
        return citation_key(self.pmid, self.doi, self.url)

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None

    @property
    def concern(self) -> bool:
        """True when PubMed links an expression of concern to the paper (ExpressionOfConcernIn)."""
        return any(c.type == "ExpressionOfConcernIn" for c in self.corrections)

    @property
    def corrected(self) -> bool:
        """True when PubMed links an erratum to the paper (ErratumIn)."""
        return any(c.type == "ErratumIn" for c in self.corrections)


class Snapshot:
    """The records of a snapshot, by key; look-ups by PMID, DOI or URL."""

    def __init__(self, records: Iterable[PaperRecord], directory: Path | None = None) -> None:
        self.directory = directory
        self.records: dict[str, PaperRecord] = {}
        self._by_doi: dict[str, str] = {}
        for rec in records:
            self.records[rec.key] = rec
            if rec.doi:
                self._by_doi[rec.doi.lower()] = rec.key

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[PaperRecord]:
        return iter(self.records[k] for k in sorted(self.records, key=key_sort))

    def __contains__(self, key: object) -> bool:
        return key in self.records

    def get(self, key: str) -> PaperRecord | None:
        """A record by snapshot key (PMID, `doi:...` or `url:...`)."""
        return self.records.get(key)

    def find(
        self, pmid: str | None = None, doi: str | None = None, url: str | None = None
    ) -> PaperRecord | None:
        """The record a citation refers to: by PMID first, then by DOI (any case), then URL."""
        if pmid:
            return self.records.get(pmid)
        if doi:
            k = self._by_doi.get(doi.lower())
            return self.records.get(k) if k else None
        if url:
            return self.records.get("url:" + url)
        return None

    def count_by_source(self) -> dict[str, int]:
        """How many records come from each source ('curated', 'pubmed-efetch'), by name."""
        return count_by_source(self.records.values())

    def latest_date(self) -> date | None:
        """The latest curation or fetch date: the snapshot's 'as of' date."""
        dates = [r.curated_on for r in self if r.curated_on]
        dates += [r.fetched_at.date() for r in self if r.fetched_at]
        return max(dates) if dates else None


def count_by_source(records: Iterable[PaperRecord]) -> dict[str, int]:
    """How many of `records` come from each source, sorted by source name."""
    out: dict[str, int] = {}
    for rec in records:
        out[rec.source] = out.get(rec.source, 0) + 1
    return dict(sorted(out.items()))


def read_lines(path: Path) -> Iterator[tuple[int, str]]:
    """The lines of a JSON Lines file, numbered from 1 (a missing file has none).

    Only "\\n" ends a line (a title may hold U+2028). Bytes that are not UTF-8 are a
    SnapshotError naming the line, before any line is used.
    """
    data = read_file(path)
    if data is not None:
        yield from enumerate(_decoded(path, data).split("\n"), 1)


def read_file(path: Path) -> bytes | None:
    """The bytes of a snapshot file, None when it does not exist; SnapshotError when it cannot
    be read or is larger than any snapshot file should be (MAX_FILE_BYTES)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SnapshotError(path, 1, "file", f"cannot read it: {exc.strerror or exc}") from None
    if len(data) > MAX_FILE_BYTES:
        raise SnapshotError(
            path, 1, "file", f"larger than {MAX_FILE_BYTES >> 20} MB: not a snapshot file"
        )
    return data


def _decoded(path: Path, data: bytes) -> str:
    """`data` as UTF-8 text; a SnapshotError naming the first line that is not UTF-8."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    for lineno, raw in enumerate(data.split(b"\n"), 1):
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise SnapshotError(path, lineno, "text", _not_utf8(raw, exc)) from None
    raise AssertionError("unreachable: some line does not decode")


def _not_utf8(raw: bytes, exc: UnicodeDecodeError) -> str:
    return (
        f"not UTF-8 text (byte 0x{raw[exc.start]:02X} at byte {exc.start + 1} of the line); "
        "the file was saved in another encoding or damaged: restore it from git"
    )


def load_snapshot(directory: str | os.PathLike[str]) -> Snapshot:
    """Read `records.jsonl` from a snapshot directory (a missing file is an empty snapshot).

    SnapshotError (file, line, field) for a line that is not UTF-8, not JSON or not a valid
    record, and for a manifest.json that cannot be read (`load_manifest`).
    """
    directory = Path(directory)
    path = directory / RECORDS_FILE
    records = []
    seen: dict[str, int] = {}
    for lineno, line in read_lines(path):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SnapshotError(path, lineno, "json", f"invalid JSON: {exc.msg}") from None
        except RecursionError:
            raise SnapshotError(path, lineno, "json", "nested too deep") from None
        try:
            rec = PaperRecord.model_validate(data)
        except ValidationError as exc:
            err = exc.errors()[0]
            field = ".".join(str(p) for p in err["loc"]) or "record"
            raise SnapshotError(path, lineno, field, err["msg"]) from None
        if rec.key in seen:
            raise SnapshotError(
                path, lineno, "key", f"duplicate record {rec.key} (first on line {seen[rec.key]})"
            )
        seen[rec.key] = lineno
        records.append(rec)
    load_manifest(directory)
    return Snapshot(records, directory)


def load_manifest(directory: str | os.PathLike[str]) -> dict:
    """The snapshot's manifest.json ({} when there is none yet).

    SnapshotError (located) when it is not UTF-8, not JSON, or not a JSON object whose
    `history` is a list: a manifest claimbook cannot read is never overwritten.
    """
    path = Path(directory) / MANIFEST_FILE
    data = read_file(path)
    if data is None:
        return {}
    try:
        manifest = json.loads(_decoded(path, data))
    except json.JSONDecodeError as exc:
        raise SnapshotError(path, exc.lineno, "json", f"invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise SnapshotError(path, 1, "json", "nested too deep") from None
    if not isinstance(manifest, dict):
        raise SnapshotError(path, 1, "manifest", f"a JSON object expected, not {_kind(manifest)}")
    if not isinstance(manifest.get("history", []), list):
        raise SnapshotError(
            path, 1, "history", f"a list expected, not {_kind(manifest['history'])}"
        )
    return manifest


def _kind(value: object) -> str:
    names = {dict: "an object", list: "a list", str: "a string", bool: "true/false"}
    return names.get(type(value), "a number" if isinstance(value, int | float) else "null")


def dump_records(records: Iterable[PaperRecord]) -> str:
    """Serialise records as sorted JSON Lines: one record a line, keys in a stable order."""
    lines = []
    for rec in sorted(records, key=lambda r: key_sort(r.key)):
        data = rec.model_dump(mode="json", exclude_defaults=False)
        lines.append(json.dumps(data, ensure_ascii=False, sort_keys=False))
    return "".join(line + "\n" for line in lines)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def raw_name(name: str) -> str:
    """The path, relative to the store, of the raw response called `name`."""
    return f"{RAW_DIR}/{name}.xml.gz"


def raw_file(body: bytes) -> bytes:
    """A raw response as stored: gzip with a fixed mtime, so equal bodies give equal files."""
    return gzip.compress(body, mtime=0)


def write_raw(directory: Path, name: str, body: bytes) -> str:
    """Store a raw response exactly as received (gzip, fixed mtime); return its relative path."""
    rel = raw_name(name)
    with snapshot_writes():
        atomic_write(directory / rel, raw_file(body))
    return rel


def read_raw(directory: Path, rel: str) -> bytes:
    """The bytes of a stored raw response."""
    return gzip.decompress((directory / rel).read_bytes())


def snapshot_files(
    directory: str | os.PathLike[str],
    records: Iterable[PaperRecord],
    manifest_entry: dict | None = None,
    raw: dict[str, bytes] | None = None,
) -> dict[Path, bytes]:
    """The files a snapshot update writes, by path: records.jsonl, manifest.json and the new
    raw responses (`raw`: gzip bytes by relative path). Reads and checks only; writes nothing.

    Raises SnapshotError for a manifest it cannot read, before anything is written.
    """
    from claimbook import __version__

    directory = Path(directory)
    records = list(records)
    manifest = load_manifest(directory)
    body = dump_records(records).encode("utf-8")
    raw = dict(raw or {})
    raw_hashes = {}
    raw_dir = directory / RAW_DIR
    names = {f"{RAW_DIR}/{f.name}" for f in raw_dir.glob("*.xml.gz")} if raw_dir.is_dir() else set()
    for rel in sorted(names | set(raw)):
        try:
            data = raw[rel] if rel in raw else (directory / rel).read_bytes()
        except OSError as exc:
            raise SnapshotError(
                directory / rel, 1, "file", f"cannot read it: {exc.strerror}"
            ) from None
        raw_hashes[rel] = sha256(data)
    manifest["format"] = "claimbook-snapshot/1"
    manifest["tool_version"] = __version__
    manifest["records"] = {"total": len(records), "by_source": count_by_source(records)}
    manifest["hashes"] = {RECORDS_FILE: sha256(body), **raw_hashes}
    history = manifest.get("history", [])
    if manifest_entry:
        history.append(manifest_entry)
    manifest["history"] = history
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    files = {directory / rel: data for rel, data in raw.items()}
    files[directory / RECORDS_FILE] = body
    files[directory / MANIFEST_FILE] = text.encode("utf-8")
    return files


def write_files(files: dict[Path, bytes]) -> None:
    """Write the files of a snapshot update together (`files.atomic_write_all`): a full disk or
    a read-only folder is a SnapshotWriteError and leaves every file as it was."""
    with snapshot_writes():
        atomic_write_all(files)


def save_snapshot(
    directory: str | os.PathLike[str],
    records: Iterable[PaperRecord],
    manifest_entry: dict | None = None,
) -> Path:
    """Replace the snapshot's records atomically and update its manifest.

    The caller holds `lock(directory)`. `manifest_entry` (what was asked, when, counts) is
    appended to the manifest's history; file hashes and counts are recomputed here. Everything
    is checked (the manifest must be readable) before anything is written.
    """
    write_files(snapshot_files(directory, records, manifest_entry))
    return Path(directory)


def hits_file(directory: str | os.PathLike[str], claim_id: str) -> Path:
    """Where the snapshot keeps a claim's saved search: `hits/CLAIM_ID.json`."""
    return Path(directory) / HITS_DIR / f"{claim_id}.json"


def write_hits(directory: str | os.PathLike[str], claim_id: str, data: bytes) -> Path:
    """Store a claim's saved search (screening's JSON) atomically, under the snapshot's lock; a
    file that cannot be written is a SnapshotWriteError and the old one stays as it was."""
    path = hits_file(directory, claim_id)
    with lock(directory), snapshot_writes():
        atomic_write(path, data)
    return path


@contextlib.contextmanager
def undone_on_error(directory: str | os.PathLike[str]) -> Iterator[None]:
    """Run the block, which writes the snapshot; if it raises, put the snapshot back byte for
    byte (records, manifest, pending disagreements; no raw response it added) and re-raise. For
    a snapshot write that stands or falls with another file's: a cite stores its paper only
    together with the claim edit."""
    directory = Path(directory)
    kept = {
        name: read_file(directory / name) for name in (RECORDS_FILE, MANIFEST_FILE, PENDING_FILE)
    }
    raw_dir = directory / RAW_DIR
    raw = {p.name for p in raw_dir.glob("*")} if raw_dir.is_dir() else set()
    try:
        yield
    except BaseException:
        for name, data in kept.items():
            path = directory / name
            if data is None:
                path.unlink(missing_ok=True)
            elif not path.exists() or path.read_bytes() != data:
                atomic_write(path, data)
        if raw_dir.is_dir():
            for p in raw_dir.glob("*"):
                if p.name not in raw:
                    p.unlink(missing_ok=True)
        raise
