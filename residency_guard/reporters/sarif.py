"""SARIF 2.1.0 as GitHub code scanning accepts it, built with ``sarif_om``.

Only the rules that matched are listed (as cfn-lint does); ``sarif_om`` is imported here, when
a SARIF report is asked for, and nowhere else.
"""

from __future__ import annotations

import hashlib
import re
import urllib.parse
from typing import Any, ClassVar

from residency_guard.findings import Finding, Severity
from residency_guard.reporters.base import TOOL_NAME, TOOL_URI, RunReport
from residency_guard.rules import get_rule
from residency_guard.writing import json_text

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
SARIF_VERSION = "2.1.0"
SRCROOT = "%SRCROOT%"
FINGERPRINT_KEY = "residencyGuard/v1"

_DRIVE = re.compile(r"[A-Za-z]:/")  # a Windows absolute path, after backslashes became slashes
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.NOTE: "note"}


def fingerprint(finding: Finding) -> str:
    """A stable hash of rule, file and message: the same finding keeps it from run to run."""
    key = "\0".join((finding.rule, finding.file, finding.message))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def artifact_uri(file: str) -> tuple[str, str | None]:
    """A file as SARIF's ``uri`` and ``uriBaseId``: relative paths as given, under %SRCROOT%.

    Backslashes become slashes and characters a URI cannot hold are percent-encoded
    (``my stack.yaml`` is ``my%20stack.yaml``); an absolute path becomes a ``file:`` URI.
    """
    path = file.replace("\\", "/")
    if path.startswith("/") or _DRIVE.match(path):
        absolute = path if path.startswith("/") else "/" + path
        return "file://" + urllib.parse.quote(absolute, safe="/:", errors="surrogateescape"), None
    return urllib.parse.quote(path, safe="/", errors="surrogateescape"), SRCROOT


def to_json(obj: Any) -> Any:
    """``sarif_om``'s attrs objects as JSON data, keyed by each field's ``schema_property_name``.

    ``None`` and values equal to their field's default are dropped (SARIF reads an absent
    property as that default), except ``level``: an absent level is read from the rule's
    ``defaultConfiguration``, not as ``sarif_om``'s default "warning". attrs is read through
    ``__attrs_attrs__``, so that it is no import of ours.
    """
    fields = getattr(type(obj), "__attrs_attrs__", None)
    if fields is not None:
        data: dict[str, Any] = {}
        for field in fields:
            value = getattr(obj, field.name)
            name = field.metadata["schema_property_name"]
            if value is None or (name not in _ALWAYS and _is_default(field.default, value)):
                continue
            data[name] = to_json(value)
        return data
    if isinstance(obj, dict):
        return {str(k): to_json(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_json(v) for v in obj]
    return obj


_ALWAYS = frozenset({"level"})


def _is_default(default: Any, value: Any) -> bool:
    factory = getattr(default, "factory", None)  # attr.Factory: sarif_om's list defaults
    return bool(value == (factory() if factory is not None else default))


class SarifReporter:
    """One run; results point at ``%SRCROOT%``-relative files with 1-based regions."""

    name: ClassVar[str] = "sarif"

    def render(self, report: RunReport) -> str:
        return json_text(to_json(self.log(report)))

    def log(self, report: RunReport) -> Any:
        import sarif_om as om  # type: ignore[import-untyped]

        rule_ids = sorted({f.rule for f in report.findings})
        index = {rule_id: i for i, rule_id in enumerate(rule_ids)}
        driver = om.ToolComponent(
            name=TOOL_NAME,
            version=report.tool_version,
            information_uri=TOOL_URI,
            rules=[self.descriptor(om, rule_id) for rule_id in rule_ids],
        )
        invocation = om.Invocation(
            execution_successful=not report.errors,
            tool_execution_notifications=[
                om.Notification(message=om.Message(text=error), level="error")
                for error in report.errors
            ]
            or None,
        )
        run = om.Run(
            tool=om.Tool(driver=driver),
            invocations=[invocation],
            results=[self.result(om, f, index[f.rule]) for f in report.findings],
            column_kind="unicodeCodePoints",
        )
        return om.SarifLog(schema_uri=SCHEMA_URI, version=SARIF_VERSION, runs=[run])

    @staticmethod
    def descriptor(om: Any, rule_id: str) -> Any:
        rule = get_rule(rule_id)
        if rule is None:  # a finding of a rule we do not ship: describe it by its id alone
            return om.ReportingDescriptor(id=rule_id)
        documentation = rule.documentation()
        return om.ReportingDescriptor(
            id=rule.id,
            name=rule.name,
            short_description=om.MultiformatMessageString(text=rule.title),
            full_description=om.MultiformatMessageString(text=rule.summary()),
            help=om.MultiformatMessageString(text=documentation, markdown=documentation),
            help_uri=rule.source_url,
            default_configuration=om.ReportingConfiguration(level=LEVELS[rule.severity]),
            properties=om.PropertyBag(tags=list(rule.tags)) if rule.tags else None,
        )

    @staticmethod
    def result(om: Any, finding: Finding, rule_index: int) -> Any:
        text = finding.message
        if finding.fix:
            text += f" Fix: {finding.fix}"
        uri, base = artifact_uri(finding.file)
        region = om.Region(
            start_line=max(finding.line, 1),  # GitHub requires startLine >= 1
            start_column=finding.column if finding.column > 0 else None,
        )
        location = om.Location(
            physical_location=om.PhysicalLocation(
                artifact_location=om.ArtifactLocation(uri=uri, uri_base_id=base),
                region=region,
            )
        )
        suppressions = None
        if finding.suppression is not None:
            suppressions = [
                om.Suppression(kind="external", justification=finding.suppression.reason)
            ]
        return om.Result(
            message=om.Message(text=text),
            rule_id=finding.rule,
            rule_index=rule_index,
            level=LEVELS[finding.severity],
            locations=[location],
            partial_fingerprints={FINGERPRINT_KEY: fingerprint(finding)},
            suppressions=suppressions,
        )
