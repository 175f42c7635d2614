"""Each resource policy on each resource shape: a violation, and a pass."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import Secret
from pulumi_policy import Severity as PolicySeverity

from policies.residency_pack import FAMILIES, PackState
from residency_guard.errors import ConfigError
from residency_guard.stackregion import COMPONENT_TYPE

from .helpers import (
    EU_URL,
    FAKE_KEY,
    GLOBAL_URL,
    SECRET_SIG_KEY,
    SECRET_SIG_VALUE,
    UNKNOWN,
    all_rules,
    b64,
    policies,
    resource_args,
    run,
    run_resource_policies,
    urn,
    write_repo_config,
)
from .shapes import (
    ENV_SHAPES,
    Shape,
    dotenv_sink,
    ecs_task_definition,
    k8s_deployment,
    lambda_function,
)

SHAPES = pytest.mark.parametrize("shape", list(ENV_SHAPES.values()), ids=list(ENV_SHAPES))


# --- openai-endpoint-region -------------------------------------------------------------


@SHAPES
def test_global_host_in_eu_stack_is_an_endpoint_violation(state: PackState, shape: Shape) -> None:
    resource_type, props = shape({"OPENAI_BASE_URL": GLOBAL_URL})
    outcome = run(policies(state)["openai-endpoint-region"], resource_args(resource_type, props))
    assert outcome.rules == ["RG001"]
    message, reported_urn = outcome.violations[0]
    assert message.startswith(
        "[RG001] EU stack 'prod-eu' sends to api.openai.com (global, no residency)"
    )
    assert message.endswith("Fix: use https://eu.api.openai.com/v1")
    assert reported_urn == urn(resource_type, "app")


@SHAPES
def test_region_host_in_eu_stack_passes_every_policy(state: PackState, shape: Shape) -> None:
    resource_type, props = shape({"OPENAI_BASE_URL": EU_URL})
    outcomes = run_resource_policies(state, resource_args(resource_type, props))
    assert all_rules(outcomes) == []
    assert all(outcome.pending is None for outcome in outcomes.values())


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://us.api.openai.com/v1", "RG001"),
        ("https://api.openai.eu/v1", "RG002"),
        ("http://eu.api.openai.com/v1", "RG010"),
        ("${OPENAI_HOST}", "RG011"),
    ],
)
def test_each_endpoint_rule_is_reported_by_the_endpoint_policy(
    state: PackState, url: str, rule: str
) -> None:
    outcome = run(
        policies(state)["openai-endpoint-region"],
        resource_args(*k8s_deployment({"OPENAI_BASE_URL": url})),
    )
    assert rule in outcome.rules


def test_hand_written_deployment_is_caught_by_the_stack_name_mapping(tmp_path: Path) -> None:
    """No component, no tag, no stack config: residency-guard.yaml maps prod-eu* to eu."""
    write_repo_config(tmp_path, "stacks:\n  prod-eu*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}), region=None)
    outcome = run(policies(state)["openai-endpoint-region"], args)
    assert outcome.rules == ["RG001"]


def test_without_any_region_the_resource_policies_stay_silent(state: PackState) -> None:
    """The stack policy reports RG008 once; resources are not judged against nothing."""
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}), region=None)
    assert all_rules(run_resource_policies(state, args)) == []


def test_a_component_declares_the_region_for_resources_analyzed_after_it(
    state: PackState,
) -> None:
    component = resource_args(COMPONENT_TYPE, {"region": "eu"}, name="openai", region=None)
    run(policies(state)["openai-endpoint-region"], component)
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}), region=None)
    assert run(policies(state)["openai-endpoint-region"], args).rules == ["RG001"]


def test_allowed_hosts_are_gateways_of_the_stack_region(state: PackState) -> None:
    gateway = "https://llm-gw.internal.acme.eu/v1"
    props = k8s_deployment({"OPENAI_BASE_URL": gateway})
    policy = policies(state)["openai-endpoint-region"]
    assert run(policy, resource_args(*props)).rules == ["RG002"]
    allowed = {"allowedHosts": ["llm-gw.internal.acme.eu"]}
    assert run(policy, resource_args(*props, config=allowed)).rules == []


def test_allowed_hosts_refuse_an_openai_host(state: PackState) -> None:
    args = resource_args(
        *k8s_deployment({"OPENAI_BASE_URL": EU_URL}), config={"allowedHosts": ["api.openai.com"]}
    )
    with pytest.raises(ConfigError, match="Expected allowedHosts to hold gateway hosts"):
        run(policies(state)["openai-endpoint-region"], args)


def test_an_interpolated_endpoint_is_denied_by_default_and_left_to_the_summary_on_warn(
    state: PackState,
) -> None:
    props = k8s_deployment({"OPENAI_BASE_URL": "${OPENAI_HOST}"})
    policy = policies(state)["openai-endpoint-region"]
    assert run(policy, resource_args(*props)).rules == ["RG011"]
    assert run(policy, resource_args(*props, config={"unresolved": "warn"})).rules == []


def test_an_unknown_endpoint_is_an_advisory_note_not_a_violation(state: PackState) -> None:
    outcome = run(
        policies(state)["openai-endpoint-region"],
        resource_args(*k8s_deployment({"OPENAI_BASE_URL": UNKNOWN})),
    )
    assert outcome.violations == []
    assert outcome.pending == (
        "1 value(s) were unknown during preview and will be checked at `pulumi up`: "
        "kubernetes:apps/v1:Deployment 'app': OPENAI_BASE_URL at "
        "app.spec.template.spec.containers[0].env[0].value"
    )


def test_an_unknown_env_list_is_no_violation(state: PackState) -> None:
    resource_type, props = k8s_deployment({})
    props["spec"]["template"]["spec"]["containers"][0]["env"] = (
        "6a19a0b0-7e62-4c92-b797-7f8e31da9cc2"  # the engine's unknown list
    )
    assert all_rules(run_resource_policies(state, resource_args(resource_type, props))) == []


def test_the_dotenv_sink_default_path_is_no_host(state: PackState) -> None:
    resource_type, props = dotenv_sink({"OPENAI_BASE_URL": EU_URL})
    props["path"] = ".env.openai"  # Pulumi.yaml's default residency-guard:dotenvPath
    assert all_rules(run_resource_policies(state, resource_args(resource_type, props))) == []


# --- openai-model-eligibility -----------------------------------------------------------


MODEL_SHAPES = pytest.mark.parametrize(
    "shape",
    [pytest.param(shape, id=name) for name, shape in ENV_SHAPES.items()],
)


@MODEL_SHAPES
def test_an_alias_model_is_a_model_violation(state: PackState, shape: Shape) -> None:
    outcome = run(
        policies(state)["openai-model-eligibility"],
        resource_args(*shape({"OPENAI_MODEL": "gpt-4o"})),
    )
    assert outcome.rules == ["RG004"]
    assert "Fix: pin gpt-4o-2024-11-20 instead of the alias gpt-4o" in outcome.text


@MODEL_SHAPES
def test_an_eligible_snapshot_passes_the_model_policy(state: PackState, shape: Shape) -> None:
    outcome = run(
        policies(state)["openai-model-eligibility"],
        resource_args(*shape({"OPENAI_MODEL": "gpt-4.1-2025-04-14"})),
    )
    assert outcome.violations == []


@pytest.mark.parametrize(
    ("config", "model", "rules"),
    [
        ({}, "gpt-5-2025-08-07", []),
        ({"allowModels": ["gpt-4.1-2025-04-14"]}, "gpt-5-2025-08-07", ["RG003"]),
        ({"allowModels": ["gpt-4.1-2025-04-14"]}, "gpt-4.1-2025-04-14", []),
        ({"denyModels": ["gpt-4.1-2025-04-14"]}, "gpt-4.1-2025-04-14", ["RG014"]),
        ({}, "gpt-imaginary-9", ["RG003"]),
    ],
)
def test_allow_and_deny_lists_narrow_the_region_models(
    state: PackState, config: dict[str, list[str]], model: str, rules: list[str]
) -> None:
    args = resource_args(*lambda_function({"OPENAI_MODEL": model}), config=config)
    assert run(policies(state)["openai-model-eligibility"], args).rules == rules


def test_component_inputs_are_judged_like_any_resource(state: PackState) -> None:
    inputs = {"region": "eu", "models": {"chat": ["gpt-4o"]}, "surfaces": ["chat", "assistants"]}
    outcomes = run_resource_policies(state, resource_args(COMPONENT_TYPE, inputs, region=None))
    assert outcomes["openai-model-eligibility"].rules == ["RG004"]
    assert outcomes["openai-surface-coverage"].rules == ["RG005"]


def test_an_unknown_model_is_an_advisory_note(state: PackState) -> None:
    outcome = run(
        policies(state)["openai-model-eligibility"],
        resource_args(*lambda_function({"OPENAI_MODEL": UNKNOWN})),
    )
    assert outcome.violations == []
    assert outcome.pending is not None
    assert "OPENAI_MODEL at app.environment.variables.OPENAI_MODEL" in outcome.pending
    assert "unknown during preview and will be checked at `pulumi up`" in outcome.pending


# --- openai-surface-coverage, openai-legacy-api-base ------------------------------------


def test_a_surface_the_region_does_not_cover_is_a_surface_violation(state: PackState) -> None:
    props = k8s_deployment({"OPENAI_BASE_URL": "https://eu.api.openai.com/v1/assistants"})
    outcome = run(policies(state)["openai-surface-coverage"], resource_args(*props))
    assert outcome.rules == ["RG005"]


@pytest.mark.parametrize(
    ("url", "rules"),
    [
        ("https://eu.api.openai.com/v1/audio/voices", ["RG005"]),  # no /v1/audio/ prefix
        ("https://eu.api.openai.com/v1/some-future-api", ["RG005"]),  # unknown: fails closed
        ("https://eu.api.openai.com/v1/files/file-abc123/content", []),
    ],
)
def test_surface_paths_are_judged_as_the_cli_judges_them(
    state: PackState, url: str, rules: list[str]
) -> None:
    outcome = run(policies(state)["openai-surface-coverage"], resource_args(*k8s_deployment(
        {"OPENAI_BASE_URL": url})))  # fmt: skip
    assert outcome.rules == rules


@pytest.mark.parametrize("shape", [k8s_deployment, lambda_function])
def test_openai_api_base_is_a_legacy_violation(state: PackState, shape: Shape) -> None:
    outcomes = run_resource_policies(state, resource_args(*shape({"OPENAI_API_BASE": EU_URL})))
    assert outcomes["openai-legacy-api-base"].rules == ["RG006"]
    assert all_rules(outcomes) == ["RG006"]


# --- openai-plaintext-key ---------------------------------------------------------------

PLAIN_SHAPES = {k: v for k, v in ENV_SHAPES.items() if k != "k8s-secret-base64"}


@pytest.mark.parametrize("shape", list(PLAIN_SHAPES.values()), ids=list(PLAIN_SHAPES))
def test_a_plain_key_is_reported_redacted(state: PackState, shape: Shape) -> None:
    outcome = run(
        policies(state)["openai-plaintext-key"], resource_args(*shape({"OPENAI_API_KEY": FAKE_KEY}))
    )
    assert outcome.rules == ["RG007"]
    assert "plaintext OpenAI API key sk-...WXYZ in 'OPENAI_API_KEY'" in outcome.text
    assert FAKE_KEY not in outcome.text


@pytest.mark.parametrize("shape", list(PLAIN_SHAPES.values()), ids=list(PLAIN_SHAPES))
def test_a_secret_key_is_not_plaintext(state: PackState, shape: Shape) -> None:
    if shape is ecs_task_definition:  # a JSON string is secret as a whole
        resource_type, props = shape({"OPENAI_API_KEY": FAKE_KEY})
        props["containerDefinitions"] = Secret(props["containerDefinitions"])
    else:
        resource_type, props = shape({"OPENAI_API_KEY": Secret(FAKE_KEY)})
    outcome = run(policies(state)["openai-plaintext-key"], resource_args(resource_type, props))
    assert outcome.violations == []


# --- azure-openai-residency --------------------------------------------------------------

ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"


def account(location: str, kind: str = "OpenAI") -> dict[str, object]:
    return {
        "resourceGroupName": "rg-ai",
        "accountName": "acme-oai",
        "kind": kind,
        "location": location,
        "sku": {"name": "S0"},
        "properties": {"customSubDomainName": "acme-oai", "publicNetworkAccess": "Enabled"},
    }


def deployment(sku: str) -> dict[str, object]:
    return {
        "resourceGroupName": "rg-ai",
        "accountName": "acme-oai",
        "deploymentName": "chat",
        "sku": {"name": sku, "capacity": 10},
        "properties": {"raiPolicyName": "Microsoft.DefaultV2"},
    }


@pytest.mark.parametrize(
    ("resource_type", "props", "rules"),
    [
        (ACCOUNT, account("eastus"), ["RG012"]),
        (ACCOUNT, account("uksouth", kind="AIServices"), ["RG012"]),
        (ACCOUNT, account("swedencentral"), []),
        (ACCOUNT, account("eastus", kind="TextAnalytics"), []),
        (DEPLOYMENT, deployment("GlobalStandard"), ["RG013"]),
        (DEPLOYMENT, deployment("DeveloperTier"), ["RG013"]),
        (DEPLOYMENT, deployment("Standard"), []),
    ],
)
def test_azure_accounts_and_deployments(
    state: PackState, resource_type: str, props: dict[str, object], rules: list[str]
) -> None:
    outcomes = run_resource_policies(state, resource_args(resource_type, props, name="oai"))
    assert outcomes["azure-openai-residency"].rules == rules
    assert all_rules(outcomes) == rules


def test_an_unknown_account_location_is_an_advisory_note(state: PackState) -> None:
    outcome = run(
        policies(state)["azure-openai-residency"],
        resource_args(ACCOUNT, account(UNKNOWN), name="oai"),
    )
    assert outcome.violations == []
    assert outcome.pending is not None and "location at oai.location" in outcome.pending


def test_an_azure_deployment_model_block_is_not_misread(state: PackState) -> None:
    props = {
        **deployment("Standard"),
        "properties": {"model": {"format": "OpenAI", "name": "gpt-4o", "version": "2024-11-20"}},
    }
    outcome = run(policies(state)["openai-model-eligibility"], resource_args(DEPLOYMENT, props))
    assert outcome.violations == []


# --- the policies as Pulumi sees them ----------------------------------------------------


def test_one_core_traversal_serves_every_resource_policy(state: PackState) -> None:
    run_resource_policies(state, resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})))
    assert state.calls == 1


def test_one_urn_with_other_properties_is_judged_again(state: PackState) -> None:
    """Preview, then up: the same URN with other properties never gets the first findings."""
    preview = run_resource_policies(
        state, resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}))
    )
    up = run_resource_policies(state, resource_args(*k8s_deployment({"OPENAI_BASE_URL": EU_URL})))
    assert all_rules(preview) == ["RG001"]
    assert all_rules(up) == []
    assert state.calls == 2
    # Equal properties in new args: the findings are shared, and said again.
    again = run_resource_policies(
        state, resource_args(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}))
    )
    assert all_rules(again) == ["RG001"]
    assert state.calls == 2


def test_true_and_one_are_other_properties(state: PackState) -> None:
    run_resource_policies(state, resource_args("aws:s3/bucket:Bucket", {"versioning": True}))
    run_resource_policies(state, resource_args("aws:s3/bucket:Bucket", {"versioning": 1}))
    assert state.calls == 2


@pytest.mark.parametrize(
    "encode",
    [
        lambda env: json.dumps(env),
        lambda env: b64(json.dumps(env)),
        lambda env: b64(b64(json.dumps(env))),
    ],
    ids=["json", "base64-json", "base64-base64-json"],
)
def test_an_unknown_inside_encoded_text_is_pending(state: PackState, encode: Any) -> None:
    props = k8s_deployment({"APP_CONFIG": encode({"OPENAI_BASE_URL": UNKNOWN})})
    outcome = run(policies(state)["openai-endpoint-region"], resource_args(*props))
    assert outcome.violations == []
    assert outcome.pending is not None and "OPENAI_BASE_URL at app.spec" in outcome.pending


def test_a_ciphertext_only_secret_is_unknown(state: PackState) -> None:
    """A secret the engine sent without its value: known to be there, not what it is."""
    props = k8s_deployment({"OPENAI_BASE_URL": {SECRET_SIG_KEY: SECRET_SIG_VALUE}})
    outcome = run(policies(state)["openai-endpoint-region"], resource_args(*props))
    assert outcome.pending is not None and "OPENAI_BASE_URL at app.spec" in outcome.pending


@pytest.mark.parametrize("family", FAMILIES, ids=[f.name for f in FAMILIES])
def test_each_policy_carries_severity_remediation_and_url(state: PackState, family: object) -> None:
    policy = policies(state)[family.name]  # type: ignore[attr-defined]
    assert policy.severity is PolicySeverity.HIGH
    assert policy.url and policy.url.startswith("https://")
    assert policy.remediation_steps and "residency-guard explain" in policy.remediation_steps
    assert policy.config_schema is not None and "region" in policy.config_schema.properties
