"""The pack's one dependency on pulumi-policy's private analyzer servicer: named, pinned, checked.

pulumi-policy (1.21.0, the newest release) gives a policy the resource's properties with every
secret unwrapped and no way to ask whether a value was secret (pulumi-policy issue 241), and
unknown values only as an error raised on reading one. The pack needs both (a key the engine
holds as a secret is no plaintext key, RG007; an unknown endpoint is judged at ``pulumi up``), so
it reads the properties as the engine sent them, from the request the servicer answers. No public
API carries that request, hence this module: everything the pack takes from pulumi-policy's
private servicer is named here, and ``require_contract`` checks it once when the pack starts.

- ``servicer.OncePerResource`` subclasses ``_PolicyAnalyzerServicer`` (``SDK_SERVICER``), uses the
  helpers in ``SERVICER_METHODS`` and the private attributes in ``SERVICER_ATTRIBUTES``, and
  hands each policy the request's wire form (``WiredArgs``). ``servicer.serve`` makes
  ``PolicyPack`` build it by replacing the module global that ``PolicyPack.__init__`` reads.
- ``RequestScoped`` is the SDK's servicer unchanged but for keeping the request it answers in
  ``current_request()`` (a context variable, for the length of the call), where the pack's
  policies find it: the SDK's own answers, with the pack's policies reading the wire form,
  are what ``OncePerResource``'s are compared with (tests/policies/test_servicer.py).
- A policy that gets the SDK's proxied properties with no request in scope (the SDK's servicer
  not wrapped) fails with ``ServicerContractError`` instead of judging unwrapped secrets.

The stack's config needs none of this: the engine's language host starts the pack with it in
``PULUMI_CONFIG`` (see ``region.env_stack_config``). tests/policies/test_servicer_contract.py
pins this module's lists against the installed pulumi-policy.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import pulumi_policy
import pulumi_policy.policy as sdk
from pulumi.runtime import proto
from pulumi_policy import EnforcementLevel, PolicyPack, ResourceValidationPolicy
from pulumi_policy.proxy import _DictProxy

PULUMI_POLICY_VERSION = "1.21.0"  # the version whose servicer this module was written against
FIX = (
    "install pulumi-policy==1.21.0 (pyproject.toml pins it) or re-read its servicer and update "
    "policies/residency_pack/servicer_contract.py"
)

SDK_SERVICER = sdk._PolicyAnalyzerServicer
NOT_APPLICABLE_ERROR = sdk._NotApplicableError
SDK_PROPS_PROXY = _DictProxy  # what the SDK's servicer wraps a request's properties in

# Methods of the SDK's servicer that OncePerResource calls or overrides.
SERVICER_METHODS = (
    "Analyze",
    "AnalyzeStack",
    "Remediate",
    "ConfigureStack",
    "Configure",
    "_get_enforcement_level",
    "_create_report_violation",
    "_get_resource_options",
    "_get_policy_config",
    "_configure_runtime_settings",
    "_map_enforcement_level",
)
# Private attributes its __init__ sets, read by OncePerResource (name-mangled).
SERVICER_ATTRIBUTES = ("policies", "stack_tags", "policy_pack_name", "policy_pack_version")
# The request fields the pack reads, by message.
REQUEST_FIELDS = {
    "AnalyzeRequest": ("type", "properties", "urn", "name", "options", "provider"),
    "AnalyzeStackRequest": ("resources",),
    "AnalyzerResource": (
        "type",
        "properties",
        "urn",
        "name",
        "options",
        "provider",
        "parent",
        "dependencies",
        "propertyDependencies",
    ),
    "AnalyzerStackConfigureRequest": ("tags",),
}


class ServicerContractError(RuntimeError):
    """pulumi-policy is not what the pack's servicer was written for."""


def private_attribute(servicer: Any, name: str) -> Any:
    """``name`` (one of ``SERVICER_ATTRIBUTES``) of the SDK's servicer ``servicer``."""
    return getattr(servicer, f"_PolicyAnalyzerServicer__{name}")


def contract_breaks(
    version: str | None = None, servicer_class: type[Any] | None = None
) -> list[str]:
    """What differs from the contract in the installed pulumi-policy (``version`` and
    ``servicer_class`` default to the installed ones), as short phrases; empty when it holds."""
    version = pulumi_policy.version.VERSION if version is None else version
    servicer_class = SDK_SERVICER if servicer_class is None else servicer_class
    breaks = [] if version == PULUMI_POLICY_VERSION else [f"version {version}"]
    breaks += [
        f"{servicer_class.__name__}.{name}"
        for name in SERVICER_METHODS
        if not callable(getattr(servicer_class, name, None))
    ]
    try:
        probe = servicer_class("contract", "0.0.0", [_probe_policy()], EnforcementLevel.ADVISORY)
    except Exception as error:  # a changed constructor: the pack could not build one either
        breaks.append(f"{servicer_class.__name__}(name, version, policies, level): {error}")
    else:
        breaks += [
            f"{servicer_class.__name__}.__{name}"
            for name in SERVICER_ATTRIBUTES
            if not hasattr(probe, f"_PolicyAnalyzerServicer__{name}")
        ]
    if "_PolicyAnalyzerServicer" not in PolicyPack.__init__.__code__.co_names:
        breaks.append("PolicyPack.__init__ no longer builds _PolicyAnalyzerServicer")
    for message, fields in REQUEST_FIELDS.items():
        known = {f.name for f in getattr(proto, message).DESCRIPTOR.fields}
        breaks += [f"{message}.{field}" for field in fields if field not in known]
    return breaks


def require_contract(version: str | None = None, servicer_class: type[Any] | None = None) -> None:
    """Raise ``ServicerContractError`` (one line: what changed and the fix) unless the contract
    holds; the pack calls it before it serves."""
    breaks = contract_breaks(version, servicer_class)
    if breaks:
        raise ServicerContractError(
            f"residency-guard's policy pack needs pulumi-policy {PULUMI_POLICY_VERSION}'s "
            f"analyzer servicer; the installed pulumi-policy differs ({', '.join(breaks)}): {FIX}"
        )


def _probe_policy() -> ResourceValidationPolicy:
    return ResourceValidationPolicy("contract-probe", "Checks the servicer.", lambda args, r: None)


# --- the request being answered ------------------------------------------------------------

_REQUEST: ContextVar[Any | None] = ContextVar("residency_guard_request", default=None)


def current_request() -> Any | None:
    """The ``AnalyzeRequest``/``AnalyzeStackRequest`` a ``RequestScoped`` servicer is answering
    in this context, else None (``OncePerResource`` hands the policies its reading instead)."""
    return _REQUEST.get()


@contextmanager
def answering(request: Any) -> Iterator[None]:
    """``request`` is ``current_request()`` inside the block."""
    token = _REQUEST.set(request)
    try:
        yield
    finally:
        _REQUEST.reset(token)


class RequestScoped(SDK_SERVICER):  # type: ignore[misc]
    """pulumi-policy's servicer, answering as it does, with the request in ``current_request()``."""

    def Analyze(self, request: Any, context: Any) -> Any:
        with answering(request):
            return super().Analyze(request, context)  # type: ignore[no-untyped-call]

    def AnalyzeStack(self, request: Any, context: Any) -> Any:
        with answering(request):
            return super().AnalyzeStack(request, context)  # type: ignore[no-untyped-call]

    def Remediate(self, request: Any, context: Any) -> Any:
        with answering(request):
            return super().Remediate(request, context)  # type: ignore[no-untyped-call]


def unscoped_sdk_props(props: object) -> bool:
    """Whether ``props`` came from the SDK's servicer with no request in scope: its properties
    lost which values were secret, and judging them would call a held secret plaintext."""
    return isinstance(props, SDK_PROPS_PROXY) and current_request() is None


UNSCOPED = (
    "residency-guard's policies ran under pulumi-policy's own servicer, which does not tell "
    "them which values were secret: serve them with residency_pack.servicer.serve (as "
    "policies/__main__.py does)"
)
