"""`claimbook.edit.preload`: a claim file parsed ahead of its next edit (what the workbench does
while idle). An edit from the preloaded document writes the very bytes an edit that parses the
file writes, every step of a sequence of edits; it is used only while the file holds the text
it was preloaded from; a refused edit changes neither the file nor the preloaded document."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from ruamel.yaml import YAML

from claimbook.edit import EditError, cite, exclude, preload, set_advice, uncite, update_citation

from conftest import claim_file, tree_digest

CLAIM = "C03"


def _uncited(review: Path) -> str:
    """A PMID another claim cites (so it is appraised already) that C03 neither cites nor
    excludes."""
    from claimbook.evidence.review import load_review

    loaded = load_review(project=review)
    claim = loaded.claim(CLAIM)
    known = {c.key for c in claim.evidence} | {x.key for x in claim.excluded}
    return next(c.pmid for o in loaded.claims for c in o.evidence if c.pmid and c.key not in known)


@pytest.fixture
def parses(monkeypatch) -> list[int]:
    """Counts the round-trip parses of YAML text (ruamel.yaml's YAML.load)."""
    calls: list[int] = []
    real = YAML.load

    def counted(self, stream):
        calls.append(1)
        return real(self, stream)

    monkeypatch.setattr(YAML, "load", counted)
    return calls


def test_edits_from_a_preloaded_document_write_the_same_bytes(review, tmp_path, parses):
    plain = tmp_path / "plain"
    shutil.copytree(review, plain)
    paper = _uncited(review)
    first = claim_file(review, CLAIM).read_text(encoding="utf-8")
    stance_of = first.split("stance: ", 1)[1].split()[0]
    other = "contradicts" if stance_of != "contradicts" else "supports"
    steps = [
        lambda root: cite(root, CLAIM, paper, stance="supports",
                          finding="A finding typed by the test, long enough to be kept."),
        lambda root: update_citation(root, CLAIM, paper, stance="mixed"),
        lambda root: set_advice(root, CLAIM, "Tell a client what the test says, in plain words."),
        lambda root: exclude(root, CLAIM, paper, "Excluded by the test: wrong population."),
        lambda root: update_citation(root, CLAIM, _first_pmid(root), stance=other),
    ]  # fmt: skip
    for step in steps:
        preload(claim_file(review, CLAIM))
        before = len(parses)
        step(review)
        assert len(parses) == before, "the preloaded document was parsed again"
        step(plain)
        assert claim_file(review, CLAIM).read_bytes() == claim_file(plain, CLAIM).read_bytes()
    assert tree_digest(review / "claims") == tree_digest(plain / "claims")
    assert tree_digest(review / "data") == tree_digest(plain / "data")


def _first_pmid(root: Path) -> str:
    text = claim_file(root, CLAIM).read_text(encoding="utf-8")
    return text.split("pmid: ", 1)[1].split()[0].strip("'\"")


def test_a_file_changed_since_it_was_preloaded_is_parsed_again(review, parses):
    path = claim_file(review, CLAIM)
    preload(path)
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("title:", "# a comment typed by hand\ntitle:", 1), "utf-8")
    before = len(parses)
    set_advice(review, CLAIM, "Tell a client what the test says, in plain words.")
    assert len(parses) == before + 1  # not the stale document
    assert "# a comment typed by hand" in path.read_text(encoding="utf-8")


def test_a_refused_edit_leaves_the_file_and_the_preloaded_document_as_they_were(review, tmp_path):
    plain = tmp_path / "plain"
    shutil.copytree(review, plain)
    path = claim_file(review, CLAIM)
    preload(path)
    before = path.read_bytes()
    with pytest.raises(EditError):
        update_citation(review, CLAIM, _first_pmid(review), finding="Too short.")
    with pytest.raises(EditError):
        uncite(review, CLAIM, "99999999")  # not cited
    assert path.read_bytes() == before
    # the next edit from the preloaded document still writes what a fresh parse writes
    for root in (review, plain):
        set_advice(root, CLAIM, "Tell a client what the test says, in plain words.")
    assert path.read_bytes() == claim_file(plain, CLAIM).read_bytes()
