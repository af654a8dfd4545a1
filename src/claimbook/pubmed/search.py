"""New PubMed hits for a saved query: what a reviewer has neither cited nor excluded yet, and the
design-aware term sent for it (the claim's query with a PubMed Clinical Queries filter).

The filters are the ones PubMed's Clinical Queries page offers, under the names its help page
gives them (PubMed User Guide, "Clinical Queries filters"): a category
(Therapy, Etiology, Diagnosis, Prognosis, Clinical Prediction Guides) and a scope (Broad:
sensitive, Narrow: specific), searched as `Category/Scope[filter]`; `systematic[sb]` is PubMed's
systematic-review subset. Which filter a claim gets follows the kind of question it asks
(`FILTER_BY_QUESTION`, the mapping of Haynes' hedges that Clinical Queries are built on):

    effect       Therapy/Broad      does the intervention help? (trials of treatment)
    harm         Etiology/Broad     does it harm? (Clinical Queries file harm under etiology)
    prevalence   Prognosis/Broad    how common, who is at risk, how it goes (cohorts)
    cause        Etiology/Broad     what causes it (aetiology: cohorts, case-control)
    description  none               a definition is checked against reference sources, for which
                                    no hedge exists (Diagnosis is about test accuracy)

The broad scope is the default because a reviewer screens what the filter lets through: losing
a relevant paper costs more than screening one more title.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field

from claimbook.pubmed.designs import design_from_pubmed
from claimbook.vocab import CAUSE, DESCRIPTION, EFFECT, HARM, PREVALENCE

# the reviewer's name for a filter -> the PubMed term it adds
CLINICAL_FILTERS: dict[str, str] = {
    f"{category.lower().replace(' ', '-')}-{scope.lower()}": f"{category}/{scope}[filter]"
    for category in ("Therapy", "Etiology", "Diagnosis", "Prognosis", "Clinical Prediction Guides")
    for scope in ("Broad", "Narrow")
}
FILTER_BY_QUESTION: dict[str, str | None] = {
    EFFECT: "therapy-broad",
    HARM: "etiology-broad",
    PREVALENCE: "prognosis-broad",
    CAUSE: "etiology-broad",
    DESCRIPTION: None,
}
AUTO, NO_FILTER = "auto", "none"
FILTER_CHOICES: tuple[str, ...] = (AUTO, NO_FILTER, *CLINICAL_FILTERS)
REVIEWS_TERM = "systematic[sb]"


@dataclass(frozen=True)
class SearchTerm:
    """What is sent to esearch: the claim's query, the filter chosen (None: none) and the term."""

    query: str
    filter: str | None
    reviews_only: bool
    term: str

    @property
    def described(self) -> str:
        """'Therapy/Broad[filter] AND systematic[sb]', or 'no filter': for the reviewer."""
        parts = [CLINICAL_FILTERS[self.filter]] if self.filter else []
        parts += [REVIEWS_TERM] if self.reviews_only else []
        return " AND ".join(parts) or "no filter"


def design_term(
    query: str, question: str, filter_name: str = AUTO, reviews_only: bool = False
) -> SearchTerm:
    """The term to send: `query`, AND the Clinical Queries filter (`auto`: the question's, see
    FILTER_BY_QUESTION; `none`: no filter), AND systematic[sb] when `reviews_only`."""
    if filter_name == AUTO:
        chosen = FILTER_BY_QUESTION.get(question)
    elif filter_name == NO_FILTER:
        chosen = None
    elif filter_name in CLINICAL_FILTERS:
        chosen = filter_name
    else:
        known = ", ".join(FILTER_CHOICES)
        raise ValueError(f"unknown search filter {filter_name!r} (one of: {known})")
    extra = [CLINICAL_FILTERS[chosen]] if chosen else []
    extra += [REVIEWS_TERM] if reviews_only else []
    term = " AND ".join([f"({query})", *extra]) if extra else query
    return SearchTerm(query, chosen, reviews_only, term)


@dataclass(frozen=True)
class Hit:
    """One PubMed search hit, as esummary describes it."""

    pmid: str
    year: str | None
    design: str | None
    title: str


@dataclass
class NewHits:
    """How many records the term matches in all, the query PubMed ran (its translation), and
    the first hits not yet screened."""

    count: int
    hits: list[Hit] = field(default_factory=list)
    query_translation: str | None = None


def new_hits(client, query: str, known: Collection[str], max_hits: int = 20) -> NewHits:
    """Run `query` (one esearch, one esummary) and keep hits whose PMID is not in `known`."""
    result = client.esearch(query, retmax=max_hits + len(known))
    new = [pmid for pmid in result.ids if pmid not in known][:max_hits]
    summaries = client.esummary(new) if new else {}
    hits = []
    for pmid in new:
        doc = summaries.get(pmid, {})
        hits.append(
            Hit(
                pmid=pmid,
                year=(doc.get("pubdate") or "")[:4] or None,
                design=design_from_pubmed(doc.get("pubtype") or []),
                title=doc.get("title", ""),
            )
        )
    return NewHits(result.count, hits, result.query_translation)


@dataclass(frozen=True)
class SearchRun:
    """One saved search, as PRISMA reports it: what was asked, what PubMed ran, when, how many
    records matched (`count`) and which were saved for screening (`pmids`)."""

    query: str
    term: str
    filter: str | None
    reviews_only: bool
    query_translation: str | None
    searched_at: str
    count: int
    pmids: tuple[str, ...]

    def as_json(self) -> dict:
        """The run as the saved-hits file keeps it."""
        return {
            "query": self.query, "term": self.term, "filter": self.filter,
            "reviews_only": self.reviews_only, "query_translation": self.query_translation,
            "searched_at": self.searched_at, "count": self.count, "pmids": list(self.pmids),
        }  # fmt: skip

    @classmethod
    def from_json(cls, body: dict) -> SearchRun:
        """A run read back (KeyError/TypeError on a body claimbook did not write)."""
        return cls(
            str(body["query"]), str(body["term"]), body.get("filter"),
            bool(body.get("reviews_only", False)), body.get("query_translation"),
            str(body["searched_at"]), int(body["count"]), tuple(str(p) for p in body["pmids"]),
        )  # fmt: skip
