"""The claim-by-claim report: HTML, PDF and Markdown, citation exports and ClaimReview JSON-LD.

`build_report(review, out_dir)` writes everything into `out_dir`, each file atomically (temp
file + rename) and deterministically (same review, same bytes), so rebuilding never churns::

    claimbook-report.html       self-contained: inline CSS and SVG, no request to anywhere
    claimbook-report.pdf        the HTML printed by headless Chromium, with page numbers
                                (started first; it prints while the Markdown is written)
    claimbook-report.md         the same content for notes and wikis (+ figures/*.svg)
    claimreview.jsonld          schema.org ClaimReview, one per claim
    review.json                 verdicts, certainty, citations and sign-offs, for `claimbook diff`
                                (the build before, when it differed: review.previous.json)
    exports/all.{ris,bib,csl.json,nbib,csv}   and the same per claim: exports/C01.ris ...
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path

from tqdm import tqdm

from claimbook.changes import (
    REVIEW_JSON,
    ReviewDiff,
    ReviewJSONError,
    diff_reviews,
    load_review_json,
    review_json_text,
    review_record,
)
from claimbook.files import write_text
from claimbook.report import exports
from claimbook.report.claimreview import claim_reviews, jsonld_text
from claimbook.report.context import ReportContext, ReportError, build_context
from claimbook.report.figures import Figures, render_figures
from claimbook.report.html import render_html
from claimbook.report.markdown import render_markdown
from claimbook.report.pdf import PDFError, PdfPrinter, find_printer
from claimbook.review import Review

__all__ = [
    "FORMATS",
    "PDFError",
    "ReportError",
    "build_report",
    "parse_formats",
    "write_exports",
]

FORMATS = ("html", "pdf", "md")
HTML_NAME = "claimbook-report.html"
PDF_NAME = "claimbook-report.pdf"
MD_NAME = "claimbook-report.md"
CLAIMREVIEW_NAME = "claimreview.jsonld"
PREVIOUS_JSON = "review.previous.json"
EXPORTS_DIR = "exports"
FIGURES_DIR = "figures"


def parse_formats(formats: Iterable[str] | str) -> list[str]:
    """Normalise and check the requested formats ('html,md' or ['html', 'md'])."""
    if isinstance(formats, str):
        formats = formats.split(",")
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in wanted if f not in FORMATS]
    if unknown or not wanted:
        raise ValueError(
            f"unknown format {', '.join(unknown) or '(none)'}; choose from {', '.join(FORMATS)}"
        )
    return wanted


def write_exports(ctx: ReportContext, out_dir: Path) -> dict[str, Path]:
    """RIS, BibTeX, CSL-JSON, NBIB and CSV for all claims and for each claim, plus ClaimReview."""
    written: dict[str, Path] = {}
    folder = out_dir / EXPORTS_DIR
    table = ctx.review.table
    groups = [("all", [r.record for r in ctx.references], table)]
    for c in ctx.claims:
        records = list({row.ref.key: row.ref.record for row in c.rows}.values())
        groups.append((c.id, records, table[table["claim_id"] == c.id]))
    numbers = {r.key: r.number for r in ctx.references}
    for name, records, rows in groups:
        for suffix, text in exports.render_all(records, rows, numbers).items():
            file = f"{name}.{suffix}"
            written[file] = write_text(folder / file, text)
    written["claimreview"] = write_text(
        out_dir / CLAIMREVIEW_NAME, jsonld_text(claim_reviews(ctx, HTML_NAME))
    )
    return written


def changes_since(out_dir: Path, record: dict) -> ReviewDiff | None:
    """What changed since the last review built into `out_dir`: against its `review.json` when
    that differs from this build (it is kept as `review.previous.json`), else against the
    `review.previous.json` kept before, so a plain rebuild shows the same changes. None when
    there is nothing to compare with; an unreadable old file counts as none (it is rebuilt)."""
    current, previous = out_dir / REVIEW_JSON, out_dir / PREVIOUS_JSON
    try:
        last = load_review_json(current) if current.exists() else None
    except ReviewJSONError:
        last = None
    if last is not None and review_json_text(last) != review_json_text(record):
        write_text(previous, review_json_text(last))
        return diff_reviews(last, record)
    try:
        return diff_reviews(load_review_json(previous), record) if previous.exists() else None
    except ReviewJSONError:
        return None


def write_markdown(ctx: ReportContext, figures: Figures, out_dir: Path) -> dict[str, Path]:
    """The Markdown report and its figures as SVG files beside it."""
    written: dict[str, Path] = {}
    for claim_id, svg in sorted(figures.claims.items()):
        name = f"{FIGURES_DIR}/{claim_id}.svg"
        written[name] = write_text(out_dir / name, svg)
    written[f"{FIGURES_DIR}/overview.svg"] = write_text(
        out_dir / FIGURES_DIR / "overview.svg", figures.overview
    )
    written["md"] = write_text(out_dir / MD_NAME, render_markdown(ctx, FIGURES_DIR))
    return written


def build_report(
    review: Review,
    out_dir: str | os.PathLike[str] = "reports",
    formats: Iterable[str] | str = FORMATS,
    progress: bool | None = None,
    pdf_if_browser: bool = False,
) -> dict[str, Path]:
    """Write the report in the given formats, and every export, into `out_dir`.

    Returns what was written: "html", "pdf", "md" for the reports, then one key per export
    file ("all.ris", "C01.bib", ..., "claimreview") and per Markdown figure ("figures/C01.svg").
    `progress`: True shows a tqdm bar, False is quiet, None shows one only on a terminal.
    Raises ValueError for an unknown format, PDFError when Chromium is missing or fails, and
    ReportError when the review cannot be rendered. With `pdf_if_browser`, a missing browser
    skips the PDF instead (no "pdf" key in the result).
    """
    wanted = parse_formats(formats)
    if pdf_if_browser and "pdf" in wanted:
        try:
            find_printer()
        except PDFError:  # everything else is still written; the caller says the PDF is missing
            wanted.remove("pdf")
    # Chromium starts first, so it is up by the time the HTML is ready, and it prints while
    # the Markdown and exports are written; leaving the block always ends it.
    with PdfPrinter() if "pdf" in wanted else contextlib.nullcontext() as printer:
        written = _write_formats(review, Path(out_dir), wanted, printer, progress)
    ordered = {k: written[k] for k in FORMATS if k in written}
    return ordered | {k: v for k, v in written.items() if k not in ordered}


def _write_formats(
    review: Review, out_dir: Path, wanted: list[str], printer: PdfPrinter | None,
    progress: bool | None,
) -> dict[str, Path]:  # fmt: skip
    """build_report's work once the browser (if any) is starting: every file, with a bar."""
    out_dir.mkdir(parents=True, exist_ok=True)
    steps = ["content", "figures", *[f for f in FORMATS if f in wanted], "exports"]
    written: dict[str, Path] = {}
    with tqdm(
        total=len(steps),
        unit="step",
        desc="report",
        disable=None if progress is None else not progress,
    ) as bar:

        def step(name: str) -> None:
            bar.set_postfix_str(name, refresh=False)
            bar.update()

        ctx = build_context(review)
        record = review_record(review)
        ctx.changes = changes_since(out_dir, record)
        step("content")
        figures = render_figures(ctx)
        step("figures")
        html = render_html(ctx, figures, HTML_NAME) if {"html", "pdf"} & set(wanted) else ""
        if printer is not None:
            printer.submit(html)
        if "html" in wanted:
            written["html"] = write_text(out_dir / HTML_NAME, html)
            step("html")
        if "md" in wanted:
            written.update(write_markdown(ctx, figures, out_dir))
            step("md")
        written.update(write_exports(ctx, out_dir))
        written[REVIEW_JSON] = write_text(out_dir / REVIEW_JSON, review_json_text(record))
        step("exports")
        if printer is not None:
            written["pdf"] = printer.write(out_dir / PDF_NAME, fixed_date=ctx.article.reviewed)
            step("pdf")
    return written
