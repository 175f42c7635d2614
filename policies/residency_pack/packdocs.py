"""docs/policy-pack.md's policy and config tables, generated from the pack's own metadata.

What ``pulumi policy`` publishes (each policy's description, severity and enforcement level,
the config schema's types, defaults and descriptions) is what a user of the pack reads; the
tables say the same words. ``python -m policies.residency_pack.packdocs docs/policy-pack.md``
rewrites the generated blocks in place; the rest of the file is written by hand.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pulumi_policy import EnforcementLevel, Policy, ResourceValidationPolicy

from .config import config_schema
from .resource_policies import REMEDIATING

_BLOCK = re.compile(
    r"(?P<begin><!-- generated: (?P<name>[a-z]+) \(python -m policies\.residency_pack\.packdocs "
    r"docs/policy-pack\.md\); do not edit -->\n).*?(?P<end><!-- end generated: (?P=name) -->)",
    re.DOTALL,
)


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _choices(values: Sequence[Any]) -> str:
    return " \\| ".join(f"`{v}`" for v in values)


def policy_table(policies: Sequence[Policy]) -> str:
    """Each policy: its kind, published description, severity, tags and default enforcement."""
    rows = [
        "| Policy | Kind | Description | Severity | Tags | Default enforcement |",
        "|---|---|---|---|---|---|",
    ]
    for policy in policies:
        kind = "resource" if isinstance(policy, ResourceValidationPolicy) else "stack"
        assert policy.enforcement_level is not None  # each policy of the pack sets its own
        level = policy.enforcement_level.value
        if policy.name == REMEDIATING:
            level += " (remediation available)"
        severity = policy.severity.value if policy.severity else "-"
        rows.append(
            f"| `{policy.name}` | {kind} | {_cell(policy.description)} | {severity} | "
            f"{', '.join(policy.tags or ())} | {level} |"
        )
    return "\n".join(rows)


def _type(spec: Mapping[str, Any]) -> str:
    if "enum" in spec:
        return _choices(spec["enum"])
    if spec["type"] == "array":
        return f"list of {spec['items']['type']}s"
    return str(spec["type"])


def config_table() -> str:
    """The config every policy takes: Pulumi's ``enforcementLevel``, then the pack's schema."""
    rows = [
        "| Key | Type | Default | Description |",
        "|---|---|---|---|",
        f"| `enforcementLevel` | {_choices([level.value for level in EnforcementLevel])} | "
        "the policy's, in the table above | Pulumi's, per policy |",
    ]
    for key, spec in config_schema().properties.items():
        shown = f"`{json.dumps(spec['default'])}`" if "default" in spec else "-"
        rows.append(f"| `{key}` | {_type(spec)} | {shown} | {_cell(spec['description'])} |")
    return "\n".join(rows)


def update(text: str, policies: Sequence[Policy]) -> str:
    """``text`` (docs/policy-pack.md) with each generated block rewritten from ``policies``."""
    tables = {"policies": policy_table(policies), "config": config_table()}
    found = set()

    def block(match: re.Match[str]) -> str:
        name = match.group("name")
        found.add(name)
        return f"{match.group('begin')}{tables[name]}\n{match.group('end')}"

    out = _BLOCK.sub(block, text)
    missing = set(tables) - found
    if missing:  # a doc whose markers were lost would pass its test with no table at all
        raise ValueError(f"no generated block for {', '.join(sorted(missing))}")
    return out


if __name__ == "__main__":
    import sys

    from . import PackState, all_policies

    path = Path(sys.argv[1])
    path.write_text(update(path.read_text(encoding="utf-8"), all_policies(PackState())))
