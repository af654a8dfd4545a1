"""The one error tree: every error claimbook raises on purpose is a `ClaimbookError`, and its
`problems` are one-line messages naming the file, line and field (or PMID).

The ground floor of the package: it imports nothing from claimbook, so every module may raise
from here. The command line prints any ClaimbookError the same way, in one place (cli.main):
`lines()` is what it prints.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ClaimbookError", "Problem"]


@dataclass(frozen=True)
class Problem:
    """One validation problem, located in a file."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.field}: {self.message}"


class ClaimbookError(Exception):
    """Base of every claimbook error. One message (`str(error)`) is one problem; an error made
    of several (a validation listing each broken field) sets `self.problems` in its __init__.

    It defines no __init__ or __str__, so subclasses that are also OSError or ValueError keep
    those classes' arguments and messages.
    """

    @property
    def problems(self) -> list[Problem | str]:
        """The problems, one line each: the ones set, else the message as the only one."""
        if "_problems" in self.__dict__:
            return list(self.__dict__["_problems"])
        return [str(self)]

    @problems.setter
    def problems(self, value: list[Problem | str]) -> None:
        self.__dict__["_problems"] = list(value)

    @property
    def listed(self) -> bool:
        """True for an error made of a list of problems (set in `problems`)."""
        return "_problems" in self.__dict__

    def lines(self) -> list[str]:
        """What the command line prints: a list of problems one a line then how many were
        found (`FILE:LINE: field: message` ... `2 problems found.`), or `error: message`."""
        if not self.listed:
            return [f"error: {self}"]
        found = [str(p) for p in self.problems]
        n = len(found)
        return [*found, f"{n} problem{'s' if n != 1 else ''} found."]
