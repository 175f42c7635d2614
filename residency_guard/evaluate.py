"""Run the rule set over a stack: its values, its resources, the stack itself."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping

from residency_guard.context import Resource, StackContext
from residency_guard.endpoints import sdk_assignments
from residency_guard.envblocks import KEY_VAR, EnvBlock, env_blocks
from residency_guard.facets import FacetGate, facets_of
from residency_guard.findings import Finding
from residency_guard.rules import RULES, Rule
from residency_guard.sdkvars import sdk_environment
from residency_guard.values import Gate, Value, walk_data

# Inputs that hold no configuration of the user's: the serialized dynamic provider.
SKIPPED_PROPS = frozenset({"__provider"})


def evaluate_values(
    values: Iterable[Value], ctx: StackContext, rules: Mapping[str, Rule] = RULES
) -> list[Finding]:
    """Every value rule over every value that has a facet the rule reads."""
    # Only the rules that read values: a stack or resource rule's check_value is the base
    # class's no-op, and calling it for each of a preview's million values costs seconds.
    active = _own_checks(rules, "check_value")
    findings: list[Finding] = []
    values = list(values)
    # The scope's SDK variables, named or written as NAME=value (RG020 reads them together).
    outer, ctx.sdk_env = ctx.sdk_env, sdk_environment(values, sdk_assignments)
    outer_values, ctx.scope_values = ctx.scope_values, values
    try:
        for value in values:
            facets = facets_of(value, ctx)
            if not facets:
                continue  # nearly every value: one look instead of a call to every rule
            for check, reads in active:
                if facets & reads:
                    findings.extend(check(value, ctx))
    finally:
        ctx.sdk_env, ctx.scope_values = outer, outer_values
    return findings


Check = tuple[Callable[..., Iterable[Finding]], int]
_DEFAULT_CHECKS: dict[str, list[Check]] = {}


def _own_checks(rules: Mapping[str, Rule], method: str) -> list[Check]:
    """(the rule's ``method``, the facets it reads) of each rule with a ``method`` of its own (a
    subclass's or an instance's): the base class's is a no-op. Worked out once for RULES."""
    if rules is RULES and method in _DEFAULT_CHECKS:
        return _DEFAULT_CHECKS[method]
    base = getattr(Rule, method)
    checks: list[Check] = [
        (getattr(rule, method), int(rule.reads))
        for rule in rules.values()
        if getattr(getattr(rule, method), "__func__", None) is not base
    ]
    if rules is RULES:
        _DEFAULT_CHECKS[method] = checks
    return checks


def resource_values(
    resource: Resource, prefix: tuple[str | int, ...] = (), gate: Gate | None = None
) -> Iterable[Value]:
    """A resource's property values, located at the resource where the format has no lines;
    with ``gate``, only the strings it keeps (``walk_data``)."""
    props = resource.props
    if not SKIPPED_PROPS.isdisjoint(props):
        props = {k: v for k, v in props.items() if k not in SKIPPED_PROPS}
    for value in walk_data(props, (resource.name, *prefix), gate=gate):
        if value.line or not resource.line:
            yield value
        else:
            yield Value(
                value.path, value.text, value.name, resource.line, 1,
                secret=value.secret, unknown=value.unknown, decoded=value.decoded,
            )  # fmt: skip


def evaluate_resource(
    resource: Resource, ctx: StackContext, rules: Mapping[str, Rule] = RULES
) -> list[Finding]:
    """Value rules over a resource's properties, then the rules about the resource as a whole."""
    # Only the strings that may have a facet become values: the rest could not be judged.
    values = resource_values(resource, gate=FacetGate(ctx.catalog))
    findings = evaluate_values(values, ctx, rules)
    # Two rules of seventeen have a resource check; the others' would be called for nothing.
    for check, _ in _own_checks(rules, "check_resource"):
        findings.extend(check(resource, ctx))
    if ctx.residency is not None and _mentions_key(resource.props):
        located = [_at_resource(b, resource) for b in env_blocks(resource.props, (resource.name,))]
        findings.extend(evaluate_env_blocks(located, ctx, rules))
    return findings


def evaluate_env_blocks(
    blocks: Iterable[EnvBlock], ctx: StackContext, rules: Mapping[str, Rule] = RULES
) -> list[Finding]:
    """The env rules over the variables each process receives together (``envblocks``): a
    dotenv file, an ESC environment's ``environmentVariables``, a container's env."""
    checks = _own_checks(rules, "check_env")
    return [finding for block in blocks for check, _ in checks for finding in check(block, ctx)]


def _mentions_key(props: Mapping[str, object]) -> bool:
    """A cheap look before the walk: the key's variable name in the resource at all (in a
    JSON string too). Nearly every resource of a preview has none."""
    return KEY_VAR in repr(props)


def _at_resource(block: EnvBlock, resource: Resource) -> EnvBlock:
    """Entries without a line of their own (a preview's JSON) located at the resource."""
    if not resource.line or all(e.line for e in block.entries):
        return block
    entries = tuple(
        e if e.line else dataclasses.replace(e, line=resource.line, column=1) for e in block.entries
    )
    return dataclasses.replace(block, entries=entries)


def evaluate_stack(ctx: StackContext, rules: Mapping[str, Rule] = RULES) -> list[Finding]:
    """The rules about the stack as a whole: its region, its file's YAML."""
    findings: list[Finding] = []
    for rule in rules.values():
        findings.extend(rule.check_stack(ctx))
    return findings


def unique(findings: Iterable[Finding]) -> list[Finding]:
    """Findings in file order, each reported once (an alias or a copy in outputs repeats it)."""
    seen: set[tuple[str, str, int, int, str]] = set()
    out = []
    for finding in sorted(findings, key=Finding.sort_key):
        key = (finding.rule, finding.file, finding.line, finding.column, finding.message)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out
