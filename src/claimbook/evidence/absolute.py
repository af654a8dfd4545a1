"""Absolute effects, as GRADEpro computes them: a relative effect (risk ratio or odds ratio)
applied to the outcome's baseline risk gives the risk with the intervention, per 1000 people.

    RR:  risk with = baseline x RR
    OR:  risk with = OR x baseline / (1 - baseline + OR x baseline)

The interval of the risk with the intervention comes from the ratio's interval the same way,
and the difference (more or fewer per 1000) is that risk minus the baseline. Rounded to whole
people, halves up, as GRADEpro shows them. Nothing here is estimated: with no ratio or no
baseline recorded, the Summary of Findings says so in plain words instead (`why_none`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from claimbook.claims.risk import BaselineRisk, Ratio

NO_ABSOLUTE = (
    "No absolute effect: no study of this outcome reports a risk ratio or odds ratio with a "
    "known baseline risk, the two numbers an effect per 1000 people is computed from."
)


def none_for(ids: list[str]) -> str:
    """One line under a Summary of Findings table for the outcomes that have neither number."""
    them = "them" if len(ids) > 1 else "it"
    return (
        f"No absolute effect (per 1000 people) is computed for {', '.join(ids)}: no study of "
        f"{them} reports a risk ratio or odds ratio together with a known baseline risk, the "
        "two numbers it is computed from. Nothing is estimated; a figure per 1000 in the Effect "
        "column is the paper's own."
    )


def risk_with(measure: str, ratio: float, baseline: float) -> float:
    """The risk with the intervention, from the baseline risk and a risk or odds ratio."""
    if measure == "RR":
        return min(baseline * ratio, 1.0)  # a risk cannot pass 1, however large the ratio
    if measure == "OR":
        return ratio * baseline / (1 - baseline + ratio * baseline)
    raise ValueError(f"unknown ratio measure {measure!r}; use RR or OR")


def _whole(x: float) -> int:
    """Round to a whole number, halves up (GRADEpro's display), not to even."""
    return math.floor(x + 0.5)


@dataclass(frozen=True)
class Absolute:
    """An absolute effect per `per` people: the baseline, the risk with the intervention and
    the difference, each interval (low, high) present when the ratio has one."""

    per: int
    without: int
    with_: int
    with_ci: tuple[int, int] | None
    difference: int
    difference_ci: tuple[int, int] | None
    ratio: Ratio
    source: str

    def text(self) -> str:
        """'94 per 1000 without it (source); 127 per 1000 with it (110 to 146): 33 more per
        1000 (16 more to 52 more), from RR 1.35 (1.17 to 1.55)'."""
        r, per = self.ratio, self.per
        ratio = f"{r.measure} {r.estimate:g}"
        if r.low is not None:
            ratio += f" ({r.low:g} to {r.high:g})"
        with_ci = f" ({self.with_ci[0]} to {self.with_ci[1]})" if self.with_ci else ""
        diff_ci = ""
        if self.difference_ci:
            lo, hi = self.difference_ci
            diff_ci = f" ({_more(lo)} to {_more(hi)})"
        return (
            f"{self.without} per {per} without it ({self.source}); {self.with_} per {per} with "
            f"it{with_ci}: {_more(self.difference)} per {per}{diff_ci}, from {ratio}"
        )


def _more(n: int) -> str:
    return f"{n} more" if n > 0 else f"{-n} fewer"


def absolute_effect(baseline: BaselineRisk, ratio: Ratio) -> Absolute:
    """The absolute effect of `ratio` at `baseline`, per `baseline.per` people."""
    per, b = baseline.per, baseline.risk

    def per_n(x: float) -> int:
        return _whole(risk_with(ratio.measure, x, b) * per)

    without, with_ = _whole(b * per), per_n(ratio.estimate)
    with_ci = (per_n(ratio.low), per_n(ratio.high)) if ratio.low is not None else None
    diff_ci = (with_ci[0] - without, with_ci[1] - without) if with_ci else None
    return Absolute(per, without, with_, with_ci, with_ - without, diff_ci, ratio, baseline.source)


def why_none(baseline: BaselineRisk | None, has_ratio: bool) -> str:
    """Why an outcome has no absolute effect, in plain words."""
    if baseline is not None:
        said = f"{_whole(baseline.risk * baseline.per)} per {baseline.per}"
        return (
            f"No absolute effect: the baseline risk is known ({said}, {baseline.source}), but "
            "no study of this outcome reports a risk ratio or odds ratio to apply to it."
        )
    if has_ratio:
        return (
            "No absolute effect: a study reports a risk or odds ratio, but no baseline risk "
            "(the risk without the intervention) is recorded for this outcome."
        )
    return NO_ABSOLUTE
