"""`python -m claimbook.cli`: the `claimbook` command, for where the console script is not on
PATH (a subprocess in the tests, a checkout without an install)."""

from claimbook.cli import main

if __name__ == "__main__":  # importing the module (a walk of the package) runs nothing
    main(prog_name="claimbook")
