"""Findings: what a rule says about one place in one file."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from enum import Enum


class Severity(str, Enum):
    """How bad a finding is; ordered so that ``--fail-on`` can compare."""

    NOTE = "note"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _RANK[self]

    def at_least(self, other: Severity) -> bool:
        return self.rank >= other.rank


_RANK = {Severity.NOTE: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column are 1-based, 0 where the format has none."""

    file: str
    line: int = 0
    column: int = 0


@dataclass(frozen=True)
class Suppression:
    """Why a finding is accepted, and until when."""

    reason: str
    until: str | None = None  # ISO date
    source: str = ""  # where the suppression was written ("file:line" or "residency-guard.yaml")


@dataclass(frozen=True)
class Finding:
    """One rule's verdict on one value. Messages never hold a secret (see ``redact``)."""

    rule: str
    severity: Severity
    file: str
    line: int
    column: int
    message: str
    fix: str
    stack: str = ""
    region: str = ""
    path: str = (
        ""  # the key path inside the document, e.g. "config.app:url" or "resources[3].inputs.env"
    )
    suppression: Suppression | None = None
    # The same path as keys and indexes: the dotted form is ambiguous (``{"a.b": x}`` and
    # ``{"a": {"b": y}}``), so whatever compares places compares these. Never printed.
    key_path: tuple[str | int, ...] = field(default=(), repr=False)

    @property
    def location(self) -> Location:
        return Location(self.file, self.line, self.column)

    @property
    def suppressed(self) -> bool:
        return self.suppression is not None

    def suppressed_by(self, suppression: Suppression) -> Finding:
        return dataclasses.replace(self, suppression=suppression)

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.rule, self.message)

    def to_dict(self) -> dict[str, object]:
        """The stable JSON shape documented in the README."""
        data: dict[str, object] = {
            "rule": self.rule,
            "severity": self.severity.value,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
            "fix": self.fix,
            "stack": self.stack,
            "region": self.region,
            "path": self.path,
        }
        if self.suppression is not None:
            data["suppression"] = dataclasses.asdict(self.suppression)
        return data
