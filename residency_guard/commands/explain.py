"""``residency-guard explain RG0xx``: a rule's documentation."""

from __future__ import annotations

import argparse
import sys

from residency_guard.errors import ConfigError
from residency_guard.rules import RULES, all_rules, get_rule
from residency_guard.rules.base import FrontEnd


def run(args: argparse.Namespace) -> int:
    if args.rule.lower() == "all":
        for rule in all_rules():
            sys.stdout.write(f"{rule.id}  {rule.name:32} {rule.severity.value:8} {rule.title}\n")
        return 0
    found = get_rule(args.rule)
    if found is None:
        raise ConfigError(
            f"no rule '{args.rule}'", fix=f"use one of: {', '.join(RULES)} (or `explain all`)"
        )
    rule = found
    sys.stdout.write(f"# {rule.id} {rule.name}: {rule.title}\n\n")
    exempt = rule.exemption(FrontEnd.CHECKOV) if hasattr(rule, "exemption") else None
    if rule.checkov_id:
        checkov = rule.checkov_id
    elif exempt is not None:
        checkov = f"none (by design: {exempt.difference}, see docs/rules.md)"
    else:
        checkov = "none (a live rule of `verify`)"
    sys.stdout.write(f"Severity: {rule.severity.value}. checkov: {checkov}.\n\n")
    sys.stdout.write(rule.documentation() + "\n")
    return 0
