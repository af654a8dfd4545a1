"""A total deadline for one HTTP request: connect, headers and the whole body, however it trickles.

requests' `timeout` bounds each socket operation, not the request: "if a server streams one byte
every fifteen seconds, a timeout of 20 seconds will not trigger" (urllib3's `Timeout` docs; its
`total` too only spans the gaps between reads). So each request runs under a `Deadline`: a
watchdog timer that, when the time is up, shuts down the socket of the connection the request is
using, which ends a blocked or trickling read at once, wherever it is (headers or body). The
connections learn which deadline is theirs through `DeadlineAdapter`, mounted on the client's
session for the E-utilities URL. (Name lookup is the one step no socket option bounds.)
"""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3 import connection, connectionpool, poolmanager

from claimbook.errors import ClaimbookError

__all__ = ["BodyTooLarge", "Deadline", "DeadlineAdapter", "DeadlineExceeded", "read_body"]

_CURRENT = threading.local()  # the Deadline of the request running on this thread
CHUNK = 64 * 1024


class DeadlineExceeded(ClaimbookError, requests.Timeout):
    """The request did not finish within its deadline (a requests.Timeout, retried as one)."""


class BodyTooLarge(ClaimbookError):
    """The answer's body is larger than the caller's limit."""


class Deadline:
    """`seconds` from now for one request; used as `with Deadline(s) as d: ...`.

    While the block runs, every connection the request opens or reuses on this thread is
    watched; when the time is up its socket is shut down and `expired` becomes True.
    """

    def __init__(self, seconds: float) -> None:
        self.seconds = max(seconds, 0.0)
        self.at = time.monotonic() + self.seconds
        self.expired = False
        self._watched: list[Any] = []
        self._lock = threading.Lock()
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(self.at - time.monotonic(), 0.0)

    def passed(self) -> bool:
        return self.expired or time.monotonic() >= self.at

    def watch(self, conn: Any) -> None:
        """Watch a connection (or a bare socket); cut it at once when the time is already up."""
        with self._lock:
            self._watched.append(conn)
            expired = self.expired
        if expired:
            _cut(conn)

    def _expire(self) -> None:
        with self._lock:
            self.expired = True
            watched = list(self._watched)
        for conn in watched:
            _cut(conn)

    def __enter__(self) -> Deadline:
        self._previous = getattr(_CURRENT, "deadline", None)
        _CURRENT.deadline = self
        self._timer.start()
        return self

    def __exit__(self, kind: type | None, exc: BaseException | None, tb: object) -> None:
        self._timer.cancel()
        _CURRENT.deadline = self._previous
        # Whatever a cut connection raised (reset, broken chunk, truncated body) is a timeout.
        cut = isinstance(exc, requests.RequestException) and self.passed()
        if cut and not isinstance(exc, DeadlineExceeded):
            raise self.exceeded() from None

    def exceeded(self) -> DeadlineExceeded:
        return DeadlineExceeded(f"no complete answer within {round(self.seconds, 1):g} s")

    def socket_timeout(self) -> float:
        """For requests' `timeout`: no single socket wait may outlast the deadline either."""
        return max(self.remaining(), 0.001)


def _cut(conn: Any) -> None:
    """Shut a connection's socket down (both ways): a read blocked on it returns at once."""
    sock = conn if isinstance(conn, socket.socket) else getattr(conn, "sock", None)
    if sock is None:
        return
    # socket.socket's own shutdown, also for an SSLSocket: no TLS goodbye, just the fd.
    with contextlib.suppress(OSError, ValueError):  # already closed
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def _watch(conn: Any) -> None:
    deadline = getattr(_CURRENT, "deadline", None)
    if deadline is not None:
        deadline.watch(conn)


class _Watched:
    """Mixin for urllib3 connections: put each new socket and each request under the deadline."""

    def _new_conn(self) -> socket.socket:
        sock = super()._new_conn()  # type: ignore[misc]
        _watch(sock)  # cut even during a TLS handshake, before `self.sock` is set
        return sock

    def connect(self) -> None:
        super().connect()  # type: ignore[misc]
        _watch(self)

    def request(self, *args: Any, **kwargs: Any) -> None:
        _watch(self)  # a reused keep-alive connection
        super().request(*args, **kwargs)  # type: ignore[misc]


class _HTTPConnection(_Watched, connection.HTTPConnection):
    pass


class _HTTPSConnection(_Watched, connection.HTTPSConnection):
    pass


class _HTTPPool(connectionpool.HTTPConnectionPool):
    ConnectionCls = _HTTPConnection


class _HTTPSPool(connectionpool.HTTPSConnectionPool):
    ConnectionCls = _HTTPSConnection


_POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """An HTTPAdapter whose connections obey the `Deadline` of the request using them (direct
    or through an HTTP(S) proxy; a SOCKS proxy keeps its own connections and only the
    between-chunks check of `read_body`)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if manager.pool_classes_by_scheme is poolmanager.pool_classes_by_scheme:
            manager.pool_classes_by_scheme = _POOLS
        return manager


def read_body(response: requests.Response, deadline: Deadline, limit: int) -> bytes:
    """The whole body of a streamed response, read in chunks within `deadline` (checked between
    chunks too) and at most `limit` bytes (BodyTooLarge past it); the response is closed after.
    Raises DeadlineExceeded when the time is up, even if the body seemed to end."""
    chunks, size = [], 0
    try:
        for chunk in response.iter_content(CHUNK):
            size += len(chunk)
            if size > limit:
                raise BodyTooLarge(f"answer larger than {limit >> 20} MB")
            chunks.append(chunk)
            if deadline.passed():
                break
    finally:
        response.close()
    if deadline.passed():  # a cut connection may look like the end of the body
        raise deadline.exceeded()
    return b"".join(chunks)
