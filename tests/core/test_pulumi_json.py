"""`pulumi preview --json` output and `pulumi stack export` files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from tests.core.helpers import FAKE_KEY

URN = "urn:pulumi:{stack}::shop::{type}::{name}"


def preview(stack: str, resources: list[tuple[str, str, dict[str, Any]]],
            config: dict[str, Any] | None = None) -> dict[str, Any]:  # fmt: skip
    steps = []
    for rtype, name, inputs in resources:
        urn = URN.format(stack=stack, type=rtype, name=name)
        steps.append({"op": "create", "urn": urn,
                      "newState": {"type": rtype, "urn": urn, "inputs": inputs}})  # fmt: skip
    return {"config": config or {}, "steps": steps, "changeSummary": {"create": len(steps)}}


def scan(tmp_path: Path, data: dict[str, Any], catalog: Any = None) -> list[tuple[str, str]]:
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data, indent=2))
    result = scan_pulumi_json(path, catalog or shipped_catalog(), RepoConfig())
    return sorted((f.rule, f.path.split(".")[0]) for f in result.findings)


def deployment(env: list[dict[str, str]]) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": [{"name": "app", "env": env}]}}}}


EU = {"residency-guard:region": "eu"}


def test_hand_written_deployment_with_the_global_host_is_caught(tmp_path: Path) -> None:
    env = [{"name": "OPENAI_BASE_URL", "value": "https://api.openai.com/v1"}]
    data = preview("prod-eu", [("kubernetes:apps/v1:Deployment", "api", deployment(env))], EU)
    assert scan(tmp_path, data) == [("RG001", "api")]


def test_regional_deployment_passes(tmp_path: Path) -> None:
    env = [{"name": "OPENAI_BASE_URL", "value": "https://eu.api.openai.com/v1"}]
    data = preview("prod-eu", [("kubernetes:apps/v1:Deployment", "api", deployment(env))], EU)
    assert scan(tmp_path, data) == []


def test_base64_secret_data_and_ecs_json_are_decoded(tmp_path: Path) -> None:
    secret = {"data": {"OPENAI_BASE_URL": "aHR0cHM6Ly9hcGkub3BlbmFpLmNvbS92MQ=="}}
    ecs = {"containerDefinitions": json.dumps(
        [{"environment": [{"name": "OPENAI_BASE_URL", "value": "https://us.api.openai.com/v1"}]}]
    )}  # fmt: skip
    data = preview("prod-eu", [("kubernetes:core/v1:Secret", "s", secret),
                               ("aws:ecs/taskDefinition:TaskDefinition", "t", ecs)], EU)  # fmt: skip
    assert scan(tmp_path, data) == [("RG001", "s"), ("RG001", "t")]


def test_secret_wrapped_key_is_not_plaintext_but_a_plain_one_is(tmp_path: Path) -> None:
    wrapped = {"4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270",
               "value": FAKE_KEY}  # fmt: skip
    data = preview("prod-eu", [("aws:lambda/function:Function", "secret", {"key": wrapped}),
                               ("aws:lambda/function:Function", "plain", {"key": FAKE_KEY})], EU)  # fmt: skip
    assert scan(tmp_path, data) == [("RG007", "plain")]


def test_azure_account_and_deployment(tmp_path: Path) -> None:
    resources = [
        ("azure-native:cognitiveservices:Account", "us-acct", {"kind": "OpenAI", "location": "eastus"}),
        ("azure-native:cognitiveservices:Account", "eu-acct",
         {"kind": "OpenAI", "location": "swedencentral", "accountName": "eu-acct"}),
        ("azure-native:cognitiveservices:Account", "uk-acct", {"kind": "OpenAI", "location": "uksouth"}),
        ("azure-native:cognitiveservices:Deployment", "global", {"accountName": "eu-acct", "sku": {"name": "GlobalStandard"}}),
        ("azure-native:cognitiveservices:Deployment", "zone", {"accountName": "eu-acct", "sku": {"name": "DataZoneStandard"}}),
        ("azure-native:cognitiveservices:Deployment", "zone-uk", {"accountName": "uk-acct", "sku": {"name": "DataZoneStandard"}}),
        ("azure-native:cognitiveservices:Deployment", "single", {"accountName": "eu-acct", "sku": {"name": "Standard"}}),
    ]  # fmt: skip
    found = scan(tmp_path, preview("prod-eu", resources, EU))
    assert found == [("RG012", "uk-acct"), ("RG012", "us-acct"), ("RG013", "global"),
                     ("RG013", "zone-uk")]  # fmt: skip


def test_state_export_reads_inputs_and_outputs(tmp_path: Path) -> None:
    urn = "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn"
    state = {"version": 3, "deployment": {"manifest": {}, "resources": [
        {"urn": urn, "type": "aws:lambda/function:Function",
         "inputs": {"environment": {"variables": {"OPENAI_BASE_URL": "https://eu.api.openai.com/v1"}}},
         "outputs": {"endpoint": "https://api.openai.com/v1"}},
    ]}}  # fmt: skip
    repo = RepoConfig(stacks=(("prod-eu", "eu", 1),))
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    result = scan_pulumi_json(path, shipped_catalog(), repo)
    assert [(f.rule, f.line) for f in result.findings] == [("RG001", 1)]


def test_team_banned_model(tmp_path: Path) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text("banned_models:\n  gpt-4-0613: retired internally\n")
    env = [{"name": "OPENAI_MODEL", "value": "gpt-4-0613"}]
    data = preview("prod-eu", [("kubernetes:apps/v1:Deployment", "api", deployment(env))], EU)
    assert scan(tmp_path, data, load_catalog([overlay])) == [("RG014", "api")]
    assert scan(tmp_path, data) == []


def test_finding_points_at_the_resource_line(tmp_path: Path) -> None:
    env = [{"name": "OPENAI_BASE_URL", "value": "https://api.openai.com/v1"}]
    data = preview("prod-eu", [("kubernetes:apps/v1:Deployment", "api", deployment(env))], EU)
    path = tmp_path / "p.json"
    path.write_text(json.dumps(data, indent=2))
    (finding,) = scan_pulumi_json(path, shipped_catalog(), RepoConfig()).findings
    lines = path.read_text().splitlines()
    assert (
        '"urn": "urn:pulumi:prod-eu::shop::kubernetes:apps/v1:Deployment::api"'
        in lines[finding.line - 1]
    )


def test_azure_resource_ids_and_urns_are_not_unusable_endpoints(tmp_path: Path) -> None:
    """An Azure OpenAI account's id and a URN mention Azure and OpenAI but are no URLs: an EU
    stack that exports them was reported (RG010) as holding an endpoint the client cannot use."""
    account = {
        "id": "/subscriptions/0000/resourceGroups/rg-eu/providers/"
              "Microsoft.CognitiveServices/accounts/shop-openai",
        "dependsOn": "urn:pulumi:prod-eu::shop::azure-native:cognitiveservices:Account::ai",
        "arn": "arn:aws:secretsmanager:eu-central-1:1:secret:azure-openai-key",
    }  # fmt: skip
    data = preview("prod-eu", [("azure-native:web:WebApp", "site", account)], EU)
    assert scan(tmp_path, data) == []


def test_a_url_the_client_cannot_read_is_still_reported_in_free_text(tmp_path: Path) -> None:
    for text in (
        "https:/api.openai.com/v1",
        "eu.api.openai.com:abc",
        "https://eu.api.openai.com:x/v1",
    ):
        data = preview("prod-eu", [("azure-native:web:WebApp", "site", {"note": text})], EU)
        assert scan(tmp_path, data) == [("RG010", "site")], text
