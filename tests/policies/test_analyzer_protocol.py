"""The pack over the analyzer's gRPC protocol, as the engine drives it.

``OncePerResource`` is what the pack serves, ``RequestScoped`` pulumi-policy's own servicer (the
request kept where the policies find it); the requests below carry properties
the way the engine marshals them (secrets as signature-wrapped objects, unknowns as sentinel
strings). Constructing ``PolicyPack`` itself would start a server and block, so the servicer
is built here from the same pieces ``policies/__main__.py`` uses.
"""

from __future__ import annotations

import itertools
import json
import os
import select
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.protobuf import empty_pb2, json_format, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.residency_pack import PACK_ENFORCEMENT, PACK_NAME, PackState, all_policies
from policies.residency_pack.servicer import OncePerResource
from policies.residency_pack.servicer_contract import RequestScoped
from residency_guard.stackregion import COMPONENT_TYPE, REGION_TAG

from .helpers import EU_URL, FAKE_KEY, GLOBAL_URL, UNKNOWN, secret, urn
from .shapes import k8s_deployment

VERSION = "0.1.0"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
WORKLOAD = "pulumi-python:dynamic/worker:Workload"


def struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


@pytest.fixture(params=[OncePerResource, RequestScoped], ids=["ours", "sdk"])
def servicer(state: PackState, request: pytest.FixtureRequest) -> _PolicyAnalyzerServicer:
    """The servicer the pack serves (residency_pack/servicer.py), and pulumi-policy's own with
    the request in scope (residency_pack/servicer_contract.py): the policies read it either way."""
    kind: type[_PolicyAnalyzerServicer] = request.param
    return kind(PACK_NAME, VERSION, all_policies(state), PACK_ENFORCEMENT)


def configure_stack(servicer: _PolicyAnalyzerServicer, region: str | None = "eu") -> None:
    tags = {REGION_TAG: region} if region else {}
    servicer.ConfigureStack(
        proto.AnalyzerStackConfigureRequest(stack="prod-eu", project="shop", tags=tags), None
    )


def analyze(
    servicer: _PolicyAnalyzerServicer, resource_type: str, props: dict[str, Any], name: str = "chat"
) -> list[tuple[str, int, str, str]]:
    request = proto.AnalyzeRequest(
        type=resource_type, properties=struct(props), urn=urn(resource_type, name), name=name
    )
    response = servicer.Analyze(request, None)
    return [(d.policyName, d.enforcementLevel, d.message, d.urn) for d in response.diagnostics]


def env_deployment(env: dict[str, Any]) -> dict[str, Any]:
    return k8s_deployment(env)[1]


def test_analyzer_info_lists_every_policy_with_its_enforcement(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    info = servicer.GetAnalyzerInfo(None, None)
    levels = {p.name: p.enforcementLevel for p in info.policies}
    assert levels == {
        "openai-endpoint-region": proto.MANDATORY,
        "openai-model-eligibility": proto.MANDATORY,
        "openai-surface-coverage": proto.MANDATORY,
        "openai-legacy-api-base": proto.MANDATORY,
        "openai-plaintext-key": proto.MANDATORY,
        "azure-openai-residency": proto.MANDATORY,
        "openai-key-with-base-url": proto.MANDATORY,
        "residency-region-declared": proto.MANDATORY,
        "azure-openai-linked": proto.MANDATORY,
        "openai-deployed-outputs": proto.MANDATORY,
        "openai-configuration-summary": proto.ADVISORY,
        "residency-suppressions": proto.MANDATORY,
    }
    assert info.supportsConfig
    endpoint = next(p for p in info.policies if p.name == "openai-endpoint-region")
    assert endpoint.severity == proto.POLICY_SEVERITY_HIGH
    assert endpoint.url == "https://developers.openai.com/api/docs/guides/data-residency"
    assert "RG001 (OpenAI endpoint outside the stack's region)" in endpoint.remediation_steps
    schema = json_format.MessageToDict(endpoint.configSchema.properties)
    assert set(schema) == {
        "region",
        "allowedHosts",
        "allowModels",
        "denyModels",
        "unresolved",
        "repoConfig",
        "remediateHosts",
    }
    assert schema["remediateHosts"]["default"] is False


def test_a_global_host_is_a_mandatory_violation_on_the_resource(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    configure_stack(servicer)
    diagnostics = analyze(servicer, DEPLOYMENT, env_deployment({"OPENAI_BASE_URL": GLOBAL_URL}))
    assert diagnostics == [
        (
            "openai-endpoint-region",
            proto.MANDATORY,
            "OpenAI endpoints reach the stack's region only (RG001, RG002, RG010, RG011, RG020).\n"
            "[RG001] EU stack 'prod-eu' sends to api.openai.com (global, no residency) "
            "(at chat.spec.template.spec.containers[0].env[0].value). "
            "Fix: use https://eu.api.openai.com/v1",
            urn(DEPLOYMENT, "chat"),
        )
    ]


def test_a_key_the_engine_sent_as_secret_is_not_plaintext(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    configure_stack(servicer)
    props = env_deployment(
        {"OPENAI_API_KEY": secret(FAKE_KEY), "BACKUP_KEY": FAKE_KEY, "OPENAI_BASE_URL": EU_URL}
    )
    diagnostics = analyze(servicer, DEPLOYMENT, props)
    assert [(name, level) for name, level, _, _ in diagnostics] == [
        ("openai-plaintext-key", proto.MANDATORY)
    ]
    message = diagnostics[0][2]
    assert "[RG007] plaintext OpenAI API key sk-...WXYZ in 'BACKUP_KEY'" in message
    assert "OPENAI_API_KEY" not in message
    assert FAKE_KEY not in message


def test_a_whole_secret_object_marks_everything_inside_it(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    configure_stack(servicer)
    props = {"environment": secret({"variables": {"OPENAI_API_KEY": FAKE_KEY}})}
    assert analyze(servicer, "aws:lambda/function:Function", props) == []


def test_an_unknown_endpoint_is_an_advisory_diagnostic(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer)
    diagnostics = analyze(servicer, DEPLOYMENT, env_deployment({"OPENAI_BASE_URL": UNKNOWN}))
    assert diagnostics == [
        (
            "openai-endpoint-region",
            proto.ADVISORY,
            "can't run policy 'openai-endpoint-region' from policy pack 'residency-guard@v0.1.0' "
            "during preview: 1 value(s) were unknown during preview and will be checked at "
            "`pulumi up`: kubernetes:apps/v1:Deployment 'chat': OPENAI_BASE_URL at "
            "chat.spec.template.spec.containers[0].env[0].value",
            "",
        )
    ]


def test_per_policy_config_sets_enforcement_and_region(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer, region=None)
    config = {
        name: proto.PolicyConfig(enforcementLevel=proto.MANDATORY)
        for name in (
            "openai-model-eligibility",
            "openai-surface-coverage",
            "openai-legacy-api-base",
            "openai-plaintext-key",
            "azure-openai-residency",
        )
    }
    config["openai-endpoint-region"] = proto.PolicyConfig(
        enforcementLevel=proto.ADVISORY, properties=struct({"region": "eu"})
    )
    servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=config), None)
    diagnostics = analyze(servicer, DEPLOYMENT, env_deployment({"OPENAI_BASE_URL": GLOBAL_URL}))
    assert [(name, level) for name, level, _, _ in diagnostics] == [
        ("openai-endpoint-region", proto.ADVISORY)
    ]


def test_a_disabled_policy_says_nothing(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer)
    config = {"openai-endpoint-region": proto.PolicyConfig(enforcementLevel=proto.DISABLED)}
    servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=config), None)
    assert analyze(servicer, DEPLOYMENT, env_deployment({"OPENAI_BASE_URL": GLOBAL_URL})) == []


def stack_resource(resource_type: str, name: str, props: dict[str, Any]) -> Any:
    return proto.AnalyzerResource(
        type=resource_type, urn=urn(resource_type, name), name=name, properties=struct(props)
    )


def analyze_stack(
    servicer: _PolicyAnalyzerServicer, resources: list[Any]
) -> list[tuple[str, int, str, str]]:
    response = servicer.AnalyzeStack(proto.AnalyzeStackRequest(resources=resources), None)
    return [(d.policyName, d.enforcementLevel, d.message, d.urn) for d in response.diagnostics]


def test_analyze_stack_with_secrets_and_an_unknown_component_region(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    configure_stack(servicer, region=None)
    resources = [
        stack_resource(COMPONENT_TYPE, "openai", {"region": UNKNOWN}),
        stack_resource(
            DEPLOYMENT,
            "chat",
            env_deployment({"OPENAI_BASE_URL": EU_URL, "OPENAI_API_KEY": secret(FAKE_KEY)}),
        ),
    ]
    diagnostics = analyze_stack(servicer, resources)
    by_policy = {name: (level, message) for name, level, message, _ in diagnostics}
    assert set(by_policy) == {"residency-region-declared", "openai-configuration-summary"}
    level, message = by_policy["residency-region-declared"]
    assert level == proto.ADVISORY
    assert message.endswith(
        "during preview: 1 value(s) were unknown during preview and will be checked at "
        "`pulumi up`: the region of component 'openai'"
    )
    level, message = by_policy["openai-configuration-summary"]
    assert level == proto.ADVISORY
    assert "OPENAI_API_KEY: API key (secret)" in message
    assert "OPENAI_BASE_URL -> eu.api.openai.com" in message
    assert all(FAKE_KEY not in m for _, _, m, _ in diagnostics)


def test_one_analyze_call_reads_the_properties_and_runs_the_core_once(
    servicer: _PolicyAnalyzerServicer, state: PackState
) -> None:
    configure_stack(servicer)
    assert [d[0] for d in analyze(servicer, DEPLOYMENT, env_deployment({}))] == []
    assert state.calls == 1
    # The same URN again, now with the global host (a preview, then an up): judged again.
    diagnostics = analyze(servicer, DEPLOYMENT, env_deployment({"OPENAI_BASE_URL": GLOBAL_URL}))
    assert [d[0] for d in diagnostics] == ["openai-endpoint-region"]
    assert state.calls == 2


def in_another_order(props: dict[str, Any]) -> dict[str, Any]:
    """``props`` inserted in an order that the protobuf map iterates differently (as the engine
    sends a resource's outputs, in another order than its inputs)."""
    for keys in itertools.permutations(props):
        other = {key: props[key] for key in keys}
        if list(struct(other).fields) != list(struct(props).fields):
            return other
    raise AssertionError(f"no other order for {list(props)}")


def test_the_summary_reuses_what_the_resource_policies_found(
    servicer: _PolicyAnalyzerServicer, state: PackState
) -> None:
    configure_stack(servicer)
    env = {"OPENAI_BASE_URL": EU_URL, "OPENAI_MODEL": "gpt-4o-2024-11-20", "LOG_LEVEL": "info"}
    props = {"replicas": 2, "name": "chat", "image": "app:1", "env": env, "labels": {"a": "b"}}
    for name in ("chat", "batch"):
        assert analyze(servicer, WORKLOAD, props, name=name) == []
    assert state.calls == 2
    outputs = in_another_order(props)
    diagnostics = analyze_stack(
        servicer, [stack_resource(WORKLOAD, name, outputs) for name in ("chat", "batch")]
    )
    (summary,) = [m for name, _, m, _ in diagnostics if name == "openai-configuration-summary"]
    assert "2 resource(s) of stack 'prod-eu'" in summary
    assert state.calls == 2  # no rule ran again
    changed = {**props, "env": {**env, "OPENAI_MODEL": "gpt-4o-mini-2024-07-18"}}
    analyze_stack(servicer, [stack_resource(WORKLOAD, "chat", changed)])
    assert state.calls == 3  # other content: judged on its own


def test_analyze_stack_reads_each_resource_by_its_urn(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer)
    resources = [
        stack_resource(DEPLOYMENT, f"chat-{index}", env_deployment({"OPENAI_BASE_URL": url}))
        for index, url in enumerate([EU_URL, GLOBAL_URL, EU_URL])
    ]
    diagnostics = analyze_stack(servicer, resources)
    (summary,) = [m for name, _, m, _ in diagnostics if name == "openai-configuration-summary"]
    assert "3 resource(s) of stack 'prod-eu'" in summary
    assert "'chat-0': OPENAI_BASE_URL -> eu.api.openai.com" in summary
    assert "'chat-1': OPENAI_BASE_URL -> api.openai.com" in summary
    assert "'chat-2': OPENAI_BASE_URL -> eu.api.openai.com" in summary


def test_analyze_stack_reports_a_region_conflict(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer, region="eu")
    diagnostics = analyze_stack(
        servicer, [stack_resource(COMPONENT_TYPE, "openai", {"region": "us"})]
    )
    conflict = [d for d in diagnostics if d[0] == "residency-region-declared"]
    assert len(conflict) == 1
    _, level, message, reported_urn = conflict[0]
    assert level == proto.MANDATORY and reported_urn == ""
    assert "[RG009] stack 'prod-eu' has conflicting regions: stack tag says 'eu'" in message


def test_remediation_rewrites_the_global_host_and_keeps_secrets_secret(
    servicer: _PolicyAnalyzerServicer,
) -> None:
    configure_stack(servicer)
    config = {
        "openai-endpoint-region": proto.PolicyConfig(
            enforcementLevel=proto.REMEDIATE, properties=struct({"remediateHosts": True})
        )
    }
    servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=config), None)
    props = env_deployment({"OPENAI_BASE_URL": GLOBAL_URL, "OPENAI_API_KEY": secret(FAKE_KEY)})
    request = proto.AnalyzeRequest(
        type=DEPLOYMENT, properties=struct(props), urn=urn(DEPLOYMENT, "chat"), name="chat"
    )
    response = servicer.Remediate(request, None)
    (remediation,) = response.remediations
    assert remediation.policyName == "openai-endpoint-region"
    env = json_format.MessageToDict(remediation.properties)["spec"]["template"]["spec"][
        "containers"
    ][0]["env"]
    assert env[0] == {"name": "OPENAI_BASE_URL", "value": EU_URL}
    assert env[1] == {"name": "OPENAI_API_KEY", "value": secret(FAKE_KEY)}


def test_remediation_is_off_unless_enabled(servicer: _PolicyAnalyzerServicer) -> None:
    configure_stack(servicer)
    config = {"openai-endpoint-region": proto.PolicyConfig(enforcementLevel=proto.REMEDIATE)}
    servicer.Configure(proto.ConfigureAnalyzerRequest(policyConfig=config), None)
    request = proto.AnalyzeRequest(
        type=DEPLOYMENT,
        properties=struct(env_deployment({"OPENAI_BASE_URL": GLOBAL_URL})),
        urn=urn(DEPLOYMENT, "chat"),
        name="chat",
    )
    assert list(servicer.Remediate(request, None).remediations) == []


# --- the pack as the engine starts it: `python -m pulumi.policy <engine> <packDir>` --------

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


@pytest.fixture
def served_pack() -> Iterator[analyzer_pb2_grpc.AnalyzerStub]:
    """The real pack process (PolicyPack's gRPC server), with the environment the engine sets."""
    env = {
        **os.environ,
        "PULUMI_CONFIG": json.dumps({"residency-guard:region": "eu"}),
        "PULUMI_STACK": "prod-eu",
        "PULUMI_PROJECT": "shop",
        "PULUMI_DRY_RUN": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "pulumi.policy", "127.0.0.1:1", "."],
        cwd=PACK_DIR,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    try:
        assert process.stdout is not None
        ready, _, _ = select.select([process.stdout], [], [], 60)
        assert ready, "the pack did not print its port within 60 s"
        port = int(process.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_the_served_pack_answers_the_engine(served_pack: analyzer_pb2_grpc.AnalyzerStub) -> None:
    info = served_pack.GetAnalyzerInfo(empty_pb2.Empty())
    assert info.name == PACK_NAME and len(info.policies) == 12
    served_pack.ConfigureStack(proto.AnalyzerStackConfigureRequest(stack="prod-eu", project="shop"))
    props = env_deployment({"OPENAI_BASE_URL": GLOBAL_URL, "OPENAI_API_KEY": secret(FAKE_KEY)})
    response = served_pack.Analyze(
        proto.AnalyzeRequest(
            type=DEPLOYMENT, properties=struct(props), urn=urn(DEPLOYMENT, "chat"), name="chat"
        )
    )
    diagnostics = [(d.policyName, d.enforcementLevel) for d in response.diagnostics]
    assert diagnostics == [("openai-endpoint-region", proto.MANDATORY)]
    assert "EU stack 'prod-eu' sends to api.openai.com" in response.diagnostics[0].message
