"""The notebook commands: the claim notebook renders for any claim; a failing run saves nothing."""

from __future__ import annotations

import json

import nbformat
import pytest
from click.testing import CliRunner

from claimbook.claims import load_claims
from claimbook.cli import main
from claimbook.notebooks import execute_in_place, review_notebooks

from conftest import ROOT


def test_every_review_notebook_is_committed_with_outputs():
    paths = review_notebooks(ROOT / "notebooks")
    names = {p.name for p in paths}
    assert {"00-overview.ipynb", "claim.ipynb"} <= names
    assert len(paths) >= 6
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        code = [c for c in nb.cells if c.cell_type == "code"]
        assert any(c.outputs for c in code), f"{path.name} has no outputs"


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


def test_a_failing_notebook_is_left_untouched(tmp_path):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise ValueError('boom')")])
    path = tmp_path / "bad.ipynb"
    nbformat.write(nb, path)
    before = path.read_bytes()
    from nbclient.exceptions import CellExecutionError

    with pytest.raises(CellExecutionError, match="boom"):
        execute_in_place(path)
    assert path.read_bytes() == before
