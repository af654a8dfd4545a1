"""Figures for notebooks and reports (matplotlib). Each function returns a Figure.

Colours are the Okabe-Ito palette (safe for the common forms of colour blindness) and every
encoding by colour is doubled by position, marker or label, so figures also read in grey.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator

from claimbook.vocab import (
    STANCE_COLOURS,
    STANCE_MARKERS,
    STANCE_TEXT_COLOURS,
    STANCES,
    VERDICT_COLOURS,
    design_label,
    verdict_label,
)

MIN_YEAR_SPAN = 10  # a timeline shows at least this many years
STANCE_GAP = 0.16  # how far apart the stances of one claim and design sit on the evidence map


def _shorten(text: str, width: int) -> str:
    """Cut text at a word boundary to fit `width` characters, marking the cut with an ellipsis."""
    if len(text) <= width:
        return text
    return text[: width - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _style(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.tick_params(labelsize=9)


NO_EVIDENCE = "No evidence yet"


def _no_evidence(title: str, message: str = NO_EVIDENCE) -> Figure:
    """A small figure that says there is nothing to plot yet (no claims, drafts only, or no
    citations), so a notebook or report on a new review shows that instead of failing."""
    fig, ax = plt.subplots(figsize=(7, 1.6))
    ax.set_axis_off()
    ax.text(0.5, 0.4, message, ha="center", va="center", fontsize=11, color="#555555",
            transform=ax.transAxes)  # fmt: skip
    ax.set_title(title, fontsize=11, loc="left")
    fig.subplots_adjust(left=0.03, right=0.97, bottom=0.1, top=0.8)
    return fig


def _stance_legend(ax, loc: str = "upper left", **kw) -> None:
    handles = [
        Line2D([], [], marker=STANCE_MARKERS[s], linestyle="", color=STANCE_COLOURS[s],
               markersize=8, label=s)
        for s in STANCES
    ]  # fmt: skip
    ax.legend(handles=handles, title="stance", frameon=False, fontsize=9, loc=loc, **kw)


def evidence_map(table: pd.DataFrame) -> Figure:
    """Claims x study design; marker size = number of citations, colour/shape = stance."""
    title = "Evidence map: which kinds of study bear on each claim"
    live = table[~table["retracted"].astype(bool)]
    if live.empty:
        return _no_evidence(title)
    designs = (
        live[["design", "design_rank"]]
        .drop_duplicates()
        .sort_values(["design_rank", "design"], ascending=[False, True])
    )
    design_order = list(designs["design"])
    claim_order = sorted(live["claim_id"].unique())
    fig, ax = plt.subplots(
        figsize=(max(7, 0.8 * len(design_order) + 2.5), max(3.5, 0.42 * len(claim_order) + 1.8))
    )
    middle = (len(STANCES) - 1) / 2  # the stances side by side, centred on the claim's row
    offsets = {s: round((i - middle) * STANCE_GAP, 6) for i, s in enumerate(STANCES)}
    counts = live.groupby(["claim_id", "design", "stance"]).size().reset_index(name="k")
    for row in counts.itertuples(index=False):
        x = design_order.index(row.design) + offsets[row.stance]
        y = claim_order.index(row.claim_id)
        ax.scatter(
            x,
            y,
            s=35 + 45 * (row.k - 1),
            color=STANCE_COLOURS[row.stance],
            marker=STANCE_MARKERS[row.stance],
            alpha=0.9,
            linewidths=0.5,
            edgecolors="white",
            zorder=3,
        )
        if row.k > 1:
            ax.annotate(
                str(row.k),
                (x, y),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                fontsize=7,
            )
    ax.set_xticks(range(len(design_order)))
    ax.set_xticklabels([design_label(d) for d in design_order], rotation=35, ha="right")
    ax.set_yticks(range(len(claim_order)))
    ax.set_yticklabels(claim_order)
    ax.set_ylim(len(claim_order) - 0.5, -0.5)
    ax.set_xlim(-0.6, len(design_order) - 0.4)
    ax.grid(True, color="#eeeeee", zorder=0)
    ax.set_xlabel("study design (strongest on the left)")
    ax.set_title(title, fontsize=11, loc="left")
    _style(ax)
    _stance_legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    return fig


def stance_bars(table: pd.DataFrame, claim_ids: list[str] | None = None) -> Figure:
    """Per claim, how many citations support, contradict, are mixed or give context."""
    live = table[~table["retracted"].astype(bool)]
    if claim_ids is not None:
        live = live[live["claim_id"].isin(claim_ids)]
    if live.empty:
        return _no_evidence("Citations by stance")
    counts = (
        live.groupby(["claim_id", "stance"]).size().unstack(fill_value=0)
        .reindex(columns=STANCES, fill_value=0).sort_index(ascending=False)
    )  # fmt: skip
    fig, ax = plt.subplots(figsize=(7, max(2.2, 0.38 * len(counts) + 1.3)))
    left = pd.Series(0, index=counts.index)
    for stance in STANCES:
        vals = counts[stance]
        ax.barh(
            counts.index,
            vals,
            left=left,
            color=STANCE_COLOURS[stance],
            label=stance,
            edgecolor="white",
            height=0.7,
        )
        for y, (v, x0) in enumerate(zip(vals, left, strict=True)):
            if v:
                ax.text(
                    x0 + v / 2,
                    y,
                    str(v),
                    ha="center",
                    va="center",
                    fontsize=8,
                    color=STANCE_TEXT_COLOURS[stance],
                )
        left = left + vals
    ax.set_xlabel("citations")
    ax.set_title("Citations by stance", fontsize=11, loc="left")
    ax.legend(frameon=False, fontsize=9, ncols=4, loc="lower left", bbox_to_anchor=(0, 1.06))
    _style(ax)
    fig.tight_layout()
    return fig


def timeline(table: pd.DataFrame, claim_id: str) -> Figure:
    """One claim's citations by publication year and design strength, shaped by stance."""
    mine = table[table["claim_id"] == claim_id]
    sub = mine[mine["year"].notna()]
    if sub.empty:
        message = NO_EVIDENCE if mine.empty else "No publication years to plot"
        return _no_evidence(f"{claim_id}: evidence over time", message)
    fig, ax = plt.subplots(figsize=(7, 3.2))
    for stance in STANCES:
        part = sub[(sub["stance"] == stance) & ~sub["retracted"]]
        ax.scatter(
            part["year"].astype(int),
            part["design_rank"],
            s=60,
            color=STANCE_COLOURS[stance],
            marker=STANCE_MARKERS[stance],
            edgecolors="white",
            linewidths=0.5,
            zorder=3,
        )
    retracted = sub[sub["retracted"]]
    if len(retracted):
        ax.scatter(
            retracted["year"].astype(int),
            retracted["design_rank"],
            s=90,
            facecolors="none",
            edgecolors="black",
            marker="o",
            label="retracted",
        )
    ranks = sub[["design_rank", "design"]].drop_duplicates().sort_values("design_rank")
    labels = ranks.groupby("design_rank")["design"].apply(
        lambda ds: " / ".join(design_label(d) for d in ds)
    )
    ax.set_yticks(list(labels.index))
    ax.set_yticklabels(list(labels.values), fontsize=8)
    ax.set_xlabel("publication year")
    first, last = int(sub["year"].min()), int(sub["year"].max())
    if last - first < MIN_YEAR_SPAN:  # a few years (or one): centre them, whole years only
        middle = (first + last) / 2
        ax.set_xlim(middle - MIN_YEAR_SPAN / 2 - 1, middle + MIN_YEAR_SPAN / 2 + 1)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.grid(True, axis="x", color="#eeeeee", zorder=0)
    ax.set_title(f"{claim_id}: evidence over time", fontsize=11, loc="left")
    _style(ax)
    _stance_legend(ax, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    # Fixed margins instead of tight_layout: one figure per claim, and each saved layout pass
    # costs a full draw (the report draws seventeen of these).
    fig.subplots_adjust(left=0.36, right=0.82, bottom=0.16, top=0.88)
    return fig


def verdict_overview(verdicts: pd.DataFrame) -> Figure:
    """Every claim's weighted evidence for (right) and against (left), coloured by verdict.

    A draft claim (`status` "draft") is labelled as not yet reviewed rather than graded.
    """
    title = "Verdicts: weighted evidence for and against each claim"
    if verdicts.empty:
        return _no_evidence(title)
    v = verdicts.sort_values("claim_id", ascending=False).reset_index(drop=True)
    fig, ax = plt.subplots(figsize=(10, max(3, 0.42 * len(v) + 1.6)))
    for y, row in v.iterrows():
        colour = VERDICT_COLOURS[row["verdict"]]
        ax.barh(y, row["support_weight"], color=colour, height=0.65)
        ax.barh(
            y,
            -row["contradict_weight"],
            color=colour,
            height=0.65,
            alpha=0.45,
            hatch="///",
            edgecolor="white",
        )
        ax.text(
            max(row["support_weight"], 0) + 0.4,
            y,
            "draft · not yet reviewed"
            if row.get("status") == "draft"
            else row.get("label") or verdict_label(row["verdict"], row["certainty"]),
            va="center",
            fontsize=8,
        )
    ax.axvline(0, color="black", linewidth=0.8)
    ax.set_yticks(range(len(v)))
    ax.set_yticklabels(
        [f"{r.claim_id}  {_shorten(r.title, 42)}" for r in v.itertuples()], fontsize=8
    )
    ax.set_xlabel("weighted evidence  (← against · for →)")
    xmax = max(v["support_weight"].max(), 1) + 12
    ax.set_xlim(-max(v["contradict_weight"].max(), 1) - 1, xmax)
    handles = [plt.Rectangle((0, 0), 1, 1, color=c) for c in VERDICT_COLOURS.values()]
    fig.legend(
        handles,
        list(VERDICT_COLOURS),
        frameon=False,
        fontsize=8,
        ncols=4,
        loc="lower center",
    )
    ax.set_title(title, fontsize=11, loc="left")
    _style(ax)
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    fig.subplots_adjust(left=0.4)  # long claim labels: tight_layout alone clips them
    return fig


def _box(ax, x: float, y: float, w: float, h: float, text: str, fill: str = "white") -> None:
    """A PRISMA box: its centre at (x, y), `w` by `h` in axes units, the text wrapped inside."""
    ax.add_patch(plt.Rectangle((x - w / 2, y - h / 2), w, h, facecolor=fill,
                               edgecolor="#333333", linewidth=0.9))  # fmt: skip
    ax.text(x, y, text, ha="center", va="center", fontsize=7.6, wrap=False, linespacing=1.25)


def _arrow(ax, start: tuple[float, float], end: tuple[float, float]) -> None:
    ax.annotate("", xy=end, xytext=start,
                arrowprops={"arrowstyle": "-|>", "color": "#333333", "linewidth": 0.9})  # fmt: skip


def _wrapped(lines: list[str], width: int = 44) -> str:
    import textwrap

    return "\n".join(textwrap.fill(line, width, subsequent_indent="   ") for line in lines)


def _reason_lines(reasons, limit: int = 4) -> list[str]:
    shown = [f"{_shorten(why, 60)} (n = {n})" for why, n in reasons.most_common(limit)]
    rest = sum(n for _why, n in reasons.most_common()[limit:])
    return shown + ([f"other reasons (n = {rest})"] if rest else [])


def prisma_flow(flow) -> Figure:
    """The PRISMA 2020 flow diagram of a claim's (or the review's) search and screening:
    identification, screening and inclusion down the left, what was removed at each step on
    the right, studies identified by other methods (by hand) in a column of their own.
    `flow` is an `evidence.prisma.Flow`; a claim curated by hand gets a note, not a diagram.
    Long because it places the boxes of the PRISMA layout one by one, top to bottom."""
    from claimbook.evidence.prisma import CURATED_BY_HAND

    title = f"PRISMA 2020 flow: {'the review' if flow.claim_id == 'review' else flow.claim_id}"
    if not flow.searched:
        return _no_evidence(title, CURATED_BY_HAND.capitalize())
    fig, ax = plt.subplots(figsize=(10, 8.2))
    ax.set_xlim(0, 1), ax.set_ylim(0, 1), ax.set_axis_off()
    lx, rx, ox, w, wr = 0.3, 0.6, 0.89, 0.3, 0.24  # column centres and widths
    queries = [f"{_shorten(r.term, 48)} ({r.searched_at[:10]}): n = {len(r.pmids)}"
               for r in flow.searches[-4:]]  # fmt: skip
    if len(flow.searches) > 4:
        queries.insert(0, f"({len(flow.searches) - 4} earlier searches)")
    if flow.claim_id == "review":  # its searches are the claims': say how many and when
        dates = sorted(r.searched_at[:10] for r in flow.searches)
        span = dates[0] if dates[0] == dates[-1] else f"{dates[0]} to {dates[-1]}"
        queries = [f"{len(dates)} saved searches of the claims, {span}"]
    rows = [0.86, 0.66, 0.48, 0.31, 0.1]
    _box(
        ax,
        lx,
        rows[0],
        w,
        0.17,
        _wrapped([f"Records identified from PubMed (n = {flow.identified}):", *queries], 52),
    )
    _box(
        ax,
        rx,
        rows[0],
        wr,
        0.1,
        _wrapped(
            ["Records removed before screening:", f"duplicate records (n = {flow.duplicates})"], 36
        ),
    )
    waiting = f"\n{flow.awaiting_screening} more awaiting screening" * bool(flow.awaiting_screening)
    _box(ax, lx, rows[1], w, 0.07, f"Records screened\n(n = {flow.screened}){waiting}")
    _box(
        ax,
        rx,
        rows[1],
        wr,
        0.14,
        _wrapped(
            [f"Records excluded (n = {flow.excluded})", *_reason_lines(flow.excluded_reasons)], 40
        ),
    )
    _box(ax, lx, rows[2], w, 0.07, f"Reports sought for full reading\n(n = {flow.sought})")
    if flow.awaiting_full_text:
        _box(
            ax,
            rx,
            rows[2],
            wr,
            0.07,
            f"Reports still being read\n(n = {flow.awaiting_full_text})",
        )
        _arrow(ax, (lx + w / 2, rows[2]), (rx - wr / 2, rows[2]))
    _box(ax, lx, rows[3], w, 0.07, f"Reports assessed in full\n(n = {flow.assessed})")
    _box(ax, rx, rows[3], wr, 0.13, _wrapped(
        [f"Reports excluded (n = {flow.excluded_full_text})",
         *_reason_lines(flow.full_text_reasons)], 40))  # fmt: skip
    _box(ax, lx, rows[4], w, 0.09, _wrapped(
        [f"Studies included (n = {flow.total_included}):", f"from the search: {flow.included}",
         f"identified by other methods: {flow.other_included}"], 46))  # fmt: skip
    _box(
        ax,
        ox,
        rows[2],
        0.18,
        0.16,
        _wrapped(
            [
                "Identified by other methods (cited or excluded by hand, not in a saved search):",
                f"n = {flow.other_identified}",
                f"excluded: {flow.other_excluded}",
            ],
            24,
        ),
        "#f2f2f2",
    )
    for a, b, h in ((rows[0], rows[1], 0.17), (rows[1], rows[2], 0.07),
                    (rows[2], rows[3], 0.07), (rows[3], rows[4], 0.07)):  # fmt: skip
        _arrow(ax, (lx, a - h / 2), (lx, b + 0.045 if b == rows[4] else b + 0.035))
    for y in (rows[0], rows[1], rows[3]):
        _arrow(ax, (lx + w / 2, y), (rx - wr / 2, y))
    ax.plot([ox, ox], [rows[2] - 0.08, rows[4]], color="#333333", linewidth=0.9)
    _arrow(ax, (ox, rows[4]), (lx + w / 2, rows[4]))
    for y0, y1, label in ((0.76, 0.96, "Identification"), (0.22, 0.74, "Screening"),
                          (0.04, 0.17, "Included")):  # fmt: skip
        ax.add_patch(plt.Rectangle((0.02, y0), 0.04, y1 - y0, facecolor="#cfe2f3",
                                   edgecolor="#5b8db8", linewidth=0.8))  # fmt: skip
        ax.text(0.04, (y0 + y1) / 2, label, rotation=90, ha="center", va="center", fontsize=9)
    ax.set_title(title, fontsize=11, loc="left")
    fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.95)
    return fig
