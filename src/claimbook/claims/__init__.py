"""The claims layer: the claim files' schema, their YAML read with line numbers, loading and
validation against the article and the snapshot. It reads; it never writes (claimbook.edit does).

May import: the core modules and claimbook.pubmed (the snapshot a claim cites). The public
names are re-exported here: ``from claimbook.claims import Claim, load_claims``.
"""

from claimbook.claims.schema import (
    Citation,
    Claim,
    ClaimPart,
    ClaimsError,
    Excluded,
    Problem,
    Quote,
    ReviewedArticle,
    SignOff,
    Topic,
    load_article,
    load_claims,
    load_snapshot,
    validate_project,
)

__all__ = [
    "Citation",
    "Claim",
    "ClaimPart",
    "ClaimsError",
    "Excluded",
    "Problem",
    "Quote",
    "ReviewedArticle",
    "SignOff",
    "Topic",
    "load_article",
    "load_claims",
    "load_snapshot",
    "validate_project",
]
