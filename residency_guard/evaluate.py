"""Run the rule set over a stack: its values, its resources, the stack itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from residency_guard.context import Resource, StackContext
from residency_guard.facets import FacetGate, facets_of
from residency_guard.findings import Finding
from residency_guard.rules import RULES, Rule
from residency_guard.values import Gate, Value, walk_data

# Inputs that hold no configuration of the user's: the serialized dynamic provider.
SKIPPED_PROPS = frozenset({"__provider"})


def evaluate_values(
    values: Iterable[Value], ctx: StackContext, rules: Mapping[str, Rule] = RULES
) -> list[Finding]:
    """Every value rule over every value that has a facet the rule reads."""
    # Only the rules that read values: a stack or resource rule's check_value is the base
    # class's no-op, and calling it for each of a preview's million values costs seconds.
    active = _value_checks(rules)
    findings: list[Finding] = []
    for value in values:
        facets = facets_of(value, ctx)
        if not facets:
            continue  # nearly every value: one look instead of a call to every rule
        for check, reads in active:
            if facets & reads:
                findings.extend(check(value, ctx))
    return findings


ValueCheck = tuple[Callable[[Value, StackContext], Iterable[Finding]], int]
_DEFAULT_CHECKS: list[ValueCheck] = []


def _value_checks(rules: Mapping[str, Rule]) -> list[ValueCheck]:
    """(check_value, the facets it reads) of each rule that reads values; once for RULES."""
    if rules is RULES and _DEFAULT_CHECKS:
        return _DEFAULT_CHECKS
    checks: list[ValueCheck] = [
        (rule.check_value, int(rule.reads)) for rule in rules.values() if _reads_values(rule)
    ]
    if rules is RULES:
        _DEFAULT_CHECKS[:] = checks
    return checks


def _reads_values(rule: Rule) -> bool:
    """Whether ``rule`` has a check_value of its own (a subclass's or an instance's)."""
    return getattr(rule.check_value, "__func__", None) is not Rule.check_value


ResourceCheck = Callable[[Resource, StackContext], Iterable[Finding]]
_DEFAULT_RESOURCE_CHECKS: list[ResourceCheck] = []


def _resource_checks(rules: Mapping[str, Rule]) -> list[ResourceCheck]:
    """check_resource of each rule that has its own: two of them, asked about every resource."""
    if rules is RULES and _DEFAULT_RESOURCE_CHECKS:
        return _DEFAULT_RESOURCE_CHECKS
    checks: list[ResourceCheck] = [
        rule.check_resource
        for rule in rules.values()
        if getattr(rule.check_resource, "__func__", None) is not Rule.check_resource
    ]
    if rules is RULES:
        _DEFAULT_RESOURCE_CHECKS[:] = checks
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
    for check in _resource_checks(rules):
        findings.extend(check(resource, ctx))
    return findings


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
