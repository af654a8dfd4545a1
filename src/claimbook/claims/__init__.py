"""The claims layer: the claim files' schema, their YAML read with line numbers, loading and
validation against the article and the snapshot. It reads; it never writes (claimbook.edit does).

    schema.py      the pydantic models of a claim file, of papers.yaml (PaperAppraisal) and of
                   article.yaml; claim ids
    study.py       what belongs to a study, once per paper: PaperAppraisal, papers.yaml
    yaml_lines.py  YAML that remembers every field's line; pydantic errors as FILE:LINE problems
    appraisal.py   each paper appraised once: papers.yaml read, every citation given its paper's
                   appraisal, two places that appraise a paper differently refused
    load.py        load_article, load_claims: each file, and the files against each other
    validate.py    validate_project -> ValidatedClaims: against the topics, the snapshot and
                   the article's text; claim_context + check_claim_text for an edit

May import: the core modules and claimbook.pubmed (the snapshot a claim cites). The public
names are re-exported here: ``from claimbook.claims import Claim, load_claims``.
"""

from claimbook.claims.load import ClaimsError, load_article, load_claims
from claimbook.claims.schema import (
    Citation,
    Claim,
    ClaimPart,
    Excluded,
    PaperAppraisal,
    Quote,
    ReviewedArticle,
    SignOff,
    Topic,
)
from claimbook.claims.validate import ValidatedClaims, validate_project
from claimbook.errors import Problem
from claimbook.pubmed.store import load_snapshot

__all__ = [
    "Citation",
    "Claim",
    "ClaimPart",
    "ClaimsError",
    "Excluded",
    "PaperAppraisal",
    "Problem",
    "Quote",
    "ReviewedArticle",
    "SignOff",
    "Topic",
    "ValidatedClaims",
    "load_article",
    "load_claims",
    "load_snapshot",
    "validate_project",
]
