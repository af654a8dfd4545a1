"""Grading: the rules (a validated model read from `rules/grading.yaml`) and `grade()`, a pure
function of one claim's citations and those rules, so its logic can be pinned by property tests.

Every number the grader uses lives in the rules file; a reviewer can copy it, change it and pass
it with `--rules` (or `load_rules(path)`).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
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

from claimbook.errors import ClaimbookError
from claimbook.inputs import InputError, read_capped
from claimbook.vocab import CERTAINTIES, STANCES, VERDICTS, Certainty, Stance

__all__ = ["Grading", "Rules", "RulesError", "WeighedCitation", "grade", "load_rules"]

BUILT_IN = "rules/grading.yaml"


# --------------------------------------------------------------------------- the rules


def _complete(mapping: dict, keys: tuple[str, ...], what: str) -> dict:
    """`mapping` if it has every key, else a ValueError saying `what` and which are missing."""
    missing = [k for k in keys if k not in mapping]
    if missing:
        raise ValueError(f"{what}; missing {', '.join(missing)}")
    return mapping


class _Part(BaseModel):
    # allow_inf_nan=False: a weight of .inf or .nan would make every share NaN
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


MAX_WEIGHT = 1e6  # far above any sane weight, far below where sums of weights overflow


def _number(**limits: float) -> Any:
    """A number field: strict (true/false is not a number), finite, within `limits`."""
    return Field(strict=True, **limits)


class DesignRule(_Part):
    rank: int = _number(ge=0)
    weight: float = _number(ge=0, le=MAX_WEIGHT)


class SizeBand(_Part):
    below: int = _number(ge=2)
    factor: float = _number(ge=0, le=MAX_WEIGHT)


class SizeRule(_Part):
    bands: list[SizeBand]
    otherwise: float = _number(ge=0, le=MAX_WEIGHT)
    unknown: float = _number(ge=0, le=MAX_WEIGHT)

    @model_validator(mode="after")
    def _ascending(self) -> SizeRule:
        limits = [b.below for b in self.bands]
        if limits != sorted(set(limits)):
            raise ValueError("bands must go from the smallest `below` to the largest")
        return self


class StanceShare(_Part):
    support: float = _number(ge=0, le=1)
    contradict: float = _number(ge=0, le=1)


class VerdictRule(_Part):
    # gt=0: with no weight at all (only context citations) the support share would be 0/0
    min_total_weight: float = _number(gt=0, le=MAX_WEIGHT)
    supported_at_least: float = _number(gt=0.5, le=1)
    contradicted_at_most: float = _number(ge=0, lt=0.5)


class CertaintyRule(_Part):
    size_waived_from_rank: int = _number(ge=0)
    contested_at_most: Certainty


class Threshold(_Part):
    serious_share: float = _number(ge=0, le=1)
    very_serious_share: float = _number(ge=0, le=1)


class ImprecisionRule(_Part):
    serious_below: int = _number(ge=0)
    very_serious_below: int = _number(ge=0)


class PublicationBiasRule(_Part):
    signals: list[str]


class UpgradeRule(_Part):
    large_ratio: float = _number(gt=1, le=MAX_WEIGHT)


class GradeRule(_Part):
    start: dict[Certainty, list[str]]
    risk_of_bias: Threshold
    inconsistency: Threshold
    indirectness: Threshold
    imprecision: ImprecisionRule
    publication_bias: PublicationBiasRule
    upgrade: UpgradeRule

    def start_level(self, design: str) -> str:
        for level in CERTAINTIES:
            if design in self.start.get(level, []):
                return level
        return "very low"


class Statements(_Part):
    """One statement per verdict word of claimbook.vocab: a sentence, or one per certainty.
    A word added to the vocabulary needs only its statement here, in the rules file."""

    model_config = ConfigDict(extra="allow", frozen=True)

    supported: dict[Certainty, str]
    contradicted: dict[Certainty, str]
    contested: str
    unclear: str
    insufficient: str

    @field_validator("supported", "contradicted")
    @classmethod
    def _every_level(cls, v: dict[str, str]) -> dict[str, str]:
        return _complete(v, CERTAINTIES, "a statement for every certainty")

    @model_validator(mode="after")
    def _every_word(self) -> Statements:
        for word, text in (self.__pydantic_extra__ or {}).items():
            if word not in VERDICTS:
                raise ValueError(f"{word}: not a verdict word (words: {', '.join(VERDICTS)})")
            if isinstance(text, dict):
                _complete(text, CERTAINTIES, f"{word}: a statement for every certainty")
            elif not isinstance(text, str):
                raise ValueError(f"{word}: a sentence, or one sentence per certainty")
        missing = [w for w in VERDICTS if getattr(self, w, None) is None]
        if missing:
            raise ValueError(f"a statement for every verdict; missing {', '.join(missing)}")
        return self


class Rules(_Part):
    """The grading rules (see rules/grading.yaml for what each part means)."""

    designs: dict[str, DesignRule]
    pooled: frozenset[str]
    size: SizeRule
    stances: dict[Stance, StanceShare]
    verdict: VerdictRule
    certainty: CertaintyRule
    grade: GradeRule
    statements: Statements
    source: str = Field("built-in", exclude=True)

    @field_validator("designs")
    @classmethod
    def _has_other(cls, v: dict[str, DesignRule]) -> dict[str, DesignRule]:
        if "other" not in v:
            raise ValueError("needs an `other` entry, used for any design not listed")
        if not any(d.weight > 0 for d in v.values()):
            raise ValueError("every weight is 0, so no citation would ever count; give some > 0")
        return v

    @field_validator("stances")
    @classmethod
    def _every_stance(cls, v: dict[str, StanceShare]) -> dict[str, StanceShare]:
        _complete(v, STANCES, "every stance needs a share")
        if not any(s.support > 0 or s.contradict > 0 for s in v.values()):
            raise ValueError("every share is 0, so no citation would ever count; give some > 0")
        if not any(s.support > 0 for s in v.values()):
            raise ValueError("no stance has a support share above 0, so nothing could be supported")
        if not any(s.contradict > 0 for s in v.values()):
            raise ValueError(
                "no stance has a contradict share above 0, so nothing could be contradicted"
            )
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


MAX_RULES_BYTES = 2**20  # the built-in rules are 5 KB


class _AliasError(ClaimbookError, yaml.MarkedYAMLError):
    """An alias (*name) in a rules file."""


class _NoAliases(yaml.SafeLoader):
    """YAML without aliases: a rules file needs none, and nested ones can blow up ("billion
    laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            raise _AliasError(problem_mark=self.peek_event().start_mark)
        return super().compose_node(parent, index)


class RulesError(ClaimbookError, ValueError):
    """A rules file is not valid: `FILE: field: message` (the first problem, and how many more)."""


def _field(loc: tuple[Any, ...]) -> str:
    return ".".join(str(p) for p in loc) or "rules"


def _message(error: dict[str, Any]) -> str:
    """pydantic's message for one error, in the words of a rules file."""
    if error["type"] == "missing":
        return "missing required field"
    if error["type"] == "finite_number":
        return "must be a finite number (not .inf or .nan)"
    if error["type"] in ("float_type", "int_type") and isinstance(error["input"], bool):
        return f"must be a number, not {str(error['input']).lower()}"
    return error["msg"].removeprefix("Value error, ")


def load_rules(path: str | os.PathLike[str] | None = None) -> Rules:
    """Read grading rules from `path`, or the built-in `rules/grading.yaml`; RulesError if bad."""
    if path is None:
        text = resources.files("claimbook.evidence").joinpath(BUILT_IN).read_text("utf-8")
        source = f"built-in {BUILT_IN}"
    else:
        source = str(path)
        try:
            text = read_capped(path, MAX_RULES_BYTES, "rules file").decode("utf-8")
        except InputError as exc:
            raise RulesError(f"{exc.file}: file: {exc.message}") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise RulesError(f"{source}: file: cannot read: {exc}") from None
    try:
        data = yaml.load(text, Loader=_NoAliases)  # a SafeLoader that refuses aliases
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark else ""
        if isinstance(exc, _AliasError):
            raise RulesError(
                f"{source}{where}: yaml: aliases (*name) are not allowed in a rules file; write "
                "the value out"
            ) from None
        raise RulesError(f"{source}{where}: yaml: syntax error: {exc}".splitlines()[0]) from None
    if not isinstance(data, dict):
        raise RulesError(f"{source}: rules: expected a mapping of sections")
    try:
        return Rules.model_validate({**data, "source": source})
    except ValidationError as exc:
        errors = exc.errors()
        first = errors[0]
        more = f" (+{len(errors) - 1} more)" if len(errors) > 1 else ""
        raise RulesError(f"{source}: {_field(first['loc'])}: {_message(first)}{more}") from None


# --------------------------------------------------------------------------- grading


@dataclass(frozen=True)
class WeighedCitation:
    """One citation as the grader sees it: resolved design, size, stance, retraction, and the
    reviewer's appraisal (risk of bias, indirectness, reported effect) where recorded."""

    key: str
    stance: str
    design: str
    n: int | None = None
    retracted: bool = False
    label: str = ""  # e.g. "Maughan 1986 (PMID 3735481)", used in rationales
    risk_of_bias: str | None = None  # low / some concerns / high
    bias_reason: str | None = None
    indirect: str | None = None  # population / intervention / outcome (None or "none": direct)
    indirect_note: str | None = None
    effect_size: str | None = None
    dose_response: bool = False

    @property
    def name(self) -> str:
        return self.label or self.key


# How many certainty levels a domain's rating takes off.
LEVELS_DOWN = {"not serious": 0, "serious": 1, "very serious": 2, "undetected": 0,
               "strongly suspected": 1, "not rated": 0}  # fmt: skip


class Rating(str):
    """A GRADE domain's rating and its reason, as a value: `r.rating` ('serious'), `r.reason`
    and `r.levels` (levels it takes off) for code; as text, 'serious: reason' for tables and
    reports (a str, so a DataFrame, JSON or a template shows it as it always did)."""

    rating: str
    reason: str

    def __new__(cls, rating: str, reason: str) -> Rating:
        obj = super().__new__(cls, f"{rating}: {reason}")
        obj.rating, obj.reason = rating, reason
        return obj

    def __getnewargs__(self) -> tuple[str, str]:
        return self.rating, self.reason

    @property
    def levels(self) -> int:
        return LEVELS_DOWN[self.rating]

    @property
    def lowers(self) -> bool:
        """Whether this rating takes certainty down (and so gets a footnote)."""
        return self.levels > 0


@dataclass
class Grading:
    """The outcome of grading one claim: verdict word, GRADE certainty and domains, the plain
    statement and the papers that decided it."""

    verdict: str
    certainty: str
    rule: str  # the arithmetic behind the verdict word (for the method appendix, not for readers)
    rationale: str
    support_weight: float
    contradict_weight: float
    deciding: list[str] = field(default_factory=list)  # keys of the citations that decided
    statement: str = ""
    domains: dict[str, Rating] = field(default_factory=dict)  # domain -> its Rating
    start: str = ""  # where certainty started
    upgrades: list[str] = field(default_factory=list)

    @property
    def support_share(self) -> float | None:
        total = self.support_weight + self.contradict_weight
        return self.support_weight / total if total else None


def claim_clause(claim: str) -> str:
    """A claim sentence as a clause: 'Coffee raises blood pressure.' -> 'coffee raises blood
    pressure' (an acronym keeps its capitals)."""
    text = claim.strip().rstrip(".")
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and first[:2].isupper()
    return text if acronym else text[:1].lower() + text[1:]


def statement(verdict: str, certainty: str, claim: str, rules: Rules) -> str:
    """The verdict as one plain sentence in GRADE's informative style."""
    s = rules.statements
    template = getattr(s, verdict)
    if isinstance(template, dict):
        template = template[certainty]
    return template.format(claim=claim_clause(claim))


def _names(cits: list[WeighedCitation], limit: int = 3) -> str:
    names = ", ".join(c.name for c in cits[:limit])
    return names + (f" and {len(cits) - limit} more" if len(cits) > limit else "")


def _rated(share: float, threshold: Threshold) -> str:
    if share >= threshold.very_serious_share:
        return "very serious"
    if share >= threshold.serious_share:
        return "serious"
    return "not serious"


_RATIO = re.compile(r"\b(?:OR|RR|HR|IRR|PR)\s*(?:=|of)?\s*(\d+(?:\.\d+)?)", re.I)


def _large(c: WeighedCitation, ratio: float) -> bool:
    m = _RATIO.search(c.effect_size or "")
    if not m:
        return False
    value = float(m.group(1))
    return value >= ratio or (0 < value <= 1 / ratio)


@dataclass(frozen=True)
class Body:
    """The body of evidence a verdict rests on, as the domain rules see it."""

    deciding: list[WeighedCitation]  # the citations on the verdict's side
    others: list[WeighedCitation]  # those pointing the other way
    loser: float  # the other side's share of the weight
    verdict: str
    rules: Rules

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: self.rules.weight(c.design, c.n) for c in self.deciding}

    def share(self, cits: list[WeighedCitation]) -> float:
        """The share of the deciding weight that `cits` carry."""
        weights = self.weights
        return sum(weights[c.key] for c in cits) / (sum(weights.values()) or 1.0)


def risk_of_bias(body: Body) -> Rating:
    """Serious when studies appraised at high risk of bias carry much of the deciding weight."""
    high = [c for c in body.deciding if c.risk_of_bias == "high"]
    level = _rated(body.share(high), body.rules.grade.risk_of_bias)
    if high and level != "not serious":
        return Rating(level, f"at high risk of bias: {_names(high)} ({high[0].bias_reason})")
    if high:
        why = f"the studies at high risk of bias ({_names(high)}) carry little of the weight"
        return Rating(level, why)
    if any(c.risk_of_bias for c in body.deciding):
        return Rating(level, "no deciding study was rated at high risk of bias")
    return Rating(level, "no deciding study has a recorded appraisal")


def inconsistency(body: Body) -> Rating:
    """Serious when the studies disagree: a contested or unclear verdict, or much weight on the
    other side."""
    if body.verdict == "contested":
        return Rating("serious", "studies point both ways")
    if body.verdict == "unclear":
        return Rating("serious", "results are mixed or partial rather than consistent")
    level = _rated(body.loser, body.rules.grade.inconsistency)
    others = body.others
    return Rating(level, f"{_names(others)} point the other way" if others else "the results agree")


def indirectness(body: Body) -> Rating:
    """Serious when studies of another population, intervention or outcome carry the weight."""
    indirect = [c for c in body.deciding if c.indirect and c.indirect != "none"]
    level = _rated(body.share(indirect), body.rules.grade.indirectness)
    if indirect and level == "not serious":
        why = f"the indirect studies ({_names(indirect)}) carry little of the weight"
    elif indirect:
        first = indirect[0]
        why = f"indirect: {_names(indirect)} ({first.indirect}: {first.indirect_note})"
    else:
        why = "the deciding studies address the claim directly, as far as recorded"
    return Rating(level, why)


def imprecision(body: Body) -> Rating:
    """Serious when the deciding primary studies enrolled few people (pooled evidence of a
    high enough rank waives it)."""
    rules, g = body.rules, body.rules.grade.imprecision
    primary = [c for c in body.deciding if c.design not in rules.pooled]
    waive = rules.certainty.size_waived_from_rank
    pooled = [
        c for c in body.deciding if c.design in rules.pooled and rules.rank(c.design) >= waive
    ]
    if pooled:
        return Rating("not serious", f"pooled evidence decides ({_names(pooled, 2)})")
    total_n = sum(c.n or 0 for c in primary)
    level = (
        "very serious" if total_n < g.very_serious_below
        else "serious" if total_n < g.serious_below
        else "not serious"
    )  # fmt: skip
    return Rating(level, f"the deciding primary studies enrolled {total_n} people")


def publication_bias(body: Body) -> Rating:
    """Strongly suspected when an appraisal of a paper on the verdict's own side names a sign
    of it (a flaw of the other side's papers does not weaken this verdict)."""
    signals = [s.lower() for s in body.rules.grade.publication_bias.signals]
    own = {"supported": ("supports",), "contradicted": ("contradicts",)}.get(
        body.verdict, ("supports", "contradicts", "mixed")
    )
    flagged = [
        c for c in body.deciding
        if c.stance in own and any(s in (c.bias_reason or "").lower() for s in signals)
    ]  # fmt: skip
    if flagged:
        return Rating("strongly suspected", f"{_names(flagged)} ({flagged[0].bias_reason})")
    return Rating("undetected", "no deciding paper's appraisal suggests it")


# The five GRADE domains, in GRADE's order: each a small rule from the body of evidence to a
# Rating. A new domain rule is a function here and its name in this list.
DOMAIN_RULES: tuple[tuple[str, Callable[[Body], Rating]], ...] = (
    ("risk_of_bias", risk_of_bias),
    ("inconsistency", inconsistency),
    ("indirectness", indirectness),
    ("imprecision", imprecision),
    ("publication_bias", publication_bias),
)
DOMAINS = tuple(name for name, _ in DOMAIN_RULES)


def _upgrades(body: Body) -> list[str]:
    """GRADE's upgrades for evidence not downgraded: a large effect, a dose-response gradient."""
    large = [c for c in body.deciding if _large(c, body.rules.grade.upgrade.large_ratio)]
    graded = [c for c in body.deciding if c.dose_response]
    return [
        *([f"large effect: {_names(large)} ({large[0].effect_size})"] if large else []),
        *([f"dose-response: {_names(graded)}"] if graded else []),
    ]


def _domains(
    deciding: list[WeighedCitation],
    others: list[WeighedCitation],
    loser: float,
    verdict: str,
    rules: Rules,
) -> tuple[dict[str, Rating], int, list[str]]:
    """The five GRADE domains for the deciding evidence (ratings with reasons naming papers),
    the levels they take off, and the upgrades that apply."""
    body = Body(deciding, others, loser, verdict, rules)
    out = {name: rule(body) for name, rule in DOMAIN_RULES}
    down = sum(r.levels for r in out.values())
    return out, down, (_upgrades(body) if down == 0 else [])


def grade(
    citations: list[WeighedCitation], rules: Rules, claim: str = "this claim is true"
) -> Grading:
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
        text = statement("insufficient", "very low", claim, rules)
        return Grading(
            "insufficient", "very low", "min_total_weight",
            text + " Too little research bears directly on this claim to grade it.",
            support, contradict, statement=text,
            domains=dict.fromkeys(DOMAINS, Rating("not rated", "too little evidence")),
            start="very low",
        )  # fmt: skip
    s = support / total
    against = [c for c in live if c.stance == "contradicts"]
    if s >= v.supported_at_least:
        verdict, side = "supported", "support"
        rule = f"support share {s:.0%} >= {v.supported_at_least:.0%}"
    elif s <= v.contradicted_at_most:
        verdict, side = "contradicted", "contradict"
        rule = f"support share {s:.0%} <= {v.contradicted_at_most:.0%}"
    else:
        verdict, side = ("contested" if against else "unclear"), "both"
        rule = f"support share {s:.0%} between the thresholds"
    rule += f"; weight {support:g} for, {contradict:g} against"

    def on_side(c: WeighedCitation) -> bool:
        share = rules.stances[c.stance]
        if side == "both":
            return share.support > 0 or share.contradict > 0
        return getattr(share, side) > 0

    deciding = [c for c in live if on_side(c)]
    deciding.sort(key=lambda c: (-rules.weight(c.design, c.n), c.key))
    start = max(
        (rules.grade.start_level(c.design) for c in deciding), key=lambda lv: -CERTAINTIES.index(lv)
    )
    loser = min(s, 1 - s)
    side_of = "contradict" if verdict == "supported" else "support"
    others = [c for c in live if getattr(rules.stances[c.stance], side_of) > 0]
    others.sort(key=lambda c: (-rules.weight(c.design, c.n), c.key))
    domains, down, upgrades = _domains(deciding, others, loser, verdict, rules)
    level = CERTAINTIES.index(start) + down - len(upgrades)
    certainty = CERTAINTIES[max(0, min(level, len(CERTAINTIES) - 1))]
    if verdict in ("contested", "unclear"):
        cap = rules.certainty.contested_at_most
        if CERTAINTIES.index(certainty) < CERTAINTIES.index(cap):
            certainty = cap
    text = statement(verdict, certainty, claim, rules)
    pro = [c for c in deciding if rules.stances[c.stance].support > 0]
    con = [c for c in deciding if rules.stances[c.stance].contradict > 0 and c not in pro]
    con += [c for c in live if c.stance == "contradicts" and c not in con and c not in pro]
    sides = [f"For the claim: {_names(pro)}." if pro else "No study supports it."]
    if verdict == "supported":
        sides.append(f"Against it: {_names(con)}." if con else "Nothing found contradicts it.")
    elif con:
        sides.append(f"Against it: {_names(con)}.")
    rationale = f"{text} {' '.join(sides)}"
    return Grading(
        verdict, certainty, rule, rationale, support, contradict, [c.key for c in deciding],
        statement=text, domains=domains, start=start, upgrades=upgrades,
    )  # fmt: skip
