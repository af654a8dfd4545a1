"""Issue 22: grading by the question a claim asks, and the body of evidence as GRADE sees it.

Property tests (hypothesis) over random bodies of evidence built from WeighedCitation, and one
hand-built body per question kind with the result a GRADE methodologist would give (the
reasoning is in each test's docstring).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimbook import CERTAINTIES, WeighedCitation, grade, load_rules
from claimbook.evidence.grading import EXACT_UP_TO
from claimbook.vocab import DEFINITION_LABELS, NOT_GRADED, QUESTIONS

RULES = load_rules()
DESIGNS = sorted(RULES.designs)
PRIMARY = sorted(set(DESIGNS) - RULES.pooled - RULES.context_designs)
GRADED = [q for q in QUESTIONS if q != "description"]
LEVEL = {"contradicted": 0, "insufficient": 1, "contested": 1, "unclear": 1, "supported": 2}

citation = st.builds(
    WeighedCitation,
    key=st.from_regex(r"[1-9][0-9]{0,7}", fullmatch=True),
    stance=st.sampled_from(sorted(RULES.stances)),
    design=st.sampled_from(DESIGNS),
    n=st.one_of(st.none(), st.integers(min_value=1, max_value=5000)),
    retracted=st.booleans(),
    risk_of_bias=st.sampled_from([None, "low", "some concerns", "high"]),
    bias_reason=st.just("not blinded"),
    indirect=st.sampled_from([None, "none", "population"]),
    indirect_note=st.just("another population"),
    effect_size=st.sampled_from([None, "OR 2.9", "RR 1.1"]),
    randomised=st.sampled_from([None, True, False]),
)
bodies = st.lists(citation, max_size=14, unique_by=lambda c: c.key)
questions = st.sampled_from(GRADED)
NEW = "999999999"  # a key no generated citation has
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _level(certainty: str) -> int:
    """0 for very low ... 3 for high."""
    return len(CERTAINTIES) - 1 - CERTAINTIES.index(certainty)


def _study(design: str, n: int | None, stance: str = "supports", key: str = NEW, **kw):
    return WeighedCitation(key=key, stance=stance, design=design, n=n, **kw)


@FAST
@given(bodies, questions, st.sampled_from(sorted(RULES.context_designs)),
       st.sampled_from(sorted(RULES.stances)))  # fmt: skip
def test_a_narrative_review_or_guideline_never_changes_verdict_or_certainty(cits, q, d, stance):
    before = grade(cits, RULES, question=q)
    after = grade([*cits, _study(d, None, stance)], RULES, question=q)
    assert (after.verdict, after.certainty) == (before.verdict, before.certainty)
    assert after.independent_studies == before.independent_studies
    assert NEW in after.context


@FAST
@given(bodies, questions, st.sampled_from(PRIMARY), st.integers(20, 5000),
       st.sampled_from(sorted(RULES.stances)), st.sampled_from([None, True]))  # fmt: skip
def test_one_study_never_raises_certainty_by_more_than_one_level(cits, q, design, n, stance, rnd):
    before = grade(cits, RULES, question=q)
    after = grade([*cits, _study(design, n, stance, randomised=rnd)], RULES, question=q)
    assert _level(after.certainty) <= _level(before.certainty) + 1


@FAST
@given(st.lists(citation, max_size=EXACT_UP_TO - 1, unique_by=lambda c: c.key), questions,
       st.sampled_from(PRIMARY), st.integers(20, 5000), st.sampled_from(sorted(RULES.stances)),
       st.sampled_from([None, True]))  # fmt: skip
def test_one_study_never_moves_certainty_by_more_than_one_level_either_way(
    cits, q, design, n, stance, rnd
):
    """Up or down: a large contradicting trial added to three concordant trials makes the claim
    contested and one level less certain, not two (exact up to EXACT_UP_TO primary studies)."""
    before = grade(cits, RULES, question=q)
    after = grade([*cits, _study(design, n, stance, randomised=rnd)], RULES, question=q)
    assert abs(_level(after.certainty) - _level(before.certainty)) <= 1


def test_one_disagreeing_study_takes_one_level_off_not_two():
    """A randomised trial and a cohort (100 people each) find no effect: contradicted, and
    moderate (the trial carries most of the weight; two studies are imprecise). One more cohort
    of 100 finding an effect makes the studies disagree. GRADE rates the disagreement down
    (inconsistency), and a contested claim is at most low; what a methodologist would not do is
    let one cohort of 100 knock two levels off: low, and the rationale names the study."""
    body = [_study("rct", 100, "contradicts", key="1"),
            _study("prospective-cohort", 100, "contradicts", key="2")]  # fmt: skip
    before = grade(body, RULES, question="effect")
    after = grade([*body, _study("prospective-cohort", 100, key="3")], RULES, question="effect")
    assert (before.verdict, before.certainty) == ("contradicted", "moderate")
    assert (after.verdict, after.certainty) == ("contested", "low")
    assert "without 3 the evidence would be moderate" in after.rationale


@FAST
@given(bodies, questions, st.sampled_from(PRIMARY), st.integers(1, 19),
       st.sampled_from(sorted(RULES.stances)))  # fmt: skip
def test_a_study_with_fewer_than_20_participants_never_raises_certainty(cits, q, design, n, stance):
    before = grade(cits, RULES, question=q)
    after = grade([*cits, _study(design, n, stance)], RULES, question=q)
    assert _level(after.certainty) <= _level(before.certainty)


@FAST
@given(bodies, st.sampled_from(QUESTIONS))
def test_adding_a_supporting_meta_analysis_never_weakens_support(cits, q):
    before = grade(cits, RULES, question=q)
    after = grade([*cits, _study("meta-analysis", None)], RULES, question=q)
    assert LEVEL[after.verdict] >= LEVEL[before.verdict]
    assert after.support_weight > before.support_weight
    if before.support_share is not None:
        assert after.support_share >= before.support_share


@FAST
@given(bodies, questions)
def test_laboratory_work_alone_is_never_more_than_low(cits, q):
    lab = [
        WeighedCitation(c.key, c.stance, "lab-experiment", c.n, c.retracted, effect_size="OR 5")
        for c in cits
    ]
    assert _level(grade(lab, RULES, question=q).certainty) <= _level("low")


@FAST
@given(bodies)
def test_a_description_is_checked_not_graded(cits):
    v = grade(cits, RULES, question="description")
    assert v.certainty == NOT_GRADED and v.label == DEFINITION_LABELS[v.verdict]


@FAST
@given(bodies)
def test_nothing_found_contradicts_it_only_when_nothing_contradicts_and_nothing_is_mixed(cits):
    v = grade(cits, RULES)
    counted = [c for c in cits if not c.retracted and c.design not in RULES.context_designs]
    if "Nothing found contradicts it." in v.rationale:
        assert not any(c.stance in ("contradicts", "mixed") for c in counted)


# --------------------------------------------------------------------------- one per kind


def _trials(k: int, stance: str = "supports", design: str = "rct", n: int = 200, **kw):
    return [
        WeighedCitation(key=str(i), stance=stance, design=design, n=n, label=f"Study {i}", **kw)
        for i in range(1, k + 1)
    ]


def test_effect_three_consistent_trials_are_high_and_cohorts_beside_them_do_not_lower_it():
    """Benefit of an intervention: three consistent, adequately sized randomised trials at
    low risk of bias start high (GRADE 3) and nothing lowers them: high. Two smaller cohorts
    pointing the same way carry less of the weight, so the start stays with the trials."""
    body = _trials(3, risk_of_bias="low") + _trials(5, design="prospective-cohort")[3:]
    v = grade(body, RULES, question="effect")
    assert (v.verdict, v.start, v.certainty) == ("supported", "high", "high")


def test_effect_one_crossover_trial_not_randomised_is_observational_evidence():
    """A crossover trial whose order was not randomised is, for GRADE, observational: it
    starts low, and two of them (sized >= 100) with nothing lowering them stay low. Recorded
    as randomised, the same trials start high but two studies reach at most moderate (no
    study adds more than one level to the certainty)."""
    plain = _trials(2, design="crossover-trial", n=120)
    randomised = _trials(2, design="crossover-trial", n=120, randomised=True)
    assert grade(plain, RULES).start == "low" and grade(plain, RULES).certainty == "low"
    assert grade(randomised, RULES).start == "high"
    assert grade(randomised, RULES).certainty == "moderate"


def test_harm_observational_cohorts_start_low():
    """Harm of an intervention: large cohorts are often the main source on rare harms, but
    GRADE still starts observational evidence low (GRADE 3; Guyatt 2011): three large
    consistent cohorts with no upgrade are low."""
    v = grade(_trials(3, design="retrospective-cohort", n=5000), RULES, question="harm")
    assert (v.verdict, v.start, v.certainty) == ("supported", "low", "low")


def test_prevalence_large_surveys_start_high():
    """Prevalence, risk factor, prognosis: well-conducted cohorts and cross-sectional surveys
    that represent the population start high (Iorio, BMJ 2015;350:h870). Four consistent
    surveys of 5,000 people at low risk of bias: high (with the built-in weights one survey
    alone is too little to grade, so three reach moderate under the one-study rule). The same
    body asked as an effect question would start, and stay, low."""
    body = _trials(4, design="cross-sectional", n=5000, risk_of_bias="low")
    v = grade(body, RULES, question="prevalence")
    assert (v.verdict, v.start, v.certainty) == ("supported", "high", "high")
    assert grade(body, RULES, question="effect").certainty == "low"


def test_prevalence_case_reports_are_very_low():
    """Case series and case reports cannot estimate how common something is: very low."""
    body = _trials(8, design="case-report", n=1)
    assert grade(body, RULES, question="prevalence").certainty == "very low"


def test_cause_laboratory_evidence_only_is_at_most_low_and_says_so():
    """Cause or mechanism: mechanistic laboratory work answers the question, so it may reach
    low, never more ('laboratory evidence only') — here four consistent lab experiments of
    40 people each, which would otherwise count towards a higher certainty."""
    v = grade(_trials(4, design="lab-experiment", n=40), RULES, question="cause")
    assert v.verdict == "supported" and v.certainty == "low"
    assert "Laboratory evidence only" in v.rationale


def test_description_says_consistent_with_clinical_definitions_instead_of_a_certainty():
    """A textbook description ('a cramp is a sudden, involuntary, painful contraction') is not
    graded for certainty: it is checked against reference sources and, where they agree,
    says 'consistent with clinical definitions'."""
    body = _trials(3, design="cross-sectional", n=300)
    v = grade(body, RULES, "A cramp is a painful contraction.", question="description")
    assert (v.verdict, v.certainty, v.label) == (
        "supported", NOT_GRADED, "consistent with clinical definitions",
    )  # fmt: skip
    assert "consistent with clinical definitions" in v.statement


def test_three_lists_are_honestly_labelled_and_context_is_apart():
    """The rationale lists supports, contradicts and mixed separately, and context apart."""
    body = [
        *_trials(4),
        WeighedCitation("7", "mixed", "rct", 200, label="Mixed 7"),
        WeighedCitation("8", "supports", "narrative-review", label="Review 8"),
    ]
    v = grade(body, RULES)
    assert "Mixed: Mixed 7." in v.rationale
    assert "Context, not counted: Review 8." in v.rationale
    assert "Nothing found contradicts it" not in v.rationale
    assert v.independent_studies == 5


def test_a_systematic_review_stands_for_the_studies_it_lists():
    """`includes` on a review: its pooled studies are counted once, with the primary studies
    cited beside it."""
    review = WeighedCitation("100", "supports", "systematic-review", includes=("1", "2", "3"))
    v = grade([review, *_trials(2)], RULES)
    assert v.independent_studies == 3


@pytest.mark.parametrize("bad", ["publication_bias", "flat start"])
def test_old_rules_files_are_refused_with_a_message_saying_what_to_change(tmp_path, bad):
    from claimbook import RulesError

    text = (
        load_rules.__globals__["resources"]
        .files("claimbook.evidence")
        .joinpath("rules/grading.yaml")
        .read_text("utf-8")
    )
    if bad == "publication_bias":
        text = text.replace(
            "  upgrade:\n", "  publication_bias:\n    signals: [industry]\n  upgrade:\n"
        )
        expected = "grade: publication_bias: no longer read"
    else:
        start = text.index("  start:\n")
        end = text.index("  risk_of_bias:")
        text = text[:start] + "  start:\n    high: [rct]\n    low: [case-control]\n" + text[end:]
        expected = "grade.start: start levels are now given per question kind"
    path = tmp_path / "rules.yaml"
    path.write_text(text)
    with pytest.raises(RulesError) as err:
        load_rules(path)
    assert expected in str(err.value)
