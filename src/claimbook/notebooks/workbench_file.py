"""The workbench notebook every review folder gets: `notebooks/workbench.ipynb`.

It is a live tool, not a report: committed without outputs, never executed in place by
`claimbook notebooks`, and not marked as generated, so the notebook builder never rewrites or
deletes it once a reviewer has it. Its metadata says what it is instead:
`"claimbook": {"workbench": true}`. This module needs only nbformat, so `claimbook init` can
write the notebook without importing the widgets.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from claimbook.notebooks.ipynb import is_workbench, make_notebook

if TYPE_CHECKING:  # nbformat itself only when the notebook is made (its import takes seconds)
    import nbformat

__all__ = ["WORKBENCH_NOTEBOOK", "is_workbench", "workbench_notebook"]

WORKBENCH_NOTEBOOK = "workbench.ipynb"

INTRO = """\
# Review workbench

Review the claims here instead of editing their YAML files by hand. Run the cell below
(**Run ▸ Run All Cells**), then:

- **pick a claim**: you see what the article says, the live verdict with its certainty and
  rationale, whether the claim is a draft or signed off, and the timeline of its evidence;
- **edit its evidence** in the table: a citation's stance, study design, number of
  participants, finding (in your own words) or note; **exclude** a paper with a reason;
- **cite a paper** by PMID or DOI: *Look up* shows its record (title, authors, year,
  abstract) before *Cite* saves it;
- **screen** the saved PubMed hits for the claim (`claimbook search ID --save` fills the
  queue);
- **sign the claim off** once its evidence is checked.

Every change is checked first and then saved at once to the claim's file in `claims/`
(comments and layout kept), so it shows in `git diff` like any other edit; the verdict,
certainty and rationale update straight away. A change that would make the claim invalid is
refused with a one-line message in red, and nothing is written. Changing the evidence of a
signed-off claim returns it to draft: sign it off again when you are done.

This notebook is yours: `claimbook notebooks` neither runs nor rewrites it, and it is kept
without outputs (the widgets need a live kernel)."""

CODE = """\
from claimbook import Workbench

Workbench(project="..")  # this review folder: the one that holds notebooks/"""


def workbench_notebook() -> nbformat.NotebookNode:
    """The workbench notebook, without outputs. Write it with
    `nbformat.writes(nb) + "\\n"` to get the committed file byte for byte."""
    from nbformat.v4 import new_code_cell, new_markdown_cell

    intro = new_markdown_cell(INTRO)
    code = new_code_cell(CODE)
    # nbval runs the cell (the workbench must build in a fresh kernel) but cannot compare a
    # widget's output: it is a live view with random model ids.
    code.metadata["tags"] = ["nbval-ignore-output"]
    return make_notebook([intro, code], {"workbench": True})
