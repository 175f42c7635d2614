"""The four reporters: text, JSON, SARIF 2.1.0 and JUnit XML.

``tests/data/sarif-schema-2.1.0.json`` is the OASIS SARIF 2.1.0 JSON schema (2.1.0-rtm.5, the
one json.schemastore.org serves as sarif-2.1.0.json), copied unchanged from the npm package
``@microsoft/jest-sarif`` 1.0.0-beta.0 (MIT), file ``lib/schemas/sarif-2.1.0-rtm.5.json``.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

import jsonschema
import pytest

from residency_guard.errors import ConfigError
from residency_guard.findings import Finding, Severity, Suppression
from residency_guard.reporters import REPORTERS, RunReport, get_reporter
from residency_guard.reporters.junit import JUnitReporter
from residency_guard.reporters.sarif import SarifReporter
from residency_guard.reporters.text import TextReporter
from residency_guard.rules import RULES

SARIF_SCHEMA = pathlib.Path(__file__).parent.parent / "data" / "sarif-schema-2.1.0.json"

# Obviously fake keys: the redaction tests place them raw where no rule would.
KEY = "sk-proj-" + "A" * 40
KEY_REDACTED = "sk-...AAAA"
OTHER_KEY = "sk-svcacct-" + "B" * 30

STACK = "stacks/Pulumi.prod-eu.yaml"

ENDPOINT = Finding(
    rule="RG001",
    severity=Severity.ERROR,
    file=STACK,
    line=4,
    column=20,
    message="EU stack 'prod-eu' sends to api.openai.com (global, no residency)",
    fix="use https://eu.api.openai.com/v1",
    stack="prod-eu",
    region="eu",
    path="config.app:openaiBaseUrl",
)
ALIAS = Finding(
    rule="RG004",
    severity=Severity.WARNING,
    file=STACK,
    line=9,
    column=14,
    message="EU stack 'prod-eu' uses the undated alias 'gpt-4o'",
    fix="pin a dated snapshot such as 'gpt-4o-2024-08-06'",
    stack="prod-eu",
    region="eu",
    path="config.app:model",
)
NO_REGION = Finding(
    rule="RG008",
    severity=Severity.NOTE,
    file="Pulumi.dev.yaml",
    line=0,
    column=0,
    message="stack 'dev' declares no region",
    fix="set residency-guard:region",
    stack="dev",
)
SUPPRESSED = Finding(
    rule="RG007",
    severity=Severity.ERROR,
    file=".env.example",
    line=2,
    column=16,
    message="an OpenAI API key in plain text",
    fix="keep keys in a secret store",
    suppression=Suppression(reason="fake key for the docs", until="2030-01-01", source=".env:1"),
)


def report(
    findings: Sequence[Finding],
    *,
    scanned: Sequence[str] = (STACK, "Pulumi.dev.yaml"),
    errors: Sequence[str] = (),
    fail_on: Severity = Severity.ERROR,
    color: bool = False,
) -> RunReport:
    return RunReport(
        findings=findings,
        scanned=scanned,
        errors=errors,
        tool_version="0.1.0",
        fail_on=fail_on,
        color=color,
    )


def render(name: str, run: RunReport) -> str:
    return get_reporter(name)().render(run)


def sarif(run: RunReport) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(render("sarif", run))
    return data


def junit(run: RunReport) -> ET.Element:
    return ET.fromstring(render("junit", run).encode("utf-8"))


def cases_of(root: ET.Element) -> list[ET.Element]:
    return root.findall("./testsuite/testcase")


# --- the registry ----------------------------------------------------------------------


def test_reporters_are_chosen_by_name() -> None:
    assert list(REPORTERS) == ["text", "json", "sarif", "junit"]
    assert get_reporter("sarif") is SarifReporter
    assert all(cls.name == name for name, cls in REPORTERS.items())


def test_unknown_reporter_is_a_config_error_naming_the_choices() -> None:
    with pytest.raises(ConfigError, match="use one of text, json, sarif, junit"):
        get_reporter("html")


def test_importing_reporters_loads_neither_sarif_om_nor_junit_xml() -> None:
    code = (
        "import sys, residency_guard.reporters; "
        "print(sorted(m for m in ('sarif_om', 'junit_xml') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"


# --- redaction: a second guard in every reporter -----------------------------------------


LEAKY = dataclasses.replace(
    ENDPOINT,
    file=f"stacks/{KEY}.yaml",
    message=f"EU stack 'prod-eu' sends {KEY} to api.openai.com",
    fix=f"remove {OTHER_KEY}",
    path=f"config.{KEY}",
    suppression=None,
)
LEAKY_SUPPRESSED = dataclasses.replace(
    SUPPRESSED, suppression=Suppression(reason=f"rotated {KEY}", source=f"{KEY}:1")
)


@pytest.mark.parametrize("name", ["text", "json", "sarif", "junit"])
def test_a_raw_key_never_leaves_a_reporter(name: str) -> None:
    run = report(
        [LEAKY, LEAKY_SUPPRESSED],
        scanned=[f"stacks/{KEY}.yaml", f"clean-{OTHER_KEY}.yaml"],
        errors=[f"Pulumi.{KEY}.yaml:3: cannot parse"],
    )
    out = render(name, run)
    assert KEY not in out
    assert OTHER_KEY not in out
    assert "A" * 20 not in out
    assert "B" * 20 not in out
    assert KEY_REDACTED in out


# --- text ----------------------------------------------------------------------------------


def test_text_two_findings_exact_output() -> None:
    out = render("text", report([ENDPOINT, ALIAS]))
    assert out == (
        "stacks/Pulumi.prod-eu.yaml:4:20: RG001 [error] EU stack 'prod-eu' sends to"
        " api.openai.com (global, no residency) (fix: use https://eu.api.openai.com/v1)\n"
        "stacks/Pulumi.prod-eu.yaml:9:14: RG004 [warning] EU stack 'prod-eu' uses the undated"
        " alias 'gpt-4o' (fix: pin a dated snapshot such as 'gpt-4o-2024-08-06')\n"
        "2 findings (1 error, 1 warning) in 2 files\n"
    )


def test_text_suppressed_finding_has_a_suffix_and_is_counted_apart() -> None:
    out = render("text", report([SUPPRESSED], scanned=[".env.example"]))
    assert out == (
        ".env.example:2:16: RG007 [error] an OpenAI API key in plain text"
        " (fix: keep keys in a secret store) (suppressed: fake key for the docs)\n"
        "no findings in 1 file, 1 suppressed\n"
    )


def test_text_input_errors_are_listed_and_counted() -> None:
    out = render("text", report([], errors=["Pulumi.x.yaml:3: not YAML; fix the indent"]))
    assert out == (
        "error: Pulumi.x.yaml:3: not YAML; fix the indent\nno findings in 2 files, 1 input error\n"
    )


@pytest.mark.parametrize(
    ("findings", "files", "summary"),
    [
        ([], 4, "no findings in 4 files"),
        ([], 1, "no findings in 1 file"),
        ([NO_REGION], 1, "1 finding (1 note) in 1 file"),
        ([ENDPOINT, ENDPOINT, ALIAS], 4, "3 findings (2 errors, 1 warning) in 4 files"),
        ([ENDPOINT, ALIAS, NO_REGION], 3, "3 findings (1 error, 1 warning, 1 note) in 3 files"),
    ],
)
def test_text_summary_line(findings: list[Finding], files: int, summary: str) -> None:
    run = report(findings, scanned=[f"f{i}.yaml" for i in range(files)])
    assert TextReporter.summary(run) == summary


def test_text_has_no_escape_codes_without_color() -> None:
    assert "\x1b" not in render("text", report([ENDPOINT, ALIAS, NO_REGION, SUPPRESSED]))


def test_text_colours_the_severity_when_asked() -> None:
    out = render("text", report([ENDPOINT], color=True))
    assert "\x1b[31m[error]\x1b[0m" in out
    assert out.endswith("\x1b[1m1 finding (1 error) in 2 files\x1b[0m\n")


def test_text_escapes_control_characters_in_values() -> None:
    hostile = dataclasses.replace(ENDPOINT, message="host\x1b[2J\nsecond line", file="a\rb.yaml")
    out = render("text", report([hostile], color=True))
    assert "a\\rb.yaml:4:20:" in out
    assert "host\\x1b[2J\\nsecond line" in out
    assert len(out.splitlines()) == 2


# --- json ----------------------------------------------------------------------------------


def test_json_report_shape_and_round_trip() -> None:
    run = report([ENDPOINT, ALIAS, SUPPRESSED], errors=["Pulumi.x.yaml:3: not YAML"])
    data = json.loads(render("json", run))
    assert list(data) == ["version", "tool", "findings", "errors", "scanned", "summary"]
    assert data["version"] == 1
    assert data["tool"] == {"name": "residency-guard", "version": "0.1.0"}
    assert data["findings"] == [f.to_dict() for f in (ENDPOINT, ALIAS, SUPPRESSED)]
    assert list(data["findings"][0]) == list(ENDPOINT.to_dict())  # to_dict's order is kept
    assert data["errors"] == ["Pulumi.x.yaml:3: not YAML"]
    assert data["scanned"] == [STACK, "Pulumi.dev.yaml"]
    assert data["summary"] == {
        "findings": 2,
        "errors": 1,
        "by_severity": {"error": 1, "warning": 1, "note": 0},
        "suppressed": 1,
    }


def test_json_finding_fields() -> None:
    (finding,) = json.loads(render("json", report([ENDPOINT])))["findings"]
    assert finding == {
        "rule": "RG001",
        "severity": "error",
        "file": STACK,
        "line": 4,
        "column": 20,
        "message": "EU stack 'prod-eu' sends to api.openai.com (global, no residency)",
        "fix": "use https://eu.api.openai.com/v1",
        "stack": "prod-eu",
        "region": "eu",
        "path": "config.app:openaiBaseUrl",
    }


def test_json_suppressed_finding_carries_its_suppression() -> None:
    (finding,) = json.loads(render("json", report([SUPPRESSED])))["findings"]
    assert finding["suppression"] == {
        "reason": "fake key for the docs",
        "until": "2030-01-01",
        "source": ".env:1",
    }


# --- sarif ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def sarif_schema() -> dict[str, Any]:
    schema: dict[str, Any] = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    return schema


@pytest.mark.parametrize(
    ("findings", "errors"),
    [
        ([], []),
        ([ENDPOINT, ALIAS, NO_REGION, SUPPRESSED], []),
        ([ENDPOINT], ["Pulumi.x.yaml:3: not YAML"]),
    ],
)
def test_sarif_is_valid_sarif_2_1_0(
    sarif_schema: dict[str, Any], findings: list[Finding], errors: list[str]
) -> None:
    data = sarif(report(findings, errors=errors))
    jsonschema.Draft4Validator(sarif_schema).validate(data)
    assert data["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert data["version"] == "2.1.0"
    assert len(data["runs"]) == 1


def test_sarif_validator_catches_a_broken_log(sarif_schema: dict[str, Any]) -> None:
    data = sarif(report([ENDPOINT]))
    data["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(sarif_schema).validate(data)


def test_sarif_lists_only_the_rules_that_matched() -> None:
    run = sarif(report([NO_REGION, ENDPOINT, ALIAS, ENDPOINT]))["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == ["RG001", "RG004", "RG008"]
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]


def test_sarif_rule_descriptor() -> None:
    driver = sarif(report([ENDPOINT]))["runs"][0]["tool"]["driver"]
    rule = RULES["RG001"]
    assert driver["name"] == "residency-guard"
    assert driver["version"] == "0.1.0"
    assert driver["informationUri"].startswith("https://")
    assert driver["rules"] == [
        {
            "id": "RG001",
            "defaultConfiguration": {"level": "error"},
            "fullDescription": {"text": rule.summary()},
            "help": {"text": rule.documentation(), "markdown": rule.documentation()},
            "helpUri": rule.source_url,
            "name": "endpoint-outside-region",
            "properties": {"tags": list(rule.tags)},
            "shortDescription": {"text": rule.title},
        }
    ]


def test_sarif_result() -> None:
    (result,) = sarif(report([ENDPOINT]))["runs"][0]["results"]
    assert result["ruleId"] == "RG001"
    assert result["ruleIndex"] == 0
    assert result["level"] == "error"
    assert result["message"] == {
        "text": "EU stack 'prod-eu' sends to api.openai.com (global, no residency)"
        " Fix: use https://eu.api.openai.com/v1"
    }
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": STACK, "uriBaseId": "%SRCROOT%"},
                "region": {"startColumn": 20, "startLine": 4},
            }
        }
    ]
    assert "suppressions" not in result


@pytest.mark.parametrize(
    ("severity", "level"),
    [(Severity.ERROR, "error"), (Severity.WARNING, "warning"), (Severity.NOTE, "note")],
)
def test_sarif_level_is_always_written(severity: Severity, level: str) -> None:
    # An absent level would be read from the rule's defaultConfiguration ("error").
    finding = dataclasses.replace(ENDPOINT, severity=severity)
    (result,) = sarif(report([finding]))["runs"][0]["results"]
    assert result["level"] == level


def test_sarif_line_zero_becomes_line_one_and_column_zero_is_left_out() -> None:
    (result,) = sarif(report([NO_REGION]))["runs"][0]["results"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 1}


@pytest.mark.parametrize(
    ("file", "uri", "base"),
    [
        ("stacks/Pulumi.prod-eu.yaml", "stacks/Pulumi.prod-eu.yaml", "%SRCROOT%"),
        ("stacks\\Pulumi.prod-eu.yaml", "stacks/Pulumi.prod-eu.yaml", "%SRCROOT%"),
        ("my stacks/Pulumi.yaml", "my%20stacks/Pulumi.yaml", "%SRCROOT%"),
        ("/repo/Pulumi.yaml", "file:///repo/Pulumi.yaml", None),
    ],
)
def test_sarif_artifact_location(file: str, uri: str, base: str | None) -> None:
    (result,) = sarif(report([dataclasses.replace(ENDPOINT, file=file)]))["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location.get("uri") == uri
    assert location.get("uriBaseId") == base


def test_sarif_fingerprint_is_stable_and_tells_findings_apart() -> None:
    def prints(findings: list[Finding]) -> list[dict[str, str]]:
        return [r["partialFingerprints"] for r in sarif(report(findings))["runs"][0]["results"]]

    first = prints([ENDPOINT, ALIAS])
    assert first == prints([ENDPOINT, ALIAS])
    assert first[0] != first[1]
    # The same finding on another line keeps its fingerprint: GitHub deduplicates it.
    assert prints([dataclasses.replace(ENDPOINT, line=40)])[0] == first[0]


def test_sarif_survives_undecodable_names_and_lone_surrogates() -> None:
    # os.fsdecode turns an undecodable byte into \udcff; a message may hold any surrogate.
    odd = dataclasses.replace(ENDPOINT, file="stacks/\udcff.yaml", message="bad \ud800 value")
    (result,) = sarif(report([odd]))["runs"][0]["results"]
    location = result["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "stacks/%FF.yaml"
    assert result["message"]["text"].startswith("bad \ud800 value")


def test_sarif_suppressed_finding_has_an_external_suppression() -> None:
    (result,) = sarif(report([SUPPRESSED]))["runs"][0]["results"]
    assert result["suppressions"] == [
        {"kind": "external", "justification": "fake key for the docs"}
    ]


def test_sarif_input_errors_are_execution_notifications() -> None:
    run = sarif(report([], errors=["Pulumi.x.yaml:3: not YAML"]))["runs"][0]
    assert run["invocations"] == [
        {
            "executionSuccessful": False,
            "toolExecutionNotifications": [
                {"message": {"text": "Pulumi.x.yaml:3: not YAML"}, "level": "error"}
            ],
        }
    ]


def test_sarif_clean_run_is_successful_with_empty_results() -> None:
    run = sarif(report([]))["runs"][0]
    assert run["invocations"] == [{"executionSuccessful": True}]
    assert run["results"] == []
    assert run["tool"]["driver"]["rules"] == []


# --- junit ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fail_on", "failures"),
    [(Severity.ERROR, 1), (Severity.WARNING, 2), (Severity.NOTE, 3)],
)
def test_junit_failures_follow_fail_on(fail_on: Severity, failures: int) -> None:
    root = junit(report([ENDPOINT, ALIAS, NO_REGION, SUPPRESSED], fail_on=fail_on))
    (suite,) = root.findall("testsuite")
    assert suite.get("name") == "residency-guard"
    assert suite.get("failures") == str(failures)
    assert len(suite.findall("testcase/failure")) == failures
    assert suite.get("skipped") == "1"


def test_junit_cases_of() -> None:
    run = report(
        [ENDPOINT, ALIAS],
        scanned=[STACK, "Pulumi.dev.yaml", "Pulumi.yaml"],
        errors=["Pulumi.x.yaml:3: not YAML"],
    )
    cases = cases_of(junit(run))
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        (STACK, f"RG001 {STACK}:4"),
        (STACK, f"RG004 {STACK}:9"),
        ("residency-guard.input", "input error 1"),
        ("Pulumi.dev.yaml", "no findings"),
        ("Pulumi.yaml", "no findings"),
    ]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.get("type") == "error"
    assert failure.get("message") == ENDPOINT.message
    assert failure.text == f"{STACK}:4:20: RG001 [error] {ENDPOINT.message} (fix: {ENDPOINT.fix})"
    assert cases[1].find("failure") is None  # a warning below --fail-on error passes
    assert cases[1].findtext("system-out", "").startswith(f"{STACK}:9:14: RG004 [warning]")
    error = cases[2].find("error")
    assert error is not None
    assert error.get("message") == "Pulumi.x.yaml:3: not YAML"
    assert list(cases[3]) == []  # passing


def test_junit_suppressed_finding_is_skipped_with_its_reason() -> None:
    (case, *_) = cases_of(junit(report([SUPPRESSED], fail_on=Severity.NOTE)))
    skipped = case.find("skipped")
    assert skipped is not None
    assert skipped.get("message") == "suppressed: fake key for the docs"
    assert case.find("failure") is None


def test_junit_stays_well_formed_whatever_the_text_holds() -> None:
    hostile = dataclasses.replace(
        ENDPOINT,
        file="a\x00b<&>.yaml",
        message='bad \x1b[31m\x0b\ud800 ]]> <tag> & "quoted" \ufffe end',
    )
    out = JUnitReporter().render(report([hostile], scanned=[], errors=["x\x01y"]))
    root = ET.fromstring(out.encode("utf-8"))
    (case, error_case) = cases_of(root)
    assert case.get("classname") == "ab<&>.yaml"
    failure = case.find("failure")
    assert failure is not None
    assert failure.get("message") == 'bad [31m ]]> <tag> & "quoted"  end'
    error = error_case.find("error")
    assert error is not None
    assert error.get("message") == "xy"


# --- suppressed findings in every format ----------------------------------------------------


@pytest.mark.parametrize(
    ("name", "marker"),
    [
        ("text", "(suppressed: fake key for the docs)"),
        ("json", '"reason": "fake key for the docs"'),
        ("sarif", '"justification": "fake key for the docs"'),
        ("junit", 'message="suppressed: fake key for the docs"'),
    ],
)
def test_suppressed_findings_are_reported_as_suppressed(name: str, marker: str) -> None:
    assert marker in render(name, report([SUPPRESSED]))
