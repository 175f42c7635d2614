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
import contextvars
import io
import json
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import grpc
import pulumi
import pulumi.runtime.config
import pulumi_policy
import pulumi_policy.policy as sdk_policy
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime import proto
from pulumi.runtime.proto import analyzer_pb2_grpc
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    Severity,
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
    serve,
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


class Answers(ResourceValidationPolicy):
    """A policy class of its own (the SDK's ``has_validation`` sees the override) whose
    ``validate`` returns a value that is not awaitable: the servicer ignores it."""

    def validate(self, args: ResourceValidationArgs, report_violation: ReportViolation) -> Any:
        report_violation("returns a value, not an awaitable")
        return "ignored"


def sdk_policies() -> list[Policy]:
    def writes(args: ResourceValidationArgs, report: ReportViolation) -> None:
        # A policy's props are its own: what it writes it reads back, and no other policy sees.
        args.props["written"] = args.name
        report(f"wrote {args.props['written']}")
        return None

    def props(args: ResourceValidationArgs, report: ReportViolation) -> None:
        env = args.props.get("env", {})
        report(f"props {sorted(args.props)} env {dict(env)}", args.urn)
        if args.provider is not None:
            provider = args.provider
            report(f"provider {provider.resource_type} {provider.urn} {provider.name}")
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
        if args.resource_type == COMPONENT_TYPE:
            args.not_applicable()  # no reason given

    async def later(args: ResourceValidationArgs, report: ReportViolation) -> None:
        await asyncio.sleep(0)
        report("async", args.urn)

    def stack_writes(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            r.props["written"] = True

    def stack(args: StackValidationArgs, report: ReportViolation) -> None:
        report(f"config {args.get_config()}")
        for r in args.resources:
            report(
                f"{r.name} parent={r.parent and r.parent.name} "
                f"deps={[d.name for d in r.dependencies]} "
                f"prop-deps={ {k: [d.name for d in v] for k, v in r.property_dependencies.items()} } "
                f"props={sorted(r.props)} protect={r.opts.protect} "
                f"provider={r.provider and (r.provider.resource_type, r.provider.urn)}",
                r.urn,
            )

    def stack_unknown(args: StackValidationArgs, report: ReportViolation) -> None:
        for r in args.resources:
            report(str(r.props.get("url")))

    return [
        # First: the policies after a policy that does not validate are still run.
        ResourceValidationPolicy(
            "remediate-only", "Remediates.", None, remediate=lambda args: {"fixed": True}
        ),
        ResourceValidationPolicy("writes", "Writes props.", writes),
        ResourceValidationPolicy("props", "Reads props.", props),
        ResourceValidationPolicy(
            "unknown", "Reads an unknown.", unknown, enforcement_level=EnforcementLevel.ADVISORY
        ),
        ResourceValidationPolicy("serialized", "Serializes props.", serialized),
        ResourceValidationPolicy("not-applicable", "Not for functions.", not_applicable),
        ResourceValidationPolicy("async", "Async.", later),
        Answers("answers", "Returns a value."),
        StackValidationPolicy("stack-writes", "Writes props.", stack_writes),
        StackValidationPolicy("stack", "Reads the stack.", stack, severity=Severity.HIGH),
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
    outside = "urn:pulumi:prod-eu::shop::pulumi:pulumi:Stack::shop-prod-eu"  # not in the request
    resources = []
    for index, request in enumerate(requests()):
        resources.append(
            proto.AnalyzerResource(
                type=request.type,
                properties=request.properties,
                urn=request.urn,
                name=request.name,
                options=request.options,
                parent=component if index else outside,
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
        "stack": proto.PolicyConfig(
            enforcementLevel=proto.MANDATORY, properties=struct({"tier": "gold"})
        ),
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


def test_a_pack_whose_every_resource_policy_remediates_remediates_as_the_sdks() -> None:
    def fix(args: ResourceValidationArgs) -> dict[str, Any]:
        return {**serialize_properties(args.props), "region": "eu"}

    def policies() -> list[Policy]:
        return [
            ResourceValidationPolicy(
                "pin-region", "Pins the region.", None, remediate=fix,
                enforcement_level=EnforcementLevel.REMEDIATE,
            ),
            StackValidationPolicy("stack", "Reads the stack.", lambda args, report: None),
        ]  # fmt: skip

    servicers = pair(policies)
    request = resource(COMPONENT_TYPE, "openai", {"region": "us"})
    (remediation,) = same(servicers, "Remediate", request).remediations
    assert remediation.policyName == "pin-region"
    assert struct_to_dict(remediation.properties) == {"region": "eu"}


def test_the_servicer_takes_the_sdks_keyword_arguments() -> None:
    """``OncePerResource`` is built as the SDK's servicer is, by position or by keyword."""
    options: dict[str, Any] = {
        "name": PACK_NAME, "version": "0.1.0", "enforcement_level": EnforcementLevel.ADVISORY,
        "description": "Keeps OpenAI traffic in the stack's region.",
        "initial_config": {"props": EnforcementLevel.MANDATORY},
    }  # fmt: skip
    theirs = RequestScoped(policies=sdk_policies(), **options).GetAnalyzerInfo(None, None)
    ours = OncePerResource(policies=sdk_policies(), **options).GetAnalyzerInfo(None, None)
    assert ours == theirs
    assert ours.description == options["description"]
    assert ours.initialConfig["props"].enforcementLevel == proto.MANDATORY


def _runtime_seen(servicer: Any, method: str, request: Any) -> list[str]:
    """What a policy finds in the Pulumi runtime on ``servicer``'s first call, in a fresh
    context (the runtime's settings and config are context variables)."""
    seen: list[str] = []

    def runtime() -> None:
        seen.append(
            f"{pulumi.get_project()}/{pulumi.get_stack()} dry-run={pulumi.runtime.is_dry_run()} "
            f"tier={pulumi.Config('shop').get('tier')}"
        )

    policies: list[Policy] = [
        ResourceValidationPolicy("runtime", "Reads the runtime.", lambda args, report: runtime()),
        StackValidationPolicy("stack-runtime", "Reads it too.", lambda args, report: runtime()),
    ]

    def first_call() -> None:
        pulumi.runtime.config.CONFIG.set({})
        pulumi.runtime.configure(pulumi.runtime.Settings(project="-", stack="-", dry_run=False))
        getattr(servicer(PACK_NAME, "0.1.0", policies, PACK_ENFORCEMENT), method)(request, None)

    contextvars.copy_context().run(first_call)
    return seen


@pytest.mark.parametrize("method", ["Analyze", "AnalyzeStack"])
def test_the_runtime_is_configured_from_the_engines_environment_before_the_first_call(
    method: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A policy that reads the stack, the project or the config through the Pulumi runtime
    finds what the engine put in the pack's environment, as under the SDK's servicer."""
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"shop:tier": "gold"}))
    monkeypatch.setenv("PULUMI_PROJECT", "shop")
    monkeypatch.setenv("PULUMI_STACK", "prod-eu")
    monkeypatch.setenv("PULUMI_DRY_RUN", "true")
    request = requests()[0] if method == "Analyze" else stack_request()
    ours = _runtime_seen(OncePerResource, method, request)
    assert ours == _runtime_seen(RequestScoped, method, request)
    assert ours == ["shop/prod-eu dry-run=True tier=gold"]


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
    assert all(wired is seen[0][1] for _, wired, _ in seen)  # one reading
    first = serialize_properties(seen[0][0])
    assert all(serialize_properties(props) == first for props, _, _ in seen)  # each its own copy
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


@pytest.mark.parametrize(
    ("number", "name"),
    [(float("nan"), "NaN"), (float("inf"), "Infinity"), (-float("inf"), "Infinity")],
)
def test_struct_to_dict_refuses_nan_and_infinity_as_message_to_dict_does(
    number: float, name: str
) -> None:
    from google.protobuf import json_format

    message = struct({"n": {"deep": [number]}})
    with pytest.raises(ValueError, match=name) as theirs:
        json_format.MessageToDict(message)
    with pytest.raises(ValueError, match=name) as ours:
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


# --- serve(): the pack as `pulumi preview --policy-pack` starts it ----------------------------


class _CtrlC:
    """``PolicyPack``'s idle loop (it sleeps a day at a time until Ctrl-C, then stops its
    server and returns) with a Ctrl-C the test presses: ``press()``."""

    def __init__(self) -> None:
        self._pressed = threading.Event()

    def sleep(self, _seconds: float) -> None:
        self._pressed.wait()
        raise KeyboardInterrupt

    def press(self) -> None:
        self._pressed.set()


class Served:
    """``serve(...)`` running in a thread of its own, as the pack's process runs it; the port
    it prints for the engine, and what it raised."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *args: Any) -> None:
        self.out = io.BytesIO()
        monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(self.out))
        # serve() installs its servicer in pulumi-policy for the process: the SDK's is put back.
        monkeypatch.setattr(sdk_policy, "_PolicyAnalyzerServicer", _PolicyAnalyzerServicer)
        self.ctrl_c = _CtrlC()
        monkeypatch.setattr(sdk_policy, "time", self.ctrl_c)
        self.raised: list[BaseException] = []
        self.thread = threading.Thread(target=self._serve, args=args, name="pack")
        self.thread.start()

    def _serve(self, *args: Any) -> None:
        try:
            serve(*args)
        except BaseException as error:  # the test reads it
            self.raised.append(error)

    def port(self) -> int:
        deadline = time.monotonic() + 60
        while not self.out.getvalue().endswith(b"\n"):
            assert self.thread.is_alive(), f"serve() returned without serving: {self.raised}"
            assert time.monotonic() < deadline, "serve() printed no port"
            time.sleep(0.01)
        return int(self.out.getvalue())

    def stop(self) -> None:
        self.ctrl_c.press()
        self.thread.join(60)
        assert not self.thread.is_alive()


@contextmanager
def served(monkeypatch: pytest.MonkeyPatch, *args: Any) -> Iterator[Any]:
    """An ``AnalyzerStub`` talking gRPC to the pack ``serve(*args)`` serves."""
    pack = Served(monkeypatch, *args)
    try:
        with grpc.insecure_channel(f"127.0.0.1:{pack.port()}") as channel:
            yield analyzer_pb2_grpc.AnalyzerStub(channel)
    finally:
        pack.stop()
    assert pack.raised == []


def test_the_served_pack_answers_the_engine_as_the_sdks_servicer_would(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``serve`` publishes the pack's name, policies and levels and answers each call with
    ``OncePerResource`` (the pack's policies get the request's one reading), message for
    message what pulumi-policy's own servicer (with the request in scope) answers."""
    read_once: list[bool] = []

    def policies(args_seen: list[bool]) -> list[Policy]:
        recorder = ResourceValidationPolicy(
            "reads-once", "Records its args.",
            lambda args, report: args_seen.append(isinstance(args, WiredArgs)),
        )  # fmt: skip
        return [*all_policies(PackState(stack_config={}, stack_fallback="")), recorder]

    # PolicyPack serves the version 0.0.1 (the engine takes PulumiPolicy.yaml's).
    sdk = RequestScoped(PACK_NAME, "0.0.1", policies([]), PACK_ENFORCEMENT)
    stack = proto.AnalyzerStackConfigureRequest(
        stack="prod-eu", project="shop", tags={REGION_TAG: "eu"}
    )
    sdk.ConfigureStack(stack, None)
    with served(monkeypatch, PACK_NAME, policies(read_once), PACK_ENFORCEMENT) as engine:
        info = engine.GetAnalyzerInfo(empty_pb2.Empty())
        assert info == sdk.GetAnalyzerInfo(None, None)
        assert info.name == PACK_NAME
        engine.ConfigureStack(stack)
        for request in requests():
            assert engine.Analyze(request) == sdk.Analyze(request, None)
            assert engine.Remediate(request) == sdk.Remediate(request, None)
        assert engine.AnalyzeStack(stack_request()) == sdk.AnalyzeStack(stack_request(), None)
        global_host = deployment("chat", {"OPENAI_BASE_URL": GLOBAL_URL})
        (violation,) = engine.Analyze(global_host).diagnostics
    assert (violation.policyName, violation.enforcementLevel) == (
        "openai-endpoint-region",
        proto.MANDATORY,
    )
    assert read_once and all(read_once)


def test_the_warm_up_runs_beside_the_server_and_does_not_hold_the_pack_open(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    answered = threading.Event()
    warmed: list[threading.Thread] = []

    def warm_up() -> None:
        warmed.append(threading.current_thread())
        answered.wait(60)  # still warming up while the engine's first request is answered

    policies = all_policies(PackState(stack_config={}, stack_fallback=""))
    with served(monkeypatch, PACK_NAME, policies, PACK_ENFORCEMENT, warm_up) as engine:
        engine.Analyze(deployment("chat", {"OPENAI_BASE_URL": EU_URL}))
        answered.set()
    (thread,) = warmed
    assert thread.daemon  # a warm-up still running never keeps the stopped pack's process alive


def test_the_pack_refuses_to_serve_on_a_pulumi_policy_it_was_not_written_for(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pulumi_policy.version, "VERSION", "1.22.0")
    warmed: list[bool] = []
    policies = all_policies(PackState(stack_config={}, stack_fallback=""))
    pack = Served(monkeypatch, PACK_NAME, policies, PACK_ENFORCEMENT, lambda: warmed.append(True))
    pack.thread.join(60)
    if pack.thread.is_alive():
        pack.stop()
        pytest.fail("serve() served on a pulumi-policy whose servicer it was not written for")
    (refused,) = pack.raised
    assert isinstance(refused, ServicerContractError)
    assert "version 1.22.0" in str(refused)
    assert pack.out.getvalue() == b""  # no port for the engine
    assert sdk_policy._PolicyAnalyzerServicer is _PolicyAnalyzerServicer  # nothing installed
    assert warmed == []
