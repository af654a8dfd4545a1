"""Packaging: environment.yml mirrors pyproject.toml; CI runs the README test command."""

from __future__ import annotations

import re
import tomllib

import yaml

from conftest import ROOT


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_mirrors_pyproject():
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {_name(r) for r in pyproject["dependencies"]}
    for extra in pyproject["optional-dependencies"].values():
        declared |= {_name(r) for r in extra}
    env = yaml.safe_load((ROOT / "environment.yml").read_text(encoding="utf-8"))
    conda = {_name(d) for d in env["dependencies"] if isinstance(d, str)} - {"python", "pip"}
    assert conda == declared


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in readme and "make report" in readme
    assert [ln for ln in ci.splitlines() if ln and not ln.startswith(("#", "set ", "cd "))] == [
        "make test"
    ]


def test_system_deps_without_apt_get_says_how_to_get_the_pdf_and_goes_on(tmp_path):
    """`make report` on macOS, Fedora or without root: the setup step must not fail. A PATH
    holding only make and id stands in for such a machine (no apt-get, no chromium)."""
    import shutil
    import subprocess

    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for tool in ("make", "id"):
        (bin_dir / tool).symlink_to(shutil.which(tool))
    done = subprocess.run(
        ["make", "-s", "-C", str(ROOT), "system-deps"],
        capture_output=True, text=True, env={"PATH": str(bin_dir)}, timeout=60,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "this machine has no apt-get" in done.stdout
    assert "HTML and Markdown only" in done.stdout and "CLAIMBOOK_CHROMIUM" in done.stdout


def test_the_wheel_carries_the_mit_license_and_the_apps_page_template(tmp_path):
    import subprocess
    import sys
    import zipfile

    license_text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert license_text.startswith("MIT License") and pyproject["license"] == {"text": "MIT"}
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wheel = next(tmp_path.glob("claimbook-*.whl"))
    with zipfile.ZipFile(wheel) as zf:
        names = [n for n in zf.namelist() if n.endswith("/LICENSE")]
        assert names and zf.read(names[0]).decode("utf-8") == license_text
        page = "claimbook/jupyter/app_template/voila/templates/claimbook-workbench/"
        assert {page + "index.html.j2", page + "conf.json"} <= set(zf.namelist())
