"""`claimbook init`: a new review folder for an article, ready for a reviewer's first claims.

It writes `claims/article.yaml` (metadata; `text_file` points at the article, which is never
copied: it is usually under copyright), an empty snapshot with its manifest, the generated
notebooks, `candidates.yaml` (the sentences worth checking) and a README with the next steps.
A folder that already holds a review is refused and left exactly as it was.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat
import yaml

from claimbook.candidates import Candidate, find_candidates
from claimbook.claims import ARTICLE_FILE
from claimbook.files import write_text
from claimbook.folder import PathLike, ReviewFolder
from claimbook.pubmed.store import save_snapshot
from claimbook.workbench_notebook import WORKBENCH_NOTEBOOK, workbench_notebook

CANDIDATES_FILE = "candidates.yaml"
STARTER_TOPIC = "claims"


class InitError(Exception):
    """The review folder cannot be created (it exists already, or the article is unreadable)."""


@dataclass
class NewReview:
    """What `init_review` wrote."""

    folder: ReviewFolder
    title: str
    text_file: str
    candidates: list[Candidate]
    notebooks: list[Path]


def _relative(target: Path, start: Path) -> str:
    """`target` relative to `start` where possible (same drive), else absolute; '/' separators."""
    target_abs = os.path.abspath(target)  # not resolve(): keep the user's symlinks
    try:
        return Path(os.path.relpath(target_abs, os.path.abspath(start))).as_posix()
    except ValueError:
        return Path(target_abs).as_posix()


def _existing_review(folder: ReviewFolder) -> Path | None:
    for marker in (folder.claims / ARTICLE_FILE, folder.snapshot / "records.jsonl"):
        if marker.exists():
            return marker
    if folder.claims.is_dir() and any(folder.claims.glob("*.y*ml")):
        return folder.claims
    return None


def _article_yaml(meta: dict) -> str:
    head = (
        "# The article under review. Its full text is NOT in this folder (it is usually under\n"
        "# copyright): claims quote only the sentences they rest on, with attribution.\n"
        "# Topics group the claims; each gets a notebook (title and a short intro).\n"
    )
    return head + yaml.safe_dump(meta, sort_keys=False, allow_unicode=True, width=96)


def _readme(title: str, root: Path, article: str, n_candidates: int) -> str:
    return f"""# Review: {title}

This folder is a claimbook review of the article in `{article}` (not copied here).

Next steps:

1. Read `candidates.yaml`: {n_candidates} sentences of the article that make checkable claims.
2. Write one file per claim in `claims/` (`A01-short-slug.yaml`, ...): the exact quote, the
   claim in plain words, a PubMed query and the evidence. A claim may start as `status: draft`
   with no evidence yet. Fields: claimbook's docs/claims.md.
3. `claimbook validate --project {root.as_posix()}` until it says OK.
4. `claimbook notebooks --project {root.as_posix()}` to build and run the notebooks, and
   `jupyter lab {(root / "notebooks").as_posix()}` to read them; `workbench.ipynb` there
   edits the claims (stances, citations, exclusions, sign-off) without touching YAML.
5. `claimbook report --project {root.as_posix()}` for the HTML, PDF and Markdown report.
"""


def init_review(
    directory: PathLike,
    article: PathLike,
    title: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    today: date | None = None,
) -> NewReview:
    """Create a review folder at `directory` for the article text in `article`."""
    from claimbook.notebook_builder import build_notebooks

    folder = ReviewFolder.at(directory)
    article = Path(article)
    found = _existing_review(folder)
    if found is not None:
        raise InitError(f"{found} exists: {folder.root} already holds a review; nothing changed")
    try:
        text = article.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InitError(f"{article}: cannot read the article text: {exc}") from None
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    title = title or first_line or article.stem
    today = today or date.today()
    text_file = _relative(article, folder.root)
    meta = {
        "title": title,
        "publisher": publisher or "publisher not stated",
        "kind": kind or "web article",
        "attribution": f'Quotations from "{title}"'
        + (f", {publisher}" if publisher else "")
        + "; quoted briefly, with attribution, for review and criticism.",
        **({"url": url} if url else {}),
        "language": "en",
        "text_file": text_file,
        "reviewed": today,
        "topics": {
            STARTER_TOPIC: {
                "title": "The article's claims",
                "intro": "Every checkable claim of the article, with the research for and "
                "against it. Split it into topics as the review grows.",
            }
        },
    }
    candidates = find_candidates(text)

    write_text(folder.claims / ARTICLE_FILE, _article_yaml(meta))
    save_snapshot(
        folder.snapshot,
        [],
        {"action": "init", "at": datetime.now(UTC).isoformat(timespec="seconds")},
    )
    listed = [c.to_dict() for c in candidates]
    write_text(
        folder.root / CANDIDATES_FILE,
        f"# Sentences of {text_file} that make checkable claims (claimbook candidates).\n"
        + yaml.safe_dump(listed, sort_keys=False, allow_unicode=True, width=96),
    )
    write_text(folder.root / "README.md", _readme(title, folder.root, text_file, len(listed)))
    notebooks = build_notebooks(folder.root)
    workbench = folder.notebooks / WORKBENCH_NOTEBOOK
    write_text(workbench, nbformat.writes(workbench_notebook()) + "\n")
    notebooks.append(workbench)
    return NewReview(folder, title, text_file, candidates, notebooks)


def saved_candidate(folder: ReviewFolder, number: int) -> tuple[str, str]:
    """(text, section) of candidate `number` (1-based) in the folder's candidates.yaml;
    LookupError saying what to do when the file or the number is not there."""
    path = folder.root / CANDIDATES_FILE
    try:
        listed = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    except OSError:
        raise LookupError(f"{path}: not found; run claimbook init, or use --quote") from None
    if not 1 <= number <= len(listed):
        raise LookupError(f"{path}: no candidate {number} (there are {len(listed)})")
    return listed[number - 1]["text"], listed[number - 1]["section"]
