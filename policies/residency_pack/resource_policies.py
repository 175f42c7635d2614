"""Resource policies: one per family of core rules, each a thin adapter over ``api.check_resource``.

A policy reads the resource's inputs in the wire form (``wire.wire_form``: secrets
still marked, unknowns still unknown), asks the core once per resource (``PackState`` keeps the
wire form and the findings for the other policies) and reports the findings of its own rules:

- a finding of severity error is a violation at the policy's enforcement level (mandatory
  unless the config says otherwise);
- a finding of lower severity (``unresolved: warn``, RG006 in a stack with no region) is left
  to the advisory summary (``stack_policies``), so it never blocks;
- a value the rules would read but that is unknown at preview is an advisory note saying so
  ("... unknown during preview and will be checked at `pulumi up`"), never a violation, and
  a finding located at an unknown value is dropped for the same reason.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties, serialize_properties

from residency_guard import stackregion
from residency_guard.azure import ACCOUNT_TYPES, DEPLOYMENT_TYPES
from residency_guard.context import StackContext
from residency_guard.keys import is_endpoint_value, lists_surfaces
from residency_guard.rules import RULES
from residency_guard.sdkvars import sdk_variable
from residency_guard.values import Value

from . import region as region_sources
from .config import PackSettings, config_schema
from .remediate import rewrite_hosts
from .report import (
    PendingAtPreview,
    blocking,
    pending_values,
    policy_severity,
    remediation_steps,
    reported_by,
    violation_text,
)
from .servicer import WiredArgs
from .state import PackState, ResourceResult, Wired

# What the Azure rules read of an account or a deployment.
AZURE_FIELDS = (("location",), ("kind",), ("sku",), ("sku", "name"))


def _reads_endpoint(resource_type: str, value: Value) -> bool:
    # The rules' own classification: by the value's name or the keys above it
    # (`app:openai: {baseUrl: ...}`), never by the name alone.
    return is_endpoint_value(value) or sdk_variable(value.name) is not None


def _reads_model(resource_type: str, value: Value) -> bool:
    words = [value.name, *(p for p in value.path[-3:] if isinstance(p, str))]
    return any("model" in word.lower() for word in words)


def _reads_surface(resource_type: str, value: Value) -> bool:
    return lists_surfaces(value)  # an unknown endpoint is the endpoint policy's note


def reads_azure(resource_type: str, value: Value) -> bool:
    return resource_type in (*ACCOUNT_TYPES, *DEPLOYMENT_TYPES) and value.path[1:] in AZURE_FIELDS


def _reads_nothing_unknown(resource_type: str, value: Value) -> bool:
    return False


@dataclass(frozen=True)
class Family:
    """A resource policy: its name, the core rules it reports, the unknowns it would read."""

    name: str
    rules: tuple[str, ...]
    summary: str
    reads: Callable[[str, Value], bool]

    @property
    def description(self) -> str:
        return f"{self.summary} ({', '.join(self.rules)})."


# The resource policies, in the pack's order: name -> (summary, the unknowns it would read).
# The rules of each are those that name it in their ``pack_policies``.
_FAMILY_SPECS: dict[str, tuple[str, Callable[[str, Value], bool]]] = {
    "openai-endpoint-region": ("OpenAI endpoints reach the stack's region only", _reads_endpoint),
    "openai-model-eligibility": (
        "Models are eligible in the stack's region and allowed by the team", _reads_model,
    ),
    "openai-surface-coverage": (
        "API surfaces in use are covered by the stack's region", _reads_surface,
    ),
    "openai-legacy-api-base": (
        "OPENAI_API_BASE is not used: current SDKs ignore it", _reads_nothing_unknown,
    ),
    "openai-plaintext-key": (
        "OpenAI API keys are Pulumi secrets, never plain inputs", _reads_nothing_unknown,
    ),
    "azure-openai-residency": (
        "Azure OpenAI accounts and deployments keep data in the stack's region", reads_azure,
    ),
    "openai-key-with-base-url": (
        "An OpenAI API key reaches a workload with the region's base URL beside it",
        _reads_nothing_unknown,
    ),
}  # fmt: skip

FAMILIES: tuple[Family, ...] = tuple(
    Family(name, reported_by(name), summary, reads)
    for name, (summary, reads) in _FAMILY_SPECS.items()
)


REMEDIATING = "openai-endpoint-region"  # the one policy that can rewrite a resource
_ENDPOINT_RULES = next(f.rules for f in FAMILIES if f.name == REMEDIATING)


@dataclass(frozen=True)
class Checked:
    """One resource as the core judged it, in the context it was judged in."""

    ctx: StackContext
    result: ResourceResult


def check(state: PackState, args: ResourceValidationArgs) -> Checked:
    """The core's findings on ``args``' resource (memoized across the pack's policies)."""
    if not isinstance(args, WiredArgs):
        return _check(state, args, state.resource_wire(args.urn, args.props, args))
    # The pack's servicer read the request once for all its policies: the first policy judges
    # it, the others (with the same config, as a rule) take that.
    config = args.get_config()
    key = json.dumps(config, sort_keys=True, default=repr)
    found = args.wired.checked.get(key)
    if found is None:
        found = args.wired.checked[key] = _check(state, args, args.wired)
    assert isinstance(found, Checked)
    return found


def _check(state: PackState, args: ResourceValidationArgs, wired: Wired) -> Checked:
    props = wired.props
    settings = PackSettings.from_config(args.get_config())
    stack = region_sources.stack_name([args.urn], state.fallback_stack())
    declared = stackregion.component_region(args.resource_type, props)
    if declared is not None:
        declaration = region_sources.component_declaration(args.name, declared)
        if declaration is not None:
            state.remember_component(stack, args.urn, declaration)
    ctx = state.resource_context(stack, settings, args.stack_tags)
    result = state.resource_result(args.resource_type, args.name, args.urn, wired, ctx)
    # Every finding on the inputs, whatever the level of the policy that owns its rule: a
    # stack policy must not raise again what the group made advisory, disabled or remediated.
    state.record_reported(args.urn, result.findings)
    return Checked(ctx, result)


def _validate(family: Family, state: PackState) -> Callable[[ResourceValidationArgs,
                                                             ReportViolation], None]:  # fmt: skip
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        result = check(state, args).result
        violations = blocking(result.findings, family.rules, result.unknown_paths)
        for finding in violations:
            report_violation(violation_text(finding), args.urn)
        pending = pending_values(args.resource_type, args.name, result.unknown_values, family.reads)
        if pending:
            raise PendingAtPreview(pending)

    return validate


def _all_endpoint_findings_suppressed(checked: Checked) -> bool:
    """A suppression accepted what the rewrite would fix: leave the resource as written."""
    found = [f for f in checked.result.findings if f.rule in _ENDPOINT_RULES]
    return bool(found) and all(f.suppressed for f in found)


def _remediate_hosts(state: PackState) -> Callable[[ResourceValidationArgs], Any]:
    def remediate(args: ResourceValidationArgs) -> Any:
        settings = PackSettings.from_config(args.get_config())
        if not settings.remediate_hosts:
            return None
        # Under Remediate the SDK keeps secrets as Secret objects: serialize keeps them marked.
        props = dict(serialize_properties(args.props))
        checked = check(state, args)
        ctx = checked.ctx
        region = ctx.residency
        if region is None or _all_endpoint_findings_suppressed(checked):
            return None
        new, changed = rewrite_hosts(props, region, ctx.catalog)
        if not changed:
            return None
        return deserialize_properties(new, proxy_secrets=True)

    return remediate


def resource_policies(state: PackState) -> list[ResourceValidationPolicy]:
    """The pack's resource policies, sharing ``state`` (one per run of the pack)."""
    policies = []
    for family in FAMILIES:
        first = RULES[family.rules[0]]
        policies.append(
            ResourceValidationPolicy(
                name=family.name,
                description=family.description,
                validate=_validate(family, state),
                remediate=(
                    _remediate_hosts(state) if family.name == REMEDIATING else None
                ),
                enforcement_level=EnforcementLevel.MANDATORY,
                config_schema=config_schema(),
                severity=policy_severity(family.rules),
                tags=["openai", "data-residency", *sorted({t for r in family.rules
                                                           for t in RULES[r].tags})],
                remediation_steps=remediation_steps(family.rules),
                url=first.source_url,
            )
        )  # fmt: skip
    return policies
