"""Reporters, chosen by name: ``get_reporter("sarif")().render(report)``.

Each reporter is its own module; SARIF and JUnit import their libraries only when they render.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from residency_guard.errors import ConfigError
from residency_guard.reporters.base import Reporter, RunReport
from residency_guard.reporters.json import JsonReporter
from residency_guard.reporters.junit import JUnitReporter
from residency_guard.reporters.sarif import SarifReporter
from residency_guard.reporters.text import TextReporter

REPORTERS: Mapping[str, type[Reporter]] = MappingProxyType(
    {
        "text": TextReporter,
        "json": JsonReporter,
        "sarif": SarifReporter,
        "junit": JUnitReporter,
    }
)


def get_reporter(name: str) -> type[Reporter]:
    """The reporter called ``name``."""
    try:
        return REPORTERS[name]
    except KeyError:
        choices = ", ".join(REPORTERS)
        raise ConfigError(f"unknown report format '{name}'", fix=f"use one of {choices}") from None


__all__ = ["REPORTERS", "Reporter", "RunReport", "get_reporter"]
