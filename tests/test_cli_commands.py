"""The CLI is composed as click apps are: one module per kind of command, each listing its
commands in COMMANDS, all registered on the one group `main` (issue 21, item 1)."""

from __future__ import annotations

import importlib
import pkgutil

import click

import claimbook.cli
from claimbook.cli.app import main


def test_every_command_defined_in_a_command_module_is_registered_on_main():
    defined = {}
    for info in pkgutil.iter_modules(claimbook.cli.__path__):
        module = importlib.import_module(f"claimbook.cli.{info.name}")
        commands = [v for v in vars(module).values() if isinstance(v, click.Command)]
        commands = [c for c in commands if c is not main]
        if commands:
            assert info.name.endswith("_cmds"), f"{info.name} defines commands"
            assert sorted(c.name for c in module.COMMANDS) == sorted(c.name for c in commands)
        defined |= {c.name: c for c in commands}
    assert main.commands == defined
    assert {"init", "fetch", "cite", "report", "add-claim", "diff", "claims"} <= set(defined)
