"""The component provider plugin, without the CLI: its schema and its Construct."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pulumi.errors import InputPropertiesError

from components.plugin import ResidencyComponentProvider, schema
from residency_guard.api import check_declaration
from residency_guard.stackregion import COMPONENT_TYPE

DOTENV_TYPE = "residency-guard:index:OpenAIDotenv"
from tests.components.conftest import FAKE_KEY, Engine

COMPONENTS = Path(__file__).resolve().parents[2] / "components"


@pytest.fixture(scope="module")
def published() -> dict[str, Any]:
    return schema()


@pytest.fixture(scope="module")
def resource(published: dict[str, Any]) -> dict[str, Any]:
    resources: dict[str, Any] = published["resources"]
    return resources[COMPONENT_TYPE]


def test_the_package_publishes_the_component_and_its_dotenv_sink(
    published: dict[str, Any],
) -> None:
    assert published["name"] == "residency-guard"
    assert list(published["resources"]) == [COMPONENT_TYPE, DOTENV_TYPE]
    assert all(r["isComponent"] is True for r in published["resources"].values())
    assert published["types"] == {}


def test_the_dotenv_sink_takes_the_components_env_as_a_secret(
    published: dict[str, Any],
) -> None:
    sink = published["resources"][DOTENV_TYPE]
    assert sorted(sink["requiredInputs"]) == ["env", "labels"]
    assert sink["inputProperties"]["env"].get("secret") is True
    assert sink["inputProperties"]["path"]["type"] == "string"
    assert list(sink["properties"]) == ["path"]


def test_inputs(resource: dict[str, Any]) -> None:
    inputs = resource["inputProperties"]
    assert resource["requiredInputs"] == ["region"]
    assert {name: spec.get("type") for name, spec in inputs.items()} == {
        "region": "string",
        "apiKey": "string",
        "projectId": "string",
        "orgId": "string",
        "models": "object",
        "surfaces": "array",
        "gatewayHost": "string",
        "perRequestResidency": "boolean",
        "catalogFiles": "array",
        "repoConfig": "string",
    }
    assert inputs["models"]["additionalProperties"]["type"] == "array"
    assert inputs["models"]["additionalProperties"]["items"]["type"] == "string"
    # What the core judges at construction must be known then: plain in every language.
    plain = {name for name, spec in inputs.items() if spec.get("plain")}
    assert plain == {
        "region",
        "models",
        "surfaces",
        "gatewayHost",
        "perRequestResidency",
        "catalogFiles",
        "repoConfig",
    }


def test_the_key_and_the_env_are_secret_in_the_schema(resource: dict[str, Any]) -> None:
    secret_inputs = {n for n, s in resource["inputProperties"].items() if s.get("secret")}
    secret_outputs = {n for n, s in resource["properties"].items() if s.get("secret")}
    assert secret_inputs == {"apiKey"}
    assert secret_outputs == {"env"}


def test_outputs(resource: dict[str, Any]) -> None:
    outputs = resource["properties"]
    assert sorted(resource["required"]) == sorted(outputs)
    assert {name: spec.get("type") for name, spec in outputs.items()} == {
        "baseUrl": "string",
        "env": "object",
        "region": "string",
        "models": "object",
        "labels": "object",
        "summary": "object",
    }
    assert outputs["env"]["additionalProperties"] == {
        "description": outputs["env"]["description"],
        "type": "string",
    }
    # Summary keys stay snake_case (residency-guard report reads them from state).
    assert outputs["summary"]["additionalProperties"]["$ref"] == "pulumi.json#/Any"


def test_the_plugin_manifest_runs_python_in_the_project_venv() -> None:
    manifest = yaml.safe_load((COMPONENTS / "PulumiPlugin.yaml").read_text(encoding="utf-8"))
    assert manifest["runtime"]["name"] == "python"
    venv = manifest["runtime"]["options"]["virtualenv"]
    assert (COMPONENTS / venv).resolve() == COMPONENTS.parent / ".venv"
    assert (COMPONENTS / "__main__.py").is_file()


def test_construct_returns_the_state_other_languages_see(engine: Engine) -> None:
    provider = ResidencyComponentProvider()
    result = provider.construct(
        "openai", COMPONENT_TYPE, {"region": "eu", "apiKey": FAKE_KEY, "surfaces": ["chat"]}
    )
    assert set(result.state) == {"baseUrl", "env", "region", "models", "labels", "summary"}
    assert result.state["baseUrl"] is not None


def test_a_refusal_is_an_input_error_with_the_core_message(engine: Engine) -> None:
    provider = ResidencyComponentProvider()
    with pytest.raises(InputPropertiesError) as refused:
        provider.construct(
            "openai", COMPONENT_TYPE, {"region": "eu", "gatewayHost": "api.openai.com"}
        )
    [finding] = check_declaration("eu", gateway_host="api.openai.com", stack="prod-eu")
    line = f"openai: RG001: {finding.message}; {finding.fix}"
    assert refused.value.message == line
    # The engine prints each as "property gatewayHost ... has a problem: <reason>".
    assert refused.value.errors == [{"property_path": "gatewayHost", "reason": line}]


@pytest.mark.parametrize(
    ("inputs", "paths"),
    [
        (
            {"models": {"chat": ["gpt-4o"]}, "surfaces": ["assistants"]},
            ["models.chat[0]", "surfaces[0]"],
        ),
        ({"models": {"batch": ["gpt-4o-2024-11-20"]}}, ["models"]),
        ({"region": "xx"}, ["region"]),
        ({"gatewayHost": "https://llm-gw.internal"}, ["gatewayHost"]),
    ],
)
def test_each_refusal_names_the_input_at_fault(
    engine: Engine, inputs: dict[str, Any], paths: list[str]
) -> None:
    provider = ResidencyComponentProvider()
    with pytest.raises(InputPropertiesError) as refused:
        provider.construct("openai", COMPONENT_TYPE, {"region": "eu", **inputs})
    assert [e["property_path"] for e in refused.value.errors or []] == paths
    assert "Traceback" not in refused.value.message


def test_the_entry_point_serves_the_schema_over_grpc(tmp_path: Path) -> None:
    # What `pulumi package add ./components` does first: run `python components/ <engine>`,
    # read the port it prints, ask for the schema.
    import grpc
    from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

    process = subprocess.Popen(
        [sys.executable, str(COMPONENTS), "127.0.0.1:1"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        port = int(process.stdout.readline().strip())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            reply = stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30)
        served = json.loads(reply.schema)
        assert served == schema()
    finally:
        process.terminate()
        process.communicate(timeout=30)
