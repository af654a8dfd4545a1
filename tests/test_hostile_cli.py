"""Hostile and careless input to the CLI (issue 20): `diff` of /dev/zero or of a review.json of
the wrong shape, rules files with infinite weights or shares all 0, `report --out` at a device,
under a file or on a disk that fills, control characters on the terminal, `show 0`,
`notebooks --claim C99` and the folder named in `cite`'s errors.

Every refusal is one line naming the file (and field), a non-zero exit, and claims/ and data/
byte-identical afterwards."""

from __future__ import annotations

import json
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import unicodedata
from importlib import resources as importlib_resources
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st

import claimbook
from claimbook.claims import load_claims
from claimbook.cli.app import main
from claimbook.cli.terminal import plain
from claimbook.evidence.changes import MAX_BYTES, MAX_DEPTH, review_record
from claimbook.evidence.review import load_review
from claimbook.folder import ReviewFolder

from conftest import ROOT, claim_file, tree_digest

SRC = str(Path(claimbook.__file__).parents[1])  # the claimbook under test, for subprocesses


def frozen(review: Path) -> dict[str, dict[str, str]]:
    """The bytes (as hashes) of a review's claims/ and data/: a refusal must not change them."""
    return {part: tree_digest(review / part) for part in ("claims", "data")}


def run(*args: object, env: dict | None = None) -> Result:
    return CliRunner().invoke(main, [str(a) for a in args], env=env)


def build(review: Path, out: Path, formats: str = "html,md") -> Result:
    """`claimbook report` of `review` into `out`, quietly."""
    return run("report", "--project", review, "--out", out, "--format", formats, "-q")


def one_error(result: Result, code: int = 1) -> str:
    """The single error line of a refused command (no traceback, nothing else printed)."""
    assert result.exit_code == code, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: "), lines[0]
    return lines[0]


def controls(text: str) -> set[str]:
    """Control characters (Unicode category Cc) other than newline: what a terminal obeys."""
    return {c for c in text if unicodedata.category(c) == "Cc" and c != "\n"}


NASTY = "\x1b[31mred\x1b[0m \x07bell \x1b]0;owned\x07 \x9b2J \x7f\rback"


# --------------------------------------------------------------------------- diff: review.json


@pytest.fixture
def built(review: Path) -> dict:
    """The review as review.json holds it, plus a valid copy on disk."""
    return review_record(load_review(review / "claims", review / "data"))


def write_json(path: Path, data: object) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def capped_cli(*args: object) -> subprocess.CompletedProcess:
    """The CLI as a user runs it, in its own process, with 2 GB of address space: a read that
    is not bounded ends there in MemoryError instead of taking the machine's memory."""

    def cap_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (2 * 2**30, 2 * 2**30))

    env = {**os.environ, "PYTHONPATH": SRC, "OPENBLAS_NUM_THREADS": "1"}
    return subprocess.run(
        [sys.executable, "-m", "claimbook.cli", *map(str, args)],
        capture_output=True, text=True, env=env, preexec_fn=cap_memory, timeout=300,
    )  # fmt: skip


def test_diff_of_dev_zero_stops_at_the_size_limit(review):
    """Before the limit, `diff /dev/zero` grew to 10 GB (here: MemoryError at the cap)."""
    before = frozen(review)
    for args in (["/dev/zero"], ["/dev/zero", "/dev/zero"]):
        done = capped_cli("diff", *args, "--project", review)
        assert done.returncode == 1, done.stderr
        assert re.match(r"error: /dev/zero: is larger than \d+ MB", done.stderr), done.stderr
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert frozen(review) == before


def test_the_size_limit_is_exact(tmp_path):
    """A file of exactly MAX_BYTES is read (and is then not JSON); one byte more is refused for
    its size. Sparse files: no disk is used."""
    at, over = tmp_path / "at.json", tmp_path / "over.json"
    for path, size in ((at, MAX_BYTES), (over, MAX_BYTES + 1)):
        with path.open("wb") as fh:
            fh.truncate(size)
    assert "not valid JSON" in one_error(run("diff", at, at))
    assert re.match(rf"error: {re.escape(str(over))}: is larger than", one_error(run("diff", over)))


@pytest.mark.parametrize(
    ("where", "value", "field"),
    [
        (("claims", "C01", "citations", 0, "stance"), 5, r"claims\.C01\.citations\[0\]\.stance"),
        (("claims", "C01", "citations", 0, "year"), True, r"claims\.C01\.citations\[0\]\.year"),
        (("claims", "C01", "citations", 1, "key"), None, r"claims\.C01\.citations\[1\]\.key"),
        (("claims", "C01", "citations"), "none", r"claims\.C01\.citations"),
        (("claims", "C02"), [], r"claims\.C02"),
        (("claims", "C01", "signoff"), {"reviewer": 7}, r"claims\.C01\.signoff\.reviewer"),
        (("claims", "C01", "title"), {"text": "x"}, r"claims\.C01\.title"),
        (("snapshot",), None, r"snapshot"),
        (("claims",), [], r"claims"),
        (("claimbook_review",), True, r"not a claimbook review\.json"),
        (("claimbook_review",), 2, r"claimbook_review: format 2"),
    ],
)
def test_diff_of_a_review_json_of_the_wrong_shape_names_the_field(
    review, built, tmp_path, where, value, field
):
    data = json.loads(json.dumps(built))
    node = data
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    bad = write_json(tmp_path / "bad.json", data)
    before = frozen(review)
    for args in ([bad, "--project", review], [write_json(tmp_path / "ok.json", built), bad]):
        line = one_error(run("diff", *args))
        assert re.match(rf"error: {re.escape(str(bad))}: {field}", line), line
    assert frozen(review) == before


@pytest.mark.parametrize(
    "text",
    [
        '{"claimbook_review": 1, "claims": {"C01": ' + "[" * 100_000 + "]" * 100_000 + "}}",
        "[" * 1_000_000,
        # well within what json reads, but deeper than any review.json nests
        '{"claimbook_review": 1, "claims": {"C01": {"extra": ' + "[" * 40 + "]" * 40 + "}}}",
    ],
    ids=["deep", "unclosed", "moderate"],
)
def test_diff_of_a_review_json_nested_too_deep_says_so(review, tmp_path, text):
    bad = tmp_path / "deep.json"
    bad.write_text(text, encoding="utf-8")
    line = one_error(run("diff", bad, "--project", review))
    assert line.startswith(f"error: {bad}: nested more than {MAX_DEPTH} levels deep"), line


def test_diff_of_a_number_too_long_for_python_is_one_line(tmp_path):
    bad = tmp_path / "long.json"
    bad.write_text('{"claimbook_review": 1' + "0" * 5000 + ', "claims": {}}', encoding="utf-8")
    assert one_error(run("diff", bad, bad)).startswith(f"error: {bad}: not valid JSON")


def test_a_review_json_with_fields_added_later_is_still_read(review, built, tmp_path):
    """The shape check refuses wrong types, not new fields a later claimbook may write."""
    data = json.loads(json.dumps(built))
    data["claims"]["C01"]["new_field"] = {"anything": [1, 2]}
    data["claims"]["C01"]["citations"][0]["new_flag"] = True
    newer = write_json(tmp_path / "newer.json", data)
    result = run("diff", newer, write_json(tmp_path / "same.json", built))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("No changes")


def test_report_rebuilds_over_a_hostile_review_json(review, tmp_path):
    """The build compares with the review.json in --out: a huge or too deep one there counts as
    no earlier build (it is replaced), not as a crash."""
    out = tmp_path / "out"
    out.mkdir()
    with (out / "review.json").open("wb") as fh:
        fh.truncate(MAX_BYTES + 1)
    (out / "review.previous.json").write_text("[" * 100_000, encoding="utf-8")
    result = run("report", "--project", review, "--out", out, "--format", "md", "-q")
    assert result.exit_code == 0, result.output
    assert json.loads((out / "review.json").read_text(encoding="utf-8"))["claimbook_review"] == 1


# --------------------------------------------------------------------------- rules files


def builtin_rules() -> str:
    return (
        importlib_resources.files("claimbook.evidence")
        .joinpath("rules/grading.yaml")
        .read_text("utf-8")
    )


def changed(pattern: str, replacement: str, count: int | None = 1) -> str:
    """The built-in rules with `pattern` replaced `count` times (None: wherever it occurs)."""
    text, n = re.subn(pattern, replacement, builtin_rules(), flags=re.M)
    assert n == count if count is not None else n > 0, (pattern, n)
    return text


LOLS = ", ".join(['"lol"'] * 9)
BILLION_LAUGHS = "\n".join(
    [f"a: &a [{LOLS}]"]
    + [
        f"{b}: &{b} [{', '.join(['*' + a] * 9)}]"
        for a, b in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    + ["pooled: *i"]
)


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (changed(r"(rct: +\{rank: 5, weight: )4\.0", r"\g<1>.inf"), "designs.rct.weight"),
        (changed(r"(rct: +\{rank: 5, weight: )4\.0", r"\g<1>.nan"), "designs.rct.weight"),
        (changed(r"(rct: +\{rank: 5, weight: )4\.0", r"\g<1>-1.0"), "designs.rct.weight"),
        (changed(r"(rct: +\{rank: 5, weight: )4\.0", r"\g<1>true"), "designs.rct.weight"),
        (changed(r"(rct: +\{rank: 5, weight: )4\.0", r"\g<1>1.0e+300"), "designs.rct.weight"),
        (changed(r"(weight: )[0-9.]+", r"\g<1>0.0", count=None), "designs"),
        (changed(r"(support|contradict): [0-9.]+", r"\1: 0.0", count=None), "stances"),
        (changed(r"(support): [0-9.]+", r"\1: 0.0", count=None), "stances"),
        (changed(r"(min_total_weight: )3\.0", r"\g<1>0"), "verdict.min_total_weight"),
        (changed(r"(otherwise: )1\.0", r"\g<1>.inf"), "size.otherwise"),
        (changed(r"(large_ratio: )2\.0", r"\g<1>.inf"), "grade.upgrade.large_ratio"),
    ],
    ids=[
        "inf", "nan", "negative", "true", "huge", "weights-all-0", "shares-all-0",
        "no-support-share", "no-minimum", "inf-factor", "inf-ratio",
    ],
)  # fmt: skip
def test_report_refuses_rules_that_cannot_grade(review, tmp_path, text, field):
    rules = tmp_path / "my-rules.yaml"
    rules.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    before = frozen(review)
    line = one_error(run("report", "--project", review, "--rules", rules, "--out", out, "-q"))
    assert line.startswith(f"error: {rules}: {field}: "), line
    assert frozen(review) == before and not out.exists()


def test_report_refuses_aliases_and_huge_files_as_rules(review, tmp_path):
    out = tmp_path / "out"
    before = frozen(review)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BILLION_LAUGHS, encoding="utf-8")
    line = one_error(run("report", "--project", review, "--rules", bomb, "--out", out, "-q"))
    assert line.startswith(f"error: {bomb}:2: yaml: aliases"), line  # the first alias, line 2
    done = capped_cli("report", "--project", review, "--rules", "/dev/zero", "--out", out)
    assert done.returncode == 1 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert done.stderr.startswith("error: /dev/zero: file: is larger than"), done.stderr
    assert frozen(review) == before and not out.exists()


def test_the_built_in_rules_copied_to_a_file_still_grade(review, tmp_path):
    """The control for the refusals above: the same file, unchanged, is accepted."""
    rules = tmp_path / "my-rules.yaml"
    rules.write_text(builtin_rules(), encoding="utf-8")
    out = tmp_path / "out"
    result = run(
        "report", "--project", review, "--rules", rules, "--out", out, "--format", "md", "-q"
    )
    assert result.exit_code == 0, result.output
    assert (out / "claimbook-report.md").exists()


# --------------------------------------------------------------------------- report --out


def test_report_out_at_a_device_or_under_a_file_is_one_line(review, tmp_path):
    before = frozen(review)
    line = one_error(build(review, Path("/dev/full"), "md"))
    assert line.startswith("error: /dev/full: ") and "not a folder" in line, line
    blocker = tmp_path / "notes.txt"
    blocker.write_bytes(b"my notes\n")
    under = blocker / "report"
    line = one_error(build(review, under, "md"))
    assert line.startswith(f"error: {under}: ") and f"{blocker} is a file" in line, line
    assert blocker.read_bytes() == b"my notes\n"
    assert frozen(review) == before


def _excluded_one(review: Path) -> None:
    """An edit, so the next build differs from the last one."""
    c04 = next(c for c in load_claims(review / "claims") if c.id == "C04")
    pmid = next(e.pmid for e in c04.evidence if e.pmid)
    result = run("exclude", "C04", pmid, "--reason", "Screened out to change the report.",
                 "--project", review)  # fmt: skip
    assert result.exit_code == 0, result.output


def test_a_disk_that_fills_during_the_build_leaves_the_last_report(review, tmp_path):
    """The build runs as a user runs it, in its own process, with a real limit on file size
    (RLIMIT_FSIZE: a write past 20 KB fails with EFBIG, as one past a full disk fails with
    ENOSPC); the report from before is still there, byte for byte, with no stage left over."""
    out = tmp_path / "out"
    assert build(review, out).exit_code == 0
    last = tree_digest(out)
    _excluded_one(review)

    def small_files() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # the write fails instead of killing
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    env = {**os.environ, "PYTHONPATH": SRC}
    argv = [sys.executable, "-m", "claimbook.cli", "report", "--project", str(review),
            "--out", str(out), "--format", "html,md", "-q"]  # fmt: skip
    done = subprocess.run(
        argv, capture_output=True, text=True, env=env, preexec_fn=small_files, timeout=300
    )
    assert done.returncode == 1, done.stderr
    assert done.stderr.startswith(f"error: {out}: cannot write the report"), done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert tree_digest(out) == last
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []
    # Without the limit the same build goes through, and does change the report.
    assert build(review, out).exit_code == 0
    assert tree_digest(out) != last


def test_a_browser_that_fails_leaves_the_last_report(review, tmp_path):
    """All or nothing: the PDF is printed last, and when the browser fails the HTML and
    Markdown of the same build are not put in place either. The browser is a script standing
    in for a broken Chromium (a real one that fails on demand does not exist here)."""
    out = tmp_path / "out"
    assert build(review, out).exit_code == 0
    last = tree_digest(out)
    _excluded_one(review)
    broken = tmp_path / "broken-browser"
    broken.write_text('#!/bin/sh\necho "cannot print here" >&2\nexit 3\n')
    broken.chmod(0o755)
    result = run("report", "--project", review, "--out", out, "--format", "html,pdf,md", "-q",
                 env={"CLAIMBOOK_CHROMIUM": str(broken)})  # fmt: skip
    assert "cannot print here" in one_error(result)
    assert tree_digest(out) == last
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []


# --------------------------------------------------------------------------- terminal output


@given(st.text())
def test_plain_leaves_no_control_character_and_keeps_everything_else(text):
    kept = plain(text)
    assert controls(kept) <= {"\t"}
    assert [c for c in kept if c not in "\t\n"] == [
        c for c in text if unicodedata.category(c) != "Cc"
    ]
    line = plain(text, one_line=True)
    assert not controls(line) and "\n" not in line


def test_claims_and_diff_print_no_control_characters(review, built, tmp_path):
    path = claim_file(review, "C01")
    body = path.read_text(encoding="utf-8")
    title = re.search(r"^title: (.*)$", body, re.M)
    escaped = json.dumps(NASTY)  # a YAML double-quoted string takes JSON's escapes
    path.write_text(body.replace(title.group(0), f"title: {escaped}"), encoding="utf-8")
    result = run("claims", "--project", review)
    assert result.exit_code == 0, result.output
    assert not controls(result.output)
    assert "[31mred[0m bell ]0;owned 2J back" in result.output  # the words stay, inert
    earlier = json.loads(json.dumps(built))
    first = earlier["claims"]["C01"]["citations"][0]
    first["stance"] = "context" if first["stance"] != "context" else "supports"
    old = write_json(tmp_path / "old.json", earlier)
    result = run("diff", old, "--project", review)  # C01 changed: its (new) title is printed
    assert result.exit_code == 0, result.output
    assert "C01 · [31mred" in result.output and not controls(result.output)


def test_show_prints_a_pubmed_record_without_control_characters(review):
    records = review / "data" / "pubmed" / "records.jsonl"
    lines = records.read_text(encoding="utf-8").splitlines()
    rec = json.loads(lines[0])
    rec["title"] = "Cramps " + NASTY
    rec["authors"] = ["Evil \x1b[2JA", *rec.get("authors", [])]
    lines[0] = json.dumps(rec, ensure_ascii=False)
    records.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = run("show", rec["pmid"], "--data", review / "data", "--offline")
    assert result.exit_code == 0, result.output
    assert "Cramps [31mred" in result.output and "Evil [2JA" in result.output
    assert not controls(result.output)


def test_an_error_echoing_user_input_prints_no_control_characters(review):
    line = one_error(run("show", "12\x1b[2J\x07", "--data", review / "data"), code=2)
    assert not controls(line) and "12[2J" in line


# --------------------------------------------------------------------------- show: PMIDs


@pytest.mark.parametrize(
    ("pmid", "why"),
    [
        ("0", "positive"),
        ("-5", "positive"),
        ("000", "positive"),
        ("00012", "leading zero"),
        ("1" * 14, "at most 9 digits"),
        ("1" * 100_000, "at most 9 digits"),
        ("abc", "positive number, in digits"),
        ("1e5", "positive number, in digits"),
        ("\u0663\u0664", "positive number, in digits"),  # Arabic-Indic digits are not a PMID
        ("12\n", "positive number, in digits"),
        ("PMID123", "PMID prefix"),
    ],
)
def test_show_says_why_a_pmid_is_refused(review, pmid, why):
    before = frozen(review)
    line = one_error(run("show", "--offline", "--data", review / "data", "--", pmid), code=2)
    assert line.startswith("error: not a PMID: ") and why in line, line
    assert "digits only" not in line or why == "PMID prefix"
    assert len(line) < 200  # a huge argument is shortened, not echoed whole
    assert frozen(review) == before


def test_validate_says_a_pmid_of_0_is_not_positive(review):
    path = claim_file(review, "C01")
    body = path.read_text(encoding="utf-8")
    first = re.search(r'pmid: "(\d+)"', body)
    path.write_text(body.replace(first.group(0), 'pmid: "0"', 1), encoding="utf-8")
    before = frozen(review)
    result = run("validate", "--project", review)
    assert result.exit_code == 1
    assert re.search(rf"^{re.escape(str(path))}:\d+: .*pmid.*'0'.*positive", result.output, re.M)
    assert frozen(review) == before


# --------------------------------------------------------------------------- notebooks --claim


@pytest.fixture
def with_notebook(review: Path) -> Path:
    (review / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "claim.ipynb", review / "notebooks" / "claim.ipynb")
    return review


def test_notebooks_for_an_unknown_claim_is_one_line_and_writes_nothing(with_notebook):
    review = with_notebook
    before, notebooks = frozen(review), tree_digest(review / "notebooks")
    line = one_error(run("notebooks", "--project", review, "--claim", "c99", "-q"))
    assert line.startswith("error: no claim C99 in "), line
    known = [c.id for c in load_claims(review / "claims")]
    assert ", ".join(known[:10]) in line
    record = next(c.record_id for c in load_claims(review / "claims") if c.part)
    line = one_error(run("notebooks", "--project", review, "--claim", record, "-q"))
    assert f"{record} is graded in parts" in line, line
    assert not (review / "reports").exists()
    assert frozen(review) == before and tree_digest(review / "notebooks") == notebooks


def test_notebooks_without_the_claim_notebook_says_so(review):
    line = one_error(run("notebooks", "--project", review, "--claim", "C01", "-q"))
    assert "claim.ipynb" in line and "claimbook notebooks" in line, line
    assert not (review / "reports").exists()


# --------------------------------------------------------------------------- folder in messages


def test_a_review_folder_prints_as_its_path(tmp_path):
    assert str(ReviewFolder.at()) == "."
    assert str(ReviewFolder.at(tmp_path / "my review")) == str(tmp_path / "my review")
    assert f"{ReviewFolder.at('rel/dir', claims='elsewhere')}" == "rel/dir"


def test_cite_and_exclude_errors_name_the_folder_not_an_object(review, monkeypatch):
    before = frozen(review)
    exclude = run("exclude", "C01", "junk", "--reason", "Not a paper at all.", "--project", review)
    cite = run("cite", "C01", "junk", "--stance", "supports", "--design", "rct", "--finding",
               "A finding long enough to pass.", "--offline", "--project", review)  # fmt: skip
    for result in (exclude, cite):
        assert result.exit_code == 1, result.output
        assert "ReviewFolder(" not in result.output and "PosixPath(" not in result.output
        assert result.output.startswith(f"{review}:"), result.output
    monkeypatch.chdir(review)  # the default folder, as most users run it
    result = run("exclude", "C01", "junk", "--reason", "Not a paper at all.")
    assert result.output.startswith(".:"), result.output
    assert frozen(review) == before
