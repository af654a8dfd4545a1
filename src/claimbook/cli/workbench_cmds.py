"""`claimbook workbench`: serve a review folder's workbench as an app in the browser (Voilà on
127.0.0.1 with a token; see claimbook.jupyter.serve), until Ctrl-C."""

from __future__ import annotations

import sys

import click

from claimbook.cli.app import folder_options
from claimbook.folder import ReviewFolder


@click.command()
@click.option("--port", type=click.IntRange(1, 65535), default=None,
              help="Port on 127.0.0.1 to serve it on.  [default: a free one]")  # fmt: skip
@click.option("--no-browser", is_flag=True, help="Print the URL; do not open a browser.")
@folder_options()
def workbench(folder: ReviewFolder, port: int | None, no_browser: bool) -> None:
    """Open the review workbench as an app: pick a claim, start one from the article, edit,
    cite, screen and sign off, with no code to run. It is served on 127.0.0.1 only, with a
    token in the URL; Ctrl-C stops it."""
    from claimbook.jupyter.serve import serve

    if not (folder.claims / "article.yaml").is_file():
        from claimbook.cli.app import fail

        fail(f"{folder.claims} has no article.yaml: not a review folder (claimbook init makes one)")
    sys.exit(serve(folder, port, open_browser=not no_browser, say=lambda s: click.echo(s)))


COMMANDS = [workbench]
