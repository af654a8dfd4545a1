"""Plain-text views for the terminal: the claim table, a paper record, a search hit, a drift
side by side, the review's status. The CLI prints these; nothing here reads or writes files.
Every string from a user or from PubMed goes through `plain()` on its way to the terminal, so a
title cannot ring the bell or recolour the screen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from claimbook.vocab import STANCE_ABBREVIATIONS, STANCES

if TYPE_CHECKING:
    from claimbook.claims.schema import Claim
    from claimbook.evidence.status import ReviewStatus
    from claimbook.pubmed.search import Hit
    from claimbook.pubmed.store import PaperRecord
    from claimbook.pubmed.verify import Drift

STANCE_LEGEND = "support / contradict / are mixed / give context"

# C0 controls but tab and newline, DEL and the C1 controls (ESC, BEL, CSI ... start terminal
# commands); a carriage return is dropped too, since it lets a line overwrite what came before.
_CONTROLS = dict.fromkeys([*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0)])
_LINE_BREAKS = str.maketrans({"\t": " ", "\n": " "})


def plain(text: object, one_line: bool = False) -> str:
    """`text` safe to print on a terminal: control characters removed (tabs and newlines kept,
    or turned into spaces with `one_line`, for a table cell or a one-line message)."""
    out = str(text).translate(_CONTROLS)
    return out.translate(_LINE_BREAKS) if one_line else out


def claim_table(claims: list[Claim]) -> str:
    """A plain-text table of claims with citation counts by stance."""
    abbrev = [STANCE_ABBREVIATIONS[s] for s in STANCES]
    headers = ["id", "topic", "title", *abbrev]
    rows = []
    for c in claims:
        counts = c.stance_counts()
        cells = [plain(x, one_line=True) for x in (c.id, c.topic, c.title)]
        rows.append(cells + [str(counts[s]) for s in STANCES])
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
        f"{authors.removesuffix('.')}. {rec.journal or ''} {rec.year or ''}".strip(),
    ]
    if rec.publication_types:
        lines.append("Publication types: " + ", ".join(rec.publication_types))
    lines = [plain(line, one_line=True) for line in lines]  # a title cannot fake a line
    if rec.retracted:
        lines.append("RETRACTED")
    if rec.concern:
        lines.append("EXPRESSION OF CONCERN")
    if rec.corrected:
        lines.append("CORRECTED (erratum published)")
    if rec.abstract:
        lines.append("")
        lines.append(rec.abstract)
    lines.append(f"[source: {prov}]")
    return plain("\n".join(lines))


def hit(h: Hit) -> str:
    """One search hit on one line: PMID, year, design, title."""
    return plain(f"{h.pmid:>9}  {h.year or '----'}  {h.design or '-':<20}  {h.title}", True)


DRIFT_COLUMN = 40  # characters of each version in the side-by-side view


def drift(curated: PaperRecord, drift: Drift) -> str:
    """A curated record and its drift (PubMed's record of the same PMID) side by side: title,
    first author, year and DOI, with `≠` on the fields that disagree."""
    import textwrap

    differ = set(drift.fields)
    rows = [("", " ", ["curated (kept)"], ["PubMed (not applied)"])]
    for name, label in (("title", "title"), ("first_author", "first author"),
                        ("year", "year"), ("doi", "DOI")):  # fmt: skip
        a, b = (getattr(r, name) for r in (curated, drift.fetched))
        rows.append((
            label, "\N{NOT EQUAL TO}" if name in differ else " ",
            *(textwrap.wrap(plain(x or "-", one_line=True), DRIFT_COLUMN) for x in (a, b)),
        ))  # fmt: skip
    lines = [f"PMID {drift.pmid}"]
    for label, mark, left, right in rows:
        for i in range(max(len(left), len(right))):
            cells = (left[i] if i < len(left) else "", right[i] if i < len(right) else "")
            head = f"  {label if i == 0 else '':<12} {mark if i == 0 else ' '} "
            lines.append(f"{head}{cells[0]:<{DRIFT_COLUMN}}  {cells[1]}".rstrip())
    return "\n".join(lines)


def _ids(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none"


def status(st: ReviewStatus, store_dir: object, offline: bool) -> str:
    """`claimbook status` in plain words: one short paragraph per thing to know."""
    from claimbook.pubmed.verify import FIELD_LABELS

    oldest = f" (oldest fetch {st.oldest_fetch})" if st.oldest_fetch else ""
    lines = [
        f"Snapshot {store_dir}: {st.curated + st.fetched} records, {st.curated} curated and "
        f"{st.fetched} fetched from PubMed{oldest}."
    ]
    titles = {"retracted": "Retracted (never counted)", "concern": "Expression of concern",
              "corrected": "Corrected (erratum)"}  # fmt: skip
    for kind, title in titles.items():
        alerts = [a for a in st.alerts if a.kind == kind]
        lines.append(f"{title}: {len(alerts) or 'none'}")
        lines += [f"  {a.message}" for a in alerts]
    lines.append(f"Refresh disagreements not accepted: {len(st.drift) or 'none'}")
    for pmid, fields in st.drift.items():
        what = ", ".join(FIELD_LABELS.get(f, f) for f in fields)
        lines.append(f"  PMID {pmid}: PubMed's record differs in {what}; claimbook show {pmid}")
    if st.drift:
        lines.append("  (claimbook fetch --accept-changes applies them)")
    lines.append(f"Draft claims: {_ids(st.drafts)}")
    stale = len(st.stale) or "none"
    lines.append(f"Stale claims (reviewed before their newest cited paper): {stale}")
    for claim_id, (reviewed, year) in st.stale.items():
        lines.append(f"  {claim_id}: reviewed {reviewed}, cites a paper from {year}")
    lines.append(_new_hits(st, offline))
    return plain("\n".join(lines))


def _new_hits(st: ReviewStatus, offline: bool) -> str:
    head = "New PubMed hits since each claim's review"
    if st.new_hits is None:
        why = "offline" if offline else st.new_hits_error or "no client"
        return f"{head}: not checked ({why})."
    hits = {c: n for c, n in st.new_hits.items() if n}
    if not hits:
        return f"{head}: none ({len(st.new_hits)} queries run)."
    listed = ", ".join(f"{c} {n}" for c, n in hits.items())
    return f"{head}: {listed} (claimbook search ID lists them)."
