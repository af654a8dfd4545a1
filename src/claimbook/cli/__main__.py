"""`python -m claimbook.cli`: the same command as `claimbook`."""

from claimbook.cli.app import main

main()
