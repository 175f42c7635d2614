"""Stack policies: the stack's region, Azure deployments judged with their account, a summary.

A stack policy sees every resource's *outputs*. The engine runs them after the resource
policies, in the same process, so ``PackState`` knows what those already reported, and has
the findings on outputs equal to the inputs; run alone, a stack policy computes them itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import (
    EnforcementLevel,
    PolicyConfigSchema,
    PolicyResource,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from residency_guard import api, stackregion
from residency_guard.azure import (
    ACCOUNT_TYPES,
    DEPLOYMENT_TYPES,
    RESOURCE_GROUP_TYPES,
    is_openai_account,
    sku_name,
)
from residency_guard.catalog.model import Catalog
from residency_guard.context import Resource, StackContext
from residency_guard.evaluate import resource_values
from residency_guard.facets import FacetGate
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import is_endpoint_name, is_endpoint_value, names_model
from residency_guard.redact import find_keys, redact
from residency_guard.rules import RULES
from residency_guard.stackregion import COMPONENT_TYPE, Declaration
from residency_guard.values import UNKNOWN_SENTINEL, Value

from . import region as region_sources
from .config import PackSettings, config_schema
from .report import (
    CHECKED_AT_UP,
    PendingAtPreview,
    blocking,
    pending_values,
    policy_severity,
    remediation_steps,
    reported_by,
    violation_text,
)
from .resource_policies import reads_azure
from .servicer import WiredStackArgs
from .state import PackState, Wired, unknown_values
from .suppress import judged, suppressed_text

REGION_POLICY = "residency-region-declared"
AZURE_POLICY = "azure-openai-linked"
OUTPUTS_POLICY = "openai-deployed-outputs"
SUMMARY_POLICY = "openai-configuration-summary"
# The rules of each policy: those that name it in their ``pack_policies``.
REGION_RULES = reported_by(REGION_POLICY)
AZURE_RULES = reported_by(AZURE_POLICY)
# What a resource policy blocks on inputs, judged again on outputs (Azure: azure-openai-linked).
OUTPUT_RULES = reported_by(OUTPUTS_POLICY)
_SKIPPED_TYPES = ("pulumi:providers:", "pulumi:pulumi:Stack")
# An Azure resource ID names its account: .../providers/Microsoft.CognitiveServices/accounts/<name>/
_ACCOUNT_IN_ID = re.compile(r"/accounts/([^/]+)", re.IGNORECASE)
_MAX_LISTED = 20
_OPENAI_NAMES = ("OPENAI_", "AZURE_OPENAI_")  # names the summary lists whatever they hold

StackValidation = Callable[[StackValidationArgs, ReportViolation], None]


class StackView:
    """The stack as the policies need it: its name, resources in wire form, its context."""

    def __init__(self, state: PackState, args: StackValidationArgs) -> None:
        self.state = state
        self.settings = PackSettings.from_config(args.get_config())
        self.resources = [
            r for r in args.resources if not r.resource_type.startswith(_SKIPPED_TYPES)
        ]
        # Read once for the stack policies of one AnalyzeStack call (the pack's servicer, else
        # PackState.stack_wire); every resource, for the outputs policy, which judges the
        # stack's own and the providers the other policies skip.
        self.wired: Mapping[str, Wired] = (
            args.wired
            if isinstance(args, WiredStackArgs)
            else state.stack_wire(args.resources, args).resources
        )
        self.props: dict[str, dict[str, Any]] = {
            r.urn: self.wired[r.urn].props for r in self.resources
        }
        self.stack = region_sources.stack_name(
            [r.urn for r in args.resources], state.fallback_stack()
        )
        self.components: list[Declaration] = []
        self.unknown_components: list[str] = []
        for resource in self.resources:
            declared = stackregion.component_region(
                resource.resource_type, self.props[resource.urn]
            )
            if declared == UNKNOWN_SENTINEL:
                self.unknown_components.append(resource.name)
            elif declared is not None:
                declaration = region_sources.component_declaration(resource.name, declared)
                if declaration is not None:
                    self.components.append(declaration)
        self.declarations = state.declarations(
            self.stack, self.settings, args.stack_tags, self.components
        )

    def context(self, resources: Sequence[Resource] = ()) -> StackContext:
        return self.state.context(self.stack, self.declarations, self.settings, resources)

    def azure_judged(self) -> list[tuple[Resource, list[Finding]]]:
        """The stack's Azure OpenAI accounts and deployments, each judged with the others: a
        deployment with its account, an account without a location in its group's."""
        azure = [r for r in self.resources if r.resource_type in (*ACCOUNT_TYPES,
                                                                   *DEPLOYMENT_TYPES)]  # fmt: skip
        if not azure:
            return []
        core = [
            Resource(r.resource_type, r.name, linked_props(r, self.props[r.urn]), r.urn)
            for r in azure
        ]
        # Resource groups too: an azure-native account without a location takes its group's.
        groups = [Resource(r.resource_type, r.name, self.props[r.urn], r.urn)
                  for r in self.resources if r.resource_type in RESOURCE_GROUP_TYPES]  # fmt: skip
        ctx = self.context([*core, *groups])
        return [
            (r, judged(api.check_resource(r.type, r.name, r.props, ctx, urn=r.urn), ctx))
            for r in core
        ]


def _report(
    report_violation: ReportViolation,
    findings: Iterable[Finding],
    urn: str | None = None,
    state: PackState | None = None,
) -> None:
    """Each finding as a violation at ``urn`` (the stack's when None), but those a resource
    policy of ``state`` already reported from the resource's inputs."""
    for finding in findings:
        if urn is not None and state is not None and state.was_reported(urn, finding):
            continue  # said from the inputs
        report_violation(violation_text(finding), urn)


def _region_declared(state: PackState) -> StackValidation:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = StackView(state, args)
        ctx = view.context()
        findings = [
            f for f in judged(api.check_stack(ctx), ctx)
            if f.rule in REGION_RULES and not f.suppressed
        ]  # fmt: skip
        pending = []
        if view.unknown_components and not ctx.resolution.declared:
            # The component will declare the region once its output is known: not RG008 yet.
            findings = [f for f in findings if f.rule != "RG008"]
            pending = [f"the region of component '{n}'" for n in view.unknown_components]
        _report(report_violation, findings)
        if pending:
            raise PendingAtPreview(pending)

    return validate


def linked_props(resource: PolicyResource, props: Mapping[str, Any]) -> dict[str, Any]:
    """A deployment's outputs with ``accountName`` naming its account as the core finds it
    (``find_account``: by the account's Pulumi name or its Azure name).

    azure-native outputs hold no ``accountName`` (it is a URL parameter, an input only): the
    link comes from the deployment's dependency on its account (the account's Pulumi name),
    else from the account's Azure name inside the deployment's resource ID, else it is the
    ``accountName`` input (an Azure name) of a preview.
    """
    out = dict(props)
    for dependency in resource.property_dependencies.get("accountName", []):
        if dependency.resource_type in ACCOUNT_TYPES:
            out["accountName"] = dependency.name
            return out
    match = _ACCOUNT_IN_ID.search(str(props.get("id")))
    if match:
        out["accountName"] = match.group(1)
    return out


def _azure_linked(state: PackState) -> StackValidation:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = StackView(state, args)
        pending = []
        for resource, findings in view.azure_judged():
            unknown = unknown_values(resource)
            unknown_paths = {v.path for v in unknown}
            violations = [
                f for f in blocking(findings, (*AZURE_RULES, "RG011"), unknown_paths)
                # RG011: only an account's location neither it nor its group gives
                if f.rule != "RG011" or f.key_path == (resource.name, "location")
            ]  # fmt: skip
            _report(report_violation, violations, resource.urn, state)
            pending += pending_values(resource.type, resource.name, unknown, reads_azure)
        if pending:
            raise PendingAtPreview(pending)

    return validate


def _outputs(state: PackState) -> StackValidation:
    """Error findings in resource outputs and stack exports that no resource policy reported
    from the inputs: a provider may compute a host, and a live value may differ from the
    input that declared it. Violations, as a resource policy's are."""

    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = StackView(state, args)
        ctx = view.context()
        # Every resource, the stack's own (its outputs are the program's exports) and
        # providers included; the other stack policies leave them out.
        azure = (*ACCOUNT_TYPES, *DEPLOYMENT_TYPES)
        resources = [r for r in args.resources if r.resource_type not in azure]
        for resource in resources:
            result = state.resource_result(
                resource.resource_type, resource.name, resource.urn, view.wired[resource.urn], ctx
            )
            violations = blocking(result.findings, OUTPUT_RULES, result.unknown_paths)
            _report(report_violation, violations, resource.urn, state)

    return validate


def openai_markers(
    resource_type: str, name: str, props: Mapping[str, Any], values: Iterable[Value],
    ctx: StackContext,
) -> list[str]:  # fmt: skip
    """What makes a resource carry OpenAI configuration, in a few words each."""
    markers: list[str] = []
    if resource_type == COMPONENT_TYPE:
        markers.append(f"component (region {props.get('region', '?')})")
    if is_openai_account(Resource(resource_type, name, props)):
        markers.append(f"Azure OpenAI account in {props.get('location') or 'the group location'}")
    if resource_type in DEPLOYMENT_TYPES:
        markers.append(f"Azure OpenAI deployment ({sku_name(props) or 'no SKU'})")
    for value in values:
        label = value.name or value.dotted_path()
        if value.unknown:
            if is_endpoint_value(value) or "model" in value.name.lower():
                markers.append(f"{label} ({CHECKED_AT_UP})")
            continue
        hosts = [e.host for e in ctx.endpoints(value)
                 if (e.is_openai_bound or e.setting)
                 and e.kind is not EndpointKind.INVALID]  # fmt: skip
        if hosts:
            markers.append(f"{label} -> {', '.join(dict.fromkeys(hosts))}")
        elif find_keys(value.text):
            markers.append(f"{label}: API key ({'secret' if value.secret else 'plain text'})")
        elif value.name.upper().startswith(_OPENAI_NAMES):
            shown = f" = {value.text.strip()}" if names_model(value) else ""
            markers.append(f"{value.name}{shown}")
    return list(dict.fromkeys(markers))


class MarkerGate(FacetGate):
    """The values ``openai_markers`` reads, for ``resource_values``: the core's facet gate
    (every value with an endpoint, a key's ``sk-`` or text that decodes) and every value under
    a name it reads (an endpoint's or a model's, ``OPENAI_*``). It leaves out only values that
    make no marker, so the markers are those of the full walk."""

    def __init__(self, catalog: Catalog) -> None:
        super().__init__(catalog)
        self._marker_names: dict[str, bool] = {}

    def keep(self, text: str, name: str) -> bool:
        by_name = self._marker_names.get(name)
        if by_name is None:
            by_name = self._marker_names[name] = (
                is_endpoint_name(name)
                or "model" in name.lower()
                or name.upper().startswith(_OPENAI_NAMES)
            )
        return by_name or super().keep(text, name)


def _summary(state: PackState) -> StackValidation:
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        view = StackView(state, args)
        ctx = view.context()
        gate = MarkerGate(ctx.catalog)
        # An Azure account or deployment is judged with the others too (azure-openai-linked):
        # what that finds and does not block (RG011 under `unresolved: warn`, suppressed RG012
        # and RG013) is said here as well.
        linked = {resource.urn: findings for resource, findings in view.azure_judged()}
        lines = []
        for resource in view.resources:
            wired = view.wired[resource.urn]
            props = wired.props
            result = state.resource_result(
                resource.resource_type, resource.name, resource.urn, wired, ctx
            )
            findings = [*result.findings]
            findings += [f for f in linked.get(resource.urn, ()) if f not in result.findings]
            for finding in findings:
                if finding.suppressed:  # accepted in residency-guard.yaml: said here, with why
                    report_violation(redact(suppressed_text(finding)), resource.urn)
                elif finding.severity is not Severity.ERROR:  # warnings never block: said here
                    report_violation(violation_text(finding), resource.urn)
            values = resource_values(
                Resource(resource.resource_type, resource.name, props, resource.urn), gate=gate
            )
            markers = openai_markers(resource.resource_type, resource.name, props, values, ctx)
            if markers:
                lines.append(f"{resource.resource_type} '{resource.name}': {'; '.join(markers)}")
        if not lines:
            return
        region = ctx.resolution
        where = (f"region '{region.region}' from {region.source.value}"
                 if region.region and region.source else "no region declared")  # fmt: skip
        shown = lines[:_MAX_LISTED]
        more = f"\n... and {len(lines) - len(shown)} more" if len(lines) > len(shown) else ""
        report_violation(
            redact(
                f"{len(lines)} resource(s) of stack '{view.stack}' ({where}) carry OpenAI "
                "configuration:\n" + "\n".join(f"- {line}" for line in shown) + more
            ),
            None,
        )

    return validate


def _rule_policy(
    name: str, description: str, validate: StackValidation, rules: Sequence[str], tag: str,
    url_rule: str, schema: PolicyConfigSchema,
) -> StackValidationPolicy:  # fmt: skip
    """A mandatory stack policy whose violations are findings of ``rules``."""
    return StackValidationPolicy(
        name=name,
        description=f"{description} ({', '.join(rules)}).",
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
        config_schema=schema,
        severity=policy_severity(rules),
        tags=["openai", "data-residency", tag],
        remediation_steps=remediation_steps(rules),
        url=RULES[url_rule].source_url,
    )


def stack_policies(state: PackState) -> list[StackValidationPolicy]:
    """The pack's stack policies, sharing ``state`` with its resource policies."""
    schema = config_schema()
    return [
        _rule_policy(REGION_POLICY, "The stack declares exactly one known region",
                     _region_declared(state), REGION_RULES, "region", "RG008", schema),
        _rule_policy(AZURE_POLICY, "Azure OpenAI deployments are judged with their account's "
                     "location", _azure_linked(state), AZURE_RULES, "azure", "RG013", schema),
        _rule_policy(OUTPUTS_POLICY, "Resource outputs and stack exports reach the stack's "
                     "region only", _outputs(state), OUTPUT_RULES, "outputs", "RG001", schema),
        StackValidationPolicy(
            name=SUMMARY_POLICY,
            description="Which resources carry OpenAI configuration, and the warnings that "
            "do not block.",
            validate=_summary(state),
            enforcement_level=EnforcementLevel.ADVISORY,
            config_schema=schema,
            tags=["openai", "data-residency", "summary"],
        ),
    ]  # fmt: skip
