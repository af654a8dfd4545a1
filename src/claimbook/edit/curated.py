"""Import curated citations from evidence dossiers (`../shared/evidence/*.json`) into the snapshot.

The dossiers list verified papers (PMID/DOI/PMCID, title, authors, journal, year and the pages
each was verified on). Only papers that the claims cite are imported, one record per paper; a
paper listed in several dossiers is merged (first non-empty value wins, verification URLs are
united). Papers without a title or a year are refused: better left out than half-cited.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from claimbook.errors import ClaimbookError
from claimbook.files import lock
from claimbook.ids import citation_key
from claimbook.pubmed.store import PaperRecord, Snapshot, load_snapshot, save_snapshot

if TYPE_CHECKING:
    from claimbook.claims.schema import Claim


class CurationError(ClaimbookError):
    """A cited paper cannot be imported (absent from the dossiers, or incomplete there)."""


def _paper_keys(paper: dict) -> list[str]:
    keys = []
    if paper.get("pmid"):
        keys.append(str(paper["pmid"]))
    if paper.get("doi"):
        keys.append("doi:" + paper["doi"].lower())
    for url in paper.get("verified_from") or []:
        keys.append("url:" + url)
    return keys


def read_dossiers(directory: str | os.PathLike[str]) -> list[tuple[dict, date | None]]:
    """Every paper of every dossier, with the dossier's curation date, in file order."""
    out = []
    for path in sorted(Path(directory).glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        curated_on = date.fromisoformat(doc["curated_on"]) if doc.get("curated_on") else None
        out.extend((paper, curated_on) for paper in doc.get("papers", []))
    return out


def _merge(papers: list[tuple[dict, date | None]]) -> dict:
    merged: dict = {}
    urls: list[str] = []
    dates = [d for _, d in papers if d]
    for paper, _ in papers:
        for field, value in paper.items():
            if value in (None, "", []):
                continue
            if field == "verified_from":
                urls.extend(u for u in value if u not in urls)
            else:
                merged.setdefault(field, value)
    merged["verified_from"] = urls
    merged["curated_on"] = max(dates) if dates else None
    return merged


def records_for(
    cited: Iterable[tuple[str | None, str | None, str | None]],
    dossiers: list[tuple[dict, date | None]],
) -> list[PaperRecord]:
    """Build one curated PaperRecord per cited (pmid, doi, url) triple."""
    index: dict[str, list[tuple[dict, date | None]]] = {}
    for paper, curated_on in dossiers:
        for key in _paper_keys(paper):
            index.setdefault(key, []).append((paper, curated_on))

    records: dict[str, PaperRecord] = {}
    for pmid, doi, url in cited:
        key = citation_key(pmid, doi, url)
        matches = index.get(key)
        if not matches:
            raise CurationError(f"{key}: not found in any evidence dossier")
        paper = _merge(matches)
        if not paper.get("title") or not paper.get("year"):
            missing = "title" if not paper.get("title") else "year"
            raise CurationError(f"{key}: the dossier has no {missing}; cite another paper")
        has_pmid = bool(paper.get("pmid"))
        rec = PaperRecord(
            pmid=str(paper["pmid"]) if has_pmid else None,
            doi=paper.get("doi"),
            pmcid=paper.get("pmcid"),
            url=url if not (has_pmid or paper.get("doi")) else None,
            # A PMID proves indexing; a bare URL is a source PubMed does not hold; DOI: unknown.
            in_pubmed=True if has_pmid else (None if paper.get("doi") else False),
            title=paper["title"],
            authors=paper.get("authors") or _first_author(paper),
            journal=paper.get("journal"),
            year=int(paper["year"]),
            source="curated",
            verified_from=paper["verified_from"],
            curated_on=paper["curated_on"],
        )
        records.setdefault(rec.key, rec)
    return list(records.values())


def _first_author(paper: dict) -> list[str]:
    return [paper["first_author"]] if paper.get("first_author") else []


def merge_into(snapshot: Snapshot, curated: list[PaperRecord]) -> list[PaperRecord]:
    """The new record list: E-utilities records are kept; curated ones are replaced or added."""
    out = {rec.key: rec for rec in snapshot}
    for rec in curated:
        existing = out.get(rec.key)
        if existing is not None and existing.source == "pubmed-efetch":
            continue
        out[rec.key] = rec
    return list(out.values())


@dataclass
class Curation:
    """What `curate` did: the snapshot's size after it, and how many records are curated."""

    store_dir: Path
    total: int
    curated: int


def curate(
    evidence_dir: str | os.PathLike[str],
    claims: list[Claim],
    store_dir: str | os.PathLike[str],
) -> Curation:
    """Rebuild the curated records of every paper `claims` cite, under the snapshot's lock.

    E-utilities records are kept. Raises CurationError (nothing written) when a cited paper is
    absent from the dossiers or incomplete there.
    """
    evidence_dir, store_dir = Path(evidence_dir), Path(store_dir)
    cited = [(c.pmid, c.doi, c.url) for claim in claims for c in claim.evidence]
    records = records_for(cited, read_dossiers(evidence_dir))
    with lock(store_dir):
        merged = merge_into(load_snapshot(store_dir), records)
        save_snapshot(
            store_dir,
            merged,
            {
                "action": "curate",
                "at": datetime.now(UTC).isoformat(timespec="seconds"),
                "evidence": [p.name for p in sorted(evidence_dir.glob("*.json"))],
                "cited": len({r.key for r in records}),
            },
        )
    return Curation(store_dir, len(merged), len(records))
