"""Words that agree with the certainty (issue 22 item 7): the verdict is shown as its label in
GRADE's informative words ("Probably true", "Very uncertain — leans true"), never a bare word
above "We are very uncertain"; statements never say "whether ... not"; advice for a client is
hedged to the certainty of the claim it speaks for."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from claimbook import vocab
from claimbook.evidence.review import load_review
from claimbook.evidence.rules import Wording, load_rules, statement, wording
from claimbook.jupyter.display import claim_markdown
from claimbook.report.claimreview import claim_reviews
from claimbook.report.context import build_context
from claimbook.report.figures import Figures
from claimbook.report.html import render_html
from claimbook.report.markdown import render_markdown

from conftest import ROOT

QUICK = ROOT / "examples" / "leg-cramps-quick-tip"
SVG = '<svg xmlns="http://www.w3.org/2000/svg"></svg>'
DOUBLE_NEGATIVE = re.compile(r"\bwhether\b[^.;]*?( not |does not|do not)", re.I)


@pytest.fixture(scope="module", params=["muscle-cramps", "leg-cramps-quick-tip"])
def review(request):
    project = ROOT if request.param == "muscle-cramps" else QUICK
    return load_review(project / "claims", project / "data")


@pytest.fixture(scope="module")
def ctx(review):
    return build_context(review)


def test_every_verdict_and_certainty_has_its_own_label():
    for verdict in vocab.VERDICTS:
        assert verdict in vocab.VERDICT_LABELS, verdict
        labels = [vocab.verdict_label(verdict, c) for c in vocab.CERTAINTIES]
        assert all(labels), verdict
        # very low certainty is said first, except where the label already says there is
        # too little research to say anything
        if verdict != "insufficient":
            assert labels[-1].startswith("Very uncertain"), labels
            assert not any(x.startswith("Very uncertain") for x in labels[:-1]), labels
    assert vocab.verdict_label("supported", vocab.HIGH) == "True"
    assert vocab.verdict_label("supported", vocab.MODERATE) == "Probably true"
    assert vocab.verdict_label("supported", vocab.LOW) == "May be true"
    assert vocab.verdict_label("contradicted", vocab.MODERATE) == "Probably not true"
    assert vocab.verdict_label("contradicted", vocab.LOW) == "May not be true"
    assert vocab.verdict_label("supported", vocab.VERY_LOW, draft=True) == vocab.DRAFT_LABEL


def test_a_supported_label_never_sits_above_very_uncertain():
    """The issue's complaint: a bare SUPPORTED badge above 'We are very uncertain whether'."""
    label = vocab.verdict_label("supported", vocab.VERY_LOW)
    assert "uncertain" in label.lower() and label.lower() != "supported"


def test_the_verdicts_table_has_the_label_of_each_row(review):
    for row in review.verdicts.itertuples():
        draft = review.claim(row.claim_id).is_draft
        assert row.label == vocab.verdict_label(row.verdict, row.certainty, draft), row.claim_id


def test_the_report_shows_each_claims_label(review, ctx):
    html = render_html(ctx, Figures(SVG, {c.id: SVG for c in ctx.claims}))
    md = render_markdown(ctx)
    for row in review.verdicts.itertuples():
        label = vocab.verdict_label(row.verdict, row.certainty, review.claim(row.claim_id).is_draft)
        badge = f'<span class="badge v-{row.verdict}">{escape(label)}</span>'
        assert html.count(badge) >= 2, (row.claim_id, badge)  # summary table and the section
        assert f"**Verdict: {label}** — " in md, row.claim_id
        assert f"- **{label}** [{row.claim_id}]" in md, row.claim_id  # page 1's list
    # no badge shows a bare verdict word any more
    for word in vocab.VERDICTS:
        assert f'">{word}</span>' not in html, word


def test_claimreview_and_the_claim_view_use_the_label(review, ctx):
    verdicts = review.verdicts.set_index("claim_id")
    for block, section in zip(
        claim_reviews(ctx), [s for s in ctx.claims if not s.draft], strict=True
    ):
        v = verdicts.loc[section.id]
        assert block["reviewRating"]["alternateName"] == vocab.verdict_label(
            v["verdict"], v["certainty"]
        )
    for cid, v in verdicts.iterrows():
        text = claim_markdown(review, cid)
        label = vocab.verdict_label(v["verdict"], v["certainty"], review.claim(cid).is_draft)
        assert f"**Verdict: {label}** — " in text, cid


def test_no_statement_says_whether_not(review):
    for row in review.verdicts.itertuples():
        assert not DOUBLE_NEGATIVE.search(row.statement), (row.claim_id, row.statement)
        assert not DOUBLE_NEGATIVE.search(row.rationale), (row.claim_id, row.rationale)


def test_a_negated_claim_is_said_positively_and_its_verdict_turned_round():
    """The article says 'sports drinks do not prevent cramps'. If the research supports the
    article, the statement says of the positive wording that the research points against it;
    the verdict (read against the article's claim) is unchanged."""
    rules = load_rules()
    said = wording(
        "Sports drinks do not prevent cramps.", "Sports drinks prevent cramps.", "negative"
    )
    assert said == Wording("Sports drinks prevent cramps.", negated=True)
    assert statement("supported", vocab.MODERATE, said, rules) == (
        "It is probably not true that sports drinks prevent cramps."
    )
    assert statement("contradicted", vocab.MODERATE, said, rules) == (
        "It is probably true that sports drinks prevent cramps."
    )
    assert statement("contested", vocab.LOW, said, rules) == (
        "Studies disagree on whether sports drinks prevent cramps."
    )
    # a positive rewording (polarity positive) keeps the verdict the way round it is
    same = wording("Cramps signal not enough magnesium.", "Cramps signal too little magnesium.")
    assert statement("supported", vocab.LOW, same, rules).startswith(
        "It may be true that cramps signal too little magnesium"
    )
    assert wording("Salt helps.") == Wording("Salt helps.")


def test_a_shipped_negative_claim_keeps_its_verdict_against_the_article():
    review = load_review(ROOT / "claims", ROOT / "data")
    c02 = review.claim("C02")
    assert c02.polarity == "negative" and "does not prevent" in c02.claim
    row = review.verdict_row("C02")
    assert "prevents muscle cramps" in row["statement"]
    assert "does not" not in row["statement"]


def test_polarity_negative_needs_the_positive_wording():
    from pydantic import ValidationError

    from claimbook.claims.schema import ClaimPart

    with pytest.raises(ValidationError, match="polarity: negative needs `positive:`"):
        ClaimPart(
            part="a", title="A part", claim="Salt does not help cramps.",
            quotes=[{"section": "S", "text": "Salt does not help."}], polarity="negative",
        )  # fmt: skip


def test_advice_is_hedged_to_the_certainty(review, ctx):
    for level in vocab.CERTAINTIES:
        hedged = vocab.hedged_advice("Tell clients to stretch.", level)
        assert hedged == vocab.ADVICE_HEDGES[level] + "Tell clients to stretch."
    assert "very uncertain" in vocab.hedged_advice("Say x here.", vocab.VERY_LOW)
    html = render_html(ctx, Figures(SVG, {c.id: SVG for c in ctx.claims}))
    md = render_markdown(ctx)
    verdicts = review.verdicts.set_index("claim_id")
    shown = 0
    for claim in review.claims:
        if not claim.advice:
            continue
        certainty = verdicts.loc[claim.id, "certainty"]
        hedged = vocab.hedged_advice(claim.advice, certainty)
        section = next(s for s in ctx.claims if s.id == claim.id)
        assert section.advice == hedged, claim.id
        assert str(escape(hedged)) in html, claim.id
        assert vocab.hedged_advice("", certainty) in claim_markdown(review, claim.id), claim.id
        shown += 1
    for record in {c.record.id: c.record for c in review.claims if c.part}.values():
        if record.advice:  # speaks for all its parts: hedged to the weakest
            weakest = vocab.weakest(
                verdicts.loc[p.id, "certainty"] for p in review.parts(record.id)
            )
            whole = next(s.whole for s in ctx.claims if s.whole and s.whole.id == record.id)
            assert whole.advice == vocab.hedged_advice(record.advice, weakest)
            shown += 1
    assert shown, "the shipped review has advice to show"
    assert "What to tell a client:** " + vocab.ADVICE_HEDGES[vocab.VERY_LOW] in md or not any(
        verdicts["certainty"] == vocab.VERY_LOW
    )


def test_weakest_is_the_lowest_certainty():
    assert vocab.weakest([vocab.HIGH, vocab.LOW, vocab.MODERATE]) == vocab.LOW
    assert vocab.weakest([]) == vocab.VERY_LOW


def test_reading_the_report_explains_every_label_and_hedge():
    doc = (ROOT / "docs" / "reading-the-report.md").read_text("utf-8")
    for verdict, labels in vocab.VERDICT_LABELS.items():
        assert f"| {verdict} | " + " | ".join(labels) + " |" in doc, verdict
    for hedge in vocab.ADVICE_HEDGES.values():
        assert f'"{hedge.strip()}"' in doc, hedge
    assert "Santesso" in doc


def test_a_description_is_labelled_and_hedged_as_checked_against_references():
    """A description is not graded for certainty (issue 22): its label says how it stands
    against clinical definitions, its advice is not hedged as 'very uncertain', and a part that
    is a description does not lower the advice of the record it belongs to."""
    for verdict, words in vocab.DEFINITION_LABELS.items():
        assert vocab.verdict_label(verdict, vocab.NOT_GRADED).lower() == words
    advice = vocab.hedged_advice("Most cramps pass on their own.", vocab.NOT_GRADED)
    assert advice.endswith("Most cramps pass on their own.") and "uncertain" not in advice
    assert vocab.weakest([vocab.NOT_GRADED, vocab.LOW]) == vocab.LOW
    assert vocab.weakest([vocab.NOT_GRADED]) == vocab.NOT_GRADED
