"""The notebooks: generated for any review folder from its own article.yaml and claims (one per
topic, an overview, a claim template), rebuilt byte for byte, executed, and rendered per claim;
a reviewer's own notebooks are never touched; a failing run saves nothing."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from claimbook.claims import ClaimsError, load_article, load_claims
from claimbook.cli.app import main
from claimbook.evidence.review import load_review
from claimbook.notebooks.build import (
    NotebookConflictError,
    build_notebooks,
    is_generated,
    topic_filenames,
)
from claimbook.notebooks.run import execute_in_place, review_notebooks

from conftest import ROOT
from conftest import tree_digest as _tree_digest

EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"
FOLDERS = [pytest.param(ROOT, id="root"), pytest.param(EXAMPLE, id="example")]


def _cells(path: Path) -> list[nbformat.NotebookNode]:
    return nbformat.read(path, as_version=4).cells


def tree_digest(directory: Path) -> dict[str, str]:
    """The notebooks' bytes (not the folder's .lock file)."""
    return {k: v for k, v in _tree_digest(directory).items() if not k.endswith(".lock")}


def _readable(path: Path) -> str:
    """A notebook's sources and text outputs (not its images), to search for words."""
    parts = []
    for cell in _cells(path):
        parts.append(cell.source)
        for out in cell.get("outputs", []):
            parts.append(out.get("text", ""))
            data = out.get("data", {})
            parts += [data.get(k, "") for k in ("text/plain", "text/html", "text/markdown")]
    return "\n".join(parts)


def _copy_claims(folder: Path, dest: Path) -> Path:
    shutil.copytree(folder / "claims", dest / "claims")
    return dest


# --------------------------------------------------------------------------- committed ones


@pytest.mark.parametrize("folder", FOLDERS)
def test_every_review_notebook_is_committed_with_outputs(folder):
    article = load_article(folder / "claims")
    paths = review_notebooks(folder / "notebooks")
    names = {p.name for p in paths}
    assert names == {"00-overview.ipynb", "claim.ipynb", *topic_filenames(article).values()}
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        assert nb.metadata["claimbook"] == {"generated": True}
        assert nb.metadata["kernelspec"]["name"] == "python3"
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(c.outputs for c in code), f"{path.name} has no outputs"


@pytest.mark.parametrize("folder", FOLDERS)
def test_committed_notebooks_are_what_the_builder_makes_and_a_rebuild_keeps_them(folder, tmp_path):
    """Building over the committed (executed) notebooks changes no byte: they are up to date
    with article.yaml and the claims, and an unchanged rebuild keeps their outputs."""
    copy = _copy_claims(folder, tmp_path)
    shutil.copytree(folder / "notebooks", copy / "notebooks")
    before = tree_digest(copy / "notebooks")
    build_notebooks(copy)
    assert tree_digest(copy / "notebooks") == before


def test_one_notebook_per_topic_with_its_title_intro_and_claims(tmp_path):
    copy = _copy_claims(ROOT, tmp_path)
    paths = build_notebooks(copy)
    article = load_article(copy / "claims")
    claims = load_claims(copy / "claims")
    keys = list(article.topics)
    assert [p.name for p in paths] == [
        "00-overview.ipynb",
        *(f"{10 * i}-{key}.ipynb" for i, key in enumerate(keys, start=1)),
        "claim.ipynb",
    ]
    for path, key in zip(paths[1:-1], keys, strict=True):
        topic = article.topics[key]
        assert topic.intro, f"article.yaml gives topic {key} no intro"
        head = _cells(path)[0].source
        assert head.startswith(f"# {topic.title}\n\n{topic.intro}\n")
        shown = [c.source for c in _cells(path) if "show_claim(" in c.source]
        assert shown == [f'show_claim(review, "{c.id}")' for c in claims if c.topic == key]
    overview = _cells(paths[0])[0].source
    assert overview.startswith(f"# claimbook · {article.title}\n")
    assert article.publisher in overview
    for key, topic in article.topics.items():
        assert f"[{topic.title}]({topic_filenames(article)[key]})" in overview
    params = next(c for c in _cells(paths[-1]) if "parameters" in c.metadata.get("tags", []))
    assert params.source == f'claim_id = "{claims[0].id}"  # papermill parameter'


def test_building_twice_gives_byte_identical_files(tmp_path):
    copy = _copy_claims(EXAMPLE, tmp_path)
    build_notebooks(copy)
    first = tree_digest(copy / "notebooks")
    mtimes = {p: p.stat().st_mtime_ns for p in (copy / "notebooks").glob("*.ipynb")}
    build_notebooks(copy)
    assert tree_digest(copy / "notebooks") == first
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes  # not even rewritten


def test_the_package_names_no_article_topic_or_claim():
    source = (ROOT / "src" / "claimbook" / "notebooks" / "build.py").read_text(encoding="utf-8")
    assert not re.search(r"\b[A-Z]\d{2,3}\b", source), "a claim id in the builder"
    for folder in (ROOT, EXAMPLE):
        article = load_article(folder / "claims")
        for text in (article.title, article.publisher):
            assert text not in source
        for key, topic in article.topics.items():
            assert f'"{key}"' not in source and f"'{key}'" not in source
            assert topic.title not in source


# --------------------------------------------------------------------------- any folder

MADE_UP = {
    "title": "Ten things your knees wish you knew",
    "publisher": "Example Wellness Weekly",
    "kind": "A made-up listicle, for the tests.",
    "attribution": "Made up for claimbook's tests.",
    "reviewed": "2026-11-30",
    "topics": {
        "knee-cartilage": {
            "title": "Cartilage and what wears it",
            "intro": "The listicle says cartilage wears out like a tyre. Here is the research.",
        },
        "warm-ups": "Warming up before a run",  # a topic with a title only: generic intro
    },
}


def _claim(dest: Path, source_id: str, new_id: str, topic: str, **changes) -> None:
    src = next((ROOT / "claims").glob(f"{source_id}-*.yaml"))
    data = yaml.safe_load(src.read_text(encoding="utf-8"))
    data |= {"id": new_id, "topic": topic, "evidence": data["evidence"][:3], "excluded": []}
    data |= changes
    name = f"{new_id}-{data['slug']}.yaml"
    (dest / "claims" / name).write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")


@pytest.fixture
def made_up(tmp_path: Path) -> Path:
    """A review folder of a made-up article: two topics, one small claim in each."""
    (tmp_path / "claims").mkdir()
    (tmp_path / "claims" / "article.yaml").write_text(
        yaml.safe_dump(MADE_UP, sort_keys=False), encoding="utf-8"
    )
    _claim(tmp_path, "C11", "K02", "knee-cartilage")
    _claim(tmp_path, "C01", "K01", "warm-ups")
    shutil.copy(ROOT / "claims" / "papers.yaml", tmp_path / "claims" / "papers.yaml")
    (tmp_path / "data" / "pubmed").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "pubmed" / "records.jsonl", tmp_path / "data" / "pubmed")
    return tmp_path


def test_a_made_up_folder_gets_notebooks_from_its_own_article_and_claims(made_up):
    """Built and executed (`claimbook notebooks --project DIR`), then rebuilt: the text is the
    folder's own, the notebooks run, and the rebuild keeps the executed files byte for byte."""
    result = CliRunner().invoke(main, ["notebooks", "--project", str(made_up), "-q"])
    assert result.exit_code == 0, result.output
    nbs = made_up / "notebooks"
    names = sorted(p.name for p in nbs.glob("*.ipynb"))
    assert names == [
        "00-overview.ipynb", "10-knee-cartilage.ipynb", "20-warm-ups.ipynb", "claim.ipynb",
    ]  # fmt: skip
    text = {p.name: _readable(p) for p in nbs.glob("*.ipynb")}
    cartilage = _cells(nbs / "10-knee-cartilage.ipynb")
    assert cartilage[0].source.startswith(
        "# Cartilage and what wears it\n\nThe listicle says cartilage wears out like a tyre."
    )
    assert [c.source for c in cartilage if "show_claim(" in c.source] == [
        'show_claim(review, "K02")'
    ]
    warm = _cells(nbs / "20-warm-ups.ipynb")[0].source
    assert warm.startswith("# Warming up before a run\n\nThis notebook walks the article's claims")
    assert "Ten things your knees wish you knew" in text["00-overview.ipynb"]
    assert "Example Wellness Weekly" in text["00-overview.ipynb"]
    assert 'claim_id = "K01"' in text["claim.ipynb"]
    # executed: each claim shown in its topic's notebook, nothing of another review
    assert "### K02 · " in text["10-knee-cartilage.ipynb"]
    root_article = load_article(ROOT / "claims")
    everything = "\n".join(text.values())
    assert root_article.title not in everything and root_article.publisher not in everything
    for key, topic in root_article.topics.items():
        assert topic.title not in everything
        assert not any(key in name for name in names)
    assert not re.search(r"\bC\d{2}\b", everything), "a claim id of another review"
    for path in nbs.glob("*.ipynb"):
        outputs = [o for c in _cells(path) for o in c.get("outputs", [])]
        assert not [o for o in outputs if o.output_type == "error" or o.get("name") == "stderr"]
    before = tree_digest(nbs)
    build_notebooks(made_up)
    assert tree_digest(nbs) == before


def test_stale_generated_notebooks_go_and_a_reviewers_own_stay(made_up):
    nbs = made_up / "notebooks"
    build_notebooks(made_up)
    old = nbs / "20-warm-ups.ipynb"
    assert is_generated(old)
    own = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("my notes")])
    for name in ("my-notes.ipynb", "workbench.ipynb"):
        nbformat.write(own, nbs / name)
    rendered = nbformat.read(old, as_version=4)  # a papermill-rendered copy keeps the mark
    rendered.metadata["papermill"] = {"parameters": {"claim_id": "K01"}}
    nbformat.write(rendered, nbs / "claim-K01.ipynb")
    kept = {n: (nbs / n).read_bytes() for n in ("my-notes.ipynb", "workbench.ipynb")}

    article = yaml.safe_load((made_up / "claims" / "article.yaml").read_text(encoding="utf-8"))
    article["topics"] = {"warm-up-routines": "Warming up", **article["topics"]}
    del article["topics"]["warm-ups"]
    (made_up / "claims" / "article.yaml").write_text(
        yaml.safe_dump(article, sort_keys=False), encoding="utf-8"
    )
    for path in (made_up / "claims").glob("K01-*.yaml"):
        path.write_text(
            path.read_text(encoding="utf-8").replace("topic: warm-ups", "topic: warm-up-routines"),
            encoding="utf-8",
        )
    build_notebooks(made_up)
    names = sorted(p.name for p in nbs.glob("*.ipynb"))
    assert names == [
        "00-overview.ipynb", "10-warm-up-routines.ipynb", "20-knee-cartilage.ipynb",
        "claim-K01.ipynb", "claim.ipynb", "my-notes.ipynb", "workbench.ipynb",
    ]  # fmt: skip
    assert {n: (nbs / n).read_bytes() for n in kept} == kept


def test_a_reviewers_notebook_in_the_way_is_not_overwritten(made_up):
    nbs = made_up / "notebooks"
    nbs.mkdir()
    mine = nbs / "10-knee-cartilage.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("mine")]), mine)
    before = tree_digest(nbs)
    with pytest.raises(NotebookConflictError, match=r"10-knee-cartilage\.ipynb: not generated"):
        build_notebooks(made_up)
    assert tree_digest(nbs) == before  # nothing written


def test_claims_that_do_not_load_stop_the_build(made_up):
    (made_up / "claims" / "K03-broken.yaml").write_text("id: K03\ntopic: [\n", encoding="utf-8")
    with pytest.raises(ClaimsError, match=r"K03-broken\.yaml"):
        build_notebooks(made_up)
    assert not (made_up / "notebooks").exists()


def test_a_review_without_claims_builds_and_runs(made_up):
    """A new review (no claims yet): the overview runs, the topic notebooks and the claim
    template say there is nothing yet."""
    nbs = made_up / "notebooks"
    for path in (made_up / "claims").glob("K*.yaml"):
        path.unlink()
    build_notebooks(made_up)
    assert "no claims yet" in _cells(nbs / "claim.ipynb")[0].source
    assert "No claims on this topic yet." in _cells(nbs / "10-knee-cartilage.ipynb")[-1].source
    execute_in_place(nbs / "00-overview.ipynb")
    overview = _readable(nbs / "00-overview.ipynb")
    assert "0 of 0 claims are drafts" in overview


def test_a_topic_of_drafts_only_builds_and_runs(made_up):
    """A draft with no citations: its topic notebook and the overview run and show it."""
    nbs = made_up / "notebooks"
    next((made_up / "claims").glob("K02-*.yaml")).unlink()
    _claim(made_up, "C11", "K02", "knee-cartilage", status="draft", evidence=[], query=None)
    build_notebooks(made_up)
    for name in ("00-overview.ipynb", "10-knee-cartilage.ipynb"):
        execute_in_place(nbs / name)
    assert "1 of 2 claims are drafts" in _readable(nbs / "00-overview.ipynb")
    assert "### K02 · " in _readable(nbs / "10-knee-cartilage.ipynb")


def test_a_review_of_drafts_only_loads(made_up):
    for path in (made_up / "claims").glob("K*.yaml"):
        path.unlink()
    _claim(made_up, "C11", "K02", "knee-cartilage", status="draft", evidence=[], query=None)
    review = load_review(project=made_up)
    assert list(review.verdicts["status"]) == ["draft"]


# --------------------------------------------------------------------------- running them


def test_claim_notebook_renders_the_requested_claim(tmp_path, monkeypatch):
    claim = load_claims(ROOT / "claims")[-1]
    out = tmp_path / "one.ipynb"
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        main, ["notebooks", "--claim", claim.id.lower(), "--out", str(out), "-q"]
    )
    assert result.exit_code == 0, result.output
    nb = json.loads(out.read_text(encoding="utf-8"))
    text = json.dumps([c.get("outputs", []) for c in nb["cells"]])
    assert f"{claim.id} \\u00b7" in text or f"{claim.id} ·" in text
    assert claim.title.split()[0] in text
    assert not is_generated(out)  # a rendered copy is never taken for a stale template


def test_a_failing_notebook_is_left_untouched(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('boom')")])
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match="boom"):
        execute_in_place(path)
    assert path.read_bytes() == before
