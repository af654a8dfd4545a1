"""PubMed access: E-utilities client, streaming XML parser and the on-disk snapshot.

from claimbook.pubmed import EutilsClient, load_snapshot, parse_pubmed_xml
for article in parse_pubmed_xml("efetch.xml"):   # PubMedArticle records, streamed
    print(article.pmid, article.title)

The PubMed layer: everything that talks to E-utilities or reads and writes the snapshot under
data/pubmed (the store is its only writer), the study design PubMed's indexing states, and the
alerts (retractions, corrections) a record carries. May import: the core modules only
(claimbook.errors, vocab, ids, folder, files, inputs, markup); it knows nothing of claim files.
"""

import importlib

# Each public name and the module it lives in: imported when first asked for, so that a
# module of this package (the snapshot's store, the search's filters) is read without the
# others (parsing XML, the E-utilities client and requests, comparing records).
_WHERE = {
    "EutilsClient": "client",
    **dict.fromkeys(("NCBIError", "NetworkError", "ParseError", "PubMedError",
                     "RateLimitedError", "SessionExpiredError"), "errors"),
    **dict.fromkeys(("AbstractSection", "Correction", "PubMedArticle", "parse_pubmed_xml"),
                    "parse"),
    **dict.fromkeys(("PaperRecord", "Snapshot", "SnapshotError", "load_snapshot"), "store"),
    **dict.fromkeys(("Drift", "Mismatch", "compare", "load_drift"), "verify"),
}  # fmt: skip

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
    """A public name, imported from its module when first asked for (`_WHERE`)."""
    if name in _WHERE:
        value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
