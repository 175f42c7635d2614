"""Parity: one stack (config + resources) through the CLI gate and through the pack.

``tests/fixtures/parity/preview.json`` is a ``pulumi preview --json`` output written by hand;
the CLI scans it, and the pack sees each step's inputs as the engine would send them (resource
policies) and the stack's resources (stack policies), with the stack file's config as the
engine's ``PULUMI_CONFIG``. Both must name the same rule at the same place.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import yaml
from pulumi_policy import ResourceValidationPolicy, StackValidationPolicy

from policies.residency_pack import PackState, all_policies
from residency_guard.scan import scan_paths
from residency_guard.stackregion import stack_name_from_urn

from .helpers import policy_resource, resource_args, run, stack_args

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parity"
PREVIEW = FIXTURES / "preview.json"
_VIOLATION = re.compile(r"\[(RG\d{3})\].*?(?: \(at (?P<path>[^)]*)\))?(?:\. Fix: |$)", re.DOTALL)
_SKIPPED = ("pulumi:providers:", "pulumi:pulumi:Stack")


def steps() -> list[dict[str, Any]]:
    data = json.loads(PREVIEW.read_text(encoding="utf-8"))
    return [s["newState"] for s in data["steps"] if not s["newState"]["type"].startswith(_SKIPPED)]


def stack_config() -> dict[str, str]:
    config = yaml.safe_load((FIXTURES / "Pulumi.prod-eu.yaml").read_text(encoding="utf-8"))
    return {k: str(v) for k, v in config["config"].items()}


def cli_verdict() -> set[tuple[str, str]]:
    run_ = scan_paths([PREVIEW])
    assert run_.errors == []
    return {(f.rule, f.path) for f in run_.findings}


def pack_verdict() -> set[tuple[str, str]]:
    state = PackState(pack_dir=FIXTURES, stack_config=stack_config(), stack_fallback="")
    pack = all_policies(state)
    found: set[tuple[str, str]] = set()
    messages: list[str] = []
    resources = []
    for step in steps():
        name = step["urn"].rsplit("::", 1)[-1]
        stack = stack_name_from_urn(step["urn"])
        args = resource_args(
            step["type"], step.get("inputs", {}), name=name, stack=stack, region=None
        )
        messages += [
            m
            for p in pack
            if isinstance(p, ResourceValidationPolicy)
            for m, _ in run(p, args).violations
        ]
        resources.append(
            policy_resource(step["type"], step.get("inputs", {}), name=name, stack=stack)
        )
    for policy in pack:
        if (
            isinstance(policy, StackValidationPolicy)
            and policy.name != "openai-configuration-summary"
        ):
            messages += [m for m, _ in run(policy, stack_args(resources, region=None)).violations]
    for message in messages:
        match = _VIOLATION.match(message)
        assert match is not None, message
        found.add((match.group(1), match.group("path") or ""))
    return found


def test_the_fixture_config_and_preview_agree() -> None:
    data = json.loads(PREVIEW.read_text(encoding="utf-8"))
    assert data["config"] == stack_config()


def test_cli_gate_and_policy_pack_give_the_same_rules_at_the_same_places() -> None:
    cli = cli_verdict()
    assert pack_verdict() == cli
    assert {rule for rule, _ in cli} == {
        "RG001",
        "RG002",
        "RG004",
        "RG005",
        "RG006",
        "RG007",
        "RG010",
        "RG011",
        "RG012",
        "RG013",
    }
