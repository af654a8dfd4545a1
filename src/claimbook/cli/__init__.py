"""The command line: `claimbook` and its subcommands, a thin layer over the library. One
handler (in app) turns every ClaimbookError into one line per problem and a non-zero exit.

May import: every layer. Nothing imports the CLI.
"""

from claimbook.cli.app import main

__all__ = ["main"]
