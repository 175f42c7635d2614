"""The one interface every reporter has, and the run it reports on."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Protocol

from residency_guard.findings import Finding, Severity

# Most severe first: the order summaries list severities in.
SEVERITY_ORDER: tuple[Severity, ...] = (Severity.ERROR, Severity.WARNING, Severity.NOTE)


@dataclass(frozen=True)
class RunReport:
    """What one run found, as every reporter receives it.

    ``findings`` are sorted and redacted by the rules already; reporters redact again anyway,
    as a second guard, every string they emit.
    """

    findings: Sequence[Finding]
    scanned: Sequence[str]  # the files scanned, as given
    errors: Sequence[str]  # one-line input errors
    tool_version: str
    fail_on: Severity
    color: bool = False  # text only; the CLI decides (a terminal and no NO_COLOR)

    @property
    def active(self) -> list[Finding]:
        """The findings that are not suppressed."""
        return [f for f in self.findings if f.suppression is None]

    @property
    def suppressed(self) -> list[Finding]:
        return [f for f in self.findings if f.suppression is not None]

    def by_severity(self) -> Mapping[Severity, int]:
        """Active findings per severity, every severity present, most severe first."""
        counts = Counter(f.severity for f in self.active)
        return {severity: counts[severity] for severity in SEVERITY_ORDER}

    def fails(self, finding: Finding) -> bool:
        """Whether ``finding`` fails the run (``--fail-on``); suppressed findings never do."""
        return finding.suppression is None and finding.severity.at_least(self.fail_on)


class Reporter(Protocol):
    """Renders a run as one document; chosen by ``name`` from ``REPORTERS``."""

    name: ClassVar[str]

    def render(self, report: RunReport) -> str: ...


TOOL_NAME = "residency-guard"
TOOL_URI = "https://github.com/residency-guard/residency-guard"
