"""The stack policies: the region itself, Azure deployments with their account, the summary."""

from __future__ import annotations

from pathlib import Path

from pulumi_policy import EnforcementLevel, PolicyResource, Secret

from policies.residency_pack import PackState
from residency_guard.stackregion import COMPONENT_TYPE

from .helpers import (
    EU_URL,
    FAKE_KEY,
    GLOBAL_URL,
    UNKNOWN,
    policies,
    policy_resource,
    resource_args,
    run,
    run_resource_policies,
    stack_args,
    urn,
    write_repo_config,
)
from .shapes import k8s_deployment, lambda_function

ACCOUNT = "azure-native:cognitiveservices:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"

# --- residency-region-declared -----------------------------------------------------------


def test_a_stack_without_region_is_rg008(state: PackState) -> None:
    resources = [policy_resource(*k8s_deployment({"OPENAI_BASE_URL": EU_URL}))]
    outcome = run(policies(state)["residency-region-declared"], stack_args(resources, region=None))
    assert outcome.rules == ["RG008"]
    # A stack finding has no place in a resource: no "(at ...)", then the fix as the CLI says it.
    assert outcome.violations[0][0] == (
        "[RG008] stack 'prod-eu' declares no region. Fix: add `residency-guard:region: <region>` "
        "to its config (use `global` where no residency is needed), or map the stack name in "
        "residency-guard.yaml"
    )


def test_an_unknown_region_is_rg017(state: PackState) -> None:
    outcome = run(policies(state)["residency-region-declared"], stack_args([], region="mars"))
    assert outcome.rules == ["RG017"]


def test_one_known_region_passes(state: PackState) -> None:
    assert run(policies(state)["residency-region-declared"], stack_args([])).violations == []


def test_a_component_region_unknown_at_preview_is_pending_not_rg008(state: PackState) -> None:
    component = policy_resource(COMPONENT_TYPE, {"region": UNKNOWN}, name="openai")
    outcome = run(
        policies(state)["residency-region-declared"], stack_args([component], region=None)
    )
    assert outcome.violations == []
    assert outcome.pending is not None
    assert "the region of component 'openai'" in outcome.pending
    assert "will be checked at `pulumi up`" in outcome.pending


def test_a_component_output_declares_the_region(state: PackState) -> None:
    component = policy_resource(COMPONENT_TYPE, {"region": "eu", "baseUrl": EU_URL}, name="openai")
    outcome = run(
        policies(state)["residency-region-declared"], stack_args([component], region=None)
    )
    assert outcome.violations == []


# --- azure-openai-linked -----------------------------------------------------------------


def account_outputs(location: str) -> dict[str, object]:
    """azure-native outputs: the ARM body; `name` is the Azure name (autonamed)."""
    return {
        "name": "oai3f9a1c2",
        "kind": "OpenAI",
        "location": location,
        "sku": {"name": "S0"},
        "type": "Microsoft.CognitiveServices/accounts",
        "id": "/subscriptions/s/resourceGroups/rg-ai/providers/"
        "Microsoft.CognitiveServices/accounts/oai3f9a1c2",
    }


def deployment_outputs(sku: str) -> dict[str, object]:
    """No accountName among the outputs: it is a URL parameter, an input only."""
    return {
        "name": "chat",
        "sku": {"name": sku, "capacity": 10},
        "id": "/subscriptions/s/resourceGroups/rg-ai/providers/"
        "Microsoft.CognitiveServices/accounts/oai3f9a1c2/deployments/chat",
        "properties": {"provisioningState": "Succeeded"},
    }


def test_a_data_zone_deployment_is_judged_with_its_account(state: PackState) -> None:
    account = policy_resource(ACCOUNT, account_outputs("uksouth"), name="oai")
    deployment = policy_resource(
        DEPLOYMENT,
        deployment_outputs("DataZoneStandard"),
        name="chat",
        property_dependencies={"accountName": [account]},
    )
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account, deployment]))
    assert outcome.rules == ["RG012", "RG013"]
    messages = dict((u, m) for m, u in outcome.violations)
    assert (
        "uses DataZoneStandard on account 'oai' in uksouth, whose data zone is none"
        in (messages[urn(DEPLOYMENT, "chat")])
    )


def test_the_account_is_found_by_its_azure_id_without_a_dependency(state: PackState) -> None:
    account = policy_resource(ACCOUNT, account_outputs("uksouth"), name="oai")
    deployment = policy_resource(DEPLOYMENT, deployment_outputs("DataZoneStandard"), name="chat")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account, deployment]))
    assert (urn(DEPLOYMENT, "chat")) in [u for _, u in outcome.violations]


def test_a_data_zone_deployment_on_an_eu_account_passes(state: PackState) -> None:
    account = policy_resource(ACCOUNT, account_outputs("swedencentral"), name="oai")
    deployment = policy_resource(
        DEPLOYMENT,
        deployment_outputs("DataZoneStandard"),
        name="chat",
        property_dependencies={"accountName": [account]},
    )
    assert (
        run(policies(state)["azure-openai-linked"], stack_args([account, deployment])).violations
        == []
    )


def test_what_a_resource_policy_reported_is_not_repeated(state: PackState) -> None:
    inputs = {"kind": "OpenAI", "location": "eastus", "resourceGroupName": "rg-ai"}
    assert run(
        policies(state)["azure-openai-residency"], resource_args(ACCOUNT, inputs, name="oai")
    ).rules == ["RG012"]
    account = policy_resource(ACCOUNT, account_outputs("eastus"), name="oai")
    assert run(policies(state)["azure-openai-linked"], stack_args([account])).violations == []


def test_an_account_located_by_its_resource_group_is_judged_on_its_outputs(
    state: PackState,
) -> None:
    """No location among the inputs (Pulumi takes the group's): only the outputs tell."""
    inputs = {"kind": "OpenAI", "resourceGroupName": "rg-ai"}
    assert (
        run(
            policies(state)["azure-openai-residency"], resource_args(ACCOUNT, inputs, name="oai")
        ).violations
        == []
    )
    account = policy_resource(ACCOUNT, account_outputs("eastus"), name="oai")
    assert run(policies(state)["azure-openai-linked"], stack_args([account])).rules == ["RG012"]


def test_an_account_location_unknown_at_preview_is_pending(state: PackState) -> None:
    account = policy_resource(ACCOUNT, account_outputs(UNKNOWN), name="oai")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account]))
    assert outcome.violations == []
    assert outcome.pending is not None and "location at oai.location" in outcome.pending


# --- openai-configuration-summary --------------------------------------------------------


def test_the_summary_lists_resources_that_carry_openai_configuration(state: PackState) -> None:
    chat = policy_resource(
        *k8s_deployment({"OPENAI_BASE_URL": EU_URL, "OPENAI_API_KEY": Secret(FAKE_KEY)}),
        name="chat",
    )
    worker = policy_resource(
        *lambda_function({"OPENAI_MODEL": "gpt-4.1-2025-04-14"}), name="worker"
    )
    bucket = policy_resource("aws:s3/bucket:Bucket", {"bucket": "acme-logs"}, name="logs")
    policy = policies(state)["openai-configuration-summary"]
    assert policy.enforcement_level is EnforcementLevel.ADVISORY
    outcome = run(policy, stack_args([chat, worker, bucket]))
    ((message, reported_urn),) = outcome.violations
    assert reported_urn is None
    assert message == (
        "2 resource(s) of stack 'prod-eu' (region 'eu' from stack tag) carry OpenAI "
        "configuration:\n"
        "- kubernetes:apps/v1:Deployment 'chat': OPENAI_BASE_URL -> eu.api.openai.com; "
        "OPENAI_API_KEY: API key (secret)\n"
        "- aws:lambda/function:Function 'worker': OPENAI_MODEL = gpt-4.1-2025-04-14"
    )
    assert FAKE_KEY not in message


def test_a_plain_key_in_the_summary_is_redacted(state: PackState) -> None:
    chat = policy_resource(*k8s_deployment({"OPENAI_API_KEY": FAKE_KEY}), name="chat")
    outcome = run(policies(state)["openai-configuration-summary"], stack_args([chat]))
    assert "OPENAI_API_KEY: API key (plain text)" in outcome.text
    assert FAKE_KEY not in outcome.text


def test_warnings_are_reported_by_the_summary_not_by_the_endpoint_policy(
    state: PackState,
) -> None:
    props = k8s_deployment({"OPENAI_BASE_URL": "${OPENAI_HOST}"})
    warn = {"unresolved": "warn"}
    assert (
        run(
            policies(state)["openai-endpoint-region"], resource_args(*props, config=warn)
        ).violations
        == []
    )
    outcome = run(
        policies(state)["openai-configuration-summary"],
        stack_args([policy_resource(*props)], config=warn),
    )
    assert outcome.rules == ["RG011"]
    assert next(u for _, u in outcome.violations) == urn(props[0], "app")


def test_a_region_precondition_is_said_by_the_summary_and_blocks_nothing(
    state: PackState,
) -> None:
    props = k8s_deployment({"OPENAI_MODEL": "gpt-6-sol"})  # EU: Standard processing only
    outcomes = run_resource_policies(state, resource_args(*props))
    assert all(outcome.violations == [] for outcome in outcomes.values())
    outcome = run(
        policies(state)["openai-configuration-summary"], stack_args([policy_resource(*props)])
    )
    assert outcome.rules == ["RG019"]
    assert "Standard processing only" in outcome.text


def test_the_summary_says_which_values_were_unknown(state: PackState) -> None:
    chat = policy_resource(*k8s_deployment({"OPENAI_BASE_URL": UNKNOWN}), name="chat")
    outcome = run(policies(state)["openai-configuration-summary"], stack_args([chat]))
    assert (
        "OPENAI_BASE_URL (unknown during preview; it will be checked at `pulumi up`)"
        in outcome.text
    )


def test_the_summary_names_every_value_it_reads_by_name(state: PackState) -> None:
    env = {"OPENAI_ORG_ID": "org-acme", "modelVersion": UNKNOWN, "LOG_LEVEL": "info"}
    chat = policy_resource(*k8s_deployment(env), name="chat")
    outcome = run(policies(state)["openai-configuration-summary"], stack_args([chat]))
    assert outcome.text.endswith(
        "- kubernetes:apps/v1:Deployment 'chat': OPENAI_ORG_ID; "
        "modelVersion (unknown during preview; it will be checked at `pulumi up`)"
    )


def test_the_summary_reuses_what_the_resource_policies_found(state: PackState) -> None:
    """The engine runs the stack policies after the resource policies: equal properties are
    not judged twice, other properties (outputs) are."""
    chat = k8s_deployment({"OPENAI_BASE_URL": EU_URL})
    worker = lambda_function({"OPENAI_MODEL": "gpt-4.1-2025-04-14"})
    run_resource_policies(state, resource_args(*chat, name="chat"))
    run_resource_policies(state, resource_args(*worker, name="worker"))
    assert state.calls == 2
    worker_outputs = {**worker[1], "arn": "arn:aws:lambda:eu-west-1:123:function:worker"}
    resources = [
        policy_resource(*chat, name="chat"),
        policy_resource(worker[0], worker_outputs, name="worker"),
    ]
    outcome = run(policies(state)["openai-configuration-summary"], stack_args(resources))
    assert "'chat': OPENAI_BASE_URL -> eu.api.openai.com" in outcome.text
    assert "'worker': OPENAI_MODEL = gpt-4.1-2025-04-14" in outcome.text
    assert state.calls == 3


def test_the_stack_policies_alone_read_every_resource(state: PackState) -> None:
    """No resource policy ran first (disabled, or a test): the stack policies judge alone."""
    chat = policy_resource(*k8s_deployment({"OPENAI_BASE_URL": EU_URL}), name="chat")
    args = stack_args([chat])
    for name in ("residency-region-declared", "azure-openai-linked"):
        assert run(policies(state)[name], args).violations == []
    outcome = run(policies(state)["openai-configuration-summary"], args)
    assert "'chat': OPENAI_BASE_URL -> eu.api.openai.com" in outcome.text
    assert state.calls == 1


def test_no_openai_configuration_no_summary(state: PackState) -> None:
    bucket = policy_resource("aws:s3/bucket:Bucket", {"bucket": "acme-logs"}, name="logs")
    assert (
        run(policies(state)["openai-configuration-summary"], stack_args([bucket])).violations == []
    )


# --- azure-openai-linked: each way a deployment names its account, alone -----------------


def preview_deployment(**extra: object) -> dict[str, object]:
    """A deployment at preview: no resource ID yet."""
    return {"name": "chat", "sku": {"name": "DataZoneStandard", "capacity": 10}, **extra}


def linked_rules(state: PackState, account_location: str, deployment: object) -> list[str]:
    account = policy_resource(ACCOUNT, account_outputs(account_location), name="oai")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account, deployment]))
    return sorted(
        {m.split("]")[0][1:] for m, u in outcome.violations if u == urn(DEPLOYMENT, "chat")}
    )


def test_the_account_is_found_by_the_dependency_alone(state: PackState) -> None:
    account = policy_resource(ACCOUNT, account_outputs("uksouth"), name="oai")
    group = policy_resource(
        "azure-native:resources:ResourceGroup", {"location": "eastus"}, name="rg"
    )
    deployment = policy_resource(
        DEPLOYMENT, preview_deployment(), name="chat",
        property_dependencies={"accountName": [group, account]},
    )  # fmt: skip
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account, group, deployment]))
    assert any(
        u == urn(DEPLOYMENT, "chat") and "on account 'oai' in uksouth" in m
        for m, u in outcome.violations
    ), outcome.violations


def test_the_account_is_found_by_its_azure_name_alone(state: PackState) -> None:
    deployment = policy_resource(
        DEPLOYMENT, preview_deployment(accountName="oai3f9a1c2"), name="chat"
    )
    assert linked_rules(state, "uksouth", deployment) == ["RG013"]
    assert linked_rules(state, "swedencentral", deployment) == []


def test_a_deployment_whose_account_is_not_here_is_not_judged(state: PackState) -> None:
    deployment = policy_resource(
        DEPLOYMENT, preview_deployment(accountName="elsewhere"), name="chat"
    )
    assert linked_rules(state, "uksouth", deployment) == []


def test_the_summary_names_components_and_azure_resources(state: PackState) -> None:
    resources = [
        policy_resource(COMPONENT_TYPE, {"region": "eu", "baseUrl": EU_URL}, name="openai"),
        policy_resource(COMPONENT_TYPE, {"baseUrl": EU_URL}, name="bare"),
        policy_resource(ACCOUNT, {"kind": "OpenAI", "location": "swedencentral"}, name="oai"),
        policy_resource(ACCOUNT, {"kind": "OpenAI", "resourceGroupName": "rg"}, name="grouped"),
        policy_resource(ACCOUNT, {"kind": "TextAnalytics", "location": "eastus"}, name="lang"),
        policy_resource(DEPLOYMENT, {"accountName": "oai", "sku": {"name": "Standard"}}, name="d1"),
        policy_resource(DEPLOYMENT, {"accountName": "oai"}, name="d2"),
    ]
    outcome = run(policies(state)["openai-configuration-summary"], stack_args(resources))
    lines = outcome.text.splitlines()
    for expected in (
        f"- {COMPONENT_TYPE} 'openai': component (region eu)",
        f"- {COMPONENT_TYPE} 'bare': component (region ?)",
        f"- {ACCOUNT} 'oai': Azure OpenAI account in swedencentral",
        f"- {ACCOUNT} 'grouped': Azure OpenAI account in the group location",
        f"- {DEPLOYMENT} 'd1': Azure OpenAI deployment (Standard)",
        f"- {DEPLOYMENT} 'd2': Azure OpenAI deployment (no SKU)",
    ):
        assert any(line.startswith(expected) for line in lines), (expected, lines)
    assert not any("'lang'" in line for line in lines)


def test_among_several_accounts_a_deployment_is_judged_with_the_one_its_id_names(
    state: PackState,
) -> None:
    """After `up`, a deployment's outputs name its account only inside its resource ID."""
    uk = policy_resource(ACCOUNT, {**account_outputs("uksouth"), "name": "oaiuk"}, name="oai-uk")
    eu = policy_resource(
        ACCOUNT, {**account_outputs("swedencentral"), "name": "oaieu"}, name="oai-eu"
    )
    outputs = {
        **deployment_outputs("DataZoneStandard"),
        "id": "/subscriptions/s/resourceGroups/rg-ai/providers/"
        "Microsoft.CognitiveServices/accounts/oaieu/deployments/chat",
    }
    deployment = policy_resource(DEPLOYMENT, outputs, name="chat")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([uk, eu, deployment]))
    assert [u for _, u in outcome.violations] == [urn(ACCOUNT, "oai-uk")]  # RG012, the UK one
    on_uk = {**outputs, "id": str(outputs["id"]).replace("/oaieu/", "/oaiuk/")}
    deployment = policy_resource(DEPLOYMENT, on_uk, name="chat")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([uk, eu, deployment]))
    assert sorted(
        m.split("]")[0] for m, u in outcome.violations if u == urn(DEPLOYMENT, "chat")
    ) == ["[RG013"]


# --- azure-openai-linked: accounts in their group's location, the account a name means ----

GROUP = "azure-native:resources:ResourceGroup"


def resource_group(name: str, azure_name: str, location: str) -> PolicyResource:
    return policy_resource(
        GROUP,
        {"name": azure_name, "location": location,
         "id": f"/subscriptions/s/resourceGroups/{azure_name}"},
        name=name,
    )  # fmt: skip


def account_in_group(name: str, group: str) -> PolicyResource:
    """A preview's account without a `location`: azure-native places it in its group's."""
    return policy_resource(
        ACCOUNT, {"kind": "OpenAI", "resourceGroupName": group, "sku": {"name": "S0"}}, name=name
    )


def test_each_account_without_a_location_is_judged_in_its_own_groups(state: PackState) -> None:
    resources = [
        resource_group("rg-us", "rg-us-prod", "eastus"),
        resource_group("rg-eu", "rg-eu-prod", "swedencentral"),
        account_in_group("oai-us", "rg-us-prod"),
        account_in_group("oai-eu", "rg-eu-prod"),
    ]
    outcome = run(policies(state)["azure-openai-linked"], stack_args(resources))
    ((message, reported_urn),) = outcome.violations
    assert reported_urn == urn(ACCOUNT, "oai-us")
    assert message.startswith(
        "[RG012] EU stack 'prod-eu': Azure OpenAI account 'oai-us' is in eastus (US), outside "
        "Europe (EEA + Switzerland) (at oai-us.location). Fix: locate it in one of: "
    )
    assert "swedencentral" in message.split("Fix: ")[1]


def test_an_account_whose_location_nothing_gives_is_rg011_there(state: PackState) -> None:
    """Neither the account nor a group in the stack says where it is: fail closed, at the
    account; with `unresolved: warn` the advisory summary says it instead."""
    account = account_in_group("oai", "rg-shared")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([account]))
    expected = (
        "[RG011] EU stack 'prod-eu': Azure OpenAI account 'oai' has no location and its "
        "resource group's is not in the scanned input, so its region cannot be checked (at "
        "oai.location). Fix: set its location, scan the input that declares its resource "
        "group, use https://eu.api.openai.com/v1, or set `unresolved: warn` in "
        "residency-guard.yaml"
    )
    assert outcome.violations == [(expected, urn(ACCOUNT, "oai"))]
    warn = stack_args([account], config={"unresolved": "warn"})
    assert run(policies(state)["azure-openai-linked"], warn).violations == []
    summary = run(policies(state)["openai-configuration-summary"], warn)
    assert (expected, urn(ACCOUNT, "oai")) in summary.violations


def test_every_account_location_unknown_at_preview_is_pending_and_nothing_else(
    state: PackState,
) -> None:
    """Only what the Azure rules read is pending: an unknown ID or endpoint is not."""
    computed = {"id": UNKNOWN, "properties": {"endpoint": UNKNOWN}}
    resources = [
        policy_resource(ACCOUNT, {**account_outputs(UNKNOWN), **computed}, name="oai-a"),
        policy_resource(ACCOUNT, {**account_outputs(UNKNOWN), "name": "oaib"}, name="oai-b"),
        policy_resource(
            ACCOUNT, {**account_outputs("swedencentral"), "name": "oaic", **computed}, name="oai-c"
        ),
    ]
    outcome = run(policies(state)["azure-openai-linked"], stack_args(resources))
    assert outcome.violations == []
    assert outcome.pending == (
        "2 value(s) were unknown during preview and will be checked at `pulumi up`: "
        f"{ACCOUNT} 'oai-a': location at oai-a.location; {ACCOUNT} 'oai-b': location at "
        "oai-b.location"
    )


def test_a_deployment_is_judged_with_the_account_its_azure_name_names(state: PackState) -> None:
    """A deployment added to existing accounts names one by its Azure name. Another account
    whose Azure name is that account's Pulumi name is not the one (the pack once mapped the
    Azure name to a Pulumi name and looked that up as a name again)."""
    misnamed = policy_resource(
        ACCOUNT, {**account_outputs("uksouth"), "name": "oai-eu"}, name="chat-uk"
    )
    eu = policy_resource(
        ACCOUNT, {**account_outputs("swedencentral"), "name": "oai-eu-prod"}, name="oai-eu"
    )
    deployment = policy_resource(
        DEPLOYMENT, preview_deployment(accountName="oai-eu-prod"), name="chat"
    )
    outcome = run(policies(state)["azure-openai-linked"], stack_args([misnamed, eu, deployment]))
    assert [u for _, u in outcome.violations] == [urn(ACCOUNT, "chat-uk")]  # its own RG012
    on_uk = policy_resource(DEPLOYMENT, preview_deployment(accountName="oai-eu"), name="chat")
    outcome = run(policies(state)["azure-openai-linked"], stack_args([misnamed, eu, on_uk]))
    assert (
        "[RG013] EU stack 'prod-eu': deployment 'chat' uses DataZoneStandard on account "
        "'chat-uk' in uksouth"
    ) in outcome.text


# --- openai-configuration-summary: what it lists, where it says it ----------------------------


def test_the_summary_lists_twenty_resources_and_counts_the_rest(state: PackState) -> None:
    workers = [
        policy_resource(*lambda_function({"OPENAI_MODEL": "gpt-4.1-2025-04-14"}), name=f"w{i:02}")
        for i in range(22)
    ]
    ((message, reported_urn),) = run(
        policies(state)["openai-configuration-summary"], stack_args(workers)
    ).violations
    lines = message.splitlines()
    assert lines[0] == (
        "22 resource(s) of stack 'prod-eu' (region 'eu' from stack tag) carry OpenAI configuration:"
    )
    assert lines[1] == "- aws:lambda/function:Function 'w00': OPENAI_MODEL = gpt-4.1-2025-04-14"
    assert lines[20].startswith("- aws:lambda/function:Function 'w19': ")
    assert lines[21:] == ["... and 2 more"]
    assert reported_urn is None


def test_the_summary_of_a_stack_without_region_says_so(state: PackState) -> None:
    chat = policy_resource(*k8s_deployment({"OPENAI_BASE_URL": EU_URL}), name="chat")
    outcome = run(policies(state)["openai-configuration-summary"], stack_args([chat], region=None))
    assert outcome.text.startswith(
        "1 resource(s) of stack 'prod-eu' (no region declared) carry OpenAI configuration:"
    )


def test_the_summary_lists_openai_hosts_and_gateways_not_other_urls(state: PackState) -> None:
    """A gateway allowed for the region is where the SDK sends; a log URL is not OpenAI's."""
    config = {
        "config.yaml": "openai:\n  base_url: https://eu.api.openai.com/v1\n"
        "  gateway_url: https://llm-gw.acme.eu/v1\n",
        "LOG_URL": "https://logs.acme.eu/ingest",
    }
    resources = [
        policy_resource(
            "kubernetes:core/v1:ConfigMap", {"metadata": {"name": "c"}, "data": config}, name="c"
        ),
        policy_resource(
            *k8s_deployment({"OPENAI_BASE_URL": "https://llm-gw.acme.eu/v1"}), name="chat"
        ),
        policy_resource(*k8s_deployment({"LOG_URL": "https://logs.acme.eu/ingest"}), name="logger"),
    ]
    outcome = run(
        policies(state)["openai-configuration-summary"],
        stack_args(resources, config={"allowedHosts": ["llm-gw.acme.eu"]}),
    )
    assert outcome.text.splitlines()[1:] == [
        "- kubernetes:core/v1:ConfigMap 'c': config.yaml -> eu.api.openai.com, llm-gw.acme.eu",
        "- kubernetes:apps/v1:Deployment 'chat': OPENAI_BASE_URL -> llm-gw.acme.eu",
    ]


def test_a_suppressed_finding_is_said_at_its_resource(tmp_path: Path) -> None:
    """An Azure account's too, though only azure-openai-linked judges it (in its group)."""
    write_repo_config(
        tmp_path,
        "suppressions:\n"
        "  - rule: RG001\n    stack: prod-eu\n    reason: EU key pending, INC-1234\n"
        "  - rule: RG012\n    stack: prod-eu\n    reason: moving to swedencentral, INC-99\n",
    )
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    chat = policy_resource(*k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL}), name="chat")
    located = policy_resource(ACCOUNT, account_outputs("eastus"), name="oai")
    grouped = account_in_group("oai-grouped", "rg-us-prod")
    resources = [chat, located, grouped, resource_group("rg-us", "rg-us-prod", "eastus")]
    outcome = run(policies(state)["openai-configuration-summary"], stack_args(resources))
    suppressed = [(m, u) for m, u in outcome.violations if "(suppressed by " in m]
    assert [(m.split("]")[0], u) for m, u in suppressed] == [
        ("[RG001", urn(k8s_deployment({})[0], "chat")),
        ("[RG012", urn(ACCOUNT, "oai")),
        ("[RG012", urn(ACCOUNT, "oai-grouped")),
    ]
    assert suppressed[2][0].endswith(
        f"(suppressed by {tmp_path / 'residency-guard.yaml'}:5: moving to swedencentral, INC-99)"
    )
    for name in ("residency-region-declared", "azure-openai-linked"):
        assert run(policies(state)[name], stack_args(resources)).violations == []


# --- openai-deployed-outputs ---------------------------------------------------------------


def test_outputs_say_what_the_inputs_did_not_after_what_they_did(state: PackState) -> None:
    """A provider computed a second host: only that one is new, though it comes after one the
    endpoint policy already reported from the inputs."""
    resource_type = "pulumi-python:dynamic:Resource"
    inputs = {"baseUrl": GLOBAL_URL}
    assert run_resource_policies(state, resource_args(resource_type, inputs, name="llm"))[
        "openai-endpoint-region"
    ].rules == ["RG001"]
    outputs = {**inputs, "fallbackUrl": "https://us.api.openai.com/v1"}
    outcome = run(
        policies(state)["openai-deployed-outputs"],
        stack_args([policy_resource(resource_type, outputs, name="llm")]),
    )
    assert outcome.violations == [
        (
            "[RG001] EU stack 'prod-eu' sends to us.api.openai.com (United States) (at "
            "llm.fallbackUrl). Fix: use https://eu.api.openai.com/v1",
            urn(resource_type, "llm"),
        )
    ]


def test_a_url_the_client_cannot_parse_names_no_host_in_the_summary(state: PackState) -> None:
    chat = policy_resource(
        *k8s_deployment({"OPENAI_BASE_URL": "https://eu.api.openai.com:44e/v1"}), name="chat"
    )
    outcome = run(policies(state)["openai-configuration-summary"], stack_args([chat]))
    assert outcome.text.splitlines()[1:] == [
        "- kubernetes:apps/v1:Deployment 'chat': OPENAI_BASE_URL"
    ]
