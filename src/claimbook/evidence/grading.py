"""Grading: `grade()`, a pure function of one claim's citations, the kind of question it asks
and the rules, so its logic can be pinned by property tests. It weighs the counted citations
(narrative reviews, guidelines and context are shown, never counted), picks the verdict word,
starts the certainty where the design carrying most of the deciding weight starts for that kind
of question, rates the five GRADE domains (claimbook.evidence.domains) and moves the certainty
by them; one primary study never moves it by more than one level, up or down, and a study
with fewer than 20 participants never raises it. A description or definition is checked, not
graded for certainty.

The rules (`Rules`, `load_rules`, `RulesError`, the statements) live in
claimbook.evidence.rules and the domain rules in claimbook.evidence.domains; both are
re-exported here, where callers have always imported them from.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from claimbook.evidence.domains import (
    DOMAIN_RULES,
    DOMAINS,
    LEVELS_DOWN,
    Body,
    Rating,
    WeighedCitation,
    paper_names,
    upgrades,
)
from claimbook.evidence.rules import (
    BUILT_IN,
    MAX_RULES_BYTES,
    MAX_WEIGHT,
    Rules,
    RulesError,
    VerdictRule,
    Wording,
    claim_clause,
    load_rules,
    statement,
)
from claimbook.vocab import (
    CERTAINTIES,
    DEFINITION_LABELS,
    DESCRIPTION,
    EFFECT,
    NOT_GRADED,
    PUBLICATION_BIAS_DEFAULT,
    VERY_LOW,
)

# grade() and its outcome; and, as before the split, the rules' and the domains' names.
__all__ = [
    "BUILT_IN", "DOMAINS", "DOMAIN_RULES", "LEVELS_DOWN", "MAX_RULES_BYTES", "MAX_WEIGHT", "Body",
    "Grading", "Rating", "Rules", "RulesError", "WeighedCitation", "claim_clause", "grade",
    "load_rules", "read_as_context", "statement", "weighs",
]  # fmt: skip


@dataclass
class Grading:
    """The outcome of grading one claim: verdict word, GRADE certainty and domains, the plain
    statement and the papers that decided it."""

    verdict: str
    certainty: str  # a GRADE level, or vocab.NOT_GRADED for a description or definition
    rule: str  # the arithmetic behind the verdict word (for the method appendix, not for readers)
    rationale: str
    support_weight: float
    contradict_weight: float
    deciding: list[str] = field(default_factory=list)  # keys of the citations that decided
    statement: str = ""
    domains: dict[str, Rating] = field(default_factory=dict)  # domain -> its Rating
    start: str = ""  # where certainty started
    upgrades: list[str] = field(default_factory=list)
    question: str = EFFECT  # the kind of question (vocab.QUESTION_KINDS)
    label: str = ""  # a definition's check in words ("consistent with clinical definitions")
    independent_studies: int = 0  # distinct primary studies counted
    context: list[str] = field(default_factory=list)  # keys shown as context, never counted

    @property
    def support_share(self) -> float | None:
        total = self.support_weight + self.contradict_weight
        return self.support_weight / total if total else None


def weighs(stance: str, rules: Rules) -> bool:
    """Whether a stance counts for or against a claim (not the context stance)."""
    share = rules.stances[stance]
    return share.support > 0 or share.contradict > 0


def counts(c: WeighedCitation, rules: Rules) -> bool:
    """Whether a live citation is counted: not a context design (narrative review, guideline)
    and not given the context stance."""
    return c.design not in rules.context_designs and weighs(c.stance, rules)


def read_as_context(designs: Iterable[str], stances: Iterable[str], rules: Rules) -> int:
    """How many live citations (their designs and stances, in step) are given a stance that
    weighs but are read as context for their design (narrative reviews, guidelines)."""
    return sum(
        d in rules.context_designs and weighs(s, rules)
        for d, s in zip(designs, stances, strict=True)
    )


def _small(c: WeighedCitation, rules: Rules) -> bool:
    """A primary study with fewer participants than the rules' `small_study_below`."""
    return (
        c.design not in rules.pooled
        and c.n is not None
        and (c.n < rules.certainty.small_study_below)
    )


def independent_studies(counted: list[WeighedCitation], rules: Rules) -> int:
    """Distinct primary studies counted: each primary study once, and a systematic review or
    meta-analysis as the studies it lists in `includes` (as one study when it lists none)."""
    keys: set[str] = set()
    for c in counted:
        keys |= set(c.includes) if c.design in rules.pooled and c.includes else {c.key}
    return len(keys)


def _weigh(live: list[WeighedCitation], rules: Rules) -> tuple[float, float]:
    """The weight for the claim and against it (rounded, so the order of adding is no matter)."""
    support = contradict = 0.0
    for c in live:
        w = rules.weight(c.design, c.n)
        share = rules.stances[c.stance]
        support += w * share.support
        contradict += w * share.contradict
    return round(support, 6), round(contradict, 6)


def _verdict_word(s: float, against: bool, v: VerdictRule) -> tuple[str, str, str]:
    """The verdict for support share `s`, the side that decides it (support, contradict or
    both) and the rule that chose it, in numbers."""
    if s >= v.supported_at_least:
        return "supported", "support", f"support share {s:.0%} >= {v.supported_at_least:.0%}"
    if s <= v.contradicted_at_most:
        return (
            "contradicted",
            "contradict",
            f"support share {s:.0%} <= {v.contradicted_at_most:.0%}",
        )
    verdict = "contested" if against else "unclear"
    return verdict, "both", f"support share {s:.0%} between the thresholds"


def _by_weight(cits: list[WeighedCitation], rules: Rules) -> list[WeighedCitation]:
    """Heaviest first; ties by key."""
    return sorted(cits, key=lambda c: (-rules.weight(c.design, c.n), c.key))


def _on_side(c: WeighedCitation, side: str, rules: Rules) -> bool:
    share = rules.stances[c.stance]
    if side == "both":
        return share.support > 0 or share.contradict > 0
    return getattr(share, side) > 0


def start_of(c: WeighedCitation, question: str, rules: Rules) -> str:
    """Where one citation's design starts for this kind of question: a crossover trial starts
    as a randomised trial only when its citation says it was randomised."""
    design = "rct" if c.design == "crossover-trial" and c.randomised else c.design
    return rules.grade.start_level(design, question)


def _start(deciding: list[WeighedCitation], question: str, rules: Rules) -> str:
    """The start level of the design that carries most of the deciding weight (a tie goes to
    the lower level): not the best design present."""
    weight = dict.fromkeys(CERTAINTIES, 0.0)
    for c in deciding:
        weight[start_of(c, question, rules)] += rules.weight(c.design, c.n)
    return max(reversed(CERTAINTIES), key=lambda lv: weight[lv])


def _certainty(start: str, down: int, up: int, verdict: str, rules: Rules) -> str:
    """The certainty `down` levels below `start` and `up` above it (within the scale); a
    contested or unclear verdict is at most the rules' cap."""
    level = CERTAINTIES.index(start) + down - up
    certainty = CERTAINTIES[max(0, min(level, len(CERTAINTIES) - 1))]
    if verdict in ("contested", "unclear"):
        certainty = _at_most(certainty, rules.certainty.contested_at_most)
    return certainty


def _at_most(certainty: str, cap: str) -> str:
    return cap if CERTAINTIES.index(certainty) < CERTAINTIES.index(cap) else certainty


def _domains(body: Body) -> tuple[dict[str, Rating], int, list[str]]:
    """The GRADE domains for the deciding evidence (ratings with reasons naming papers), the
    levels they take off, and the upgrades that apply (only to evidence not downgraded)."""
    out = {name: rule(body) for name, rule in DOMAIN_RULES}
    down = sum(r.levels for r in out.values())
    return out, down, (upgrades(body) if down == 0 else [])


@dataclass(frozen=True)
class _Rated:
    """GRADE's rating of one body of evidence (before the one-study rule)."""

    certainty: str
    start: str
    domains: dict[str, Rating]
    upgrades: list[str]
    notes: list[str]

    @property
    def level(self) -> int:  # 0 very low ... 3 high
        return len(CERTAINTIES) - 1 - CERTAINTIES.index(self.certainty)


def _rate(
    cits: list[WeighedCitation], question: str, rules: Rules, pub_bias: tuple[str, str]
) -> _Rated | None:
    """GRADE's certainty for a body of counted citations (None when too little to grade)."""
    support, contradict = _weigh(cits, rules)
    total = support + contradict
    if total < rules.verdict.min_total_weight:
        return None
    s = support / total
    against = any(c.stance == "contradicts" for c in cits)
    verdict, side, _ = _verdict_word(s, against, rules.verdict)
    deciding = _by_weight([c for c in cits if _on_side(c, side, rules)], rules)
    start = _start(deciding, question, rules)
    side_of = "contradict" if verdict == "supported" else "support"
    others = _by_weight([c for c in cits if getattr(rules.stances[c.stance], side_of) > 0], rules)
    body = Body(deciding, others, min(s, 1 - s), verdict, rules, pub_bias)
    domains, down, ups = _domains(body)
    certainty = _certainty(start, down, len(ups), verdict, rules)
    notes = []
    if deciding and all(c.design in rules.laboratory for c in deciding):
        capped = _at_most(certainty, rules.certainty.laboratory_only_at_most)
        notes.append(
            f"Laboratory evidence only: laboratory work alone is at most "
            f"{rules.certainty.laboratory_only_at_most} certainty for a clinical claim."
        )
        certainty = capped
    return _Rated(certainty, start, domains, ups, notes)


def _level(rated: _Rated | None) -> int:
    return rated.level if rated else 0


EXACT_UP_TO = 10  # primary studies: up to this many, the one-study rule is applied exactly


def _steady(
    cits: list[WeighedCitation], question: str, rules: Rules, pub_bias: tuple[str, str]
) -> tuple[_Rated | None, int, str]:
    """The rating of the body, and its level under the one-study rule: adding or leaving out
    one primary study never moves the level by more than one, up or down. The level of a body
    is its own GRADE rating, held within one level of every body that lacks one primary study
    (their levels, in turn, held the same way), so a large contradicting trial makes a claim
    contested and one level less certain, not two, and one crossover cannot lift very low to
    moderate. Systematic reviews stand for the studies they pooled and are never left out as
    'one study'. Exact up to EXACT_UP_TO primary studies; beyond, the bodies lacking one study
    are held by their own ratings. Returns the rating, the level and why it moved."""
    pooled = [c for c in cits if c.design in rules.pooled]
    primary = sorted((c for c in cits if c.design not in rules.pooled), key=lambda c: c.key)
    memo: dict[frozenset[int], int] = {}

    def raw(keep: frozenset[int]) -> int:
        body = [*pooled, *(primary[i] for i in sorted(keep))]
        return _level(_rate(body, question, rules, pub_bias))

    def held(keep: frozenset[int], deep: bool) -> tuple[int, str]:
        own = raw(keep)
        if not keep:
            return own, ""
        rests = {i: (memo_level(keep - {i}) if deep else raw(keep - {i})) for i in keep}
        low, high = max(rests.values()) - 1, min(rests.values()) + 1
        level = min(max(own, low), high)
        if level == own:
            return own, ""
        step = 1 if level > own else -1  # held up by a body one level above, or down
        i = next(i for i in sorted(keep) if rests[i] - step == level)
        return level, _moved([primary[i]], rests[i])

    def memo_level(keep: frozenset[int]) -> int:
        if keep not in memo:
            memo[keep] = held(keep, True)[0]
        return memo[keep]

    everything = frozenset(range(len(primary)))
    level, why = held(everything, len(primary) <= EXACT_UP_TO)
    return _rate(cits, question, rules, pub_bias), level, why


def _moved(left: list[WeighedCitation], rest_level: int) -> str:
    rest = CERTAINTIES[len(CERTAINTIES) - 1 - rest_level]
    names = " and ".join(c.name for c in left)
    return (
        "One study never moves certainty by more than one level: without "
        f"{names} the evidence would be {rest}."
    )


def _lists(verdict: str, counted: list[WeighedCitation], context: list[WeighedCitation],
           rules: Rules) -> list[str]:  # fmt: skip
    """The three lists, honestly labelled: supports, contradicts, mixed (context apart)."""
    by = {s: _by_weight([c for c in counted if c.stance == s], rules) for s in rules.stances}
    pro, con, mixed = by.get("supports", []), by.get("contradicts", []), by.get("mixed", [])
    out = [f"For the claim: {paper_names(pro)}." if pro else "No study supports it."]
    if con:
        out.append(f"Against it: {paper_names(con)}.")
    if mixed:
        out.append(f"Mixed: {paper_names(mixed)}.")
    if verdict == "supported" and not con and not mixed:
        out.append("Nothing found contradicts it.")
    if context:
        out.append(f"Context, not counted: {paper_names(_by_weight(context, rules))}.")
    return out


def _definition(verdict: str, claim: str | Wording) -> tuple[str, str]:
    """A description or definition: its label and its statement (no certainty)."""
    label = DEFINITION_LABELS[verdict]
    return label, f"Checked against reference sources, this is {label}: {claim_clause(claim)}."


def grade(
    citations: list[WeighedCitation],
    rules: Rules,
    claim: str | Wording = "this claim is true",
    question: str = EFFECT,
    publication_bias: tuple[str, str] | None = None,
) -> Grading:
    """Grade one claim from its citations, as GRADE grades this kind of `question`, with the
    reviewer's `publication_bias` judgement (rating, reason). Retracted citations are ignored
    entirely; context designs and stances are listed, never counted."""
    pub_bias = publication_bias or PUBLICATION_BIAS_DEFAULT
    live = sorted((c for c in citations if not c.retracted), key=lambda c: c.key)
    counted = [c for c in live if counts(c, rules)]
    context = [c for c in live if not counts(c, rules)]
    support, contradict = _weigh(counted, rules)
    extra = {"question": question, "independent_studies": independent_studies(counted, rules),
             "context": [c.key for c in context]}  # fmt: skip
    if support + contradict < rules.verdict.min_total_weight:
        return _insufficient(support, contradict, claim, rules, extra, counted, context)
    s = support / (support + contradict)
    against = any(c.stance == "contradicts" for c in counted)
    verdict, side, rule = _verdict_word(s, against, rules.verdict)
    rule += f"; weight {support:g} for, {contradict:g} against"
    deciding = _by_weight([c for c in counted if _on_side(c, side, rules)], rules)
    lists = _lists(verdict, counted, context, rules)
    if question == DESCRIPTION:
        label, text = _definition(verdict, claim)
        domains = dict.fromkeys(DOMAINS, Rating("not rated", "a definition is not graded"))
        return Grading(
            verdict, NOT_GRADED, rule, " ".join([text, *lists]), support, contradict,
            [c.key for c in deciding], statement=text, domains=domains, start=NOT_GRADED,
            label=label, **extra,
        )  # fmt: skip
    small = [c for c in counted if _small(c, rules)]
    rated, level, steady = _steady(
        [c for c in counted if c not in small], question, rules, pub_bias
    )
    certainty = CERTAINTIES[len(CERTAINTIES) - 1 - level]
    notes = [*(rated.notes if rated else []), *([steady] if steady else [])]
    if small:
        notes.append(
            f"Studies with fewer than {rules.certainty.small_study_below} participants "
            f"({paper_names(small)}) count towards the verdict, never towards its certainty."
        )
    if rated is None:
        notes.append("Too few larger studies bear on this claim to rate its certainty.")
    text = statement(verdict, certainty, claim, rules)
    domains = rated.domains if rated else dict.fromkeys(
        DOMAINS, Rating("not rated", "too few studies with enough participants")
    )  # fmt: skip
    return Grading(
        verdict, certainty, rule, " ".join([text, *lists, *notes]),
        support, contradict, [c.key for c in deciding],
        statement=text, domains=domains, start=rated.start if rated else VERY_LOW,
        upgrades=rated.upgrades if rated else [], **extra,
    )  # fmt: skip


def _insufficient(
    support: float, contradict: float, claim: str | Wording, rules: Rules, extra: dict,
    counted: list[WeighedCitation], context: list[WeighedCitation],
) -> Grading:  # fmt: skip
    """Too little weight to grade: insufficient, at the lowest certainty (a definition: not
    graded), no domain rated."""
    if extra["question"] == DESCRIPTION:
        label, text = _definition("insufficient", claim)
        certainty = NOT_GRADED
    else:
        label, text, certainty = "", statement("insufficient", VERY_LOW, claim, rules), VERY_LOW
    return Grading(
        "insufficient", certainty, "min_total_weight",
        " ".join([
            text, "Too little research bears directly on this claim to grade it.",
            *(_lists("insufficient", counted, context, rules) if counted or context else []),
        ]),
        support, contradict, statement=text,
        domains=dict.fromkeys(DOMAINS, Rating("not rated", "too little evidence")),
        start=certainty, label=label, **extra,
    )  # fmt: skip
