"""Show a claim in Jupyter: quote, verdict, rationale, evidence table, figures, advice."""

from __future__ import annotations

import html

import matplotlib.pyplot as plt
from IPython.display import Markdown, display

from claimbook import plots
from claimbook.evidence import DOMAIN_LABELS
from claimbook.grading import DOMAINS
from claimbook.review import Review
from claimbook.vocab import CERTAINTY_SYMBOLS, verdict_sentence


def claim_markdown(review: Review, claim_id: str) -> str:
    """The claim's text part as Markdown (quotes, claim, verdict, plain statement and deciding
    papers, GRADE's domains, sign-off, advice)."""
    claim = review.claim(claim_id)
    v = review.verdict_row(claim_id)
    esc = html.escape
    sentence = verdict_sentence(v["verdict"], v["certainty"], claim.is_draft)
    quotes = "\n".join(f"> “{esc(q.text)}”  \n> — *{esc(q.section)}*\n>" for q in claim.quotes)
    parts = [
        f"### {claim.id} · {esc(claim.title)}",
        "**What the article says**\n\n" + quotes.rstrip(">\n"),
        f"**The claim, plainly:** {esc(claim.claim)}",
        f"**Verdict: {v['verdict']}** — {sentence}",
        f"*Why:* {esc(v['rationale'])}",
        f"**Certainty: {CERTAINTY_SYMBOLS[v['certainty']]} {v['certainty']}**, by GRADE's five "
        "domains:\n\n" + "\n".join(f"- **{DOMAIN_LABELS[d]}**: {esc(str(v[d]))}" for d in DOMAINS),
    ]
    if claim.review_line:
        parts.append(f"*{esc(claim.review_line)}*")
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
