"""Show a claim in Jupyter: quote, verdict, rationale, evidence table, figures, advice."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from claimbook import plots
from claimbook.review import Review

VERDICT_SENTENCES = {
    "supported": "The research supports this claim",
    "contested": "The research is divided on this claim",
    "contradicted": "The research contradicts this claim",
    "insufficient": "There is too little research to judge this claim",
}


def verdict_sentence(verdict: str, certainty: str) -> str:
    """The verdict in one plain sentence, e.g. 'The research supports this claim (moderate
    certainty).'"""
    return f"{VERDICT_SENTENCES[verdict]} ({certainty} certainty)."


def claim_markdown(review: Review, claim_id: str) -> str:
    """The claim's text part as Markdown (quotes, claim, verdict, rationale, advice)."""
    claim = review.claim(claim_id)
    v = review.verdict(claim_id)
    esc = html.escape
    quotes = "\n".join(f"> “{esc(q.text)}”  \n> — *{esc(q.section)}*\n>" for q in claim.quotes)
    parts = [
        f"### {claim.id} · {esc(claim.title)}",
        "**What the article says**\n\n" + quotes.rstrip(">\n"),
        f"**The claim, plainly:** {esc(claim.claim)}",
        f"**Verdict: {v['verdict']}** — {verdict_sentence(v['verdict'], v['certainty'])}",
        f"*Why:* {esc(v['rationale'])}",
    ]
    if claim.advice:
        parts.append(f"**What to tell a client:** {esc(claim.advice)}")
    return "\n\n".join(parts)


def show(fig) -> None:
    """Display a figure once and close it (so the inline backend does not show it again)."""
    display(fig)
    plt.close(fig)


def show_claim(review: Review, claim_id: str, figures: bool = True) -> None:
    """Display one claim fully: text, evidence table, stance and timeline figures."""
    display(Markdown(claim_markdown(review, claim_id)))
    display(review.claim_table(claim_id))
    if figures:
        show(plots.timeline(review.table, claim_id))
