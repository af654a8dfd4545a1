"""The claim-by-claim report: HTML, PDF and Markdown, citation exports and ClaimReview JSON-LD.

`build_report(review, out_dir)` writes everything into `out_dir` deterministically (same review,
same bytes), so rebuilding never churns, and all or nothing: every file is first written into a
hidden staging folder inside `out_dir` and moved into place (a rename each) only once all of them
were written, so a full disk or a failing browser leaves the previous build as it was::

    claimbook-report.html       self-contained: inline CSS and SVG, no request to anywhere
    claimbook-report.pdf        the HTML printed by headless Chromium, with page numbers
                                (started first; it prints while the Markdown is written)
    claimbook-report.md         the same content for notes and wikis (+ figures/*.svg)
    claimreview.jsonld          schema.org ClaimReview, one per claim
    annotated-article.html      the article's own text with the claimed sentences marked, and
    annotations.jsonld          W3C Web Annotations of them (report.annotate): only when the
                                article's text is available (private use: it is the full text)
    review.json                 verdicts, certainty, citations and sign-offs, for `claimbook diff`
                                (the build before, when it differed: review.previous.json)
    exports/all.{ris,bib,csl.json,nbib,csv}   and the same per claim: exports/C01.ris ...
    cache/                      figures, claim sections and Summary of Findings rows by the hash
                                of what they show, so a rebuild redraws only what changed
                                (report.cache; delete freely); cache/grading/ each claim's
                                grading, when loaded with load_review(cache=...) as
                                `claimbook report` does (evidence.memo)

May import: the core modules, claimbook.pubmed, claimbook.claims and claimbook.evidence (a
graded Review is its input), and of claimbook.edit only its readers of the screening record
(saved searches and votes, in `report.prisma`); never an edit writer, jupyter or cli. It writes
only under `out_dir`.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from tqdm import tqdm

from claimbook.evidence.changes import (
    REVIEW_JSON,
    ReviewDiff,
    ReviewJSONError,
    diff_reviews,
    load_review_json,
    review_json_text,
    review_record,
)
from claimbook.evidence.memo import prune as prune_grading
from claimbook.evidence.review import Review
from claimbook.evidence.table import by_claim
from claimbook.files import write_text
from claimbook.report import exports
from claimbook.report.annotate import write_annotated
from claimbook.report.cache import PieceCache, grading_cache, prune
from claimbook.report.claimreview import claim_reviews, jsonld_text
from claimbook.report.context import ReportContext, ReportError, build_context
from claimbook.report.figures import Figures, render_figures
from claimbook.report.html import render_html
from claimbook.report.markdown import render_markdown
from claimbook.report.pdf import PDFError, PdfPrinter, find_printer

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


def write_exports(
    ctx: ReportContext, out_dir: Path, cache: PieceCache | None = None, sync: bool = True
) -> dict[str, Path]:
    """RIS, BibTeX, CSL-JSON, NBIB and CSV for all claims and for each claim, plus ClaimReview;
    with `cache`, a group's files are rendered again only when its records or rows changed
    (`sync=False`: into a staging folder synced later, see files.atomic_write)."""
    written: dict[str, Path] = {}
    folder = out_dir / EXPORTS_DIR
    table = ctx.review.table
    everything = "\n".join(ctx.rows_text(c.id) for c in ctx.claims)
    groups = [("all", [r.record for r in ctx.references], table, everything)]
    own = by_claim(table)
    for c in ctx.claims:
        records = list({row.ref.key: row.ref.record for row in c.rows}.values())
        groups.append((c.id, records, own.get(c.id, table.iloc[0:0]), ctx.rows_text(c.id)))
    numbers = {r.key: r.number for r in ctx.references}
    for name, records, rows, rows_text in groups:
        keys = {*rows["key"], *(r.key for r in records)}
        mine = {k: n for k, n in numbers.items() if k in keys}

        def make(records=records, rows=rows, mine=mine) -> str:
            return json.dumps(exports.render_all(records, rows, mine))

        data = f"{records!r}\0{rows_text}\0{mine!r}"
        rendered = json.loads(cache.get("exports", name, data, make) if cache else make())
        for suffix, text in rendered.items():
            file = f"{name}.{suffix}"
            written[file] = write_text(folder / file, text, sync)
    written["claimreview"] = write_text(
        out_dir / CLAIMREVIEW_NAME, jsonld_text(claim_reviews(ctx, HTML_NAME)), sync
    )
    return written


def changes_since(out_dir: Path, record: dict, stage: Path | None = None) -> ReviewDiff | None:
    """What changed since the last review built into `out_dir`: against its `review.json` when
    that differs from this build (it is kept as `review.previous.json`, written into `stage`,
    default `out_dir`), else against the `review.previous.json` kept before, so a plain rebuild
    shows the same changes. None when there is nothing to compare with; an unreadable old file
    counts as none (it is rebuilt)."""
    current, previous = out_dir / REVIEW_JSON, out_dir / PREVIOUS_JSON
    try:
        last = load_review_json(current) if current.exists() else None
    except ReviewJSONError:
        last = None
    if last is not None and review_json_text(last) != review_json_text(record):
        write_text((stage or out_dir) / PREVIOUS_JSON, review_json_text(last), stage is None)
        return diff_reviews(last, record)
    try:
        return diff_reviews(load_review_json(previous), record) if previous.exists() else None
    except ReviewJSONError:
        return None


def write_markdown(ctx: ReportContext, figures: Figures, stage: Path) -> dict[str, Path]:
    """The Markdown report and its figures as SVG files beside it, into the build's stage."""
    written: dict[str, Path] = {}
    for claim_id, svg in sorted(figures.claims.items()):
        name = f"{FIGURES_DIR}/{claim_id}.svg"
        written[name] = write_text(stage / name, svg, sync=False)
    written[f"{FIGURES_DIR}/overview.svg"] = write_text(
        stage / FIGURES_DIR / "overview.svg", figures.overview, sync=False
    )
    if "review" in figures.prisma:
        name = f"{FIGURES_DIR}/prisma-review.svg"
        written[name] = write_text(stage / name, figures.prisma["review"], sync=False)
    written["md"] = write_text(stage / MD_NAME, render_markdown(ctx, FIGURES_DIR), sync=False)
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
    out_dir = _report_folder(Path(out_dir))
    used: set[str] = set()
    with PdfPrinter() if "pdf" in wanted else contextlib.nullcontext() as printer:
        written = _staged(out_dir, lambda stage: _write_formats(
            review, out_dir, stage, wanted, printer, progress, used
        ))  # fmt: skip
    prune(out_dir, used)
    if review.grading is not None:  # the grading used, kept with the report it made
        prune_grading(grading_cache(out_dir), set(review.grading.pieces))
    ordered = {k: written[k] for k in FORMATS if k in written}
    return ordered | {k: v for k, v in written.items() if k not in ordered}


_WHY = {
    errno.ENOSPC: "the disk is full; free some space",
    errno.EDQUOT: "the disk quota is used up; free some space",
    errno.EROFS: "the folder is read-only; choose another --out",
    errno.EACCES: "no permission to write there; choose another --out",
    errno.EPERM: "no permission to write there; choose another --out",
    errno.EFBIG: "a file would be larger than this system allows (see ulimit -f)",
}


def _cannot_write(out_dir: Path, exc: OSError) -> ReportError:
    why = _WHY.get(exc.errno, exc.strerror or str(exc))
    return ReportError(f"{out_dir}: cannot write the report: {why}; nothing there was changed")


def _report_folder(out_dir: Path) -> Path:
    """`out_dir`, made if need be; ReportError when it is a file or lies under one."""
    if out_dir.exists() and not out_dir.is_dir():
        raise ReportError(f"{out_dir}: is a file, not a folder; give --out a folder")
    blocker = next((p for p in out_dir.parents if p.exists() and not p.is_dir()), None)
    if blocker is not None:
        raise ReportError(
            f"{out_dir}: cannot make the report folder: {blocker} is a file, not a folder"
        )
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportError(
            f"{out_dir}: cannot make the report folder: {exc.strerror or exc}"
        ) from None
    return out_dir


def _staged(out_dir: Path, write: Callable[[Path], dict[str, Path]]) -> dict[str, Path]:
    """Run `write(stage)` into a staging folder inside `out_dir`, then move every file in the
    stage into `out_dir` (renames on one disk). A failure on the way removes the stage and leaves
    `out_dir` as it was; an OSError becomes a one-line ReportError. Returns what `write` did,
    with its paths in `out_dir`. The stage is written without fsync: a file that `out_dir`
    already holds byte for byte is left as it is (no churn, no sync), every other one is
    synced to disk before its rename."""
    try:
        stage = Path(tempfile.mkdtemp(prefix=".claimbook-build-", dir=out_dir))
    except OSError as exc:
        raise _cannot_write(out_dir, exc) from None
    try:
        staged = write(stage)
        for path in sorted(p for p in stage.rglob("*") if p.is_file()):
            target = out_dir / path.relative_to(stage)
            if _same_bytes(path, target):
                continue
            with open(path, "rb") as fh:
                os.fsync(fh.fileno())
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)
    except OSError as exc:
        raise _cannot_write(out_dir, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return {key: out_dir / path.relative_to(stage) for key, path in staged.items()}


def _same_bytes(new: Path, old: Path) -> bool:
    """Whether `old` is a file holding exactly `new`'s bytes."""
    try:
        return (
            old.is_file()
            and old.stat().st_size == new.stat().st_size
            and (old.read_bytes() == new.read_bytes())
        )
    except OSError:
        return False


def _write_formats(
    review: Review, out_dir: Path, stage: Path, wanted: list[str], printer: PdfPrinter | None,
    progress: bool | None, used: set[str],
) -> dict[str, Path]:  # fmt: skip
    """build_report's work once the browser (if any) is starting: every file, written into
    `stage` (compared with the last build in `out_dir`, its figures and claim sections taken
    from its cache where unchanged; `used` gets the cached pieces' names), with a bar."""
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

        cache = PieceCache(out_dir, stage)
        ctx = build_context(review, cache)
        record = review_record(review)
        ctx.changes = changes_since(out_dir, record, stage)
        step("content")
        figures = render_figures(ctx, cache)
        step("figures")
        html = render_html(ctx, figures, HTML_NAME, cache) if {"html", "pdf"} & set(wanted) else ""
        if printer is not None:
            printer.submit(html)
        if "html" in wanted:
            written["html"] = write_text(stage / HTML_NAME, html, sync=False)
            step("html")
        if "md" in wanted:
            written.update(write_markdown(ctx, figures, stage))
            step("md")
        written.update(write_exports(ctx, stage, cache, sync=False))
        written.update(write_annotated(ctx, stage, HTML_NAME, sync=False))
        text = review_json_text(record)
        written[REVIEW_JSON] = write_text(stage / REVIEW_JSON, text, sync=False)
        if review.grading is not None:
            review.grading.write_into(grading_cache(stage), sync=False)
        used |= cache.used
        step("exports")
        if printer is not None:
            written["pdf"] = printer.write(stage / PDF_NAME, fixed_date=ctx.article.reviewed)
            step("pdf")
    return written
