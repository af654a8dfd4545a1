"""New PubMed hits for a saved query: what a reviewer has neither cited nor excluded yet."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from claimbook.pubmed.designs import design_from_pubmed


@dataclass(frozen=True)
class Hit:
    """One PubMed search hit, as esummary describes it."""

    pmid: str
    year: str | None
    design: str | None
    title: str


@dataclass
class NewHits:
    """How many records the query matches in all, and the first hits not yet screened."""

    count: int
    hits: list[Hit] = field(default_factory=list)


def new_hits(client, query: str, known: Collection[str], max_hits: int = 20) -> NewHits:
    """Run `query` (one esearch, one esummary) and keep hits whose PMID is not in `known`."""
    result = client.esearch(query, retmax=max_hits + len(known))
    new = [pmid for pmid in result.ids if pmid not in known][:max_hits]
    summaries = client.esummary(new) if new else {}
    hits = []
    for pmid in new:
        doc = summaries.get(pmid, {})
        hits.append(
            Hit(
                pmid=pmid,
                year=(doc.get("pubdate") or "")[:4] or None,
                design=design_from_pubmed(doc.get("pubtype") or []),
                title=doc.get("title", ""),
            )
        )
    return NewHits(result.count, hits)
