"""Real checkov (its own environment) with our checks on tests/fixtures/checkov.

The documented invocation is ``scripts/checkov-gate``; see the fixtures' README for what each
file is for. Expected results are written out below so that a reader can check them by eye.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from residency_guard.checkov_support import CHECKOV_RULES, CHECKOV_SEVERITY, KEY_RULE
from residency_guard.rules import RULES
from residency_guard.scan import scan_paths

from .conftest import CANARY, CANARY_BODY, CheckovRun, Record, parse_records

pytestmark = pytest.mark.checkov

ALL = set(CHECKOV_RULES)
# Which checks fail on which file. Every other check PASSES on these files.
FAILED: dict[str, set[str]] = {
    "shop/Pulumi.prod-eu.yaml": {"RG001", "RG002", "RG003", "RG005", "RG006", "RG007", "RG010",
                                 "RG011", "RG014", "RG015", "RG019"},
    "shop/Pulumi.prod-eu-clean.yaml": set(),
    "shop/Pulumi.staging.yaml": {"RG001"},  # EU through Pulumi.yaml's default, as in the CLI
    "shop/Pulumi.prod-eu-flow.yaml": {"RG007", "RG009"},
    "shop/Pulumi.prod-eu-skip.yaml": set(),
    "shop/Pulumi.dev-xx.yaml": {"RG017"},
    "shop/Pulumi.prod-eu-provider.yaml": {"RG020"},  # the module client sent to Bedrock
    "shop/Pulumi.prod-eu-esc.yaml": {"RG021"},  # imports an ESC environment not in the repo
    "shop/Pulumi.prod-eu-keyless.yaml": {"RG018"},  # a key in an env map, no base URL
    "k8s/deployment.yaml": {"RG001"},  # held to EU by `paths:` of residency-guard.yaml
    "shop/Pulumi.broken-eu.yaml": ALL,  # the core refuses it: fail closed, every check
    "lab/Pulumi.lab.yaml": {"RG008"},
    # A project's Pulumi.yaml: judged with every stack of the project, as the CLI does.
    "shop/Pulumi.yaml": set(),
    "lab/Pulumi.yaml": set(),
    "defaults/Pulumi.yaml": {"RG001"},  # the global host is the default prod-eu inherits
    "defaults/Pulumi.prod-eu.yaml": set(),  # the finding lies in Pulumi.yaml, as in the CLI
    "defaults/Pulumi.prod-eu-own.yaml": set(),  # overrides the default with the EU host
    "preview.json": {"RG001", "RG004", "RG007", "RG012", "RG013"},
    "state.json": {"RG001", "RG006", "RG007"},
}  # fmt: skip
SKIPPED = {
    ("shop/Pulumi.prod-eu.yaml", "RG004"): "pinned after the load test",  # residency-guard: ignore
    ("shop/Pulumi.prod-eu-skip.yaml", "RG007"): "rotated, see INC-1",  # checkov:skip
}
# Not stack, preview or state files: only the key detector reports on them.
KEY_ONLY = {
    "other/deployment.yaml": "FAILED",
    "other/workflow.yml": "PASSED",
    "other/settings.json": "PASSED",
    "residency-guard.yaml": "PASSED",
    "team-catalog.yaml": "PASSED",
}
# checkov cannot parse these: no check runs, checkov says nothing and exits 0 for them.
UNPARSED = {"shop/Pulumi.typo-eu.yaml", "other/broken.json"}
CHECKOV_SKIP = {("RG007", "shop/Pulumi.prod-eu-skip.yaml")}  # skipped by checkov's own comment


def by_file(records: list[Record]) -> dict[str, dict[str, Record]]:
    out: dict[str, dict[str, Record]] = {}
    for record in records:
        assert record.rule not in out.setdefault(record.file, {}), f"two records: {record}"
        out[record.file][record.rule] = record
    return out


def status_of(rule: str, file: str) -> str:
    if (file, rule) in SKIPPED:
        return "SKIPPED"
    return "FAILED" if rule in FAILED[file] else "PASSED"


@pytest.mark.parametrize("rule", CHECKOV_RULES)
def test_each_check_fails_and_passes_where_it_should(records: list[Record], rule: str) -> None:
    files = by_file(records)
    for file in FAILED:
        assert files[file][rule].status == status_of(rule, file), (rule, file)
    assert files["shop/Pulumi.prod-eu-clean.yaml"][rule].status == "PASSED"


def test_every_covered_rule_fails_somewhere(records: list[Record]) -> None:
    real = {r.rule for r in records if r.status == "FAILED" and not (r.config or {}).get("error")}
    assert real == ALL


def test_ids_names_and_severity_come_from_the_rule(records: list[Record]) -> None:
    for record in records:
        rule = RULES[record.rule]
        assert record.check_id == rule.checkov_id
        assert record.name.startswith("Ensure ")
        # every covered rule is an error (HIGH) but RG019, a note (LOW)
        assert record.severity == CHECKOV_SEVERITY[rule.severity]
        assert record.check_type == ("json" if record.file.endswith(".json") else "yaml")


def test_files_that_are_no_stack_get_only_the_key_detector(records: list[Record]) -> None:
    files = by_file(records)
    for file, status in KEY_ONLY.items():
        assert set(files[file]) == {KEY_RULE}, file
        assert files[file][KEY_RULE].status == status, file
    assert set(files) == set(FAILED) | set(KEY_ONLY)
    assert not UNPARSED & set(files)


def test_suppressions_are_skips_with_their_reason(records: list[Record]) -> None:
    files = by_file(records)
    for (file, rule), reason in SKIPPED.items():
        record = files[file][rule]
        assert (record.status, record.config and record.config["suppressed"]) == ("SKIPPED", reason)


def test_a_stack_file_the_core_refuses_fails_every_check(records: list[Record]) -> None:
    for record in by_file(records)["shop/Pulumi.broken-eu.yaml"].values():
        assert record.status == "FAILED"
        assert record.config is not None and record.config["error"] == "InputError"


def test_no_record_points_at_a_line(records: list[Record]) -> None:
    for record in records:
        assert not record.code_block, record
        assert record.line_range == [0, 0], record
        assert record.config is not None
        assert all(isinstance(v, str | int) for v in record.config.values()), record


def test_failures_name_lines_and_key_paths(records: list[Record]) -> None:
    record = by_file(records)["shop/Pulumi.prod-eu.yaml"]["RG001"]
    assert record.config is not None
    assert (record.config["lines"], record.config["paths"]) == ("3", "config.app:url")


def test_parity_with_the_cli(records: list[Record], fixture_tree: Path) -> None:
    """The (rule, file) pairs `residency-guard check` reports are the ones checkov fails."""
    run = scan_paths(
        [fixture_tree / p for p in ("shop", "lab", "defaults", "k8s", "preview.json",
                                    "state.json")]
    )

    def rel(file: str) -> str:
        return Path(file).resolve().relative_to(fixture_tree.resolve()).as_posix()

    cli_failing = {(f.rule, rel(f.file)) for f in run.findings
                   if not f.suppressed and f.rule in CHECKOV_RULES}  # fmt: skip
    cli_suppressed = {(f.rule, rel(f.file)) for f in run.findings if f.suppressed}
    cli_errors = {rel(str(e.file)) for e in run.errors}
    judged = [r for r in records if r.file in FAILED]
    errors = {r.file for r in judged if r.status == "FAILED" and (r.config or {}).get("error")}
    failing = {(r.rule, r.file) for r in judged
               if r.status == "FAILED" and r.file not in errors}  # fmt: skip
    skipped = {(r.rule, r.file) for r in judged if r.status == "SKIPPED"}

    assert cli_failing == failing | CHECKOV_SKIP
    assert cli_suppressed == skipped - CHECKOV_SKIP
    # The CLI refuses both broken stack files (exit 2); checkov fails the one it can parse
    # and never sees the other: the CLI is the fail-closed gate.
    assert cli_errors == errors | {"shop/Pulumi.typo-eu.yaml"}
    projects = {f for f in FAILED if f.endswith("/Pulumi.yaml")}  # judged with their stacks
    assert {rel(f) for f in run.files} | cli_errors | projects == set(FAILED) | {
        "shop/Pulumi.typo-eu.yaml"
    }


def test_the_gate_exits_1_on_failures(gate_json: CheckovRun) -> None:
    assert gate_json.returncode == 1, gate_json.describe()


def test_sarif_levels_and_rules(gate_sarif: CheckovRun) -> None:
    assert gate_sarif.returncode == 1, gate_sarif.describe()
    assert set(gate_sarif.files) == {"results.sarif"}
    assert "FAILED for resource" in gate_sarif.stdout  # and the cli report on stdout
    sarif = json.loads(gate_sarif.files["results.sarif"])
    (run,) = sarif["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert set(rules) <= {RULES[r].checkov_id for r in CHECKOV_RULES}
    errors = set(rules) - {RULES["RG019"].checkov_id}  # RG019 is a note (LOW)
    assert {rules[r]["properties"]["security-severity"] for r in errors} == {"8.9"}  # HIGH
    results = run["results"]
    assert {r["level"] for r in results
            if not r.get("suppressions") and r["ruleId"] in errors} == {"error"}  # fmt: skip
    for result in results:
        for location in result["locations"]:
            region = location["physicalLocation"].get("region", {})
            assert region.get("snippet", {}).get("text", "") == ""


def test_junit_lists_the_failures_without_file_lines(gate_junit: CheckovRun) -> None:
    assert gate_junit.returncode == 1, gate_junit.describe()
    root = ET.fromstring(gate_junit.files["results_junitxml.xml"])
    failures = root.findall(".//testcase/failure")
    assert len(failures) == sum(len(rules) for rules in FAILED.values()) + 1  # + deployment.yaml
    for failure in failures:
        assert (failure.text or "").strip().splitlines()[1].endswith(": 0-0")  # File: ...: 0-0


def test_cli_output_names_the_failed_checks(gate_cli: CheckovRun) -> None:
    assert gate_cli.returncode == 1, gate_cli.describe()
    assert 'CKV_RG_1: "Ensure OpenAI endpoints are in the stack\'s region"' in gate_cli.stdout
    assert "FAILED for resource" in gate_cli.stdout


def test_the_shipped_checkov_yaml_is_honoured(config_run: CheckovRun) -> None:
    """checkov started in the repository root, with no flag naming our checks or frameworks."""
    assert config_run.returncode == 1, config_run.describe()
    sarif = json.loads(config_run.files["results_sarif.sarif"])
    ids = {result["ruleId"] for run in sarif["runs"] for result in run["results"]}
    assert ids and all(i.startswith("CKV_RG_") for i in ids)  # only yaml/json, only ours
    assert "CKV_RG_1" in ids


RUNS = ["gate_all", "gate_json", "gate_cli", "gate_junit", "gate_sarif", "config_run"]


def test_the_canary_is_in_the_fixtures(fixture_tree: Path) -> None:
    holders = {p.relative_to(fixture_tree).as_posix() for p in fixture_tree.rglob("*")
               if p.is_file() and CANARY in p.read_text(encoding="utf-8")}  # fmt: skip
    assert holders == {
        "shop/Pulumi.prod-eu.yaml", "shop/Pulumi.prod-eu-flow.yaml",
        "shop/Pulumi.prod-eu-skip.yaml", "shop/Pulumi.broken-eu.yaml",
        "shop/Pulumi.typo-eu.yaml", "preview.json", "state.json", "other/deployment.yaml",
        "other/broken.json",
    }  # fmt: skip


@pytest.mark.parametrize("run_name", RUNS)
def test_the_canary_key_appears_in_no_output(request: pytest.FixtureRequest, run_name: str) -> None:
    run: CheckovRun = request.getfixturevalue(run_name)
    assert run.returncode == 1, run.describe()
    for name, text in run.outputs():
        assert CANARY not in text, f"{run_name}: the key is in {name}"
        assert CANARY_BODY not in text, f"{run_name}: part of the key is in {name}"


def test_the_run_with_every_format_wrote_every_file(
    gate_all: CheckovRun, records: list[Record]
) -> None:
    assert set(gate_all.files) == {
        "results_cli.txt", "results_json.json", "results_sarif.sarif", "results_junitxml.xml",
    }  # fmt: skip
    assert "[DEBUG]" in gate_all.stderr  # the logs were there to be searched
    together = parse_records(json.loads(gate_all.files["results_json.json"]))
    assert sorted((r.file, r.rule, r.status) for r in together) == sorted(
        (r.file, r.rule, r.status) for r in records
    )
