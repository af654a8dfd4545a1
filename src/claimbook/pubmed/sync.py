"""Bring the snapshot up to date with the claims: plan, fetch, parse, store — batch by batch.

Each efetch batch that arrives whole is committed at once (raw response + parsed records,
atomically, under the store's lock), so work already fetched survives a later failure. A batch
that fails leaves the snapshot exactly as it was.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from claimbook.files import lock
from claimbook.pubmed import store
from claimbook.pubmed.parse import PubMedArticle, parse_pubmed_xml
from claimbook.pubmed.store import PaperRecord


def record_from_article(article: PubMedArticle, fetched_at: datetime, raw: str) -> PaperRecord:
    """The snapshot record for a parsed PubMed article, with efetch provenance."""
    return PaperRecord(
        pmid=article.pmid,
        doi=article.doi,
        pmcid=article.pmcid,
        in_pubmed=True,
        title=article.title,
        title_html=article.title_html,
        authors=list(article.authors),
        journal=article.journal,
        year=article.year,
        abstract=article.abstract or None,
        abstract_sections=list(article.abstract_sections),
        publication_types=list(article.publication_types),
        mesh_terms=list(article.mesh_terms),
        retracted=article.retracted,
        corrections=list(article.corrections),
        source="pubmed-efetch",
        fetched_at=fetched_at,
        raw=raw,
    )


def cited_pmids(claims: Iterable) -> list[str]:
    """Every PMID the claims cite or exclude, in first-seen order."""
    seen: dict[str, None] = {}
    for claim in claims:
        for cit in list(claim.evidence) + list(claim.excluded):
            if cit.pmid:
                seen.setdefault(cit.pmid)
    return list(seen)


def plan(pmids: Iterable[str], snapshot: store.Snapshot, refresh: bool = False) -> list[str]:
    """The PMIDs to fetch: those without an E-utilities record (all of them with `refresh`)."""
    out = []
    for pmid in dict.fromkeys(pmids):
        rec = snapshot.get(pmid)
        if refresh or rec is None or rec.source != "pubmed-efetch":
            out.append(pmid)
    return out


@dataclass
class FetchPlan:
    """Every PMID the claims cite or exclude, and those of them to fetch."""

    cited: list[str]
    todo: list[str]


def plan_fetch(
    claims: Iterable, store_dir: str | os.PathLike[str], refresh: bool = False
) -> FetchPlan:
    """What `claimbook fetch` would fetch into the snapshot at `store_dir` (reads only)."""
    cited = cited_pmids(claims)
    return FetchPlan(cited, plan(cited, store.load_snapshot(store_dir), refresh=refresh))


@dataclass
class SyncReport:
    """What a sync did: PMIDs stored from E-utilities, and those PubMed did not return."""

    requested: list[str]
    stored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


def commit_batch(
    store_dir: Path,
    raw_body: bytes,
    fetched_at: datetime,
    request: dict,
    articles: list[PubMedArticle] | None = None,
) -> list[str]:
    """Store one efetch response: raw bytes, parsed records (replacing curated ones), manifest.

    Parses (unless the client already did: `articles`) before writing anything, so a body that
    does not parse leaves the store untouched. Returns the PMIDs stored.
    """
    digest = store.sha256(raw_body)
    name = f"efetch-{fetched_at.strftime('%Y%m%dT%H%M%SZ')}-{digest[:12]}"
    rel = f"{store.RAW_DIR}/{name}.xml.gz"
    if articles is None:
        articles = list(parse_pubmed_xml(raw_body))
    records = [record_from_article(a, fetched_at, rel) for a in articles]
    with lock(store_dir):
        snapshot = store.load_snapshot(store_dir)
        merged = {rec.key: rec for rec in snapshot}
        for rec in records:
            merged[rec.key] = rec
        store.write_raw(store_dir, name, raw_body)
        entry = {
            "action": "efetch",
            "at": fetched_at.isoformat(timespec="seconds"),
            **request,
            "returned": len(records),
            "raw": rel,
            "raw_sha256": digest,
        }
        store.save_snapshot(store_dir, merged.values(), entry)
    return [r.pmid for r in records if r.pmid]


def sync(pmids: list[str], store_dir: str | os.PathLike[str], client) -> SyncReport:
    """Fetch `pmids` with `client` (an EutilsClient) and commit each batch as it arrives."""
    store_dir = Path(store_dir)
    report = SyncReport(requested=list(pmids))
    if not pmids:
        return report

    def on_batch(batch) -> None:
        request = {"requested": len(batch.requested), "missing": batch.missing}
        stored = commit_batch(store_dir, batch.raw, batch.fetched_at, request, batch.articles)
        report.stored.extend(stored)

    result = client.efetch(pmids, on_batch=on_batch)
    report.missing = list(result.missing)
    return report


def lookup(
    pmids: Iterable[str], snapshot: store.Snapshot, client=None
) -> dict[str, PaperRecord | None]:
    """Records for `pmids`: from the snapshot, and those it lacks fetched with `client` (not
    stored). Without a client, or when PubMed has no such record, the value is None."""
    records: dict[str, PaperRecord | None] = {p: snapshot.get(p) for p in pmids}
    absent = [p for p, rec in records.items() if rec is None]
    if absent and client is not None:
        for batch in client.efetch(absent).batches:
            for art in batch.articles:
                records[art.pmid] = record_from_article(art, batch.fetched_at, "(not stored)")
    return records
