"""The self-contained HTML report: Jinja2 with autoescape, CSS inline, figures as inline SVG.

Every string from claims or PubMed is escaped by the template; the only markup let through is
a PubMed title's inline formatting, sanitised by nh3 to i/b/sup/sub without attributes. Every
outside link goes through the `href` filter (`claimbook.ids.safe_url`): an address that is not
http(s) or doi: is shown as text, never linked, so the PDF printed from this HTML carries no
other kind of link either. No fonts, scripts or images are loaded from anywhere: the file
works offline and prints cleanly.
"""

from __future__ import annotations

import functools
import re
from importlib import resources

import nh3
from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup, escape

from claimbook import __version__
from claimbook.evidence import plots
from claimbook.evidence.absolute import NO_ABSOLUTE
from claimbook.ids import doi_url, pubmed_url, safe_url
from claimbook.report.cache import PieceCache
from claimbook.report.claimreview import claim_reviews, jsonld_script
from claimbook.report.context import (
    RATING,
    Reference,
    ReportContext,
    changes_verdicts,
    stance_tally,
)
from claimbook.report.figures import Figures, inline_svg
from claimbook.report.prisma import REVIEW_NOTE
from claimbook.vocab import VERDICT_COLOURS, certainty_range

INLINE_TAGS = {"i", "b", "sup", "sub"}


def safe_title(title: str, title_html: str | None) -> Markup:
    """A paper title as HTML: PubMed's inline markup kept (sanitised), everything else escaped."""
    if title_html:
        return Markup(nh3.clean(title_html, tags=INLINE_TAGS, attributes={}))
    return escape(title)


def citation_html(ref: Reference) -> Markup:
    """The reference-list entry's text (authors. title. journal. year.) as safe HTML."""
    r = ref.record
    bits = [
        escape(ref.authors.rstrip(". ")) if ref.authors else None,
        safe_title(r.title.strip().rstrip("."), (r.title_html or "").strip().rstrip(".") or None),
        escape(r.journal.rstrip(".")) if r.journal else None,
        escape(str(r.year)) if r.year else None,
    ]
    return Markup(". ").join(b for b in bits if b) + Markup(".")


def _luminance(hex_colour: str) -> float:
    rgb = [int(hex_colour.lstrip("#")[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def text_on(hex_colour: str) -> str:
    """Black or white, whichever reads better on this background (WCAG contrast)."""
    lum = _luminance(hex_colour)
    return "#000000" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


def colour_css() -> str:
    """CSS variables and classes for the verdict and stance colours, taken from claimbook.vocab
    and claimbook.evidence.plots so the report and the figures always agree (Okabe-Ito, safe for
    common colour blindness)."""
    lines = [":root {"]
    for verdict, colour in VERDICT_COLOURS.items():
        lines.append(f"  --{verdict}: {colour}; --{verdict}-text: {text_on(colour)};")
    for stance, colour in plots.STANCE_COLOURS.items():
        lines.append(f"  --s-{stance}: {colour};")
    lines.append("}")
    for verdict in VERDICT_COLOURS:  # one badge and box colour per verdict word of vocab
        lines.append(
            f".badge.v-{verdict} {{ background: var(--{verdict}); color: var(--{verdict}-text); }}"
        )
        lines.append(f".verdict-box.v-{verdict} {{ border-left-color: var(--{verdict}); }}")
    return "\n".join(lines)


@functools.cache
def _env() -> Environment:
    """The report's templates, compiled once per process (they are package files)."""
    env = Environment(
        loader=PackageLoader("claimbook.report", "templates"),
        autoescape=True,  # every {{ }} is escaped unless it is Markup we made ourselves
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    env.filters["href"] = safe_url  # the only way an outside address reaches an href
    env.globals.update(pubmed_url=pubmed_url, doi_url=doi_url)  # the addresses of ids.py
    env.globals.update(certainty_range=certainty_range, stance_tally=stance_tally)
    env.globals.update(changes_verdicts=changes_verdicts, no_absolute_all=NO_ABSOLUTE)
    return env


def claim_sections(
    ctx: ReportContext, figures: Figures, cache: PieceCache | None = None
) -> dict[str, Markup]:
    """Each claim's section as HTML, rendered on its own: from `cache` when nothing it shows
    changed (its content, its figure, the publisher its quotes name)."""
    template = _env().get_template("claim.html.j2")
    out = {}
    for c in ctx.claims:
        figure = inline_svg(figures.claims[c.id], figures.alt.get(c.id, ""))

        def make(c=c, figure=figure) -> str:
            return template.render(c=c, article=ctx.article, claim_figures={c.id: Markup(figure)})

        data = f"{ctx.article.publisher!r}\0{figure}\0{c!r}"
        out[c.id] = Markup(cache.get("section", c.id, data, make) if cache else make())
    return out


def render_html(
    ctx: ReportContext, figures: Figures, self_url: str = "", cache: PieceCache | None = None
) -> str:
    """The whole report as one HTML document (`self_url`: its file name, for ClaimReview urls);
    claim sections come from `cache` where nothing they show changed."""
    css = resources.files("claimbook.report").joinpath("templates/report.css").read_text("utf-8")
    html = (
        _env()
        .get_template("report.html.j2")
        .render(
            ctx=ctx,
            article=ctx.article,
            claims=ctx.claims,
            claim_sections=claim_sections(ctx, figures, cache),
            references=ctx.references,
            rules=ctx.rules,
            rating=sorted(RATING.items(), key=lambda kv: -kv[1]),
            overview=Markup(inline_svg(figures.overview, figures.alt.get("overview", ""))),
            prisma_figures={
                k: Markup(inline_svg(v, figures.prisma_alt.get(k, "")))
                for k, v in figures.prisma.items()
            },
            prisma_note=REVIEW_NOTE,
            citations={ref.key: citation_html(ref) for ref in ctx.references},
            claimreviews=[jsonld_script(b) for b in claim_reviews(ctx, self_url)],
            css=Markup(colour_css() + "\n" + css),
            version=__version__,
        )
    )
    return re.sub(r"\n\s*\n+", "\n", html)
