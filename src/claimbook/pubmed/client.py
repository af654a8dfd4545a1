"""NCBI E-utilities client: esearch, epost, efetch, esummary, elink — as a good citizen.

* One rate limiter per process: at most 3 requests in any 1-second window (10 with an API key).
  Every request on the wire, retries included, passes through it.
* Batches: efetch POSTs `batch_size` PMIDs at a time (default 200), never one request per PMID.
* Retries on 429, 5xx, timeouts, connection resets and truncated/invalid bodies, with
  exponential backoff that honours Retry-After, bounded in count and in total time. The retry
  *policy* is urllib3's `Retry` (backoff, Retry-After, counting); the loop is ours, so that every
  attempt is rate-limited and a broken body counts as a failed attempt.
* Deadlines hold however slowly a server answers (see `deadline.py`): each attempt must be
  connected and have its whole body within `timeout` seconds (default 30), and one request with
  all its retries within `max_total_seconds` (default 120): no retry starts or sleeps past that
  budget, and a read still going when it runs out is cut. A server dripping its answer a few
  bytes a second is a timeout like any other: retried within the budget, then a one-line
  NetworkError saying what was fetched and what was not.
* The API key is sent but never logged, stored, or put in an exception message.
"""

from __future__ import annotations

import json
import logging
import math
import os
import re
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

import requests
from lxml import etree
from tqdm import tqdm
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from claimbook import __version__
from claimbook.ids import PMID_RE, short_list
from claimbook.pubmed.deadline import (
    BodyTooLarge,
    Deadline,
    DeadlineAdapter,
    DeadlineExceeded,
    read_body,
)
from claimbook.pubmed.errors import (
    NCBIError,
    NetworkError,
    ParseError,
    PubMedError,
    RateLimitedError,
    SessionExpiredError,
)
from claimbook.pubmed.parse import PubMedArticle, parse_pubmed_xml, parse_xml_root

log = logging.getLogger(__name__)

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_TIMEOUT = 30.0  # seconds for one attempt: connect and the whole body
DEFAULT_BUDGET = 120.0  # seconds for one request, all its retries and waits included
MAX_BODY_BYTES = 256 << 20  # far above NCBI's largest answers (200 records: a few MB)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
ESEARCH_PAGE = 10_000  # NCBI's largest esearch page for PubMed


# --------------------------------------------------------------------------- rate limiting


class RateLimiter:
    """A sliding-window limiter: at most `limit` requests in any `window` seconds (thread-safe).

    A request occupies its slot from the moment it is sent until `done()` is called when its
    answer has arrived; the slot's time is then moved to that moment. NCBI sees a request
    somewhere in between, so counting from the later time keeps NCBI's own window within the
    limit even when the network delays some requests more than others.
    """

    def __init__(self, window: float = 1.0) -> None:
        self.window = window
        self._slots: list[list] = []  # [time, in_flight]
        self._lock = threading.Lock()

    def acquire(self, limit: int) -> list:
        """Block until one more request fits in the window; return its slot for `done()`."""
        while True:
            with self._lock:
                now = time.monotonic()
                self._slots = [s for s in self._slots if s[1] or now - s[0] < self.window]
                if len(self._slots) < limit:
                    slot = [now, True]
                    self._slots.append(slot)
                    return slot
                settled = [s[0] for s in self._slots if not s[1]]
                wait = self.window - (now - min(settled)) + 0.002 if settled else 0.01
            time.sleep(max(wait, 0.001))

    def done(self, slot: list) -> None:
        """The request's answer arrived: its slot counts from now."""
        with self._lock:
            slot[0], slot[1] = time.monotonic(), False

    def reset(self) -> None:
        with self._lock:
            self._slots.clear()


#: The process-wide limiter every client shares.
LIMITER = RateLimiter()


# --------------------------------------------------------------------------- results


@dataclass
class SearchResult:
    """An esearch result: total count, the PMIDs fetched, and the history-server handle."""

    count: int
    ids: list[str]
    webenv: str | None = None
    query_key: str | None = None
    query_translation: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class HistoryRef:
    """A result set on NCBI's history server."""

    webenv: str
    query_key: str


@dataclass
class FetchedBatch:
    """One efetch response: what was asked, what came back, and the body exactly as received."""

    requested: list[str]
    returned: list[str]
    raw: bytes
    url: str
    fetched_at: datetime
    status: int
    articles: list[PubMedArticle] = field(default_factory=list, repr=False)

    @property
    def missing(self) -> list[str]:
        got = set(self.returned)
        return [p for p in self.requested if p not in got]


@dataclass
class FetchResult:
    """All batches of one efetch call."""

    batches: list[FetchedBatch] = field(default_factory=list)

    @property
    def returned(self) -> list[str]:
        return [p for b in self.batches for p in b.returned]

    @property
    def missing(self) -> list[str]:
        return [p for b in self.batches for p in b.missing]

    @property
    def articles(self) -> list[PubMedArticle]:
        return [a for b in self.batches for a in b.articles]


class EutilsClient:
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
        base = base_url or os.environ.get("CLAIMBOOK_EUTILS_URL") or DEFAULT_BASE_URL
        self.base_url = base if base.endswith("/") else base + "/"
        self.email = email if email is not None else os.environ.get("NCBI_EMAIL")
        self._api_key = api_key if api_key is not None else os.environ.get("NCBI_API_KEY")
        self.tool = tool
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        self.batch_size = batch_size
        self.timeout = _seconds("timeout", timeout, "CLAIMBOOK_EUTILS_TIMEOUT", DEFAULT_TIMEOUT)
        self.max_total_seconds = _seconds(
            "max_total_seconds", max_total_seconds, "CLAIMBOOK_EUTILS_BUDGET", DEFAULT_BUDGET
        )
        self.progress = progress
        self.limiter = limiter or LIMITER
        self.retry = Retry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=max_retries,
            backoff_factor=backoff_factor,
            backoff_max=60.0,
            status_forcelist=RETRY_STATUSES,
            allowed_methods=None,  # POST is safe to repeat for E-utilities
            respect_retry_after_header=True,
            raise_on_status=False,
        )
        self.session = session or requests.Session()
        self.session.headers.setdefault("User-Agent", f"claimbook/{__version__} (+{tool})")
        # Requests to E-utilities (and only those) go through connections that obey deadlines.
        self.session.mount(self.base_url, DeadlineAdapter())

    def __repr__(self) -> str:
        key = "set" if self._api_key else "none"
        return f"EutilsClient(base_url={self.base_url!r}, api_key={key})"

    @property
    def rate_limit(self) -> int:
        """Requests allowed per second: 10 with an API key, 3 without (NCBI's policy)."""
        return 10 if self._api_key else 3

    def _params(self, **params: object) -> dict[str, object]:
        out: dict[str, object] = {"tool": self.tool}
        if self.email:
            out["email"] = self.email
        if self._api_key:
            out["api_key"] = self._api_key
        out.update({k: v for k, v in params.items() if v is not None})
        return out

    def redact(self, text: str) -> str:
        """Remove the API key from any text before it is logged or shown."""
        if self._api_key:
            text = text.replace(self._api_key, "<api_key>")
        return re.sub(r"(api_key=)[^&\s]+", r"\1<api_key>", text)

    def _show_progress(self) -> bool:
        if self.progress is None:
            return sys.stderr.isatty()
        return self.progress

    # ----------------------------------------------------------------------- one request

    def _request(
        self,
        endpoint: str,
        data: dict | list,
        what: str,
        check: Callable[[requests.Response], object],
    ):
        """POST to an endpoint with retries; `check` validates the body and returns the value.

        `check` raises ParseError for a broken body (retried) or NCBIError for an error body
        (not retried). Raises the PubMedError matching the last failure.
        """
        url = self.base_url + endpoint
        retry = self.retry.new()
        budget_end = time.monotonic() + self.max_total_seconds
        attempt = 0
        while True:
            attempt += 1
            slot = self.limiter.acquire(self.rate_limit)
            seconds = min(self.timeout, budget_end - time.monotonic())
            failure: PubMedError
            response = None
            try:
                if seconds <= 0:  # waited for the rate limiter past the budget
                    self.limiter.done(slot)
                    raise DeadlineExceeded("no time left to send it")
                response = self._post(url, data, seconds, slot)
                log.debug(
                    "POST %s (%s): HTTP %s, try %d", endpoint, what, response.status_code, attempt
                )
                if response.status_code in RETRY_STATUSES:
                    failure = self._status_error(response, what)
                    error = None
                elif response.status_code >= 400:
                    raise self._status_error(response, what)
                else:
                    return check(response)
            except ParseError as exc:
                failure, error = exc, ProtocolError(str(exc))
                log.debug("POST %s (%s): bad body, try %d: %s", endpoint, what, attempt, exc)
            except DeadlineExceeded as exc:
                failure = NetworkError(f"{endpoint} {what}: timed out, {exc}")
                error = ReadTimeoutError(None, url, str(exc))
                log.debug("POST %s (%s): deadline passed, try %d", endpoint, what, attempt)
            except (requests.Timeout, requests.ConnectionError) as exc:
                kind = "timed out" if isinstance(exc, requests.Timeout) else "connection failed"
                failure = NetworkError(f"{endpoint} {what}: {kind}")
                error = ProtocolError(kind)
                log.debug("POST %s (%s): %s, try %d", endpoint, what, kind, attempt)
            except requests.RequestException as exc:
                raise NetworkError(self.redact(f"{endpoint} {what}: {exc}")) from None
            if time.monotonic() >= budget_end:
                raise self._final(failure, attempt, budget=self.max_total_seconds) from None
            try:
                retry = retry.increment(
                    method="POST", url=url, response=response.raw if error is None else None,
                    error=error,
                )  # fmt: skip
            except MaxRetryError:
                raise self._final(failure, attempt) from None
            wait = self._wait(retry, response if error is None else None)
            if time.monotonic() + wait >= budget_end:
                raise self._final(failure, attempt, budget=self.max_total_seconds) from None
            log.debug("retrying %s in %.2f s", endpoint, wait)
            time.sleep(wait)

    def _post(self, url: str, data: dict | list, seconds: float, slot: list) -> requests.Response:
        """One attempt: POST, then read the whole body, all within `seconds` (deadline.py)."""
        with Deadline(seconds) as deadline:
            try:
                response = self.session.post(
                    url, data=data, stream=True, timeout=deadline.socket_timeout()
                )
            finally:
                self.limiter.done(slot)
            try:
                body = read_body(response, deadline, MAX_BODY_BYTES)
            except BodyTooLarge as exc:
                raise ParseError(f"{url.rsplit('/', 1)[-1]}: {exc}") from None
        response._content = body  # what `response.content` returns from now on
        return response

    def _wait(self, retry: Retry, response: requests.Response | None) -> float:
        if response is not None and retry.respect_retry_after_header:
            after = retry.get_retry_after(response.raw)
            if after is not None:
                return min(after, 60.0)
        # urllib3 waits 0 s before the first retry; NCBI deserves a pause every time.
        return max(retry.get_backoff_time(), retry.backoff_factor)

    @staticmethod
    def _final(failure: PubMedError, attempts: int, budget: float | None = None) -> PubMedError:
        tries = f"{attempts} {'try' if attempts == 1 else 'tries'}"
        why = (
            f"time budget of {budget:g} s spent after {tries}"
            if budget
            else f"gave up after {tries}"
        )
        return type(failure)(f"{failure} ({why})")

    def _status_error(self, response: requests.Response, what: str) -> PubMedError:
        detail = ""
        try:
            body = response.json()
            detail = body.get("error", "") if isinstance(body, dict) else ""
        except ValueError:
            detail = ""
        endpoint = response.url.split("?")[0].rsplit("/", 1)[-1]
        message = f"{endpoint} {what}: HTTP {response.status_code}"
        if detail:
            message += f" ({detail})"
        message = self.redact(message)
        if response.status_code == 429:
            return RateLimitedError(message)
        return NCBIError(message)

    # ----------------------------------------------------------------------- XML helpers

    @staticmethod
    def _xml(response: requests.Response, endpoint: str) -> etree._Element:
        try:
            root = parse_xml_root(response.content)
        except ParseError as exc:
            raise ParseError(f"{endpoint}: {exc}") from None
        error = root if root.tag == "ERROR" else root.find("ERROR")
        if error is not None:
            raise _ncbi_error(endpoint, "".join(error.itertext()).strip())
        return root

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
            page = self._request("esearch.fcgi", params, f"page at {start}", self._parse_esearch)
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

    def _parse_esearch(self, response: requests.Response) -> SearchResult:
        root = self._xml(response, "esearch")
        if root.tag != "eSearchResult":
            raise ParseError(f"esearch: unexpected root <{root.tag}>")
        warnings = [
            f"{el.tag}: {''.join(el.itertext()).strip()}"
            for lst in (root.find("ErrorList"), root.find("WarningList"))
            if lst is not None
            for el in lst
        ]
        return SearchResult(
            count=int(root.findtext("Count") or 0),
            ids=[el.text.strip() for el in root.iterfind("IdList/Id") if el.text],
            webenv=root.findtext("WebEnv"),
            query_key=root.findtext("QueryKey"),
            query_translation=root.findtext("QueryTranslation"),
            warnings=warnings,
        )

    def epost(self, ids: Iterable[str], db: str = "pubmed") -> HistoryRef:
        """Upload ids to the history server; returns its WebEnv and query_key."""
        ids = _valid_ids(ids)

        def check(response: requests.Response) -> HistoryRef:
            root = self._xml(response, "epost")
            webenv, key = root.findtext("WebEnv"), root.findtext("QueryKey")
            if not webenv or not key:
                raise NCBIError("epost: no WebEnv/QueryKey in the answer")
            return HistoryRef(webenv.strip(), key.strip())

        return self._request(
            "epost.fcgi", self._params(db=db, id=",".join(ids)), f"of {len(ids)} ids", check
        )

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

    def _check_efetch(self, response: requests.Response, batch: list[str]) -> FetchedBatch:
        raw = response.content
        head = raw[:2048].lstrip()
        if head.startswith(b"<ERROR") or (b"<eFetchResult" in head and b"<ERROR" in raw[:4096]):
            self._xml(response, "efetch")  # raises NCBIError with the message
        articles = list(parse_pubmed_xml(raw))
        returned = [a.pmid for a in articles]
        return FetchedBatch(
            requested=list(batch),
            returned=returned,
            raw=raw,
            url=self.base_url + "efetch.fcgi",
            fetched_at=datetime.now(UTC).replace(microsecond=0),
            status=response.status_code,
            articles=articles,
        )

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
                    _parse_esummary,
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

        def check(response: requests.Response) -> dict[str, list[str]]:
            root = self._xml(response, "elink")
            out: dict[str, list[str]] = {}
            for linkset in root.iterfind("LinkSet"):
                sources = [el.text.strip() for el in linkset.iterfind("IdList/Id") if el.text]
                links = [
                    el.text.strip()
                    for db in linkset.iterfind("LinkSetDb")
                    if db.findtext("LinkName") in (None, linkname)
                    for el in db.iterfind("Link/Id")
                    if el.text
                ]
                for src in sources:
                    out.setdefault(src, []).extend(links)
            return out

        return self._request("elink.fcgi", data, f"of {len(ids)} ids", check)


def _ncbi_error(endpoint: str, message: str) -> NCBIError:
    text = f"{endpoint}: NCBI error: {message}"
    lowered = message.lower()
    if "webenv" in lowered or "query_key" in lowered or "history" in lowered:
        return SessionExpiredError(text)
    return NCBIError(text)


def _parse_esummary(response: requests.Response) -> dict[str, dict]:
    try:
        body = json.loads(response.content)
    except ValueError:
        raise ParseError("esummary: body is not JSON") from None
    result = body.get("result") if isinstance(body, dict) else None
    if isinstance(body, dict) and (body.get("error") or (result or {}).get("ERROR")):
        raise _ncbi_error("esummary", str(body.get("error") or result.get("ERROR")))
    if not isinstance(result, dict):
        raise ParseError("esummary: no 'result' in the body")
    return {uid: result[uid] for uid in result.get("uids", []) if uid in result}


def _seconds(name: str, given: float | None, env: str, default: float) -> float:
    """A time limit in seconds: `given`, else the environment variable `env`, else `default`."""
    if given is None:
        text = os.environ.get(env, "").strip()
        if not text:
            return default
        try:
            given = float(text)
        except ValueError:
            given = float("nan")
        if not 0 < given < math.inf:
            raise PubMedError(f"{env}={text!r}: give a number of seconds above 0")
    if isinstance(given, bool) or not 0 < given < math.inf:
        raise ValueError(f"{name} must be a number of seconds above 0, not {given!r}")
    return float(given)


def _valid_ids(ids: Iterable[str]) -> list[str]:
    """Deduplicated PMIDs in order; anything that is not a PMID (`ids.PMID_RE`) is refused."""
    out = list(dict.fromkeys(str(i).strip() for i in ids))
    bad = [i for i in out if not PMID_RE.match(i)]
    if bad:
        raise ValueError(
            f"not a PMID: {', '.join(bad[:5])} (digits only; NCBI answers -1 with PMID 1)"
        )
    return out
