"""The README's pip-only route, run as written in a fresh virtual environment made from a copy
of the repository (no make, no .venv of ours): the report gets built. Slow (it installs every
dependency from the package index), and the only way to prove the route works."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys

from test_docs import ALL

from conftest import ROOT, SHARED, need_shared


def test_the_pip_only_route_builds_the_report(tmp_path):
    need_shared(SHARED / "article")
    (session,) = [s for s in ALL if s.mode == "pip-route"]
    repo = tmp_path / "repo"
    tracked = (
        subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, check=True, capture_output=True)
        .stdout.decode()
        .split("\0")
    )
    for name in filter(None, tracked):
        if (ROOT / name).is_file():
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, repo / name)
    (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    for step in session.steps:
        argv = shlex.split(step.command)
        if argv[0] == "python3":
            argv[0] = sys.executable  # the Python running the tests stands in for python3
        if argv[0].endswith("pytest"):
            continue  # the suite is what is running this test
        done = subprocess.run(argv, cwd=repo, env=env, capture_output=True, text=True)
        assert done.returncode == 0, (step.command, done.stdout[-2000:], done.stderr[-2000:])
    reports = repo / "reports"
    assert (reports / "claimbook-report.html").stat().st_size > 10_000
    assert (reports / "claimbook-report.md").exists()
    assert (reports / "exports" / "all.ris").exists()
    if shutil.which("chromium"):
        assert (reports / "claimbook-report.pdf").read_bytes().startswith(b"%PDF")
