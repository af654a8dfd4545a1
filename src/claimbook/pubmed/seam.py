"""The one client seam: what the editing, sync, screening and status code need of an
E-utilities client, as a typed Protocol. `EutilsClient` is the real one; a test may hand any
object with these two methods (a loopback server behind a real client is preferred).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from claimbook.pubmed.client import FetchedBatch, FetchResult, SearchResult

__all__ = ["Eutils"]


@runtime_checkable
class Eutils(Protocol):
    """An E-utilities client: search PubMed and fetch records, as `EutilsClient` does."""

    def esearch(
        self,
        term: str,
        *,
        retmax: int | None = 20,
        usehistory: bool = False,
        sort: str | None = None,
        mindate: str | None = None,
        maxdate: str | None = None,
        db: str = "pubmed",
        datetype: str | None = None,
    ) -> SearchResult:
        """The PMIDs matching `term` (with the count and the query PubMed ran)."""
        ...

    def efetch(
        self,
        ids: Iterable[str],
        *,
        batch_size: int | None = None,
        on_batch: Callable[[FetchedBatch], None] | None = None,
    ) -> FetchResult:
        """The PubMed XML of `ids`, in batches, each parsed and checked."""
        ...
