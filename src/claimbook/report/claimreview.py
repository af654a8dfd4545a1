"""schema.org ClaimReview JSON-LD, one block per claim, so fact-check tools can read the verdicts.

Rating scale (documented in the report's method appendix): 5 supported, 3 contested,
2 insufficient evidence, 1 contradicted; `alternateName` carries the verdict in words.
"""

from __future__ import annotations

import json

from markupsafe import Markup

from claimbook.report.context import ClaimSection, ReportContext

RATING = {"supported": 5, "contested": 3, "insufficient": 2, "contradicted": 1}
REVIEWER = {"@type": "Organization", "name": "claimbook review"}


def claim_review(ctx: ReportContext, section: ClaimSection, base_url: str = "") -> dict:
    """The ClaimReview object for one claim."""
    article = ctx.article
    appearance = {
        "@type": "Article",
        "headline": article.title,
        "publisher": {"@type": "Organization", "name": article.publisher},
    }
    if article.url:
        appearance["url"] = article.url
    return {
        "@context": "https://schema.org",
        "@type": "ClaimReview",
        "url": f"{base_url}#{section.id.lower()}",
        "claimReviewed": section.claim,
        "datePublished": section.reviewed.isoformat(),
        "author": REVIEWER,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Organization", "name": article.publisher},
            "appearance": appearance,
            "firstAppearance": appearance,
        },
        "reviewRating": {
            "@type": "Rating",
            "ratingValue": RATING[section.verdict],
            "bestRating": 5,
            "worstRating": 1,
            "alternateName": f"{section.verdict.capitalize()} ({section.certainty} certainty)",
            "ratingExplanation": section.sentence,
        },
    }


def claim_reviews(ctx: ReportContext, base_url: str = "") -> list[dict]:
    return [claim_review(ctx, s, base_url) for s in ctx.claims]


def jsonld_text(obj: object) -> str:
    """JSON for a file: indented, UTF-8."""
    return json.dumps(obj, indent=2, ensure_ascii=False) + "\n"


def jsonld_script(obj: object) -> Markup:
    """JSON safe inside <script type="application/ld+json">: '<', '>' and '&' escaped, so data
    containing '</script>' cannot close the element."""
    text = json.dumps(obj, ensure_ascii=False)
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)
