"""Grading: `grade()`, a pure function of one claim's citations and the rules, so its logic can
be pinned by property tests. It weighs the citations, picks the verdict word, rates the five
GRADE domains (claimbook.evidence.domains) and moves the certainty by them.

The rules (`Rules`, `load_rules`, `RulesError`, the statements) live in
claimbook.evidence.rules and the domain rules in claimbook.evidence.domains; both are
re-exported here, where callers have always imported them from.
"""

from __future__ import annotations

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
from claimbook.vocab import CERTAINTIES, VERY_LOW

# grade() and its outcome; and, as before the split, the rules' and the domains' names.
__all__ = [
    "BUILT_IN", "DOMAINS", "DOMAIN_RULES", "LEVELS_DOWN", "MAX_RULES_BYTES", "MAX_WEIGHT", "Body",
    "Grading", "Rating", "Rules", "RulesError", "WeighedCitation", "claim_clause", "grade",
    "load_rules", "statement",
]  # fmt: skip


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


def _certainty(start: str, down: int, up: int, verdict: str, rules: Rules) -> str:
    """The certainty `down` levels below `start` and `up` above it (within the scale); a
    contested or unclear verdict is at most the rules' cap."""
    level = CERTAINTIES.index(start) + down - up
    certainty = CERTAINTIES[max(0, min(level, len(CERTAINTIES) - 1))]
    if verdict in ("contested", "unclear"):
        cap = rules.certainty.contested_at_most
        if CERTAINTIES.index(certainty) < CERTAINTIES.index(cap):
            certainty = cap
    return certainty


def _rationale(
    text: str, verdict: str, deciding: list[WeighedCitation], live: list[WeighedCitation],
    rules: Rules,
) -> str:  # fmt: skip
    """The statement, then the papers for the claim and against it, by name."""
    pro = [c for c in deciding if rules.stances[c.stance].support > 0]
    con = [c for c in deciding if rules.stances[c.stance].contradict > 0 and c not in pro]
    con += [c for c in live if c.stance == "contradicts" and c not in con and c not in pro]
    sides = [f"For the claim: {paper_names(pro)}." if pro else "No study supports it."]
    if verdict == "supported":
        sides.append(f"Against it: {paper_names(con)}." if con else "Nothing found contradicts it.")
    elif con:
        sides.append(f"Against it: {paper_names(con)}.")
    return f"{text} {' '.join(sides)}"


def _insufficient(support: float, contradict: float, claim: str | Wording, rules: Rules) -> Grading:
    """Too little weight to grade: insufficient, at the lowest certainty, no domain rated."""
    text = statement("insufficient", VERY_LOW, claim, rules)
    return Grading(
        "insufficient", VERY_LOW, "min_total_weight",
        text + " Too little research bears directly on this claim to grade it.",
        support, contradict, statement=text,
        domains=dict.fromkeys(DOMAINS, Rating("not rated", "too little evidence")),
        start=VERY_LOW,
    )  # fmt: skip


def _domains(body: Body) -> tuple[dict[str, Rating], int, list[str]]:
    """The GRADE domains for the deciding evidence (ratings with reasons naming papers), the
    levels they take off, and the upgrades that apply (only to evidence not downgraded)."""
    out = {name: rule(body) for name, rule in DOMAIN_RULES}
    down = sum(r.levels for r in out.values())
    return out, down, (upgrades(body) if down == 0 else [])


def grade(
    citations: list[WeighedCitation], rules: Rules, claim: str | Wording = "this claim is true"
) -> Grading:
    """Grade one claim from its citations. Retracted citations are ignored entirely. `claim` is
    what the statement is said of (a `Wording` keeps a negatively worded claim positive)."""
    live = sorted((c for c in citations if not c.retracted), key=lambda c: c.key)
    support, contradict = _weigh(live, rules)
    total = support + contradict
    if total < rules.verdict.min_total_weight:
        return _insufficient(support, contradict, claim, rules)
    s = support / total
    against = any(c.stance == "contradicts" for c in live)
    verdict, side, rule = _verdict_word(s, against, rules.verdict)
    rule += f"; weight {support:g} for, {contradict:g} against"
    deciding = _by_weight([c for c in live if _on_side(c, side, rules)], rules)
    start = max(
        (rules.grade.start_level(c.design) for c in deciding), key=lambda lv: -CERTAINTIES.index(lv)
    )
    side_of = "contradict" if verdict == "supported" else "support"
    others = _by_weight([c for c in live if getattr(rules.stances[c.stance], side_of) > 0], rules)
    body = Body(deciding, others, min(s, 1 - s), verdict, rules)
    domains, down, ups = _domains(body)
    certainty = _certainty(start, down, len(ups), verdict, rules)
    text = statement(verdict, certainty, claim, rules)
    return Grading(
        verdict, certainty, rule, _rationale(text, verdict, deciding, live, rules),
        support, contradict, [c.key for c in deciding],
        statement=text, domains=domains, start=start, upgrades=ups,
    )  # fmt: skip
