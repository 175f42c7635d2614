"""A second language: a Pulumi YAML program consumes the component provider, on the real engine.

The YAML language host is Pulumi's own (`pulumi-language-yaml` from the Go module
github.com/pulumi/pulumi-yaml v1.25.0), built by scripts/install-pulumi-yaml. The program
(tests/fixtures/engine/yaml-consumer) names the component package under `packages:` (what
`pulumi package add ./components` records) and uses `OpenAIResidency` and its dotenv sink
`OpenAIDotenv`. What stops an EU stack that sends to OpenAI's global host:

- handed to the component (`gatewayHost: api.openai.com`): the component's refusal. The pack
  never sees those inputs: the engine hands a remote component's inputs to the provider's
  Construct, not to the analyzers, and the refused component registers nothing;
- handed to a sink as a literal env map: the pack. The engine shows it the inputs of the
  resources the provider registers (the component as it registers itself, the sink's
  `DotenvFile`), and `openai-endpoint-region` blocks the `DotenvFile` (RG001).

The dotenv file is written by a Python dynamic provider, which the engine starts with
`PULUMI_PYTHON_CMD` for a program that is not Python (docs/components.md).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import (
    FAKE_KEY,
    FIXTURES,
    REPO_ROOT,
    VENV,
    PackViolation,
    PulumiEngine,
    check_json,
    core_refusal,
    init_stack,
    ok,
    output,
    pack_violations,
    resources,
    stack_export,
)

pytestmark = pytest.mark.engine

PROGRAM = FIXTURES / "yaml-consumer"
KEY = "yaml-consumer:apiKey"
COMPONENT = "residency-guard:index:OpenAIResidency"
SINK = "residency-guard:index:OpenAIDotenv"
DOTENV_FILE = "pulumi-python:dynamic/residency-guard:DotenvFile"
CLEAN, GLOBAL, RAW = "prod-eu-yaml", "prod-eu-yaml-global", "prod-eu-yaml-raw"
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi-yaml"
_PACKAGE_PATH = re.compile(r"^(\s*residency-guard:[ \t]*)\S.*$", re.MULTILINE)


@pytest.fixture(scope="module")
def yaml_host_bin() -> Path:
    """The bin dir of the YAML language host (built, or reused, by its install script)."""
    proc = subprocess.run(
        [str(INSTALL_SCRIPT)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=3600,
        check=False,
    )  # fmt: skip
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        pytest.fail(
            f"scripts/install-pulumi-yaml failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}",
            pytrace=False,
        )
    bin_dir = Path(lines[-1])
    assert (bin_dir / "pulumi-language-yaml").is_file(), bin_dir
    return bin_dir


@dataclass
class YamlRuns:
    project: Path
    env: Mapping[str, str]
    up: subprocess.CompletedProcess[str]
    dotenv_text: str | None
    dotenv_mode: int | None
    export: str
    global_preview: subprocess.CompletedProcess[str]
    global_up: subprocess.CompletedProcess[str]
    raw_up: subprocess.CompletedProcess[str]
    raw_export: str


@pytest.fixture(scope="module")
def yaml_runs(
    pulumi_engine: PulumiEngine,
    yaml_host_bin: Path,
    components_plugin: Path,
    policy_pack: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> YamlRuns:
    project = tmp_path_factory.mktemp("yaml") / "project"
    shutil.copytree(PROGRAM, project)
    manifest = project / "Pulumi.yaml"
    text, count = _PACKAGE_PATH.subn(
        lambda m: m.group(1) + str(components_plugin), manifest.read_text(encoding="utf-8")
    )
    assert count == 1, text
    manifest.write_text(text, encoding="utf-8")
    env = {
        "PATH": f"{pulumi_engine.bin_dir}{os.pathsep}{yaml_host_bin}{os.pathsep}"
        f"{os.environ.get('PATH', '')}",
        # The sink's dynamic provider: a YAML project names no Python virtualenv.
        "PULUMI_PYTHON_CMD": str(VENV / "bin" / "python"),
    }
    pack = ["--policy-pack", str(policy_pack)]
    for stack in (CLEAN, GLOBAL, RAW):
        init_stack(pulumi_engine, project, stack, {KEY: FAKE_KEY})

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return pulumi_engine.run(list(args), project, env=env)

    up = run("up", "--yes", "--stack", CLEAN, *pack)
    dotenv = project / f".env.{CLEAN}"
    return YamlRuns(
        project=project,
        env=env,
        up=up,
        dotenv_text=dotenv.read_text(encoding="utf-8") if dotenv.exists() else None,
        dotenv_mode=stat.S_IMODE(dotenv.stat().st_mode) if dotenv.exists() else None,
        export=stack_export(pulumi_engine, project, CLEAN),
        global_preview=run("preview", "--stack", GLOBAL, *pack),
        global_up=run("up", "--yes", "--stack", GLOBAL, *pack),
        raw_up=run("up", "--yes", "--stack", RAW, *pack),
        raw_export=stack_export(pulumi_engine, project, RAW),
    )


def test_the_yaml_host_runs_the_program(yaml_runs: YamlRuns) -> None:
    text = output(yaml_runs.up)
    assert "pulumi-language-yaml" in text  # the engine says which host it took from PATH
    ok(yaml_runs.up, "pulumi up (YAML program)")


def test_a_yaml_program_deploys_the_component_and_its_dotenv_sink(yaml_runs: YamlRuns) -> None:
    text = output(yaml_runs.up)
    assert yaml_runs.up.returncode == 0, text
    assert not pack_violations(text), text
    assert FAKE_KEY not in text
    assert yaml_runs.dotenv_mode == 0o600
    assert yaml_runs.dotenv_text is not None
    lines = yaml_runs.dotenv_text.splitlines()
    assert lines[0] == "# residency-guard:region: eu"
    assert "OPENAI_BASE_URL=https://eu.api.openai.com/v1" in lines
    assert f"OPENAI_API_KEY={FAKE_KEY}" in lines
    state = resources(yaml_runs.export)
    types = {r["type"] for r in state}
    assert {COMPONENT, SINK, DOTENV_FILE, "pulumi:providers:residency-guard"} <= types
    # The key reaches state only as a secret (the schema marks the sink's env input secret).
    assert FAKE_KEY not in yaml_runs.export


def test_the_pack_sees_what_the_provider_registers(yaml_runs: YamlRuns) -> None:
    # The advisory summary lists the component as the provider registers it and the sinks'
    # files: the engine hands those inputs to the pack.
    text = output(yaml_runs.up)
    assert f"{COMPONENT} 'openai': component (region eu)" in text, text
    assert f"{DOTENV_FILE} 'dotenv': content -> eu.api.openai.com" in text, text
    assert f"{DOTENV_FILE} 'worker-dotenv': content -> eu.api.openai.com" in text, text


def test_the_global_host_given_to_the_component_is_refused_by_it(yaml_runs: YamlRuns) -> None:
    config = yaml.safe_load((PROGRAM / f"Pulumi.{GLOBAL}.yaml").read_text(encoding="utf-8"))
    gateway = config["config"]["yaml-consumer:gatewayHost"]
    expected = core_refusal(
        "openai", "eu", stack=GLOBAL, models={"chat": ["gpt-4o-2024-11-20"]},
        surfaces=["chat"], gateway_host=gateway,
    )  # fmt: skip
    assert expected
    for proc in (yaml_runs.global_preview, yaml_runs.global_up):
        text = output(proc)
        assert proc.returncode != 0, text
        for line in expected:
            assert f"error: {COMPONENT} resource 'openai' has a problem: {line}" in text, text
        assert f'property gatewayHost with value "{gateway}" has a problem' in text, text
        # The pack was loaded but never shown the refused inputs: it blocks nothing here.
        assert "residency-guard@v" in text and not pack_violations(text), text
    assert not (yaml_runs.project / f".env.{GLOBAL}").exists()


def test_the_global_host_given_to_a_sink_is_blocked_by_the_pack(yaml_runs: YamlRuns) -> None:
    text = output(yaml_runs.raw_up)
    assert yaml_runs.raw_up.returncode != 0, text
    assert pack_violations(text) == {
        PackViolation("mandatory", "openai-endpoint-region", DOTENV_FILE, "worker-dotenv",
                      "RG001", "worker-dotenv.content"),
        # The stack config that holds the host reaches the pack too: the engine gives it to
        # the dynamic resources' default provider as that provider's inputs.
        PackViolation("mandatory", "openai-endpoint-region", "pulumi:providers:pulumi-python",
                      "default", "RG001", "default.yaml-consumer:workerBaseUrl"),
    }, text  # fmt: skip
    assert FAKE_KEY not in text
    # Blocked before anything of the worker's was written; the component's own sink is fine.
    assert not (yaml_runs.project / f".env.{RAW}.worker").exists()
    assert DOTENV_FILE not in {
        r["type"] for r in resources(yaml_runs.raw_export) if r["urn"].endswith("::worker-dotenv")
    }


def test_the_cli_gate_stops_the_same_stacks_before_any_deployment(tmp_path: Path) -> None:
    """The third gate: `residency-guard check` on the program's folder fails the two stacks
    the component and the pack stop, at the config value that carries the global host."""
    report = check_json(PROGRAM, tmp_path)
    assert {(f["rule"], f["stack"], f["path"]) for f in report["findings"]} == {
        ("RG001", GLOBAL, "config.yaml-consumer:gatewayHost"),
        ("RG001", RAW, "config.yaml-consumer:workerBaseUrl"),
    }
