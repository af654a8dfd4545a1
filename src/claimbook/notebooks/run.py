"""Run the review notebooks in place (nbclient); render the per-claim notebook (papermill)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
from tqdm import tqdm
from traitlets.config import Config

from claimbook.errors import ClaimbookError
from claimbook.files import atomic_write
from claimbook.notebooks.ipynb import is_workbench

CLAIM_TEMPLATE = "claim.ipynb"
def kernel_config() -> Config:
    """How claimbook starts kernels: with CurveZMQ keys provisioned by the kernel manager.

    ipykernel 7 warns "Kernel is running over TCP without encryption" on stderr (from the
    kernel process, so no warnings filter or --quiet in this one can hold it back) unless the
    manager hands it CurveZMQ keys. The jupyter_client that ipykernel 7 needs does that with
    `transport_encryption="auto"` for kernelspecs that declare support ("supported_encryption":
    ["curve"], as ipykernel 7's does); older versions neither warn nor know the option, so it
    is set only where it exists. The kernel still listens on 127.0.0.1 only.
    """
    from jupyter_client.manager import KernelManager

    config = Config()
    if "transport_encryption" in KernelManager.class_trait_names():
        config.KernelManager.transport_encryption = "auto"
    return config


class NotebookError(ClaimbookError):
    """A notebook could not be run: `NOTEBOOK: a cell failed (Error: message)`."""


def review_notebooks(directory: str | os.PathLike[str]) -> list[Path]:
    """The notebooks to re-execute in place (the claim template runs with its default claim);
    not the workbench, a live tool that is kept without outputs."""
    return sorted(p for p in Path(directory).glob("*.ipynb") if not is_workbench(p))


def execute_in_place(path: str | os.PathLike[str], timeout: int = 300) -> Path:
    """Run a notebook top to bottom in its own folder and save it with fresh outputs.

    The file is replaced atomically only after every cell ran; a failing cell raises
    nbclient's CellExecutionError and leaves the committed notebook untouched.
    """
    path = Path(path)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        record_timing=False,  # no timestamps in committed notebooks: re-runs do not churn
        resources={"metadata": {"path": str(path.parent)}},
        config=kernel_config(),
    )
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
    client.execute()
    atomic_write(path, (nbformat.writes(nb) + "\n").encode("utf-8"))
    return path


def render_claim(
    claim_id: str,
    out: str | os.PathLike[str],
    notebooks_dir: str | os.PathLike[str] = "notebooks",
    timeout: int = 300,
) -> Path:
    """Render the parameterised claim notebook for one claim to `out` (papermill). It is
    rendered beside `out` and renamed into place only when every cell ran: a cell that fails is
    a NotebookError, and `out` is left as it was."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    template = Path(notebooks_dir) / CLAIM_TEMPLATE
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".ipynb", dir=out.parent)
    os.close(fd)
    try:
        papermill.execute_notebook(
            str(template),
            tmp,
            parameters={"claim_id": claim_id},
            cwd=str(template.parent.resolve()),
            kernel_name="python3",
            progress_bar=False,
            execution_timeout=timeout,
            config=kernel_config(),  # passed on to papermill's nbclient NotebookClient
        )
        os.replace(tmp, out)
    except PapermillExecutionError as exc:
        raise NotebookError(
            f"{out}: a cell failed ({exc.ename}: {exc.evalue}); nothing was written; run "
            f"{template} in Jupyter with claim_id = {claim_id!r} to see the cell"
        ) from exc
    finally:
        Path(tmp).unlink(missing_ok=True)
    return out


def claim_to_render(claim_id: str, notebooks_dir: str | os.PathLike[str]) -> str:
    """`claim_id` if the review that the claim notebook in `notebooks_dir` reads has such a
    claim (one graded in parts must be named by part); else a NotebookError naming the known
    ones, before anything is written."""
    from claimbook.claims.load import load_claims
    from claimbook.folder import find_root
    from claimbook.ids import short_list

    template = Path(notebooks_dir) / CLAIM_TEMPLATE
    if not template.is_file():
        raise NotebookError(
            f"no claim notebook {template}; build the notebooks first: claimbook notebooks"
        )
    try:
        claims_dir = find_root(notebooks_dir) / "claims"
    except FileNotFoundError as exc:
        raise NotebookError(f"{template}: {exc}") from None
    claims = load_claims(claims_dir)
    ids = [c.id for c in claims]
    if claim_id not in ids:
        parts = [c.id for c in claims if c.record_id == claim_id and c.part]
        if parts:
            raise NotebookError(f"{claim_id} is graded in parts: {', '.join(parts)}; name one")
        raise NotebookError(f"no claim {claim_id} in {claims_dir} (known: {short_list(ids, 20)})")
    return claim_id


def execute_all(directory: str | os.PathLike[str], progress: bool | None = None) -> list[Path]:
    """Execute every review notebook in place, in name order.

    `progress`: True shows a tqdm bar, False is quiet, None shows one only on a terminal.
    """
    paths = review_notebooks(directory)
    disable = None if progress is None else not progress
    with tqdm(total=len(paths), unit="notebook", disable=disable) as bar:
        for path in paths:
            bar.set_postfix_str(path.name)
            try:
                execute_in_place(path)
            except CellExecutionError as exc:
                raise NotebookError(
                    f"{path}: a cell failed ({exc.ename}: {exc.evalue}); the notebook was left "
                    "as it was; open it in Jupyter to see the cell"
                ) from exc
            bar.update()
    return paths


def build_and_execute(project: str | os.PathLike[str], progress: bool | None = None) -> list[Path]:
    """Generate a review folder's notebooks from its claims and topics, then run them all."""
    from claimbook.folder import ReviewFolder
    from claimbook.notebooks.build import build_notebooks

    build_notebooks(project)
    return execute_all(ReviewFolder.at(project).notebooks, progress)
