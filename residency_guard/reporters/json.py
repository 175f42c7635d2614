"""The stable JSON report (schema version 1), documented in the README."""

from __future__ import annotations

from typing import ClassVar

from residency_guard.reporters.base import TOOL_NAME, RunReport
from residency_guard.writing import json_text

SCHEMA_VERSION = 1


class JsonReporter:
    """One JSON object: tool, findings (``Finding.to_dict`` order), errors, scanned, summary.

    Schema version 1::

        {"version": 1,
         "tool": {"name": "residency-guard", "version": "0.1.0"},
         "findings": [{"rule", "severity", "file", "line", "column", "message", "fix",
                       "stack", "region", "path", "suppression"?: {"reason", "until", "source"}}],
         "errors": ["<one-line input error>"],
         "scanned": ["<file>"],
         "summary": {"findings": <active>, "errors": <input errors>,
                     "by_severity": {"error": n, "warning": n, "note": n},
                     "suppressed": <suppressed>}}

    ``summary.findings`` and ``by_severity`` count the findings that are not suppressed;
    ``summary.findings + summary.suppressed == len(findings)``.
    """

    name: ClassVar[str] = "json"

    def render(self, report: RunReport) -> str:
        return json_text(self.document(report))

    @staticmethod
    def document(report: RunReport) -> dict[str, object]:
        return {
            "version": SCHEMA_VERSION,
            "tool": {"name": TOOL_NAME, "version": report.tool_version},
            "findings": [finding.to_dict() for finding in report.findings],
            "errors": list(report.errors),
            "scanned": list(report.scanned),
            "summary": {
                "findings": len(report.active),
                "errors": len(report.errors),
                "by_severity": {s.value: n for s, n in report.by_severity().items()},
                "suppressed": len(report.suppressed),
            },
        }
