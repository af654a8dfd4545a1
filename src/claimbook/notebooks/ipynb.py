"""A claimbook notebook as a file: the metadata mark that says who wrote it, the kernelspec
JupyterLab expects, and a builder with stable cell ids. Shared by the notebook builders and
the runner, so neither imports the other."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # nbformat itself only when a notebook is made: importing it takes seconds
    import nbformat

MARK = "claimbook"  # notebook metadata key: {"generated": true} or {"workbench": true}
# The kernelspec exactly as JupyterLab writes it for ipykernel's `python3` kernel (the display
# name ipykernel's own kernel.json gives, since ipykernel 6): with any other value, opening a
# notebook makes JupyterLab rewrite it and mark the notebook modified, and git shows a change.
KERNELSPEC = {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"}


def make_notebook(cells: list, mark: dict) -> nbformat.NotebookNode:
    """A python3 notebook of `cells` with stable cell ids (rebuilding does not churn the diff)
    and claimbook's `mark` in its metadata."""
    from nbformat.v4 import new_notebook

    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = dict(KERNELSPEC)
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata[MARK] = mark
    return nb


def _mark(path: str | os.PathLike[str]) -> tuple[dict, dict]:
    """(metadata, claimbook mark) of the notebook at `path`; empty when unreadable."""
    try:
        meta = json.loads(Path(path).read_text(encoding="utf-8")).get("metadata", {})
    except (OSError, ValueError, AttributeError):
        return {}, {}
    mark = meta.get(MARK) if isinstance(meta, dict) else None
    return (meta, mark) if isinstance(mark, dict) else ({}, {})


def is_generated(path: str | os.PathLike[str]) -> bool:
    """Whether the notebook at `path` was written by `build_notebooks` (and is not a rendered
    copy of one: papermill's output keeps the mark but adds its own metadata)."""
    meta, mark = _mark(path)
    return mark.get("generated") is True and "papermill" not in meta


def is_workbench(path: str | os.PathLike[str]) -> bool:
    """Whether the notebook at `path` is a workbench notebook (by its metadata, not its name)."""
    return _mark(path)[1].get("workbench") is True
