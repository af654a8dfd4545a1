"""The one error tree: every claimbook error is a ClaimbookError, keeps its other bases, and the
command line prints every one in one place, one line per problem (issue 21, item 4)."""

from __future__ import annotations

import ast
import builtins
import errno
import importlib
import inspect
import pkgutil
import re
import shutil
import textwrap
from pathlib import Path

import click
import pytest
import requests
from click.testing import CliRunner

import claimbook
from claimbook.claims import ClaimsError
from claimbook.cli import app as cli
from claimbook.errors import ClaimbookError, Problem

from conftest import ROOT, tree_digest


def _error_classes() -> list[type[BaseException]]:
    """Every exception class defined at the top of a module of the claimbook package."""
    found = []
    for info in pkgutil.walk_packages(claimbook.__path__, "claimbook."):
        module = importlib.import_module(info.name)
        for obj in vars(module).values():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
            ):
                found.append(obj)
    return found


def test_every_error_class_of_the_package_is_a_claimbook_error():
    classes = _error_classes()
    names = {c.__qualname__ for c in classes}
    # the walk reaches the sub-packages (not only the top-level modules)
    assert {"ClaimsError", "PubMedError", "SnapshotError", "ReportError"} <= names
    outside = [
        f"{c.__module__}.{c.__qualname__}" for c in classes if not issubclass(c, ClaimbookError)
    ]
    assert outside == []


def test_the_tree_is_exported_and_problem_is_one_class():
    assert "ClaimbookError" in claimbook.__all__
    assert claimbook.ClaimbookError is ClaimbookError
    from claimbook import claims

    assert claims.Problem is Problem is claimbook.Problem


def test_the_errors_module_imports_nothing_from_claimbook():
    tree = ast.parse(Path(inspect.getfile(ClaimbookError)).read_text(encoding="utf-8"))
    imported = [
        n.module if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    ]
    assert not [m for m in imported if m and m.split(".")[0] == "claimbook"]


def test_errors_that_were_oserror_valueerror_lookuperror_still_are(tmp_path):
    from claimbook.edit.scaffold import CandidateError
    from claimbook.evidence.changes import ReviewJSONError
    from claimbook.evidence.grading import RulesError
    from claimbook.files import WriteError
    from claimbook.notebooks.build import NotebookConflictError
    from claimbook.pubmed.deadline import DeadlineExceeded
    from claimbook.pubmed.store import SnapshotError, SnapshotWriteError

    target = tmp_path / "records.jsonl"
    written = WriteError(target, OSError(errno.ENOSPC, "No space left on device"))
    assert isinstance(written, OSError)
    assert (written.errno, written.filename) == (errno.ENOSPC, str(target))
    assert str(written).startswith(f"cannot write {target}: ")
    assert written.problems == [str(written)]

    snap = SnapshotWriteError(written)
    assert isinstance(snap, SnapshotError) and isinstance(snap, OSError)
    assert str(snap) == str(written)
    assert snap.lines() == [f"error: {written}"]

    assert issubclass(RulesError, ValueError) and issubclass(ReviewJSONError, ValueError)
    assert issubclass(CandidateError, LookupError)
    assert issubclass(NotebookConflictError, FileExistsError)
    assert issubclass(DeadlineExceeded, requests.Timeout)
    conflict = NotebookConflictError(f"{tmp_path}/a.ipynb exists")
    assert conflict.problems == [f"{tmp_path}/a.ipynb exists"]


def test_one_message_is_one_problem_and_a_list_is_listed_with_its_count():
    single = ClaimbookError("claims/C01.yaml:3: title: too long")
    assert single.problems == ["claims/C01.yaml:3: title: too long"]
    assert single.lines() == ["error: claims/C01.yaml:3: title: too long"]

    first = Problem("claims/C01.yaml", 3, "title", "too long")
    second = Problem("claims/C02.yaml", 7, "evidence[0].stance", "'maybe' is not allowed")
    several = ClaimsError([first, second])
    assert several.problems == [first, second]
    lines = several.lines()
    assert lines[:2] == ["claims/C01.yaml:3: title: too long", str(second)]
    assert lines[2] == "2 problems found."
    assert ClaimsError([first]).lines()[-1] == "1 problem found."


# --------------------------------------------------------------------------- the handler


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    """A review whose claims/ holds C01 as shipped and two broken claim files, each with one
    problem: C02 is not YAML, C03 (a copy of C01) cites with a stance that does not exist."""
    claims = tmp_path / "claims"
    claims.mkdir()
    shutil.copy(ROOT / "claims" / "article.yaml", claims / "article.yaml")
    c01 = next((ROOT / "claims").glob("C01-*.yaml"))
    shutil.copy(c01, claims / c01.name)
    shutil.copy(ROOT / "claims" / "papers.yaml", claims / "papers.yaml")
    (claims / "C02-broken.yaml").write_text("id: C02\ntitle: [unclosed\n", encoding="utf-8")
    text = c01.read_text(encoding="utf-8").replace("id: C01", "id: C03", 1)
    (claims / "C03-stance.yaml").write_text(
        text.replace("stance: supports", "stance: maybe", 1), encoding="utf-8"
    )
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path


@pytest.mark.parametrize(
    "command",
    [["validate"], ["claims"], ["status", "--offline"], ["fetch", "--offline"],
     ["report", "--format", "md"]],
    ids=lambda c: c[0],
)  # fmt: skip
def test_two_broken_claim_files_are_two_lines_and_the_count_whichever_command(broken, command):
    before = tree_digest(broken)
    result = CliRunner().invoke(cli.main, [*command, "--project", str(broken)])
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    claims = (broken / "claims").as_posix()
    assert len(lines) == 3, lines
    assert lines[0].startswith(f"{claims}/C02-broken.yaml:")
    assert lines[1].startswith(f"{claims}/C03-stance.yaml:")
    assert "stance" in lines[1] and "maybe" in lines[1]
    assert lines[2] == "2 problems found."
    assert result.stdout == ""
    assert tree_digest(broken) == before


def test_a_one_message_error_is_one_error_line_naming_the_file(broken):
    """add-claim --candidate without candidates.yaml: once a LookupError caught in the command,
    now a CandidateError that reaches the handler."""
    (broken / "claims" / "C02-broken.yaml").unlink()
    (broken / "claims" / "C03-stance.yaml").unlink()
    before = tree_digest(broken)
    result = CliRunner().invoke(
        cli.main, ["add-claim", "--candidate", "1", "--title", "T", "--project", str(broken)]
    )
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: {broken / 'candidates.yaml'}: ")
    assert tree_digest(broken) == before


def _group_raising(error: BaseException) -> click.Group:
    """A claimbook command group (the CLI's own class) with one command that raises `error`."""
    group = cli._Claimbook()

    @group.command()
    def boom() -> None:
        raise error

    return group


def test_the_handler_prints_any_claimbook_error_one_line_per_problem_escaped():
    hostile = Problem("claims/C09.yaml", 4, "title", "a \x1b[31mred\x1b[0m\nsecond line")
    other = Problem("claims/C10.yaml", 2, "quotes", "not in the article")
    result = CliRunner().invoke(_group_raising(ClaimsError([hostile, other])), ["boom"])
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 3, lines
    assert lines[0].startswith("claims/C09.yaml:4: title: a ") and "\x1b" not in lines[0]
    assert "second line" in lines[0]  # the newline became a space: still one line
    assert lines[1] == str(other)
    assert lines[2] == "2 problems found."
    assert "Traceback" not in result.output


def test_the_handler_prints_a_single_error_and_keeps_the_oserror_fallback(tmp_path):
    from claimbook.pubmed import NetworkError

    result = CliRunner().invoke(_group_raising(NetworkError("PubMed did not answer")), ["boom"])
    assert (result.exit_code, result.stderr) == (1, "error: PubMed did not answer\n")

    gone = tmp_path / "ro" / "records.jsonl"
    result = CliRunner().invoke(
        _group_raising(OSError(errno.EROFS, "Read-only file system", str(gone))), ["boom"]
    )
    assert result.exit_code == 1
    assert result.stderr.startswith(f"error: {gone}: ") and "read-only" in result.stderr


# --------------------------------------------------------------------------- no except-lists

_PRINTS = {"_error", "_fail", "fail", "print", "echo", "secho", "exit"}
CLI_DIR = Path(inspect.getfile(cli)).parent  # claimbook/cli: app.py and the command modules


def _caught_claimbook_errors(handler: ast.ExceptHandler, errors: dict[str, type]) -> bool:
    """Whether an except clause catches a ClaimbookError: names one, or a base of one
    (OSError, ValueError, LookupError, Exception)."""
    if handler.type is None:
        return True
    nodes = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for node in nodes:
        name = node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "")
        cls = errors.get(name) or getattr(builtins, name, None)
        if inspect.isclass(cls) and any(issubclass(e, cls) for e in errors.values()):
            return True
    return False


def _printing_handlers(source: str, errors: dict[str, type]) -> list[str]:
    """`function:line` of every except clause outside `_Claimbook.invoke` that catches a
    ClaimbookError and prints or exits in its body."""
    tree = ast.parse(source)
    found = []
    for fn in ast.walk(tree):
        if not isinstance(fn, ast.FunctionDef):
            continue
        if fn.name == "invoke":  # the one handler (checked below that it is in _Claimbook)
            continue
        for node in ast.walk(fn):
            if not isinstance(node, ast.ExceptHandler):
                continue
            if not _caught_claimbook_errors(node, errors):
                continue
            calls = [c for stmt in node.body for c in ast.walk(stmt) if isinstance(c, ast.Call)]
            names = {
                c.func.attr if isinstance(c.func, ast.Attribute) else getattr(c.func, "id", "")
                for c in calls
            }
            if names & _PRINTS:
                found.append(f"{fn.name}:{node.lineno}")
    return found


def _claimbook_errors() -> dict[str, type]:
    return {c.__name__: c for c in _error_classes()} | {"ClaimbookError": ClaimbookError}


def test_no_command_catches_a_claimbook_error_to_print_it():
    """Every module of the CLI (app and the command modules) is read."""
    sources = {p.name: p.read_text(encoding="utf-8") for p in CLI_DIR.glob("*.py")}
    assert {"app.py", "pubmed_cmds.py"} <= set(sources)  # the commands are read too
    found = {n: _printing_handlers(s, _claimbook_errors()) for n, s in sources.items()}
    assert {n: f for n, f in found.items() if f} == {}
    invoke = [
        (name, f.name)
        for name, source in sources.items()
        for c in ast.walk(ast.parse(source))
        if isinstance(c, ast.ClassDef)
        for f in c.body
        if isinstance(f, ast.FunctionDef) and f.name == "invoke"
    ]
    assert invoke == [("app.py", "invoke")]  # one invoke, the _Claimbook group's: the only handler


def test_the_except_list_check_finds_one():
    """The check above is not vacuous: code like what it replaced is found, and an except that
    does real work (returns, or catches no claimbook error) is not."""
    old = textwrap.dedent(
        """
        def _editing(action):
            try:
                return action()
            except EditError as exc:
                _fail(exc.problems)

        def curate(folder):
            try:
                done = curate(folder)
            except (nbs.NotebookError, KeyError) as exc:
                click.echo(str(exc))

        def fine(folder):
            try:
                x = 1
            except ReviewJSONError:
                return
            try:
                x = 2
            except KeyError as exc:
                _error(str(exc))
        """
    )
    found = _printing_handlers(old, _claimbook_errors())
    assert [f.split(":")[0] for f in found] == ["_editing", "curate"]


def test_docs_contributing_names_every_public_error():
    doc = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    public = {c.__name__ for c in _error_classes() if not c.__name__.startswith("_")}
    assert sorted(n for n in public if not re.search(rf"\b{n}\b", doc)) == []


def test_the_error_tree_in_docs_contributing_names_where_each_error_lives():
    """Each line of the tree that names a module: that module defines the classes on it."""
    doc = (ROOT / "docs" / "contributing.md").read_text(encoding="utf-8")
    tree = doc.split("```\nClaimbookError", 1)[1].split("```", 1)[0]
    checked = 0
    for line in tree.splitlines():
        text = re.sub(r"\([^)]*\)", "", line.strip("│├└─ "))
        names = re.findall(r"\b[A-Z]\w+\b", text.split("  ")[0])
        module = re.search(r"\s{2,}([a-z_]+(?:\.[a-z_]+)*)\b", text)
        if not names or not module:
            continue
        mod = importlib.import_module(f"claimbook.{module.group(1)}")
        for name in names:
            assert isinstance(getattr(mod, name, None), type), f"{name} not in {mod.__name__}"
            checked += 1
    assert checked >= 20
