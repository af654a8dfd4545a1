"""The review's vocabulary, defined once: stances, study designs, verdicts, certainty levels, the
five GRADE domains, and the plain words, labels, symbols and colours that show them to a reader.

Every other module, template and generated notebook reads these from here: a new word (or a
new label for an old one) is an edit of this file alone (and of the rules file, where the
grading needs a number for it). tests/test_vocab.py checks that no other module spells a
certainty level or a domain's label.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, get_args


@dataclass(frozen=True)
class StanceWord:
    """A stance a citation takes towards a claim, and how it is shown: its abbreviation (terminal
    tables), the word a count of it reads as ("3 support"), its colour and marker in figures
    (Okabe-Ito; the marker doubles the colour so figures read in grey) and the colour of a
    number printed on it."""

    word: str
    abbreviation: str
    counted: str
    colour: str
    marker: str
    text_colour: str


# The stances, in the order tables, figures and counts show them.
STANCE_WORDS: tuple[StanceWord, ...] = (
    StanceWord("supports", "sup", "support", "#0072B2", "o", "white"),  # blue
    StanceWord("contradicts", "con", "contradict", "#D55E00", "X", "white"),  # vermillion
    StanceWord("mixed", "mix", "mixed", "#E69F00", "D", "black"),  # orange
    StanceWord("context", "ctx", "background", "#999999", "s", "black"),  # grey
)
STANCES: tuple[str, ...] = tuple(s.word for s in STANCE_WORDS)
Stance = Literal[STANCES]  # the claim files' schema: one of the words above
STANCE_ABBREVIATIONS = {s.word: s.abbreviation for s in STANCE_WORDS}
STANCE_COLOURS = {s.word: s.colour for s in STANCE_WORDS}
STANCE_MARKERS = {s.word: s.marker for s in STANCE_WORDS}
STANCE_TEXT_COLOURS = {s.word: s.text_colour for s in STANCE_WORDS}


def stance_counts(counts: Mapping[str, int]) -> str:
    """'3 support, 1 contradict, 0 mixed, 2 background': citations counted by stance."""
    return ", ".join(f"{counts.get(s.word, 0)} {s.counted}" for s in STANCE_WORDS)


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
RISK_OF_BIAS_RATINGS: tuple[str, ...] = get_args(RiskOfBiasRating)  # lowest risk first
HIGH_RISK_OF_BIAS: RiskOfBiasRating = "high"

# The tool a risk of bias was judged with. The ratings stay the three above (what grading
# counts); each tool shows them in its own words, one per rating in RISK_OF_BIAS_RATINGS order.
# RoB 2 (Sterne et al., BMJ 2019;366:l4898) for randomised trials; ROBINS-I (Sterne et al.,
# BMJ 2016;355:i4919) for non-randomised studies of interventions; ROBINS-E (Higgins et al.,
# Environ Int 2024;186:108602) for observational studies of exposures; AMSTAR 2 (Shea et al.,
# BMJ 2017;358:j4008, which rates the confidence in a review's results) and ROBIS (Whiting et
# al., J Clin Epidemiol 2016;69:225-234) for systematic reviews; "none": the reviewer's own
# judgement, for designs no tool covers (narrative reviews, case reports, lab work).
RobTool = Literal["RoB 2", "ROBINS-I", "ROBINS-E", "AMSTAR 2", "ROBIS", "none"]
ROB_TOOLS: tuple[str, ...] = get_args(RobTool)
ROB_TOOL_WORDS: dict[str, tuple[str, str, str]] = {
    "RoB 2": ("Low risk of bias", "Some concerns", "High risk of bias"),
    "ROBINS-I": ("Low risk of bias", "Moderate risk of bias", "Serious risk of bias"),
    "ROBINS-E": ("Low risk of bias", "Some concerns", "High risk of bias"),
    "AMSTAR 2": ("High confidence", "Moderate confidence", "Low confidence"),
    "ROBIS": ("Low risk of bias", "Unclear risk of bias", "High risk of bias"),
    "none": ("Low risk of bias", "Some concerns", "High risk of bias"),
}
ROB_TOOL_LABELS = {tool: tool for tool in ROB_TOOLS} | {"none": "reviewer's judgement"}
# The tool a design is appraised with unless its appraisal names another; a design missing
# here gets "none". A crossover or lab study that was randomised is appraised with RoB 2.
DEFAULT_ROB_TOOLS: dict[str, str] = {
    "rct": "RoB 2",
    "crossover-trial": "ROBINS-I",
    "prospective-cohort": "ROBINS-E",
    "retrospective-cohort": "ROBINS-E",
    "case-control": "ROBINS-E",
    "cross-sectional": "ROBINS-E",
    "systematic-review": "AMSTAR 2",
    "meta-analysis": "AMSTAR 2",
}
if set(ROB_TOOL_WORDS) != set(ROB_TOOLS) or set(DEFAULT_ROB_TOOLS.values()) - set(ROB_TOOLS):
    raise ValueError("claimbook.vocab: every risk-of-bias tool needs its words")


def rob_tool(design: str | None, randomised: bool | None = None) -> str:
    """The risk-of-bias tool a study of `design` is appraised with by default: 'RoB 2' for a
    randomised trial (a randomised crossover or lab study too), 'ROBINS-E' for a cohort ..."""
    if randomised and design in ("crossover-trial", "lab-experiment"):
        return "RoB 2"
    return DEFAULT_ROB_TOOLS.get(design or "", "none")


def rob_words(rating: str, tool: str | None = None) -> str:
    """A risk-of-bias rating in its tool's words: 'Serious risk of bias' (ROBINS-I) for
    'high', 'Moderate confidence' (AMSTAR 2) for 'some concerns'."""
    words = ROB_TOOL_WORDS.get(tool or "none", ROB_TOOL_WORDS["none"])
    return words[RISK_OF_BIAS_RATINGS.index(rating)]


IndirectnessRating = Literal["none", "population", "intervention", "outcome"]
EffectDirection = Literal["benefit", "harm", "no difference", "association", "no association"]


@dataclass(frozen=True)
class CertaintyLevel:
    """A GRADE certainty level: its word and GRADE's circles for it, as GRADEpro prints them."""

    word: str
    symbol: str


# The certainty levels, strongest first (grading counts levels down this list).
CERTAINTY_LEVELS: tuple[CertaintyLevel, ...] = (
    CertaintyLevel("high", "\u2295\u2295\u2295\u2295"),
    CertaintyLevel("moderate", "\u2295\u2295\u2295\u25ef"),
    CertaintyLevel("low", "\u2295\u2295\u25ef\u25ef"),
    CertaintyLevel("very low", "\u2295\u25ef\u25ef\u25ef"),
)
CERTAINTIES: tuple[str, ...] = tuple(c.word for c in CERTAINTY_LEVELS)  # strongest first
Certainty = Literal[CERTAINTIES]  # the rules file's schema: one of the words above
CERTAINTY_SYMBOLS = {c.word: c.symbol for c in CERTAINTY_LEVELS}
CERTAINTY_SYMBOLS["not graded"] = ""  # a definition: checked, not graded (vocab.NOT_GRADED)
HIGH, MODERATE, LOW, VERY_LOW = CERTAINTIES  # by name, for code that means one level


def certainty_range() -> str:
    """'⊕⊕⊕⊕ high to ⊕◯◯◯ very low': the scale, as the summary of findings introduces it."""
    first, last = CERTAINTY_LEVELS[0], CERTAINTY_LEVELS[-1]
    return f"{first.symbol} {first.word} to {last.symbol} {last.word}"


@dataclass(frozen=True)
class Domain:
    """A GRADE domain: its key (the verdict table's column, the rules file's section, the name
    of its rule in claimbook.evidence.domains) and its label as readers see it (in lists and
    mid-sentence; a footnote capitalises it)."""

    key: str
    label: str


# The five GRADE domains, in GRADE's order. A new domain is a line here and its rule (a small
# function) in claimbook.evidence.domains.
GRADE_DOMAINS: tuple[Domain, ...] = (
    Domain("risk_of_bias", "risk of bias"),
    Domain("inconsistency", "inconsistency"),
    Domain("indirectness", "indirectness"),
    Domain("imprecision", "imprecision"),
    Domain("publication_bias", "publication bias"),
)
DOMAINS: tuple[str, ...] = tuple(d.key for d in GRADE_DOMAINS)
DOMAIN_LABELS = {d.key: d.label for d in GRADE_DOMAINS}


def domain_list() -> str:
    """'risk of bias, inconsistency, ... and publication bias': the domains in a sentence."""
    labels = [d.label for d in GRADE_DOMAINS]
    return ", ".join(labels[:-1]) + f" and {labels[-1]}" if len(labels) > 1 else "".join(labels)


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


# The verdict's label: the word and its certainty said together, as a reader sees it on a badge,
# in GRADE's informative language (Santesso et al., GRADE guidelines 26: informative statements
# to communicate the findings of systematic reviews, J Clin Epidemiol 2020;119:126-135). GRADE
# says high certainty plainly ("X reduces Y"), moderate with "probably", low with "may" and very
# low as "the evidence is very uncertain"; Cochrane's plain language summaries use the same
# words. A bare "SUPPORTED" above "We are very uncertain whether ..." says two things at once;
# "Very uncertain — leans true" says one. A verdict that has no direction (the studies
# disagree, the results are mixed, too little research) says that, and very low certainty
# says it first. One label per certainty, in the order of CERTAINTIES (strongest first).
_VERY_UNCERTAIN = "Very uncertain — "
VERDICT_LABELS: dict[str, tuple[str, ...]] = {
    "supported": ("True", "Probably true", "May be true", _VERY_UNCERTAIN + "leans true"),
    "contradicted": (
        "Not true", "Probably not true", "May not be true", _VERY_UNCERTAIN + "leans not true",
    ),
    "contested": (
        "Studies disagree", "Studies disagree", "Studies disagree",
        _VERY_UNCERTAIN + "studies disagree",
    ),
    "unclear": (
        "Unclear: mixed results", "Unclear: mixed results", "Unclear: mixed results",
        _VERY_UNCERTAIN + "mixed results",
    ),
    "insufficient": ("Too little research",) * len(CERTAINTIES),
}  # fmt: skip
if any(len(labels) != len(CERTAINTIES) for labels in VERDICT_LABELS.values()):
    raise ValueError("claimbook.vocab: every verdict label needs one label per certainty level")


DRAFT_LABEL = "Draft (not yet reviewed)"


def verdict_label(verdict: str, certainty: str, draft: bool = False) -> str:
    """'Probably true', 'Very uncertain \N{EM DASH} leans not true': the verdict word with its
    certainty, in GRADE's informative words (see VERDICT_LABELS); a draft claim says it is not
    reviewed. A verdict word added to VERDICT_WORDS without labels shows as its word,
    capitalised, with very low certainty said first."""
    if draft:
        return DRAFT_LABEL
    if certainty == NOT_GRADED:  # a description, checked against reference sources
        return DEFINITION_LABELS.get(verdict, verdict).capitalize()
    labels = VERDICT_LABELS.get(verdict)
    if labels is None:
        return _VERY_UNCERTAIN + verdict if certainty == VERY_LOW else verdict.capitalize()
    return labels[CERTAINTIES.index(certainty)]


# What to tell a client, hedged to the certainty of the claim it speaks for: advice can be no
# firmer than the research behind it (GRADE's informative statements, as above; Cochrane's plain
# language summaries likewise say how sure the evidence is before what it shows).
ADVICE_HEDGES: dict[str, str] = {
    HIGH: "The research is clear: ",
    MODERATE: "The research is fairly sure; you can say: ",
    LOW: "The research is limited, so say it as a maybe: ",
    VERY_LOW: "The research is very uncertain; if you say anything: ",
}
DESCRIPTION_HEDGE = "As clinical references describe it: "
if tuple(ADVICE_HEDGES) != CERTAINTIES:
    raise ValueError("claimbook.vocab: ADVICE_HEDGES needs one hedge per certainty level")


def hedged_advice(advice: str, certainty: str) -> str:
    """The advice for a client, after how sure the research is: 'The research is very
    uncertain; if you say anything: For most people, ...'."""
    if certainty == NOT_GRADED:  # a description: checked against references, not graded
        return DESCRIPTION_HEDGE + advice.strip()
    return ADVICE_HEDGES[certainty] + advice.strip()


def weakest(certainties: Iterable[str]) -> str:
    """The lowest of some certainty levels (advice for a claim in parts speaks for them all);
    parts that are descriptions (not graded) do not lower it."""
    given = list(certainties)
    graded = [c for c in given if c in CERTAINTIES]
    if not graded and given:
        return NOT_GRADED
    return max(graded, key=CERTAINTIES.index, default=VERY_LOW)


@dataclass(frozen=True)
class QuestionKind:
    """The kind of question a claim asks, which decides how GRADE rates its evidence: its key
    (the claim files' `question:` and the rules file's `grade.start` section) and its label."""

    key: str
    label: str


# The kinds of question, defined once. A claim file without `question:` asks about an effect.
QUESTION_KINDS: tuple[QuestionKind, ...] = (
    QuestionKind("effect", "benefit of an intervention"),
    QuestionKind("harm", "harm of an intervention"),
    QuestionKind("prevalence", "prevalence, risk factor or prognosis"),
    QuestionKind("cause", "cause or mechanism"),
    QuestionKind("description", "description or definition"),
)
QUESTIONS: tuple[str, ...] = tuple(q.key for q in QUESTION_KINDS)
Question = Literal[QUESTIONS]  # the claim files' schema: one of the keys above
QUESTION_LABELS = {q.key: q.label for q in QUESTION_KINDS}
EFFECT, HARM, PREVALENCE, CAUSE, DESCRIPTION = QUESTIONS  # by name, for code that means one kind
GRADED_QUESTIONS: tuple[str, ...] = tuple(q for q in QUESTIONS if q != DESCRIPTION)
# A description or definition is checked against reference sources, not graded for certainty:
# its certainty column says this, and its label says whether the sources agree with it.
NOT_GRADED = "not graded"
DEFINITION_LABELS = {
    "supported": "consistent with clinical definitions",
    "contradicted": "not consistent with clinical definitions",
    "contested": "reference sources disagree",
    "unclear": "only partly consistent with clinical definitions",
    "insufficient": "too few reference sources to check",
}

# A reviewer's judgement of publication bias (GRADE's words), with its default.
PublicationBiasRating = Literal["undetected", "strongly suspected"]
PUBLICATION_BIAS_DEFAULT = ("undetected", "not formally assessed")


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


# Screening: the two stages a reviewer votes at, and what a vote decides.
TITLE_ABSTRACT, FULL_TEXT = "title-abstract", "full-text"
DECISIONS: tuple[str, ...] = ("include", "exclude")
# The most participants a study's n may give: more than any study has had; bounds a typo.
MAX_PARTICIPANTS = 1_000_000_000
