"""The grading rules: a validated model read from `rules/grading.yaml` (`load_rules`), and the
plain statement each verdict is said in.

Every number the grader uses lives in the rules file; a reviewer can copy it, change it and pass
it with `--rules` (or `load_rules(path)`). A rules file that does not fit the model is a
`RulesError` naming the file, the field and what is wrong.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
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
from claimbook.vocab import (
    CERTAINTIES,
    DOMAIN_LABELS,
    GRADED_QUESTIONS,
    STANCES,
    VERDICTS,
    VERY_LOW,
    Certainty,
    Stance,
)

__all__ = ["Rules", "RulesError", "Wording", "load_rules", "statement", "wording"]

BUILT_IN = "rules/grading.yaml"


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
    laboratory_only_at_most: Certainty
    small_study_below: int = _number(ge=0)


class Threshold(_Part):
    serious_share: float = _number(ge=0, le=1)
    very_serious_share: float = _number(ge=0, le=1)


class ImprecisionRule(_Part):
    serious_below: int = _number(ge=0)
    very_serious_below: int = _number(ge=0)


class UpgradeRule(_Part):
    large_ratio: float = _number(gt=1, le=MAX_WEIGHT)


_NO_SIGNALS = (
    f"no longer read: {DOMAIN_LABELS['publication_bias']} is a reviewer's judgement recorded on "
    "each claim "
    "(publication_bias: {rating: strongly suspected, reason: ...}), never a keyword match; "
    "delete this section"
)


class GradeRule(_Part):
    start: dict[str, dict[Certainty, list[str]]]  # question kind -> level -> designs
    risk_of_bias: Threshold
    inconsistency: Threshold
    indirectness: Threshold
    imprecision: ImprecisionRule
    upgrade: UpgradeRule

    @model_validator(mode="before")
    @classmethod
    def _no_keyword_publication_bias(cls, data: Any) -> Any:
        if isinstance(data, dict) and "publication_bias" in data:
            raise ValueError(f"publication_bias: {_NO_SIGNALS}")
        return data

    @field_validator("start", mode="before")
    @classmethod
    def _per_question(cls, v: Any) -> Any:
        if isinstance(v, dict) and set(v) & set(CERTAINTIES):
            raise ValueError(
                "start levels are now given per question kind "
                f"({', '.join(GRADED_QUESTIONS)}), each with its levels and designs; copy the "
                "built-in rules file's `grade.start`"
            )
        if isinstance(v, dict):
            _complete(v, GRADED_QUESTIONS, "start levels for every graded question kind")
            unknown = sorted(set(v) - set(GRADED_QUESTIONS))
            if unknown:
                raise ValueError(
                    f"{', '.join(unknown)}: not a graded question kind "
                    f"(kinds: {', '.join(GRADED_QUESTIONS)})"
                )
        return v

    def start_level(self, design: str, question: str = "effect") -> str:
        """The certainty a body of evidence of this design starts at, for this kind of
        question (the lowest if unlisted)."""
        levels = self.start.get(question) or self.start["effect"]
        for level in CERTAINTIES:
            if design in levels.get(level, []):
                return level
        return VERY_LOW


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
    context_designs: frozenset[str]
    laboratory: frozenset[str]
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

    @field_validator("pooled", "context_designs", "laboratory")
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


# --------------------------------------------------------------------------- statements


@dataclass(frozen=True)
class Wording:
    """A claim as its statement grades it: `text`, worded positively, and whether the article
    asserts its negation (`negated`). The verdict is read against the article's claim; the
    statement is said of the positive wording, so a claim the article words negatively ("salt
    does not raise blood pressure") never reads "whether ... does not": its statement is about
    "salt raises blood pressure", with supported and contradicted swapped."""

    text: str
    negated: bool = False


def wording(claim: str, positive: str | None = None, polarity: str = "positive") -> Wording:
    """The wording a claim's statement grades: its `positive:` restatement when it has one
    (negated when `polarity: negative`), else the claim itself."""
    return Wording(positive or claim, negated=bool(positive) and polarity == "negative")


# A verdict on the article's negated claim, said of the positive wording.
OPPOSITE = {"supported": "contradicted", "contradicted": "supported"}


def claim_clause(claim: str | Wording) -> str:
    """A claim sentence as a clause: 'Coffee raises blood pressure.' -> 'coffee raises blood
    pressure' (an acronym keeps its capitals)."""
    text = (claim.text if isinstance(claim, Wording) else claim).strip().rstrip(".")
    first = text.split(" ", 1)[0]
    acronym = len(first) > 1 and first[:2].isupper()
    return text if acronym else text[:1].lower() + text[1:]


def statement(verdict: str, certainty: str, claim: str | Wording, rules: Rules) -> str:
    """The verdict as one plain sentence in GRADE's informative style. A negated wording is
    said positively, with the verdict turned round (see `Wording`)."""
    if isinstance(claim, Wording) and claim.negated:
        verdict = OPPOSITE.get(verdict, verdict)
    s = rules.statements
    template = getattr(s, verdict)
    if isinstance(template, dict):
        template = template[certainty]
    return template.format(claim=claim_clause(claim))
