"""`claimbook init` and `claimbook candidates` on real article text, and the second article's
review folder end to end: init on a temp folder, claims, snapshot, validate, notebooks, report."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from claimbook.cli.app import main

from conftest import EVIDENCE_DIR, ROOT, SHARED, need_shared, tree_digest

LEG_TEXT = SHARED / "article" / "leg-cramps-quick-tip.txt"
EXAMPLE = ROOT / "examples" / "leg-cramps-quick-tip"


def cli(*args: str, cwd: Path | None = None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    return CliRunner().invoke(main, [str(a) for a in args])


@pytest.fixture
def fresh(tmp_path) -> Path:
    """A review folder just made by `claimbook init` for the second article."""
    need_shared(LEG_TEXT)
    result = cli(
        "init", tmp_path / "leg", "--article", LEG_TEXT, "--publisher", "Health Assistant",
        "--url", "http://healthassistant.blogspot.com/", "--kind", "a blog post",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return tmp_path / "leg"


def test_init_writes_metadata_snapshot_notebooks_readme_and_candidates(fresh):
    article = yaml.safe_load((fresh / "claims" / "article.yaml").read_text(encoding="utf-8"))
    assert article["title"] == "Leg Cramps Quick tip"  # the text's first line
    assert article["publisher"] == "Health Assistant" and article["kind"] == "a blog post"
    assert article["url"] == "http://healthassistant.blogspot.com/"
    # text_file points at the article, relative to the folder; the text itself is not copied
    assert (fresh / article["text_file"]).resolve() == LEG_TEXT.resolve()
    assert not Path(article["text_file"]).is_absolute()
    body = LEG_TEXT.read_text(encoding="utf-8")
    for path in fresh.rglob("*"):
        if path.is_file() and path.suffix != ".yaml":
            assert body[200:400] not in path.read_text(encoding="utf-8", errors="replace")
    manifest = json.loads((fresh / "data" / "pubmed" / "manifest.json").read_text())
    assert manifest["records"]["total"] == 0 and manifest["history"][0]["action"] == "init"
    assert (fresh / "notebooks" / "00-overview.ipynb").exists()
    assert (fresh / "notebooks" / "claim.ipynb").exists()
    from claimbook.notebooks.workbench_file import is_workbench

    assert is_workbench(fresh / "notebooks" / "workbench.ipynb")
    assert "claimbook validate --project" in (fresh / "README.md").read_text()
    candidates = yaml.safe_load((fresh / "candidates.yaml").read_text(encoding="utf-8"))
    assert len(candidates) >= 8
    assert all(c["text"] in body and c["section"] in body for c in candidates)


def test_a_fresh_folder_validates(fresh):
    result = cli("validate", "--project", fresh)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("OK: 0 claims, 0 citations, snapshot of 0 records (empty);")
    assert "quotes checked against" in result.output


def test_init_refuses_a_folder_that_holds_a_review_and_changes_nothing(fresh):
    before = tree_digest(fresh)
    result = cli("init", fresh, "--article", LEG_TEXT)
    assert result.exit_code == 1
    assert result.output.startswith("error: ") and "already holds a review" in result.output
    assert tree_digest(fresh) == before


def test_init_refuses_the_repository_root_itself():
    need_shared(LEG_TEXT)
    before = tree_digest(ROOT / "claims")
    result = cli("init", ROOT, "--article", LEG_TEXT)
    assert result.exit_code == 1 and "already holds a review" in result.output
    assert tree_digest(ROOT / "claims") == before


def test_init_with_an_unreadable_article_writes_nothing(tmp_path):
    binary = tmp_path / "page.txt"
    binary.write_bytes(b"\xff\xfe\x00 not utf-8 \xff")
    result = cli("init", tmp_path / "new", "--article", binary)
    assert result.exit_code == 1
    assert f"error: {binary}: cannot read the article text" in result.output
    assert not (tmp_path / "new").exists()


def test_candidates_json_lists_text_and_section(tmp_path):
    need_shared(LEG_TEXT)
    result = cli("candidates", LEG_TEXT, "--json")
    assert result.exit_code == 0, result.output
    found = json.loads(result.output)
    body = LEG_TEXT.read_text(encoding="utf-8")
    assert found and all({"text", "section"} <= set(c) for c in found)
    assert all(c["text"] in body for c in found)
    assert any("quinine" in c["text"] for c in found)
    assert any("300-800 mg" in c["text"] for c in found)


def test_candidates_plain_listing_numbers_each_with_why(tmp_path):
    need_shared(LEG_TEXT)
    result = cli("candidates", LEG_TEXT)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].endswith("make checkable claims:")
    assert any(line.strip().startswith("1. line ") for line in lines)
    assert sum(line.strip().startswith("why: ") for line in lines) == int(lines[0].split()[0])


# --------------------------------------------------------------------------- end to end


def test_second_article_from_init_to_report(fresh, tmp_path, monkeypatch):
    """init -> claims (the shipped example's) -> curate -> validate -> notebooks -> report."""
    need_shared(EVIDENCE_DIR)
    example = yaml.safe_load((EXAMPLE / "claims" / "article.yaml").read_text(encoding="utf-8"))
    article_yaml = fresh / "claims" / "article.yaml"
    ours = yaml.safe_load(article_yaml.read_text(encoding="utf-8"))
    ours["topics"] = example["topics"]  # the reviewer sorts the claims into topics
    article_yaml.write_text(yaml.safe_dump(ours, sort_keys=False), encoding="utf-8")
    for claim in sorted((EXAMPLE / "claims").glob("Q*.yaml")):
        shutil.copy(claim, fresh / "claims" / claim.name)
    shutil.copy(EXAMPLE / "claims" / "papers.yaml", fresh / "claims" / "papers.yaml")
    assert cli("curate", "--evidence", EVIDENCE_DIR, "--project", fresh).exit_code == 0
    result = cli("validate", "--project", fresh)
    assert result.exit_code == 0, result.output
    n_claims = len(list((EXAMPLE / "claims").glob("Q*.yaml")))
    assert result.output.startswith(f"OK: {n_claims} claims")
    assert "quotes checked against" in result.output

    result = cli("notebooks", "--project", fresh, "-q")
    assert result.exit_code == 0, result.output
    topics = list(example["topics"])
    built = sorted(p.name for p in (fresh / "notebooks").glob("*.ipynb"))
    assert len(built) == len(topics) + 3, built  # overview, topics, claim, workbench
    overview = (fresh / "notebooks" / "00-overview.ipynb").read_text(encoding="utf-8")
    assert "Leg Cramps Quick tip" in overview and '"output_type"' in overview

    result = cli("report", "--project", fresh, "--format", "html,md", "-q")
    assert result.exit_code == 0, result.output
    md = (fresh / "reports" / "claimbook-report.md").read_text(encoding="utf-8")
    for claim in (EXAMPLE / "claims").glob("Q*.yaml"):
        assert f"Q{claim.name[1:3]}" in md


# --------------------------------------------------------------------------- the example


def test_the_example_validates_with_its_quotes_checked():
    need_shared(LEG_TEXT)
    result = cli("validate", "--project", EXAMPLE)
    assert result.exit_code == 0, result.output
    assert "quotes checked against" in result.output and "draft" not in result.output


def test_every_example_claim_has_evidence_and_a_verdict():
    from claimbook import load_review

    review = load_review(project=EXAMPLE)
    assert len(review.claims) >= 12
    assert all(c.evidence and not c.is_draft for c in review.claims)
    assert set(review.verdicts["claim_id"]) == {c.id for c in review.claims}
    assert review.verdicts["verdict"].notna().all()


@pytest.mark.parametrize(("claim_id", "words"), [("Q06b", "quinine"), ("Q12", "upper limit")])
def test_the_example_advice_says_plainly_where_the_article_is_risky(claim_id, words):
    from claimbook import load_review

    advice = load_review(project=EXAMPLE).claim(claim_id).advice or ""
    assert words in advice.lower()


def test_the_example_report_builds(tmp_path):
    from claimbook import build_report, load_review

    review = load_review(project=EXAMPLE)
    written = build_report(review, tmp_path, formats="html,md", progress=False)
    html = written["html"].read_text(encoding="utf-8")
    assert "Leg Cramps Quick tip" in html
    assert all(c.id in html for c in review.claims)
