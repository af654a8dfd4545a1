"""The five GRADE domains as data and small functions: each domain's rule reads the body of
evidence a verdict rests on and returns a `Rating` (the rating and its reason, as a value).

The domains themselves (key and label) are defined in claimbook.vocab; `DOMAIN_RULES` pairs
each with its rule, in GRADE's order. A new domain rule is two functions here: the rule,
named by the domain's key and listed in `_RULES`, and `<key>_in_words` (what the method
appendix says it does); plus its line in vocab.GRADE_DOMAINS. A threshold it reads belongs in
the rules file.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from claimbook.evidence.rules import Rules, Threshold
from claimbook.vocab import DOMAINS, HIGH_RISK_OF_BIAS, PUBLICATION_BIAS_DEFAULT

__all__ = [
    "DOMAINS",
    "DOMAIN_RULES",
    "DOMAIN_WORDS",
    "Body",
    "Rating",
    "WeighedCitation",
    "upgrades",
]


@dataclass(frozen=True)
class WeighedCitation:
    """One citation as the grader sees it: resolved design, size, stance, retraction, and the
    reviewer's appraisal (its bias, how direct it is, the effect it reports) where recorded."""

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
    randomised: bool | None = None  # a crossover trial: whether its order was randomised
    includes: tuple[str, ...] = ()  # a systematic review: the PMIDs of the studies it pooled

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


def paper_names(cits: list[WeighedCitation], limit: int = 3) -> str:
    """'Maughan 1986 (PMID 3735481), Trial 2 and 3 more': the papers a reason names."""
    names = ", ".join(c.name for c in cits[:limit])
    return names + (f" and {len(cits) - limit} more" if len(cits) > limit else "")


@dataclass(frozen=True)
class Body:
    """The body of evidence a verdict rests on, as the domain rules see it."""

    deciding: list[WeighedCitation]  # the citations on the verdict's side
    others: list[WeighedCitation]  # those pointing the other way
    loser: float  # the other side's share of the weight
    verdict: str
    rules: Rules
    # the reviewer's judgement of publication bias for this claim: (rating, reason)
    publication_bias: tuple[str, str] = PUBLICATION_BIAS_DEFAULT

    @property
    def weights(self) -> dict[str, float]:
        return {c.key: self.rules.weight(c.design, c.n) for c in self.deciding}

    def share(self, cits: list[WeighedCitation]) -> float:
        """The share of the deciding weight that `cits` carry."""
        weights = self.weights
        return sum(weights[c.key] for c in cits) / (sum(weights.values()) or 1.0)


def _rated(share: float, threshold: Threshold) -> str:
    if share >= threshold.very_serious_share:
        return "very serious"
    if share >= threshold.serious_share:
        return "serious"
    return "not serious"


# --------------------------------------------------------------------------- the domain rules


def risk_of_bias(body: Body) -> Rating:
    """Serious when studies appraised at high risk of bias carry much of the deciding weight."""
    high = [c for c in body.deciding if c.risk_of_bias == HIGH_RISK_OF_BIAS]
    level = _rated(body.share(high), body.rules.grade.risk_of_bias)
    names = paper_names(high)
    if high and level != "not serious":
        return Rating(level, f"at high risk of bias: {names} ({high[0].bias_reason})")
    if high:
        return Rating(
            level, f"the studies at high risk of bias ({names}) carry little of the weight"
        )
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
    why = f"{paper_names(others)} point the other way" if others else "the results agree"
    return Rating(level, why)


def indirectness(body: Body) -> Rating:
    """Serious when studies of another population, intervention or outcome carry the weight."""
    indirect = [c for c in body.deciding if c.indirect and c.indirect != "none"]
    level = _rated(body.share(indirect), body.rules.grade.indirectness)
    if indirect and level == "not serious":
        why = f"the indirect studies ({paper_names(indirect)}) carry little of the weight"
    elif indirect:
        first = indirect[0]
        why = f"indirect: {paper_names(indirect)} ({first.indirect}: {first.indirect_note})"
    else:
        why = "the deciding studies address the claim directly, as far as recorded"
    return Rating(level, why)


def imprecision(body: Body) -> Rating:
    """Serious when the deciding studies enrolled few people, a pooled review counting with the
    people it pooled (its `n`): a review that does not record them cannot show the evidence is
    precise, so it no longer waives the rule by its design alone (GRADE judges precision on
    the pooled sample, not on the word "meta-analysis")."""
    rules, g = body.rules, body.rules.grade.imprecision
    waive = rules.certainty.size_waived_from_rank
    pooled = [
        c for c in body.deciding if c.design in rules.pooled and rules.rank(c.design) >= waive
    ]
    primary = [c for c in body.deciding if c.design not in rules.pooled]
    total_n = sum(c.n or 0 for c in [*primary, *pooled])
    unknown = [c for c in pooled if c.n is None]
    if total_n >= g.serious_below:
        who = "the deciding studies" + (" and reviews" if pooled else "")
        return Rating("not serious", f"{who} enrolled {total_n} people")
    if unknown:
        return Rating(
            "serious",
            f"{paper_names(unknown, 2)} {'does' if len(unknown) == 1 else 'do'} not record how "
            f"many people {'it' if len(unknown) == 1 else 'they'} pooled, and the other deciding "
            f"studies enrolled {total_n}",
        )
    level = "very serious" if total_n < g.very_serious_below else "serious"
    who = "the deciding studies" + (" and reviews" if pooled else "")
    return Rating(level, f"{who} enrolled {total_n} people")


def publication_bias(body: Body) -> Rating:
    """The reviewer's judgement recorded on the claim, with its reason (GRADE: a judgement of
    small positive trials, funnel asymmetry or known unpublished trials, never a keyword)."""
    rating, reason = body.publication_bias
    return Rating(rating, reason)


# --------------------------------------------------------------------------- the rules in words
# What the method appendix says each domain's rule does, with the thresholds of the rules in use
# (claimbook.evidence.method joins them, in vocab's order, under each domain's label).


def _pct(x: float) -> str:
    return f"{x:.0%}"


def risk_of_bias_in_words(rules: Rules) -> str:
    t = rules.grade.risk_of_bias
    return (
        "the share of the deciding weight from studies rated at high risk: serious from "
        f"{_pct(t.serious_share)}, very serious from {_pct(t.very_serious_share)}"
    )


def inconsistency_in_words(rules: Rules) -> str:
    t = rules.grade.inconsistency
    return (
        f"the share of the weight pointing the other way: serious from {_pct(t.serious_share)}, "
        f"very serious from {_pct(t.very_serious_share)}; a contested or unclear verdict is "
        "inconsistent by definition"
    )


def indirectness_in_words(rules: Rules) -> str:
    t = rules.grade.indirectness
    return (
        "the share from studies of another population, intervention or outcome: serious from "
        f"{_pct(t.serious_share)}, very serious from {_pct(t.very_serious_share)}"
    )


def imprecision_in_words(rules: Rules) -> str:
    t = rules.grade.imprecision
    return (
        f"the deciding studies enrolled fewer than {t.serious_below} people: serious; "
        f"fewer than {t.very_serious_below}: very serious; a deciding meta-analysis or "
        "systematic review counts with the people it pooled, and is serious when it does not "
        "record them and the rest fall short"
    )


def publication_bias_in_words(rules: Rules) -> str:
    return (
        "the reviewer's judgement recorded on the claim with its reason (strongly suspected: one "
        "level down); undetected, not formally assessed, when none is recorded; never a keyword "
        "in an abstract"
    )


# Each GRADE domain of claimbook.vocab has its rule here, a function named by its key.
_RULES: dict[str, Callable[[Body], Rating]] = {
    rule.__name__: rule
    for rule in (risk_of_bias, inconsistency, indirectness, imprecision, publication_bias)
}
_WORDS = {name: globals().get(f"{name}_in_words") for name in DOMAINS}
if set(_RULES) != set(DOMAINS) or None in _WORDS.values():  # vocab and the rules disagree
    raise ImportError(
        f"claimbook.evidence.domains: the rules ({', '.join(_RULES)}) are not the domains of "
        f"claimbook.vocab ({', '.join(DOMAINS)}), or a domain has no <domain>_in_words"
    )
# The domain rules in vocab's (GRADE's) order, and what each says in words.
DOMAIN_RULES: tuple[tuple[str, Callable[[Body], Rating]], ...] = tuple(
    (name, _RULES[name]) for name in DOMAINS
)
DOMAIN_WORDS: tuple[tuple[str, Callable[[Rules], str]], ...] = tuple(
    (name, _WORDS[name]) for name in DOMAINS
)


# --------------------------------------------------------------------------- upgrades

_RATIO = re.compile(r"\b(?:OR|RR|HR|IRR|PR)\s*(?:=|of)?\s*(\d+(?:\.\d+)?)", re.I)


def _large(c: WeighedCitation, ratio: float) -> bool:
    m = _RATIO.search(c.effect_size or "")
    if not m:
        return False
    value = float(m.group(1))
    return value >= ratio or (0 < value <= 1 / ratio)


def upgrades(body: Body) -> list[str]:
    """GRADE's upgrades for evidence not downgraded: a large effect, a dose-response gradient."""
    large = [c for c in body.deciding if _large(c, body.rules.grade.upgrade.large_ratio)]
    graded = [c for c in body.deciding if c.dose_response]
    return [
        *([f"large effect: {paper_names(large)} ({large[0].effect_size})"] if large else []),
        *([f"dose-response: {paper_names(graded)}"] if graded else []),
    ]
