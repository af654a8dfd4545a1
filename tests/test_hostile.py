"""Hostile and careless input, as a user hits it (issue 20): every refusal is one line naming the
file (and line/field), exits non-zero, and leaves every byte of claims/ and data/ as it was.

Claim files, edits, `init` and the snapshot on a full or read-only disk. Disk full and
read-only are real: a small tmpfs mounted for the test (skipped where mounting is not allowed).
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_fetch_cli import Eutils, make_project

from claimbook import load_claims, validate_project
from claimbook.cli.app import main
from claimbook.edit import EditError, cite, update_citation
from claimbook.inputs import InputError

from conftest import REAL, claim_file
from conftest import tree_digest as _digest


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file's hash but the empty `.lock` files (locks, not the review's content)."""
    return {k: v for k, v in _digest(folder).items() if not k.endswith(".lock")}


BOMB = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def run(*args, env=None):
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def one_line_error(result, *words: str) -> str:
    """The command failed with exactly one `error:` line holding every one of `words`."""
    assert result.exit_code != 0, result.output
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    errors = [ln for ln in lines if ln.startswith("error:") or ":" in ln]
    assert "Traceback" not in result.output, result.output
    for word in words:
        assert word in result.output, result.output
    return errors[0] if errors else result.output


def validate_cli(folder: Path):
    """`claimbook validate` in a subprocess with a guard: a hang would fail, not stall the run
    (the 60 s is a guard against the hours an alias bomb took, not a timing)."""
    return subprocess.run(
        [sys.executable, "-m", "claimbook.cli", "validate", "--project", str(folder)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip


# --------------------------------------------------------------------------- claim files


def test_a_yaml_alias_bomb_is_refused_at_once_with_its_line(project):
    bomb = project / "claims" / "C99-bomb.yaml"
    bomb.write_text(BOMB, encoding="utf-8")
    before = tree_digest(project)
    done = validate_cli(project)
    assert done.returncode == 1
    assert f"{bomb.name}:1: yaml: anchors and aliases" in done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert tree_digest(project) == before


def test_an_alias_in_article_yaml_or_in_a_claim_being_edited_is_refused(project):
    article = project / "claims" / "article.yaml"
    article.write_text(article.read_text(encoding="utf-8") + "x: &x 1\ny: *x\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"article\.yaml:\d+: yaml: anchors and aliases"):
        validate_project(project / "claims", project / "data")
    path = claim_file(project, "C01")
    path.write_text(path.read_text(encoding="utf-8") + "\nz: &z 1\n", encoding="utf-8")
    before = tree_digest(project)
    pmid = load_claims_first_pmid(path)
    with pytest.raises(EditError, match=r"C01-[^:]+\.yaml:\d+: yaml: anchors and aliases"):
        update_citation(project, "C01", pmid, stance="mixed")
    assert tree_digest(project) == before


def load_claims_first_pmid(path: Path) -> str:
    import re

    return re.search(r'pmid: "?(\d+)', path.read_text(encoding="utf-8")).group(1)


@pytest.mark.parametrize(
    "insert, where, says",
    [
        ('note: "a\0b"\n', "file", "NUL byte"),
        ("extra: !!python/object/apply:os.system ['true']\n", "yaml", "!!python/object"),
        ("extra: !custom thing\n", "yaml", "the tag !custom is not allowed"),
    ],
)
def test_nul_bytes_and_tags_are_refused_on_their_line(project, insert, where, says):
    path = claim_file(project, "C01")
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines.insert(3, insert)
    path.write_text("".join(lines), encoding="utf-8")
    before = tree_digest(project)
    result = run("validate", "--project", project)
    one_line_error(result, f"{path.name}:4: {where}:", says)
    assert tree_digest(project) == before


def test_a_date_that_does_not_exist_in_article_yaml_is_a_located_problem(project):
    article = project / "claims" / "article.yaml"
    text = article.read_text(encoding="utf-8")
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if ln.startswith("reviewed:"))
    lines[at] = "reviewed: 2026-02-30"
    article.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "--project", project)
    one_line_error(result, f"article.yaml:{at + 1}: yaml: not a valid value", "day is out of range")


def test_a_claim_file_or_article_text_far_too_big_is_refused_without_reading_it_all(project):
    big = project / "claims" / "C98-big.yaml"
    with big.open("w") as fh:
        fh.write("id: C98\nnote: '")
        fh.write("x" * (3 * 1024 * 1024))
        fh.write("'\n")
    result = run("validate", "--project", project)
    one_line_error(result, f"{big.name}:1: file: is larger than 2 MB")
    big.unlink()
    result = run("validate", "--project", project, "--article", "/dev/zero")
    one_line_error(result, "/dev/zero:1: article: is larger than 10 MB")


def test_a_binary_file_named_as_the_article_is_refused_with_its_line(project):
    binary = project / "article.bin"
    binary.write_bytes(b"Line one\nline two \xff\xfe\n")
    result = run("validate", "--project", project, "--article", binary)
    one_line_error(result, "article.bin:2: article: byte 0xff is not UTF-8 text")


def test_a_quote_off_by_an_invisible_character_or_normalisation_says_so(project):
    path = claim_file(project, "C01")
    text = path.read_text(encoding="utf-8")
    article = (project / "article.txt").read_text(encoding="utf-8")
    quote = next(q for q in _quotes(path) if " " in q and q in article)
    zwsp = quote.replace(" ", " \u200b", 1)
    path.write_text(text.replace(quote, zwsp, 1), encoding="utf-8")
    result = run("validate", "--project", project, "--article", project / "article.txt")
    one_line_error(result, "contains the invisible U+200B (ZERO WIDTH SPACE)")

    path.write_text(text, encoding="utf-8")
    accented = article.replace(quote, quote + " café")
    (project / "article.txt").write_text(unicodedata.normalize("NFC", accented), "utf-8")
    nfd = text.replace(quote, unicodedata.normalize("NFD", quote + " café"), 1)
    path.write_text(nfd, encoding="utf-8")
    result = run("validate", "--project", project, "--article", project / "article.txt")
    one_line_error(result, "the quote is NFD, the article NFC")


def _quotes(path: Path) -> list[str]:
    import yaml

    return [q["text"] for q in yaml.safe_load(path.read_text(encoding="utf-8"))["quotes"]]


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("value", ["100000000000000000000000000000000000000", "true", "12.5"])
def test_validate_refuses_a_number_of_participants_that_is_no_number(project, value):
    path = project / "claims" / "papers.yaml"  # n is the paper's appraisal
    text = path.read_text(encoding="utf-8")
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if ln.strip().startswith("n: "))
    lines = text.splitlines()
    lines[line - 1] = lines[line - 1].split("n:")[0] + f"n: {value}"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("validate", "--project", project)
    one_line_error(result, f"{path.name}:{line}: papers[", "].n: the number of participants")


def test_cite_with_a_huge_n_is_refused_and_the_review_still_builds(project, tmp_path):
    before = tree_digest(project)
    uncited = _uncited_pmid(project)
    with pytest.raises(EditError, match=r"n: the number of participants must be from 1 to"):
        cite(project, "C01", uncited, stance="supports", design="rct",
             finding="A finding long enough to be accepted.", n=10**30, offline=True,
             check_related=False)  # fmt: skip
    result = run(
        "cite", "C01", uncited, "--stance", "supports", "--design", "rct", "--n", str(10**30),
        "--finding", "A finding long enough to be accepted.", "--offline", "--anyway",
        "--project", project,
    )  # fmt: skip
    assert result.exit_code == 2 and "--n" in result.output and "Traceback" not in result.output
    assert tree_digest(project) == before
    built = run("report", "--project", project, "--format", "md", "--out", tmp_path / "out", "-q")
    assert built.exit_code == 0, built.output


def _uncited_pmid(project: Path) -> str:
    from claimbook.pubmed import load_snapshot

    cited = {c.pmid for c in load_claims(project / "claims")[0].evidence}
    return next(r.pmid for r in load_snapshot(project / "data" / "pubmed") if r.pmid not in cited)


# --------------------------------------------------------------------------- cite + snapshot


def _cite_args(project: Path, finding: str) -> list[str]:
    return ["cite", "C01", REAL[1], "--stance", "context", "--design", "other", "--anyway",
            "--finding", finding, "--project", str(project)]  # fmt: skip


def test_a_refused_cite_does_not_store_the_paper_it_fetched(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    served = Eutils(httpserver, records)
    assert run("fetch", "--project", project, "-q", env=env).exit_code == 0
    before = tree_digest(project)
    result = CliRunner().invoke(main, _cite_args(project, "Too short."), env=env)
    one_line_error(result, "finding", "at least 20 characters")
    assert served.calls, "the paper was fetched from the loopback server"
    assert tree_digest(project) == before  # records.jsonl, manifest.json and raw/ included
    ok = CliRunner().invoke(main, _cite_args(project, "Now a finding long enough."), env=env)
    assert ok.exit_code == 0, ok.output
    after = tree_digest(project)
    assert after["data/pubmed/records.jsonl"] != before["data/pubmed/records.jsonl"]
    assert (
        len([k for k in after if k.startswith("data/pubmed/raw/")])
        == len([k for k in before if k.startswith("data/pubmed/raw/")]) + 1
    )


@contextlib.contextmanager
def tmpfs(at: Path, size: str = "1m"):
    """A real small filesystem at `at` (so disk full and read-only are the kernel's own)."""
    at.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(at)],
                          capture_output=True, text=True)  # fmt: skip
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()}); needs root")
    try:
        yield at
    finally:
        subprocess.run(["umount", "-l", str(at)], capture_output=True)


@contextlib.contextmanager
def claims_on_tmpfs(project: Path, size: str = "1m", read_only: bool = False):
    """The project's claims/ moved onto its own small filesystem (data/ stays where it is)."""
    saved = Path(tempfile.mkdtemp()) / "claims"
    shutil.copytree(project / "claims", saved)
    with tmpfs(project / "claims", size) as claims:
        for f in saved.iterdir():
            shutil.copy2(f, claims / f.name)
        (claims / ".lock").touch()
        if read_only:
            subprocess.run(["mount", "-o", "remount,ro", str(claims)], check=True)
        yield claims


def test_cite_into_a_read_only_claims_folder_stores_nothing(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    assert run("fetch", "--project", project, "-q", env=env).exit_code == 0
    with claims_on_tmpfs(project, read_only=True):
        before = tree_digest(project)
        result = CliRunner().invoke(main, _cite_args(project, "A long enough finding."), env=env)
        one_line_error(result, "claims", "read-only", "nothing was changed")
        assert tree_digest(project) == before


def test_cite_on_a_full_claims_disk_puts_the_snapshot_back(tmp_path, httpserver, records, env):
    project = make_project(tmp_path, REAL[:1])
    Eutils(httpserver, records)
    assert run("fetch", "--project", project, "-q", env=env).exit_code == 0
    with claims_on_tmpfs(project, "64k") as claims:
        with contextlib.suppress(OSError), (claims / "filler").open("wb") as fh:
            while True:
                fh.write(b"\0" * 4096)
                fh.flush()
        before = tree_digest(project)
        result = CliRunner().invoke(main, _cite_args(project, "A long enough finding."), env=env)
        one_line_error(result, "the disk is full", "nothing was changed")
        assert tree_digest(project) == before  # the paper was stored, then taken out again


# --------------------------------------------------------------------------- init


@pytest.fixture
def article(tmp_path) -> Path:
    path = tmp_path / "article.txt"
    path.write_text(
        "A Title\n\nCramps\n\nStretching always stops a cramp within seconds.\n", "utf-8"
    )
    return path


@pytest.mark.parametrize("name", ["README.md", "candidates.yaml", "notes.txt"])
def test_init_refuses_a_folder_that_holds_a_users_file(tmp_path, article, name):
    folder = tmp_path / "review"
    folder.mkdir()
    (folder / name).write_text("my own notes\n", encoding="utf-8")
    before = tree_digest(folder)
    result = run("init", folder, "--article", article)
    one_line_error(result, "is not empty", name, "--force")
    assert tree_digest(folder) == before


def test_init_force_adds_beside_a_users_files_but_never_replaces_one(tmp_path, article):
    folder = tmp_path / "review"
    (folder / "notebooks").mkdir(parents=True)
    (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
    (folder / "notebooks" / "00-overview.ipynb").write_text('{"cells": []}', encoding="utf-8")
    before = tree_digest(folder)
    result = run("init", folder, "--article", article, "--force")
    one_line_error(result, "00-overview.ipynb", "not written by claimbook")
    assert tree_digest(folder) == before  # all or nothing: no half-written review
    (folder / "notebooks" / "00-overview.ipynb").unlink()
    result = run("init", folder, "--article", article, "--force")
    assert result.exit_code == 0, result.output
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine\n"
    assert validate_project(folder / "claims", folder / "data").claims == []
    assert not list(folder.glob(".claimbook-init-*")), "the staging folder is gone"


def test_init_into_a_folder_holding_only_the_article_needs_no_force(tmp_path):
    folder = tmp_path / "review"
    folder.mkdir()
    text = folder / "article.txt"
    text.write_text("Title\n\nStretching always stops a cramp within seconds.\n", "utf-8")
    result = run("init", folder, "--article", text)
    assert result.exit_code == 0, result.output


def test_init_refuses_a_url_that_is_not_a_web_address(tmp_path, article):
    result = run("init", tmp_path / "r", "--article", article, "--url", "javascript:alert(1)")
    one_line_error(result, "--url", "not a web address")
    assert not (tmp_path / "r").exists()


def test_article_yaml_with_a_javascript_url_does_not_validate(project):
    article = project / "claims" / "article.yaml"
    article.write_text(
        article.read_text(encoding="utf-8") + "url: javascript:alert(1)\n", encoding="utf-8"
    )
    text = article.read_text(encoding="utf-8")
    if text.count("\nurl:") > 1:  # the shipped article.yaml has a url already: replace it
        first = text.index("\nurl:")
        text = text[:first] + text[text.index("\n", first + 1) :]
        article.write_text(text, encoding="utf-8")
    result = run("validate", "--project", project)
    one_line_error(result, "article.yaml", "url: malformed URL 'javascript:alert(1)'")


def test_init_on_a_read_only_disk_writes_nothing(tmp_path, article):
    with tmpfs(tmp_path / "ro"):
        subprocess.run(["mount", "-o", "remount,ro", str(tmp_path / "ro")], check=True)
        result = run("init", tmp_path / "ro" / "review", "--article", article)
        one_line_error(result, "cannot write the review", "nothing changed")
        assert not (tmp_path / "ro" / "review").exists()


def test_init_on_a_full_disk_leaves_no_half_review(tmp_path, article):
    with tmpfs(tmp_path / "small", "16k"):
        folder = tmp_path / "small" / "review"
        result = run("init", folder, "--article", article)
        one_line_error(result, "cannot write the review", "nothing changed")
        assert not folder.exists()


def test_a_broken_saved_search_is_one_line_and_changes_nothing(project):
    from claimbook.edit.screening import hits_path

    path = hits_path(project, "C01")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"claim": "C01", "records": [', encoding="utf-8")
    before = tree_digest(project)
    from claimbook.edit.screening import screening_queue

    with pytest.raises(InputError, match=r"\.json:1: json: invalid JSON .* search C01 --save"):
        screening_queue(project, "C01")
    assert tree_digest(project) == before


@pytest.mark.parametrize("command", ["uncite", "exclude"])
def test_naming_a_paper_with_junk_is_one_line(project, command):
    extra = ["--reason", "A reason long enough."] if command == "exclude" else []
    before = tree_digest(project)
    result = run(command, "C01", "junk", *extra, "--project", project)
    one_line_error(result, "'junk' is neither a PMID")
    assert tree_digest(project) == before
    with pytest.raises(EditError, match="'junk' is neither a PMID"):
        update_citation(project, "C01", "junk", stance="mixed")
