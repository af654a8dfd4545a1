"""PRISMA 2020 flows (issue 25, item 2), counted from what claimbook recorded on a hand-built
queue in tmp_path: two saved searches of claim C01 (real records from the shipped snapshot),
exclusions written by `claimbook.edit.exclude`, votes by `record_vote`. Every expected number
below follows from how the queue was built, paper by paper."""

from __future__ import annotations

import csv
import io

import pytest

from claimbook import load_claims
from claimbook.edit import exclude
from claimbook.edit.screening import store_hits
from claimbook.edit.votes import FULL_TEXT, flow_inputs, record_vote
from claimbook.evidence.prisma import (
    CURATED_BY_HAND,
    count_flow,
    prisma_csv,
    review_flow,
)
from claimbook.pubmed import load_snapshot
from claimbook.pubmed.search import SearchRun

# the PRISMA2020 R package's data template's columns (inst/extdata/PRISMA.csv)
PRISMA2020_COLUMNS = ["data", "node", "box", "description", "boxtext", "tooltips", "url", "n"]


def _run(records, term: str, date: str) -> SearchRun:
    return SearchRun("q[tiab]", term, None, False, term.upper(), date, 40 + len(records),
                     tuple(r.pmid for r in records))  # fmt: skip


@pytest.fixture
def queue(project):
    """C01 with 2 of its cited papers and 6 papers it does not cite in two saved searches:
    run 1 = cited0 cited1 o0 o1 o2 o3, run 2 = o2 o3 o4 o5 (o2, o3 found twice)."""
    claim = load_claims(project / "claims")[0]
    named = {c.pmid for c in [*claim.evidence, *claim.excluded] if c.pmid}
    snapshot = load_snapshot(project / "data" / "pubmed")
    cited = [snapshot.get(c.pmid) for c in claim.evidence if c.pmid][:2]
    others = [r for r in snapshot if r.pmid and r.pmid not in named][:6]
    assert len(cited) == 2 and len(others) == 6
    first, second = [*cited, *others[:4]], others[2:6]
    store_hits(project, "C01", "q[tiab]", 46, first, _run(first, "run one", "2026-01-02T10:00"))
    store_hits(project, "C01", "q[tiab]", 44, second, _run(second, "run two", "2026-02-03T10:00"))
    o = [r.pmid for r in others]
    exclude(project, "C01", o[0], "Wrong population: children only.")
    exclude(project, "C01", o[1], "Wrong  population: children only")  # the same reason
    exclude(project, "C01", o[3], "Not a study of the claim.")
    record_vote(project, "C01", o[4], "Ana", "include")
    record_vote(project, "C01", o[4], "Ana", "exclude", stage=FULL_TEXT, reason="No outcome.")
    exclude(project, "C01", o[4], "No outcome reported.")
    record_vote(project, "C01", o[5], "Ana", "include")  # sought, still being read
    return project, o, claim


def _flow(project):
    claim = load_claims(project / "claims")[0]
    return count_flow(claim, *flow_inputs(project, claim)), claim


def test_the_counts_of_a_half_screened_queue_add_up(queue):
    project, _o, original = queue
    flow, _ = _flow(project)
    assert (flow.identified, flow.duplicates) == (10, 2)
    assert flow.awaiting_screening == 1  # o2
    assert flow.screened == 7
    assert flow.excluded == 3
    assert dict(flow.excluded_reasons) == {
        "Wrong population: children only": 2, "Not a study of the claim": 1
    }  # fmt: skip
    assert flow.sought == 4 and flow.awaiting_full_text == 1 and flow.assessed == 3
    assert flow.excluded_full_text == 1
    assert dict(flow.full_text_reasons) == {"No outcome reported": 1}
    assert flow.included == 2
    assert flow.identified - flow.duplicates - flow.awaiting_screening == flow.screened
    assert flow.screened - flow.excluded == flow.sought
    assert flow.sought - flow.awaiting_full_text == flow.assessed
    assert flow.assessed - flow.excluded_full_text == flow.included
    # the claim's other citations (and exclusions) were gathered by hand, outside the searches
    assert flow.other_included == len({c.key for c in original.evidence}) - 2
    assert flow.other_excluded == len({c.key for c in original.excluded})
    assert [(r.term, r.searched_at[:10], len(r.pmids)) for r in flow.searches] == [
        ("run one", "2026-01-02", 6), ("run two", "2026-02-03", 4)
    ]  # fmt: skip


def test_the_counts_of_a_finished_queue_add_up_as_prisma_says(queue):
    project, o, _claim = queue
    exclude(project, "C01", o[2], "Wrong population: children only.")
    exclude(project, "C01", o[5], "No outcome reported.")
    record_vote(project, "C01", o[5], "Ana", "exclude", stage=FULL_TEXT, reason="No outcome.")
    flow, _ = _flow(project)
    assert flow.identified - flow.duplicates == flow.screened == 8
    assert flow.screened - flow.excluded == flow.assessed == 4
    assert flow.assessed - flow.excluded_full_text == flow.included == 2
    assert flow.excluded_reasons["Wrong population: children only"] == 3
    assert flow.full_text_reasons["No outcome reported"] == 2


def test_the_csv_has_the_prisma2020_packages_columns_and_the_counts(queue):
    project, _o, _claim = queue
    flow, _ = _flow(project)
    rows = list(csv.DictReader(io.StringIO(prisma_csv(flow))))
    assert list(rows[0]) == PRISMA2020_COLUMNS
    n = {r["data"]: r["n"] for r in rows if r["data"] != "NA"}
    assert n["database_results"] == "10" and n["duplicates"] == "2"
    assert n["records_screened"] == "7" and n["records_excluded"] == "3"
    assert n["dbr_sought_reports"] == "4" and n["dbr_assessed"] == "3"
    assert n["dbr_excluded"] == "No outcome reported, 1"
    assert int(n["total_studies"]) == flow.included + flow.other_included


def test_a_claim_curated_by_hand_says_so_instead_of_counting(project):
    claim = load_claims(project / "claims")[0]
    flow = count_flow(claim, *flow_inputs(project, claim))
    assert not flow.searched
    assert flow.rows() == [("Search", CURATED_BY_HAND)]
    assert review_flow([flow]).searched is False


def test_the_review_flow_counts_each_record_once(queue):
    """A paper the searches of two claims found is one record at review level (the second hit a
    duplicate), in the box of the furthest stage it reached for either claim."""
    project, _o, _claim = queue
    flow, claim = _flow(project)
    other = claim.model_copy(update={"id": "C99", "excluded": []})  # o0 is not excluded there
    twin = count_flow(other, *flow_inputs(project, claim))
    assert twin.awaiting_screening == flow.awaiting_screening + 3  # o0 o1 o3 wait there
    hand = count_flow(claim, [], [])
    total = review_flow([flow, hand, twin])
    assert total.identified == 20 and len(total.searches) == 4
    assert total.duplicates == 12  # 8 distinct records among the 20 hits
    assert total.identified - total.duplicates - total.awaiting_screening == total.screened
    # o0 o1 o3 were excluded for C01 and await screening for C99: excluded is further
    assert (total.screened, total.excluded, total.included) == (7, 3, 2)
    assert total.excluded_reasons["Wrong population: children only"] == 2
    assert total.screened - total.excluded - total.awaiting_full_text == total.assessed
    assert total.assessed - total.excluded_full_text == total.included
    assert total.other_included == flow.other_included  # the same papers, cited by hand


def test_the_diagram_draws_every_box(queue):
    from claimbook.evidence.plots import prisma_flow

    project, _o, _claim = queue
    flow, _ = _flow(project)
    fig = prisma_flow(flow)
    text = "\n".join(t.get_text() for t in fig.axes[0].texts)
    for words in ("Records identified from PubMed (n = 10)", "duplicate records (n = 2)",
                  "Records screened\n(n = 7)", "Records excluded (n = 3)",
                  "Reports assessed in full\n(n = 3)", "Reports excluded (n = 1)",
                  "Identification", "Screening", "Included"):  # fmt: skip
        assert words in text, words
    fig.savefig("/tmp/prisma-test.png", dpi=90)
