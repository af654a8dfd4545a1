"""The grading rules in words: how verdict words, GRADE certainty and the plain statements
follow from a rules file. One text, read by the report's method appendix and the overview
notebook, so what a reader is told is what the rules in use say."""

from __future__ import annotations

from claimbook.evidence.domains import DOMAIN_WORDS
from claimbook.evidence.rules import Rules
from claimbook.vocab import (
    DOMAIN_LABELS,
    GRADED_QUESTIONS,
    HIGH,
    LOW,
    QUESTION_LABELS,
    design_label,
)

__all__ = ["method_paragraphs"]


def _names(designs: list[str] | frozenset[str]) -> str:
    labels = [design_label(d) for d in sorted(designs, key=list(designs).index)]
    names = [x if x.isupper() else x.lower() for x in labels]
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def _designs(rules: Rules, level: str, question: str) -> str:
    return _names(rules.grade.start[question].get(level, [])) or "none"


def _starts(rules: Rules) -> str:
    """Per kind of question, which designs start high and which low."""
    return "; ".join(
        f"for a claim about {QUESTION_LABELS[q]}, high with {_designs(rules, HIGH, q)}, low with "
        f"{_designs(rules, LOW, q)}"
        for q in GRADED_QUESTIONS
    )


def _domains(rules: Rules) -> str:
    """Each domain's label with what its rule does, joined: "A (...); B (...); and C (...)"."""
    said = [f"{DOMAIN_LABELS[key]} ({words(rules)})" for key, words in DOMAIN_WORDS]
    return "; ".join(said[:-1]) + f"; and {said[-1]}" if len(said) > 1 else "".join(said)


def method_paragraphs(rules: Rules) -> list[str]:
    """How verdict words, GRADE certainty and the plain statements follow from the rules."""
    v, g = rules.verdict, rules.grade
    supported = rules.statements.supported

    def pct(x: float) -> str:
        return f"{x:.0%}"

    def quoted(text: str) -> str:
        return (
            f"\N{LEFT DOUBLE QUOTATION MARK}{text.format(claim='X')}\N{RIGHT DOUBLE QUOTATION MARK}"
        )

    return [
        f"With s the share of the weight that is for the claim: supported when s is at least "
        f"{pct(v.supported_at_least)}, contradicted when it is at most "
        f"{pct(v.contradicted_at_most)}; in between, contested when at least one study "
        "contradicts the claim, and unclear when the studies are only mixed or partial; "
        f"insufficient whenever the total weight is below {v.min_total_weight:g}.",
        "Certainty follows GRADE (the Cochrane Handbook's method), as GRADE rates the kind of "
        "question a claim asks. It starts where the design that carries most of the deciding "
        f"weight starts (not the best design present): {_starts(rules)}; anything else very "
        "low. A crossover trial starts as a randomised trial only when its citation records "
        "that its order was randomised. Context designs "
        f"({_names(sorted(rules.context_designs)).replace(' or ', ', ')}) and citations given "
        "the context stance are shown, never counted, never moving a verdict or a certainty. "
        "Laboratory "
        f"work alone is at most {rules.certainty.laboratory_only_at_most}; no single primary "
        "study moves the certainty up by more than one level; a study with fewer than "
        f"{rules.certainty.small_study_below} participants counts towards the verdict but never "
        "towards the certainty. A description or definition is checked against reference "
        "sources and not graded for certainty. The certainty then moves by five domains, each "
        "rated not "
        f"serious, serious (one level down) or very serious (two): {_domains(rules)}. "
        "Observational evidence with no serious "
        f"rating moves up a level for a large effect (a ratio of {g.upgrade.large_ratio:g} or "
        "more) and for a dose-response gradient. A contested or unclear verdict is at most "
        f"{rules.certainty.contested_at_most}, unless that would let one study move the "
        "certainty by more than one level: adding or leaving out any one primary study never "
        "does.",
        "Each verdict is said in one sentence in GRADE's informative style: "
        + "; ".join(f"{level} certainty {quoted(t)}" for level, t in supported.items())
        + " "
        "(and the same, negated, for a claim the research contradicts). claimbook's guide "
        "docs/reading-the-report.md explains every verdict, certainty and domain in plain "
        "words, and the limits of this review.",
    ]
