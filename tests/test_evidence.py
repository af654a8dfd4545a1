"""How `evidence_table` resolves a citation: PubMed's indexing over the claim record's design,
a note when they disagree, the design's rank and weight, and no weight for a retraction."""

from __future__ import annotations

from datetime import UTC, datetime

from claimbook import Claim, evidence_table, load_rules
from claimbook.pubmed import PaperRecord, Snapshot

RULES = load_rules()


def _record(pmid: str, types: list[str], mesh: list[str] = (), retracted=False) -> PaperRecord:
    return PaperRecord(
        pmid=pmid, title=f"Paper {pmid}", authors=["Doe J"], year=2001,
        publication_types=types, mesh_terms=list(mesh), retracted=retracted,
        source="pubmed-efetch", fetched_at=datetime(2026, 1, 1, tzinfo=UTC),
    )  # fmt: skip


def _claim(*citations: dict) -> Claim:
    return Claim.model_validate({
        "id": "C01", "slug": "a-claim", "title": "A claim", "topic": "t",
        "claim": "Something happens to someone.", "quotes": [{"section": "S", "text": "Q" * 8}],
        "query": "cramp[tiab]", "reviewed": "2026-01-01",
        "evidence": [
            {"stance": "supports", "finding": "A finding of at least twenty characters.", **c}
            for c in citations
        ],
    })  # fmt: skip


def _table(claim, *records):
    return evidence_table([claim], Snapshot(records), RULES).set_index("key")


def test_pubmed_publication_type_overrides_the_claim_record_and_says_so():
    t = _table(
        _claim({"pmid": "1", "design": "prospective-cohort", "n": 200}),
        _record("1", ["Journal Article", "Randomized Controlled Trial"]),
    )
    row = t.loc["1"]
    assert (row.design, row.design_claimed, row.design_pubmed) == (
        "rct", "prospective-cohort", "rct",
    )  # fmt: skip
    assert row.design_note == ("PubMed indexes it as rct; the claim record says prospective-cohort")
    assert row.design_rank == RULES.rank("rct")
    assert row.weight == RULES.weight("rct", 200)


def test_the_most_specific_pubmed_type_wins():
    t = _table(
        _claim({"pmid": "2", "design": "narrative-review"}),
        _record("2", ["Review", "Systematic Review", "Meta-Analysis"]),
    )
    assert t.loc["2"].design == "meta-analysis"


def test_mesh_study_designs_count_when_publication_types_say_nothing():
    t = _table(
        _claim({"pmid": "3", "design": "other", "n": 50}),
        _record("3", ["Journal Article"], mesh=["Humans", "Cross-Sectional Studies*"]),
    )
    assert t.loc["3"].design == "cross-sectional"


def test_the_claim_record_decides_when_pubmed_states_no_design():
    t = _table(
        _claim({"pmid": "4", "design": "lab-experiment", "n": 12}),
        _record("4", ["Journal Article"]),
    )
    row = t.loc["4"]
    assert row.design == "lab-experiment" and row.design_pubmed is None
    assert row.design_note is None
    assert row.weight == RULES.weight("lab-experiment", 12)


def test_agreement_leaves_no_note():
    t = _table(_claim({"pmid": "5", "design": "rct", "n": 40}), _record("5", ["Clinical Trial",
               "Randomized Controlled Trial"]))  # fmt: skip
    assert t.loc["5"].design_note is None


def test_a_retracted_paper_carries_no_weight():
    t = _table(
        _claim({"pmid": "6", "design": "rct", "n": 400}),
        _record("6", ["Randomized Controlled Trial", "Retracted Publication"], retracted=True),
    )
    assert bool(t.loc["6"].retracted) and t.loc["6"].weight == 0.0
