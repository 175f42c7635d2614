"""The host remediation: which URLs it rewrites, and which it leaves to a human."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pulumi_policy import ResourceValidationPolicy, Secret
from pulumi_policy.deserialize import serialize_properties

from policies.residency_pack import PackState
from policies.residency_pack.remediate import rewrite_text
from residency_guard.catalog import shipped_catalog

from .helpers import EU_URL, GLOBAL_URL, policies, resource_args, secret
from .shapes import ecs_task_definition, k8s_deployment

EU = shipped_catalog().regions["eu"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GLOBAL_URL, EU_URL),
        (
            "https://us.api.openai.com/v1/chat/completions",
            "https://eu.api.openai.com/v1/chat/completions",
        ),
        ("https://api.openai.com:443/v1", EU_URL),
        (
            "OPENAI_BASE_URL=https://api.openai.com/v1\nOPENAI_MODEL=gpt-4.1",
            "OPENAI_BASE_URL=https://eu.api.openai.com/v1\nOPENAI_MODEL=gpt-4.1",
        ),
        (EU_URL, EU_URL),  # already right
        ("http://api.openai.com/v1", "http://api.openai.com/v1"),  # plain http: by hand
        ("https://user@api.openai.com/v1", "https://user@api.openai.com/v1"),  # userinfo
        ("https://api.openai.com:8443/v1", "https://api.openai.com:8443/v1"),  # other port
        ("https://api.openai.com:444/v1", "https://api.openai.com:444/v1"),  # next to 443
        ("api.openai.com", "api.openai.com"),  # no scheme
        ("https://api.openai.eu/v1", "https://api.openai.eu/v1"),  # misconfigured: RG002's
        ("https://api.openai.com/eu/v1", "https://api.openai.com/eu/v1"),  # a path, not a host
        ("https://acme.openai.azure.com/", "https://acme.openai.azure.com/"),  # Azure
    ],
)
def test_rewrite_only_where_the_rest_of_the_url_allows_it(text: str, expected: str) -> None:
    assert rewrite_text(text, EU, shipped_catalog()) == expected


def endpoint_policy(state: PackState) -> ResourceValidationPolicy:
    policy = policies(state)["openai-endpoint-region"]
    assert isinstance(policy, ResourceValidationPolicy)
    return policy


def remediate(
    state: PackState, resource_type: str, props: dict[str, Any], config: dict[str, Any]
) -> Any:
    policy = endpoint_policy(state)
    result = policy.remediate(resource_args(resource_type, props, config=config))
    return None if result is None else serialize_properties(result)


def test_remediation_is_off_by_default(state: PackState) -> None:
    assert remediate(state, *k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}), {}) is None


def test_nothing_to_rewrite_is_no_remediation(state: PackState) -> None:
    on = {"remediateHosts": True}
    assert remediate(state, *k8s_deployment({"OPENAI_BASE_URL": EU_URL}), on) is None


def test_a_json_string_is_rewritten_in_place(state: PackState) -> None:
    resource_type, props = ecs_task_definition({"OPENAI_BASE_URL": GLOBAL_URL})
    new = remediate(state, resource_type, props, {"remediateHosts": True})
    env = json.loads(new["containerDefinitions"])[0]["environment"]
    assert env == [{"name": "OPENAI_BASE_URL", "value": EU_URL}]


def test_a_secret_stays_secret_when_rewritten(state: PackState) -> None:
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": Secret(GLOBAL_URL)})
    new = remediate(state, resource_type, props, {"remediateHosts": True})
    env = new["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": "OPENAI_BASE_URL", "value": secret(EU_URL)}]


def test_no_residency_region_no_rewrite(state: PackState) -> None:
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    policy = endpoint_policy(state)
    args = resource_args(resource_type, props, region="global", config={"remediateHosts": True})
    assert policy.remediate(args) is None
