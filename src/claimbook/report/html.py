"""The self-contained HTML report: Jinja2 with autoescape, CSS inline, figures as inline SVG.

Every string from claims or PubMed is escaped by the template; the only markup let through is
a PubMed title's inline formatting, sanitised by nh3 to i/b/sup/sub/u without attributes.
"""

from __future__ import annotations

import io
import re
from importlib import resources

import matplotlib
import matplotlib.pyplot as plt
import nh3
from jinja2 import Environment, PackageLoader, select_autoescape
from markupsafe import Markup, escape

from claimbook import __version__, plots
from claimbook.report.claimreview import claim_reviews, jsonld_script
from claimbook.report.context import Reference, ReportContext

INLINE_TAGS = {"i", "b", "sup", "sub", "u"}
SOURCE_NAMES = {"curated": "curated and verified by hand", "pubmed-efetch": "fetched from PubMed"}


def svg(fig) -> Markup:
    """A matplotlib figure as an inline <svg> element (deterministic ids, no date stamp)."""
    buf = io.StringIO()
    # Text stays text (selectable, smaller, faster to write); the figures are laid out already,
    # so no second "tight" drawing pass is needed.
    with matplotlib.rc_context({"svg.hashsalt": "claimbook", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)  # RDF boilerplate
    return Markup(text[text.index("<svg") :])


def safe_title(title: str, title_html: str | None) -> Markup:
    """A paper title as HTML: PubMed's inline markup kept (sanitised), everything else escaped."""
    if title_html:
        return Markup(nh3.clean(title_html, tags=INLINE_TAGS, attributes={}))
    return escape(title)


def citation_html(ref: Reference) -> Markup:
    r = ref.record
    authors = ", ".join(r.authors[:6]) + (", et al" if len(r.authors) > 6 else "")
    bits = [escape(authors.rstrip(". ")) if authors else None,
            safe_title(r.title.rstrip(". "), r.title_html), escape(r.journal or ""),
            escape(str(r.year or ""))]  # fmt: skip
    return Markup(". ").join(b for b in bits if b) + Markup(".")


def _env() -> Environment:
    return Environment(
        loader=PackageLoader("claimbook.report", "templates"),
        autoescape=select_autoescape(["html", "j2"], default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(ctx: ReportContext) -> str:
    """The whole report as one HTML document."""
    css = resources.files("claimbook.report").joinpath("templates/report.css").read_text("utf-8")
    figures = {
        "overview": svg(plots.verdict_overview(ctx.review.verdicts)),
        "claims": {c.id: svg(plots.timeline(ctx.review.table, c.id)) for c in ctx.claims},
    }
    html = (
        _env()
        .get_template("report.html.j2")
        .render(
            article=ctx.article,
            claims=ctx.claims,
            references=ctx.references,
            snapshot_summary=ctx.snapshot_summary,
            snapshot_sources=ctx.snapshot_sources,
            source_names=SOURCE_NAMES,
            rules=ctx.rules,
            rules_designs=ctx.rules_designs,
            thin=ctx.thin,
            figures=figures,
            citations={ref.key: citation_html(ref) for ref in ctx.references},
            claimreviews=[jsonld_script(b) for b in claim_reviews(ctx)],
            css=Markup(css),
            version=__version__,
        )
    )
    return re.sub(r"\n\s*\n+", "\n", html)
