"""Shared test helpers: project paths, the optional ../shared folder, a throwaway project copy."""

from __future__ import annotations

import difflib
import hashlib
import re
import shutil
from pathlib import Path

import pytest
import yaml

from claimbook.files import LOCK_FILE

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
ARTICLE_TEXT = SHARED / "article" / "muscle-cramps-article.txt"
EVIDENCE_DIR = SHARED / "evidence"
EUTILS_FIXTURES = SHARED / "fixtures" / "eutils"


def need_shared(path: Path) -> Path:
    """Skip the calling test when a ../shared resource is absent (CI always has it)."""
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared not beside the repo)")
    return path


def tree_digest(directory: Path) -> dict[str, str]:
    """sha256 of every file under `directory`: to prove a command wrote nothing. The folder's
    empty lock file (made by the first command that takes the lock, and left for the next) holds
    nothing and is not counted; a lock file with content is."""
    return {
        str(p.relative_to(directory)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(directory.rglob("*"))
        if p.is_file() and not (p.name == LOCK_FILE and p.stat().st_size == 0)
    }


def papers_of(*claim_files: Path) -> str:
    """papers.yaml with the shipped appraisals of just the papers these claim files cite."""
    keys = set()
    for path in claim_files:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        for unit in doc.get("parts") or [doc]:
            for cit in unit.get("evidence") or []:
                keys.add(str(cit.get("pmid") or cit.get("doi") or cit.get("url")).lower())
    shipped = yaml.safe_load((ROOT / "claims" / "papers.yaml").read_text(encoding="utf-8"))
    kept = [
        p for p in shipped["papers"]
        if str(p.get("pmid") or p.get("doi") or p.get("url")).lower() in keys
    ]  # fmt: skip
    return yaml.safe_dump({"papers": kept}, sort_keys=False, allow_unicode=True, width=96)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A small, valid project: article.yaml, claim C01 and its papers' appraisals (papers.yaml),
    the real snapshot, and an article text
    made of C01's own quotes and section headings (so it needs nothing from ../shared)."""
    claims = tmp_path / "claims"
    claims.mkdir()
    shutil.copy(ROOT / "claims" / "article.yaml", claims / "article.yaml")
    c01 = next((ROOT / "claims").glob("C01-*.yaml"))
    shutil.copy(c01, claims / c01.name)
    (claims / "papers.yaml").write_text(papers_of(c01), encoding="utf-8")
    (tmp_path / "data" / "pubmed").mkdir(parents=True)
    shutil.copy(ROOT / "data" / "pubmed" / "records.jsonl", tmp_path / "data" / "pubmed")
    quotes = yaml.safe_load(c01.read_text(encoding="utf-8"))["quotes"]
    text = "\n\n".join(f"{q['section']}\n\nSome words. {q['text']} More words." for q in quotes)
    (tmp_path / "article.txt").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.fixture
def review(tmp_path: Path) -> Path:
    """A copy of the cramp review folder (claims/ and data/), its article text by absolute path
    when ../shared is there; for tests that edit a review."""
    shutil.copytree(ROOT / "claims", tmp_path / "claims")
    shutil.copytree(ROOT / "data", tmp_path / "data")
    article = tmp_path / "claims" / "article.yaml"
    if ARTICLE_TEXT.exists():
        text = article.read_text(encoding="utf-8")
        article.write_text(
            re.sub(r"text_file: .*", f"text_file: {ARTICLE_TEXT.as_posix()}", text),
            encoding="utf-8",
        )
    return tmp_path


def claim_file(review: Path, claim_id: str) -> Path:
    """The YAML file of a claim in a review folder."""
    return next((review / "claims").glob(f"{claim_id}-*.yaml"))


def changed_lines(before: str, after: str) -> list[str]:
    """The lines a change removed (-) and added (+), in order."""
    return [
        line
        for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


# --------------------------------------------------------------------------- E-utilities replay

REAL = ["29963580", "38534005", "151222"]  # PMIDs whose real efetch records are in the fixtures


@pytest.fixture(scope="session")
def records() -> dict[str, bytes]:
    """Real <PubmedArticle> elements by PMID, cut from the shared efetch bodies."""
    out = {}
    for path in sorted(need_shared(EUTILS_FIXTURES).glob("efetch-pubmed/*.xml")):
        raw = path.read_bytes()
        for m in re.finditer(rb"<PubmedArticle>.*?</PubmedArticle>", raw, re.S):
            pmid = re.search(rb"<PMID[^>]*>(\d+)</PMID>", m.group(0)).group(1).decode()
            out.setdefault(pmid, m.group(0))
    assert set(REAL) <= set(out)
    return out


@pytest.fixture
def env(httpserver):
    return {"CLAIMBOOK_EUTILS_URL": httpserver.url_for("/"), "NCBI_API_KEY": None}
