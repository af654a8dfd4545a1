"""The one place the browser tests, docs/screenshot_workbench.py and
benchmarks/workbench_bench.py start what they drive: JupyterLab over a copy of a review
(`lab`), or the workbench app as a practitioner starts it (`workbench_app`: `claimbook
workbench --no-browser --port N` in a subprocess, stopped with SIGINT), both on 127.0.0.1; and
headless Chromium (`chromium`) that may talk to 127.0.0.1 only (`local_only`).

Not a test module: imported by them (scripts put tests/ on sys.path first).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).exists()), None
)
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
SERVER_START = 90  # seconds a server may take to answer
APP_STOP = 30  # seconds `claimbook workbench` may take to stop after Ctrl-C


class ServerFailed(RuntimeError):
    """A server did not start or stop as it should (the message holds the end of its log)."""


@dataclass
class Lab:
    url: str
    root: Path
    log: Path


@dataclass
class App:
    """`claimbook workbench` running: its URL (with the token), review folder, process, log."""

    url: str
    root: Path
    process: subprocess.Popen
    log: Path
    returncode: int | None = None  # once stopped


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def call(url: str, method: str = "GET", timeout: float = 5) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, method=method), timeout=timeout) as r:
        return r.read()


def review_copy(dest: Path, source: Path = ROOT) -> Path:
    """claims/, data/ and the workbench notebook of `source`, the article's text file named by
    absolute path (so the copy checks quotes as the original does)."""
    shutil.copytree(source / "claims", dest / "claims")
    shutil.copytree(source / "data", dest / "data")
    (dest / "notebooks").mkdir()
    shutil.copy(source / "notebooks" / "workbench.ipynb", dest / "notebooks")
    article = dest / "claims" / "article.yaml"
    text = article.read_text(encoding="utf-8")
    found = re.search(r"text_file: (.*)", text)
    if found:
        named = Path(found[1].strip())
        path = named if named.is_absolute() else (source / "claims" / named).resolve()
        article.write_text(text.replace(found[0], f"text_file: {path.as_posix()}"), "utf-8")
    return dest


def jupyter_env(home: Path, **extra: str) -> dict[str, str]:
    """An environment whose Jupyter settings all live under `home`, this interpreter first on
    PATH (so a kernel is this venv's Python), and no way out to the internet by proxy."""
    news = home / "lab-settings" / "@jupyterlab" / "apputils-extension"
    news.mkdir(parents=True, exist_ok=True)  # JupyterLab would ask whether to fetch its news
    (news / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    dirs = {
        "JUPYTER_CONFIG_DIR": "config", "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime", "JUPYTERLAB_SETTINGS_DIR": "lab-settings",
        "JUPYTERLAB_WORKSPACES_DIR": "lab-workspaces", "IPYTHONDIR": "ipython",
    }  # fmt: skip
    return {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        **{k: str(home / v) for k, v in dirs.items()},
        "JUPYTER_PLATFORM_DIRS": "1",
        **dict.fromkeys(("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy"),
                        "http://127.0.0.1:9"),
        "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost",
        **extra,
    }  # fmt: skip


def _tail(log: Path) -> str:
    return log.read_text(encoding="utf-8", errors="replace")[-3000:] if log.exists() else ""


def _end_group(proc: subprocess.Popen) -> None:
    """End what is left of a server's process group: SIGTERM, then SIGKILL."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=10)
            return
        except subprocess.TimeoutExpired:
            continue


@contextlib.contextmanager
def lab(root: Path, tmp: Path, env: dict[str, str] | None = None) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 (free port, no token) over the review folder `root`; stopped
    (kernels, server, process group) at the end."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp / "jupyterlab.log"
    command = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.open_browser=False",
        f"--ServerApp.root_dir={root}", "--ServerApp.disable_check_xsrf=True",
        "--ServerApp.allow_root=True",
        # nothing that could reach the internet: no update check, news or PyPI look-ups
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.news_url=None", "--LabApp.extension_manager=readonly",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(
            command, cwd=root, env=env or jupyter_env(tmp / "jupyter"), stdout=out,
            stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + SERVER_START
        while True:
            if proc.poll() is not None:
                raise ServerFailed(f"JupyterLab exited ({proc.returncode}):\n{_tail(log)}")
            try:
                call(f"{url}/api/status", timeout=2)
                break
            except (OSError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise ServerFailed(
                        f"JupyterLab did not answer on {url}:\n{_tail(log)}"
                    ) from None
                time.sleep(0.3)
        yield Lab(url, root, log)
    finally:
        with contextlib.suppress(OSError, ValueError):
            for kernel in json.loads(call(f"{url}/api/kernels")):
                call(f"{url}/api/kernels/{kernel['id']}", method="DELETE", timeout=15)
            call(f"{url}/api/shutdown", method="POST")
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=15)
        _end_group(proc)


URL_LINE = re.compile(r"is at (http://127\.0\.0\.1:\d+/\?token=\S+)")


@contextlib.contextmanager
def workbench_app(root: Path, tmp: Path, env: dict[str, str] | None = None) -> Iterator[App]:
    """`claimbook workbench --project ROOT --no-browser --port N` as a practitioner runs it,
    once it prints its URL; stopped with SIGINT (Ctrl-C) at the end, its exit code kept in
    `returncode` (ServerFailed if it does not stop in APP_STOP seconds)."""
    port = free_port()
    log = tmp / "workbench-app.log"
    command = [sys.executable, "-m", "claimbook.cli", "workbench", "--project", str(root),
               "--no-browser", "--port", str(port)]  # fmt: skip
    env = env or jupyter_env(tmp / "jupyter")
    env.setdefault("PYTHONPATH", str(ROOT / "src"))
    with log.open("wb") as out:
        proc = subprocess.Popen(command, cwd=root, env=env, stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)  # fmt: skip
    app = None
    try:
        deadline = time.monotonic() + SERVER_START
        while (found := URL_LINE.search(_tail(log))) is None:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise ServerFailed(f"claimbook workbench did not start:\n{_tail(log)}")
            time.sleep(0.1)
        app = App(found[1], root, proc, log)
        yield app
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGINT)  # Ctrl-C
            try:
                proc.wait(timeout=APP_STOP)
            except subprocess.TimeoutExpired:
                _end_group(proc)
                raise ServerFailed(f"claimbook workbench ignored Ctrl-C:\n{_tail(log)}") from None
        if app is not None:
            app.returncode = proc.returncode


def local_only(route) -> None:
    """Let the page talk to the local server only: nothing leaves 127.0.0.1."""
    url = urlsplit(route.request.url)
    if url.scheme in ("http", "https", "ws", "wss") and url.hostname != "127.0.0.1":
        route.abort()
    else:  # the server itself, or data:/blob: URLs of the page
        route.continue_()


def chromium(pw):
    """Debian's headless Chromium, through Playwright."""
    return pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
