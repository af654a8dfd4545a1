"""Grading logic, pinned by properties (hypothesis) and by the rules file being honoured."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from claimbook import CERTAINTIES, VERDICTS, WeighedCitation, grade, load_rules

RULES = load_rules()
DESIGNS = sorted(RULES.designs)
STANCES = sorted(RULES.stances)

# How much a verdict backs the claim: adding support may only move a claim up this scale.
LEVEL = {"contradicted": 0, "insufficient": 1, "contested": 1, "supported": 2}

citation = st.builds(
    WeighedCitation,
    key=st.from_regex(r"[1-9][0-9]{0,7}", fullmatch=True),
    stance=st.sampled_from(STANCES),
    design=st.sampled_from(DESIGNS),
    n=st.one_of(st.none(), st.integers(min_value=1, max_value=5000)),
    retracted=st.booleans(),
)
citations = st.lists(citation, max_size=25, unique_by=lambda c: c.key)


def _meta(key: str, stance: str = "supports", retracted: bool = False) -> WeighedCitation:
    return WeighedCitation(key=key, stance=stance, design="meta-analysis", retracted=retracted)


@settings(max_examples=300)
@given(citations)
def test_adding_a_supporting_meta_analysis_never_lowers_support(cits):
    before = grade(cits, RULES)
    after = grade([*cits, _meta("999999999")], RULES)
    assert LEVEL[after.verdict] >= LEVEL[before.verdict]
    assert after.support_weight > before.support_weight
    if before.support_share is not None:
        assert after.support_share >= before.support_share


@settings(max_examples=300)
@given(citations, st.sampled_from(STANCES), st.sampled_from(DESIGNS))
def test_a_retracted_citation_never_changes_a_verdict(cits, stance, design):
    before = grade(cits, RULES)
    retracted = WeighedCitation(key="999999999", stance=stance, design=design, retracted=True)
    after = grade([*cits, retracted], RULES)
    assert (after.verdict, after.certainty, after.rationale) == (
        before.verdict,
        before.certainty,
        before.rationale,
    )


@settings(max_examples=200)
@given(citations, st.randoms(use_true_random=False))
def test_order_of_citations_never_matters(cits, rnd: random.Random):
    shuffled = list(cits)
    rnd.shuffle(shuffled)
    a, b = grade(cits, RULES), grade(shuffled, RULES)
    assert (a.verdict, a.certainty, a.rationale, a.deciding) == (
        b.verdict,
        b.certainty,
        b.rationale,
        b.deciding,
    )


@given(st.lists(citation.filter(lambda c: c.stance == "context" or c.retracted), max_size=10))
def test_no_evidence_is_insufficient(cits):
    v = grade(cits, RULES)
    assert v.verdict == "insufficient"
    assert v.certainty == "very low"


@given(citations)
def test_outputs_are_always_in_the_vocabulary(cits):
    v = grade(cits, RULES)
    assert v.verdict in VERDICTS
    assert v.certainty in CERTAINTIES
    assert v.rationale


def test_consistent_meta_analyses_give_high_certainty_support():
    v = grade([_meta("1"), _meta("2")], RULES)
    assert (v.verdict, v.certainty) == ("supported", "high")
    assert v.deciding == ["1", "2"]


def test_contradicting_trials_give_contradicted():
    cits = [
        WeighedCitation(key=str(i), stance="contradicts", design="rct", n=200) for i in range(1, 4)
    ]
    v = grade(cits, RULES)
    assert v.verdict == "contradicted"
    assert v.certainty == "high"


def test_balanced_evidence_is_contested_and_at_most_low():
    cits = [_meta("1"), _meta("2", stance="contradicts")]
    v = grade(cits, RULES)
    assert v.verdict == "contested"
    assert CERTAINTIES.index(v.certainty) >= CERTAINTIES.index("low")


def test_a_lone_case_report_is_insufficient():
    v = grade([WeighedCitation(key="1", stance="supports", design="case-report", n=1)], RULES)
    assert v.verdict == "insufficient"


def test_small_primary_studies_lower_certainty():
    small = [
        WeighedCitation(key=str(i), stance="supports", design="rct", n=10) for i in range(1, 4)
    ]
    big = [WeighedCitation(key=str(i), stance="supports", design="rct", n=400) for i in range(1, 4)]
    assert CERTAINTIES.index(grade(small, RULES).certainty) > CERTAINTIES.index(
        grade(big, RULES).certainty
    )


def test_rules_file_is_honoured(tmp_path):
    """Changing the data changes the verdict: the rules are not hard-coded."""
    text = (
        load_rules.__globals__["resources"]
        .files("claimbook")
        .joinpath("rules/grading.yaml")
        .read_text("utf-8")
    )
    cits = [_meta("1"), WeighedCitation(key="2", stance="contradicts", design="rct", n=200)]
    assert grade(cits, RULES).verdict == "contested"  # 6 for, 4 against: 60%
    strict = tmp_path / "rules.yaml"
    strict.write_text(text.replace("supported_at_least: 0.75", "supported_at_least: 0.55"))
    assert grade(cits, load_rules(strict)).verdict == "supported"
