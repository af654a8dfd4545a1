"""`claimbook init`: a new review folder for an article, ready for a reviewer's first claims.

It writes `claims/article.yaml` (metadata; `text_file` points at the article, which is never
copied: it is usually under copyright), an empty `claims/papers.yaml` (each cited paper's
appraisal, once), an empty snapshot with its manifest, the generated
notebooks, `candidates.yaml` (the sentences worth checking) and a README with the next steps.
All or nothing: a folder that already holds a review, a non-empty folder (unless --force) or a
file init did not write where it would write one is refused before anything is written.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import textwrap
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import nbformat
import yaml
from pydantic import ValidationError

from claimbook.article.candidates import Candidate, find_candidates
from claimbook.claims.schema import ARTICLE_FILE, PAPERS_FILE, ReviewedArticle
from claimbook.edit.appraisals import PAPERS_HEAD
from claimbook.errors import ClaimbookError
from claimbook.files import atomic_write
from claimbook.folder import PathLike, ReviewFolder
from claimbook.ids import URL_RE
from claimbook.inputs import (
    MAX_ARTICLE_BYTES,
    MAX_YAML_BYTES,
    InputError,
    check_plain_yaml,
    read_text,
)
from claimbook.notebooks.build import is_generated, planned_notebooks
from claimbook.notebooks.workbench_file import WORKBENCH_NOTEBOOK, workbench_notebook
from claimbook.pubmed.store import save_snapshot

CANDIDATES_FILE = "candidates.yaml"
STARTER_TOPIC = "claims"


class InitError(ClaimbookError):
    """The review folder cannot be created (it exists already, or the article is unreadable)."""


class CandidateError(ClaimbookError, LookupError):
    """A saved candidate sentence cannot be had: candidates.yaml is missing or broken, or has
    no sentence of that number. A LookupError too, as it always was."""


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


README_MARK = "<!-- written by claimbook init -->"
CANDIDATES_MARK = "# claimbook candidates:"

_EXAMPLE_CLAIM = """\
id: A01
slug: short-name-of-the-claim
title: What the article says, as a short headline
topic: claims
status: draft            # until you sign it off
claim: >-
  The claim in plain words, as you will grade it.
quotes:
  - section: The heading the sentence sits under
    text: "The article's exact words."
query: (insomnia[tiab]) AND (melatonin[tiab])   # the PubMed search that looks for evidence
evidence:
  - pmid: "<the paper's PMID>"       # or doi: 10.xxxx/...
    stance: supports     # supports | contradicts | mixed | context
    finding: What the paper found, in your own words (20 characters or more).
"""

_EXAMPLE_PAPER = """\
papers:
  - pmid: "<the paper's PMID>"
    design: rct          # see: claimbook cite --help
    n: 120
    risk_of_bias:
      rating: some concerns     # low | some concerns | high
      reason: Unblinded, with a self-reported outcome.
"""


def _readme(title: str, root: Path, article: str, n_candidates: int) -> str:
    r = root.as_posix()
    return f"""{README_MARK}
# Review: {title}

This folder is a claimbook review of the article in `{article}` (not copied here).

Next steps:

1. Read `candidates.yaml`: {n_candidates} sentences of the article that make checkable claims.
   `claimbook add-claim --project {r} --candidate N --title "..."` saves one as a draft claim.
2. Each claim is one file in `claims/` (`A01-short-slug.yaml`, ...): the exact quote, the
   claim in plain words, a PubMed query and the evidence. A claim may start as `status: draft`
   with no evidence yet. `claimbook cite`, `exclude` and `signoff` (or the workbench) edit
   them; a claim file looks like this:

   ```yaml
{textwrap.indent(_EXAMPLE_CLAIM, "   ")}   ```

   Each paper is appraised once, in `claims/papers.yaml`, for every claim that cites it
   (its design, n and risk_of_bias; `claimbook cite --design` writes it):

   ```yaml
{textwrap.indent(_EXAMPLE_PAPER, "   ")}   ```
3. `claimbook validate --project {r}` until it says OK.
4. `claimbook notebooks --project {r}` to build and run the notebooks, and
   `jupyter lab {(root / "notebooks").as_posix()}` to read them; `workbench.ipynb` there
   edits the claims (stances, citations, exclusions, sign-off) without touching YAML.
5. `claimbook report --project {r}` for the HTML, PDF and Markdown report.
"""


def _generated(path: Path) -> bool:
    """Whether the file at `path` was written by `claimbook init` (so --force may replace it)."""
    if path.suffix == ".ipynb":
        return is_generated(path)
    try:
        with path.open(encoding="utf-8", errors="replace") as fh:
            head = fh.read(200)
    except OSError:
        return False
    return head.startswith(README_MARK) or head.startswith(CANDIDATES_MARK)


def _planned(
    folder: ReviewFolder, meta: dict, text_file: str, candidates: list[Candidate]
) -> dict[Path, bytes]:
    """Every file init writes, with its bytes, built in memory before anything is written
    (the snapshot apart: the store writes it)."""
    try:
        article = ReviewedArticle.model_validate(meta)
    except ValidationError as exc:
        err = exc.errors()[0]
        field = ".".join(str(p) for p in err["loc"])
        raise InitError(f"{field}: {err['msg']}; nothing changed") from None
    files = {folder.claims / ARTICLE_FILE: _article_yaml(meta)}
    files[folder.claims / PAPERS_FILE] = PAPERS_HEAD + "papers: []\n"
    listed = [c.to_dict() for c in candidates]
    files[folder.root / CANDIDATES_FILE] = (
        f"{CANDIDATES_MARK} the sentences of {text_file} that make checkable claims.\n"
        + yaml.safe_dump(listed, sort_keys=False, allow_unicode=True, width=96)
    )
    files[folder.root / "README.md"] = _readme(article.title, folder.root, text_file, len(listed))
    for name, nb in planned_notebooks(article, []).items():
        files[folder.notebooks / name] = nbformat.writes(nb) + "\n"
    files[folder.notebooks / WORKBENCH_NOTEBOOK] = nbformat.writes(workbench_notebook()) + "\n"
    return {path: text.encode("utf-8") for path, text in files.items()}


def _check_target(folder: ReviewFolder, article: Path, files: dict[Path, bytes], force: bool):
    """Refuse, before anything is written, a folder that holds a review, a non-empty folder
    (unless `force`), and any file init would replace that it did not write."""
    found = _existing_review(folder)
    if found is not None:
        raise InitError(f"{found} exists: {folder.root} already holds a review; nothing changed")
    if folder.root.exists() and not folder.root.is_dir():
        raise InitError(f"{folder.root} is a file, not a folder; nothing changed")
    if folder.root.is_dir() and not force:
        here = os.path.abspath(article)
        others = sorted(p.name for p in folder.root.iterdir() if os.path.abspath(p) != here)
        if others:
            shown = ", ".join(others[:3]) + (
                f" and {len(others) - 3} more" if len(others) > 3 else ""
            )
            raise InitError(
                f"{folder.root} is not empty (it holds {shown}); start the review in a new "
                "folder, or pass --force to add it beside them (files claimbook did not "
                "write are never replaced); nothing changed"
            )
    taken = [p for p in files if p.exists() and not _generated(p)]
    if taken:
        raise InitError(
            f"{', '.join(str(p) for p in taken)}: not written by claimbook, so not replaced; "
            "move or rename, then run init again; nothing changed"
        )


def _move_in(staging: Path, root: Path) -> None:
    """Move every staged file into place; if one move fails, undo those already made."""
    done: list[tuple[Path, Path | None]] = []  # (target, backup of a replaced generated file)
    made: list[Path] = []  # folders this init created
    try:
        for src in sorted(p for p in staging.rglob("*") if p.is_file()):
            target = root / src.relative_to(staging)
            for parent in reversed(target.relative_to(root).parents[:-1]):
                if not (root / parent).is_dir():
                    (root / parent).mkdir()
                    made.append(root / parent)
            backup = None
            if target.exists():
                backup = target.with_name(f".{target.name}.init-backup")
                os.replace(target, backup)
            done.append((target, backup))
            os.replace(src, target)
    except BaseException:
        for target, backup in reversed(done):
            with contextlib.suppress(OSError):
                if backup is not None:
                    os.replace(backup, target)
                else:
                    target.unlink(missing_ok=True)
        for made_dir in reversed(made):
            with contextlib.suppress(OSError):
                made_dir.rmdir()
        raise
    for _, backup in done:
        if backup is not None:
            backup.unlink(missing_ok=True)


def init_review(
    directory: PathLike,
    article: PathLike,
    title: str | None = None,
    publisher: str | None = None,
    url: str | None = None,
    kind: str | None = None,
    today: date | None = None,
    force: bool = False,
) -> NewReview:
    """Create a review folder at `directory` for the article text in `article`.

    All or nothing: every file is built and every check made before the first is written,
    then the files are staged beside their places and moved in. A non-empty folder is refused
    unless `force`; a file init did not write is never replaced.
    """
    folder = ReviewFolder.at(directory)
    article = Path(article)
    text = read_article(article)
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
    if url and not URL_RE.match(url):
        raise InitError(f"--url {url!r}: not a web address; give the article's http(s) address")
    candidates = find_candidates(text)
    files = _planned(folder, meta, text_file, candidates)
    _check_target(folder, article, files, force)
    created = not folder.root.exists()
    try:
        folder.root.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".claimbook-init-", dir=folder.root) as tmp:
            staging = Path(tmp)
            for path, data in files.items():
                atomic_write(staging / path.relative_to(folder.root), data)
            stage = ReviewFolder.at(staging)
            save_snapshot(
                stage.snapshot, [],
                {"action": "init", "at": datetime.now(UTC).isoformat(timespec="seconds")},
            )  # fmt: skip
            (stage.snapshot / ".lock").unlink(missing_ok=True)
            _move_in(staging, folder.root)
    except OSError as exc:
        if created:
            shutil.rmtree(folder.root, ignore_errors=True)
        raise InitError(
            f"{exc.filename or folder.root}: cannot write the review: "
            f"{exc.strerror or exc}; nothing changed"
        ) from None
    notebooks = sorted(p for p in files if p.suffix == ".ipynb")
    return NewReview(folder, title, text_file, candidates, notebooks)


def read_article(path: PathLike) -> str:
    """The article's text; InitError `PATH: cannot read the article text: why` when it is not
    UTF-8 text, is a folder, or is too big."""
    try:
        return read_text(Path(path), MAX_ARTICLE_BYTES, "article text")
    except InputError as exc:
        raise InitError(f"{exc.file}: cannot read the article text: {exc.message}") from None


def saved_candidate(folder: ReviewFolder, number: int) -> tuple[str, str]:
    """(text, section) of candidate `number` (1-based) in the folder's candidates.yaml;
    CandidateError (a LookupError) saying what to do when the file or the number is not there."""
    path = folder.root / CANDIDATES_FILE
    try:
        text = read_text(path, MAX_YAML_BYTES, "candidates file")
        check_plain_yaml(text, path)
        listed = yaml.safe_load(text) or []
    except InputError as exc:
        if not path.exists():
            raise CandidateError(f"{path}: not found; run claimbook init, or use --quote") from None
        raise CandidateError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise CandidateError(
            f"{path}: not readable YAML ({exc}); run claimbook init again"
        ) from None
    if not isinstance(listed, list) or not all(
        isinstance(c, dict) and isinstance(c.get("text"), str) for c in listed
    ):
        raise CandidateError(f"{path}: not a list of candidates; run claimbook init again")
    if not 1 <= number <= len(listed):
        raise CandidateError(f"{path}: no candidate {number} (there are {len(listed)})")
    return listed[number - 1]["text"], listed[number - 1]["section"]
