"""What the PubMed parser yields: `PubMedArticle` records and their parts.

Plain dataclasses, filled by `parse.parse_pubmed_xml`. The snapshot (`store.PaperRecord`) keeps
`AbstractSection` and `Correction` as they are; pydantic validates them there and refuses
unknown fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic import ConfigDict

__all__ = ["CORRECTION_TYPES", "AbstractSection", "Correction", "PubMedArticle"]

# The CommentsCorrections types kept in `PubMedArticle.corrections`: links that change how a paper
# should be read. CommentOn/CommentIn, Cites, SummaryForPatientsIn etc. are left out.
CORRECTION_TYPES = frozenset({
    "ErratumIn", "ErratumFor", "RetractionIn", "RetractionOf", "PartialRetractionIn",
    "PartialRetractionOf", "ExpressionOfConcernIn", "ExpressionOfConcernFor", "UpdateIn",
    "UpdateOf", "RepublishedIn", "RepublishedFrom", "ReprintIn", "ReprintOf",
})  # fmt: skip


@dataclass(slots=True)
class AbstractSection:
    """One AbstractText: its printed label, NLM category and plain text.

    The snapshot stores these as they are (PaperRecord.abstract_sections); pydantic validates
    them there and refuses unknown fields.
    """

    __pydantic_config__ = ConfigDict(extra="forbid")

    label: str | None
    category: str | None
    text: str


@dataclass(slots=True)
class Correction:
    """A CommentsCorrections link whose RefType is in CORRECTION_TYPES (errata, retractions,
    expressions of concern, updates, republications, reprints); comments and citations are not
    kept. `source` is the RefSource citation text, `pmid` the linked record's PMID if given."""

    __pydantic_config__ = ConfigDict(extra="forbid")

    type: str
    pmid: str | None
    source: str | None


@dataclass(slots=True)
class PubMedArticle:
    """One PubMed record, normalised. `kind` is "article" or "book".

    For books (`kind="book"`) `journal` holds the publisher's name (else the book title),
    `year` comes from Book/PubDate, and there are no MeSH terms or corrections.
    """

    pmid: str
    title: str
    title_html: str
    abstract: str
    abstract_sections: list[AbstractSection] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    journal: str | None = None
    year: int | None = None
    doi: str | None = None
    pmcid: str | None = None
    publication_types: list[str] = field(default_factory=list)
    mesh_terms: list[str] = field(default_factory=list)
    retracted: bool = False
    corrections: list[Correction] = field(default_factory=list)
    kind: str = "article"
