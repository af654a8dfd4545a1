"""claimbook: check a health article's claims against PubMed, claim by claim.

The names a notebook or script needs, in one place::

    from claimbook import load_review, build_report, show_claim
    review = load_review(project=".")           # validated claims + snapshot, graded
    review.verdicts                             # one row per claim
    build_report(review, "reports")             # HTML, PDF, Markdown and exports

Names are imported on first use (PEP 562), so `import claimbook` stays cheap and the command
line starts fast; `claimbook.report` never loads IPython.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> module that defines it
_EXPORTS = {
    # a review: load, validate, grade
    "Review": "claimbook.evidence.review",
    "load_review": "claimbook.evidence.review",
    "find_root": "claimbook.folder",
    "ReviewFolder": "claimbook.folder",
    "ClaimbookError": "claimbook.errors",
    "Claim": "claimbook.claims.schema",
    "Citation": "claimbook.claims.schema",
    "ClaimsError": "claimbook.claims.load",
    "Excluded": "claimbook.claims.schema",
    "PaperAppraisal": "claimbook.claims.schema",
    "Problem": "claimbook.errors",
    "Project": "claimbook.claims.validate",  # the old name of ValidatedClaims
    "Quote": "claimbook.claims.schema",
    "SignOff": "claimbook.claims.schema",
    "EditError": "claimbook.edit.claim_files",
    "ReviewedArticle": "claimbook.claims.schema",
    "Topic": "claimbook.claims.schema",
    "load_article": "claimbook.claims.load",
    "load_claims": "claimbook.claims.load",
    "validate_project": "claimbook.claims.validate",
    "ValidatedClaims": "claimbook.claims.validate",
    "evidence_table": "claimbook.evidence.table",
    "verdicts": "claimbook.evidence.table",
    "Grading": "claimbook.evidence.grading",
    "Rules": "claimbook.evidence.rules",
    "RulesError": "claimbook.evidence.rules",
    "WeighedCitation": "claimbook.evidence.domains",
    "grade": "claimbook.evidence.grading",
    "load_rules": "claimbook.evidence.rules",
    "method_paragraphs": "claimbook.evidence.method",
    # the vocabulary
    "CERTAINTIES": "claimbook.vocab",
    "DESIGNS": "claimbook.vocab",
    "STANCES": "claimbook.vocab",
    "VERDICTS": "claimbook.vocab",
    "verdict_sentence": "claimbook.vocab",
    # show and share
    "show": "claimbook.jupyter.display",
    "show_claim": "claimbook.jupyter.display",
    "Workbench": "claimbook.jupyter.workbench",
    "build_report": "claimbook.report",
    "PDFError": "claimbook.report",
    "ReportError": "claimbook.report",
    # PubMed
    "PubMedError": "claimbook.pubmed",
    # keeping a review current
    "PaperAlert": "claimbook.pubmed.watch",
    "paper_alerts": "claimbook.pubmed.watch",
    "ReviewStatus": "claimbook.evidence.status",
    "review_status": "claimbook.evidence.status",
}
_MODULES = {"plots": "claimbook.evidence.plots", "pubmed": "claimbook.pubmed"}

__all__ = ["__version__", *sorted(_EXPORTS), *sorted(_MODULES)]


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        value = getattr(importlib.import_module(_EXPORTS[name]), name)
    elif name in _MODULES:
        value = importlib.import_module(_MODULES[name])
    else:
        raise AttributeError(f"module 'claimbook' has no attribute {name!r}")
    globals()[name] = value  # later look-ups skip __getattr__
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
