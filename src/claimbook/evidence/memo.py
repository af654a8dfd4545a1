"""Per-claim results kept on disk by the hash of what they are made from (issue 24, item 6).

A claim's grading depends only on its own claim record, its rows of the evidence table (the
snapshot records it cites, resolved) and the grading rules; so after one claim's edit only that
claim needs grading again. `Memo.get(kind, name, data, make)` names a result by a sha256 of
its kind, name, `data` (everything it is made from, as text) and the source of the code that
makes it (`CODE`), and returns the kept text when a file of that name exists, else `make()`.
Same inputs, same name, so a hit is what `make()` would return: nothing is ever invalidated by
hand. Values are text (JSON), never pickles, so a cache folder is only ever read as data. A
run only reads; what it used is written by its caller (the report build, into its staging
folder with the report: all or nothing) or by `save()`, which also drops the unused files.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path

import pandas as pd

from claimbook import __version__
from claimbook.files import write_text

# what grades a claim or lays out its Summary of Findings row: its source is part of every key
CODE = (
    ("claimbook.evidence", "table.py"),
    ("claimbook.evidence", "grading.py"),
    ("claimbook.evidence", "domains.py"),
    ("claimbook.evidence", "rules.py"),
    ("claimbook.evidence", "review_rating.py"),
    ("claimbook.evidence", "sof.py"),
    ("claimbook.evidence", "absolute.py"),
    ("claimbook", "vocab.py"),
)


def code_fingerprint() -> str:
    """A hash of claimbook's version and the source of the modules in `CODE`."""
    h = hashlib.sha256(__version__.encode())
    for package, name in CODE:
        h.update(resources.files(package).joinpath(name).read_bytes())
    return h.hexdigest()


def rows_texts(table: pd.DataFrame) -> dict[str, str]:
    """Each claim's rows of a table (by `claim_id`) as text for a key: every column and value,
    in order, without the index (which moves when another claim gains a row). A claim with no
    rows gets the text of an empty table: use `claim_rows_text`."""
    columns = list(table.columns)
    at = columns.index("claim_id")
    rows: dict[str, list] = {}
    for row in table.astype(object).values.tolist():
        rows.setdefault(str(row[at]), []).append(row)
    out = {k: json.dumps([columns, v], default=repr) for k, v in rows.items()}
    out[""] = json.dumps([columns, []])
    return out


def claim_rows_text(texts: dict[str, str], claim_id: str) -> str:
    """A claim's entry of `rows_texts` (the empty table's when it has no rows)."""
    return texts.get(claim_id, texts[""])


class Memo:
    """The results of one run, read from `folder` (None: nothing kept). Nothing is written
    while it runs: every result it used, kept or made, is in `pieces` (file name -> text), for
    the caller to write all together (`write_into`), so a run that fails changes nothing."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder is not None else None
        self.code = code_fingerprint()
        self.pieces: dict[str, str] = {}
        self.made: list[tuple[str, str]] = []

    def get(self, kind: str, name: str, data: str, make: Callable[[], str]) -> str:
        """The text `make()` returns for these inputs: kept from an earlier run, or made now."""
        key = hashlib.sha256(f"{self.code}\0{kind}\0{name}\0{data}".encode()).hexdigest()
        file = f"{kind}-{name}-{key[:24]}.json"
        text = None
        if self.folder is not None:
            try:
                text = (self.folder / file).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                text = None  # not kept yet, or unreadable: made again
        if text is None:
            text = make()
            self.made.append((kind, name))
        self.pieces[file] = text
        return text

    def write_into(self, folder: Path, sync: bool = True) -> None:
        """Write every piece this run used into `folder` (a build's staging folder, or `folder`
        itself for a plain `save`)."""
        for file, text in self.pieces.items():
            write_text(Path(folder) / file, text, sync)

    def save(self) -> None:
        """Keep this run's pieces in its folder and drop the ones it did not use."""
        if self.folder is None:
            return
        self.write_into(self.folder)
        prune(self.folder, set(self.pieces))


def prune(folder: Path, used: set[str]) -> None:
    """Remove the kept results in `folder` whose names are not in `used`."""
    if not folder.is_dir():
        return
    for path in folder.iterdir():
        if path.is_file() and path.suffix == ".json" and path.name not in used:
            path.unlink(missing_ok=True)
