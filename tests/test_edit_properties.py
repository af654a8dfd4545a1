"""The editing API under any sequence of valid and invalid edits (hypothesis): every claim file
stays loadable, and each refused edit leaves every file byte-identical (issue 20)."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from claimbook import load_claims, validate_project
from claimbook.edit import EditError, cite, exclude, set_advice, signoff, uncite, update_citation
from claimbook.pubmed import load_snapshot
from claimbook.vocab import DESIGNS, STANCES

from conftest import tree_digest

text = st.text(max_size=120) | st.text(min_size=20, max_size=800)
numbers = st.none() | st.booleans() | st.integers(-3, 10**12) | st.just(10**30) | st.floats()
stances = st.sampled_from([*STANCES, "maybe"])
designs = st.sampled_from([*DESIGNS, "anecdote"])
papers = st.integers(0, 200)  # an index into the snapshot's PMIDs (wrapped)

edits = st.one_of(
    st.tuples(
        st.just("update"),
        papers,
        st.fixed_dictionaries(
            {},
            optional={
                "stance": stances,
                "design": designs,
                "n": numbers,
                "finding": text,
                "note": st.none() | text,
            },
        ),
    ),
    st.tuples(st.just("cite"), papers, st.tuples(stances, designs, text, numbers)),
    st.tuples(st.just("uncite"), papers, st.none()),
    st.tuples(st.just("exclude"), papers, text),
    st.tuples(st.just("advice"), st.none(), st.none() | text),
    st.tuples(st.just("signoff"), st.none(), text),
)


def _apply(folder: Path, pmids: list[str], edit: tuple) -> None:
    kind, paper, args = edit
    pmid = pmids[paper % len(pmids)] if paper is not None else None
    if kind == "update":
        update_citation(folder, "C01", pmid, **args)
    elif kind == "cite":
        stance, design, finding, n = args
        cite(folder, "C01", pmid, stance=stance, design=design, finding=finding, n=n,
             offline=True)  # fmt: skip
    elif kind == "uncite":
        uncite(folder, "C01", pmid)
    elif kind == "exclude":
        exclude(folder, "C01", pmid, args)
    elif kind == "advice":
        set_advice(folder, "C01", args)
    else:
        signoff(folder, "C01", args)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(edits, min_size=1, max_size=6))
def test_any_edits_leave_the_review_loadable_and_refusals_change_nothing(project, sequence):
    folder = Path(tempfile.mkdtemp(prefix="edits-"))
    try:
        shutil.copytree(project, folder, dirs_exist_ok=True)
        pmids = [r.pmid for r in load_snapshot(folder / "data" / "pubmed") if r.pmid]
        for edit in sequence:
            before = tree_digest(folder)
            try:
                _apply(folder, pmids, edit)
            except EditError as exc:
                assert str(exc).count("\n") == 0, "one line"
                after = {k: v for k, v in tree_digest(folder).items() if not k.endswith(".lock")}
                assert after == {k: v for k, v in before.items() if not k.endswith(".lock")}
            load_claims(folder / "claims")
            validate_project(folder / "claims", folder / "data", folder / "article.txt")
    finally:
        shutil.rmtree(folder, ignore_errors=True)
