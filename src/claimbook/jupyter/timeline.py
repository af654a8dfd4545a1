"""A claim's timeline in the workbench, as inline SVG: each citation by publication year (across)
and design strength (up), its stance by colour and by shape, a retracted paper ringed.

The same picture as `evidence.plots.timeline` (the notebooks' and the report's matplotlib
figure), drawn as markup so the app neither imports matplotlib (over a second of its start)
nor draws a PNG in the kernel on every edit: it is sent as one value, after the rest of the
view. Data in (the rows of the review's evidence table), text out; every label is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any

from claimbook.jupyter.views import esc
from claimbook.vocab import STANCE_COLOURS, STANCE_WORDS, design_label

__all__ = ["timeline_svg"]

MIN_YEAR_SPAN = 10  # as the report's figure: at least this many years across
WIDTH, LEFT, RIGHT, TOP, ROW, BOTTOM = 640, 190, 20, 34, 26, 48
R = 6  # a marker's half size, in pixels


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    """One marker: the stance's shape (o, X, D, s as in the report's figure) in its colour."""
    paint = f'fill="{colour}" stroke="white" stroke-width="1"'
    if shape == "s":
        return f'<rect x="{x - R:.1f}" y="{y - R:.1f}" width="{2 * R}" height="{2 * R}" {paint}/>'
    if shape == "D":
        d = R * 1.25
        pts = f"{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} {x - d:.1f},{y:.1f}"
        return f'<polygon points="{pts}" {paint}/>'
    if shape == "X":
        a, b = R, R * 0.4  # the arms' reach and half width: a filled cross, turned 45 degrees
        arm = [(-a, -a + b), (-a + b, -a), (0, -b), (a - b, -a), (a, -a + b), (b, 0),
               (a, a - b), (a - b, a), (0, b), (-a + b, a), (-a, a - b), (-b, 0)]  # fmt: skip
        pts = " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in arm)
        return f'<polygon points="{pts}" {paint}/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{R}" {paint}/>'


def _years(years: list[int]) -> tuple[float, float, list[int]]:
    """The x axis: its first and last year and the whole years labelled (at most about 8)."""
    first, last = min(years), max(years)
    if last - first < MIN_YEAR_SPAN:  # a few years (or one): centred, as the report's figure
        middle = (first + last) / 2
        first, last = middle - MIN_YEAR_SPAN / 2 - 1, middle + MIN_YEAR_SPAN / 2 + 1
    else:
        first, last = first - 1, last + 1
    step = max(1, math.ceil((last - first) / 8))
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50, 100) if s >= step)
    ticks = list(range(math.ceil(first / step) * step, math.floor(last) + 1, step))
    return first, last, ticks


def timeline_svg(rows: Iterable[Mapping[str, Any]], claim_id: str) -> str:
    """The timeline of `claim_id` from its rows of the evidence table (`year`, `design`,
    `design_rank`, `stance`, `retracted`, `first_author`), as one `<svg>` element; a line of
    text when no row has a year."""
    rows = [r for r in rows if _year(r.get("year")) is not None]
    title = f"{esc(claim_id)}: evidence over time"
    if not rows:
        return f'<p class="cb-note cb-timeline-empty">{title}: no publication years to plot.</p>'
    ranks: dict[int, set[str]] = {}
    for r in rows:
        ranks.setdefault(int(r["design_rank"]), set()).add(str(r["design"]))
    order = sorted(ranks, reverse=True)  # strongest at the top
    height = TOP + ROW * len(order) + BOTTOM
    first, last, ticks = _years([_year(r["year"]) for r in rows])
    span = WIDTH - LEFT - RIGHT

    def x_of(year: float) -> float:
        return LEFT + (year - first) / (last - first) * span

    def y_of(rank: int) -> float:
        return TOP + ROW * order.index(rank) + ROW / 2

    out = [
        f'<svg class="cb-timeline" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'style="max-width:100%;height:auto" font-family="sans-serif" font-size="11">',
        f"<title>{title}: each citation by publication year and design, shaped by stance</title>",
        f'<text x="4" y="16" font-size="13">{title}</text>',
    ]
    bottom = TOP + ROW * len(order)
    for year in ticks:
        x = x_of(year)
        out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" stroke="#eeeeee"/>')
        out.append(f'<text x="{x:.1f}" y="{bottom + 14}" text-anchor="middle">{year}</text>')
    out.append(
        f'<text x="{LEFT + span / 2:.1f}" y="{bottom + 30}" text-anchor="middle">'
        "publication year</text>"
    )
    for rank in order:
        label = " / ".join(design_label(d) for d in sorted(ranks[rank]))
        out.append(
            f'<text x="{LEFT - 8}" y="{y_of(rank) + 4:.1f}" text-anchor="end" font-size="10">'
            f"{esc(label)}</text>"
        )
    shapes = {s.word: s.marker for s in STANCE_WORDS}
    for r in rows:
        x, y = x_of(_year(r["year"])), y_of(int(r["design_rank"]))
        stance = str(r["stance"])
        tip = f"{r.get('first_author') or 'unknown'} {_year(r['year'])}: {stance}"
        out.append(f'<g class="cb-point cb-stance-{esc(stance)}"><title>{esc(tip)}</title>')
        if r.get("retracted"):
            out.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{R + 3}" fill="none" '
                       'stroke="black" stroke-width="1.5"/>')  # fmt: skip
        else:
            out.append(_marker(shapes.get(stance, "o"), x, y, STANCE_COLOURS.get(stance, "#999")))
        out.append("</g>")
    out.append("</svg>")
    legend = " ".join(
        f'<span class="cb-legend-item"><svg width="14" height="14" viewBox="0 0 14 14" '
        f'aria-hidden="true">{_marker(s.marker, 7, 7, s.colour)}</svg> {esc(s.word)}</span>'
        for s in STANCE_WORDS
    )
    return f'<div class="cb-timeline-box">{"".join(out)}<div class="cb-legend">{legend}' \
        ' <span class="cb-legend-item">◯ retracted</span></div></div>'  # fmt: skip


def _year(value: Any) -> int | None:
    """A row's year as a whole number; None when it has none (pandas' NA included)."""
    try:
        return None if value is None or value != value else int(value)
    except (TypeError, ValueError):
        return None
