"""The report's figures as SVG text: one overview and one timeline per claim.

Rendered once per build and shared by the HTML (inline) and the Markdown (files beside it).
Deterministic: fixed hash salt, no date stamp, no metadata block, no comments. Text is kept
as SVG text (matplotlib's sans-serif stack), so it stays selectable and searchable.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass

import matplotlib
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from claimbook.evidence import plots
from claimbook.report.context import ReportContext


@dataclass
class Figures:
    """SVG documents (full files, with XML declaration) by name."""

    overview: str
    claims: dict[str, str]  # claim id -> timeline


def svg_document(fig: Figure) -> str:
    """A matplotlib figure as a standalone SVG document; the figure is closed."""
    buf = io.StringIO()
    # Text stays text (selectable, searchable in the PDF, smaller, faster to write); the plots
    # lay themselves out, so no second "tight" drawing pass is needed.
    with matplotlib.rc_context({"svg.hashsalt": "claimbook", "svg.fonttype": "none"}):
        fig.savefig(buf, format="svg", metadata={"Date": None})
    plt.close(fig)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", buf.getvalue(), flags=re.S)
    return re.sub(r"<!--.*?-->\s*", "", text, flags=re.S)


def inline_svg(document: str) -> str:
    """The <svg> element of an SVG document, for embedding in HTML."""
    return document[document.index("<svg") :]


def render_figures(ctx: ReportContext) -> Figures:
    """Draw the verdict overview and each claim's evidence timeline."""
    table = ctx.review.table
    return Figures(
        overview=svg_document(plots.verdict_overview(ctx.review.verdicts)),
        claims={c.id: svg_document(plots.timeline(table, c.id)) for c in ctx.claims},
    )
