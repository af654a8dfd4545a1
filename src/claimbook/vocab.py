"""The review's vocabulary, defined once: stances, study designs, verdicts, certainty levels and
the plain words and labels that show them to a reader.
"""

from __future__ import annotations

from typing import Literal, get_args

Stance = Literal["supports", "contradicts", "mixed", "context"]
STANCES: tuple[str, ...] = get_args(Stance)
STANCE_ABBREVIATIONS = {"supports": "sup", "contradicts": "con", "mixed": "mix", "context": "ctx"}

Design = Literal[
    "meta-analysis",
    "systematic-review",
    "rct",
    "crossover-trial",
    "prospective-cohort",
    "retrospective-cohort",
    "case-control",
    "cross-sectional",
    "lab-experiment",
    "case-report",
    "narrative-review",
    "guideline",
    "other",
]
DESIGNS: tuple[str, ...] = get_args(Design)
DESIGN_LABELS = {
    "meta-analysis": "Meta-analysis",
    "systematic-review": "Systematic review",
    "guideline": "Guideline",
    "rct": "RCT",
    "crossover-trial": "Crossover trial",
    "prospective-cohort": "Prospective cohort",
    "retrospective-cohort": "Retrospective cohort",
    "case-control": "Case-control",
    "cross-sectional": "Cross-sectional",
    "lab-experiment": "Lab experiment",
    "narrative-review": "Narrative review",
    "case-report": "Case report",
    "other": "Other",
}

# Appraisal of one study (GRADE / Cochrane RoB 2 words).
RiskOfBiasRating = Literal["low", "some concerns", "high"]
IndirectnessRating = Literal["none", "population", "intervention", "outcome"]
EffectDirection = Literal["benefit", "harm", "no difference", "association", "no association"]

VerdictWord = Literal["supported", "contested", "unclear", "contradicted", "insufficient"]
VERDICTS: tuple[str, ...] = get_args(VerdictWord)
Certainty = Literal["high", "moderate", "low", "very low"]
CERTAINTIES: tuple[str, ...] = get_args(Certainty)  # strongest first
CERTAINTY_SYMBOLS = {  # GRADE's circles, as GRADEpro prints them
    "high": "\u2295\u2295\u2295\u2295",
    "moderate": "\u2295\u2295\u2295\u25ef",
    "low": "\u2295\u2295\u25ef\u25ef",
    "very low": "\u2295\u25ef\u25ef\u25ef",
}

VERDICT_SENTENCES = {
    "supported": "The research supports this claim",
    "contested": "The research is divided on this claim",
    "contradicted": "The research contradicts this claim",
    "unclear": "The research gives no clear answer on this claim",
    "insufficient": "There is too little research to judge this claim",
}


def design_label(design: str) -> str:
    """'RCT', 'Prospective cohort': a design as a reader sees it."""
    return DESIGN_LABELS.get(design, design)


DRAFT_SENTENCE = "Draft: not yet reviewed; its evidence has not been gathered and checked."


def verdict_sentence(verdict: str, certainty: str, draft: bool = False) -> str:
    """The verdict in one plain sentence, e.g. 'The research supports this claim (moderate
    certainty).'; a draft claim says that it is not reviewed yet."""
    if draft:
        return DRAFT_SENTENCE
    return f"{VERDICT_SENTENCES[verdict]} ({certainty} certainty)."


def lower_certainty(level: str, steps: int = 1) -> str:
    """The certainty `steps` levels below `level` (never below 'very low')."""
    return CERTAINTIES[min(CERTAINTIES.index(level) + steps, len(CERTAINTIES) - 1)]
