"""Absolute effects in the Summary of Findings (issue 24, item 2): a risk or odds ratio applied
to the outcome's baseline risk, per 1000, as GRADEpro computes it, checked against numbers
worked out by hand; the baseline must come from a paper the claim cites; and an outcome with
no absolute effect says why in plain words.

The ratio and baseline written into the test review below are made-up numbers for the
arithmetic only (the shipped reviews record none: no finding there states a control-group
risk together with a risk or odds ratio for the same outcome)."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from pydantic import ValidationError

from claimbook.claims.risk import BaselineRisk, Ratio
from claimbook.cli import main
from claimbook.evidence.absolute import NO_ABSOLUTE, absolute_effect, risk_with
from claimbook.evidence.review import load_review
from claimbook.report import build_report

from conftest import claim_file

B = "the placebo group of PMID 15808033"


def test_a_risk_ratio_at_a_baseline_gives_the_risks_per_1000_worked_out_by_hand():
    # 94 x 1.35 = 126.9 -> 127; 94 x 1.17 = 109.98 -> 110; 94 x 1.55 = 145.7 -> 146
    a = absolute_effect(
        BaselineRisk(risk=0.094, source=B), Ratio(measure="RR", estimate=1.35, low=1.17, high=1.55)
    )
    assert (a.without, a.with_, a.with_ci) == (94, 127, (110, 146))
    assert (a.difference, a.difference_ci) == (33, (16, 52))
    assert a.text() == (
        f"94 per 1000 without it ({B}); 127 per 1000 with it (110 to 146): 33 more per 1000 "
        "(16 more to 52 more), from RR 1.35 (1.17 to 1.55)"
    )


def test_an_odds_ratio_uses_the_odds_formula_not_the_risk_one():
    # OR 2 at 20%: 2 x 0.2 / (1 - 0.2 + 0.4) = 1/3 -> 333; OR 0.5: 0.1 / 0.9 -> 111
    assert risk_with("OR", 2.0, 0.2) == pytest.approx(1 / 3)
    a = absolute_effect(
        BaselineRisk(risk=0.2, source=B), Ratio(measure="OR", estimate=2.0, low=0.5, high=4.0)
    )
    # OR 4: 0.8 / (0.8 + 0.8) = 0.5 -> 500
    assert (a.without, a.with_, a.with_ci) == (200, 333, (111, 500))
    assert (a.difference, a.difference_ci) == (133, (-89, 300))
    assert "(89 fewer to 300 more)" in a.text()
    assert risk_with("RR", 2.0, 0.2) == pytest.approx(0.4)  # the risk formula differs


def test_per_100_and_no_interval_and_a_risk_never_past_one():
    a = absolute_effect(BaselineRisk(risk=0.6, per=100, source=B), Ratio(measure="RR", estimate=2))
    assert (a.without, a.with_, a.with_ci, a.difference_ci) == (60, 100, None, None)
    assert a.text().endswith("40 more per 100, from RR 2")


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        ({"risk": 0.1, "source": "the control group of the trial"}, "PMID or DOI"),
        ({"risk": 1.2, "source": B}, "less than 1"),
        ({"risk": 0.1, "per": 50, "source": B}, "per must be"),
    ],
)
def test_a_baseline_without_a_source_or_out_of_range_is_refused(fields, words):
    with pytest.raises(ValidationError, match=words):
        BaselineRisk(**fields)


def test_a_ratio_interval_must_hold_its_estimate():
    with pytest.raises(ValidationError, match="must hold the estimate"):
        Ratio(measure="RR", estimate=2.0, low=0.5, high=1.5)
    with pytest.raises(ValidationError, match="both ends"):
        Ratio(measure="OR", estimate=2.0, low=0.5)


def _add_ratio_and_baseline(review: Path, source: str = B) -> tuple[Path, str]:
    """C11: a ratio on its first citation (an RCT, PMID 15808033) and a baseline risk."""
    path = claim_file(review, "C11")
    text = path.read_text(encoding="utf-8")
    text = re.sub(
        r'(- pmid: "15808033"\n(?:  .*\n|    .*\n)*?  effect:\n)',
        r"\g<1>    ratio: {measure: RR, estimate: 1.35, low: 1.17, high: 1.55}\n",
        text,
        count=1,
    )
    text = text.replace(
        '\nsetting: "',
        f'\nbaseline_risk: {{risk: 0.094, per: 1000, source: "{source}"}}\nsetting: "',
    )
    assert "ratio:" in text and "baseline_risk" in text
    path.write_text(text, encoding="utf-8")
    return path, text


def test_the_summary_of_findings_gives_the_absolute_effect_in_every_format(review, tmp_path):
    _add_ratio_and_baseline(review)
    rev = load_review(project=review)
    row = rev.summary_of_findings().set_index("claim_id").loc["C11"]
    assert row["absolute"].startswith(f"94 per 1000 without it ({B}); 127 per 1000 with it")
    assert pd.isna(row["no_absolute"])
    others = rev.summary_of_findings().set_index("claim_id").drop("C11")
    assert (others["no_absolute"] == NO_ABSOLUTE).all() and others["absolute"].isna().all()
    out = tmp_path / "out"
    build_report(rev, out, ("html", "md"), progress=False)
    html = (out / "claimbook-report.html").read_text("utf-8")
    md = (out / "claimbook-report.md").read_text("utf-8")
    assert "127 per 1000 with it (110 to 146): 33 more per 1000 (16 more to 52 more)" in html
    assert "127 per 1000 with it (110 to 146): 33 more per 1000 (16 more to 52 more)" in md
    assert "No absolute effect (per 1000 people) is computed for" in html  # the other outcomes


def test_a_ratio_without_a_baseline_says_what_is_missing(review):
    path, text = _add_ratio_and_baseline(review)
    path.write_text(re.sub(r"\nbaseline_risk: .*", "", text), encoding="utf-8")
    row = load_review(project=review).summary_of_findings().set_index("claim_id").loc["C11"]
    assert pd.isna(row["absolute"])
    assert "no baseline risk" in row["no_absolute"]


def test_a_baseline_from_a_paper_the_claim_does_not_cite_is_refused_in_plain_words(review):
    path, _ = _add_ratio_and_baseline(review, "the control group of PMID 25842375")
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["validate", "--project", str(review)])
    assert result.exit_code != 0
    assert "C11" in result.output or path.name in result.output
    assert "baseline_risk" in result.output and "not among the papers this claim cites" in (
        result.output
    )
    assert path.read_bytes() == before
