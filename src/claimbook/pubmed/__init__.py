"""PubMed access: E-utilities client, streaming XML parser and the on-disk snapshot."""

from claimbook.pubmed.errors import (
    MissingRecordsError,
    NCBIError,
    NetworkError,
    ParseError,
    PubMedError,
    RateLimitedError,
    SessionExpiredError,
)

__all__ = [
    "MissingRecordsError",
    "NCBIError",
    "NetworkError",
    "ParseError",
    "PubMedError",
    "RateLimitedError",
    "SessionExpiredError",
]
