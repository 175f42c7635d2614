"""The component provider (components/PulumiPlugin.yaml) under the real engine.

`pulumi package add ./components` cannot run here: it generates an SDK through the language
host's GeneratePackage, which the stand-in Python host does not implement (docs/engine.md). What
runs: the schema the provider serves (`pulumi package get-schema`), and a second Python program
(tests/fixtures/engine/consumer) that registers OpenAIResidency as a remote component resource,
the provider named in its Pulumi.yaml (`plugins: providers:`).
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import (
    FAKE_KEY,
    FIXTURES,
    PulumiEngine,
    copy_fixture_program,
    core_refusal,
    init_stack,
    is_secret,
    ok,
    output,
    pin_plugin_path,
    resources,
    stack_export,
)

pytestmark = pytest.mark.engine

TYPE = "residency-guard:index:OpenAIResidency"
KEY = "consumer:apiKey"


def test_get_schema_serves_the_component_with_secret_key_and_env(
    pulumi_engine: PulumiEngine, components_plugin: Path, tmp_path: Path
) -> None:
    proc = ok(
        pulumi_engine.run(["package", "get-schema", str(components_plugin)], tmp_path),
        "pulumi package get-schema",
    )
    schema = json.loads(proc.stdout)
    assert schema["name"] == "residency-guard"
    assert set(schema["resources"]) == {TYPE, "residency-guard:index:OpenAIDotenv"}
    component = schema["resources"][TYPE]
    assert component["isComponent"] is True
    assert "region" in component["requiredInputs"]
    assert component["inputProperties"]["apiKey"].get("secret") is True
    assert component["properties"]["env"].get("secret") is True
    assert {"baseUrl", "env", "region", "models", "labels", "summary"} <= set(
        component["properties"]
    )


@dataclass
class Consumer:
    project: Path
    up: subprocess.CompletedProcess[str]
    outputs: dict[str, object]
    export: str
    refused: subprocess.CompletedProcess[str]
    refused_export: str


@pytest.fixture(scope="module")
def consumer(
    pulumi_engine: PulumiEngine, components_plugin: Path, tmp_path_factory: pytest.TempPathFactory
) -> Consumer:
    project = copy_fixture_program("consumer", tmp_path_factory.mktemp("consumer") / "project")
    pin_plugin_path(project / "Pulumi.yaml", components_plugin)
    init_stack(pulumi_engine, project, "eu-consumer", {KEY: FAKE_KEY})
    up = pulumi_engine.run(["up", "--yes", "--stack", "eu-consumer"], project)
    outputs = json.loads(
        ok(
            pulumi_engine.run(["stack", "output", "--json", "--stack", "eu-consumer"], project),
            "pulumi stack output",
        ).stdout
    )
    init_stack(pulumi_engine, project, "eu-refused", {KEY: FAKE_KEY})
    refused = pulumi_engine.run(["up", "--yes", "--stack", "eu-refused"], project)
    return Consumer(
        project,
        up,
        outputs,
        stack_export(pulumi_engine, project, "eu-consumer"),
        refused,
        stack_export(pulumi_engine, project, "eu-refused"),
    )


def test_a_python_program_deploys_the_remote_component(consumer: Consumer) -> None:
    text = output(consumer.up)
    assert consumer.up.returncode == 0, text
    assert re.search(r"^\s+env\s+: \[secret\]$", text, re.MULTILINE), text
    assert FAKE_KEY not in text
    assert consumer.outputs == {
        "base_url": "https://eu.api.openai.com/v1",
        "env": "[secret]",
        "region": "eu",
    }
    state = resources(consumer.export)
    # Constructed by the plugin: the engine started the residency-guard provider, and the
    # component's inputs in state are the ones OpenAIResidency registers (base_url, which the
    # consumer never passed), not the camelCase inputs the consumer sent.
    assert "pulumi:providers:residency-guard" in {r["type"] for r in state}
    [component] = [r for r in state if r["type"] == TYPE]
    assert component["inputs"]["region"] == "eu"
    assert component["inputs"]["base_url"] == "https://eu.api.openai.com/v1"
    assert is_secret(component["outputs"]["env"]), component["outputs"]
    assert FAKE_KEY not in consumer.export


def test_a_refused_declaration_surfaces_the_cores_message(consumer: Consumer) -> None:
    config = yaml.safe_load((FIXTURES / "consumer" / "Pulumi.eu-refused.yaml").read_text())
    model = config["config"]["consumer:chatModel"]
    expected = core_refusal(
        "openai", "eu", stack="eu-refused", models={"chat": [model]}, surfaces=["chat"]
    )
    assert expected, "the core accepts the fixture's model; pick one the EU refuses"
    text = output(consumer.refused)
    assert consumer.refused.returncode != 0, text
    for line in expected:
        assert f"error: {TYPE} resource 'openai' has a problem: {line}" in text, (
            f"missing {line!r}\n{text}"
        )
    # An invalid-input error naming the input at fault, not the provider's traceback. (The
    # consumer's own Python SDK may still print tracebacks of its pending calls once the engine
    # shuts the resource monitor down after the error: those name no components/ file.)
    assert f'property models.chat[0] with value "{model}" has a problem: {expected[0]}' in text
    assert "components/plugin.py" not in text and "openai_residency.py" not in text, text
    assert TYPE not in {r["type"] for r in resources(consumer.refused_export)}
