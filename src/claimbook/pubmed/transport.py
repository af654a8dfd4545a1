"""How one E-utilities request goes on the wire: rate-limited, retried, under a deadline.

* One rate limiter per process: at most 3 requests in any 1-second window (10 with an API key).
  Every request on the wire, retries included, passes through it.
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
* The API key is sent but never logged, stored, or put in an exception message (`redact`).

`Transport` is the base of `client.EutilsClient`: the client says what to ask (one method per
endpoint), `Transport._request` sends it and hands the body to the endpoint's check
(`responses.py`).
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
import time
from collections.abc import Callable
from typing import TypeVar

import requests
from urllib3.exceptions import MaxRetryError, ProtocolError, ReadTimeoutError
from urllib3.util.retry import Retry

from claimbook import __version__
from claimbook.pubmed.deadline import (
    BodyTooLarge,
    Deadline,
    DeadlineAdapter,
    DeadlineExceeded,
    read_body,
)
from claimbook.pubmed.errors import NetworkError, ParseError, PubMedError
from claimbook.pubmed.responses import status_error

__all__ = ["LIMITER", "RETRY_STATUSES", "RateLimiter", "Transport"]

# The client's requests are logged under the client's name, where they always were.
log = logging.getLogger("claimbook.pubmed.client")

T = TypeVar("T")

DEFAULT_BASE_URL = "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/"
DEFAULT_TIMEOUT = 30.0  # seconds for one attempt: connect and the whole body
DEFAULT_BUDGET = 120.0  # seconds for one request, all its retries and waits included
MAX_BODY_BYTES = 256 << 20  # far above NCBI's largest answers (200 records: a few MB)
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


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


# --------------------------------------------------------------------------- one request


class Transport:
    """The wire side of an E-utilities client: base URL, session, retry policy, rate limit,
    time limits and the API key (see the module docstring; `EutilsClient` documents the
    arguments)."""

    def __init__(
        self,
        base_url: str | None,
        *,
        api_key: str | None,
        tool: str,
        max_retries: int,
        backoff_factor: float,
        max_total_seconds: float | None,
        timeout: float | None,
        session: requests.Session | None,
        limiter: RateLimiter | None,
    ) -> None:
        base = base_url or os.environ.get("CLAIMBOOK_EUTILS_URL") or DEFAULT_BASE_URL
        self.base_url = base if base.endswith("/") else base + "/"
        self._api_key = api_key if api_key is not None else os.environ.get("NCBI_API_KEY")
        self.timeout = _seconds("timeout", timeout, "CLAIMBOOK_EUTILS_TIMEOUT", DEFAULT_TIMEOUT)
        self.max_total_seconds = _seconds(
            "max_total_seconds", max_total_seconds, "CLAIMBOOK_EUTILS_BUDGET", DEFAULT_BUDGET
        )
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

    @property
    def rate_limit(self) -> int:
        """Requests allowed per second: 10 with an API key, 3 without (NCBI's policy)."""
        return 10 if self._api_key else 3

    def redact(self, text: str) -> str:
        """Remove the API key from any text before it is logged or shown."""
        if self._api_key:
            text = text.replace(self._api_key, "<api_key>")
        return re.sub(r"(api_key=)[^&\s]+", r"\1<api_key>", text)

    def _request(
        self,
        endpoint: str,
        data: dict | list,
        what: str,
        check: Callable[[requests.Response], T],
    ) -> T:
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
                    failure = status_error(response, what, self.redact)
                    error = None
                elif response.status_code >= 400:
                    raise status_error(response, what, self.redact)
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
