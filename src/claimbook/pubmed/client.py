"""NCBI E-utilities client: esearch, epost, efetch, esummary, elink — as a good citizen.

`EutilsClient` has one method per endpoint: it builds the request (parameters, batches, pages)
and sends it through `Transport._request` (`transport.py`: the shared rate limit, retries with
backoff, deadlines, the API key kept out of logs) with the endpoint's check (`responses.py`: the
reply decoded into a result, NCBI's error bodies raised as NCBIError). Batches: efetch POSTs
`batch_size` PMIDs at a time (default 200), never one request per PMID.

Adding an endpoint: one method here, one `check_...` function in `responses.py`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterable

import requests
from tqdm import tqdm

from claimbook.ids import PMID_RE, short_list
from claimbook.pubmed import responses
from claimbook.pubmed.errors import NCBIError, PubMedError
from claimbook.pubmed.responses import FetchedBatch, FetchResult, HistoryRef, SearchResult
from claimbook.pubmed.transport import LIMITER, RateLimiter, Transport

__all__ = [  # the results and the limiter are re-exported: this was their home
    "LIMITER",
    "EutilsClient",
    "FetchResult",
    "FetchedBatch",
    "HistoryRef",
    "RateLimiter",
    "SearchResult",
]

ESEARCH_PAGE = 10_000  # NCBI's largest esearch page for PubMed


class EutilsClient(Transport):
    """A client for NCBI's E-utilities, PubMed by default. Plain methods; one requests.Session.

    Time limits (seconds; each also read from the environment when not given):

    * `timeout` (CLAIMBOOK_EUTILS_TIMEOUT, default 30): the deadline of one attempt, from
      connecting to the last byte of the body. A server that trickles its answer is cut there.
    * `max_total_seconds` (CLAIMBOOK_EUTILS_BUDGET, default 120): the budget of one request
      (one esearch page, one efetch batch, ...) with all its retries and backoff waits: no retry
      starts or sleeps past it, and an attempt still reading when it runs out is cut.

    The base URL comes from `base_url` or CLAIMBOOK_EUTILS_URL (default: NCBI's).
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        email: str | None = None,
        api_key: str | None = None,
        tool: str = "claimbook",
        batch_size: int = 200,
        max_retries: int = 4,
        backoff_factor: float = 0.5,
        max_total_seconds: float | None = None,
        timeout: float | None = None,
        progress: bool | None = None,
        session: requests.Session | None = None,
        limiter: RateLimiter | None = None,
    ) -> None:
        self.email = email if email is not None else os.environ.get("NCBI_EMAIL")
        self.tool = tool
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        super().__init__(
            base_url,
            api_key=api_key,
            tool=tool,
            max_retries=max_retries,
            backoff_factor=backoff_factor,
            max_total_seconds=max_total_seconds,
            timeout=timeout,
            session=session,
            limiter=limiter,
        )
        self.progress = progress

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"EutilsClient(base_url={self.base_url!r}, api_key={key})"

    def _params(self, **params: object) -> dict[str, object]:
        out: dict[str, object] = {"tool": self.tool}
        if self.email:
            out["email"] = self.email
        if self._api_key:
            out["api_key"] = self._api_key
        out.update({k: v for k, v in params.items() if v is not None})
        return out

    def _show_progress(self) -> bool:
        if self.progress is None:
            return sys.stderr.isatty()
        return self.progress

    def _check_efetch(self, response: requests.Response, batch: list[str]) -> FetchedBatch:
        return responses.check_efetch(response, batch, self.base_url + "efetch.fcgi")

    # ----------------------------------------------------------------------- E-utilities

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
        """Search `db`; page past NCBI's page limit until `retmax` ids (None: all of them).

        `mindate`/`maxdate` (YYYY/MM/DD, both needed by NCBI) limit by `datetype`: "pdat"
        (publication date, the default), "edat" (added to PubMed) or "mdat" (last modified).
        """
        result = SearchResult(count=0, ids=[])
        bar = None
        while True:
            start = len(result.ids)
            want = ESEARCH_PAGE if retmax is None else min(ESEARCH_PAGE, retmax - start)
            params = self._params(
                db=db, term=term, retstart=start, retmax=want, sort=sort,
                mindate=mindate, maxdate=maxdate,
                datetype=(datetype or "pdat") if mindate or maxdate else None,
                usehistory="y" if usehistory else None,
                WebEnv=result.webenv, query_key=None,
            )  # fmt: skip
            what = f"page at {start}"
            page = self._request("esearch.fcgi", params, what, responses.check_esearch)
            if start == 0:
                result = page
            else:
                result.ids.extend(page.ids)
            total = result.count if retmax is None else min(result.count, retmax)
            if bar is None and total > ESEARCH_PAGE:
                bar = tqdm(
                    total=total, unit="id", desc="esearch", disable=not self._show_progress()
                )
            if bar is not None:
                bar.update(len(page.ids))
            if not page.ids or len(result.ids) >= total or want == 0:
                break
        if bar is not None:
            bar.close()
        if retmax is not None:
            del result.ids[retmax:]
        return result

    def epost(self, ids: Iterable[str], db: str = "pubmed") -> HistoryRef:
        """Upload ids to the history server; returns its WebEnv and query_key."""
        ids = _valid_ids(ids)
        params = self._params(db=db, id=",".join(ids))
        return self._request("epost.fcgi", params, f"of {len(ids)} ids", responses.check_epost)

    def efetch(
        self,
        ids: Iterable[str],
        *,
        batch_size: int | None = None,
        on_batch: Callable[[FetchedBatch], None] | None = None,
    ) -> FetchResult:
        """Fetch PubMed XML for many PMIDs: one POST per batch, each body parsed and checked.

        `on_batch` is called after each batch arrives whole (e.g. to store it at once). On a
        final failure the raised PubMedError carries `fetched` and `not_fetched` PMID lists.
        """
        ids = _valid_ids(ids)
        size = batch_size or self.batch_size
        batches = [ids[i : i + size] for i in range(0, len(ids), size)]
        result = FetchResult()
        bar = tqdm(
            total=len(ids), unit="PMID", desc="efetch",
            disable=len(batches) < 2 or not self._show_progress(),
        )  # fmt: skip
        try:
            for k, batch in enumerate(batches, 1):
                what = f"batch {k} of {len(batches)} ({len(batch)} PMIDs)"
                try:
                    fetched = self._request(
                        "efetch.fcgi",
                        self._params(db="pubmed", id=",".join(batch), retmode="xml"),
                        what,
                        lambda r, b=batch: self._check_efetch(r, b),
                    )
                except PubMedError as exc:
                    done = result.returned
                    not_fetched = [p for p in ids if p not in set(done)]
                    err = type(exc)(
                        f"efetch failed on {exc}; {len(not_fetched)} of {len(ids)} PMIDs not "
                        f"fetched: {short_list(not_fetched, limit=8)}"
                        + (f"; {len(done)} fetched before the failure are kept" if done else "")
                    )
                    err.fetched, err.not_fetched = done, not_fetched
                    raise err from None
                result.batches.append(fetched)
                if on_batch:
                    on_batch(fetched)
                bar.update(len(batch))
        finally:
            bar.close()
        return result

    def efetch_history(
        self,
        ref: HistoryRef,
        count: int,
        *,
        batch_size: int | None = None,
        on_batch: Callable[[FetchedBatch], None] | None = None,
    ) -> FetchResult:
        """Fetch a result set kept on the history server (from esearch or epost), page by page.

        Large result sets go this way: the ids never travel in the requests at all.
        """
        size = batch_size or self.batch_size
        result = FetchResult()
        pages = max(1, -(-count // size))
        bar = tqdm(total=count, unit="PMID", desc="efetch",
                   disable=pages < 2 or not self._show_progress())  # fmt: skip
        try:
            for k, start in enumerate(range(0, count, size), 1):
                params = self._params(db="pubmed", WebEnv=ref.webenv, query_key=ref.query_key,
                                      retstart=start, retmax=size, retmode="xml")  # fmt: skip
                fetched = self._request(
                    "efetch.fcgi", params, f"history page {k} of {pages}",
                    lambda r: self._check_efetch(r, []),
                )  # fmt: skip
                result.batches.append(fetched)
                if on_batch:
                    on_batch(fetched)
                bar.update(len(fetched.returned))
        finally:
            bar.close()
        return result

    def fetch_search(self, term: str, *, retmax: int | None = None) -> FetchResult:
        """Run a search on the history server and fetch its records: esearch, then efetch pages."""
        found = self.esearch(term, retmax=0, usehistory=True)
        if not found.webenv or not found.query_key:
            raise NCBIError("esearch: no WebEnv/QueryKey in the answer (history server)")
        count = found.count if retmax is None else min(found.count, retmax)
        return self.efetch_history(HistoryRef(found.webenv, found.query_key), count)

    def esummary(self, ids: Iterable[str], db: str = "pubmed") -> dict[str, dict]:
        """Document summaries (JSON) by id, batched like efetch."""
        ids = _valid_ids(ids)
        out: dict[str, dict] = {}
        for i in range(0, len(ids), self.batch_size):
            batch = ids[i : i + self.batch_size]
            out.update(
                self._request(
                    "esummary.fcgi",
                    self._params(db=db, id=",".join(batch), retmode="json"),
                    f"of {len(batch)} ids",
                    responses.check_esummary,
                )
            )
        return out

    def elink(self, ids: Iterable[str], *, linkname: str = "pubmed_pubmed") -> dict[str, list[str]]:
        """Linked PMIDs per source PMID: similar articles (pubmed_pubmed), citing papers
        (pubmed_pubmed_citedin), ..."""
        ids = _valid_ids(ids)
        data = [(k, v) for k, v in self._params(dbfrom="pubmed", db="pubmed", cmd="neighbor",
                                                 linkname=linkname).items()]  # fmt: skip
        data += [("id", pmid) for pmid in ids]
        return self._request(
            "elink.fcgi", data, f"of {len(ids)} ids",
            lambda r: responses.check_elink(r, linkname),
        )  # fmt: skip


def _valid_ids(ids: Iterable[str]) -> list[str]:
    """Deduplicated PMIDs in order; anything that is not a PMID (`ids.PMID_RE`) is refused."""
    out = list(dict.fromkeys(str(i).strip() for i in ids))
    bad = [i for i in out if not PMID_RE.match(i)]
    if bad:
        raise ValueError(
            f"not a PMID: {', '.join(bad[:5])} (digits only; NCBI answers -1 with PMID 1)"
        )
    return out
