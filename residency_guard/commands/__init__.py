"""The commands behind the CLI, one module each, imported only when run."""

from __future__ import annotations

import argparse
import importlib

_COMMANDS = {
    "check": "residency_guard.commands.check",
    "explain": "residency_guard.commands.explain",
    "catalog": "residency_guard.commands.catalog",
}


def run_command(args: argparse.Namespace) -> int:
    module = importlib.import_module(_COMMANDS[args.command])
    result: int = module.run(args)
    return result
