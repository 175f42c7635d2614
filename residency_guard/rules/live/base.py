"""A live rule: a :class:`Rule` whose findings point at a declaration or at the endpoint."""

from __future__ import annotations

from dataclasses import dataclass

from residency_guard.findings import Finding, Severity
from residency_guard.redact import redact
from residency_guard.rules.base import Rule


@dataclass(frozen=True)
class Subject:
    """Where a live finding points: a model in a stack file, the region key, or the endpoint.

    Without a stack file, ``file`` is the endpoint as ``host[:port]/path``.
    """

    file: str
    line: int = 0
    column: int = 0
    path: str = ""
    stack: str = ""
    region: str = ""


class VerifyRule(Rule):
    """A rule judged against the live endpoint (``residency-guard verify``), not a file."""

    tags = ("live",)

    @property
    def checkov_id(self) -> str:
        return ""  # judged against a live endpoint: checkov never sees these

    def verdict(
        self, subject: Subject, message: str, fix: str = "", *, severity: Severity | None = None
    ) -> Finding:
        """A finding of this rule; message and fix are redacted here, as ``Rule.finding`` does."""
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            file=subject.file,
            line=subject.line,
            column=subject.column,
            message=redact(message),
            fix=redact(fix),
            stack=subject.stack,
            region=subject.region,
            path=subject.path,
        )
