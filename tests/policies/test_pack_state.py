"""One run of the pack (one ``PackState``) judges many things: each gets its own verdict.

The pack remembers, per run, the settings it loaded, contexts and catalogs, each request's
wire form and the findings on equal properties (residency_pack/state.py). A memo whose key
missed something its answer depends on would hand a second policy config, stack, component,
repo config or request the first one's verdict: these tests send two of each through one state
(by hand-built args as a test or the bench does, and as real requests through both servicers)
and hold each to its own verdict.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pulumi.runtime import proto
from pulumi_policy import Policy, ResourceValidationPolicy, Secret
from pulumi_policy import proxy as sdk_proxy

from policies.residency_pack import PackState, all_policies
from residency_guard.errors import ConfigError
from residency_guard.stackregion import COMPONENT_TYPE, REGION_TAG

from .helpers import (
    EU_URL,
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
from .test_servicer import configure, deployment, pair, resource, same, struct

US_URL = "https://us.api.openai.com/v1"
ENDPOINT = "openai-endpoint-region"
MODELS = "openai-model-eligibility"
SNAPSHOT = "gpt-4.1-2025-04-14"


def _rules(response: Any) -> list[tuple[str, str, str]]:
    """(policy, URN, rule) of every violation in an analyzer response."""
    return sorted(
        (d.policyName, d.urn, rule)
        for d in response.diagnostics
        for rule in re.findall(r"\[(RG\d{3})\]", d.message)
    )


def _endpoint_rules(state: PackState, url: str, **kwargs: Any) -> list[str]:
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": url}), **kwargs)
    return run(policies(state)[ENDPOINT], args).rules


# --- a second config, repo config, stack and component ------------------------------------


def test_each_repo_config_holds_the_stacks_and_catalog_it_names(tmp_path: Path) -> None:
    """Two policy configs naming two residency-guard.yaml files: each its own regions and
    its own team catalog, whichever came first."""
    gateway = "https://llm-gw.acme.example/v1"
    for folder, region, catalog in (("eu", "eu", True), ("us", "us", False), ("bare", "eu", False)):
        (tmp_path / folder).mkdir()
        text = f"stacks:\n  prod-*: {region}\n"
        if catalog:
            text += "catalog: team.yaml\n"
            (tmp_path / folder / "team.yaml").write_text(
                "gateways:\n  - host: llm-gw.acme.example\n    region: eu\n", encoding="utf-8"
            )
        write_repo_config(tmp_path / folder, text)
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")

    def rules(folder: str, url: str) -> list[str]:
        config = {"repoConfig": f"{folder}/residency-guard.yaml"}
        return _endpoint_rules(state, url, region=None, config=config)

    assert rules("eu", US_URL) == ["RG001"]
    assert rules("us", US_URL) == []
    assert rules("us", EU_URL) == ["RG001"]
    assert rules("eu", gateway) == []  # the team catalog's gateway of the EU region
    assert rules("bare", gateway) == ["RG002"]  # same region and settings, no team catalog
    assert rules("eu", gateway) == []


def test_a_missing_repo_config_names_the_file_and_the_fix(state: PackState) -> None:
    with pytest.raises(ConfigError) as raised:
        _endpoint_rules(state, EU_URL, config={"repoConfig": "conf/nope.yaml"})
    assert str(raised.value) == (
        f"{state.pack_dir / 'conf' / 'nope.yaml'}: repoConfig not found; give its path "
        f"relative to the pack's folder ({state.pack_dir})"
    )


def test_each_stack_tag_the_engine_gives_is_the_region_of_that_call(state: PackState) -> None:
    """The SDK's servicer passes the tags of its last ConfigureStack to every policy: a state
    that judged the stack under one tag judges it under another by that one."""
    assert _endpoint_rules(state, US_URL, region="eu") == ["RG001"]
    assert _endpoint_rules(state, US_URL, region="us") == []
    assert _endpoint_rules(state, EU_URL, region="us") == ["RG001"]
    assert _endpoint_rules(state, EU_URL, region="eu") == []


def test_the_stack_config_is_read_for_each_resource(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = PackState(pack_dir=tmp_path)  # stack_config None: PULUMI_CONFIG, as the engine sets it
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"residency-guard:region": "eu"}))
    assert _endpoint_rules(state, US_URL, region=None) == ["RG001"]
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"residency-guard:region": "us"}))
    assert _endpoint_rules(state, US_URL, region=None) == []


def test_a_component_declares_the_region_of_its_own_stack(state: PackState) -> None:
    """Components are remembered per stack: one stack's component neither stands for another
    stack's nor hides it, whatever was judged in between."""
    endpoint = policies(state)[ENDPOINT]

    def component(stack: str, region: str) -> None:
        args = resource_args(COMPONENT_TYPE, {"region": region}, name="openai", stack=stack)
        run(endpoint, args)

    def rules(stack: str, url: str) -> list[str]:
        return _endpoint_rules(state, url, stack=stack, region=None)

    component("shop-eu", "eu")
    assert rules("shop-eu", US_URL) == ["RG001"]
    assert rules("shop-us", EU_URL) == []  # no region yet: the stack policy says RG008
    component("shop-us", "us")
    assert rules("shop-us", EU_URL) == ["RG001"]
    assert rules("shop-eu", US_URL) == ["RG001"]


def test_two_components_that_disagree_hold_the_stack_to_the_first(state: PackState) -> None:
    """Each component is its own claim: the resource policies hold the stack to the first (as
    the stack policies resolve it) and the stack policy names both in RG009."""
    endpoint = policies(state)[ENDPOINT]
    components = [
        resource_args(COMPONENT_TYPE, {"region": region}, name=name, region=None)
        for name, region in (("openai-eu", "eu"), ("openai-us", "us"))
    ]
    for args in components:
        run(endpoint, args)
    assert _endpoint_rules(state, US_URL, region=None) == ["RG001"]
    assert _endpoint_rules(state, EU_URL, region=None) == []
    declared = run(
        policies(state)["residency-region-declared"],
        stack_args(
            [policy_resource(a.resource_type, a.props, name=a.name) for a in components],
            region=None,
        ),
    )
    assert declared.rules == ["RG009"]
    assert "component 'openai-eu'" in declared.text and "component 'openai-us'" in declared.text


def test_a_resource_whose_urn_names_no_stack_is_held_to_pulumi_stack(tmp_path: Path) -> None:
    write_repo_config(tmp_path, "stacks:\n  prod-eu*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="prod-eu-2")
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": US_URL}), region=None)
    args.urn = "app"  # a hand-built resource, no Pulumi URN
    assert run(policies(state)[ENDPOINT], args).rules == ["RG001"]


def test_text_that_is_no_valid_unicode_is_judged(state: PackState) -> None:
    """A name decoded with surrogateescape (``os.fsdecode`` of a non-UTF-8 path) is judged,
    and its digest shared with nothing else."""
    props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL, "CACHE_DIR": "/data/caf\udce9"})
    assert all_rules(run_resource_policies(state, resource_args(*props))) == ["RG001"]
    other = k8s_deployment({"OPENAI_BASE_URL": EU_URL, "CACHE_DIR": "/data/caf\udce9"})
    assert all_rules(run_resource_policies(state, resource_args(*other))) == []


def all_rules(outcomes: dict[str, Any]) -> list[str]:
    return sorted({rule for outcome in outcomes.values() for rule in outcome.rules})


# --- which unknowns each policy notes ------------------------------------------------------

AZURE_DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
KSERVE = "kubernetes:serving.kserve.io/v1beta1:InferenceService"

NOTES: list[tuple[str, str, dict[str, Any], list[str]]] = [
    # Nothing OpenAI reads: no policy notes them.
    ("other settings", *k8s_deployment({"REDIS_HOST": UNKNOWN, "LOG_LEVEL": UNKNOWN}), []),
    # A Cloud Run service's location is no Azure account's.
    ("cloud run location", "gcp:cloudrunv2:Service", {"location": UNKNOWN, "name": "chat"}, []),
    # Four levels under a model server's `model` key: a CPU limit, not a model.
    (
        "kserve cpu limit",
        KSERVE,
        {"spec": {"predictor": {"model": {"resources": {"limits": {"cpu": UNKNOWN}}}}}},
        [],
    ),
    # An endpoint by the keys above it, not by an SDK variable's name.
    ("config baseUrl", "pulumi:pulumi:Stack", {"openai": {"baseUrl": UNKNOWN}}, [ENDPOINT]),
    (
        "azure model name",
        AZURE_DEPLOYMENT,
        {
            "accountName": "acct",
            "properties": {"model": {"format": "OpenAI", "name": UNKNOWN, "version": "1"}},
        },
        [MODELS],
    ),
    ("azure location", "azure-native:cognitiveservices:Account", {"location": UNKNOWN},
     ["azure-openai-residency"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("resource_type", "props", "noting"),
    [pytest.param(t, p, n, id=i) for i, t, p, n in NOTES],
)
def test_each_policy_notes_only_the_unknowns_it_would_read(
    state: PackState, resource_type: str, props: dict[str, Any], noting: list[str]
) -> None:
    outcomes = run_resource_policies(state, resource_args(resource_type, props))
    assert sorted(name for name, o in outcomes.items() if o.pending) == noting
    assert all_rules(outcomes) == []


def test_an_unknown_secret_is_a_note_where_the_args_hold_a_secret_object(
    state: PackState,
) -> None:
    """Args built by hand (a test, the bench) or by the SDK for a remediation hold a secret as
    ``pulumi_policy.Secret``: one whose value is unknown at preview is noted, as on the wire."""
    resource_type, props = lambda_function({})
    props["environment"] = {"variables": {"OPENAI_BASE_URL": Secret(UNKNOWN)}}
    outcome = run(policies(state)[ENDPOINT], resource_args(resource_type, props))
    assert outcome.violations == []
    assert outcome.pending is not None
    assert "OPENAI_BASE_URL at app.environment.variables.OPENAI_BASE_URL" in outcome.pending


def test_an_unknown_list_in_a_secret_object_is_unknown_not_a_model(state: PackState) -> None:
    """The SDK keeps the engine's sentinel of an unknown list; the core knows the string one."""
    inputs = {"region": "eu", "models": Secret({"chat": sdk_proxy.UNKNOWN_ARRAY_VALUE})}
    outcome = run(policies(state)[MODELS], resource_args(COMPONENT_TYPE, inputs, region=None))
    assert outcome.violations == []
    assert outcome.pending is not None and "chat at app.models.chat" in outcome.pending


# --- real requests through both servicers -------------------------------------------------


def _pack() -> list[Policy]:
    return all_policies(PackState(stack_config={}, stack_fallback=""))


def test_each_policy_judges_a_request_by_its_own_config() -> None:
    """The pack's servicer reads a request once for all policies; a policy configured apart
    (here denyModels on the model policy alone) still gets its own verdict, as under the SDK."""
    servicers = pair(_pack)
    deny = {MODELS: proto.PolicyConfig(
        enforcementLevel=proto.MANDATORY, properties=struct({"denyModels": [SNAPSHOT]}))}  # fmt: skip
    configure(servicers, {REGION_TAG: "eu"}, deny)
    resource_type, props = lambda_function({"OPENAI_MODEL": SNAPSHOT, "OPENAI_BASE_URL": EU_URL})
    request = resource(resource_type, "chat", props)
    assert _rules(same(servicers, "Analyze", request)) == [(MODELS, request.urn, "RG014")]


def test_one_urn_with_other_properties_gets_its_own_verdict_per_request() -> None:
    """A preview, then an update: the same URN in two requests is judged by each's properties."""
    servicers = pair(_pack)
    configure(servicers, {REGION_TAG: "eu"})
    for url, rules in ((GLOBAL_URL, ["RG001"]), (EU_URL, []), (GLOBAL_URL, ["RG001"])):
        response = same(servicers, "Analyze", deployment("chat", {"OPENAI_BASE_URL": url}))
        assert [rule for _, _, rule in _rules(response)] == rules


def test_a_urn_twice_in_a_stack_leaves_the_others_judged() -> None:
    """A stack request holding one URN twice (the first is read): every other resource is
    still judged by the stack policies."""
    servicers = pair(_pack)
    configure(servicers, {REGION_TAG: "eu"})
    first = deployment("chat", {"OPENAI_BASE_URL": GLOBAL_URL})
    again = deployment("chat", {"OPENAI_BASE_URL": EU_URL})
    other = deployment("batch", {"OPENAI_BASE_URL": US_URL})
    request = proto.AnalyzeStackRequest(
        resources=[
            proto.AnalyzerResource(type=r.type, properties=r.properties, urn=r.urn, name=r.name)
            for r in (first, again, other)
        ]
    )
    found = _rules(same(servicers, "AnalyzeStack", request))
    assert ("openai-deployed-outputs", first.urn, "RG001") in found
    assert ("openai-deployed-outputs", other.urn, "RG001") in found


def test_remediation_leaves_a_suppressed_host_as_written_under_the_pack_servicer(
    tmp_path: Path,
) -> None:
    """Under ``Remediate`` the SDK hands the policies its own secrets proxy (no wire form):
    the pack still finds the finding the suppression accepted, and rewrites nothing."""
    write_repo_config(
        tmp_path,
        'suppressions:\n  - rule: RG001\n    stack: "prod-eu*"\n    reason: "INC-1"\n'
        '    until: "2999-12-31"\n',
    )
    servicers = pair(lambda: all_policies(PackState(pack_dir=tmp_path, stack_config={},
                                                    stack_fallback="")))  # fmt: skip
    remediate = {ENDPOINT: proto.PolicyConfig(
        enforcementLevel=proto.REMEDIATE, properties=struct({"remediateHosts": True}))}  # fmt: skip
    configure(servicers, {REGION_TAG: "eu"}, remediate)
    suppressed = deployment("chat", {"OPENAI_BASE_URL": GLOBAL_URL})
    assert list(same(servicers, "Remediate", suppressed).remediations) == []
    # The same resource in a stack the suppression does not cover is rewritten.
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    staging = proto.AnalyzeRequest(
        type=resource_type, properties=struct(props), name="chat",
        urn=urn(resource_type, "chat", stack="staging-eu"),
    )  # fmt: skip
    (remediation,) = same(servicers, "Remediate", staging).remediations
    assert remediation.policyName == ENDPOINT


def test_only_the_endpoint_policy_remediates() -> None:
    """Every resource policy at level remediate with remediateHosts: one rewrite, by the
    endpoint policy; the others say they do not remediate."""
    servicers = pair(_pack)
    config = {
        policy.name: proto.PolicyConfig(
            enforcementLevel=proto.REMEDIATE, properties=struct({"remediateHosts": True})
        )
        for policy in _pack()
        if isinstance(policy, ResourceValidationPolicy)
    }
    configure(servicers, {REGION_TAG: "eu"}, config)
    response = same(servicers, "Remediate", deployment("chat", {"OPENAI_BASE_URL": GLOBAL_URL}))
    assert [r.policyName for r in response.remediations] == [ENDPOINT]
    assert len(response.not_applicable) == len(config) - 1
    assert {n.reason for n in response.not_applicable} == {"Policy does not implement remediate"}
