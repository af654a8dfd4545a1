"""The report's figures as SVG text: one overview and one timeline per claim.

Rendered once per build and shared by the HTML (inline) and the Markdown (files beside it).
Deterministic: fixed hash salt, no date stamp, no metadata block, no comments. Text is kept
as SVG text (matplotlib's sans-serif stack), so it stays selectable and searchable.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import matplotlib
import matplotlib.pyplot as plt
from markupsafe import escape
from matplotlib.figure import Figure

from claimbook.evidence import plots
from claimbook.report.cache import PieceCache
from claimbook.report.context import ReportContext


@dataclass
class Figures:
    """SVG documents (full files, with XML declaration) by name."""

    overview: str
    claims: dict[str, str]  # claim id -> timeline
    alt: dict[str, str] = field(default_factory=dict)  # "overview" / claim id -> what it shows
    # PRISMA 2020 flow diagrams: "review" and each searched claim's id (none: nothing searched)
    prisma: dict[str, str] = field(default_factory=dict)
    prisma_alt: dict[str, str] = field(default_factory=dict)


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


def inline_svg(document: str, label: str = "") -> str:
    """The <svg> element of an SVG document, for embedding in HTML; with `label`, an image to
    assistive technology: role="img", aria-label and a <title> saying what the chart shows."""
    svg = document[document.index("<svg") :]
    if not label:
        return svg
    text = str(escape(label))
    end = svg.index(">")
    return f'{svg[:end]} role="img" aria-label="{text}"><title>{text}</title>{svg[end + 1 :]}'


def _tally(c) -> str:
    parts = [f"{n} {word}" for word, n in c.counts.items() if n]
    return ", ".join(parts) or "no papers"


def alt_texts(ctx: ReportContext) -> dict[str, str]:
    """One sentence per figure saying what it shows (alt text for the HTML, PDF and Markdown)."""
    labels = "; ".join(f"{c.id} {c.label.lower()}" for c in ctx.claims)
    out = {
        "overview": (
            f"Bar chart of the weighted evidence for and against each of the {len(ctx.claims)} "
            f"claims, coloured by verdict: {labels}."
        )
    }
    for c in ctx.claims:
        years = [r.ref.record.year for r in c.rows if r.ref.record.year]
        span = f", published {min(years)} to {max(years)}" if years else ""
        out[c.id] = (
            f"Timeline of the {len(c.rows)} papers cited for {c.id}{span}, by year and strength "
            f"of design; stances: {_tally(c)}."
        )
    return out


def prisma_alt(flow) -> str:
    """What a PRISMA flow diagram shows, in one sentence (its alt text)."""
    who = "the review" if flow.claim_id == "review" else flow.claim_id
    return (
        f"PRISMA 2020 flow diagram for {who}: {flow.identified} records identified by "
        f"{len(flow.searches)} PubMed search{'es' if len(flow.searches) != 1 else ''}, "
        f"{flow.duplicates} duplicates removed, {flow.screened} screened, {flow.excluded} "
        f"excluded at screening, {flow.assessed} assessed in full, {flow.excluded_full_text} "
        f"excluded after reading, {flow.total_included} studies included "
        f"({flow.other_included} of them identified by other methods)."
    )


def prisma_flows(ctx: ReportContext) -> list:
    """The flows the report draws: the review's, then each searched claim's (when more than
    one claim was searched: with one, the review's flow is that claim's)."""
    record = ctx.prisma
    if record is None or not record.review.searched:
        return []
    claims = record.searched
    return [record.review, *(claims if len(claims) > 1 else [])]


def render_figures(ctx: ReportContext, cache: PieceCache | None = None) -> Figures:
    """Draw the verdict overview, each claim's evidence timeline and the PRISMA flows; with
    `cache`, only those whose data changed (a claim's rows, the verdicts, a flow)."""
    table = ctx.review.table

    def svg(kind: str, name: str, data: str, draw: Callable[[], Figure]) -> str:
        make = lambda: svg_document(draw())  # noqa: E731
        return cache.get(kind, name, data, make) if cache else make()

    verdicts = ctx.review.verdicts
    flows = prisma_flows(ctx)
    return Figures(
        overview=svg(
            "overview", "all", verdicts.to_csv(), lambda: plots.verdict_overview(verdicts)
        ),
        claims={
            c.id: svg(
                "timeline",
                c.id,
                ctx.rows_text(c.id),
                lambda c=c: plots.timeline(table, c.id),
            )
            for c in ctx.claims
        },
        alt=alt_texts(ctx),
        prisma={
            f.claim_id: svg("prisma", f.claim_id, repr(asdict(f)), lambda f=f: plots.prisma_flow(f))
            for f in flows
        },
        prisma_alt={f.claim_id: prisma_alt(f) for f in flows},
    )
