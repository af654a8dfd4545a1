"""The citation snapshot on disk (`data/pubmed/`): normalised records, raw responses, manifest.

Layout::

    data/pubmed/records.jsonl   one CitationRecord per line, sorted by key (diff-friendly)
    data/pubmed/manifest.json   what was asked, when, counts, tool version, content hashes
    data/pubmed/raw/*.xml.gz    E-utilities responses exactly as received (gzip-compressed)

Curated records (from the shared evidence dossiers) and E-utilities records share one format;
`claimbook fetch` replaces a curated record in place by one with `source: pubmed-efetch`.
Every write goes through a temp file + rename under a file lock, so a crash or a concurrent run
never leaves a half-written snapshot.
"""

from __future__ import annotations

import contextlib
import gzip
import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from filelock import FileLock
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "manifest.json"
RAW_DIR = "raw"
LOCK_FILE = ".lock"

PMID_RE = re.compile(r"^[1-9][0-9]{0,8}$")
DOI_RE = re.compile(r"^10\.\d{4,9}/\S+$")
PMCID_RE = re.compile(r"^PMC[0-9]+$")


class SnapshotError(Exception):
    """The snapshot on disk is unreadable or invalid: `FILE:LINE: field: message`."""

    def __init__(self, file: str | os.PathLike[str], line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(f"{self.file}:{line}: {field}: {message}")


class AbstractSection(BaseModel):
    """One labelled part of a structured abstract."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    label: str | None = None
    category: str | None = None
    text: str


class Correction(BaseModel):
    """A link to a correction-like record: ErratumIn, RetractionIn, RetractionOf, ..."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    type: str
    pmid: str | None = None
    source: str | None = None


class CitationRecord(BaseModel):
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

    @field_validator("pmid")
    @classmethod
    def _pmid(cls, v: str | None) -> str | None:
        if v is not None and not PMID_RE.match(v):
            raise ValueError(f"malformed PMID {v!r} (expected digits only)")
        return v

    @field_validator("doi")
    @classmethod
    def _doi(cls, v: str | None) -> str | None:
        if v is not None and not DOI_RE.match(v):
            raise ValueError(f"malformed DOI {v!r} (expected 10.NNNN/...)")
        return v

    @field_validator("pmcid")
    @classmethod
    def _pmcid(cls, v: str | None) -> str | None:
        if v is not None and not PMCID_RE.match(v):
            raise ValueError(f"malformed PMCID {v!r} (expected PMC followed by digits)")
        return v

    @property
    def key(self) -> str:
        """The snapshot key: the PMID, else `doi:<doi>` (lower case), else `url:<url>`."""
        return citation_key(self.pmid, self.doi, self.url)

    @property
    def first_author(self) -> str | None:
        return self.authors[0] if self.authors else None


def citation_key(pmid: str | None, doi: str | None = None, url: str | None = None) -> str:
    """The one key that names a citation in claims and in the snapshot."""
    if pmid:
        return pmid
    if doi:
        return "doi:" + doi.lower()
    if url:
        return "url:" + url
    raise ValueError("a citation needs a pmid, a doi or a url")


def _sort_key(key: str) -> tuple[int, int, str]:
    return (0, int(key), "") if key.isdigit() else (1, 0, key)


class Snapshot:
    """The records of a snapshot, by key; look-ups by PMID, DOI or URL."""

    def __init__(self, records: Iterable[CitationRecord], directory: Path | None = None) -> None:
        self.directory = directory
        self.records: dict[str, CitationRecord] = {}
        self._by_doi: dict[str, str] = {}
        for rec in records:
            self.records[rec.key] = rec
            if rec.doi:
                self._by_doi[rec.doi.lower()] = rec.key

    def __len__(self) -> int:
        return len(self.records)

    def __iter__(self) -> Iterator[CitationRecord]:
        return iter(self.records[k] for k in sorted(self.records, key=_sort_key))

    def __contains__(self, key: object) -> bool:
        return key in self.records

    def get(self, key: str) -> CitationRecord | None:
        """A record by snapshot key (PMID, `doi:...` or `url:...`)."""
        return self.records.get(key)

    def find(
        self, pmid: str | None = None, doi: str | None = None, url: str | None = None
    ) -> CitationRecord | None:
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
        out: dict[str, int] = {}
        for rec in self.records.values():
            out[rec.source] = out.get(rec.source, 0) + 1
        return out


def load_snapshot(directory: str | os.PathLike[str]) -> Snapshot:
    """Read `records.jsonl` from a snapshot directory (a missing file is an empty snapshot)."""
    directory = Path(directory)
    path = directory / RECORDS_FILE
    if not path.exists():
        return Snapshot([], directory)
    records = []
    seen: dict[str, int] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            raise SnapshotError(path, lineno, "json", f"invalid JSON: {exc.msg}") from None
        try:
            rec = CitationRecord.model_validate(data)
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
    return Snapshot(records, directory)


def dump_records(records: Iterable[CitationRecord]) -> str:
    """Serialise records as sorted JSON Lines: one record a line, keys in a stable order."""
    lines = []
    for rec in sorted(records, key=lambda r: _sort_key(r.key)):
        data = rec.model_dump(mode="json", exclude_defaults=False)
        lines.append(json.dumps(data, ensure_ascii=False, sort_keys=False))
    return "".join(line + "\n" for line in lines)


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` via a temp file in the same directory and an atomic rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lock(directory: str | os.PathLike[str], timeout: float = 60.0) -> FileLock:
    """The snapshot's file lock: hold it around every read-modify-write of the store."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return FileLock(str(directory / LOCK_FILE), timeout=timeout)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def write_raw(directory: Path, name: str, body: bytes) -> str:
    """Store a raw response exactly as received (gzip, fixed mtime); return its relative path."""
    rel = f"{RAW_DIR}/{name}.xml.gz"
    atomic_write(directory / rel, gzip.compress(body, mtime=0))
    return rel


def read_raw(directory: Path, rel: str) -> bytes:
    """The bytes of a stored raw response."""
    return gzip.decompress((directory / rel).read_bytes())


def save_snapshot(
    directory: str | os.PathLike[str],
    records: Iterable[CitationRecord],
    manifest_entry: dict | None = None,
) -> Path:
    """Replace the snapshot's records atomically and update its manifest.

    The caller holds `lock(directory)`. `manifest_entry` (what was asked, when, counts) is
    appended to the manifest's history; file hashes and counts are recomputed here.
    """
    from claimbook import __version__

    directory = Path(directory)
    records = list(records)
    body = dump_records(records).encode("utf-8")
    atomic_write(directory / RECORDS_FILE, body)

    manifest_path = directory / MANIFEST_FILE
    manifest: dict = {}
    if manifest_path.exists():
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise SnapshotError(
                manifest_path, exc.lineno, "json", f"invalid JSON: {exc.msg}"
            ) from None
    counts: dict[str, int] = {}
    for rec in records:
        counts[rec.source] = counts.get(rec.source, 0) + 1
    raw_hashes = {}
    raw_dir = directory / RAW_DIR
    if raw_dir.is_dir():
        for f in sorted(raw_dir.glob("*.xml.gz")):
            raw_hashes[f"{RAW_DIR}/{f.name}"] = sha256(f.read_bytes())
    manifest["format"] = "claimbook-snapshot/1"
    manifest["tool_version"] = __version__
    manifest["records"] = {"total": len(records), "by_source": dict(sorted(counts.items()))}
    manifest["hashes"] = {RECORDS_FILE: sha256(body), **raw_hashes}
    history = manifest.get("history", [])
    if manifest_entry:
        history.append(manifest_entry)
    manifest["history"] = history
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(manifest_path, text.encode("utf-8"))
    return directory
