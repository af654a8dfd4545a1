"""The exceptions of claimbook.pubmed: one small hierarchy, in the style of requests/httpx."""

from __future__ import annotations

from claimbook.errors import ClaimbookError


class PubMedError(ClaimbookError):
    """Base class: anything that went wrong talking to, or reading, PubMed."""


class NetworkError(PubMedError):
    """The connection failed, timed out or was reset, after all retries."""


class RateLimitedError(PubMedError):
    """NCBI kept answering 429 Too Many Requests after all retries."""


class NCBIError(PubMedError):
    """NCBI answered with an error: an HTTP 4xx/5xx after retries, or an ERROR element/key."""


class SessionExpiredError(NCBIError):
    """The history-server session (WebEnv/query_key) is unknown or has expired."""


class ParseError(PubMedError):
    """A response body is not the XML it should be (malformed, truncated, unsafe)."""
