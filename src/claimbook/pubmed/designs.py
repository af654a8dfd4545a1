"""Study design from PubMed publication types and MeSH, on the project's design scale."""

from __future__ import annotations

from collections.abc import Iterable

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


def design_from_pubmed(
    publication_types: Iterable[str], mesh_terms: Iterable[str] = ()
) -> str | None:
    """The design PubMed's indexing states, or None when it says nothing specific."""
    found = set(publication_types) | {m.rstrip("*") for m in mesh_terms}
    for label, design in PUBLICATION_TYPE_DESIGNS:
        if label in found:
            return design
    return None
