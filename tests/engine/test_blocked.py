"""An EU stack that sends to OpenAI's global (or US) host is stopped before anything exists:

- through the component: the reference program with `gatewayHost: api.openai.com`
  (tests/fixtures/engine/stacks/Pulumi.prod-eu-global.yaml); OpenAIResidency refuses in
  preview with the rule core's message;
- without the component: tests/fixtures/engine/raw-env, dynamic resources given a raw env map;
  only the policy pack can stop it, and `pulumi up --policy-pack` does.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import (
    FAKE_KEY,
    FIXTURES,
    KEY_CONFIG,
    RAW_RESOURCES,
    RAW_TYPE,
    PackViolation,
    PulumiEngine,
    RawEuRun,
    copy_fixture_program,
    copy_reference_project,
    core_refusal,
    init_stack,
    output,
    pack_violations,
    resources,
    stack_export,
)

pytestmark = pytest.mark.engine

GLOBAL_STACK = "prod-eu-global"
GLOBAL_STACK_FILE = FIXTURES / "stacks" / f"Pulumi.{GLOBAL_STACK}.yaml"


@dataclass
class ComponentRefusal:
    project: Path
    preview: subprocess.CompletedProcess[str]
    up: subprocess.CompletedProcess[str]
    export_after_up: str


@pytest.fixture(scope="module")
def component_refusal(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path_factory: pytest.TempPathFactory
) -> ComponentRefusal:
    project = copy_reference_project(
        tmp_path_factory.mktemp("global") / "project", extra_stacks=[GLOBAL_STACK_FILE]
    )
    init_stack(pulumi_engine, project, GLOBAL_STACK, {KEY_CONFIG: FAKE_KEY})
    pack = ["--stack", GLOBAL_STACK, "--policy-pack", str(policy_pack)]
    preview = pulumi_engine.run(["preview", *pack], project)
    up = pulumi_engine.run(["up", "--yes", *pack], project)
    return ComponentRefusal(
        project, preview, up, stack_export(pulumi_engine, project, GLOBAL_STACK)
    )


def test_component_refuses_the_global_host_in_preview(component_refusal: ComponentRefusal) -> None:
    config = yaml.safe_load(GLOBAL_STACK_FILE.read_text())["config"]
    expected = core_refusal(
        "openai",
        config["residency-guard:region"],
        stack=GLOBAL_STACK,
        models=config["residency-guard:models"],
        surfaces=config["residency-guard:surfaces"],
        gateway_host=config["residency-guard:gatewayHost"],
    )
    assert any(": RG001: " in line for line in expected), expected
    text = output(component_refusal.preview)
    assert component_refusal.preview.returncode != 0, text
    for line in expected:
        assert f"error: {line}" in text, f"missing the core's line {line!r}\n{text}"
    assert "Traceback" not in text, text  # a RunError: the message, not a stack trace
    assert FAKE_KEY not in text


def test_component_refusal_creates_nothing(component_refusal: ComponentRefusal) -> None:
    text = output(component_refusal.up)
    assert component_refusal.up.returncode != 0, text
    assert "RG001" in text, text
    types = {r["type"] for r in resources(component_refusal.export_after_up)}
    assert "residency-guard:index:OpenAIResidency" not in types, types
    assert not any(t.endswith(":DotenvFile") for t in types), types
    assert types == set(), types  # not even the stack: the update never started
    assert not list(component_refusal.project.glob(".env*")), "a dotenv file was written"


def _endpoint_violations(text: str) -> set[PackViolation]:
    return {v for v in pack_violations(text) if v.policy == "openai-endpoint-region"}


def test_pack_blocks_a_raw_env_with_the_global_host(raw_eu_run: RawEuRun) -> None:
    text = output(raw_eu_run.up)
    assert raw_eu_run.up.returncode != 0, text
    assert "error: preview failed" in text, text
    found = _endpoint_violations(text)
    # Named: the policy, the resource (type and name), the rule and the value's place.
    assert (
        PackViolation(
            "mandatory",
            "openai-endpoint-region",
            RAW_TYPE,
            "worker-env",
            "RG001",
            "worker-env.env.OPENAI_BASE_URL",
        )
        in found
    ), f"{found}\n{text}"
    assert {v.name for v in found} == set(RAW_RESOURCES), f"{found}\n{text}"
    assert "sends to api.openai.com (global, no residency)" in text, text
    assert "Fix: use https://eu.api.openai.com/v1" in text, text


def test_blocked_up_creates_nothing(raw_eu_run: RawEuRun) -> None:
    assert raw_eu_run.up.returncode != 0
    types = {r["type"] for r in resources(raw_eu_run.export_after_up)}
    assert RAW_TYPE not in types, types
    assert types == set(), types  # not even the stack: the update never started
    written = [raw_eu_run.project / f"{name}.json" for name in RAW_RESOURCES]
    assert not [p for p in written if p.exists()], "the dynamic provider wrote its file"


def test_pack_reads_the_region_from_the_stack_config(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path: Path
) -> None:
    """`eu-raw` declares `residency-guard:region: eu` in its config and nowhere else (no
    residency-guard.yaml pattern matches it). docs/policy-pack.md says the pack reads it."""
    project = copy_fixture_program("raw-env", tmp_path / "project")
    init_stack(pulumi_engine, project, "eu-raw")
    up = pulumi_engine.run(
        ["up", "--yes", "--stack", "eu-raw", "--policy-pack", str(policy_pack)], project
    )
    text = output(up)
    assert up.returncode != 0, text
    assert "RG008" not in text, (
        "the pack did not see the stack's config (RG008: no region). Pulumi's language hosts "
        "start a policy pack with the stack's config in PULUMI_CONFIG, from the engine's "
        "ConfigureStack request (sdk/v3 PolicyProxy); scripts/pulumi-engine's host must too.\n"
        + text
    )
    found = {(v.name, v.rule) for v in _endpoint_violations(text)}
    assert ("worker-env", "RG001") in found, text
    assert not resources(stack_export(pulumi_engine, project, "eu-raw"))
