"""Policy-group config under the real engine: `--policy-pack-config`, as a policy group sets it.

A policy group in Pulumi Cloud carries one config object per pack (the same JSON the CLI's
`--policy-pack-config` reads): an enforcement level per policy (`all` for every one) and each
policy's settings. tests/fixtures/engine/pack-config writes four worker env files: OpenAI's
global host, the US host, `${OPENAI_HOST}/v1` (only known at run time) and a model. Each test
previews (or ups) it under one config and reads the engine's `Policies:` block.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    REPO_ROOT,
    PackViolation,
    PulumiEngine,
    check_json,
    cli_errors,
    copy_fixture_program,
    init_stack,
    output,
    pack_violations,
)

pytestmark = pytest.mark.engine

TYPE = "pulumi-python:dynamic/worker:EnvFile"
EU, LAB = "prod-eu-cfg", "lab-cfg"
ENDPOINT = "openai-endpoint-region"
MODELS = "openai-model-eligibility"
REGION = "residency-region-declared"
EXAMPLE = REPO_ROOT / "policies" / "policy-config.example.json"


def found(level: str, policy: str, name: str, rule: str, path: str) -> PackViolation:
    return PackViolation(level, policy, TYPE, name, rule, path)


def endpoint(level: str) -> set[PackViolation]:
    """The endpoint policy's violations on the fixture at ``level``."""
    return {
        found(level, ENDPOINT, "worker-env", "RG001", "worker-env.env.OPENAI_BASE_URL"),
        found(level, ENDPOINT, "batch-env", "RG001", "batch-env.env.OPENAI_BASE_URL"),
        found(level, ENDPOINT, "templated-env", "RG011", "templated-env.env.OPENAI_BASE_URL"),
    }


@dataclass
class Project:
    engine: PulumiEngine
    path: Path
    pack: Path
    configs: Path

    def run(
        self, command: str, stack: str, config: Mapping[str, Any] | Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        args = [command, "--stack", stack, "--policy-pack", str(self.pack)]
        if command == "up":
            args.append("--yes")
        if isinstance(config, Path):
            args += ["--policy-pack-config", str(config)]
        elif config is not None:
            file = self.configs / f"config-{len(list(self.configs.iterdir()))}.json"
            file.write_text(json.dumps(config), encoding="utf-8")
            args += ["--policy-pack-config", str(file)]
        return self.engine.run(args, self.path)


@pytest.fixture(scope="module")
def project(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path_factory: pytest.TempPathFactory
) -> Project:
    work = tmp_path_factory.mktemp("pack-config")
    path = copy_fixture_program("pack-config", work / "project")
    for stack in (EU, LAB):
        init_stack(pulumi_engine, path, stack)
    configs = work / "configs"
    configs.mkdir()
    return Project(pulumi_engine, path, policy_pack, configs)


def test_mandatory_by_default_blocks(project: Project) -> None:
    proc = project.run("preview", EU)
    text = output(proc)
    assert proc.returncode != 0, text
    assert pack_violations(text) == endpoint("mandatory"), text


@pytest.mark.parametrize(
    "config",
    [{ENDPOINT: "advisory"}, {ENDPOINT: {"enforcementLevel": "advisory"}}, {"all": "advisory"}],
)
def test_advisory_reports_and_lets_the_preview_pass(
    project: Project, config: dict[str, Any]
) -> None:
    proc = project.run("preview", EU, config)
    text = output(proc)
    assert proc.returncode == 0, text
    assert pack_violations(text) == endpoint("advisory"), text


def test_mandatory_in_the_config_blocks(project: Project) -> None:
    proc = project.run("preview", EU, {"all": "advisory", ENDPOINT: "mandatory"})
    text = output(proc)
    assert proc.returncode != 0, text
    assert pack_violations(text) == endpoint("mandatory"), text


def test_disabled_runs_nothing_of_that_policy(project: Project) -> None:
    proc = project.run("preview", EU, {ENDPOINT: "disabled"})
    text = output(proc)
    assert proc.returncode == 0, text
    assert pack_violations(text) == set(), text
    assert f"- [disabled]  {ENDPOINT}" not in text


def test_remediate_rewrites_the_hosts_it_can_and_the_rest_still_block(project: Project) -> None:
    config = {ENDPOINT: {"enforcementLevel": "remediate", "remediateHosts": True}}
    proc = project.run("up", EU, config)
    text = output(proc)
    # The global and US hosts are rewritten to the EU host before anything is written; the
    # endpoint only known at run time cannot be, and stays a violation that blocks the update.
    assert proc.returncode != 0, text
    violations = pack_violations(text)
    assert {(v.name, v.rule) for v in violations} == {("templated-env", "RG011")}, text
    assert not list(project.path.glob("*.json")), "a blocked update wrote files"
    proc = project.run(
        "up", EU, {ENDPOINT: {"enforcementLevel": "remediate", "remediateHosts": True,
                              "unresolved": "warn"}},
    )  # fmt: skip
    text = output(proc)
    assert proc.returncode == 0, text
    for name in ("worker-env", "batch-env"):
        env = json.loads((project.path / f"{name}.json").read_text(encoding="utf-8"))
        assert env == {"OPENAI_BASE_URL": "https://eu.api.openai.com/v1"}, (name, text)
    assert project.engine.run(["destroy", "--yes", "--stack", EU], project.path).returncode == 0


def test_unresolved_warn_leaves_the_runtime_endpoint_to_the_summary(project: Project) -> None:
    # Pulumi keeps config per policy: the summary lists the warning when it is told too.
    warn = {"unresolved": "warn"}
    proc = project.run("preview", EU, {ENDPOINT: warn, "openai-configuration-summary": warn})
    text = output(proc)
    assert pack_violations(text) == endpoint("mandatory") - {
        found("mandatory", ENDPOINT, "templated-env", "RG011", "templated-env.env.OPENAI_BASE_URL")
    }, text
    assert "[RG011]" in text, text  # said in the advisory summary, as a warning


def test_deny_models_blocks_a_model_the_region_allows(project: Project) -> None:
    proc = project.run("preview", EU, {MODELS: {"denyModels": ["gpt-4o-2024-11-20"]}})
    text = output(proc)
    assert found("mandatory", MODELS, "model-env", "RG014", "model-env.env.OPENAI_MODEL") in (
        pack_violations(text)
    ), text


def test_region_override_gives_an_undeclared_stack_its_region(project: Project) -> None:
    proc = project.run("preview", LAB)
    text = output(proc)
    assert proc.returncode != 0, text
    assert {(v.policy, v.rule) for v in pack_violations(text)} == {(REGION, "RG008")}, text
    policies = (ENDPOINT, MODELS, REGION)
    proc = project.run("preview", LAB, {p: {"region": "eu"} for p in policies})
    text = output(proc)
    assert proc.returncode != 0, text
    violations = pack_violations(text)
    assert "RG008" not in {v.rule for v in violations}, text
    assert {(v.name, v.rule) for v in violations} == {
        ("worker-env", "RG001"), ("batch-env", "RG001"), ("templated-env", "RG011")
    }, text  # fmt: skip
    assert "EU stack 'lab-cfg' sends to api.openai.com" in text, text


def test_a_config_the_schema_refuses_is_an_error_naming_it(project: Project) -> None:
    proc = project.run("preview", EU, {ENDPOINT: {"unresolved": "allow"}})
    text = output(proc)
    assert proc.returncode != 0, text
    assert "unresolved" in text and ENDPOINT in text, text
    assert not pack_violations(text), text


def test_the_shipped_example_config_is_valid_and_enforces(project: Project) -> None:
    proc = project.run("preview", EU, EXAMPLE)
    text = output(proc)
    assert proc.returncode != 0, text
    assert pack_violations(text) == endpoint("mandatory"), text


def test_suppressions_packaged_in_the_pack_folder_apply(project: Project, tmp_path: Path) -> None:
    """A residency-guard.yaml inside the pack's folder (what a published pack carries) wins
    over the one beside it, and its suppressions apply."""
    pack = tmp_path / "pack"
    shutil.copytree(project.pack, pack)
    (pack / "residency-guard.yaml").write_text(
        "suppressions:\n"
        "  - rule: RG011\n"
        '    stack: "prod-eu-*"\n'
        '    reason: "host injected by the platform, INC-42"\n'
        '    until: "2999-12-31"\n',
        encoding="utf-8",
    )
    proc = project.engine.run(["preview", "--stack", EU, "--policy-pack", str(pack)], project.path)
    text = output(proc)
    assert pack_violations(text) == endpoint("mandatory") - {
        found("mandatory", ENDPOINT, "templated-env", "RG011", "templated-env.env.OPENAI_BASE_URL")
    }, text
    assert "host injected by the platform, INC-42" in text, text  # the summary says why


def test_a_group_picks_a_team_catalog_packaged_with_the_pack(
    project: Project, tmp_path: Path
) -> None:
    """`repoConfig` in a group's config names a settings file packaged in the pack's folder;
    its team catalog (`catalog:`) applies: a model the team banned is RG014."""
    pack = tmp_path / "pack"
    shutil.copytree(project.pack, pack)
    teams = pack / "teams"
    teams.mkdir()
    (teams / "ml-platform.yaml").write_text("catalog: ml-platform-catalog.yaml\n", encoding="utf-8")
    (teams / "ml-platform-catalog.yaml").write_text(
        "banned_models:\n  gpt-4o-2024-11-20: replaced by the team's fine-tune\n", encoding="utf-8"
    )
    banned = found("mandatory", MODELS, "model-env", "RG014", "model-env.env.OPENAI_MODEL")
    plain = project.engine.run(["preview", "--stack", EU, "--policy-pack", str(pack)], project.path)
    assert banned not in pack_violations(output(plain)), output(plain)
    config = project.configs / "team.json"
    config.write_text(json.dumps({MODELS: {"repoConfig": "teams/ml-platform.yaml"}}))
    proc = project.engine.run(
        ["preview", "--stack", EU, "--policy-pack", str(pack), "--policy-pack-config", str(config)],
        project.path,
    )
    text = output(proc)
    assert banned in pack_violations(text), text
    assert "replaced by the team's fine-tune" in text, text


def test_the_cli_on_the_engines_preview_names_what_the_pack_blocked(
    project: Project, tmp_path: Path
) -> None:
    """Parity on the real engine's own output: `pulumi preview --json` (without the pack)
    through `residency-guard check` gives the rules and places the pack reported."""
    blocked = pack_violations(output(project.run("preview", EU)))
    preview = project.engine.run(["preview", "--json", "--stack", EU], project.path)
    assert preview.returncode == 0, output(preview)
    preview_json = tmp_path / "preview.json"
    preview_json.write_text(preview.stdout, encoding="utf-8")
    config = project.pack.parent / "residency-guard.yaml"
    assert cli_errors(check_json(preview_json, tmp_path, config=config)) == {
        (v.rule, v.path) for v in blocked
    }
