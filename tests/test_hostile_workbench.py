"""The workbench as a careless or hostile user meets it, driven from Python (no browser): a
widget left over from a view that is no longer shown (another claim picked, the folder
reloaded; a row after the rows were redrawn by an exclude) never writes, whatever it is, while
the claim's own widgets (words, advice, cite form, sign-off) stay through a redrawing of its
rows; a refused change
puts the widget back to what the file holds and says why in one line; a refused cite stores
nothing in the snapshot; a read-only or full claims folder and a broken claim file are one line,
not a traceback. Every refusal leaves the bytes of claims/ and data/ unchanged.

The browser half (changes racing a claim switch in JupyterLab) is
`test_workbench_browser.py::test_stale_view_never_writes`.
"""

from __future__ import annotations

import contextlib
import html
import os
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from test_fetch_cli import Eutils

from claimbook.claims import load_claims
from claimbook.edit.screening import store_hits
from claimbook.jupyter.workbench import Workbench

from conftest import REAL, claim_file, tree_digest

SHOWN_FIRST, PICKED_NEXT = "C01", "C07"  # both cite PMID 3735481 in their first row
SHARED = "3735481"


def _said(bench: Workbench) -> str:
    """The message line as the reviewer reads it."""
    return html.unescape(re.sub(r"<[^>]+>", "", bench.message.value))


def _is_error(bench: Workbench) -> bool:
    return 'class="cb-error"' in bench.message.value


def _files(review: Path) -> dict[str, str]:
    """sha256 of every file under claims/ and data/: to prove nothing was written. Leaves out
    claims/.lock, the claims folder's (empty) lock file: the editing API takes the lock before
    it reads a claim, so the first edit of a session leaves it behind, saved or refused."""
    return {
        f"{d}/{k}": v
        for d in ("claims", "data")
        for k, v in tree_digest(review / d).items()
        if k != ".lock"
    }


def _other(value: str, choices) -> str:
    return next(c for c in choices if c != value)


def _saved_citation(review: Path, claim_id: str, key: str):
    """The citation as the claim file on disk holds it (read afresh)."""
    claim = next(c for c in load_claims(review / "claims") if c.id == claim_id)
    return next(c for c in claim.evidence if c.key == key)


# --------------------------------------------------------------------------- stale views


def _uncited(bench: Workbench, claim_id: str):
    claim = bench.review.claim(claim_id)
    known = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
    return next(r for r in bench.review.snapshot if r.pmid and r.key not in known)


def _stale_bench(review: Path) -> tuple[Workbench, dict]:
    """A workbench showing C01 with its cite form filled and a hit in its screening queue,
    and C01's widgets, kept before the view ends."""
    bench = Workbench(project=review, offline=True)
    hit = _uncited(bench, SHOWN_FIRST)
    store_hits(review, SHOWN_FIRST, "cramp[tiab]", 1, [hit])  # a saved search with one hit
    bench.show_claim(SHOWN_FIRST)
    assert bench.rows[0].ident == SHARED and bench.queue_rows
    paper = _uncited(bench, SHOWN_FIRST)
    bench.cite_ident.value = paper.pmid
    bench.lookup_button.click()
    bench.cite_finding.value = "A finding typed on C01's form, long enough to be saved."
    assert not bench.cite_button.disabled, _said(bench)
    bench.reviewer.value = "A. Reviewer"
    old = {
        "row": bench.rows[0],
        "advice": bench.advice,
        "signoff": bench.signoff_button,
        "cite": bench.cite_button,
        "lookup": bench.lookup_button,
        "queue": bench.queue_rows[0],
    }
    return bench, old


def _change_stance(old: dict) -> None:
    row = old["row"]
    row.stance.value = _other(row.stance.value, ("supports", "contradicts", "mixed"))


STALE_CHANGES: dict[str, Callable[[dict], None]] = {
    "stance": _change_stance,
    "design": lambda old: setattr(old["row"].design, "value", "rct"),
    "n": lambda old: setattr(old["row"].n, "value", "4242"),
    "finding": lambda old: setattr(
        old["row"].finding, "value", "A finding typed on C01's row after C07 was picked."
    ),
    "note": lambda old: setattr(old["row"].note, "value", "A note typed on C01's row."),
    "exclude": lambda old: (
        old["row"].exclude_button.click(),
        setattr(old["row"].reason, "value", "Typed on C01's row: not the right population."),
        old["row"].confirm_exclude.click(),
    ),
    "remove": lambda old: (old["row"].remove_button.click(), old["row"].confirm_remove.click()),
    "advice": lambda old: setattr(
        old["advice"], "value", "Advice typed for C01, arriving after another claim was shown."
    ),
    "sign-off": lambda old: old["signoff"].click(),
    "cite": lambda old: old["cite"].click(),
    "queue exclude": lambda old: (
        setattr(old["queue"].reason, "value", "Typed on C01's queue: off topic."),
        old["queue"].exclude_button.click(),
    ),
}

ENDS: dict[str, Callable[[Workbench], None]] = {
    "another claim picked": lambda bench: setattr(bench.picker, "value", PICKED_NEXT),
    "the folder reloaded": lambda bench: bench.reload_button.click(),
    "the rows redrawn after an exclude": lambda bench: bench.exclude(
        bench.rows[1].ident, "Excluded by the test: the rows are drawn again."
    ),
}


@pytest.mark.parametrize(
    "end, what",
    [("another claim picked", what) for what in STALE_CHANGES]
    + [("the folder reloaded", what) for what in ("stance", "advice", "cite")]
    + [("the rows redrawn after an exclude", what) for what in ("stance", "n", "remove")],
)
def test_a_widget_of_a_view_no_longer_shown_never_writes(review, end, what):
    bench, old = _stale_bench(review)
    ENDS[end](bench)
    assert not _is_error(bench), _said(bench)
    shown = bench.claim_id
    row = old["row"]
    assert row.stance.disabled
    if end != "the rows redrawn after an exclude":  # see the test below
        assert old["advice"].disabled and old["cite"].disabled
    assert row not in bench.rows  # not in the table shown
    before = _files(review)
    shown_rows = [(r.ident, r.stance.value, r.n.value) for r in bench.rows]

    STALE_CHANGES[what](old)  # a change the browser sent before it heard the view had ended

    assert _files(review) == before, f"a change on an ended view ({end}) wrote a file"
    assert _is_error(bench) and _said(bench).startswith("Not saved:"), _said(bench)
    assert SHOWN_FIRST in _said(bench) and "\n" not in _said(bench)
    # the view shown now is untouched and still works
    assert bench.claim_id == shown
    assert [(r.ident, r.stance.value, r.n.value) for r in bench.rows] == shown_rows
    fresh = bench.rows[0]
    new = _other(fresh.stance.value, ("supports", "contradicts", "mixed"))
    path = claim_file(review, shown)
    fresh.stance.value = new
    assert not _is_error(bench), _said(bench)
    assert _saved_citation(review, shown, fresh.cit.key).stance == new
    assert f"Saved {shown}:" in _said(bench) and path.name in _said(bench)


def test_the_claims_own_widgets_stay_through_a_redrawing_of_its_rows(review):
    """An exclude renumbers the rows, so they are drawn again (a stale row is refused, above);
    the claim's words, advice, cite form and sign-off do not depend on the rows: they stay on
    screen as they were, what was typed in them kept, and they still save to that claim."""
    bench, old = _stale_bench(review)
    typed = bench.cite_ident.value
    ENDS["the rows redrawn after an exclude"](bench)
    assert not _is_error(bench), _said(bench)
    assert old["row"] not in bench.rows and old["row"].stance.disabled
    assert bench.advice is old["advice"] and not bench.advice.disabled
    assert bench.cite_button is old["cite"] and not bench.cite_button.disabled
    assert bench.signoff_button is old["signoff"] and not bench.signoff_button.disabled
    assert bench.cite_ident.value == typed and bench.cite_finding.value.startswith("A finding")

    advice = "Tell a client the evidence here is mixed; typed before the rows were redrawn."
    old["advice"].value = advice
    assert not _is_error(bench), _said(bench)
    assert next(c for c in load_claims(review / "claims") if c.id == SHOWN_FIRST).advice == advice

    old["cite"].click()  # the paper looked up before the exclude: cited to the same claim
    if "looks unrelated" in _said(bench):  # its title shares no word with C01: confirmed
        bench.cite_panel.anyway_button.click()
    assert not _is_error(bench), _said(bench)
    assert _saved_citation(review, SHOWN_FIRST, typed).finding.startswith("A finding typed")
    assert bench.cite_ident.value == "" and bench.cite_button.disabled  # emptied for the next

    bench.picker.value = PICKED_NEXT  # another claim picked: now they are stale
    before = _files(review)
    assert old["advice"].disabled and old["cite"].disabled
    old["advice"].value = "Advice typed for C01, arriving after C07 was picked."
    assert _is_error(bench) and _said(bench).startswith("Not saved:")
    assert _files(review) == before


def test_an_edit_names_the_claim_its_row_was_drawn_for(review, monkeypatch):
    """Even called from a script with the wrong claim on screen, a row's edit goes to its own
    claim or nowhere: the row passes its view, and the view is checked, not `claim_id`."""
    from claimbook import edit

    calls = []
    real = edit.update_citation

    def spy(folder, claim_id, ident, **changes):
        calls.append((claim_id, ident))
        return real(folder, claim_id, ident, **changes)

    monkeypatch.setattr(edit, "update_citation", spy)
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    row = bench.rows[0]
    row.n.value = "83"
    assert calls == [(SHOWN_FIRST, SHARED)]
    bench.picker.value = PICKED_NEXT
    before = _files(review)
    row.n.value = "84"
    assert calls == [(SHOWN_FIRST, SHARED)] and _files(review) == before
    bench.rows[0].n.value = "85"
    assert calls[-1] == (PICKED_NEXT, SHARED)
    # n is the paper's appraisal (papers.yaml): the last edit holds for both claims citing it
    assert _saved_citation(review, PICKED_NEXT, SHARED).n == 85
    assert _saved_citation(review, SHOWN_FIRST, SHARED).n == 85


# --------------------------------------------------------------------------- refused values


@pytest.mark.parametrize(
    "field, typed, said",
    [
        ("finding", "Too short.", "at least 20 characters"),
        ("n", "a lot", "whole number"),
        ("n", str(10**30), "from 1 to"),
        ("n", "0", "from 1 to"),
    ],
)
def test_a_refused_value_is_put_back_to_what_the_file_holds(review, field, typed, said):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    row = bench.rows[0]
    before = _files(review)

    getattr(row, field).value = typed

    assert _files(review) == before
    assert _is_error(bench) and said in _said(bench) and "\n" not in _said(bench)
    assert _said(bench).startswith("Not saved:")
    on_disk = getattr(_saved_citation(review, SHOWN_FIRST, row.cit.key), field)
    assert getattr(row, field).value == ("" if on_disk is None else str(on_disk))
    assert getattr(row, field).value != typed


def test_refused_advice_is_put_back(review):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    saved = bench.claim.advice
    assert saved  # C01 has advice in its file
    before = _files(review)
    bench.advice.value = "Too short"
    assert _files(review) == before
    assert _is_error(bench) and "advice" in _said(bench)
    assert bench.advice.value == saved


# --------------------------------------------------------------------------- citing


@pytest.fixture
def pubmed(httpserver, records, monkeypatch):
    """The workbench's PubMed is a loopback server replaying real records (NCBI is not
    reachable here)."""
    from claimbook.pubmed.client import LIMITER

    LIMITER.reset()
    monkeypatch.setenv("CLAIMBOOK_EUTILS_URL", httpserver.url_for("/"))
    monkeypatch.delenv("NCBI_API_KEY", raising=False)
    return Eutils(httpserver, records)


def test_a_refused_cite_stores_nothing_in_the_snapshot(review, pubmed):
    pmid = REAL[0]  # not in the shipped snapshot: it must be fetched
    bench = Workbench(project=review, claim_id=SHOWN_FIRST)
    before = _files(review)
    bench.cite_ident.value = pmid
    bench.lookup_button.click()
    assert not _is_error(bench), _said(bench)
    assert "stored in the snapshot when you cite it" in bench.record_html.value
    assert pubmed.calls and _files(review) == before  # looked up, not stored

    bench.cite_finding.value = "short"
    bench.cite_button.click()  # a paper on lung imaging, for C01: "cite anyway?" first
    assert "looks unrelated" in _said(bench) and _files(review) == before
    bench.cite_panel.anyway_button.click()
    assert _is_error(bench) and "finding" in _said(bench)
    assert _files(review) == before, "a refused cite changed claims/ or data/"
    assert bench.cite_ident.value == pmid and not bench.cite_button.disabled  # form kept

    bench.cite_finding.value = "A paper fetched from the loopback PubMed and cited for real."
    bench.cite_panel.anyway_button.click()
    assert not _is_error(bench), _said(bench)
    assert bench.rows[-1].ident == pmid
    records = (review / "data" / "pubmed" / "records.jsonl").read_text(encoding="utf-8")
    assert f'"pmid": "{pmid}"' in records


# --------------------------------------------------------------------------- folders and files


@contextlib.contextmanager
def _mounted(where: Path, options: str) -> Iterator[None]:
    """A tmpfs mounted at `where` (root only): a real full or read-only file system."""
    where.mkdir(parents=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(where)],
                          capture_output=True, check=False)  # fmt: skip
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def _copy_review(review: Path, dest: Path) -> Path:
    for name in ("claims", "data"):
        shutil.copytree(review / name, dest / name)
    return dest


def _fill(directory: Path) -> None:
    """Write until the file system is full."""
    with contextlib.suppress(OSError), (directory / "filler").open("wb", buffering=0) as fh:
        while True:
            fh.write(b"\0" * 4096)


def _refused_on(bench: Workbench, root: Path, said: str) -> None:
    row = bench.rows[0]
    old = row.stance.value
    before = _files(root)
    row.stance.value = _other(old, ("supports", "contradicts", "mixed"))
    assert _files(root) == before
    assert _is_error(bench) and said in _said(bench), _said(bench)
    assert "Traceback" not in _said(bench) and "\n" not in _said(bench)
    assert _said(bench).startswith("Not saved: ")
    assert re.search(r"Where\s*claims/\S+:\d+: ", _said(bench))  # file:line, relative, on click
    assert row.stance.value == old  # what the file still holds


def test_a_read_only_claims_folder_is_one_line(review, tmp_path):
    if os.geteuid() != 0:  # a real read-only folder for a user...
        root = _copy_review(review, tmp_path / "ro")
        bench = Workbench(project=root, claim_id=SHOWN_FIRST, offline=True)
        (root / "claims").chmod(0o555)
        try:
            _refused_on(bench, root, "cannot save the change")
        finally:
            (root / "claims").chmod(0o755)
        return
    with _mounted(tmp_path / "ro", "size=4m"):  # ...and for root, who may write anywhere else
        root = _copy_review(review, tmp_path / "ro")
        bench = Workbench(project=root, claim_id=SHOWN_FIRST, offline=True)
        subprocess.run(["mount", "-o", "remount,ro", str(root)], check=True)
        _refused_on(bench, root, "read-only")


def test_a_full_disk_is_one_line(review, tmp_path):
    with _mounted(tmp_path / "full", "size=2m"):
        root = _copy_review(review, tmp_path / "full")
        bench = Workbench(project=root, claim_id=SHOWN_FIRST, offline=True)
        _fill(root)
        _refused_on(bench, root, "full")


BROKEN = {
    "a NUL byte": lambda text: text.replace("stance:", "stance:\0", 1),
    "a python tag": lambda text: text.replace("stance: ", "stance: !!python/name:os.system ", 1),
    "an alias bomb": lambda text: (
        "a: &a [x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
        + text
    ),
}


@pytest.mark.parametrize("broken", list(BROKEN))
def test_a_claim_file_broken_elsewhere_is_one_line_and_never_overwritten(review, broken):
    bench = Workbench(project=review, claim_id=SHOWN_FIRST, offline=True)
    path = claim_file(review, PICKED_NEXT)
    path.write_bytes(BROKEN[broken](path.read_text(encoding="utf-8")).encode("utf-8"))
    before = _files(review)

    bench.picker.value = PICKED_NEXT  # re-read on picking: the file is broken now
    assert _is_error(bench) and f"claims/{path.name}:" in _said(bench), _said(bench)
    assert "\n" not in _said(bench) and "Traceback" not in _said(bench)
    bench.rows[0].stance.value = _other(bench.rows[0].stance.value, ("supports", "mixed"))
    assert _is_error(bench) and _said(bench).startswith("Not saved:")
    bench.reload_button.click()
    assert _is_error(bench) and f"claims/{path.name}:" in _said(bench)
    assert bench.review is None and bench.rows == []
    assert _files(review) == before
