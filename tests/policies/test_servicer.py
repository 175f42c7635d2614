"""The pack's servicer (residency_pack/servicer.py) answers exactly as pulumi-policy's own.

``OncePerResource`` subclasses pulumi-policy 1.21's private ``_PolicyAnalyzerServicer`` and
rewrites ``Analyze``, ``AnalyzeStack`` and ``Remediate`` to read each request once. These tests
are that dependency's contract: both servicers (the SDK's as ``RequestScoped``, which only keeps
the request where the pack's policies find it) get the same requests (the pack's policies,
and policies that use every part of the SDK's args: props, unknowns, provider, options,
parents, dependencies, not-applicable, async) and must give the same responses, message for
message. If pulumi-policy changes what its servicer does, they fail here first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pulumi_policy
import pytest
from google.protobuf import struct_pb2
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer

from policies.residency_pack import PACK_ENFORCEMENT, PACK_NAME, PackState, all_policies
from policies.residency_pack.servicer import (
    PULUMI_POLICY_VERSION,
    OncePerResource,
    WiredArgs,
    struct_to_dict,
)
from policies.residency_pack.servicer_contract import RequestScoped, ServicerContractError
from residency_guard.stackregion import COMPONENT_TYPE, REGION_TAG

from .helpers import EU_URL, FAKE_KEY, GLOBAL_URL, UNKNOWN, secret, urn
from .shapes import k8s_deployment

DEPLOYMENT = "kubernetes:apps/v1:Deployment"
LAMBDA = "aws:lambda/function:Function"


def struct(data: dict[str, Any]) -> struct_pb2.Struct:
    out = struct_pb2.Struct()
    out.update(data)
    return out


def test_pulumi_policy_is_the_version_whose_servicer_we_subclass() -> None:
    assert pulumi_policy.version.VERSION == PULUMI_POLICY_VERSION, (
        "residency_pack/servicer.py subclasses pulumi-policy's private servicer as of "
        f"{PULUMI_POLICY_VERSION}; re-read its Analyze, AnalyzeStack and Remediate before "
        "changing the pin"
    )


# --- policies that touch every part of the SDK's args ---------------------------------------


def sdk_policies() -> list[Policy]:
    def props(args: ResourceValidationArgs, report: ReportViolation) -> None:
        env = args.props.get("env", {})
        report(f"props {sorted(args.props)} env {dict(env)}", args.urn)
        report(
            f"provider {args.provider and args.provider.resource_type} "
            f"{args.provider and dict(args.provider.props)}"
        )
        report(
            f"opts protect={args.opts.protect} parent={args.opts.parent} "
            f"secrets={list(args.opts.additional_secret_outputs)}"
        )
        report(f"config {dict(args.get_config())} tags {dict(args.stack_tags)}")

    def serialized(args: ResourceValidationArgs, report: ReportViolation) -> None:
        # The SDK's own serializer unwraps its proxies: unknowns pass through, unread.
        report(f"serialized {serialize_properties(args.props)}")
        if args.provider is not None:
            report(f"provider serialized {serialize_properties(args.provider.props)}")

    def unknown(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if "url" in args.props:
            report(f"reads {args.props['url']}")  # raises UnknownValueError when unknown

    def not_applicable(args: ResourceValidationArgs, report: ReportViolation) -> None:
        if args.resource_type == LAMBDA:
            args.not_applicable("not for functions")

    async def later(args: ResourceValidationArgs, report: ReportViolation) -> None:
        await asyncio.sleep(0)
        report("async", args.urn)

    def stack(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            report(
                f"{r.name} parent={r.parent and r.parent.name} "
                f"deps={[d.name for d in r.dependencies]} "
                f"prop-deps={ {k: [d.name for d in v] for k, v in r.property_dependencies.items()} } "
                f"props={sorted(r.props)}",
                r.urn,
            )

    def stack_unknown(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            report(str(r.props.get("url")))

    return [
        ResourceValidationPolicy("props", "Reads props.", props),
        ResourceValidationPolicy(
            "unknown", "Reads an unknown.", unknown, enforcement_level=EnforcementLevel.ADVISORY
        ),
        ResourceValidationPolicy("serialized", "Serializes props.", serialized),
        ResourceValidationPolicy("not-applicable", "Not for functions.", not_applicable),
        ResourceValidationPolicy("async", "Async.", later),
        ResourceValidationPolicy(
            "remediate-only", "Remediates.", None, remediate=lambda args: {"fixed": True}
        ),
        StackValidationPolicy("stack", "Reads the stack.", stack),
        StackValidationPolicy("stack-unknown", "Reads unknowns.", stack_unknown),
    ]


def pair(make: Callable[[], list[Policy]]) -> tuple[_PolicyAnalyzerServicer, OncePerResource]:
    sdk = RequestScoped(PACK_NAME, "0.1.0", make(), PACK_ENFORCEMENT)
    ours = OncePerResource(PACK_NAME, "0.1.0", make(), PACK_ENFORCEMENT)
    return sdk, ours


def both(servicers: tuple[Any, Any], method: str, request: Any) -> tuple[Any, Any]:
    return tuple(getattr(s, method)(request, None) for s in servicers)  # type: ignore[return-value]


def same(servicers: tuple[Any, Any], method: str, request: Any) -> Any:
    """Both servicers' response to ``request``, asserted equal; the SDK's is returned."""
    theirs, ours = both(servicers, method, request)
    assert ours == theirs, f"{method}: ours\n{ours}\nthe SDK's\n{theirs}"
    return theirs


def configure(
    servicers: tuple[Any, Any],
    tags: dict[str, str],
    config: dict[str, proto.PolicyConfig] | None = None,
) -> None:
    both(
        servicers,
        "ConfigureStack",
        proto.AnalyzerStackConfigureRequest(stack="prod-eu", project="shop", tags=tags),
    )
    if config is not None:
        both(servicers, "Configure", proto.ConfigureAnalyzerRequest(policyConfig=config))


def resource(resource_type: str, name: str, props: dict[str, Any], **extra: Any) -> Any:
    return proto.AnalyzeRequest(
        type=resource_type,
        properties=struct(props),
        urn=urn(resource_type, name),
        name=name,
        **extra,
    )


def deployment(name: str, env: dict[str, Any]) -> Any:
    resource_type, props = k8s_deployment(env)
    return resource(resource_type, name, props)


def requests() -> list[Any]:
    provider = proto.AnalyzerProviderResource(
        type="pulumi:providers:kubernetes",
        properties=struct({"kubeconfig": secret("x"), "namespace": UNKNOWN}),
        urn="urn:pulumi:prod-eu::shop::pulumi:providers:kubernetes::k8s",
        name="k8s",
    )
    options = proto.AnalyzerResourceOptions(
        protect=True, parent=urn(COMPONENT_TYPE, "openai"), additionalSecretOutputs=["env"]
    )
    return [
        deployment("global", {"OPENAI_BASE_URL": GLOBAL_URL}),
        deployment("keys", {"OPENAI_API_KEY": secret(FAKE_KEY), "BACKUP": FAKE_KEY}),
        deployment("unknown", {"OPENAI_BASE_URL": UNKNOWN}),
        resource(
            LAMBDA,
            "fn",
            {"environment": {"variables": {"OPENAI_BASE_URL": EU_URL}}, "url": UNKNOWN},
            provider=provider,
            options=options,
        ),
        resource(
            LAMBDA,
            "plain",
            {
                "url": "https://example.com",
                "env": {"A": "1"},
                "count": 3,
                "ratio": 0.5,
                "on": True,
                "none": None,
            },
        ),
        resource(COMPONENT_TYPE, "openai", {"region": "eu"}),
    ]


def stack_request() -> Any:
    component = urn(COMPONENT_TYPE, "openai")
    resources = []
    for index, request in enumerate(requests()):
        resources.append(
            proto.AnalyzerResource(
                type=request.type,
                properties=request.properties,
                urn=request.urn,
                name=request.name,
                parent=component if index else "",
                dependencies=[component] if index % 2 else [],
                propertyDependencies={"env": proto.AnalyzerPropertyDependencies(urns=[component])},
                provider=request.provider if request.HasField("provider") else None,
            )
        )
    return proto.AnalyzeStackRequest(resources=resources)


CONFIGS: dict[str, dict[str, proto.PolicyConfig] | None] = {
    "defaults": None,
    "advisory and disabled": {
        "openai-endpoint-region": proto.PolicyConfig(enforcementLevel=proto.ADVISORY),
        "openai-plaintext-key": proto.PolicyConfig(enforcementLevel=proto.DISABLED),
        "props": proto.PolicyConfig(
            enforcementLevel=proto.ADVISORY, properties=struct({"region": "eu", "extra": [1, "a"]})
        ),
        "stack": proto.PolicyConfig(enforcementLevel=proto.DISABLED),
    },
    "remediate": {
        "openai-endpoint-region": proto.PolicyConfig(
            enforcementLevel=proto.REMEDIATE, properties=struct({"remediateHosts": True})
        ),
        "remediate-only": proto.PolicyConfig(enforcementLevel=proto.REMEDIATE),
        "props": proto.PolicyConfig(enforcementLevel=proto.REMEDIATE),
    },
}


@pytest.mark.parametrize("config", CONFIGS, ids=list(CONFIGS))
@pytest.mark.parametrize("region", ["eu", None])
def test_every_answer_is_the_sdks(config: str, region: str | None) -> None:
    def policies() -> list[Policy]:
        return [*all_policies(PackState(stack_config={}, stack_fallback="")), *sdk_policies()]

    servicers = pair(policies)
    configure(servicers, {REGION_TAG: region} if region else {}, CONFIGS[config])
    diagnostics = 0
    for request in requests():
        diagnostics += len(same(servicers, "Analyze", request).diagnostics)
        same(servicers, "Remediate", request)
    diagnostics += len(same(servicers, "AnalyzeStack", stack_request()).diagnostics)
    assert diagnostics > 10  # the requests do reach the policies


def test_remediation_runs_only_at_level_remediate_and_then_as_the_sdks() -> None:
    servicers = pair(lambda: all_policies(PackState(stack_config={}, stack_fallback="")))
    request = deployment("chat", {"OPENAI_BASE_URL": GLOBAL_URL})
    configure(servicers, {REGION_TAG: "eu"})
    assert list(same(servicers, "Remediate", request).remediations) == []
    configure(servicers, {REGION_TAG: "eu"}, CONFIGS["remediate"])
    (remediation,) = same(servicers, "Remediate", request).remediations
    assert remediation.policyName == "openai-endpoint-region"


def test_the_policies_of_one_request_share_one_reading_of_it() -> None:
    seen: list[Any] = []

    def record(args: ResourceValidationArgs, report: ReportViolation) -> None:
        assert isinstance(args, WiredArgs)
        seen.append((args.props, args.wired, args.get_config()))

    policies: list[Policy] = [
        ResourceValidationPolicy(f"p{i}", "Records.", record) for i in range(3)
    ]
    servicer = OncePerResource(PACK_NAME, "0.1.0", policies, PACK_ENFORCEMENT)
    servicer.Configure(
        proto.ConfigureAnalyzerRequest(
            policyConfig={
                "p1": proto.PolicyConfig(
                    enforcementLevel=proto.MANDATORY, properties=struct({"x": 1})
                )
            }
        ),
        None,
    )
    servicer.Analyze(deployment("chat", {"OPENAI_BASE_URL": EU_URL}), None)
    assert len(seen) == 3
    assert all(props is seen[0][0] and wired is seen[0][1] for props, wired, _ in seen)
    assert [config for _, _, config in seen] == [{}, {"x": 1}, {}]  # each policy its own


@pytest.mark.parametrize(
    "data",
    [
        {"a": "x", "b": 1, "c": 1.5, "d": True, "e": None, "f": [1, "y", [], {}], "g": {"h": []}},
        {"unknown": UNKNOWN, "secret": secret({"k": [FAKE_KEY]}), "empty": ""},
        {},
    ],
)
def test_struct_to_dict_is_message_to_dict(data: dict[str, Any]) -> None:
    from google.protobuf import json_format

    message = struct(data)
    ours, theirs = struct_to_dict(message), json_format.MessageToDict(message)
    assert ours == theirs
    assert repr(ours) == repr(theirs)  # same types (floats), same key order


def test_struct_to_dict_refuses_nan_as_message_to_dict_does() -> None:
    from google.protobuf import json_format

    message = struct({"n": float("nan")})
    with pytest.raises(ValueError, match="NaN") as theirs:
        json_format.MessageToDict(message)
    with pytest.raises(ValueError, match="NaN") as ours:
        struct_to_dict(message)
    assert str(ours.value) == str(theirs.value)


def test_the_sdks_own_servicer_without_the_request_is_refused_not_misread() -> None:
    """Under pulumi-policy's servicer unwrapped, a secret reaches the policies as plain text: the
    pack says so instead of calling the engine's secret a plaintext key (RG007)."""
    servicer = _PolicyAnalyzerServicer(
        PACK_NAME, "0.1.0", all_policies(PackState(stack_config={}, stack_fallback="")),
        PACK_ENFORCEMENT,
    )  # fmt: skip
    configure((servicer, servicer), {REGION_TAG: "eu"})
    request = deployment("keys", {"OPENAI_API_KEY": secret(FAKE_KEY)})
    with pytest.raises(ServicerContractError, match=r"serve them with residency_pack\.servicer"):
        servicer.Analyze(request, None)
    stack = proto.AnalyzeStackRequest(
        resources=[proto.AnalyzerResource(type=request.type, urn=request.urn, name=request.name,
                                          properties=request.properties)]
    )  # fmt: skip
    with pytest.raises(ServicerContractError, match=r"serve them with residency_pack\.servicer"):
        servicer.AnalyzeStack(stack, None)
