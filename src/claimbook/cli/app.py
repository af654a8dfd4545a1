"""The `claimbook` group and what its commands share: the one error handler
(`_Claimbook.invoke`), the review-folder options, the E-utilities client and the warning lines.

The commands themselves live one module per kind of work (see `claimbook.cli`, which registers
them on `main`): each parses its options, calls one library function and prints the outcome (in
the style of sqlite-utils' cli.py). No work is done in the CLI, and no command catches an error
to print it: every ClaimbookError reaches the one handler here, which prints one line per
problem."""

from __future__ import annotations

import sys
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from claimbook import __version__
from claimbook.cli.terminal import plain
from claimbook.errors import ClaimbookError
from claimbook.files import os_reason
from claimbook.folder import ReviewFolder

if TYPE_CHECKING:
    from claimbook.pubmed.client import EutilsClient
    from claimbook.pubmed.store import Snapshot

DirPath = click.Path(file_okay=False, path_type=Path)


def folder_options(*, claims: bool = True, data: bool = True) -> Callable:
    """--project DIR, and --claims/--data where the command reads them; passes `folder`."""

    def decorate(f: Callable) -> Callable:
        @wraps(f)
        def wrapper(*args: Any, project: Path, **kw: Any) -> Any:
            folder = ReviewFolder.at(project, kw.pop("claims_dir", None), kw.pop("data_dir", None))
            return f(*args, folder=folder, **kw)

        if data:
            wrapper = click.option(
                "--data", "data_dir", default=None, type=DirPath,
                help="Data folder; the snapshot lives in DATA/pubmed.  [default: DIR/data]",
            )(wrapper)  # fmt: skip
        if claims:
            wrapper = click.option(
                "--claims", "claims_dir", default=None, type=DirPath,
                help="Folder of claim YAML files (with article.yaml).  [default: DIR/claims]",
            )(wrapper)  # fmt: skip
        return click.option(
            "--project", default=".", show_default=True, type=DirPath,
            help="The review folder (claims/, data/, notebooks/, reports/).",
        )(wrapper)  # fmt: skip

    return decorate


QUIET_OPT = click.option("--quiet", "-q", is_flag=True, help="No progress bar.")


def fail(message: str, code: int = 1) -> None:
    """Print one `error:` line and exit with `code`: for what a command itself refuses (a
    claimbook error raised from the library goes to the handler instead)."""
    click.echo(f"error: {plain(message, one_line=True)}", err=True)
    sys.exit(code)


def client(quiet: bool) -> EutilsClient:
    """The E-utilities client every command that talks to PubMed uses (a PubMedError if a time
    limit in the environment is not a number). Commands look it up here at call time, as
    `app.client`, so this is the one place a test replaces it."""
    from claimbook.pubmed.client import EutilsClient

    return EutilsClient(progress=False if quiet else None)


def warn_alerts(claims: list, snapshot: Snapshot) -> None:
    """One warning line per cited paper that is retracted, under concern or corrected."""
    from claimbook.pubmed.watch import paper_alerts

    for alert in paper_alerts(claims, snapshot):
        click.echo(f"warning: {plain(alert.message, one_line=True)}", err=True)


class _Claimbook(click.Group):
    """claimbook's commands, with the one error handler: any ClaimbookError is printed as its
    lines (`FILE:LINE: field: message` per problem then `N problems found.`, or one `error:`
    line) and exit 1, whichever command raised it; any other OSError (disk full, read-only
    folder) is one `error:` line naming the file. Never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ClaimbookError as exc:
            for line in exc.lines():
                click.echo(plain(line, one_line=True), err=True)
            sys.exit(1)
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            fail(f"{where}{os_reason(exc)} (no file was left half-written)")


@click.group(cls=_Claimbook, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="claimbook")
def main() -> None:
    """Check a health article's claims against the research literature."""


if __name__ == "__main__":  # pragma: no cover
    # `python -m claimbook.cli.app`, as scripts ran it before the commands moved out of this
    # file. Python has imported the package `claimbook.cli` first, which registered every
    # command on the imported module's `main`; this copy's `main` has none. (`python -m
    # claimbook.cli` is the way: it runs without the warning Python gives here.)
    sys.modules["claimbook.cli.app"].main(prog_name="claimbook")
