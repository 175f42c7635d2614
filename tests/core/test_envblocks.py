"""Env blocks: the variables one process receives together, and a key without a base URL."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from residency_guard.envblocks import env_blocks, key_without_base_url, yaml_tree
from residency_guard.yamlfile import load_yaml_documents
from tests.core.helpers import FAKE_KEY, rules_of, scan_yaml

REALWORLD = Path(__file__).resolve().parents[1] / "realworld"
EU_URL = "https://eu.api.openai.com/v1"
KEY_REF = {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}}


def keys_without_base_url(data: Any) -> list[str]:
    """The dotted places of every key an env-built client would send to api.openai.com."""
    found = [key_without_base_url(block) for block in env_blocks(data)]
    return [".".join(str(p) for p in f.key.path) for f in found if f is not None]


def container(*env: Any, **more: Any) -> dict[str, Any]:
    return {"containers": [{"name": "api", "env": list(env), **more}]}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        # Kubernetes container env: a secretKeyRef key, nothing else.
        (container(KEY_REF), ["containers.0.env.0"]),
        (container(KEY_REF, {"name": "OPENAI_BASE_URL", "value": EU_URL}), []),
        # The base URL may come from a ConfigMap or a Secret: no verdict.
        (container(KEY_REF, envFrom=[{"configMapRef": {"name": "openai"}}]), []),
        # Lambda environment.variables
        ({"environment": {"variables": {"OPENAI_API_KEY": "x"}}}, ["environment.variables"]),
        # Compose: list and map forms, `${VAR}` and pass-through keys are delivered.
        ({"environment": ["OPENAI_API_KEY=${OPENAI_API_KEY}", "LOG=info"]}, ["environment.0"]),
        ({"environment": ["OPENAI_API_KEY"]}, ["environment.0"]),
        ({"environment": {"OPENAI_API_KEY": None}}, ["environment"]),
        ({"environment": ["OPENAI_API_KEY=x"], "env_file": [".env"]}, []),
        # An empty key is a template, not a delivered key.
        ({"environment": {"OPENAI_API_KEY": ""}}, []),
        # An empty OPENAI_BASE_URL is no base URL (openai-node reads it as unset).
        ({"environment": {"OPENAI_API_KEY": "x", "OPENAI_BASE_URL": ""}}, ["environment"]),
        # ECS: environment and secrets of one container are one environment, in a JSON string.
        ({"containerDefinitions": json.dumps([{"name": "api",
          "environment": [{"name": "OPENAI_BASE_URL", "value": EU_URL}],
          "secrets": [{"name": "OPENAI_API_KEY", "valueFrom": "arn:aws:ssm:x"}]}])}, []),
        ({"containerDefinitions": json.dumps([{"name": "api",
          "secrets": [{"name": "OPENAI_API_KEY", "valueFrom": "arn:aws:ssm:x"}]}])},
         ["containerDefinitions.0.secrets.0"]),
        # App Service app settings
        ({"siteConfig": {"appSettings": [{"name": "OPENAI_API_KEY", "value": "@Microsoft."
          "KeyVault(SecretUri=https://v.vault.azure.net/secrets/k)"}]}},
         ["siteConfig.appSettings.0"]),
        # The key is Azure's or another provider's.
        (container(KEY_REF, {"name": "OPENAI_API_TYPE", "value": "azure"}), []),
        (container(KEY_REF, {"name": "AZURE_OPENAI_ENDPOINT", "value": "https://a.openai.azure.com"}), []),
        (container(KEY_REF, {"name": "OPENAI_HOST", "value": "azure"}), []),
        (container(KEY_REF, {"name": "LLM_PROVIDER", "value": "ollama"}), []),
        # ...but a pick of OpenAI itself is the default host, and an empty Azure endpoint is none.
        (container(KEY_REF, {"name": "OPENAI_HOST", "value": "openai"}), ["containers.0.env.0"]),
        (container(KEY_REF, {"name": "AZURE_OPENAI_ENDPOINT", "value": ""}), ["containers.0.env.0"]),
        # OPENAI_API_BASE beside it: RG006 says the key goes global.
        (container(KEY_REF, {"name": "OPENAI_API_BASE", "value": EU_URL}), []),
        # Another endpoint setting the workload reads (a chart wires it in).
        ({"openaiBaseApiUrl": EU_URL, "extraEnvVars": [KEY_REF]}, []),
        # Key stores are no environment.
        ({"kind": "Secret", "stringData": {"OPENAI_API_KEY": "x"}}, []),
        ({"data": {"OPENAI_API_KEY": "eA=="}}, []),
        ({"secretString": json.dumps({"OPENAI_API_KEY": "x"})}, []),
        # Lists that are not environments.
        ({"args": ["--openai-key=x"], "command": ["run"]}, []),
    ],
)  # fmt: skip
def test_keys_without_base_url(data: Any, expected: list[str]) -> None:
    assert keys_without_base_url(data) == expected


@pytest.mark.parametrize(
    ("file", "count"),
    [
        ("compose/rag-stack/docker-compose.yml", 1),
        ("compose/regional/compose.yaml", 0),
        ("kubernetes/chat-api/deployment.yaml", 1),
        ("kubernetes/chat-api/configmap.yaml", 0),
        ("helm/open-webui/values-eu.yaml", 0),
        ("helm/aoai-app/values.yaml", 0),
        ("litellm/gateway-eu/config.yaml", 0),
    ],
)
def test_corpus_files_of_kinds_check_reads_later(file: str, count: int) -> None:
    """The core's reading of the corpus's pending kinds (tests/realworld/manifest.yaml expects
    RG018 on the same files), ready for the readers that hand it their data."""
    text = (REALWORLD / file).read_text(encoding="utf-8")
    documents = list(yaml.safe_load_all(text))
    assert sum(len(keys_without_base_url(d)) for d in documents) == count
    located = [yaml_tree(d, d.root) for d in load_yaml_documents(text, file)]  # as check reads
    assert sum(len(keys_without_base_url(d)) for d in located) == count


def test_stack_config_env_map_in_a_residency_stack_only() -> None:
    env = "{OPENAI_API_KEY: {secure: v1:abc}, OPENAI_MODEL: gpt-4.1-mini-2025-04-14}"
    text = "config:\n  residency-guard:region: REGION\n  app:workerEnv: " + env + "\n"
    assert rules_of(scan_yaml(text.replace("REGION", "eu"))) == ["RG018"]
    assert rules_of(scan_yaml(text.replace("REGION", "us"))) == ["RG018"]  # api.openai.com is no US
    assert rules_of(scan_yaml(text.replace("REGION", "global"), stack="dev")) == []


def test_stack_config_env_map_beside_an_openai_endpoint_setting() -> None:
    text = (
        "config:\n  residency-guard:region: eu\n"
        f"  app:openaiBaseUrl: {EU_URL}\n"
        "  app:workerEnv: {OPENAI_API_KEY: {secure: v1:abc}}\n"
    )
    assert rules_of(scan_yaml(text)) == []  # the program may wire the base URL in


def test_finding_names_the_key_line_and_the_regional_fix() -> None:
    text = (
        f"config:\n  residency-guard:region: eu\n  app:workerEnv:\n    OPENAI_API_KEY: {FAKE_KEY}\n"
    )
    (finding,) = [f for f in scan_yaml(text) if f.rule == "RG018"]
    assert (finding.line, finding.path) == (4, "config.app:workerEnv")
    assert finding.message == (
        "EU stack 'prod-eu' delivers OPENAI_API_KEY with no OPENAI_BASE_URL: the openai client "
        "then sends to api.openai.com (global, no residency)"
    )
    assert finding.fix == "set OPENAI_BASE_URL=https://eu.api.openai.com/v1 beside the key"


def test_esc_environment_variables_are_one_environment(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n"
    )
    (tmp_path / "esc" / "shop").mkdir(parents=True)
    definition = tmp_path / "esc" / "shop" / "prod-eu.yaml"
    definition.write_text(
        "values:\n  environmentVariables:\n    OPENAI_API_KEY:\n      fn::secret: x\n"
    )
    from residency_guard.scan import scan_paths

    (finding,) = [f for f in scan_paths([tmp_path]).findings if f.rule == "RG018"]
    assert (finding.file, finding.line) == (str(definition), 4)
    definition.write_text(
        "values:\n  environmentVariables:\n    OPENAI_API_KEY:\n      fn::secret: x\n"
        f"    OPENAI_BASE_URL: {EU_URL}\n"
    )
    assert [f for f in scan_paths([tmp_path]).findings if f.rule == "RG018"] == []


def test_a_stack_file_as_deep_as_the_reader_allows_is_still_judged() -> None:
    depth = 500
    text = (
        "config:\n  residency-guard:region: eu\n"
        f"  app:deep: {'[' * depth}https://api.openai.com/v1{']' * depth}\n"
        "  app:workerEnv: {OPENAI_API_KEY: {secure: v1:abc}}\n"
    )
    assert rules_of(scan_yaml(text)) == ["RG001", "RG018"]


def test_an_env_map_shared_by_aliases_is_one_block() -> None:
    text = (
        "config:\n  residency-guard:region: eu\n"
        "  app:env: &env {OPENAI_API_KEY: {secure: v1:abc}}\n"
        "  app:workers: [{env: *env}, {env: *env}, {env: *env}]\n"
    )
    found = [f for f in scan_yaml(text) if f.rule == "RG018"]
    assert [(f.line, f.path) for f in found] == [(3, "config.app:env")]
