"""Fail-safe defaults: whatever the gate does not know, it denies, with a clear fix.

An unknown region id, a region the catalog lacks, a model or a surface the catalog does not
list, a value it cannot read: each is a finding (or exit 2), never a silent pass.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from residency_guard.api import check_declaration
from residency_guard.findings import Severity
from residency_guard.repoconfig import RepoConfig, Unresolved
from tests.core.helpers import rules_of, scan_yaml, stack

CLI = Path(sys.executable).parent / "residency-guard"
EU_URL = "https://eu.api.openai.com/v1"
KNOWN = "use one of: global, us, eu, gb, ca, jp, in, au, sg, kr, ae"


@pytest.mark.parametrize(
    "region",
    [
        "europe",  # a name, not an id
        "uk",  # the United Kingdom's id is "gb"
        "us-east-1",  # a cloud region
        "eu-west",
        "ch",  # a region OpenAI might add: absent from this catalog, so unknown
        "\u0435u",  # Cyrillic small ie, then "u": looks like "eu"
        "eu.",
        "e u",
    ],
)
def test_unknown_region_denies_everything_and_names_the_ids(region: str) -> None:
    findings = scan_yaml(stack(region, OPENAI_BASE_URL=EU_URL))
    assert rules_of(findings) == ["RG017"]
    (finding,) = findings
    assert finding.severity is Severity.ERROR
    assert "nothing is allowed" in finding.message
    assert finding.fix == KNOWN


def test_region_ids_are_case_and_space_insensitive_not_fuzzy() -> None:
    assert scan_yaml(stack("' EU '", OPENAI_BASE_URL=EU_URL)) == []


def test_unknown_region_in_the_repo_mapping_denies() -> None:
    repo = RepoConfig(stacks=(("prod-*", "europe", 3),))
    findings = scan_yaml(stack(None, OPENAI_BASE_URL=EU_URL), stack="prod-1", repo=repo)
    assert rules_of(findings) == ["RG017"]


def test_unknown_region_of_a_component_declaration_denies() -> None:
    findings = check_declaration("europe", models={"chat": ["gpt-4o-2024-11-20"]})
    assert rules_of(findings) == ["RG017"]


def test_no_region_at_all_denies() -> None:
    assert rules_of(scan_yaml(stack(None, OPENAI_BASE_URL=EU_URL))) == ["RG008"]


@pytest.mark.parametrize(
    ("key", "model"),
    [
        ("app__chatModel", "gpt-9-turbo-2031-01-01"),
        ("app__embeddingModel", "text-embedding-4-huge"),
        ("app__model", "my-own-model"),
        ("app__transcriptionModel", "whisper-9"),
        ("app__fineTuneModel", "ft:gpt-unknown-2031:acme::abc123"),
    ],
)
def test_a_model_absent_from_the_catalog_is_denied(key: str, model: str) -> None:
    findings = scan_yaml(stack("eu", **{key: model}))
    assert rules_of(findings) == ["RG003"]
    (finding,) = findings
    assert "which the catalog does not know; unknown models are denied" in finding.message
    assert "update the catalog" in finding.fix


def test_an_unknown_surface_is_denied() -> None:
    findings = scan_yaml(stack("eu", **{"residency-guard__surfaces": "[chat, telepathy]"}))
    assert rules_of(findings) == ["RG005"]
    (finding,) = findings
    assert "unknown API surface 'telepathy'" in finding.message
    assert finding.fix.startswith("use one of: ")


def test_a_surface_the_region_does_not_cover_is_denied() -> None:
    findings = scan_yaml(stack("jp", **{"residency-guard__surfaces": "[realtime]"}))
    assert rules_of(findings) == ["RG005"]


@pytest.mark.parametrize(
    "value",
    [
        "'https://${OPENAI_HOST}/v1'",
        "'$OPENAI_BASE_URL'",
        "'https://{{ host }}/v1'",
        "'https://eu.api.openai.com${SUFFIX}/v1'",  # a suffix can move the host anywhere
        "{secure: v1:abc}",
    ],
)
def test_an_endpoint_that_cannot_be_read_is_denied_by_default(value: str) -> None:
    findings = scan_yaml(stack("eu", OPENAI_BASE_URL=value))
    assert rules_of(findings) == ["RG011"]
    assert findings[0].severity is Severity.ERROR


def test_unresolved_warn_keeps_the_finding_as_a_warning() -> None:
    repo = RepoConfig(unresolved=Unresolved.WARN)
    findings = scan_yaml(stack("eu", OPENAI_BASE_URL="'https://${H}/v1'"), repo=repo)
    assert [(f.rule, f.severity) for f in findings] == [("RG011", Severity.WARNING)]


@pytest.mark.parametrize("value", ["''", "", "~"])
def test_an_empty_endpoint_means_the_global_host(value: str) -> None:
    assert rules_of(scan_yaml(stack("eu", OPENAI_BASE_URL=value))) == ["RG001"]


def test_an_azure_endpoint_whose_account_is_not_scanned_is_denied() -> None:
    url = "https://acme.openai.azure.com/openai/v1"
    findings = scan_yaml(stack("eu", OPENAI_BASE_URL=url))
    assert rules_of(findings) == ["RG011"]
    assert "whose account is not in the scanned input" in findings[0].message


def test_a_gateway_the_catalog_does_not_know_is_denied() -> None:
    findings = scan_yaml(stack("eu", OPENAI_BASE_URL="https://llm-gateway.internal/v1"))
    assert rules_of(findings) == ["RG002"]
    assert "add llm-gateway.internal as a gateway bound to 'eu'" in findings[0].fix


def test_cli_refuses_an_unknown_region_in_one_line() -> None:
    done = subprocess.run(
        [str(CLI), "catalog", "--region", "europe"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    assert done.stderr == f"residency-guard: error: unknown region 'europe'; {KNOWN}\n"


def test_cli_refuses_a_malformed_repo_config(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.prod.yaml").write_text(stack("eu"), encoding="utf-8")
    (tmp_path / "residency-guard.yaml").write_text("unresolved: maybe\n", encoding="utf-8")
    done = subprocess.run(
        [str(CLI), "check", "Pulumi.prod.yaml"], cwd=tmp_path, capture_output=True, text=True,
        timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "residency-guard.yaml" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_team_catalog_that_empties_a_surface_allows_no_model(tmp_path: Path) -> None:
    from residency_guard.catalog import load_catalog
    from residency_guard.scanners.stackfile import scan_stack_file

    overlay = tmp_path / "team.yaml"
    overlay.write_text("models: {eu: {chat: []}}\n", encoding="utf-8")
    scan = scan_stack_file(
        Path("Pulumi.prod.yaml"), load_catalog([overlay]), RepoConfig(),
        text=stack("eu", app__chatModel="gpt-4o-2024-11-20"),
    )  # fmt: skip
    assert rules_of(scan.findings) == ["RG003"]
    assert "the eu region offers no model for chat" in scan.findings[0].fix
