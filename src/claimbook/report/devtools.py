"""A headless Chromium driven over the DevTools protocol's pipe (`--remote-debugging-pipe`).

The browser reads JSON commands, each ended by a NUL byte, from its file descriptor 3 and writes
replies and events the same way to descriptor 4: no port, no websocket, no extra library. Handing
a child those two descriptors needs POSIX (`pipe_supported()`); elsewhere callers print with the
one-shot `--print-to-pdf` instead. The browser runs in its own process group, so `close()` ends
it and every helper process it started, whatever happened before.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import threading
import time
from collections import deque
from pathlib import Path
from typing import Any

from claimbook.errors import ClaimbookError

READ_CHUNK = 1 << 20
FIRST_FREE_FD = 5  # the child's ends are kept above 0-4, the numbers it receives them on


class DevToolsError(ClaimbookError, RuntimeError):
    """The browser answered with an error, went away, or did not answer in time."""


class DevToolsTimeout(DevToolsError):
    """The browser did not answer before the deadline."""


def pipe_supported() -> bool:
    """Whether a browser can be given the DevTools pipe here (POSIX with posix_spawn)."""
    needed = ("posix_spawnp", "POSIX_SPAWN_DUP2", "killpg")
    return os.name == "posix" and all(hasattr(os, n) for n in needed) and hasattr(select, "poll")


def _lifted(fd: int) -> int:
    """`fd` moved to a number of at least FIRST_FREE_FD (still close-on-exec), so no dup2 onto
    0-4 in the child can overwrite another of its sources or be a no-op."""
    import fcntl

    high = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, FIRST_FREE_FD)
    os.close(fd)
    return high


def _pipe() -> tuple[int, int]:
    """A pipe whose two ends are both lifted above the descriptors the child receives."""
    read_end, write_end = os.pipe()
    return _lifted(read_end), _lifted(write_end)


def spawn_with_pipe(argv: list[str], log: Path) -> tuple[int, int, int]:
    """Start `argv` in a new session with the DevTools pipe on its fds 3 and 4, stdin from
    /dev/null and stdout/stderr into `log`. Returns (pid, fd to write to, fd to read from)."""
    child_in, to_child = _pipe()
    from_child, child_out = _pipe()
    child_only = [child_in, child_out]
    try:
        child_only.append(_lifted(os.open(os.devnull, os.O_RDONLY)))
        child_only.append(_lifted(os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)))
        null, out = child_only[2:]
        actions = [
            (os.POSIX_SPAWN_DUP2, null, 0),
            (os.POSIX_SPAWN_DUP2, out, 1),
            (os.POSIX_SPAWN_DUP2, out, 2),
            (os.POSIX_SPAWN_DUP2, child_in, 3),
            (os.POSIX_SPAWN_DUP2, child_out, 4),
        ]
        pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=actions, setsid=True)
    except BaseException:
        os.close(to_child)
        os.close(from_child)
        raise
    finally:
        for fd in child_only:
            os.close(fd)
    return pid, to_child, from_child


def live_members(pgid: int) -> list[int]:
    """The processes of group `pgid` that are still running (Linux: read from /proc; elsewhere
    an empty list, as there is no cheap way to tell a dying process from a dead one)."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == pgid and fields[0] not in ("Z", "X"):
                found.append(int(stat.parent.name))
    return found


def wait_until_dead(pgid: int, timeout: float = 5.0) -> None:
    """Wait (briefly) until every process of a group that was sent SIGKILL has died."""
    end = time.monotonic() + timeout
    while live_members(pgid) and time.monotonic() < end:
        time.sleep(0.005)


class PipeBrowser:
    """A browser process spoken to over the DevTools pipe: `call` a method and get its result,
    `wait_for` an event; every wait ends by `deadline` (a time.monotonic() value)."""

    def __init__(self, argv: list[str], log: Path) -> None:
        self.log = log
        self.pid, self._out, self._in = spawn_with_pipe(argv, log)
        self._poll = select.poll()  # unlike select(), not limited to descriptors below 1024
        self._poll.register(self._in, select.POLLIN)
        self._kill_lock = threading.Lock()
        self._buffer = b""
        self._events: deque[dict[str, Any]] = deque()
        self._last_id = 0
        self._reaped = self._closed = False

    def call(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None,
        deadline: float | None = None,
    ) -> dict[str, Any]:  # fmt: skip
        """Send one command and return its result; DevToolsError if it fails."""
        self._last_id += 1
        message: dict[str, Any] = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self._send(message)
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._last_id:
                if "error" in reply:
                    raise DevToolsError(f"{method}: {reply['error'].get('message', reply)}")
                return reply.get("result", {})
            if "method" in reply:
                self._events.append(reply)

    def wait_for(
        self, event: str, session: str | None = None, deadline: float | None = None, **where: Any
    ) -> dict[str, Any]:
        """The parameters of the next `event` for `session` whose values include `where`,
        counting events that arrived while a call waited for its reply."""

        def wanted(message: dict[str, Any]) -> bool:
            params = message.get("params", {})
            return (
                message.get("method") == event
                and message.get("sessionId") == session
                and all(params.get(k) == v for k, v in where.items())
            )

        while self._events:
            seen = self._events.popleft()
            if wanted(seen):
                return seen.get("params", {})
        while True:
            seen = self._receive(deadline)
            if wanted(seen):
                return seen.get("params", {})

    def _send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._out, data) :]
        except OSError as exc:  # BrokenPipeError: the browser has gone
            raise DevToolsError(f"the browser stopped ({self.exit_note()})") from exc

    def _receive(self, deadline: float | None) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            wait = None if deadline is None else max(0.0, deadline - time.monotonic()) * 1000
            if not self._poll.poll(wait):
                raise DevToolsTimeout("the browser did not answer in time")
            chunk = os.read(self._in, READ_CHUNK)
            if not chunk:
                raise DevToolsError(f"the browser stopped ({self.exit_note()})")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def exit_note(self) -> str:
        """The last line the browser logged, or that it logged nothing."""
        try:
            lines = [ln for ln in self.log.read_text(errors="replace").splitlines() if ln.strip()]
        except OSError:
            lines = []
        return lines[-1].strip() if lines else "no message"

    def kill(self) -> None:
        """End the browser and its helper processes (its whole process group) and reap it; a
        thread waiting on the pipe then sees it closed. Safe to call twice, and after the
        browser died by itself."""
        with self._kill_lock:
            if self._reaped:
                return
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.pid, signal.SIGKILL)
            with contextlib.suppress(ChildProcessError):
                os.waitpid(self.pid, 0)
            self._reaped = True
        wait_until_dead(self.pid)

    def close(self) -> None:
        """`kill()`, then close the pipe; call it once no other thread is using the pipe."""
        self.kill()
        if self._closed:
            return
        self._closed = True
        for fd in (self._out, self._in):
            with contextlib.suppress(OSError):
                os.close(fd)
