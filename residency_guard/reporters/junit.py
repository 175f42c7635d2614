"""JUnit XML: one test case per finding and per clean file, so CI shows what was checked.

``junit_xml`` is imported here, when a JUnit report is asked for, and nowhere else.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from residency_guard.findings import Finding
from residency_guard.redact import redact
from residency_guard.reporters.base import TOOL_NAME, RunReport

# What XML 1.0 allows (https://www.w3.org/TR/xml/#charsets); anything else, a NUL, an escape
# or a lone surrogate, would make the document unreadable, so it is dropped.
_NOT_XML = "[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"


def xml_text(text: str) -> str:
    """``text`` redacted and stripped of the characters XML 1.0 cannot hold."""
    # re's cache holds the compiled pattern: compiling it at import cost every run 10 ms.
    return re.sub(_NOT_XML, "", redact(text))


class JUnitReporter:
    """One test suite "residency-guard".

    A finding at or above ``--fail-on`` is a failure, one below it a passing case with the
    finding in its output, a suppressed one is skipped with its reason; an input error is an
    error case; a scanned file without findings is a passing case "no findings".
    """

    name: ClassVar[str] = "junit"

    def render(self, report: RunReport) -> str:
        import junit_xml  # type: ignore[import-untyped]

        cases = [self.finding_case(junit_xml, report, f) for f in report.findings]
        cases += [self.error_case(junit_xml, i, e) for i, e in enumerate(report.errors, 1)]
        with_findings = {f.file for f in report.findings}
        cases += [
            junit_xml.TestCase(name="no findings", classname=xml_text(file))
            for file in report.scanned
            if file not in with_findings
        ]
        suite = junit_xml.TestSuite(TOOL_NAME, cases)
        text: str = junit_xml.to_xml_report_string([suite], prettyprint=True, encoding="utf-8")
        return text

    @staticmethod
    def finding_case(junit_xml: Any, report: RunReport, finding: Finding) -> Any:
        line = f"{finding.file}:{finding.line}:{finding.column}: {finding.rule} "
        line += f"[{finding.severity.value}] {finding.message}"
        if finding.fix:
            line += f" (fix: {finding.fix})"
        case = junit_xml.TestCase(
            name=xml_text(f"{finding.rule} {finding.file}:{finding.line}"),
            classname=xml_text(finding.file),
            file=xml_text(finding.file),
            line=str(finding.line) if finding.line > 0 else None,
        )
        if finding.suppression is not None:
            case.add_skipped_info(
                message=xml_text(f"suppressed: {finding.suppression.reason}"),
                output=xml_text(line),
            )
        elif report.fails(finding):
            case.add_failure_info(
                message=xml_text(finding.message),
                output=xml_text(line),
                failure_type=finding.severity.value,
            )
        else:  # below --fail-on: it passes, and still says what it saw
            case.stdout = xml_text(line)
        return case

    @staticmethod
    def error_case(junit_xml: Any, number: int, error: str) -> Any:
        case = junit_xml.TestCase(name=f"input error {number}", classname=f"{TOOL_NAME}.input")
        case.add_error_info(message=xml_text(error), error_type="input-error")
        return case
