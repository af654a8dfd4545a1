"""Docs as tests: every `claimbook` command in the README's console sessions runs, and prints
what the README shows (`...` stands for lines left out)."""

from __future__ import annotations

import re
import shlex
import shutil
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from claimbook.cli.app import main

from conftest import ROOT, SHARED, need_shared

README = ROOT / "README.md"
README_DAY = "2026-11-28"
BLOCK = re.compile(r"(?:<!-- docs-test: (?P<mode>[\w-]+) -->\n)?```console\n(?P<body>.*?)```", re.S)
FILE_BLOCK = re.compile(r"<!-- docs-test: file (?P<path>\S+) -->\n```\w*\n(?P<body>.*?)```", re.S)


@dataclass
class Step:
    command: str
    expected: list[str] = field(default_factory=list)


@dataclass
class Session:
    mode: str  # "repo": run in the repository; "sandbox": a copy beside ../shared; "copy": in
    # a copy of the review; "loopback": against a local PubMed (test_refresh); "skip"
    steps: list[Step]
    line: int


def sessions(text: str) -> list[Session]:
    out = []
    for m in BLOCK.finditer(text):
        steps: list[Step] = []
        for line in m.group("body").splitlines():
            if line.startswith("$ "):
                steps.append(Step(line[2:].split("  #")[0].strip()))
            elif steps:
                steps[-1].expected.append(line.rstrip())
        for s in steps:
            while s.expected and not s.expected[-1]:
                s.expected.pop()
        out.append(Session(m.group("mode") or "repo", steps, text[: m.start()].count("\n") + 1))
    return out


def matches(expected: list[str], actual: list[str]) -> bool:
    """True when `actual` is `expected` with each `...` line standing for any lines."""
    pattern = "".join(
        r"(?:.*\n)*?" if line == "..." else re.escape(line) + r"\n" for line in expected
    )
    return re.fullmatch(pattern + (r"(?:.*\n)*" if expected[-1:] == ["..."] else ""),
                        "".join(a + "\n" for a in actual)) is not None  # fmt: skip


def run(step: Step, cwd: Path, monkeypatch) -> list[str]:
    argv = shlex.split(step.command)
    monkeypatch.chdir(cwd)
    result = CliRunner().invoke(main, argv[1:])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    # A sign-off is dated today; the README shows the day it was written.
    today = date.today().isoformat()
    return [line.rstrip().replace(today, README_DAY) for line in result.output.splitlines()]


def claimbook_steps(session: Session) -> list[Step]:
    return [s for s in session.steps if re.match(r"^(\.venv/bin/)?claimbook ", s.command)]


ALL = sessions(README.read_text(encoding="utf-8"))


def test_the_readme_has_console_sessions_to_check():
    assert sum(len(claimbook_steps(s)) for s in ALL if s.mode != "skip") >= 2


@pytest.mark.parametrize(
    "session", [s for s in ALL if s.mode == "repo"], ids=lambda s: f"L{s.line}"
)
def test_readme_session_in_the_repository(session, monkeypatch):
    """Read-only sessions run in the repository itself, as a user would type them."""
    need_shared(SHARED / "article")
    for step in claimbook_steps(session):
        actual = run(step, ROOT, monkeypatch)
        assert matches(step.expected, actual), (step.command, step.expected, actual)


def test_review_your_own_article_session(tmp_path, monkeypatch):
    """The walk-through runs as written, in order, in a folder beside ../shared: each file the
    README shows is written where it says, each command prints what the README shows."""
    need_shared(SHARED / "article")
    need_shared(SHARED / "evidence")
    text = README.read_text(encoding="utf-8")
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "shared").symlink_to(SHARED, target_is_directory=True)
    events = [(m.start(), "file", m) for m in FILE_BLOCK.finditer(text)]
    events += [(m.start(), "run", m) for m in BLOCK.finditer(text) if m.group("mode") == "sandbox"]
    runs = [m for _, kind, m in events if kind == "run"]
    assert sum(len(claimbook_steps(sessions(m.group(0))[0])) for m in runs) >= 7
    for _, kind, m in sorted(events, key=lambda e: e[0]):
        if kind == "file":
            target = repo / m.group("path")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(m.group("body"), encoding="utf-8")
            continue
        (session,) = sessions(m.group(0))
        for step in claimbook_steps(session):
            actual = run(step, repo, monkeypatch)
            assert matches(step.expected, actual), (step.command, step.expected, actual)


@pytest.mark.parametrize(
    "session", [s for s in ALL if s.mode == "copy"], ids=lambda s: f"L{s.line}"
)
def test_readme_session_in_a_copy_of_the_review(session, review, monkeypatch):
    """Sessions that change a review run as written, in order, in a copy of it (`cp` too)."""
    for step in session.steps:
        if step.command.startswith("cp "):
            _, src, dst = shlex.split(step.command)
            shutil.copyfile(review / src, review / dst)
            continue
        actual = run(step, review, monkeypatch)
        assert matches(step.expected, actual), (step.command, step.expected, actual)


def test_readme_workbench_app_session(tmp_path, review):
    """The README's `claimbook workbench` session, run as written but on a free port (a
    server, so not through CliRunner): it prints its URL, serves, and stops on Ctrl-C with
    the last line shown and exit status 0."""
    from jupyter_servers import workbench_app

    (example,) = [s for s in ALL if s.mode == "app"]
    (step,) = example.steps
    assert shlex.split(step.command)[1:] == ["workbench", "--no-browser", "--port", "8866"]
    with workbench_app(review, tmp_path) as app:
        printed = app.log.read_text(encoding="utf-8").splitlines()
    port = app.url.split(":")[2].split("/")[0]
    expected = [line.replace("8866", port) for line in step.expected]
    said = app.log.read_text(encoding="utf-8").splitlines()
    assert app.returncode == 0 and "Traceback" not in "\n".join(said)
    shown = [re.escape(line).replace(re.escape("..."), r"\S+") for line in expected]
    assert len(printed) >= 2
    assert all(re.fullmatch(p, a) for p, a in zip(shown[:2], printed[:2], strict=True))
    assert said[-1] == expected[-1] and len(expected) == 3


def test_readme_validate_error_example(tmp_path, monkeypatch):
    """The README's error example, reproduced: C01's seventh citation given the stance 'maybe'."""
    (example,) = [s for s in ALL if s.mode == "error-example"]
    (step,) = example.steps
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    c01 = next((tmp_path / "claims").glob("C01-*.yaml"))
    lines = c01.read_text(encoding="utf-8").splitlines(keepends=True)
    stance_lines = [i for i, line in enumerate(lines) if line.startswith("    stance: ")]
    i = stance_lines[6]
    lines[i] = re.sub(r"stance: \w+", "stance: maybe", lines[i])
    c01.write_text("".join(lines), encoding="utf-8")
    actual = run(step, tmp_path, monkeypatch)
    assert actual == step.expected


def test_the_output_matcher_is_strict_except_for_ellipses():
    assert matches(["a", "...", "d"], ["a", "b", "c", "d"])
    assert matches(["a", "..."], ["a", "b"])
    assert not matches(["a", "d"], ["a", "b", "d"])
    assert not matches(["a", "...", "d"], ["a", "b", "c"])
    assert not matches(["OK: 17 claims"], ["OK: 18 claims"])


def test_the_readme_editing_example_runs_on_a_copy_and_changes_what_it_says(review, monkeypatch):
    """The README's `claimbook.edit` snippet, executed as written in a copy of the review."""
    from conftest import changed_lines, claim_file

    (snippet,) = [
        m.group(1)
        for m in re.finditer(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
        if "claimbook.edit" in m.group(1)
    ]
    path = claim_file(review, "C03")
    before = path.read_text(encoding="utf-8")
    monkeypatch.chdir(review)
    exec(compile(snippet, "README.md", "exec"), {})
    changed = changed_lines(before, path.read_text(encoding="utf-8"))
    assert "+  reviewer: Jane Doe" in changed and "+  note: Checked every abstract." in changed
    assert [line for line in changed if "stance:" in line] == [
        "-  stance: supports",
        "+  stance: mixed",
    ]


def test_every_test_docs_reliability_names_exists():
    """docs/reliability.md pairs each promise with tests: each one it names must exist (a
    `::name` alone belongs to the file named before it in the same cell)."""
    doc = (ROOT / "docs" / "reliability.md").read_text(encoding="utf-8")
    named = []
    for cell in re.findall(r"\| ([^|]*`tests/[^|]*)\|", doc):
        current = None
        for file, name in re.findall(r"`(tests/[\w/]+\.py)?(?:::(\w+))?`", cell):
            current = file or current
            assert current and (ROOT / current).exists(), cell
            if name:
                named.append((current, name))
    assert len(named) >= 20
    for file, name in named:
        assert re.search(rf"^def {name}\(", (ROOT / file).read_text("utf-8"), re.M), (file, name)
