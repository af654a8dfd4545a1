"""The PRISMA 2020 flow of a claim's search and screening, counted from what claimbook recorded:
the saved searches (`data/pubmed/hits/`, one run per `claimbook search --save`), the reviewers'
final votes (`data/screening/`), the claim's `excluded:` entries and its citations. No number is
typed: a claim whose evidence was gathered by hand, without a saved search, has no flow and
says so (`CURATED_BY_HAND`).

    identified        records each saved search returned, summed over the searches (per query,
                      with its date and PubMed's full count)
    duplicates        records found again by a later search of the same claim
    screened          unique records a decision was made on (`awaiting_screening` wait still)
    excluded          excluded at title and abstract: an `excluded:` entry without a full-text
                      vote, reasons grouped by their wording
    sought / assessed reports read in full: screened - excluded; assessed once it is cited or
                      excluded after reading (`awaiting_full_text` are still being read)
    excluded in full  an `excluded:` entry with a reviewer's full-text vote
    included          cited papers that came from the search

so that identified - duplicates - awaiting_screening = screened, screened - excluded = sought,
sought - awaiting_full_text = assessed and assessed - excluded in full = included. Cited papers
no saved search found are "identified via other methods" (PRISMA's right-hand column).

Within a claim every record counts once (found again by a later search: a duplicate). The
review's flow counts *distinct* records too: a paper saved by the searches of two claims is one
record screened, the second hit a duplicate, and it sits in the box of the furthest stage it
reached for any claim (included for one claim and excluded for another: included), so the
review's boxes add up as a claim's do. Identified is every hit of every saved search.

`prisma_csv` writes the counts in the long format of the PRISMA2020 R package's data template
(`inst/extdata/PRISMA.csv` of github.com/prisma-flowdiagram/PRISMA2020: columns data, node,
box, description, boxtext, tooltips, url, n; one row per box, `data` naming the count), which
`PRISMA2020::PRISMA_data(read.csv(...))` reads to redraw the diagram in R.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from claimbook.claims.schema import Claim
from claimbook.pubmed.search import SearchRun
from claimbook.pubmed.store import PaperRecord

CURATED_BY_HAND = "evidence curated by hand; no search recorded"


@dataclass
class Flow:
    """One claim's PRISMA 2020 counts (or the review's, summed); `searched` is False for a claim
    curated by hand, whose counts are all zero and never shown."""

    claim_id: str
    searched: bool
    searches: list[SearchRun] = field(default_factory=list)
    identified: int = 0
    duplicates: int = 0
    awaiting_screening: int = 0
    screened: int = 0
    excluded: int = 0
    excluded_reasons: Counter = field(default_factory=Counter)
    sought: int = 0
    awaiting_full_text: int = 0
    assessed: int = 0
    excluded_full_text: int = 0
    full_text_reasons: Counter = field(default_factory=Counter)
    included: int = 0
    other_identified: int = 0
    other_excluded: int = 0
    other_included: int = 0
    # key -> (box, reason) of every distinct record the searches found, and key -> "included"
    # or "excluded" of those gathered by other methods: what the review's flow counts from
    fates: dict[str, tuple[str, str | None]] = field(default_factory=dict, repr=False)
    others: dict[str, str] = field(default_factory=dict, repr=False)

    @property
    def total_included(self) -> int:
        return self.included + self.other_included

    def rows(self) -> list[tuple[str, str]]:
        """(box, number or reasons) in the order of the diagram: the flow as a table."""
        if not self.searched:
            return [("Search", CURATED_BY_HAND)]
        runs = [
            (f"Identified: {r.term} ({r.searched_at[:10]}, PubMed matched {r.count})",
             str(len(r.pmids))) for r in self.searches
        ]  # fmt: skip
        rows = [
            *runs,
            ("Records identified", str(self.identified)),
            ("Duplicate records removed", str(self.duplicates)),
            ("Records screened", str(self.screened)),
            ("Records excluded at screening", str(self.excluded)),
            *[(f"   {why}", str(n)) for why, n in self.excluded_reasons.most_common()],
            ("Reports sought for retrieval", str(self.sought)),
            ("Reports assessed in full", str(self.assessed)),
            ("Reports excluded after full reading", str(self.excluded_full_text)),
            *[(f"   {why}", str(n)) for why, n in self.full_text_reasons.most_common()],
            ("Studies included (from the search)", str(self.included)),
            ("Studies identified via other methods and included", str(self.other_included)),
            ("Total studies included", str(self.total_included)),
        ]
        waiting = [("Records awaiting screening", self.awaiting_screening),
                   ("Reports awaiting full reading", self.awaiting_full_text)]  # fmt: skip
        return rows + [(k, str(n)) for k, n in waiting if n]


# the boxes a record can end in, earliest stage first (the review keeps a record's furthest)
AWAITING_SCREENING, EXCLUDED = "awaiting_screening", "excluded"
AWAITING_FULL_TEXT, EXCLUDED_FULL_TEXT, INCLUDED = (
    "awaiting_full_text",
    "excluded_full_text",
    "included",
)
STAGES = (AWAITING_SCREENING, EXCLUDED, AWAITING_FULL_TEXT, EXCLUDED_FULL_TEXT, INCLUDED)


def _reason(text: str) -> str:
    """A reason as it is grouped: its wording, spaces folded, without a final full stop."""
    return " ".join(text.split()).rstrip(".")


def count_flow(
    claim: Claim, runs: Sequence[SearchRun], records: Iterable[PaperRecord],
    sought: set[str] = frozenset(), full_text: set[str] = frozenset(),
) -> Flow:  # fmt: skip
    """The claim's flow from its saved search runs and their records, the keys of papers a
    reviewer voted to include at title and abstract (`sought`) and of those voted on in full
    (`full_text`). No runs: a claim curated by hand."""
    if not runs:
        return Flow(claim.id, searched=False)
    alias = {}  # every name a saved record goes by (PMID, doi:...) -> its key
    for r in records:
        alias[r.key] = r.key
        if r.doi:
            alias[f"doi:{r.doi.lower()}"] = r.key
    found: list[str] = [alias.get(p, p) for run in runs for p in run.pmids]
    unique = list(dict.fromkeys(found))  # in the order found: reasons tie in a fixed order

    def keys(entries) -> dict[str, object]:
        out = {}
        for e in entries:
            names = [e.key, *([f"doi:{e.doi.lower()}"] if e.doi else [])]
            out[next((alias[n] for n in names if n in alias), e.key)] = e
        return out

    cited, excluded = keys(claim.evidence), keys(claim.excluded)
    fates: dict[str, tuple[str, str | None]] = {}
    for key in unique:
        if key in cited:
            fates[key] = (INCLUDED, None)
        elif key in excluded:
            box = EXCLUDED_FULL_TEXT if key in full_text else EXCLUDED
            fates[key] = (box, _reason(excluded[key].reason))
        elif key in sought or key in full_text:
            fates[key] = (AWAITING_FULL_TEXT, None)
        else:
            fates[key] = (AWAITING_SCREENING, None)
    others = {k: INCLUDED for k in cited if k not in unique}
    others |= {k: EXCLUDED for k in excluded if k not in unique and k not in others}
    flow = Flow(claim.id, True, list(runs), len(found), len(found) - len(unique))
    return _counted(flow, fates, others)


def _counted(flow: Flow, fates: dict[str, tuple[str, str | None]], others: dict[str, str]) -> Flow:
    """`flow` with its boxes counted from each distinct record's fate (and reasons grouped)."""
    flow.fates, flow.others = fates, others
    for box, why in fates.values():
        setattr(flow, box, getattr(flow, box) + 1)
        if box == EXCLUDED:
            flow.excluded_reasons[why] += 1
        elif box == EXCLUDED_FULL_TEXT:
            flow.full_text_reasons[why] += 1
    flow.screened = len(fates) - flow.awaiting_screening
    flow.sought = flow.screened - flow.excluded
    flow.assessed = flow.sought - flow.awaiting_full_text
    flow.other_included = sum(1 for v in others.values() if v == INCLUDED)
    flow.other_excluded = len(others) - flow.other_included
    flow.other_identified = len(others)
    return flow


def review_flow(flows: Iterable[Flow]) -> Flow:
    """The review's flow over its searched claims (hand-curated claims add nothing), counting
    distinct records: a record two claims' searches found is screened once, at the furthest
    stage it reached for any claim; a paper one claim cited by hand and another's search found
    counts as found by the search."""
    searched = [f for f in flows if f.searched]
    total = Flow("review", searched=bool(searched))
    fates: dict[str, tuple[str, str | None]] = {}
    for f in searched:
        total.searches += f.searches
        total.identified += f.identified
        for key, fate in f.fates.items():
            if key not in fates or STAGES.index(fate[0]) > STAGES.index(fates[key][0]):
                fates[key] = fate
    others: dict[str, str] = {}
    for f in searched:
        for key, kind in f.others.items():
            if key in fates and kind == INCLUDED:
                fates[key] = (INCLUDED, None)
            elif key not in fates and others.get(key) != INCLUDED:
                others[key] = kind
    total.duplicates = total.identified - len(fates)
    return _counted(total, fates, others)


def _reasons(reasons: Counter) -> str | int:
    if not reasons:
        return 0
    return "; ".join(f"{why.replace(';', ',')}, {n}" for why, n in reasons.most_common())


# (data, node, box, what it counts): the rows of the PRISMA2020 package's data template, in its
# order; a row without `data` is a title box.
_TEMPLATE = [
    ("previous_studies", "node5", "box1", "Studies included in previous version of review"),
    ("previous_reports", "NA", "box1", "Reports of studies in previous version of review"),
    ("NA", "node6", "newstud", "Identification of new studies via databases and registers"),
    ("database_results", "node7", "box2", "Records identified from databases"),
    ("register_results", "NA", "box2", "Records identified from registers"),
    ("NA", "node16", "othstud", "Identification of new studies via other methods"),
    ("website_results", "node17", "box11", "Records identified from websites"),
    ("organisation_results", "NA", "box11", "Records identified from organisations"),
    ("citations_results", "NA", "box11", "Records identified from citation searching"),
    ("duplicates", "node8", "box3", "Duplicate records removed"),
    ("excluded_automatic", "NA", "box3", "Records marked as ineligible by automation tools"),
    ("excluded_other", "NA", "box3", "Records removed for other reasons"),
    ("records_screened", "node9", "box4", "Records screened"),
    ("records_excluded", "node10", "box5", "Records excluded"),
    ("dbr_sought_reports", "node11", "box6", "Reports sought for retrieval"),
    ("dbr_notretrieved_reports", "node12", "box7", "Reports not retrieved"),
    ("other_sought_reports", "node18", "box12", "Reports sought for retrieval (other)"),
    ("other_notretrieved_reports", "node19", "box13", "Reports not retrieved (other)"),
    ("dbr_assessed", "node13", "box8", "Reports assessed for eligibility"),
    ("dbr_excluded", "node14", "box9", "Reports excluded"),
    ("other_assessed", "node20", "box14", "Reports assessed for eligibility (other)"),
    ("other_excluded", "node21", "box15", "Reports excluded (other)"),
    ("new_studies", "node15", "box10", "New studies included in review"),
    ("new_reports", "NA", "box10", "Reports of new included studies"),
    ("total_studies", "node22", "box16", "Total studies included in review"),
    ("total_reports", "NA", "box16", "Reports of total included studies"),
    ("identification", "node1", "identification", "Identification"),
    ("screening", "node2", "screening", "Screening"),
    ("included", "node3", "included", "Included"),
]


def prisma_counts(flow: Flow) -> dict[str, int | str]:
    """The flow under the PRISMA2020 package's `data` names (reasons as 'reason, n; ...')."""
    other = flow.other_identified
    return {
        "previous_studies": 0, "previous_reports": 0,
        "database_results": flow.identified, "register_results": 0,
        "website_results": 0, "organisation_results": 0, "citations_results": other,
        "duplicates": flow.duplicates, "excluded_automatic": 0, "excluded_other": 0,
        "records_screened": flow.screened, "records_excluded": flow.excluded,
        "dbr_sought_reports": flow.sought, "dbr_notretrieved_reports": 0,
        "other_sought_reports": other, "other_notretrieved_reports": 0,
        "dbr_assessed": flow.assessed, "dbr_excluded": _reasons(flow.full_text_reasons),
        "other_assessed": other, "other_excluded": flow.other_excluded,
        "new_studies": flow.total_included, "new_reports": flow.total_included,
        "total_studies": flow.total_included, "total_reports": flow.total_included,
    }  # fmt: skip


def prisma_csv(flow: Flow) -> str:
    """The flow as a CSV in the PRISMA2020 R package's data layout (see the module's doc)."""
    counts = prisma_counts(flow)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"])
    for data, node, box, what in _TEMPLATE:
        n = counts.get(data, 0) if data in counts else 0
        writer.writerow([data, node, box, what, what, what, f"{data}.html", n])
    return out.getvalue()
