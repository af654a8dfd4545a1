"""Files on disk: atomic writes and folder locks, shared by the snapshot, claims, reports and
notebooks. A crash or a concurrent run never leaves a half-written file behind.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from filelock import FileLock

LOCK_FILE = ".lock"


def atomic_write(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write `data` to `path` via a temp file in the same directory and an atomic rename."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """`atomic_write` for UTF-8 text."""
    return atomic_write(path, text.encode("utf-8"))


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def lock(directory: str | os.PathLike[str], timeout: float = 60.0) -> FileLock:
    """A folder's file lock: hold it around every read-modify-write of files in the folder."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return FileLock(str(directory / LOCK_FILE), timeout=timeout)


class FileTooLargeError(ValueError):
    """A file is larger than claimbook reads whole: the message names it and the limit."""


def read_limited(path: str | os.PathLike[str], limit: int, what: str = "this file") -> bytes:
    """The bytes of `path`, refusing more than `limit` of them (FileTooLargeError, naming the
    file and the limit). The read itself is bounded: a size from stat is not trusted
    (/dev/zero and pipes report 0)."""
    with open(path, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise FileTooLargeError(
            f"{path}: larger than {_size(limit)}, too big for {what}; check it is the right file"
        )
    return data


def _size(n: int) -> str:
    return f"{n // 2**20} MB" if n >= 2**20 else f"{n // 2**10} KB" if n >= 2**10 else f"{n} bytes"
