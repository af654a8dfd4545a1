"""The verdicts on the article itself: its own text with every claimed sentence marked, and the
same marks as W3C Web Annotations that annotation tools can lay over the live page.

    annotated-article.html   the article's full text (read at build time from the user's copy,
                             `text_file` in article.yaml), each claim's quotes marked in its
                             verdict's colour with its label, linked to the claim in the report;
                             it says on top that it holds the full text, for private use. Built
                             only when the text is there; `reports/` is never committed.
    annotations.jsonld       one Web Annotation per claim (https://www.w3.org/TR/annotation-model/):
                             a TextQuoteSelector (exact quote, 32 characters of prefix and suffix)
                             per quote on the article's URL, the verdict as the body. Quotes
                             only, never the full text; written only when article.yaml has an
                             http(s) `url` to target.

Every string is escaped by the template (Jinja2 autoescape); the only links are the report's
own anchors and, in the JSON-LD, the article's http(s) URL.
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass, field
from pathlib import Path

from jinja2 import Environment, PackageLoader, StrictUndefined

from claimbook import __version__
from claimbook.evidence.review import Review
from claimbook.files import write_text
from claimbook.ids import safe_url
from claimbook.inputs import MAX_ARTICLE_BYTES, InputError, read_text
from claimbook.report.context import ClaimSection, ReportContext
from claimbook.report.html import colour_css
from claimbook.vocab import NOT_GRADED, VERDICT_COLOURS

ANNOTATED_NAME = "annotated-article.html"
ANNOTATIONS_NAME = "annotations.jsonld"
ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
AFFIX = 32  # characters of prefix and suffix, as Hypothesis's selectors carry
ANNOTATED = ("annotated", "annotations")  # their keys in what build_report returns


@dataclass(frozen=True)
class Mark:
    """One quote of one claim, found in the article's text at [start, end)."""

    start: int
    end: int
    claim: ClaimSection


@dataclass
class Piece:
    """A run of the article's text: the claims whose quotes cover it, the one whose quote ends
    soonest first (its colour marks the run; none: plain text), and the claims whose quote
    ends here, each with `True` at its first quote (its verdict's statement follows there; a
    later quote gets the label only)."""

    text: str
    claims: list[ClaimSection] = field(default_factory=list)
    tags: list[tuple[ClaimSection, bool]] = field(default_factory=list)


def article_text(review: Review) -> str | None:
    """The article's text as the quotes were checked against (None: not available)."""
    path = review.text_path
    if path is None:
        return None
    try:
        return read_text(path, MAX_ARTICLE_BYTES, "article text")
    except (OSError, InputError):
        return None


def skipped(review: Review) -> list[str]:
    """One line per file of this module not written, saying why (for the build to print)."""
    out = []
    if article_text(review) is None:
        out.append(
            f"{ANNOTATED_NAME} and {ANNOTATIONS_NAME} skipped: the article's text is not "
            "available (text_file in claims/article.yaml names no file that exists)."
        )
    elif not safe_url(review.article.url):
        out.append(
            f"{ANNOTATIONS_NAME} skipped: claims/article.yaml has no http(s) url for the "
            "annotations to target."
        )
    return out


def marks(ctx: ReportContext, text: str) -> list[Mark]:
    """Every claim's quotes where they first occur in the text (a quote not found, as in a text
    other than the one validated, is left out)."""
    found = []
    for c in ctx.claims:
        for q in c.quotes:
            at = text.find(q.text)
            if at >= 0:
                found.append(Mark(at, at + len(q.text), c))
    return found


def pieces(text: str, found: list[Mark]) -> list[Piece]:
    """The text cut at every quote's start and end, each run with the claims covering it (so
    overlapping quotes, as a claim's parts share, are marked for each)."""
    cuts = sorted({0, len(text), *(m.start for m in found), *(m.end for m in found)})
    by_end = sorted(found, key=lambda m: (m.end, m.start))
    out, told = [], set()
    for a, b in itertools.pairwise(cuts):
        covering = {m.claim.id: m.claim for m in by_end if m.start <= a and m.end >= b}
        ending = {m.claim.id: m.claim for m in by_end if m.end == b}
        tags = [(c, c.id not in told) for c in ending.values()]
        told |= set(ending)
        out.append(Piece(text[a:b], list(covering.values()), tags))
    return out


def certainty_words(c: ClaimSection) -> str:
    if c.certainty == NOT_GRADED:
        return "checked against clinical definitions"
    return f"{c.certainty} certainty"


def body_text(c: ClaimSection) -> str:
    """The verdict in one line: 'C03 Probably true (moderate certainty): statement'."""
    return f"{c.id} {c.label} ({certainty_words(c)}): {c.statement}"


def annotation(ctx: ReportContext, c: ClaimSection, text: str, source: str) -> dict:
    """The W3C Web Annotation of one claim: its quotes as TextQuoteSelectors on `source`."""
    targets = []
    for m in (m for m in marks(ctx, text) if m.claim.id == c.id):
        selector = {
            "type": "TextQuoteSelector",
            "exact": text[m.start : m.end],
            "prefix": text[max(0, m.start - AFFIX) : m.start],
            "suffix": text[m.end : m.end + AFFIX],
        }
        targets.append({"type": "SpecificResource", "source": source, "selector": selector})
    assessing = {
        "type": "TextualBody", "purpose": "assessing", "format": "text/plain", "language": "en",
        "value": body_text(c),
    }  # fmt: skip
    out = {
        "@context": ANNO_CONTEXT,
        "id": uuid.uuid5(uuid.NAMESPACE_URL, f"{source}#claimbook-{c.id}").urn,
        "type": "Annotation",
        "motivation": "assessing",
        "created": f"{c.reviewed.isoformat()}T00:00:00Z",
        "generator": {"type": "Software", "name": f"claimbook {__version__}"},
        "body": [assessing, {"type": "TextualBody", "purpose": "tagging", "value": c.verdict}],
        "target": targets,
    }
    if c.signoff is not None:
        out["creator"] = {"type": "Person", "name": c.signoff.reviewer}
    return out


def annotations(ctx: ReportContext, text: str) -> list[dict]:
    """One annotation per claim with a quote found in the text ([] without an http(s) url)."""
    source = safe_url(ctx.article.url)
    if not source:
        return []
    found = {m.claim.id for m in marks(ctx, text)}
    return [annotation(ctx, c, text, source) for c in ctx.claims if c.id in found]


def annotated_html(ctx: ReportContext, text: str, report_name: str) -> str:
    """The article's text with each claimed sentence marked and linked to its verdict."""
    env = Environment(
        loader=PackageLoader("claimbook.report", "templates"), autoescape=True,
        trim_blocks=True, lstrip_blocks=True, undefined=StrictUndefined,
        keep_trailing_newline=True,
    )  # fmt: skip
    found = marks(ctx, text)
    return env.get_template("annotated.html.j2").render(
        article=ctx.article,
        pieces=pieces(text, found),
        claims=[c for c in ctx.claims if any(m.claim.id == c.id for m in found)],
        missing=[c for c in ctx.claims if c.quotes and not any(m.claim.id == c.id for m in found)],
        report=report_name,
        certainty_words=certainty_words,
        colours=colour_css() + "\n" + _mark_css(),
        version=__version__,
    )


def _mark_css() -> str:
    """A marked sentence's tint and underline, one rule per verdict word of the vocabulary."""
    return "\n".join(
        f"mark.v-{v} {{ background: color-mix(in srgb, var(--{v}) 18%, #fff); "
        f"border-bottom: 3px solid var(--{v}); }}"
        for v in VERDICT_COLOURS
    )


def write_annotated(
    ctx: ReportContext, out_dir: Path, report_name: str, sync: bool = True
) -> dict[str, Path]:
    """The annotated article and its annotations, into `out_dir`, when the text is available
    (`sync=False`: into a staging folder synced later, see files.atomic_write)."""
    text = article_text(ctx.review)
    if text is None:
        return {}
    written = {"annotated": write_text(out_dir / ANNOTATED_NAME,
                                       annotated_html(ctx, text, report_name), sync)}  # fmt: skip
    found = annotations(ctx, text)
    if found:
        body = json.dumps(found, indent=1, ensure_ascii=False) + "\n"
        written["annotations"] = write_text(out_dir / ANNOTATIONS_NAME, body, sync)
    return written
