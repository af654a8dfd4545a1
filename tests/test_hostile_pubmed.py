"""Issue 20, point 6 and the snapshot's weaker spots, tried as a hostile server and a careless
user would: a server that drips its answer, a snapshot that is not UTF-8, a garbage manifest, a
full disk and a read-only folder. Each must end in one clear line naming what failed, within a
bound well under the hang it replaced, with every file of claims/ and data/ byte-identical.

The servers are real, on 127.0.0.1. A full disk and a read-only folder are real too: a small
tmpfs mounted for the test (the tests that need one skip where mounting is not allowed)."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import socket
import subprocess
import threading
import time
from pathlib import Path
from urllib.parse import parse_qs

import pytest
from click.testing import CliRunner
from test_client import article_set
from test_fetch_cli import Eutils, make_project

from claimbook import files
from claimbook.cli.app import main
from claimbook.pubmed import NetworkError, SnapshotError
from claimbook.pubmed.client import LIMITER, EutilsClient
from claimbook.pubmed.store import (
    PaperRecord,
    SnapshotWriteError,
    load_manifest,
    load_snapshot,
    save_snapshot,
)
from claimbook.pubmed.sync import accept_drift, commit_batch, sync

from conftest import REAL

HANG = 20  # seconds: every bounded failure below ends well before this (the drip never would)


@pytest.fixture(autouse=True)
def _fresh_limiter():
    LIMITER.reset()
    yield
    LIMITER.reset()


def digest(*roots: Path) -> dict[str, str]:
    """sha256 of every file under `roots` (temp files and lock files included): to prove a
    refused or failed command changed no byte and left nothing behind."""
    out = {}
    for root in roots:
        for p in sorted(root.rglob("*")):
            if p.is_file():
                out[str(p)] = hashlib.sha256(p.read_bytes()).hexdigest()
    return out


def cli(*argv: str, env: dict | None = None):
    return CliRunner().invoke(main, list(argv), env=env, catch_exceptions=False)


def error_lines(result) -> list[str]:
    return [line for line in result.output.splitlines() if line.strip()]


# --------------------------------------------------------------------------- a dripping server


class DripServer:
    """A threaded HTTP server on 127.0.0.1 that answers every POST with a valid efetch body,
    dripped `rate` bytes a second: the body ("body"), or the status line and headers already
    ("headers"). It never stops on its own; it only notices the client when a write fails."""

    def __init__(self, mode: str = "body", rate: int = 16) -> None:
        self.mode, self.rate = mode, rate
        self.connections = 0
        self.requests: list[dict] = []
        self._stop = threading.Event()
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(16)
        self._sock.settimeout(0.2)
        self._thread = threading.Thread(target=self._run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._sock.getsockname()[1]}/"

    def __enter__(self) -> DripServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)
        self._sock.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket, data: bytes) -> None:
        step = max(1, self.rate // 8)
        for i in range(0, len(data), step):
            if self._stop.is_set():
                return
            conn.sendall(data[i : i + step])
            time.sleep(step / self.rate)

    def _answer(self, conn: socket.socket) -> None:
        try:
            conn.settimeout(5)
            data = b""
            while b"\r\n\r\n" not in data:
                data += conn.recv(65536)
            head, body = data.split(b"\r\n\r\n", 1)
            length = int(re.search(rb"(?i)content-length:\s*(\d+)", head).group(1))
            while len(body) < length:
                body += conn.recv(65536)
            form = parse_qs(body.decode())
            self.requests.append(form)
            answer = article_set(form.get("id", ["1"])[0].split(","))
            header = (
                "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
                f"Content-Length: {len(answer)}\r\n\r\n"
            ).encode()
            if self.mode == "headers":
                self._drip(conn, header)
            else:
                conn.sendall(header)
            self._drip(conn, answer)
        except OSError:
            pass  # the client hung up: what a deadline does
        finally:
            conn.close()


def drip_client(server: DripServer, **kw) -> EutilsClient:
    kw.setdefault("backoff_factor", 0.05)
    return EutilsClient(server.url, email="tests@example.org", progress=False, **kw)


@pytest.mark.parametrize("mode", ["body", "headers"])
def test_a_dripped_answer_is_cut_at_the_budget(mode):
    ids = ["101", "102", "103"]
    with DripServer(mode) as server:
        started = time.monotonic()
        with pytest.raises(NetworkError) as info:
            drip_client(server, timeout=1, max_total_seconds=3).efetch(ids)
        took = time.monotonic() - started
    assert took < HANG  # the drip would take minutes: 3 records at 16 bytes a second
    message = str(info.value)
    assert "\n" not in message
    assert "timed out" in message and "time budget of 3 s spent" in message
    assert "3 of 3 PMIDs not fetched: 101, 102, 103" in message
    assert info.value.not_fetched == ids and info.value.fetched == []
    assert server.connections >= 2  # a deadline is a timeout: retried within the budget


def test_each_attempt_has_its_own_deadline_under_a_large_budget():
    with DripServer() as server:
        started = time.monotonic()
        with pytest.raises(NetworkError, match="gave up after 2 tries") as info:
            drip_client(server, timeout=1, max_total_seconds=600, max_retries=1).efetch(["7"])
        assert time.monotonic() - started < HANG
    assert "no complete answer within 1 s" in str(info.value)
    assert server.connections == 2


def test_the_budget_cuts_a_read_in_flight():
    # One attempt may take 60 s, but the request's whole budget is 2 s: the read is cut there.
    with DripServer() as server:
        started = time.monotonic()
        with pytest.raises(NetworkError, match="time budget of 2 s spent after 1 try"):
            drip_client(server, timeout=60, max_total_seconds=2).esearch("cramp")
        assert time.monotonic() - started < HANG
    assert server.connections == 1


def test_an_answer_that_comes_in_pieces_within_the_deadline_is_read_whole():
    # Not every slow answer is hostile: one dripped fast enough is read, chunk by chunk.
    with DripServer(rate=4096) as server:
        result = drip_client(server, timeout=15, max_total_seconds=30).efetch(["31", "32"])
    assert result.returned == ["31", "32"]
    assert server.connections == 1


def test_sync_against_a_dripping_server_changes_no_file(review):
    store = review / "data" / "pubmed"
    before = digest(review / "claims", review / "data")
    with DripServer() as server, pytest.raises(NetworkError, match="not fetched"):
        sync(["29963580", "38534005"], store, drip_client(server, timeout=1, max_total_seconds=2))
    assert digest(review / "claims", review / "data") == before


def test_fetch_refresh_against_a_dripping_server_exits_with_one_line(review):
    before = digest(review / "claims", review / "data")
    with DripServer() as server:
        env = {
            "CLAIMBOOK_EUTILS_URL": server.url,
            "CLAIMBOOK_EUTILS_TIMEOUT": "1",
            "CLAIMBOOK_EUTILS_BUDGET": "3",
            "NCBI_API_KEY": None,
        }
        started = time.monotonic()
        result = cli("fetch", "--refresh", "--quiet", "--project", str(review), env=env)
        took = time.monotonic() - started
    assert took < HANG
    assert result.exit_code == 1
    lines = error_lines(result)
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: efetch failed on efetch.fcgi batch 1 of 1")
    assert "timed out" in lines[0] and "PMIDs not fetched" in lines[0]
    assert server.requests  # it did ask, and gave up in time
    assert digest(review / "claims", review / "data") == before


@pytest.mark.parametrize("value", ["soon", "0", "-5", "inf", "nan"])
def test_a_time_limit_in_the_environment_must_be_seconds(review, value):
    before = digest(review / "claims", review / "data")
    with DripServer() as server:
        env = {"CLAIMBOOK_EUTILS_URL": server.url, "CLAIMBOOK_EUTILS_BUDGET": value}
        result = cli("fetch", "--refresh", "--quiet", "--project", str(review), env=env)
    assert result.exit_code == 1
    assert error_lines(result) == [
        f"error: CLAIMBOOK_EUTILS_BUDGET={value!r}: give a number of seconds above 0"
    ]
    assert server.connections == 0
    assert digest(review / "claims", review / "data") == before


def test_time_limits_given_in_code_must_be_positive_numbers():
    for bad in (0, -1.0, float("inf"), True):
        with pytest.raises(ValueError, match="timeout must be a number of seconds"):
            EutilsClient("http://127.0.0.1:9/", timeout=bad)


# --------------------------------------------------------------------------- snapshot files


def _store(review: Path) -> Path:
    return review / "data" / "pubmed"


def used_once(store: Path) -> Path:
    """A snapshot folder that has been written once already, so it has its .lock file."""
    with files.lock(store):
        pass
    return store


def _latin1_line(review: Path, lineno: int) -> None:
    """Re-save one line of records.jsonl in Latin-1, as a careless editor would."""
    path = _store(review) / "records.jsonl"
    lines = path.read_bytes().split(b"\n")
    cafe = '"title": "Caf\u00e9 '.encode("latin-1")
    lines[lineno - 1] = lines[lineno - 1].replace(b'"title": "', cafe, 1)
    path.write_bytes(b"\n".join(lines))


def test_a_records_line_that_is_not_utf8_is_located(review):
    _latin1_line(review, 3)
    with pytest.raises(SnapshotError) as info:
        load_snapshot(_store(review))
    err = info.value
    assert (err.file, err.line, err.field) == (str(_store(review) / "records.jsonl"), 3, "text")
    assert "not UTF-8 text (byte 0xE9" in err.message


@pytest.mark.parametrize("command", ["validate", "report", "fetch", "claims", "show"])
def test_every_command_refuses_a_non_utf8_snapshot_in_one_line(review, command, tmp_path):
    _latin1_line(review, 3)
    before = digest(review / "claims", review / "data")
    argv = [command, "--project", str(review)]
    if command == "report":
        argv += ["--format", "md", "--out", str(tmp_path / "out")]
    if command == "fetch":
        argv += ["--offline"]
    if command == "show":
        argv[1:1] = ["3735481", "--offline"]
    result = cli(*argv)
    where = f"{_store(review) / 'records.jsonl'}:3: text: not UTF-8 text"
    if command == "claims":  # reads no snapshot at all
        assert result.exit_code == 0
    else:
        assert result.exit_code == 1
        problems = [ln for ln in error_lines(result) if "records.jsonl" in ln]
        assert len(problems) == 1 and where in problems[0], result.output
    assert digest(review / "claims", review / "data") == before
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").rglob("*.md"))


GARBAGE = {
    "binary": b"\x00\xff\xfe garbage \x80",
    "not json": b'{"format": "claimbook-snapshot/1",\n  "history": [}\n',
    "a list": b"[1, 2, 3]\n",
    "history not a list": b'{"history": {"action": "curate"}}\n',
    "nested too deep": b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("kind", list(GARBAGE))
def test_a_garbage_manifest_is_refused_before_anything_is_written(review, kind, records):
    store = _store(review)
    (store / "manifest.json").write_bytes(GARBAGE[kind])
    with pytest.raises(SnapshotError) as info:
        load_manifest(store)
    assert info.value.file == str(store / "manifest.json")
    assert "\n" not in str(info.value)
    before = digest(review / "claims", review / "data")
    body = b"<PubmedArticleSet>" + records[REAL[0]] + b"</PubmedArticleSet>"
    # Storing a fetched batch (today: records.jsonl rewritten first, then a traceback) ...
    with pytest.raises(SnapshotError, match=r"manifest\.json"):
        commit_batch(store, body, _now(), {"requested": 1, "missing": []})
    # ... applying waiting records and saving the snapshot change no byte, create no lock
    # file and leave no temp file.
    with pytest.raises(SnapshotError, match=r"manifest\.json"):
        accept_drift(store)
    with pytest.raises(SnapshotError, match=r"manifest\.json"):
        save_snapshot(store, load_snapshot_records(store))
    assert digest(review / "claims", review / "data") == before


@pytest.mark.parametrize("command", ["validate", "report", "fetch"])
def test_commands_refuse_a_garbage_manifest_in_one_line(review, command, tmp_path):
    store = _store(review)
    (store / "manifest.json").write_bytes(GARBAGE["not json"])
    before = digest(review / "claims", review / "data")
    argv = [command, "--project", str(review)]
    if command == "report":
        argv += ["--format", "md", "--out", str(tmp_path / "out")]
    env = {"CLAIMBOOK_EUTILS_URL": "http://127.0.0.1:9/", "CLAIMBOOK_EUTILS_BUDGET": "2"}
    result = cli(*argv, "--refresh", "--quiet", env=env) if command == "fetch" else cli(*argv)
    assert result.exit_code == 1
    lines = [ln for ln in error_lines(result) if "manifest.json" in ln]
    assert len(lines) == 1, result.output
    assert f"{store / 'manifest.json'}:2: json: invalid JSON" in lines[0]
    assert "Traceback" not in result.output
    assert digest(review / "claims", review / "data") == before


def test_a_title_with_a_line_separator_survives_a_round_trip(tmp_path):
    # JSON Lines ends a line at "\n" only; U+2028 inside a title is text, not a line break.
    rec = PaperRecord(pmid="5", title="Cramps\u2028and sleep", source="curated")
    save_snapshot(tmp_path, [rec, PaperRecord(pmid="6", title="Other", source="curated")])
    assert [r.title for r in load_snapshot(tmp_path)] == ["Cramps\u2028and sleep", "Other"]


def load_snapshot_records(store: Path) -> list[PaperRecord]:
    """The records of records.jsonl, read line by line (the manifest is broken on purpose)."""
    lines = (store / "records.jsonl").read_text(encoding="utf-8").split("\n")
    return [PaperRecord.model_validate_json(line) for line in lines if line.strip()]


def _now():
    from datetime import UTC, datetime

    return datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


# --------------------------------------------------------------------------- full disk, read-only


@pytest.fixture
def small_disk(tmp_path):
    """A real 256 KB file system (tmpfs) at tmp_path/disk, unmounted after the test."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=256k,nr_inodes=200", "tmpfs", str(mnt)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("mounting a small tmpfs needs root (a full disk cannot be made otherwise)")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], check=False)


def fill(disk: Path) -> None:
    """Fill the file system to the last byte."""
    with open(disk / "filler", "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(b"\0" * 4096)
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
    assert os.statvfs(disk).f_bavail == 0


def read_only(disk: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)


def snapshot_on(disk: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A review whose claims/ cite REAL, with its data/ (one curated record) on `disk`."""
    (tmp_path / "review").mkdir()
    project = make_project(tmp_path / "review", REAL)
    data = disk / "data"
    save_snapshot(
        data / "pubmed",
        [PaperRecord(pmid=REAL[2], title="A curated title.", source="curated")],
        {"action": "curate"},
    )
    with files.lock(data / "pubmed"):
        pass  # a folder used once has its lock file
    return project, data


def fetch(project: Path, data: Path, env: dict):
    argv = ["fetch", "--refresh", "--quiet", "--claims", str(project / "claims")]
    return cli(*argv, "--data", str(data), env=env)


def test_fetch_on_a_full_disk_is_one_line_and_changes_nothing(
    small_disk, tmp_path, httpserver, records, env
):
    project, data = snapshot_on(small_disk, tmp_path)
    server = Eutils(httpserver, records)
    fill(small_disk)
    before = digest(project / "claims", data)
    result = fetch(project, data, env)
    assert result.exit_code == 1
    assert len(server.calls) == 1
    (line,) = error_lines(result)
    assert re.fullmatch(
        rf"error: cannot write {re.escape(str(data / 'pubmed'))}/\S+: the disk is full; "
        "free some space and run the command again",
        line,
    ), line
    assert digest(project / "claims", data) == before  # no byte, no temp file


def test_fetch_in_a_read_only_folder_says_so_before_any_request(
    small_disk, tmp_path, httpserver, records, env
):
    project, data = snapshot_on(small_disk, tmp_path)
    server = Eutils(httpserver, records)
    read_only(small_disk)
    before = digest(project / "claims", data)
    result = fetch(project, data, env)
    assert result.exit_code == 1
    (line,) = error_lines(result)
    assert line.startswith(f"error: cannot write {data / 'pubmed'}")
    assert "read-only file system" in line
    assert server.calls == []  # nothing downloaded for nothing
    assert digest(project / "claims", data) == before


def test_atomic_write_on_a_full_disk_names_the_file_and_leaves_no_temp(small_disk):
    target = small_disk / "notes.txt"
    target.write_bytes(b"old\n")
    fill(small_disk)
    with pytest.raises(files.WriteError) as info:
        files.atomic_write(target, b"new\n" * 10_000)
    assert info.value.errno == errno.ENOSPC and isinstance(info.value, OSError)
    assert str(info.value) == (
        f"cannot write {target}: the disk is full; free some space and run the command again"
    )
    assert target.read_bytes() == b"old\n"
    assert sorted(p.name for p in small_disk.iterdir()) == ["filler", "notes.txt"]


def test_writing_several_files_on_a_full_disk_writes_none(small_disk):
    first, second = small_disk / "a.txt", small_disk / "b.txt"
    first.write_bytes(b"a\n")
    second.write_bytes(b"b\n")
    fill(small_disk)
    # The first new file is empty (it needs no block), the second does not fit.
    with pytest.raises(files.WriteError, match=r"b\.txt: the disk is full"):
        files.atomic_write_all({first: b"", second: b"x" * 100_000})
    assert (first.read_bytes(), second.read_bytes()) == (b"a\n", b"b\n")
    assert sorted(p.name for p in small_disk.iterdir()) == ["a.txt", "b.txt", "filler"]


def test_a_lock_where_no_file_can_be_made_is_a_write_error(small_disk):
    # No inode left: not even an empty .lock file can be created.
    for i in range(1000):
        try:
            (small_disk / f"f{i}").touch()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC
            break
    else:
        pytest.fail("the small file system took 1000 files")
    with pytest.raises(files.WriteError, match=r"\.lock: the disk is full"), files.lock(small_disk):
        pass


@pytest.mark.parametrize("writer", ["atomic_write", "lock", "save_snapshot"])
def test_writers_in_a_read_only_folder_name_the_file(small_disk, writer):
    store = small_disk / "pubmed"
    save_snapshot(store, [PaperRecord(pmid="5", title="Kept as it was", source="curated")])
    read_only(small_disk)
    before = digest(small_disk)
    with pytest.raises(files.WriteError) as info:
        if writer == "atomic_write":
            files.atomic_write(store / "records.jsonl", b"")
        elif writer == "lock":
            with files.lock(store):
                pass
        else:
            save_snapshot(store, [])
    assert info.value.errno == errno.EROFS
    assert str(info.value).startswith(f"cannot write {store}")
    assert "read-only file system; work on a copy in a writable folder" in str(info.value)
    if writer == "save_snapshot":  # the store's own error type, also a WriteError
        assert isinstance(info.value, SnapshotError)
    assert digest(small_disk) == before


def test_a_file_where_a_folder_should_be_is_a_write_error(review):
    # Portable (no mount needed): raw/ is a file, so a fetched batch cannot be stored.
    store = used_once(_store(review))
    (store / "raw").write_bytes(b"not a folder")
    before = digest(review / "claims", review / "data")
    body = article_set(["29963580"])
    with pytest.raises(SnapshotWriteError) as info:
        commit_batch(store, body, _now(), {"requested": 1, "missing": []})
    assert str(info.value) == (
        f"cannot write {store / 'raw'}: a file stands where a folder should be; move it or "
        "choose another folder"
    )
    assert isinstance(info.value, SnapshotError) and isinstance(info.value, files.WriteError)
    assert digest(review / "claims", review / "data") == before
