"""Repo-level suppressions in the pack: ``suppressions:`` of the pack's residency-guard.yaml.

The pack reads its settings from the ``residency-guard.yaml`` packaged in its own folder (or
named by ``repoConfig``, else the nearest above the folder in a source checkout): the same file
the CLI and checkov read, applied by the same core function (``apply_suppressions``). What the
pack cannot share with them:

- inline ``# residency-guard: ignore`` comments: the pack sees resources, not files;
- a suppression whose ``file:`` glob names files: the pack's findings lie in no file, so only
  ``file: "*"`` (the default) matches them. ``stack:`` globs match the stack's name.

A suppressed finding blocks nothing; the advisory summary lists it with its reason. An invalid
suppression (RG016) suppresses nothing and is a violation of ``residency-suppressions``.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from pulumi_policy import (
    EnforcementLevel,
    ReportViolation,
    StackValidationArgs,
    StackValidationPolicy,
)

from residency_guard.context import StackContext
from residency_guard.findings import Finding
from residency_guard.rules import RULES
from residency_guard.suppressions import apply_suppressions

from .config import PackSettings, config_schema
from .report import policy_severity, remediation_steps, violation_text

if TYPE_CHECKING:  # state applies ``judged``; the policy only needs the type
    from .state import PackState

POLICY = "residency-suppressions"
RULE = "RG016"


def judged(findings: Iterable[Finding], ctx: StackContext) -> list[Finding]:
    """``findings`` with the repo-level suppressions of ``ctx``'s settings applied (judged on
    today's date, as the CLI does); RG016 about the settings is the stack policy's to report."""
    given = list(findings)
    if not ctx.repo.suppressions:
        return given
    out = apply_suppressions(given, repo=ctx.repo, sources={}, today=datetime.date.today())
    return [f for f in out if f.rule != RULE or f in given]


def suppressed_text(finding: Finding) -> str:
    """A suppressed finding as the advisory summary lists it."""
    assert finding.suppression is not None
    until = f" until {finding.suppression.until}" if finding.suppression.until else ""
    return (
        f"{violation_text(finding)} (suppressed by {finding.suppression.source}{until}: "
        f"{finding.suppression.reason})"
    )


def _invalid_suppressions(state: PackState) -> Callable[[StackValidationArgs, ReportViolation],
                                                        None]:  # fmt: skip
    def validate(args: StackValidationArgs, report_violation: ReportViolation) -> None:
        repo, _ = state.repo_and_catalog(PackSettings.from_config(args.get_config()))
        found = apply_suppressions([], repo=repo, sources={}, today=datetime.date.today())
        for finding in found:
            report_violation(violation_text(finding), None)

    return validate


def suppression_policies(state: PackState) -> list[StackValidationPolicy]:
    """``residency-suppressions``: the settings' suppressions can be honoured (RG016)."""
    return [
        StackValidationPolicy(
            name=POLICY,
            description=f"Suppressions in the pack's residency-guard.yaml are valid ({RULE}).",
            validate=_invalid_suppressions(state),
            enforcement_level=EnforcementLevel.MANDATORY,
            config_schema=config_schema(),
            severity=policy_severity([RULE]),
            tags=["openai", "data-residency", "suppressions"],
            remediation_steps=remediation_steps([RULE]),
            url=RULES[RULE].source_url,
        )
    ]


__all__ = ["POLICY", "judged", "suppressed_text", "suppression_policies"]
