"""Figures: each returns a Figure that shows what it claims to, in the colour-blind-safe palette."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # tests render off-screen

import matplotlib.pyplot as plt
import pytest
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from claimbook.evidence import plots
from claimbook.evidence.review import load_review

from conftest import ROOT


@pytest.fixture(scope="module")
def review():
    return load_review(ROOT / "claims", ROOT / "data")


def _colours(ax) -> set[str]:
    out = set()
    for coll in ax.collections:
        for c in coll.get_facecolors():
            out.add(to_hex(c, keep_alpha=False))
    for patch in ax.patches:
        out.add(to_hex(patch.get_facecolor(), keep_alpha=False))
    return out


def test_evidence_map_has_a_row_per_claim_and_stance_colours(review):
    fig = plots.evidence_map(review.table)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == sorted(c.id for c in review.claims)
    stances = set(review.table["stance"])
    assert {plots.STANCE_COLOURS[s].lower() for s in stances} <= _colours(ax)
    plt.close(fig)


def test_stance_bars_add_up_to_the_citation_counts(review):
    fig = plots.stance_bars(review.table, ["C01", "C12"])
    ax = fig.axes[0]
    widths: dict[str, float] = {}
    for patch in ax.patches:
        y = round(patch.get_y() + patch.get_height() / 2)
        widths[y] = widths.get(y, 0) + patch.get_width()
    labels = [t.get_text() for t in ax.get_yticklabels()]
    for claim_id in ("C01", "C12"):
        n = int((review.table["claim_id"] == claim_id).sum())
        assert widths[labels.index(claim_id)] == n
    plt.close(fig)


def test_timeline_places_each_citation_by_year(review):
    fig = plots.timeline(review.table, "C11")
    ax = fig.axes[0]
    years = sorted(int(x) for coll in ax.collections for x, _ in coll.get_offsets())
    expected = sorted(int(y) for y in review.table.query("claim_id == 'C11'")["year"].dropna())
    assert years == expected
    plt.close(fig)


def test_verdict_overview_colours_bars_by_verdict(review):
    fig = plots.verdict_overview(review.verdicts)
    ax = fig.axes[0]
    assert len(ax.get_yticklabels()) == len(review.verdicts)
    used = {plots.VERDICT_COLOURS[v].lower() for v in review.verdicts["verdict"]}
    assert used <= _colours(ax)
    plt.close(fig)


def test_palette_is_okabe_ito():
    okabe_ito = {"#0072b2", "#d55e00", "#e69f00", "#cc79a7", "#999999"}
    assert {c.lower() for c in plots.STANCE_COLOURS.values()} <= okabe_ito
    assert {c.lower() for c in plots.VERDICT_COLOURS.values()} <= okabe_ito
    assert len(set(plots.VERDICT_COLOURS.values())) == len(plots.VERDICT_COLOURS)


def _texts(fig) -> list[str]:
    return [t.get_text() for ax in fig.axes for t in ax.texts]


def test_empty_input_gives_a_no_evidence_figure_not_an_error(review):
    """A new review (no claims), drafts only, or claims without citations: each figure says
    there is nothing yet instead of failing."""
    table = review.table.iloc[0:0]
    figures = [
        plots.evidence_map(table),
        plots.stance_bars(table),
        plots.stance_bars(review.table, ["X99"]),  # a claim without citations
        plots.timeline(review.table, "X99"),
        plots.verdict_overview(review.verdicts.iloc[0:0]),
    ]
    for fig in figures:
        assert isinstance(fig, Figure)
        assert _texts(fig) == [plots.NO_EVIDENCE]
        assert fig.axes[0].get_title(loc="left")  # still says which figure it is
        plt.close(fig)


def test_verdict_overview_labels_a_draft_as_not_reviewed(review):
    v = review.verdicts.copy()
    v.loc[v["claim_id"] == "C02", "status"] = "draft"
    fig = plots.verdict_overview(v)
    labels = _texts(fig)
    assert labels.count("draft · not yet reviewed") == 1
    assert len(labels) == len(v)
    plt.close(fig)


def test_a_timeline_of_few_years_shows_at_least_ten_whole_years(review):
    one = review.table[review.table["claim_id"] == "C11"].head(1)
    year = int(one["year"].iloc[0])
    fig = plots.timeline(one, "C11")
    ax = fig.axes[0]
    low, high = ax.get_xlim()
    assert high - low >= plots.MIN_YEAR_SPAN and low < year < high
    fig.canvas.draw()
    ticks = [t for t in ax.get_xticks() if low <= t <= high]
    assert ticks and all(float(t).is_integer() for t in ticks)
    plt.close(fig)


def test_a_long_timeline_keeps_matplotlibs_own_limits(review):
    fig = plots.timeline(review.table, "C11")
    low, high = fig.axes[0].get_xlim()
    years = review.table.query("claim_id == 'C11'")["year"].dropna().astype(int)
    assert low < years.min() and high > years.max() and high - low > plots.MIN_YEAR_SPAN + 2
    plt.close(fig)
