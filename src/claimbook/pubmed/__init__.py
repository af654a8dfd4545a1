"""PubMed access: E-utilities client, streaming XML parser and the on-disk snapshot.

from claimbook.pubmed import EutilsClient, load_snapshot, parse_pubmed_xml
for article in parse_pubmed_xml("efetch.xml"):   # PubMedArticle records, streamed
    print(article.pmid, article.title)

The PubMed layer: everything that talks to E-utilities or reads and writes the snapshot under
data/pubmed (the store is its only writer), the study design PubMed's indexing states, and the
alerts (retractions, corrections) a record carries. May import: the core modules only
(claimbook.errors, vocab, ids, folder, files, inputs, markup); it knows nothing of claim files.
"""

from claimbook.pubmed.errors import (
    NCBIError,
    NetworkError,
    ParseError,
    PubMedError,
    RateLimitedError,
    SessionExpiredError,
)
from claimbook.pubmed.parse import AbstractSection, Correction, PubMedArticle, parse_pubmed_xml
from claimbook.pubmed.store import PaperRecord, Snapshot, SnapshotError, load_snapshot
from claimbook.pubmed.verify import Drift, Mismatch, compare, load_drift

__all__ = [
    "AbstractSection",
    "Correction",
    "Drift",
    "EutilsClient",
    "Mismatch",
    "NCBIError",
    "NetworkError",
    "PaperRecord",
    "ParseError",
    "PubMedArticle",
    "PubMedError",
    "RateLimitedError",
    "SessionExpiredError",
    "Snapshot",
    "SnapshotError",
    "compare",
    "load_drift",
    "load_snapshot",
    "parse_pubmed_xml",
]


def __getattr__(name: str) -> object:
    """EutilsClient, imported when first asked for: it brings in requests, which reading the
    snapshot (the workbench's and the report's start) never needs."""
    if name == "EutilsClient":
        from claimbook.pubmed.client import EutilsClient

        return EutilsClient
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
