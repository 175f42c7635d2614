"""The analyzer's gRPC service: pulumi-policy's, answering each request with one reading of it.

pulumi-policy 1.21's servicer (``_PolicyAnalyzerServicer``, what ``PolicyPack`` serves) does
per-policy work per resource: ``Analyze`` converts the resource's properties (protobuf to
dict, deserialize, the unknown-checking proxy) and its provider's once per policy (six of
ours), ``AnalyzeStack`` converts every resource once per stack policy (three), ``Remediate``
converts every resource although no policy remediates unless its enforcement level is
``remediate``, and every call re-reads the stack config from the environment. The engine
(3.274) calls ``Remediate`` and ``Analyze`` on every resource of every pack: nothing in the
protocol lets a pack say that it does not remediate.

``OncePerResource`` subclasses that servicer and keeps all of it but those three methods,
which do the same work once per request: one conversion shared by every policy (each still
gets its own args, properties, config and enforcement level, so per-policy levels and config
work as before, and a policy that writes to its ``props`` changes no other's), the pack's wire
form read from the same conversion (``WiredArgs``: the policies need not look for the request
on the call stack), ``Remediate`` answered at once when no policy is at level ``remediate``
(the SDK's answer then is empty too), the runtime settings configured once per process.
Responses are the SDK's own, diagnostic for diagnostic: ``tests/policies/test_servicer.py``
runs both servicers on the same requests and compares.

This depends on private parts of pulumi-policy, pinned at 1.21.0 (pyproject): the servicer
class, its helpers, its private attributes (the policies, the pack's name and version, the
stack tags) and its not-applicable error, all named in ``servicer_contract`` and checked there
when the pack starts (``serve`` refuses to start, in one line naming the version and the fix,
if any is gone); ``serve`` makes ``PolicyPack`` build this servicer instead of its own.
``test_servicer.py`` and ``test_servicer_contract.py`` fail, naming the part, if any changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from inspect import isawaitable
from typing import Any

import pulumi_policy.policy as sdk
from google.protobuf import json_format, struct_pb2
from pulumi.runtime import proto
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyPack,
    PolicyProviderResource,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import UnknownValueError, _DictProxy, unknown_checking_proxy

from .servicer_contract import (
    NOT_APPLICABLE_ERROR,
    PULUMI_POLICY_VERSION,
    SDK_SERVICER,
    private_attribute,
    require_contract,
)
from .state import Wired
from .wire import WireProps, wire_form

__all__ = ["PULUMI_POLICY_VERSION", "OncePerResource", "WiredArgs", "serve", "struct_to_dict"]
# Resources whose reading is kept for the stack policies (about 5 KB each for a workload).
READINGS_KEPT = 4096


class WiredArgs(ResourceValidationArgs):
    """``ResourceValidationArgs`` with the resource's properties in wire form (read once)."""

    def __init__(self, *args: Any, wired: Wired) -> None:
        super().__init__(*args)
        self.wired = wired


class WiredStackArgs(StackValidationArgs):
    """``StackValidationArgs`` with every resource's properties in wire form, by URN (the
    request's first resource of a URN, as ``PackState.stack_wire`` reads them)."""

    def __init__(self, *args: Any, wired: Mapping[str, Wired]) -> None:
        super().__init__(*args)
        self.wired = wired


def struct_to_dict(struct: struct_pb2.Struct) -> dict[str, Any]:
    """``json_format.MessageToDict(struct)``, the conversion pulumi-policy makes, in less time:
    numbers stay floats, a NaN or an infinity is refused with the same error."""
    return {key: _value(value) for key, value in struct.fields.items()}


def _value(value: struct_pb2.Value) -> Any:
    kind = value.WhichOneof("kind")
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return {key: _value(item) for key, item in value.struct_value.fields.items()}
    if kind == "list_value":
        return [_value(item) for item in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    if kind == "number_value":
        number = value.number_value
        if math.isinf(number) or math.isnan(number):
            name = "Infinity" if math.isinf(number) else "NaN"
            raise ValueError(
                f"Fail to serialize {name} for Value.number_value, which would parse as "
                "string_value"
            )
        return number
    return None


class _Deserialized(_DictProxy):
    """A request's properties as pulumi-policy hands them to a policy (``deserialize_properties``
    behind its unknown-checking proxy), converted when a policy first reads them: the pack's
    own policies read the wire form instead. A ``_DictProxy`` to the SDK, so that its
    ``serialize_properties`` unwraps it as it unwraps its own."""

    def __init__(self, raw: Callable[[], dict[str, Any]]) -> None:  # no proxy state of its own
        self._raw = raw
        self._proxy: Mapping[str, Any] | None = None

    def _target(self) -> Any:
        if self._proxy is None:
            self._proxy = unknown_checking_proxy(deserialize_properties(self._raw()))
        return self._proxy

    def __getitem__(self, key: Any) -> Any:
        return self._target()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._target()[key] = value

    def __len__(self) -> int:
        return len(self._target())

    def __iter__(self) -> Iterator[Any]:
        return iter(self._target())


class _Reading:
    """A resource's properties read once: the dict protobuf gives (what the SDK deserializes),
    its wire form, and the digest of its content."""

    __slots__ = ("digest", "raw", "wire")

    def __init__(self, raw: dict[str, Any], wire: WireProps, digest: bytes) -> None:
        self.raw = raw
        self.wire = wire
        self.digest = digest


class _Readings:
    """The readings used last, by content digest: the stack policies find the resource policies'
    reading of outputs equal to inputs, and equal resources share one."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[bytes, _Reading] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def read(self, struct: struct_pb2.Struct) -> _Reading:
        # Deterministic serialization sorts map keys: equal content, equal bytes, whatever the
        # order the engine sent (outputs come in another order than inputs).
        digest = b"pb:" + hashlib.sha256(struct.SerializeToString(deterministic=True)).digest()
        with self._lock:
            found = self._items.get(digest)
            if found is not None:
                self._items.move_to_end(digest)
                return found
        raw = struct_to_dict(struct)
        found = _Reading(raw, wire_form(raw), digest)
        with self._lock:
            self._items[digest] = found
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return found


class _Resource:
    """One resource of a request, read once for every policy that reads it: the policies
    share its options and provider, and the stack policies its ``PolicyResource`` (the SDK
    builds them for each policy; no policy we know writes to them, and building them for each
    would cost about a third of an ``AnalyzeStack``), each gets its own ``props``."""

    __slots__ = ("message", "opts", "provider", "raw", "wired")

    def __init__(self, servicer: OncePerResource, message: Any) -> None:
        reading = servicer._readings.read(message.properties)
        self.message = message
        self.raw = reading.raw
        self.wired = Wired(reading.wire, reading.digest)
        self.opts = servicer._get_resource_options(message)
        self.provider = _provider(message)

    def props(self) -> _Deserialized:
        """The properties as the SDK hands them to one policy: its own, converted when read
        (the SDK converts them for each policy; a policy may write to its copy)."""
        raw = self.raw
        return _Deserialized(lambda: raw)


def _provider(message: Any) -> PolicyProviderResource | None:
    """``_get_provider_resource`` of the SDK's servicer, its properties converted when read."""
    if not message.HasField("provider"):
        return None
    provider = message.provider
    props = _Deserialized(lambda: json_format.MessageToDict(provider.properties))
    return PolicyProviderResource(provider.type, props, provider.urn, provider.name)


class OncePerResource(SDK_SERVICER):  # type: ignore[misc]
    """pulumi-policy's servicer, converting each request once (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._configured = False
        self._readings = _Readings(READINGS_KEPT)

    # --- what the SDK's servicer holds -------------------------------------------------

    @property
    def policies(self) -> list[Policy]:
        policies: list[Policy] = private_attribute(self, "policies")
        return policies

    @property
    def stack_tags(self) -> Mapping[str, str]:
        tags: Mapping[str, str] = private_attribute(self, "stack_tags")
        return tags

    def _enabled(self, kind: type[Policy]) -> list[tuple[Policy, EnforcementLevel]]:
        """The policies of ``kind`` to run, with their enforcement level (remediate reported
        as mandatory, as the SDK does)."""
        found = []
        for policy in self.policies:
            level = self._get_enforcement_level(policy)
            if level == EnforcementLevel.DISABLED or not isinstance(policy, kind):
                continue
            if level == EnforcementLevel.REMEDIATE:
                level = EnforcementLevel.MANDATORY
            found.append((policy, level))
        return found

    def _configure_once(self) -> None:
        # The SDK re-reads PULUMI_CONFIG and reconfigures the runtime on every call; the
        # engine sets the environment once, when it starts the pack.
        if not self._configured:
            self._configure_runtime_settings()  # type: ignore[no-untyped-call]
            self._configured = True

    # --- the three calls made per resource ---------------------------------------------

    def Analyze(self, request: Any, _context: Any) -> Any:
        self._configure_once()
        response = proto.AnalyzeResponse()
        resource: _Resource | None = None
        for policy, level in self._enabled(ResourceValidationPolicy):
            assert isinstance(policy, ResourceValidationPolicy)
            if not policy.has_validation():
                response.not_applicable.append(
                    proto.PolicyNotApplicable(
                        policy_name=policy.name, reason="Policy does not implement validate"
                    )
                )
                continue
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            if resource is None:
                resource = _Resource(self, request)
            args = WiredArgs(
                request.type,
                resource.props(),
                request.urn,
                request.name,
                resource.opts,
                resource.provider,
                self._get_policy_config(policy.name),
                self.stack_tags,
                wired=resource.wired,
            )
            self._run(policy, args, report, response)
        return response

    def AnalyzeStack(self, request: Any, _context: Any) -> Any:
        self._configure_once()
        response = proto.AnalyzeResponse()
        enabled = self._enabled(StackValidationPolicy)
        if not enabled:
            return response
        read = [_Resource(self, message) for message in request.resources]
        wired: dict[str, Wired] = {}
        for resource in read:
            wired.setdefault(resource.message.urn, resource.wired)
        linked = _linked(read)
        for policy, level in enabled:
            report = self._create_report_violation(
                response, policy.name, policy.description, level, policy.severity
            )
            config = self._get_policy_config(policy.name)
            args = WiredStackArgs(_for_one_policy(linked), config, self.stack_tags, wired=wired)
            self._run(policy, args, report, response)
        return response

    def Remediate(self, request: Any, context: Any) -> Any:
        # The SDK runs remediations only for policies at level remediate; with none, its
        # answer is empty, after converting the resource: answer at once.
        remediating = any(
            self._get_enforcement_level(policy) == EnforcementLevel.REMEDIATE
            and isinstance(policy, ResourceValidationPolicy)
            for policy in self.policies
        )
        if not remediating:
            return proto.RemediateResponse()
        return super().Remediate(request, context)  # type: ignore[no-untyped-call]

    # --- helpers -------------------------------------------------------------------------

    def _run(self, policy: Policy, args: Any, report: ReportViolation, response: Any) -> None:
        """``policy.validate(args, report)`` with the SDK's handling of its outcomes."""
        validate: Callable[..., Any] = policy.validate  # type: ignore[attr-defined]
        try:
            result = validate(args, report)
            if result is not None and isawaitable(result):
                loop = asyncio.new_event_loop()
                loop.run_until_complete(asyncio.Task(result, loop=loop))  # type: ignore[arg-type]
                loop.close()
        except UnknownValueError as e:
            name = private_attribute(self, "policy_pack_name")
            version = private_attribute(self, "policy_pack_version")
            response.diagnostics.append(
                proto.AnalyzeDiagnostic(
                    policyName=policy.name,
                    policyPackName=name,
                    policyPackVersion=version,
                    message=(
                        f"can't run policy '{policy.name}' from policy pack "
                        f"'{name}@v{version}' during preview: {e.message}"
                    ),
                    urn="",
                    description=policy.description,
                    enforcementLevel=self._map_enforcement_level(EnforcementLevel.ADVISORY),
                )
            )
        except NOT_APPLICABLE_ERROR as e:
            response.not_applicable.append(
                proto.PolicyNotApplicable(policy_name=policy.name, reason=e.reason or "")
            )


def _linked(read: Sequence[_Resource]) -> list[tuple[PolicyResource, _Resource]]:
    """A request's resources as the SDK builds them (parents and dependencies linked), once for
    every stack policy, each beside its reading."""
    built = [
        (
            PolicyResource(
                r.message.type,
                {},  # each policy's own: _for_one_policy
                r.message.urn,
                r.message.name,
                r.opts,
                r.provider,
                None,
                [],
                {},
            ),
            r,
        )
        for r in read
    ]
    by_urn = {resource.urn: resource for resource, _ in built}
    for resource, r in built:
        message = r.message
        if message.parent and message.parent in by_urn:
            resource.parent = by_urn[message.parent]
        resource.dependencies.extend(by_urn[d] for d in message.dependencies if d in by_urn)
        for key, urns in message.propertyDependencies.items():
            resource.property_dependencies[key] = [by_urn[u] for u in urns.urns if u in by_urn]
    return built


def _for_one_policy(linked: Sequence[tuple[PolicyResource, _Resource]]) -> list[PolicyResource]:
    """The stack's resources for one stack policy, each with properties of its own (the SDK
    builds every resource anew for each stack policy; one that writes to a resource's ``props``
    changes nothing the next reads)."""
    for resource, r in linked:
        resource.props = r.props()
    return [resource for resource, _ in linked]


def serve(
    name: str,
    policies: Sequence[Policy],
    enforcement_level: EnforcementLevel,
    warm_up: Callable[[], object] | None = None,
) -> None:
    """``PolicyPack(name, policies, enforcement_level)``, served by ``OncePerResource``: starts
    the analyzer's gRPC server and blocks, as ``PolicyPack`` does. ``warm_up`` runs beside
    the server, while the engine starts the program. Raises ``ServicerContractError`` first if
    the installed pulumi-policy is not the one ``servicer_contract`` was written for."""
    require_contract()
    sdk._PolicyAnalyzerServicer = OncePerResource  # type: ignore[misc]
    if warm_up is not None:
        threading.Thread(target=warm_up, name="warm-up", daemon=True).start()
    PolicyPack(name=name, policies=list(policies), enforcement_level=enforcement_level)
