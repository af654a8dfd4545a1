"""Show a claim in Jupyter: quote, verdict, rationale, evidence table, figures, advice.

The text is Markdown; every string from the review goes through `claimbook.markup.md`, so a
title or finding holding HTML or a Markdown link is shown as text, never rendered live.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from claimbook.claims.schema import Claim
from claimbook.evidence import plots
from claimbook.evidence.review import Review
from claimbook.markup import md
from claimbook.pubmed.watch import paper_alerts
from claimbook.vocab import (
    CERTAINTY_SYMBOLS,
    DOMAIN_LABELS,
    DOMAINS,
    hedged_advice,
    verdict_sentence,
    weakest,
)


def _record_intro(review: Review, claim: Claim) -> list[str]:
    """Before the first part of a claim graded in parts: the claim as the article makes it,
    and its parts, so they read together."""
    record = claim.record
    parts = review.parts(record.id)
    if not parts or parts[0].id != claim.id:
        return []
    listed = "; ".join(f"**{md(c.id)}** {md(c.title)}" for c in parts)
    out = [
        f"## {md(record.id)} · {md(record.title)}",
        f"**The claim as the article makes it:** {md(record.claim)}",
        f"This sentence makes {len(parts)} claims, and the research answers them differently, "
        f"so each is graded on its own: {listed}.",
    ]
    if record.advice:  # it speaks for every part: hedged to the weakest
        certainty = weakest(review.verdict_row(c.id)["certainty"] for c in parts)
        out.append(f"**What to tell a client:** {md(hedged_advice(record.advice, certainty))}")
    return out


def claim_markdown(review: Review, claim_id: str) -> str:
    """The claim's text part as Markdown (quotes, claim, verdict, plain statement and deciding
    papers, GRADE's domains, sign-off, advice)."""
    claim = review.claim(claim_id)
    v = review.verdict_row(claim_id)
    sentence = verdict_sentence(v["verdict"], v["certainty"], claim.is_draft)
    quotes = "\n".join(f"> “{md(q.text)}”  \n> — *{md(q.section)}*\n>" for q in claim.quotes)
    part = f"*Part {md(claim.part)} of {md(claim.record_id)}, graded on its own.*"
    parts = [
        *_record_intro(review, claim),
        f"### {md(claim.id)} · {md(claim.title)}",
        *([part] if claim.part else []),
        "**What the article says**\n\n" + quotes.rstrip(">\n"),
        f"**The claim, plainly:** {md(claim.claim)}",
        f"**Verdict: {md(v['label'])}** — {md(sentence)}",
        f"*Why:* {md(v['rationale'])}",
        f"**Certainty: {CERTAINTY_SYMBOLS[v['certainty']]} {md(v['certainty'])}**, by GRADE's "
        "five domains:\n\n"
        + "\n".join(f"- **{md(DOMAIN_LABELS[d])}**: {md(v[d])}" for d in DOMAINS),
    ]
    alerts = paper_alerts([claim], review.snapshot)
    if alerts:
        parts.append(
            "**⚠ PubMed flags papers cited here** (read the notice before relying on the paper; "
            "a retracted paper is given no weight):\n\n"
            + "\n".join(f"- {md(a.message)}" for a in alerts)
        )
    if claim.review_line:
        parts.append(f"*{md(claim.review_line)}*")
    if claim.advice:
        advice = hedged_advice(claim.advice, v["certainty"])
        parts.append(f"**What to tell a client:** {md(advice)}")
    return "\n\n".join(parts)


def show(fig) -> None:
    """Display a figure once and close it (so the inline backend does not show it again)."""
    display(fig)
    plt.close(fig)


def show_claim(review: Review, claim_id: str, figures: bool = True) -> None:
    """Display one claim fully: text, evidence table, stance and timeline figures. A claim
    graded in parts (C10) shows each of its parts (C10a, C10b) in turn."""
    parts = review.parts(claim_id)
    if parts:
        for part in parts:
            show_claim(review, part.id, figures)
        return
    display(Markdown(claim_markdown(review, claim_id)))
    display(review.claim_table(claim_id))
    if figures:
        show(plots.timeline(review.table, claim_id))
