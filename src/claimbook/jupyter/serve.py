"""`claimbook workbench`: the workbench served as an app, with no code cells, by Voilà.

Voilà is Jupyter's standard way of turning a notebook into a web app: it runs the notebook in
a fresh kernel and shows only its outputs, the widgets live, no code and no JupyterLab around
them; it speaks the same widget protocol as JupyterLab, so the very same `Workbench` runs in
both (docs/workbench.md says why Voilà rather than the alternatives).

    url, server = start_app(ReviewFolder.at("."), port=8866)
    ...
    stop_app(server)

The notebook served is written into a temporary folder (one code cell: the workbench of this
review folder), never into the review. The server listens on 127.0.0.1 only, with a random
token in the URL; it runs in its own session, so Ctrl-C reaches claimbook, which stops it (and
the kernel it started) and exits cleanly. The page is Voilà's lab page with one change
(app_template/voila/templates/claimbook-workbench): its scripts are asked for before the
notebook has run, not after.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from claimbook.errors import ClaimbookError
from claimbook.folder import ReviewFolder
from claimbook.notebooks.ipynb import KERNELSPEC, MARK

__all__ = ["AppServer", "ServeError", "app_notebook", "free_port", "start_app", "stop_app"]

HOST = "127.0.0.1"
TEMPLATES = Path(__file__).with_name("app_template")  # Voilà's page template for the app
START_TIMEOUT = 60  # seconds Voilà may take to listen
STOP_TIMEOUT = 10  # seconds it may take to stop, after Ctrl-C


# Voilà, started as `python -m voila` would be, but without the optional `rfc3987_syntax`:
# jsonschema imports it, if installed, only to check the "iri" format that no Jupyter schema
# uses, and building its grammar takes seconds of the server's start (docs/benchmarks.md).
VOILA = "import sys; sys.modules['rfc3987_syntax'] = None; from voila.app import main; main()"


# What Voilà logs once its preheated kernel is started and known to its pages. A page asked
# for before then is given a kernel of its own, and two kernels running the workbench at once
# on two cores slowed the first screen by about half a second (docs/benchmarks.md).
POOL_FILLED = b"Kernel pool of workbench.ipynb is filled"
POOL_WAIT = 10  # seconds to wait for it once Voilà listens (then the URL is given anyway)


class ServeError(ClaimbookError):
    """The app could not be started (port taken, Voilà missing or failing)."""


@dataclass
class AppServer:
    """A running Voilà server: its process, URL (with the token), folder and log file."""

    process: subprocess.Popen
    url: str
    workdir: Path
    log: Path


def app_notebook(folder: ReviewFolder) -> dict:
    """The notebook Voilà serves (nbformat 4, as JSON data): one code cell that shows the
    workbench of `folder`. Written by hand, not with nbformat, whose import alone takes
    seconds on the way to the first screen."""
    root, claims, data = (str(p.resolve()) for p in (folder.root, folder.claims, folder.data))
    code = (
        "from claimbook.jupyter.workbench import Workbench\n\n"
        f"Workbench(project={root!r}, claims={claims!r}, data={data!r}, when_idle=True)"
    )
    cell = {"cell_type": "code", "execution_count": None, "id": "cell-00", "metadata": {},
            "outputs": [], "source": code}  # fmt: skip
    meta = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
            MARK: {"workbench_app": True}}  # fmt: skip
    return {"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5}


def _jupyter_path() -> str:
    """JUPYTER_PATH with the app's page template first (app_template/voila/templates)."""
    return os.pathsep.join(filter(None, [str(TEMPLATES), os.environ.get("JUPYTER_PATH")]))


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) == 0


def start_app(folder: ReviewFolder, port: int | None = None) -> tuple[str, AppServer]:
    """Start Voilà on 127.0.0.1:`port` (a free one by default) serving the workbench of
    `folder`; return its URL (with the token) once it listens and its kernel is started.
    ServeError if it cannot."""
    if port is not None and _listening(port):
        raise ServeError(f"port {port} on {HOST} is in use; pick another with --port")
    port = port or free_port()
    workdir = Path(tempfile.mkdtemp(prefix="claimbook-workbench-"))
    notebook = workdir / "workbench.ipynb"
    notebook.write_text(json.dumps(app_notebook(folder), indent=1) + "\n", encoding="utf-8")
    token = secrets.token_urlsafe(24)
    log = workdir / "voila.log"
    command = [
        sys.executable, "-c", VOILA, str(notebook), "--no-browser",
        f"--Voila.ip={HOST}", f"--port={port}", "--Voila.port_retries=0", f"--token={token}",
        # the page asks for its scripts as soon as the kernel is known (app_template/)
        "--template=claimbook-workbench", "--theme=light",
        "--VoilaConfiguration.show_tracebacks=False",
        f"--Voila.root_dir={workdir}",
        # the kernel runs the notebook as the server starts, before the page is opened, so
        # opening it shows the workbench at once (one kernel ready: one reviewer's app)
        "--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=1",
        "--VoilaKernelManager.fill_delay=5",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "JUPYTER_PATH": _jupyter_path()}
    with log.open("wb") as out:
        process = subprocess.Popen(
            command, cwd=workdir, env=env, stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )  # fmt: skip
    server = AppServer(process, f"http://{HOST}:{port}/?token={token}", workdir, log)
    deadline = time.monotonic() + START_TIMEOUT
    while not _listening(port):
        if process.poll() is not None or time.monotonic() > deadline:
            said = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()
            stop_app(server)
            last = said[-1] if said else "no output"
            raise ServeError(f"the workbench app did not start on port {port}: {last}")
        time.sleep(0.1)
    _wait_for_kernel(server, time.monotonic() + POOL_WAIT)
    return server.url, server


def _wait_for_kernel(server: AppServer, deadline: float) -> None:
    """Wait until Voilà says its preheated kernel is ready for the first page (or `deadline`,
    or the server ends), so opening the URL at once uses that kernel, not a second one."""
    while POOL_FILLED not in server.log.read_bytes() and time.monotonic() < deadline:
        if server.process.poll() is not None:
            return
        time.sleep(0.02)


def _children(pid: int) -> list[int]:
    """The processes `pid` started (its kernels), from /proc (none where there is no /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                out.append(int(stat.parent.name))
    return out


def stop_app(server: AppServer) -> None:
    """Stop the server as Ctrl-C would (it shuts its kernels down), then end whatever of it
    is left (its process group, then the kernels it started, by their ids), and remove its
    folder."""
    proc = server.process
    kernels = _children(proc.pid) if proc.poll() is None else []
    if proc.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(proc.pid, signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=STOP_TIMEOUT)
    for sig in (signal.SIGTERM, signal.SIGKILL):
        if proc.poll() is not None:
            break
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=5)
    for pid in kernels:  # a kernel the server did not shut down in time
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
    shutil.rmtree(server.workdir, ignore_errors=True)


def serve(folder: ReviewFolder, port: int | None, open_browser: bool, say=print) -> int:
    """Start the app, say its URL, open the browser (unless told not to), and wait until
    Ctrl-C (SIGINT) or SIGTERM; then stop it cleanly and return 0 (the server's exit code if
    it stopped on its own)."""
    stop = {"asked": False}

    def asked(_sig: int, _frame: object) -> None:
        stop["asked"] = True

    old = {s: signal.signal(s, asked) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        url, server = start_app(folder, port)
        try:
            say(f"The workbench of {folder.root.resolve()} is at {url}")
            say("Press Ctrl-C to stop it.")
            if open_browser:
                import webbrowser

                webbrowser.open(url)
            while not stop["asked"] and server.process.poll() is None:
                time.sleep(0.2)
            code = 0 if stop["asked"] else (server.process.returncode or 0)
        finally:
            stop_app(server)
        say("Stopped the workbench.")
        return code
    finally:
        for s, handler in old.items():
            signal.signal(s, handler)
