"""What a PubMed record suggests of a study, for the reviewer to confirm: its design (from the
publication types and MeSH headings, on the project's design scale) and its n (from what the
abstract states). Each suggestion carries the rule that made it, in words, so the reviewer can
see why; None when the record says nothing clear.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Most specific first: the first type found decides. Values are the claim records' design names.
PUBLICATION_TYPE_DESIGNS: tuple[tuple[str, str], ...] = (
    ("Meta-Analysis", "meta-analysis"),
    ("Systematic Review", "systematic-review"),
    ("Practice Guideline", "guideline"),
    ("Guideline", "guideline"),
    ("Randomized Controlled Trial", "rct"),
    ("Cross-Over Studies", "crossover-trial"),
    ("Controlled Clinical Trial", "rct"),
    ("Prospective Studies", "prospective-cohort"),
    ("Cohort Studies", "prospective-cohort"),
    ("Retrospective Studies", "retrospective-cohort"),
    ("Case-Control Studies", "case-control"),
    ("Cross-Sectional Studies", "cross-sectional"),
    ("Case Reports", "case-report"),
    ("Review", "narrative-review"),
)

#: The most participants an abstract's number is taken for (the schema's bound is larger).
MAX_SUGGESTED_N = 10_000_000


@dataclass(frozen=True)
class Suggestion:
    """A value suggested from a PubMed record, and the rule that gave it, in words."""

    value: str | int
    rule: str


def suggest_design(
    publication_types: Iterable[str], mesh_terms: Iterable[str] = ()
) -> Suggestion | None:
    """The design PubMed's indexing states, with the rule: 'PubMed indexes it as Randomized
    Controlled Trial' (a publication type) or 'PubMed's MeSH headings include Cohort Studies'.
    None when the indexing says nothing specific."""
    types = set(publication_types)
    mesh = {m.rstrip("*") for m in mesh_terms}
    for label, design in PUBLICATION_TYPE_DESIGNS:
        if label in types:
            return Suggestion(design, f"PubMed indexes it as {label}")
        if label in mesh:
            return Suggestion(design, f"PubMed's MeSH headings include {label}")
    return None


def design_from_pubmed(
    publication_types: Iterable[str], mesh_terms: Iterable[str] = ()
) -> str | None:
    """The design PubMed's indexing states, or None when it says nothing specific."""
    found = suggest_design(publication_types, mesh_terms)
    return None if found is None else str(found.value)


# --------------------------------------------------------------------------- n from the abstract

_NUMBER = r"(\d{1,3}(?:,\d{3})+|\d+)"  # 42, 1234, 1,234 (not 1.234: a decimal)
_PEOPLE = (
    r"(?:patients|participants|subjects|adults|children|adolescents|infants|women|men|"
    r"individuals|volunteers|people|persons|runners|athletes|players|students|pregnant women|"
    r"residents|respondents|outpatients|inpatients|cases)"
)
_JOINED = (
    r"(?:were|was|had been|have been)\s+(?:randomly\s+)?(?:randomi[sz]ed|assigned|allocated|"
    r"enrolled|included|recruited|studied|analy[sz]ed|surveyed)|underwent\s+randomi[sz]ation|"
    r"took part|participated|enrolled|completed the study"
)
_TOTAL = r"(?:[Aa]\s+total\s+of|[Oo]verall,?)"
_VERB = r"(?:included|enrolled|recruited|randomi[sz]ed|involved|involving|studied|surveyed)"

#: (pattern, how the rule reads): the first that matches decides, unless another disagrees.
N_RULES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(rf"\b[Nn]\s*=\s*{_NUMBER}\b"), "the abstract states n = {n}"),
    (re.compile(rf"{_TOTAL}\s+{_NUMBER}\s+(?:\w+\s+){{0,2}}?{_PEOPLE}\b"),
     "the abstract says “{text}”"),
    (re.compile(rf"\b{_NUMBER}\s+(?:\w+\s+){{0,2}}?{_PEOPLE}\s+(?:{_JOINED})\b"),
     "the abstract says “{text}”"),
    (re.compile(rf"\b{_VERB}\s+{_NUMBER}\s+(?:\w+\s+){{0,2}}?{_PEOPLE}\b"),
     "the abstract says “{text}”"),
)  # fmt: skip


def _count(text: str) -> int:
    return int(text.replace(",", ""))


def suggest_n(abstract: str | None) -> Suggestion | None:
    """The number of participants an abstract states, with the rule: 'n = 42', 'A total of
    1,234 participants', '42 patients were randomised', 'we enrolled 42 adults'. None when the
    abstract states none, or states several that disagree (arms, subgroups: unsure)."""
    if not abstract:
        return None
    text = " ".join(abstract.split()).replace("\u2009", " ").replace("\u202f", " ")
    found: list[tuple[int, str]] = []
    for pattern, rule in N_RULES:
        for m in pattern.finditer(text):
            n = _count(m.group(1))
            if 1 <= n <= MAX_SUGGESTED_N:
                found.append((n, rule.format(n=n, text=m.group(0))))
        if found:
            break  # the first rule that finds a number decides; a later one is weaker
    if not found or len({n for n, _ in found}) > 1:
        return None
    n, rule = found[0]
    return Suggestion(n, rule)
