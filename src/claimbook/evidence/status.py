"""What a reviewer should know now about a review: the snapshot's sources and age, cited papers
that were retracted, are under an expression of concern or were corrected, drift not yet
accepted (PubMed's records that disagree with the curated ones: `drift`, PMID to the fields),
draft claims, stale claims and (online) new PubMed hits.

A claim is *stale* when its `reviewed` date is older than the publication of its newest cited
paper. Records give the publication year only, so a paper counts as published on 1 January of
its year: a claim reviewed in 2023 that cites a 2024 paper is stale; one reviewed in 2024 is not.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from claimbook.claims.load import load_claims
from claimbook.claims.schema import Claim
from claimbook.folder import ReviewFolder
from claimbook.pubmed.seam import Eutils
from claimbook.pubmed.store import Snapshot, load_snapshot
from claimbook.pubmed.verify import load_drift
from claimbook.pubmed.watch import PaperAlert, cited_records, paper_alerts

__all__ = ["ReviewStatus", "count_new_hits", "published_on", "review_status", "stale_claims"]


@dataclass
class ReviewStatus:
    """The state of a review: see the module docstring for each part."""

    curated: int
    fetched: int
    oldest_fetch: date | None
    alerts: list[PaperAlert] = field(default_factory=list)
    drift: dict[str, list[str]] = field(default_factory=dict)
    drafts: list[str] = field(default_factory=list)
    stale: dict[str, tuple[date, int]] = field(default_factory=dict)
    new_hits: dict[str, int] | None = None
    new_hits_error: str | None = None

    def pmids(self, kind: str) -> list[str]:
        """The PMIDs of the alerts of one kind ('retracted', 'concern', 'corrected')."""
        return [a.pmid for a in self.alerts if a.kind == kind]

    def to_dict(self) -> dict:
        """The JSON object `claimbook status --json` prints."""
        return {
            "records": {
                "total": self.curated + self.fetched,
                "curated": self.curated,
                "fetched": self.fetched,
                "oldest_fetch": self.oldest_fetch.isoformat() if self.oldest_fetch else None,
            },
            "retracted": self.pmids("retracted"),
            "concerns": self.pmids("concern"),
            "corrected": self.pmids("corrected"),
            "alerts": [a.to_dict() for a in self.alerts],
            "drift": list(self.drift),
            "drift_fields": dict(self.drift),
            "drafts": list(self.drafts),
            "stale_claims": list(self.stale),
            "new_hits": None if self.new_hits is None else dict(self.new_hits),
            "new_hits_error": self.new_hits_error,
        }


def published_on(year: int | None) -> date | None:
    """The date a paper counts as published: 1 January of its year (records hold the year)."""
    return date(year, 1, 1) if year else None


def stale_claims(claims: list[Claim], snapshot: Snapshot) -> dict[str, tuple[date, int]]:
    """Claims reviewed before their newest cited paper was published: id -> (reviewed, year)."""
    newest: dict[str, int] = {}
    for rec, ids in cited_records(claims, snapshot).values():
        for claim_id in ids:
            if rec.year and rec.year > newest.get(claim_id, 0):
                newest[claim_id] = rec.year
    out = {}
    for claim in claims:
        year = newest.get(claim.id)
        published = published_on(year)
        if published and claim.reviewed < published:
            out[claim.id] = (claim.reviewed, year)
    return out


def count_new_hits(claims: list[Claim], client, today: date | None = None) -> dict[str, int]:
    """How many records each claim's query has gained in PubMed since the claim's review: one
    esearch per claim (counts only), by Entrez date from the review date to `today`."""
    today = today or date.today()
    out = {}
    for claim in claims:
        if claim.query:
            found = client.esearch(
                claim.query, retmax=0, datetype="edat",
                mindate=claim.reviewed.strftime("%Y/%m/%d"), maxdate=today.strftime("%Y/%m/%d"),
            )  # fmt: skip
            out[claim.id] = found.count
    return out


def review_status(
    folder: ReviewFolder, client: Eutils | None = None, today: date | None = None
) -> ReviewStatus:
    """The review's status; with `client` (an EutilsClient) also the new PubMed hits per claim.

    Raises ClaimsError for broken claims and SnapshotError for a broken snapshot. A network
    failure is not raised: `new_hits` stays None and `new_hits_error` says why.
    """
    from claimbook.pubmed.errors import PubMedError

    claims = load_claims(folder.claims)
    snapshot = load_snapshot(folder.snapshot)
    fetch_days = [r.fetched_at.date() for r in snapshot if r.fetched_at]
    status = ReviewStatus(
        curated=sum(r.source == "curated" for r in snapshot),
        fetched=sum(r.source == "pubmed-efetch" for r in snapshot),
        oldest_fetch=min(fetch_days) if fetch_days else None,
        alerts=paper_alerts(claims, snapshot),
        drift={p: d.fields for p, d in load_drift(folder.snapshot).items()},
        drafts=[c.id for c in claims if c.is_draft],
        stale=stale_claims(claims, snapshot),
    )
    if client is not None:
        try:
            status.new_hits = count_new_hits(claims, client, today)
        except PubMedError as exc:
            status.new_hits_error = str(exc)
    return status
