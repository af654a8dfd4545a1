"""schema.org ClaimReview JSON-LD, one object per claim, so fact-check tools can read the verdicts.

Fields follow schema.org/ClaimReview and Google's fact-check markup guide: claimReviewed,
reviewRating (with alternateName, the verdict in words), url, author, datePublished, and
itemReviewed (a Claim with its author and where it appeared). Rating scale: see RATING.
"""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from claimbook.ids import safe_url
from claimbook.report.context import RATING, ClaimSection, ReportContext

REVIEWER = {"@type": "Organization", "name": "claimbook review"}


def claim_review(ctx: ReportContext, section: ClaimSection, self_url: str = "") -> dict[str, Any]:
    """The ClaimReview object for one claim; `self_url` is the report's address (or file name)."""
    article = ctx.article
    publisher = {"@type": "Organization", "name": article.publisher}
    appearance: dict[str, Any] = {
        "@type": "Article",
        "headline": article.title,
        "publisher": publisher,
    }
    if safe_url(article.url):  # fact-check tools link it: http(s) only
        appearance["url"] = safe_url(article.url)
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{self_url}#{section.anchor}",
        "claimReviewed": section.claim,
        "datePublished": section.reviewed.isoformat(),
        "author": (
            {"@type": "Person", "name": section.signoff.reviewer, "affiliation": REVIEWER}
            if section.signoff
            else REVIEWER
        ),
        "itemReviewed": {
            "@type": "Claim",
            "author": publisher,
            "appearance": appearance,
            "firstAppearance": appearance,
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING[section.verdict],
            "bestRating": max(RATING.values()),
            "worstRating": min(RATING.values()),
            "alternateName": section.label,
            "ratingExplanation": section.sentence,
        },
    }


def claim_reviews(ctx: ReportContext, self_url: str = "") -> list[dict[str, Any]]:
    """One ClaimReview per reviewed claim, in claim order (a draft has no rating to publish)."""
    return [claim_review(ctx, s, self_url) for s in ctx.claims if not s.draft]


def jsonld_text(obj: object) -> str:
    """JSON for the .jsonld file: indented, UTF-8, stable."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def jsonld_script(obj: object) -> Markup:
    """JSON safe inside <script type="application/ld+json">: '<', '>' and '&' are written as
    \\u escapes, so data containing '</script>' or '<!--' cannot end or confuse the element."""
    text = json.dumps(obj, ensure_ascii=False, sort_keys=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Markup(text)
