"""The report's content, once, as plain data: every format (HTML, PDF, Markdown) renders this.

Nothing here formats for a medium; it decides *what* the report says: the cover, the summary,
each claim's section with numbered references, the reference list and the method appendix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from claimbook.display import verdict_sentence
from claimbook.plots import DESIGN_LABELS
from claimbook.pubmed.store import CitationRecord
from claimbook.review import Review

PUBMED_URL = "https://pubmed.ncbi.nlm.nih.gov/{}/"
DOI_URL = "https://doi.org/{}"


@dataclass
class Reference:
    """One numbered entry of the reference list."""

    number: int
    key: str
    record: CitationRecord
    cited_by: list[str] = field(default_factory=list)

    @property
    def pubmed_url(self) -> str | None:
        return PUBMED_URL.format(self.record.pmid) if self.record.pmid else None

    @property
    def doi_url(self) -> str | None:
        return DOI_URL.format(self.record.doi) if self.record.doi else None

    @property
    def url(self) -> str | None:
        return self.pubmed_url or self.doi_url or self.record.url

    @property
    def citation(self) -> str:
        """A Vancouver-style plain-text citation."""
        r = self.record
        authors = ", ".join(r.authors[:6]) + (", et al" if len(r.authors) > 6 else "")
        bits = (authors, r.title, r.journal, str(r.year) if r.year else "")
        return ". ".join(b.rstrip(". ") for b in bits if b) + "."


@dataclass
class EvidenceRow:
    """One citation in a claim's evidence table."""

    ref: Reference
    design: str
    n: int | None
    stance: str
    finding: str
    note: str | None
    retracted: bool


@dataclass
class ClaimSection:
    """Everything the report says about one claim."""

    id: str
    slug: str
    title: str
    topic: str
    topic_label: str
    claim: str
    quotes: list
    verdict: str
    certainty: str
    sentence: str
    rationale: str
    counts: dict[str, int]
    rows: list[EvidenceRow]
    advice: str | None
    query: str
    reviewed: date
    excluded: list


@dataclass
class ReportContext:
    """The whole report as data."""

    review: Review
    claims: list[ClaimSection]
    references: list[Reference]
    snapshot_summary: str
    snapshot_sources: dict[str, int]
    snapshot_date: str
    thin: list[ClaimSection]
    rules_designs: list[tuple[str, int, float]]

    @property
    def article(self):
        return self.review.article

    @property
    def rules(self):
        return self.review.rules


def _design_label(design: str) -> str:
    return DESIGN_LABELS.get(design, design)


def build_context(review: Review) -> ReportContext:
    """Number the references in order of first citation and assemble each claim's section."""
    refs: dict[str, Reference] = {}
    sections = []
    table = review.table
    for claim in review.claims:
        v = review.verdict(claim.id)
        rows = []
        sub = table[table["claim_id"] == claim.id].sort_values(
            ["design_rank", "year"], ascending=[False, False], kind="stable"
        )
        for r in sub.itertuples(index=False):
            rec = review.snapshot.get(r.key)
            if rec is None:  # validated projects always resolve; be explicit if not
                raise KeyError(f"{claim.id}: {r.key} is not in the snapshot")
            if r.key not in refs:
                refs[r.key] = Reference(len(refs) + 1, r.key, rec)
            ref = refs[r.key]
            if claim.id not in ref.cited_by:
                ref.cited_by.append(claim.id)
            rows.append(
                EvidenceRow(
                    ref=ref,
                    design=_design_label(r.design),
                    n=None if pd.isna(r.n) else int(r.n),
                    stance=r.stance,
                    finding=r.finding,
                    note=r.note if isinstance(r.note, str) else None,
                    retracted=bool(r.retracted),
                )
            )
        counts = {s: int(v[s]) for s in ("supports", "contradicts", "mixed", "context")}
        sections.append(
            ClaimSection(
                id=claim.id,
                slug=claim.slug,
                title=claim.title,
                topic=claim.topic,
                topic_label=review.article.topics.get(claim.topic, claim.topic),
                claim=claim.claim,
                quotes=claim.quotes,
                verdict=v["verdict"],
                certainty=v["certainty"],
                sentence=verdict_sentence(v["verdict"], v["certainty"]),
                rationale=v["rationale"],
                counts=counts,
                rows=rows,
                advice=claim.advice,
                query=claim.query,
                reviewed=claim.reviewed,
                excluded=claim.excluded,
            )
        )
    sources = review.snapshot.count_by_source()
    summary = review.snapshot_summary()
    snapshot_date = summary.rsplit("latest ", 1)[-1]
    thin = [s for s in sections if s.verdict == "insufficient" or s.certainty in ("very low",)]
    designs = sorted(
        (
            (_design_label(d), int(x["rank"]), float(x["weight"]))
            for d, x in review.rules.designs.items()
        ),
        key=lambda t: (-t[1], -t[2], t[0]),
    )
    return ReportContext(
        review=review,
        claims=sections,
        references=list(refs.values()),
        snapshot_summary=summary,
        snapshot_sources=dict(sorted(sources.items())),
        snapshot_date=snapshot_date,
        thin=thin,
        rules_designs=designs,
    )
