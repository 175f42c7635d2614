"""A resource's properties as the engine sent them: secrets still marked, unknowns still unknown.

The engine marshals properties with secrets kept (``{"4dabf...": "1b470...", "value": ...}``)
and unknowns as sentinel strings. pulumi-policy 1.21 unwraps the secrets before a policy sees
``args.props`` and offers no way to ask whether a value was secret (pulumi-policy issue 241).
Reporting every key found in a secret as a *plaintext* key (RG007) would be wrong, so the pack
reads the properties of the request being answered, in this wire form: the pack's servicer
hands them to its policies (``servicer.WiredArgs``), the SDK's servicer wrapped by
``servicer_contract.RequestScoped`` keeps the request in ``current_request()``. The rule core
reads the wire form directly (a secret wrapper marks every value inside it secret; the string
sentinel marks a value unknown).

Where there is no request (a test or the bench that builds ``ResourceValidationArgs`` by hand,
a remediation), the SDK's own ``serialize_properties`` turns ``args.props`` back into the wire
form: a ``pulumi_policy.Secret`` value is a secret there, anything else is plain.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf import json_format
from pulumi_policy import proxy
from pulumi_policy.deserialize import serialize_properties

from residency_guard.values import SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN_SENTINEL, decoded_forms

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


def request_resources(request: Any) -> dict[str, Any]:
    """An ``AnalyzeStackRequest``'s resources by URN (the first of each)."""
    found: dict[str, Any] = {}
    for resource in request.resources:
        found.setdefault(resource.urn, resource)
    return found


def properties_of(message: Any) -> dict[str, Any]:
    """A request's resource properties as the engine sent them (JSON data, nothing unwrapped)."""
    return dict(json_format.MessageToDict(message.properties))


@dataclass(frozen=True)
class WireProps:
    """A resource's properties in wire form, and whether a walk may find an unknown value."""

    props: dict[str, Any]
    # False only when no value inside is unknown: no unknown sentinel and no secret wrapper
    # (its ciphertext-only form is unknown), in the data or in what a string decodes to.
    may_hold_unknowns: bool


def wire_form(data: Mapping[str, Any]) -> WireProps:
    """``data`` as the engine marshals it (``serialize_properties``), every unknown sentinel
    the string one (``normalize_unknowns``), in one pass over plain JSON data."""
    scan = _Scan()
    converted = _wire(data, scan)
    return WireProps(dict(converted), scan.unknowns)


class _Scan:
    __slots__ = ("unknowns",)

    def __init__(self) -> None:
        self.unknowns = False


def _wire(data: Any, scan: _Scan) -> Any:
    # Exact types only: JSON data (a request's properties, a test's dict) is its own wire form,
    # shared where nothing in it changes (nothing here or in the core writes to it); anything
    # else (proxies, Secret, assets, a subclass) goes through the SDK's serializer.
    kind = type(data)
    if kind is str:
        if data in UNKNOWN_SENTINELS:
            scan.unknowns = True
            return UNKNOWN_SENTINEL
        if not scan.unknowns and _decodes_to_unknowns(data):
            scan.unknowns = True
        return data
    if kind is dict:
        if _opaque_secret(data):
            scan.unknowns = True
        return _rewired(data, data.items(), scan)
    if kind is list:
        return _rewired(data, enumerate(data), scan)
    if data is None or kind is bool or kind is int or kind is float:
        return data
    normalized = normalize_unknowns(serialize_properties(data))
    if not scan.unknowns and may_hold_unknowns(normalized):
        scan.unknowns = True
    return normalized


def _rewired(data: Any, children: Iterable[tuple[Any, Any]], scan: _Scan) -> Any:
    """A dict or list with its children in wire form: ``data`` itself when none changed (plain
    JSON, the common case), else a copy (``type(data)(data)``) with the changed ones."""
    changed = None
    for step, child in children:
        new = _wire(child, scan)
        if new is not child:
            if changed is None:
                changed = type(data)(data)
            changed[step] = new
    return data if changed is None else changed


def may_hold_unknowns(data: Any) -> bool:
    """Whether ``walk_data`` may find an unknown value in ``data`` (wire form): a superset of
    the unknown sentinel and ciphertext-only secrets, here or in decoded text at any depth."""
    if isinstance(data, str):
        return data == UNKNOWN_SENTINEL or _decodes_to_unknowns(data)
    if isinstance(data, Mapping):
        return _opaque_secret(data) or any(may_hold_unknowns(v) for v in data.values())
    if isinstance(data, list | tuple):
        return any(may_hold_unknowns(item) for item in data)
    return False


def _opaque_secret(data: Mapping[str, Any]) -> bool:
    """A secret wrapper whose value the walk cannot read as data: ciphertext only (an unknown
    value), or ``plaintext`` (JSON text it decodes). A secret with its ``value`` is scanned
    like any other data, the value being a child of the wrapper."""
    return data.get(SECRET_SIG_KEY) == SECRET_SIG_VALUE and (
        "plaintext" in data or data.get("value") is None
    )


# Text shorter than this decodes to no unknown: what the walk reads as unknown inside decoded
# text is the string sentinel (36 characters) or a ciphertext-only secret (its 32-character
# signature key and value), and no encoding of either (JSON, base64) is shorter.
_SHORTEST_UNKNOWN = len(UNKNOWN_SENTINEL)


def _decodes_to_unknowns(text: str) -> bool:
    if len(text) < _SHORTEST_UNKNOWN:
        return False  # most strings of a resource: no decoding tried
    return any(may_hold_unknowns(inner) for _, inner in decoded_forms(text))


def normalize_unknowns(data: Any) -> Any:
    """Every unknown sentinel as the string one, which the core reads as "unknown"."""
    if isinstance(data, str):
        return UNKNOWN_SENTINEL if data in UNKNOWN_SENTINELS else data
    if isinstance(data, Mapping):
        return {key: normalize_unknowns(value) for key, value in data.items()}
    if isinstance(data, list | tuple):
        return [normalize_unknowns(item) for item in data]
    return data
