"""Plain-text views for the terminal: the claim table and a paper record. The CLI prints these;
nothing here reads or writes files."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimbook.vocab import STANCE_ABBREVIATIONS, STANCES

if TYPE_CHECKING:
    from claimbook.claims import Claim
    from claimbook.pubmed.search import Hit
    from claimbook.pubmed.store import PaperRecord

STANCE_LEGEND = "support / contradict / are mixed / give context"


def claim_table(claims: list[Claim]) -> str:
    """A plain-text table of claims with citation counts by stance."""
    abbrev = [STANCE_ABBREVIATIONS[s] for s in STANCES]
    headers = ["id", "topic", "title", *abbrev]
    rows = []
    for c in claims:
        counts = c.stance_counts()
        rows.append([c.id, c.topic, c.title] + [str(counts[s]) for s in STANCES])
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def fmt(row: list[str]) -> str:
        cells = [
            cell.rjust(w) if i >= 3 else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row, widths, strict=True))
        ]
        return "  ".join(cells).rstrip()

    lines = [fmt(headers), "  ".join("-" * w for w in widths)]
    lines += [fmt(r) for r in rows]
    lines.append(f"{'/'.join(abbrev)} = citations that {STANCE_LEGEND}")
    return "\n".join(lines)


def paper(rec: PaperRecord) -> str:
    """A paper record as a few readable lines: ids, title, authors, types, abstract, source."""
    ids = [
        f"PMID {rec.pmid}" if rec.pmid else None,
        f"doi:{rec.doi}" if rec.doi else None,
        rec.pmcid,
        rec.url,
    ]
    if rec.source == "curated":
        prov = f"curated {rec.curated_on}, verified on {', '.join(rec.verified_from[:2])}"
    else:
        prov = f"PubMed E-utilities, fetched {rec.fetched_at:%Y-%m-%d}"
    authors = ", ".join(rec.authors[:6]) + (", et al." if len(rec.authors) > 6 else "")
    lines = [
        "  ".join(i for i in ids if i),
        rec.title,
        f"{authors}. {rec.journal or ''} {rec.year or ''}".strip(),
    ]
    if rec.publication_types:
        lines.append("Publication types: " + ", ".join(rec.publication_types))
    if rec.retracted:
        lines.append("RETRACTED")
    if rec.abstract:
        lines.append("")
        lines.append(rec.abstract)
    lines.append(f"[source: {prov}]")
    return "\n".join(lines)


def hit(h: Hit) -> str:
    """One search hit on one line: PMID, year, design, title."""
    return f"{h.pmid:>9}  {h.year or '----'}  {h.design or '-':<20}  {h.title}"
