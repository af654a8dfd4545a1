"""The command line: `claimbook` and its subcommands, a thin layer over the library.

    app.py          the group `main`, its one error handler (every ClaimbookError becomes one
                    line per problem and a non-zero exit) and the options the commands share
    review_cmds.py  init, candidates, validate, claims, status: start a review, see where it is
    pubmed_cmds.py  fetch, curate, search, show: PubMed and the snapshot
    edit_cmds.py    cite, uncite, exclude, add-claim, signoff: change claim files
    screen_cmds.py  screen, queue, conflicts, agreement, prisma: screening, alone or as two
    report_cmds.py  report, diff, notebooks: build what the review is read in
    workbench_cmds.py  workbench: the review workbench served as an app (Voilà)
    terminal.py     plain-text views (tables, records, drift side by side), escaped
    __main__.py     `python -m claimbook.cli`

A new command goes into the module of its kind, in that module's COMMANDS; this file registers
every module's COMMANDS on `main` (the command modules import app, never the other way round).

May import: every layer. Nothing imports the CLI.
"""

from claimbook.cli import (
    edit_cmds,
    pubmed_cmds,
    report_cmds,
    review_cmds,
    screen_cmds,
    workbench_cmds,
)
from claimbook.cli.app import main

for _module in (review_cmds, pubmed_cmds, edit_cmds, screen_cmds, report_cmds, workbench_cmds):
    for _command in _module.COMMANDS:
        main.add_command(_command)

__all__ = ["main"]
