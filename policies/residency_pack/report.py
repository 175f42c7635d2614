"""Core findings as Pulumi violations: message, severity, remediation steps, unknown values.

Every text a violation carries passes through ``redact``: the core's messages already have,
and the pack's own words (paths, names, summaries) may quote a value too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Container, Iterable, Sequence

from pulumi_policy import Severity as PolicySeverity
from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from residency_guard.findings import Finding, Severity
from residency_guard.redact import redact
from residency_guard.rules import RULES
from residency_guard.values import Value

_SEVERITY = {
    Severity.NOTE: PolicySeverity.LOW,
    Severity.WARNING: PolicySeverity.MEDIUM,
    Severity.ERROR: PolicySeverity.HIGH,
}
_SECTION = re.compile(r"^## (?P<title>.+)$", re.MULTILINE)
CHECKED_AT_UP = "unknown during preview; it will be checked at `pulumi up`"
_PENDING = "value(s) were unknown during preview and will be checked at `pulumi up`"


def reported_by(policy: str) -> tuple[str, ...]:
    """The core rules that name ``policy`` among their ``pack_policies``, by ID."""
    rules = tuple(rule.id for rule in RULES.values() if policy in rule.pack_policies)
    if not rules:  # a policy no rule names would report nothing and block nothing
        raise RuntimeError(f"no rule names the pack policy '{policy}'")
    return rules


def violation_text(finding: Finding) -> str:
    """``[RG001] <message> (at <path>). Fix: <fix>``, one line, redacted."""
    where = f" (at {finding.path})" if finding.path else ""
    fix = f". Fix: {finding.fix}" if finding.fix else ""
    return redact(" ".join(f"[{finding.rule}] {finding.message}{where}{fix}".split()))


def policy_severity(rule_ids: Iterable[str]) -> PolicySeverity:
    """The highest severity among the core rules a policy reports."""
    worst = max((RULES[r].severity for r in rule_ids), key=lambda s: s.rank)
    return _SEVERITY[worst]


def doc_section(rule_id: str, title: str) -> str:
    """One section (``Use instead``, ``What it does``) of a core rule's documentation."""
    doc = RULES[rule_id].documentation()
    parts = _SECTION.split(doc)
    # split() gives [preamble, title1, body1, title2, body2, ...]
    for heading, body in zip(parts[1::2], parts[2::2], strict=True):
        if heading.strip().lower() == title.lower():
            return body.strip()
    return ""


def remediation_steps(rule_ids: Sequence[str]) -> str:
    """What each rule asks for instead, from its documentation (``residency-guard explain``)."""
    steps = []
    for rule_id in rule_ids:
        rule = RULES[rule_id]
        steps.append(f"{rule_id} ({rule.title}):\n{doc_section(rule_id, 'Use instead')}")
    steps.append("Run `residency-guard explain <RULE>` for the full explanation of a rule.")
    return "\n\n".join(steps)


def resource_label(resource_type: str, name: str) -> str:
    return f"{resource_type} '{name}'"


def blocking(
    findings: Iterable[Finding],
    rules: Container[str],
    unknown_paths: Container[tuple[str | int, ...]],
) -> list[Finding]:
    """The findings of ``rules`` that are violations: errors, but none located at a value
    unknown at preview (RG011's "only known at up", RG012 reading the sentinel as a
    location): ``pending_values`` says those are pending. Places are compared as key tuples:
    a dotted path is ambiguous (``{"a.b": unknown, "a": {"b": "https://api.openai.com"}}``)."""
    return [
        f for f in findings
        if f.rule in rules and f.severity is Severity.ERROR and f.key_path not in unknown_paths
        and not f.suppressed  # a repo-level suppression accepted it (suppress.py)
    ]  # fmt: skip


def pending_values(
    resource_type: str,
    name: str,
    values: Iterable[Value],
    reads: Callable[[str, Value], bool],
) -> list[str]:
    """The unknown values a policy ``reads``, each as "<resource>: <name> at <path>"."""
    return [
        f"{resource_label(resource_type, name)}: {value.name or 'a value'} at {value.dotted_path()}"
        for value in values
        if value.unknown and reads(resource_type, value)
    ]


class PendingAtPreview(UnknownValueError):
    """Values a policy could not judge at preview. The SDK reports this exception as an
    ADVISORY diagnostic, whatever the policy's enforcement level, with ``message`` after
    "can't run policy '<name>' from policy pack '<pack>@v<version>' during preview: "."""

    def __init__(self, what: Sequence[str]) -> None:
        super().__init__(UNKNOWN_STRING_VALUE, [])
        self.message = redact(f"{len(what)} {_PENDING}: " + "; ".join(what))
