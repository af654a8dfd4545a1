"""Grading: the rules (a validated model read from `rules/grading.yaml`) and `grade()`, a pure
function of one claim's citations and those rules, so its logic can be pinned by property tests.

Every number the grader uses lives in the rules file; a reviewer can copy it, change it and pass
it with `--rules` (or `load_rules(path)`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from claimbook.vocab import CERTAINTIES, STANCES, Certainty, Stance, lower_certainty

__all__ = ["Grading", "Rules", "RulesError", "WeighedCitation", "grade", "load_rules"]

BUILT_IN = "rules/grading.yaml"


# --------------------------------------------------------------------------- the rules


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DesignRule(_Part):
    rank: int = Field(ge=0)
    weight: float = Field(ge=0)


class SizeBand(_Part):
    below: int = Field(ge=2)
    factor: float = Field(ge=0)


class SizeRule(_Part):
    bands: list[SizeBand]
    otherwise: float = Field(ge=0)
    unknown: float = Field(ge=0)

    @model_validator(mode="after")
    def _ascending(self) -> SizeRule:
        limits = [b.below for b in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("bands must go from the smallest `below` to the largest")
        return self


class StanceShare(_Part):
    support: float = Field(ge=0, le=1)
    contradict: float = Field(ge=0, le=1)


class VerdictRule(_Part):
    min_total_weight: float = Field(ge=0)
    supported_at_least: float = Field(gt=0.5, le=1)
    contradicted_at_most: float = Field(ge=0, lt=0.5)


class CertaintyStep(_Part):
    min_rank: int = Field(ge=0)
    level: Certainty


class CertaintyRule(_Part):
    start: list[CertaintyStep] = Field(min_length=1)
    downgrade_if_inconsistent_share: float = Field(ge=0, le=0.5)
    downgrade_if_total_n_below: int = Field(ge=0)
    size_waived_from_rank: int = Field(ge=0)
    contested_at_most: Certainty

    @model_validator(mode="after")
    def _floor(self) -> CertaintyRule:
        if min(s.min_rank for s in self.start) != 0:
            raise ValueError("the last step of `start` needs min_rank: 0 (every rank a level)")
        return self


class Rules(_Part):
    """The grading rules (see rules/grading.yaml for what each part means)."""

    designs: dict[str, DesignRule]
    pooled: frozenset[str]
    size: SizeRule
    stances: dict[Stance, StanceShare]
    verdict: VerdictRule
    certainty: CertaintyRule
    source: str = Field("built-in", exclude=True)

    @field_validator("designs")
    @classmethod
    def _has_other(cls, v: dict[str, DesignRule]) -> dict[str, DesignRule]:
        if "other" not in v:
            raise ValueError("needs an `other` entry, used for any design not listed")
        return v

    @field_validator("stances")
    @classmethod
    def _every_stance(cls, v: dict[str, StanceShare]) -> dict[str, StanceShare]:
        missing = [s for s in STANCES if s not in v]
        if missing:
            raise ValueError(f"every stance needs a share; missing {', '.join(missing)}")
        return v

    @field_validator("pooled")
    @classmethod
    def _known_designs(cls, v: frozenset[str], info: ValidationInfo) -> frozenset[str]:
        unknown = sorted(v - set(info.data.get("designs") or v))
        if unknown:
            raise ValueError(f"names designs not in `designs`: {', '.join(unknown)}")
        return v

    def _design(self, design: str) -> DesignRule:
        return self.designs.get(design, self.designs["other"])

    def rank(self, design: str) -> int:
        return self._design(design).rank

    def weight(self, design: str, n: int | None) -> float:
        """The weight one citation of this design and size carries."""
        base = self._design(design).weight
        if design in self.pooled:
            return base
        if n is None:
            return base * self.size.unknown
        for band in self.size.bands:
            if n < band.below:
                return base * band.factor
        return base * self.size.otherwise


class RulesError(ValueError):
    """A rules file is not valid: `FILE: field: message` (the first problem, and how many more)."""


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "rules"


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read grading rules from `path`, or the built-in `rules/grading.yaml`; RulesError if bad."""
    if path is None:
        text = resources.files("claimbook").joinpath(BUILT_IN).read_text("utf-8")
        source = f"built-in {BUILT_IN}"
    else:
        source = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{source}: file: cannot read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        raise RulesError(f"{source}{where}: yaml: syntax error: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise RulesError(f"{source}: rules: expected a mapping of sections")
    try:
        return Rules.model_validate({**data, "source": source})
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        msg = first["msg"].removeprefix("Value error, ")
        msg = "missing required field" if first["type"] == "missing" else msg
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RulesError(f"{source}: {_field(first['loc'])}: {msg}{more}") from None


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class WeighedCitation:
    """One citation as the grader sees it: resolved design, size, stance, retraction."""

    key: str
    stance: str
    design: str
    n: int | None = None
    retracted: bool = False
    label: str = ""  # e.g. "Maughan 1986 (PMID 3735481)", used in rationales


@dataclass
class Grading:
    """The outcome of grading one claim: verdict word, certainty and the reasons behind them."""

    verdict: str
    certainty: str
    rule: str
    rationale: str
    support_weight: float
    contradict_weight: float
    deciding: list[str] = field(default_factory=list)  # keys of the citations that decided

    @property
    def support_share(self) -> float | None:
        total = self.support_weight + self.contradict_weight
        return self.support_weight / total if total else None


def grade(citations: list[WeighedCitation], rules: Rules) -> Grading:
    """Grade one claim from its citations. Retracted citations are ignored entirely."""
    live = sorted((c for c in citations if not c.retracted), key=lambda c: c.key)
    support = contradict = 0.0
    for c in live:
        w = rules.weight(c.design, c.n)
        share = rules.stances[c.stance]
        support += w * share.support
        contradict += w * share.contradict
    support, contradict = round(support, 6), round(contradict, 6)
    total = support + contradict
    v = rules.verdict
    if total < v.min_total_weight:
        return Grading(
            "insufficient", "very low", "min_total_weight",
            f"Weighted evidence {total:g} is below the minimum of {v.min_total_weight:g}: "
            "too little research bears directly on this claim.",
            support, contradict,
        )  # fmt: skip
    s = support / total
    if s >= v.supported_at_least:
        verdict, side = "supported", "support"
        rule = f"support share {s:.0%} >= {v.supported_at_least:.0%}"
    elif s <= v.contradicted_at_most:
        verdict, side = "contradicted", "contradict"
        rule = f"support share {s:.0%} <= {v.contradicted_at_most:.0%}"
    else:
        verdict, side = "contested", "both"
        rule = f"support share {s:.0%} between the thresholds"

    def on_side(c: WeighedCitation) -> bool:
        share = rules.stances[c.stance]
        if side == "both":
            return share.support > 0 or share.contradict > 0
        return getattr(share, side) > 0

    deciding = [c for c in live if on_side(c)]
    deciding.sort(key=lambda c: (-rules.weight(c.design, c.n), c.key))
    best = max(rules.rank(c.design) for c in deciding)
    cert = rules.certainty
    certainty = next(step.level for step in cert.start if best >= step.min_rank)
    reasons = [f"best design on the deciding side ranks {best} ({certainty})"]
    loser = min(s, 1 - s)
    if verdict != "contested" and loser > cert.downgrade_if_inconsistent_share:
        certainty = lower_certainty(certainty)
        reasons.append(f"inconsistent: {loser:.0%} of the weight points the other way")
    primary = [c for c in deciding if c.design not in rules.pooled]
    pooled = [
        c
        for c in deciding
        if c.design in rules.pooled and rules.rank(c.design) >= cert.size_waived_from_rank
    ]
    total_n = sum(c.n or 0 for c in primary)
    if not pooled and total_n < cert.downgrade_if_total_n_below:
        certainty = lower_certainty(certainty)
        reasons.append(f"small: the deciding primary studies enrolled {total_n} people")
    if verdict == "contested":
        cap = cert.contested_at_most
        if CERTAINTIES.index(certainty) < CERTAINTIES.index(cap):
            certainty = cap
            reasons.append(f"a contested verdict is at most {cap}")
    names = ", ".join(c.label or c.key for c in deciding[:4])
    more = f" and {len(deciding) - 4} more" if len(deciding) > 4 else ""
    rationale = (
        f"{verdict.capitalize()} ({rule}; weight {support:g} for, {contradict:g} against). "
        f"Decided chiefly by {names}{more}. Certainty {certainty}: " + "; ".join(reasons) + "."
    )
    return Grading(
        verdict, certainty, rule, rationale, support, contradict, [c.key for c in deciding]
    )
