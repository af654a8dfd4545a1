"""Rebuild only what changed: figures and claim sections kept by the hash of what they show.

Each cached piece is named by a sha256 of everything it is made from: its kind, its own data
(a claim's rows of the evidence table, the verdicts, a PRISMA flow; a claim section's content,
figure and the page's words; a group of citation exports' records and rows), and the code that
draws it (claimbook's version, matplotlib's and the source of the modules and templates
involved). Same inputs, same name: a hit is the very text a fresh render would give, so a
rebuild is byte-identical to a clean build; any change of input gives a new name and is
rendered again. Nothing is ever invalidated by hand.

The pieces live in `OUT/cache/` (delete it freely: the next build is a full one). A build
reads the cache of the folder it writes into and writes every piece it used into its staging
folder, so the cache moves into place with the report (all or nothing); afterwards pieces no
build used are removed (`prune`), so the folder holds one build's worth.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from importlib import metadata, resources
from pathlib import Path

from claimbook import __version__
from claimbook.files import write_text

CACHE_DIR = "cache"
GRADING_DIR = "grading"  # inside CACHE_DIR: each claim's grading (claimbook.evidence.memo)
# what draws or lays out a piece: its source is part of every key
_CODE = (
    ("claimbook.evidence", "plots.py"),
    ("claimbook.evidence", "sof.py"),
    ("claimbook.evidence", "absolute.py"),
    ("claimbook.evidence", "table.py"),
    ("claimbook.report", "figures.py"),
    ("claimbook.report", "html.py"),
    ("claimbook.report", "exports.py"),
    ("claimbook", "vocab.py"),
    ("claimbook.report", "templates/claim.html.j2"),
    ("claimbook.report", "templates/macros.html.j2"),
)


def code_fingerprint() -> str:
    """A hash of the code that draws the pieces (and the versions of claimbook and matplotlib)."""
    h = hashlib.sha256(f"{__version__} {metadata.version('matplotlib')}".encode())
    for package, name in _CODE:
        h.update(resources.files(package).joinpath(name).read_bytes())
    return h.hexdigest()


class PieceCache:
    """The cache of one build: `get(kind, name, data, make)` returns the piece, from the cache
    of `source` (the report folder) when it holds it, else made now; every piece used is
    written under `stage`. `made` lists the (kind, name) of the pieces made, not found."""

    def __init__(self, source: Path | None, stage: Path | None) -> None:
        self.source = source / CACHE_DIR if source is not None else None
        self.stage = stage / CACHE_DIR if stage is not None else None
        self.code = code_fingerprint()
        self.made: list[tuple[str, str]] = []
        self.used: set[str] = set()

    def get(self, kind: str, name: str, data: str, make: Callable[[], str]) -> str:
        key = hashlib.sha256(f"{self.code}\0{kind}\0{name}\0{data}".encode()).hexdigest()
        file = f"{kind}-{name}-{key[:24]}.txt"
        self.used.add(file)
        text = None
        if self.source is not None and (self.source / file).is_file():
            try:
                text = (self.source / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None  # unreadable: made again
        if text is None:
            text = make()
            self.made.append((kind, name))
        if self.stage is not None:
            write_text(self.stage / file, text, sync=False)  # the build syncs its stage
        return text


def grading_cache(out_dir: Path) -> Path:
    """Where `load_review(cache=...)` keeps each claim's grading for a report built into
    `out_dir`: inside its cache folder, so deleting that folder forgets it too."""
    return Path(out_dir) / CACHE_DIR / GRADING_DIR


def prune(out_dir: Path, used: set[str]) -> None:
    """Remove the cached pieces of `out_dir` that the last build did not use."""
    folder = out_dir / CACHE_DIR
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and path.name not in used:
            path.unlink(missing_ok=True)
