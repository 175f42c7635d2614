"""Each sink under Pulumi's mocks: the values it hands its provider, secret, and its labels.

The cloud sinks cannot run for real here (no provider plugins, no accounts): these tests
assert what each registers, as the engine would receive it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from components.openai_residency import OpenAIResidency, OpenAIResidencyArgs
from components.sinks.dotenv import DotenvSink, DotenvSinkArgs, render_dotenv
from residency_guard.scanners.dotenv import parse_dotenv
from tests.components.conftest import FAKE_KEY, Engine, leaks, reveal, run

LABELS = {
    "residency-guard/region": "eu",
    "residency-guard/host": "eu.api.openai.com",
    "residency-guard/catalog-as-of": "2026-12-04",
}
ENV = {
    "OPENAI_BASE_URL": "https://eu.api.openai.com/v1",
    "OPENAI_API_KEY": FAKE_KEY,
    "OPENAI_PROJECT_ID": "proj_eu",
    "RESIDENCY_GUARD_REGION": "eu",
}


def eu() -> OpenAIResidency:
    args = OpenAIResidencyArgs(region="eu", api_key=FAKE_KEY, project_id="proj_eu")
    return OpenAIResidency("openai", args)


def no_plain_key(engine: Engine) -> None:
    assert leaks(engine.everything(), FAKE_KEY) == []


def test_kubernetes_secret(engine: Engine) -> None:
    pytest.importorskip("pulumi_kubernetes")
    from components.sinks.kubernetes import KubernetesSecretSink, KubernetesSecretSinkArgs

    def program() -> None:
        args = KubernetesSecretSinkArgs(
            residency=eu(), namespace="ai-apps", labels={"team": "ml", LABEL: "us"}
        )
        KubernetesSecretSink("openai-env", args)

    LABEL = "residency-guard/region"  # a caller's label cannot override a residency label
    run(program)
    secret = engine.recorder.one("kubernetes:core/v1:Secret")
    assert secret.inputs["type"] == "Opaque"
    assert secret.inputs["metadata"] == {
        "name": "openai-env",
        "namespace": "ai-apps",
        "labels": {"team": "ml", **LABELS},
    }
    assert reveal(secret.inputs["stringData"]) == ENV
    assert "data" not in secret.inputs
    engine.recorder.one("residency-guard:sinks:KubernetesSecret")
    no_plain_key(engine)


def test_aws_ssm_parameters(engine: Engine) -> None:
    pytest.importorskip("pulumi_aws")
    from components.sinks.aws import AwsSsmSink, AwsSsmSinkArgs

    run(lambda: AwsSsmSink("openai", AwsSsmSinkArgs(residency=eu(), prefix="/prod-eu/openai/")))
    parameters = engine.recorder.of_type("aws:ssm/parameter:Parameter")
    by_name = {p.inputs["name"]: p.inputs for p in parameters}
    assert sorted(by_name) == sorted(f"/prod-eu/openai/{name}" for name in ENV)
    for name, value in ENV.items():
        inputs = by_name[f"/prod-eu/openai/{name}"]
        assert inputs["type"] == "SecureString"
        assert reveal(inputs["value"]) == value
        assert inputs["tags"] == LABELS
    no_plain_key(engine)


def test_aws_secrets_manager_secret(engine: Engine) -> None:
    pytest.importorskip("pulumi_aws")
    from components.sinks.aws import AwsSecretsManagerSink, AwsSecretsManagerSinkArgs

    args = AwsSecretsManagerSinkArgs(residency=eu(), secret_name="prod-eu/openai")
    run(lambda: AwsSecretsManagerSink("openai", args))
    secret = engine.recorder.one("aws:secretsmanager/secret:Secret")
    assert secret.inputs["name"] == "prod-eu/openai"
    assert secret.inputs["tags"] == LABELS
    version = engine.recorder.one("aws:secretsmanager/secretVersion:SecretVersion")
    assert version.inputs["secretId"] == "openai-id"
    assert json.loads(reveal(version.inputs["secretString"])) == ENV
    no_plain_key(engine)


def test_azure_key_vault_secrets(engine: Engine) -> None:
    pytest.importorskip("pulumi_azure_native")
    from components.sinks.azure import AzureKeyVaultSink, AzureKeyVaultSinkArgs

    args = AzureKeyVaultSinkArgs(
        residency=eu(), resource_group_name="rg-ai", vault_name="kv-ai", prefix="prod-eu-"
    )
    run(lambda: AzureKeyVaultSink("openai", args))
    secrets = engine.recorder.of_type("azure-native:keyvault:Secret")
    by_name = {s.inputs["secretName"]: s.inputs for s in secrets}
    assert sorted(by_name) == sorted(f"prod-eu-{name.replace('_', '-')}" for name in ENV)
    for name, value in ENV.items():
        inputs = by_name[f"prod-eu-{name.replace('_', '-')}"]
        assert inputs["resourceGroupName"] == "rg-ai"
        assert inputs["vaultName"] == "kv-ai"
        # Secretness travels to the top-level property (Pulumi's wire format).
        assert reveal(inputs["properties"]) == {"value": value}
        # Azure tag names refuse "/".
        assert inputs["tags"] == {k.replace("/", "_"): v for k, v in LABELS.items()}
    no_plain_key(engine)


@pytest.mark.parametrize(
    ("locations", "replication"),
    [
        (None, {"auto": {}}),
        (["europe-west1"], {"userManaged": {"replicas": [{"location": "europe-west1"}]}}),
    ],
)
def test_gcp_secret_manager_secret(
    engine: Engine, locations: list[str] | None, replication: dict[str, Any]
) -> None:
    pytest.importorskip("pulumi_gcp")
    from components.sinks.gcp import GcpSecretManagerSink, GcpSecretManagerSinkArgs

    args = GcpSecretManagerSinkArgs(
        residency=eu(), secret_id="openai-prod-eu", replica_locations=locations
    )
    run(lambda: GcpSecretManagerSink("openai", args))
    secret = engine.recorder.one("gcp:secretmanager/secret:Secret")
    assert secret.inputs["secretId"] == "openai-prod-eu"
    assert secret.inputs["replication"] == replication
    # GCP label keys and values: lowercase letters, digits, "_" and "-" only.
    assert secret.inputs["labels"] == {
        "residency-guard_region": "eu",
        "residency-guard_host": "eu-api-openai-com",
        "residency-guard_catalog-as-of": "2026-12-04",
    }
    version = engine.recorder.one("gcp:secretmanager/secretVersion:SecretVersion")
    assert version.inputs["secret"] == "openai-id"
    assert json.loads(reveal(version.inputs["secretData"])) == ENV
    no_plain_key(engine)


def test_dotenv_file(engine: Engine) -> None:
    run(lambda: DotenvSink("openai-env", DotenvSinkArgs(residency=eu(), path=".env.prod-eu")))
    sink = engine.recorder.one("residency-guard:sinks:Dotenv")
    assert sink.inputs == {"path": ".env.prod-eu"}
    file = engine.recorder.one("pulumi-python:dynamic/residency-guard:DotenvFile")
    assert file.inputs["path"] == ".env.prod-eu"
    content = reveal(file.inputs["content"])
    assert content == render_dotenv(ENV, LABELS, "dotenv sink 'openai-env'")
    assert content.splitlines()[0] == "# residency-guard:region: eu"
    # The core's dotenv scanner reads back the region and every variable.
    values, regions = parse_dotenv(content)
    assert regions == [("eu", 1), ("eu", len(content.splitlines()))]
    assert {v.name: v.text for v in values} == ENV
    no_plain_key(engine)
