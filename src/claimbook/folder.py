"""The review folder: where one article's review keeps its claims, snapshot, notebooks and
reports. Every command takes `--project DIR`; `--claims`/`--data` override single parts.

    DIR/claims/        article.yaml + one YAML file per claim
    DIR/data/pubmed/   the PubMed snapshot
    DIR/notebooks/     overview, one notebook per topic, claim.ipynb, workbench
    DIR/reports/       the built report and exports
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PathLike = str | os.PathLike[str]


@dataclass(frozen=True)
class ReviewFolder:
    """The parts of one review folder (each may be moved elsewhere by an option)."""

    root: Path
    claims: Path
    data: Path

    @classmethod
    def at(
        cls, project: PathLike | None = None, claims: PathLike | None = None,
        data: PathLike | None = None,
    ) -> ReviewFolder:  # fmt: skip
        """The folder `project` (default: the current one), with `claims`/`data` if given."""
        root = Path(project) if project is not None else Path(".")
        return cls(
            root=root,
            claims=Path(claims) if claims is not None else root / "claims",
            data=Path(data) if data is not None else root / "data",
        )

    def __str__(self) -> str:
        """The folder as the user named it (`.`, `review/`): what messages print for it."""
        return str(self.root)

    @property
    def snapshot(self) -> Path:
        return self.data / "pubmed"

    @property
    def notebooks(self) -> Path:
        return self.root / "notebooks"

    @property
    def reports(self) -> Path:
        return self.root / "reports"


def find_root(start: PathLike | None = None) -> Path:
    """The nearest folder at or above `start` (default: the current one) that holds a review:
    a claims/ and a data/ folder. Notebooks use it to find their review from any sub-folder."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "claims").is_dir() and (folder / "data").is_dir():
            return folder
    raise FileNotFoundError(f"no review folder (claims/ and data/) at or above {here}")


def shown_path(path: PathLike, start: PathLike | None = None) -> str:
    """A path as a user would type it: relative to `start` (default: the current folder) when
    that is shorter, as given otherwise. What messages and views print for a file."""
    try:
        rel = os.path.relpath(path, start if start is not None else os.curdir)
    except ValueError:  # another drive on Windows
        return str(path)
    return rel if len(rel) <= len(str(path)) else str(path)
