"""The citation snapshot on disk (`data/pubmed/`): normalised records, raw responses, manifest.

Layout::

    data/pubmed/records.jsonl   one PaperRecord per line, sorted by key (diff-friendly)
    data/pubmed/manifest.json   what was asked, when, counts, tool version, content hashes
    data/pubmed/raw/*.xml.gz    E-utilities responses exactly as received (gzip-compressed)
    data/pubmed/pending.jsonl   fetched records that disagree with the curated ones (verify.py)

Curated records (from the shared evidence dossiers) and E-utilities records share one format;
`claimbook fetch` replaces a curated record in place by one with `source: pubmed-efetch`.
Every write goes through a temp file + rename under a file lock, so a crash or a concurrent run
never leaves a half-written snapshot.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from claimbook.files import atomic_write, lock
from claimbook.ids import check_doi, check_pmcid, check_pmid, citation_key, key_sort
from claimbook.pubmed.parse import AbstractSection, Correction

__all__ = [
    "PaperRecord",
    "Snapshot",
    "SnapshotError",
    "atomic_write",
    "load_snapshot",
    "lock",
    "save_snapshot",
]

RECORDS_FILE = "records.jsonl"
MANIFEST_FILE = "manifest.json"
RAW_DIR = "raw"


class SnapshotError(Exception):
    """The snapshot on disk is unreadable or invalid: `FILE:LINE: field: message`."""

    def __init__(self, file: str | os.PathLike[str], line: int, field: str, message: str) -> None:
        self.file, self.line, self.field, self.message = str(file), line, field, message
        super().__init__(f"{self.file}:{line}: {field}: {message}")


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
    return Snapshot(records, directory)


def dump_records(records: Iterable[PaperRecord]) -> str:
    """Serialise records as sorted JSON Lines: one record a line, keys in a stable order."""
    lines = []
    for rec in sorted(records, key=lambda r: key_sort(r.key)):
        data = rec.model_dump(mode="json", exclude_defaults=False)
        lines.append(json.dumps(data, ensure_ascii=False, sort_keys=False))
    return "".join(line + "\n" for line in lines)


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
    records: Iterable[PaperRecord],
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
    counts = count_by_source(records)
    raw_hashes = {}
    raw_dir = directory / RAW_DIR
    if raw_dir.is_dir():
        for f in sorted(raw_dir.glob("*.xml.gz")):
            raw_hashes[f"{RAW_DIR}/{f.name}"] = sha256(f.read_bytes())
    manifest["format"] = "claimbook-snapshot/1"
    manifest["tool_version"] = __version__
    manifest["records"] = {"total": len(records), "by_source": counts}
    manifest["hashes"] = {RECORDS_FILE: sha256(body), **raw_hashes}
    history = manifest.get("history", [])
    if manifest_entry:
        history.append(manifest_entry)
    manifest["history"] = history
    text = json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n"
    atomic_write(manifest_path, text.encode("utf-8"))
    return directory
