"""The commands behind the CLI, one module each, imported only when run."""

from __future__ import annotations

import argparse
import importlib

_COMMANDS = {
    "check": "residency_guard.commands.check",
    "explain": "residency_guard.commands.explain",
    "catalog": "residency_guard.commands.catalog",
    "catalog diff": "residency_guard.commands.catalog_diff",
    "catalog import": "residency_guard.commands.catalog_import",
    "verify": "residency_guard.commands.verify",
    "report": "residency_guard.commands.report",
}


def run_command(args: argparse.Namespace) -> int:
    action = getattr(args, "action", None)  # a subcommand's own action: `catalog diff`
    name = f"{args.command} {action}" if action else args.command
    module = importlib.import_module(_COMMANDS[name])
    result: int = module.run(args)
    return result
