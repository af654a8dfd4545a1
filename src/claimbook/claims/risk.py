"""What an absolute effect is computed from (issue 24, item 2): a paper's relative effect as
numbers (`Ratio`: a risk ratio or odds ratio with its confidence interval) and the outcome's
baseline risk (`BaselineRisk`: the risk without the intervention, with where it comes from).

Both are optional and both must be read in a cited paper, never guessed: the baseline's
`source` names the PMID or DOI of a paper the claim cites (e.g. 'the placebo group of PMID'
and its number). claimbook.evidence.absolute turns the two into risks per 1000.
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import Field, model_validator

from claimbook.claims.study import _Model

RatioMeasure = Literal["RR", "OR"]
_PMID = re.compile(r"\bPMID:?\s*(\d{1,9})\b", re.I)
_DOI = re.compile(r"\b(10\.\d{4,9}/\S+[^\s.,;)])", re.I)


class Ratio(_Model):
    """A relative effect as the paper reports it: RR (risk ratio) or OR (odds ratio), its
    estimate and, when reported, its confidence interval."""

    measure: RatioMeasure = Field(description="RR (risk ratio) or OR (odds ratio)")
    estimate: float = Field(gt=0, description="e.g. 1.35")
    low: float | None = Field(None, gt=0, description="the interval's lower end, e.g. 1.1")
    high: float | None = Field(None, gt=0, description="the interval's upper end, e.g. 1.6")

    @model_validator(mode="after")
    def _interval(self) -> Ratio:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both ends of the interval (low and high) or neither")
        if self.low is not None and not self.low <= self.estimate <= self.high:
            raise ValueError(
                f"the interval {self.low:g} to {self.high:g} must hold the estimate "
                f"{self.estimate:g}"
            )
        return self


class BaselineRisk(_Model):
    """The outcome's risk without the intervention, as a cited paper reports it (its control
    group's, or a cohort's): `risk` as a proportion, shown per `per` people."""

    risk: float = Field(gt=0, lt=1, description="a proportion, e.g. 0.094 for 94 in 1000")
    per: int = Field(1000, description="shown per 100, 1000, 10000 ... people")
    source: str = Field(
        min_length=8,
        description="where the risk is reported: a cited paper's PMID or DOI, e.g. 'the placebo "
        "group of PMID' and its number",
    )

    @model_validator(mode="after")
    def _sourced(self) -> BaselineRisk:
        if self.per not in (100, 1000, 10000, 100000):
            raise ValueError("per must be 100, 1000, 10000 or 100000")
        if not self.idents():
            raise ValueError(
                "source must name the PMID or DOI of a cited paper that reports the risk, "
                "e.g. 'the placebo group of PMID' and its number"
            )
        return self

    def idents(self) -> set[str]:
        """The PMIDs and (lower-case) DOIs the source names."""
        return {*_PMID.findall(self.source), *(d.lower() for d in _DOI.findall(self.source))}


def check_baseline_cited(baseline: BaselineRisk | None, evidence: list) -> None:
    """The baseline's source must be a paper this claim (or part) cites."""
    if baseline is None:
        return
    cited = {c.pmid for c in evidence if c.pmid} | {c.doi.lower() for c in evidence if c.doi}
    if not baseline.idents() & cited:
        names = ", ".join(sorted(baseline.idents()))
        raise ValueError(
            f"baseline_risk: its source ({names}) is not among the papers this claim cites; "
            "cite the paper that reports the risk"
        )
