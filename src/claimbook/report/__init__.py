"""The claim-by-claim report: HTML, PDF and Markdown, citation exports and ClaimReview JSON-LD.

`build_report(review, out_dir)` writes everything into `out_dir`; each file atomically.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from claimbook.pubmed.store import atomic_write
from claimbook.report import exports
from claimbook.report.claimreview import claim_reviews, jsonld_text
from claimbook.report.context import ReportContext, build_context
from claimbook.review import Review

__all__ = ["FORMATS", "build_report"]

FORMATS = ("html", "pdf", "md")
HTML_NAME, PDF_NAME, MD_NAME = (
    "claimbook-report.html",
    "claimbook-report.pdf",
    "claimbook-report.md",
)


def _write(path: Path, text: str) -> Path:
    atomic_write(path, text.encode("utf-8"))
    return path


def write_exports(ctx: ReportContext, out_dir: Path) -> dict[str, Path]:
    """RIS, BibTeX, CSL-JSON, NBIB and CSV for all claims and for each claim, plus ClaimReview."""
    written: dict[str, Path] = {}
    folder = out_dir / "exports"
    groups: list[tuple[str, list]] = [("all", [r.record for r in ctx.references])]
    for c in ctx.claims:
        seen = {}
        for row in c.rows:
            seen.setdefault(row.ref.key, row.ref.record)
        groups.append((c.id, list(seen.values())))
    writers = {"ris": exports.ris, "bib": exports.bibtex, "json": exports.csl_json,
               "nbib": exports.nbib}  # fmt: skip
    for name, records in groups:
        for ext, writer in writers.items():
            suffix = "csl.json" if ext == "json" else ext
            written[f"{name}.{suffix}"] = _write(folder / f"{name}.{suffix}", writer(records))
        table = ctx.review.table
        sub = table if name == "all" else table[table["claim_id"] == name]
        written[f"{name}.csv"] = _write(folder / f"{name}.csv", exports.evidence_csv(sub))
    written["claimreview"] = _write(
        out_dir / "claimreview.jsonld", jsonld_text(claim_reviews(ctx, HTML_NAME))
    )
    return written


def build_report(
    review: Review,
    out_dir: str | os.PathLike[str] = "reports",
    formats: Iterable[str] = FORMATS,
    progress: bool | None = False,
) -> dict[str, Path]:
    """Write the report in the given formats, and every export, into `out_dir`."""
    from claimbook.report.html import render_html
    from claimbook.report.markdown import render_markdown
    from claimbook.report.pdf import html_to_pdf

    formats = list(dict.fromkeys(f.strip().lower() for f in formats))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown:
        raise ValueError(f"unknown format {', '.join(unknown)}; choose from {', '.join(FORMATS)}")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = ["context", *[f for f in FORMATS if f in formats], "exports"]
    bar = tqdm(total=len(steps), unit="step", desc="report", disable=not progress)
    written: dict[str, Path] = {}
    ctx = build_context(review)
    bar.update()
    html_path = out_dir / HTML_NAME
    if "html" in formats or "pdf" in formats:
        html = render_html(ctx)
        _write(html_path, html)
        if "html" in formats:
            written["html"] = html_path
            bar.update()
    if "pdf" in formats:
        written["pdf"] = html_to_pdf(html_path, out_dir / PDF_NAME)
        bar.update()
    if "md" in formats:
        written["md"] = _write(out_dir / MD_NAME, render_markdown(ctx))
        bar.update()
    written.update(write_exports(ctx, out_dir))
    bar.update()
    bar.close()
    return written
