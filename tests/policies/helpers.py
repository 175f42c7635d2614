"""Small builders for policy tests: ResourceValidationArgs / StackValidationArgs in, violations out.

Nothing here imports ``policies/__main__.py``: constructing a PolicyPack starts its server.
"""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pulumi_policy import (
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.proxy import UnknownValueError

from policies.residency_pack import PackState, all_policies
from residency_guard.stackregion import REGION_TAG

# Obviously fake, but shaped like a project key so the detector must see it.
FAKE_KEY = "sk-proj-" + "FAKEfake" * 5 + "WXYZ"
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
GLOBAL_URL = "https://api.openai.com/v1"
EU_URL = "https://eu.api.openai.com/v1"
_RULE = re.compile(r"\[(RG\d{3})\]")


def secret(value: Any) -> dict[str, Any]:
    """A value as the engine sends a secret over the wire."""
    return {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": value}


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def urn(resource_type: str, name: str, stack: str = "prod-eu", project: str = "shop") -> str:
    return f"urn:pulumi:{stack}::{project}::{resource_type}::{name}"


def tags(region: str | None) -> dict[str, str]:
    return {REGION_TAG: region} if region else {}


def _opts() -> PolicyResourceOptions:
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def resource_args(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "app",
    stack: str = "prod-eu",
    region: str | None = "eu",
    config: Mapping[str, Any] | None = None,
) -> ResourceValidationArgs:
    """Args as a resource policy gets them; ``region`` is set as the stack tag."""
    return ResourceValidationArgs(
        resource_type,
        props,
        urn(resource_type, name, stack),
        name,
        _opts(),
        None,
        dict(config or {}),
        tags(region),
    )


def policy_resource(
    resource_type: str,
    props: Mapping[str, Any],
    *,
    name: str = "app",
    stack: str = "prod-eu",
    property_dependencies: Mapping[str, list[PolicyResource]] | None = None,
) -> PolicyResource:
    return PolicyResource(
        resource_type,
        props,
        urn(resource_type, name, stack),
        name,
        _opts(),
        None,
        None,
        [],
        dict(property_dependencies or {}),
    )


def stack_args(
    resources: Sequence[PolicyResource],
    *,
    region: str | None = "eu",
    config: Mapping[str, Any] | None = None,
) -> StackValidationArgs:
    return StackValidationArgs(list(resources), dict(config or {}), tags(region))


@dataclass
class Outcome:
    """What one policy said: violations (message, urn) and its preview note, if any."""

    violations: list[tuple[str, str | None]] = field(default_factory=list)
    pending: str | None = None

    @property
    def rules(self) -> list[str]:
        return sorted({m for message, _ in self.violations for m in _RULE.findall(message)})

    @property
    def text(self) -> str:
        return "\n".join(message for message, _ in self.violations)


def run(policy: Policy, args: ResourceValidationArgs | StackValidationArgs) -> Outcome:
    """Call ``policy.validate`` the way the SDK's servicer does, collecting what it reports."""
    outcome = Outcome()

    def report(message: str, urn: str | None = None) -> None:
        outcome.violations.append((message, urn))

    try:
        if isinstance(policy, ResourceValidationPolicy):
            assert isinstance(args, ResourceValidationArgs)
            policy.validate(args, report)
        else:
            assert isinstance(policy, StackValidationPolicy) and isinstance(
                args, StackValidationArgs
            )
            policy.validate(args, report)
    except UnknownValueError as pending:
        outcome.pending = pending.message
    return outcome


def policies(state: PackState) -> dict[str, Policy]:
    return {p.name: p for p in all_policies(state)}


def run_resource_policies(state: PackState, args: ResourceValidationArgs) -> dict[str, Outcome]:
    """Every resource policy of the pack on one resource, by policy name."""
    return {
        name: run(policy, args)
        for name, policy in policies(state).items()
        if isinstance(policy, ResourceValidationPolicy)
    }


def all_rules(outcomes: Mapping[str, Outcome]) -> list[str]:
    return sorted({rule for outcome in outcomes.values() for rule in outcome.rules})


def write_repo_config(folder: Path, text: str) -> Path:
    """A residency-guard.yaml in ``folder`` (a PackState's pack_dir finds it)."""
    path = folder / "residency-guard.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def ecs_definitions(env: Mapping[str, str]) -> str:
    """ECS containerDefinitions: a JSON string, as aws.ecs.TaskDefinition takes it."""
    return json.dumps(
        [
            {
                "name": "app",
                "image": "acme/app:1",
                "essential": True,
                "environment": [{"name": k, "value": v} for k, v in env.items()],
            }
        ]
    )
