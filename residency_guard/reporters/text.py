"""flake8-like lines, one per finding, and a summary line."""

from __future__ import annotations

from typing import ClassVar

from residency_guard.findings import Finding, Severity
from residency_guard.redact import clean, redact
from residency_guard.reporters.base import RunReport

_RESET = "\x1b[0m"
_BOLD = "\x1b[1m"
_DIM = "\x1b[2m"
_SEVERITY_COLOR = {
    Severity.ERROR: "\x1b[31m",  # red
    Severity.WARNING: "\x1b[33m",  # yellow
    Severity.NOTE: "\x1b[36m",  # cyan
}


def plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class TextReporter:
    """``file:line:col: RG001 [error] message (fix: ...)``; colour only when asked for."""

    name: ClassVar[str] = "text"

    def render(self, report: RunReport) -> str:
        lines = [self.finding_line(f, color=report.color) for f in report.findings]
        lines += [self.error_line(e, color=report.color) for e in report.errors]
        lines.append(self.summary(report, color=report.color))
        return "".join(redact(line) + "\n" for line in lines)

    @staticmethod
    def finding_line(finding: Finding, *, color: bool = False) -> str:
        where = f"{clean(finding.file)}:{finding.line}:{finding.column}:"
        tag = f"[{finding.severity.value}]"
        text = clean(finding.message)
        if finding.fix:
            text += f" (fix: {clean(finding.fix)})"
        suffix = ""
        if finding.suppression is not None:
            suffix = f" (suppressed: {clean(finding.suppression.reason)})"
        if not color:
            return f"{where} {finding.rule} {tag} {text}{suffix}"
        if finding.suppression is not None:  # accepted: shown, but out of the way
            return f"{_DIM}{where} {finding.rule} {tag} {text}{suffix}{_RESET}"
        tag = f"{_SEVERITY_COLOR[finding.severity]}{tag}{_RESET}"
        return f"{_BOLD}{where}{_RESET} {finding.rule} {tag} {text}"

    @staticmethod
    def error_line(error: str, *, color: bool = False) -> str:
        label = f"{_SEVERITY_COLOR[Severity.ERROR]}error:{_RESET}" if color else "error:"
        return f"{label} {clean(error)}"

    @staticmethod
    def summary(report: RunReport, *, color: bool = False) -> str:
        """``3 findings (2 errors, 1 warning) in 4 files``, or ``no findings in 4 files``.

        Suppressed findings and input errors are counted after it when there are any.
        """
        active = report.active
        files = plural(len(report.scanned), "file")
        if active:
            counts = ", ".join(
                plural(n, severity.value) for severity, n in report.by_severity().items() if n
            )
            text = f"{plural(len(active), 'finding')} ({counts}) in {files}"
        else:
            text = f"no findings in {files}"
        if report.suppressed:
            text += f", {len(report.suppressed)} suppressed"
        if report.errors:
            text += f", {plural(len(report.errors), 'input error')}"
        return f"{_BOLD}{text}{_RESET}" if color else text
