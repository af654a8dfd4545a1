"""Bring the snapshot up to date with the claims: plan, fetch, parse, store — batch by batch.

Each efetch batch that arrives whole is committed at once (raw response + parsed records,
atomically, under the store's lock), so work already fetched survives a later failure. A batch
that fails leaves the snapshot exactly as it was.

A fetched record that would replace a *curated* one is verified first (`verify.compare`): when
it disagrees it is *drift* (`verify.Drift`), not applied but kept in the drift file
(`pending.jsonl`) until accepted (`accept_changes`, `accept_drift`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from claimbook.files import check_writable
from claimbook.pubmed import store, verify
from claimbook.pubmed.parse import PubMedArticle, parse_pubmed_xml
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.store import PaperRecord

if TYPE_CHECKING:
    from claimbook.pubmed.client import FetchedBatch

#: The `raw` of a record fetched for a look-up and not stored in the snapshot.
NOT_STORED = "(not stored)"


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
    """What a sync did: PMIDs stored from E-utilities, those PubMed did not return, those whose
    record drifted from the curated one (kept in the drift file, not applied), and those whose
    drift was applied at once (`accept_changes`)."""

    requested: list[str]
    stored: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)


@dataclass
class BatchOutcome:
    """What committing one efetch response did (see SyncReport)."""

    stored: list[str] = field(default_factory=list)
    drifted: list[str] = field(default_factory=list)
    accepted: list[str] = field(default_factory=list)


def _verified(
    records: list[PaperRecord],
    merged: dict[str, PaperRecord],
    drift: dict[str, verify.Drift],
    accept_changes: bool,
) -> tuple[BatchOutcome, list[dict]]:
    """Merge `records` into `merged` where they agree with the curated record they replace (or
    replace none); the others are drift, added to `drift` unless `accept_changes`. Only a
    curated record is verified: one already fetched from E-utilities is PubMed's own word and
    is replaced as is."""
    outcome, accepted = BatchOutcome(), []
    for rec in records:
        old = merged.get(rec.key)
        mismatches = verify.compare(old, rec) if old and old.source == "curated" else []
        if mismatches and not accept_changes:
            drift[rec.key] = verify.Drift(rec.key, rec, mismatches)
            outcome.drifted.append(rec.key)
            continue
        if mismatches:
            accepted.append({"pmid": rec.key, "mismatches": [m.to_dict() for m in mismatches]})
            outcome.accepted.append(rec.key)
        merged[rec.key] = rec
        drift.pop(rec.key, None)
        if rec.pmid:
            outcome.stored.append(rec.pmid)
    return outcome, accepted


def commit_batch(
    store_dir: Path,
    raw_body: bytes,
    fetched_at: datetime,
    request: dict,
    articles: list[PubMedArticle] | None = None,
    accept_changes: bool = False,
) -> list[str]:
    """Store one efetch response: raw bytes, parsed records (replacing curated ones), manifest.

    Parses (unless the client already did: `articles`) before writing anything, so a body that
    does not parse leaves the store untouched. Returns the PMIDs stored; a record that has
    drifted from the curated one it would replace is kept in the drift file instead (see
    `commit_verified`).
    """
    return commit_verified(
        store_dir, raw_body, fetched_at, request, articles, accept_changes
    ).stored


def commit_verified(
    store_dir: Path,
    raw_body: bytes,
    fetched_at: datetime,
    request: dict,
    articles: list[PubMedArticle] | None = None,
    accept_changes: bool = False,
) -> BatchOutcome:
    """`commit_batch`, reporting which records drifted from the curated ones (kept in the
    drift file, not applied) and whose drift was applied at once (`accept_changes`, recorded
    with their mismatches in the manifest's history entry)."""
    digest = store.sha256(raw_body)
    name = f"efetch-{fetched_at.strftime('%Y%m%dT%H%M%SZ')}-{digest[:12]}"
    rel = store.raw_name(name)
    if articles is None:
        articles = list(parse_pubmed_xml(raw_body))
    records = [record_from_article(a, fetched_at, rel) for a in articles]
    _readable(store_dir)
    with store.lock(store_dir):
        snapshot = store.load_snapshot(store_dir)
        drift = verify.load_drift(store_dir)
        merged = {rec.key: rec for rec in snapshot}
        outcome, accepted = _verified(records, merged, drift, accept_changes)
        entry = {
            "action": "efetch",
            "at": fetched_at.isoformat(timespec="seconds"),
            **request,
            "returned": len(records),
            "raw": rel,
            "raw_sha256": digest,
        }
        if outcome.drifted:  # the history's key, as manifest.json has always had it
            entry["disagreed"] = outcome.drifted
        if accepted:
            entry["accepted"] = accepted
        _write(store_dir, merged.values(), entry, drift, {rel: store.raw_file(raw_body)})
    return outcome


def _readable(store_dir: Path) -> None:
    """Refuse a snapshot that cannot be read (SnapshotError) before even taking its lock, so a
    refusal leaves the folder exactly as it was; it is read again under the lock."""
    store.load_snapshot(store_dir)
    verify.load_drift(store_dir)


def _write(
    store_dir: Path,
    records: Iterable[PaperRecord],
    entry: dict,
    drift: dict[str, verify.Drift],
    raw: dict[str, bytes] | None = None,
) -> None:
    """Write a snapshot update, raw responses and the drift file all together, after reading
    and checking everything they need: a refused or failed update changes no file."""
    files = store.snapshot_files(store_dir, records, entry, raw)
    drift_bytes = verify.drift_file(drift)
    if drift_bytes is not None:
        files[store_dir / verify.PENDING_FILE] = drift_bytes
    store.write_files(files)
    if drift_bytes is None:
        verify.save_drift(store_dir, drift)  # no drift left: the file goes


def accept_drift(
    store_dir: str | os.PathLike[str], pmids: Iterable[str] | None = None
) -> list[str]:
    """Apply the drift (all of it, or that of `pmids`): PubMed's records kept in the drift file
    replace the curated ones they disagree with, without fetching again; the manifest's history
    records which, and why. Returns the PMIDs applied."""
    store_dir = Path(store_dir)
    _readable(store_dir)
    with store.lock(store_dir):
        drift = verify.load_drift(store_dir)
        wanted = [p for p in (drift if pmids is None else pmids) if p in drift]
        if not wanted:
            return []
        merged = {rec.key: rec for rec in store.load_snapshot(store_dir)}
        accepted = []
        for pmid in wanted:
            d = drift.pop(pmid)
            merged[pmid] = d.fetched
            accepted.append({"pmid": pmid, "mismatches": [m.to_dict() for m in d.mismatches]})
        entry = {
            "action": "accept-changes",
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "accepted": accepted,
        }
        _write(store_dir, merged.values(), entry, drift)
    return wanted


def sync(
    pmids: list[str],
    store_dir: str | os.PathLike[str],
    client: Eutils,
    accept_changes: bool = False,
) -> SyncReport:
    """Fetch `pmids` with `client` (an EutilsClient) and commit each batch as it arrives.

    A fetched record is compared with the record it replaces only when that one is curated;
    when they disagree it is drift, not applied (`report.drifted`), unless `accept_changes`.
    """
    store_dir = Path(store_dir)
    report = SyncReport(requested=list(pmids))
    if not pmids:
        return report
    # Before any request: a manifest that cannot be read, or a folder that cannot be written,
    # says so now rather than after the download.
    store.load_manifest(store_dir)
    with store.snapshot_writes():
        check_writable(store_dir)

    def on_batch(batch) -> None:
        request = {"requested": len(batch.requested), "missing": batch.missing}
        done = commit_verified(
            store_dir, batch.raw, batch.fetched_at, request, batch.articles, accept_changes
        )
        report.stored.extend(done.stored)
        report.drifted.extend(done.drifted)
        report.accepted.extend(done.accepted)

    result = client.efetch(pmids, on_batch=on_batch)
    report.missing = list(result.missing)
    return report


def fetch_records(
    client: Eutils, pmids: Iterable[str], raw: str = NOT_STORED
) -> list[tuple[PaperRecord, FetchedBatch]]:
    """The records PubMed returns for `pmids` (efetch with `client`), each with the batch it
    came in, held in memory: nothing is stored (`raw` says where the record came from)."""
    return [
        (record_from_article(art, batch.fetched_at, raw), batch)
        for batch in client.efetch(list(pmids)).batches
        for art in batch.articles
    ]


def lookup(
    pmids: Iterable[str], snapshot: store.Snapshot, client: Eutils | None = None
) -> dict[str, PaperRecord | None]:
    """Records for `pmids`: from the snapshot, and those it lacks fetched with `client` (not
    stored). Without a client, or when PubMed has no such record, the value is None."""
    records: dict[str, PaperRecord | None] = {p: snapshot.get(p) for p in pmids}
    absent = [p for p, rec in records.items() if rec is None]
    if absent and client is not None:
        for rec, _batch in fetch_records(client, absent):
            records[rec.key] = rec
    return records
