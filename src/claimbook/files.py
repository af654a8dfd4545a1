"""Files on disk: atomic writes and folder locks, shared by the snapshot, claims, reports and
notebooks. A crash or a concurrent run never leaves a half-written file behind, and a file that
cannot be written (disk full, read-only folder) is a `WriteError` naming it, with no temp file
left over.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from filelock import FileLock, Timeout

from claimbook.errors import ClaimbookError

LOCK_FILE = ".lock"

_WHY = {
    errno.ENOSPC: "the disk is full; free some space and run the command again",
    errno.EDQUOT: "the disk quota is used up; free some space and run the command again",
    errno.EROFS: "it is on a read-only file system; work on a copy in a writable folder",
    errno.EACCES: "permission denied; make the folder writable or work on a copy",
    errno.EPERM: "permission denied; make the folder writable or work on a copy",
    errno.ENOTDIR: "a file stands where a folder should be; move it or choose another folder",
    errno.EEXIST: "a file stands where a folder should be; move it or choose another folder",
    errno.EISDIR: "a folder stands where the file should be; move it or choose another name",
    errno.EBUSY: "another claimbook command holds its lock; try again when it has finished",
}


def os_reason(exc: OSError) -> str:
    """An OSError in plain words with what to do: "the disk is full; free some space ...".
    The one table of such words: files, edits and the CLI all say it the same way."""
    return _WHY.get(exc.errno or 0) or (exc.strerror or str(exc)).lower()


class WriteError(ClaimbookError, OSError):
    """A file or folder could not be written: `cannot write PATH: why, and what to do`.

    An OSError (errno, strerror and filename as usual), so `except OSError` still catches it.
    """

    def __init__(self, path: str | os.PathLike[str], cause: OSError) -> None:
        super().__init__(cause.errno, os_reason(cause), str(path))
        self.path = Path(path)

    def __str__(self) -> str:
        return f"cannot write {self.filename}: {self.strerror}"


@contextlib.contextmanager
def writing(path: str | os.PathLike[str]) -> Iterator[None]:
    """Turn an OSError raised while writing `path` into a WriteError naming it."""
    try:
        yield
    except WriteError:
        raise
    except OSError as exc:
        raise WriteError(path, exc) from None


def _make_dir(directory: Path) -> None:
    with writing(directory):
        directory.mkdir(parents=True, exist_ok=True)


def _stage(path: Path, data: bytes, sync: bool = True) -> str:
    """Write `data` to a new temp file beside `path` (fsynced unless `sync` is False); return
    the temp file's name.

    On any failure the temp file is removed and a WriteError naming `path` is raised.
    """
    _make_dir(path.parent)
    with writing(path):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with writing(path):
            os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual permissions
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                if sync:
                    os.fsync(fh.fileno())
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return tmp


def atomic_write(path: str | os.PathLike[str], data: bytes, sync: bool = True) -> Path:
    """Write `data` to `path` via a temp file in the same directory and an atomic rename.

    Raises WriteError (the file as it was, no temp file left) when it cannot be written.
    `sync=False` skips the fsync: only for a staging folder whose files the caller syncs
    before moving them into place (the report's build, `claimbook.report._staged`).
    """
    path = Path(path)
    tmp = _stage(path, data, sync)
    try:
        with writing(path):
            os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    return path


def atomic_write_all(files: Mapping[str | os.PathLike[str], bytes]) -> list[Path]:
    """Write several files together: every temp file is written first, then all are renamed.

    A full disk or a read-only folder shows while staging, so it leaves every file as it was
    (WriteError, no temp file left); the renames that follow need no space.
    """
    for name in files:
        if Path(name).is_dir():  # os.replace would fail there only after other renames
            raise WriteError(name, IsADirectoryError(errno.EISDIR, "is a folder"))
    staged: list[tuple[str, Path]] = []
    try:
        for name, data in files.items():
            path = Path(name)
            staged.append((_stage(path, data), path))
        for tmp, path in staged:
            with writing(path):
                os.replace(tmp, path)
    except BaseException:
        for tmp, _ in staged:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise
    return [path for _, path in staged]


def write_text(path: str | os.PathLike[str], text: str, sync: bool = True) -> Path:
    """`atomic_write` for UTF-8 text."""
    return atomic_write(path, text.encode("utf-8"), sync)


def check_writable(directory: str | os.PathLike[str]) -> None:
    """Raise WriteError now if files cannot be created in `directory` (read-only, no room for a
    new file), before any slow work whose result would then be lost. Leaves nothing behind: a
    folder not there yet is judged by the nearest one that is."""
    directory = Path(directory).absolute()
    probe = next((d for d in (directory, *directory.parents) if d.is_dir()), directory)
    with writing(directory):
        fd, tmp = tempfile.mkstemp(prefix=".claimbook-probe.", suffix=".tmp", dir=probe)
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


class FolderLock(FileLock):
    """A FileLock whose failures name the folder: WriteError when the lock file cannot be
    created (read-only folder, disk full) or another command keeps holding it."""

    def acquire(self, *args, **kwargs):  # type: ignore[override]
        try:
            return super().acquire(*args, **kwargs)
        except Timeout:
            busy = OSError(errno.EBUSY, "lock held")
            raise WriteError(self.lock_file, busy) from None
        except WriteError:
            raise
        except OSError as exc:
            raise WriteError(self.lock_file, exc) from None


def lock(directory: str | os.PathLike[str], timeout: float = 60.0) -> FileLock:
    """A folder's file lock: hold it around every read-modify-write of files in the folder."""
    directory = Path(directory)
    _make_dir(directory)
    return FolderLock(str(directory / LOCK_FILE), timeout=timeout)
