"""The checkov front end's core half, in-process (no checkov needed): verdicts, memo, logs."""

from __future__ import annotations

import logging
import shutil
import sys
from pathlib import Path

import pytest

from residency_guard import checkov_support
from residency_guard.checkov_support import (
    CHECKOV_RULES,
    CHECKOV_SEVERITY,
    CheckovRun,
    RedactingLogFilter,
    Status,
    judge,
    scrub_log_text,
)
from residency_guard.findings import Severity
from residency_guard.rules import RULES
from residency_guard.scanners.discover import Target

from .conftest import CANARY


@pytest.mark.parametrize(
    ("file", "framework", "rule", "status"),
    [
        ("shop/Pulumi.prod-eu.yaml", "yaml", "RG001", Status.FAILED),
        ("shop/Pulumi.prod-eu.yaml", "yaml", "RG004", Status.SKIPPED),  # suppressed inline
        ("shop/Pulumi.prod-eu.yaml", "yaml", "RG008", Status.PASSED),
        ("shop/Pulumi.staging.yaml", "yaml", "RG001", Status.FAILED),  # Pulumi.yaml's default
        ("shop/Pulumi.staging.yaml", "yaml", "RG008", Status.PASSED),
        ("lab/Pulumi.lab.yaml", "yaml", "RG008", Status.FAILED),
        ("shop/Pulumi.broken-eu.yaml", "yaml", "RG001", Status.FAILED),  # refused: fail closed
        ("other/workflow.yml", "yaml", "RG001", Status.UNKNOWN),  # not a stack file
        ("other/workflow.yml", "yaml", "RG007", Status.PASSED),
        ("other/deployment.yaml", "yaml", "RG007", Status.FAILED),
        ("shop/Pulumi.yaml", "yaml", "RG008", Status.PASSED),  # judged with its stacks
        ("defaults/Pulumi.yaml", "yaml", "RG001", Status.FAILED),  # a default prod-eu inherits
        ("defaults/Pulumi.prod-eu.yaml", "yaml", "RG001", Status.PASSED),  # lies in Pulumi.yaml
        ("defaults/Pulumi.prod-eu-own.yaml", "yaml", "RG001", Status.PASSED),
        ("preview.json", "json", "RG012", Status.FAILED),
        ("state.json", "json", "RG007", Status.FAILED),
        ("other/settings.json", "json", "RG001", Status.UNKNOWN),  # not a preview or state
        ("other/settings.json", "json", "RG007", Status.PASSED),
        ("other/broken.json", "json", "RG007", Status.FAILED),  # unparsable: read as text
        ("other/broken.json", "json", "RG001", Status.UNKNOWN),
    ],
)
def test_verdicts(fixture_tree: Path, file: str, framework: str, rule: str, status: Status) -> None:
    assert judge(rule, fixture_tree / file, framework).status is status


def test_verdict_info_holds_no_value(fixture_tree: Path) -> None:
    verdict = judge("RG007", fixture_tree / "shop/Pulumi.prod-eu.yaml", "yaml")
    assert verdict.info == {
        "rule": "RG007", "findings": "1", "lines": "11", "paths": "config.app:apiKey",
        "details": "residency-guard check",
    }  # fmt: skip
    assert judge("RG001", fixture_tree / "shop/Pulumi.broken-eu.yaml", "yaml").info == {
        "rule": "RG001", "error": "InputError",
    }  # fmt: skip


def test_a_file_is_scanned_once_for_every_check(
    fixture_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stack = tmp_path / "Pulumi.prod-eu.yaml"
    shutil.copy(fixture_tree / "shop/Pulumi.prod-eu.yaml", stack)
    calls: list[Path] = []
    real = checkov_support.scan_target

    def counting(target: Target, *args: object, **kwargs: object) -> object:
        calls.append(target.path)
        return real(target, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(checkov_support, "scan_target", counting)
    run = CheckovRun()  # what every check of a checkov process shares
    verdicts = {rule: run.judge(rule, stack, "yaml").status for rule in CHECKOV_RULES}
    assert len(calls) == 1
    assert verdicts["RG001"] is Status.FAILED
    stack.write_text("config:\n  residency-guard:region: eu\n", encoding="utf-8")
    assert run.judge("RG001", stack, "yaml").status is Status.PASSED  # changed: scanned again
    assert len(calls) == 2


def test_a_new_repo_config_is_read_in_the_same_run(tmp_path: Path) -> None:
    run = CheckovRun()
    for name in ("prod", "prod-2"):
        (tmp_path / f"Pulumi.{name}.yaml").write_text("config:\n  app:name: shop\n", "utf-8")
    assert run.judge("RG008", tmp_path / "Pulumi.prod.yaml", "yaml").status is Status.FAILED
    (tmp_path / "residency-guard.yaml").write_text('stacks:\n  "prod*": eu\n', "utf-8")
    assert run.judge("RG008", tmp_path / "Pulumi.prod-2.yaml", "yaml").status is Status.PASSED


def test_a_run_stays_bounded_and_judges_as_a_fresh_one(fixture_tree: Path, tmp_path: Path) -> None:
    run = CheckovRun()
    run.judgements.limit = 3
    files = []
    for number in range(8):
        stack = tmp_path / f"Pulumi.prod-eu-{number}.yaml"
        shutil.copy(fixture_tree / "shop/Pulumi.prod-eu.yaml", stack)
        files.append(stack)
    for _ in range(2):
        for stack in files:
            assert run.judge("RG001", stack, "yaml") == judge("RG001", stack, "yaml")
    assert len(run.judgements) == 3


def test_rules_without_a_check_are_refused() -> None:
    with pytest.raises(ValueError, match="RG016"):
        judge("RG016", "Pulumi.x.yaml", "yaml")


def test_every_rule_but_rg016_has_a_check() -> None:
    assert set(CHECKOV_RULES) == set(RULES) - {"RG016"}


def test_severity_maps_every_level() -> None:
    assert CHECKOV_SEVERITY == {
        Severity.ERROR: "HIGH", Severity.WARNING: "MEDIUM", Severity.NOTE: "LOW",
    }  # fmt: skip


def test_pyyaml_snippets_and_keys_are_scrubbed_from_logs() -> None:
    message = (
        "Fail to load yaml content, mapping values are not allowed here\n"
        '  in "<unicode string>", line 3, column 72:\n'
        "     ... YCANARYCANARYCANARYCANARYCANARY : pasted twice\n"
        "                                         ^"
    )
    assert scrub_log_text(message) == (
        "Fail to load yaml content, mapping values are not allowed here\n"
        '  in "<unicode string>", line 3, column 72 (line not shown)'
    )
    assert scrub_log_text(f"value {CANARY}") == "value sk-...NARY"


def test_the_log_filter_scrubs_arguments_and_tracebacks() -> None:
    try:
        raise ValueError(f"bad value {CANARY}")
    except ValueError:
        record = logging.LogRecord("x", logging.ERROR, __file__, 1, "got %s", (CANARY,),
                                   sys.exc_info())  # fmt: skip
    assert RedactingLogFilter().filter(record)
    text = logging.Formatter().format(record)
    assert CANARY not in text and "got sk-...NARY" in text and "bad value sk-...NARY" in text
