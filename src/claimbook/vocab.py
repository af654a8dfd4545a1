"""The review's vocabulary, defined once: stances, study designs, verdicts, certainty levels and
the plain words and labels that show them to a reader.
"""

from __future__ import annotations

from dataclasses import dataclass
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

Certainty = Literal["high", "moderate", "low", "very low"]
CERTAINTIES: tuple[str, ...] = get_args(Certainty)  # strongest first
CERTAINTY_SYMBOLS = {  # GRADE's circles, as GRADEpro prints them
    "high": "\u2295\u2295\u2295\u2295",
    "moderate": "\u2295\u2295\u2295\u25ef",
    "low": "\u2295\u2295\u25ef\u25ef",
    "very low": "\u2295\u25ef\u25ef\u25ef",
}


@dataclass(frozen=True)
class Verdict:
    """A verdict word and everything that shows it: the sentence a reader gets, its colour
    (Okabe-Ito, safe for common colour blindness; the text on it is picked for contrast) and
    its rating on ClaimReview's 1-5 scale (5: the claim holds)."""

    word: str
    sentence: str
    colour: str
    rating: int


# The verdict words, defined once and in the order readers see them. A new word is a line here
# (and, for the rules file, its statement and the threshold that chooses it).
VERDICT_WORDS: tuple[Verdict, ...] = (
    Verdict("supported", "The research supports this claim", "#0072B2", 5),
    Verdict("contested", "The research is divided on this claim", "#E69F00", 3),
    Verdict("contradicted", "The research contradicts this claim", "#D55E00", 1),
    Verdict("unclear", "The research gives no clear answer on this claim", "#CC79A7", 3),
    Verdict("insufficient", "There is too little research to judge this claim", "#999999", 2),
)
VERDICTS: tuple[str, ...] = tuple(v.word for v in VERDICT_WORDS)
VERDICT_SENTENCES = {v.word: v.sentence for v in VERDICT_WORDS}
VERDICT_COLOURS = {v.word: v.colour for v in VERDICT_WORDS}
VERDICT_RATING = {v.word: v.rating for v in VERDICT_WORDS}


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
