"""A resource's properties as the engine sent them: secrets still marked, unknowns still unknown.

The engine marshals properties with secrets kept (``{"4dabf...": "1b470...", "value": ...}``)
and unknowns as sentinel strings. pulumi-policy 1.21 unwraps the secrets before a policy sees
``args.props`` and offers no way to ask whether a value was secret (pulumi-policy issue 241).
Reporting every key found in a secret as a *plaintext* key (RG007) would be wrong, so the pack
reads the request the SDK's servicer is answering: ``Analyze``/``AnalyzeStack`` are on the
call stack of every validation (they call it synchronously), and their ``request`` holds the
properties as the engine sent them. The rule core reads that wire form directly (a secret
wrapper marks every value inside it secret; the string sentinel marks a value unknown).

This depends on two private details of pulumi-policy, pinned at 1.21.0: the servicer's method
names and their ``request`` parameter; ``tests/policies/test_analyzer_protocol.py`` fails if
either changes. Where no request is found (a test that builds ``ResourceValidationArgs`` by
hand, a remediation), the SDK's own ``serialize_properties`` turns ``args.props`` back into
the wire form: a ``pulumi_policy.Secret`` value is a secret there, anything else is plain.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from typing import Any

from google.protobuf import json_format
from pulumi_policy import proxy
from pulumi_policy.deserialize import serialize_properties
from pulumi_policy.policy import _PolicyAnalyzerServicer

from residency_guard.values import UNKNOWN_SENTINEL

# Every unknown sentinel of the engine (sdk/go/common/resource/plugin/rpc.go). The core knows
# the string one only; an unknown list or object becomes an unknown value under its key.
UNKNOWN_SENTINELS = frozenset(
    {
        proxy.UNKNOWN_BOOLEAN_VALUE,
        proxy.UNKNOWN_NUMBER_VALUE,
        proxy.UNKNOWN_STRING_VALUE,
        proxy.UNKNOWN_ARRAY_VALUE,
        proxy.UNKNOWN_ASSET_VALUE,
        proxy.UNKNOWN_ARCHIVE_VALUE,
        proxy.UNKNOWN_OBJECT_VALUE,
    }
)

_SERVICER_CODES = frozenset(
    {
        _PolicyAnalyzerServicer.Analyze.__code__,
        _PolicyAnalyzerServicer.AnalyzeStack.__code__,
    }
)


def engine_properties(urn: str, props: Mapping[str, Any]) -> dict[str, Any]:
    """The properties of ``urn`` in wire form (see the module's docstring)."""
    raw = request_properties(urn)
    data = raw if raw is not None else serialize_properties(props)
    normalized = normalize_unknowns(data)
    return dict(normalized) if isinstance(normalized, Mapping) else {}


def request_properties(urn: str) -> dict[str, Any] | None:
    """The properties the engine sent for ``urn`` in the request being answered, if any."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code in _SERVICER_CODES:
            return _properties_in(frame.f_locals.get("request"), urn)
        frame = frame.f_back  # type: ignore[assignment]
    return None


def _properties_in(request: Any, urn: str) -> dict[str, Any] | None:
    if request is None:
        return None
    resources = getattr(request, "resources", None)
    if resources is not None:  # AnalyzeStackRequest: find the resource by its URN
        for resource in resources:
            if resource.urn == urn:
                return dict(json_format.MessageToDict(resource.properties))
        return None
    if getattr(request, "urn", None) != urn:
        return None
    return dict(json_format.MessageToDict(request.properties))


def normalize_unknowns(data: Any) -> Any:
    """Every unknown sentinel as the string one, which the core reads as "unknown"."""
    if isinstance(data, str):
        return UNKNOWN_SENTINEL if data in UNKNOWN_SENTINELS else data
    if isinstance(data, Mapping):
        return {key: normalize_unknowns(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalize_unknowns(item) for item in data]
    return data


def contains_unknown(data: Any) -> bool:
    """Whether any value in ``data`` is not known yet (a preview)."""
    if isinstance(data, str):
        return data in UNKNOWN_SENTINELS
    if isinstance(data, Mapping):
        return any(contains_unknown(value) for value in data.values())
    if isinstance(data, list | tuple):
        return any(contains_unknown(item) for item in data)
    return False
