"""Values: every string a document holds, with where it is and under which name.

Scanners turn YAML, JSON, dotenv files and Pulumi resource properties into ``Value`` streams;
the rules only ever see values, which is what makes every front end give the same verdict.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# How Pulumi marks a secret in JSON (sdk/go/common/resource/sig): the signature key and value.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
# The engine's sentinel for a value not known until `up` (sdk/go/common/resource/plugin).
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# Names that carry the real key of a {name, value} entry (Kubernetes/ECS/Cloud Run env,
# App Service app settings, GitHub Actions variables, SSM parameters, Key Vault secrets;
# CloudFormation capitalises them: {Name, Value}).
ENTRY_NAME_KEYS = ("name", "key", "variableName", "secretName", "settingName", "Name", "Key")
# The keys of an entry that hold its value (a Key Vault secret's is `properties.value`).
ENTRY_VALUE_KEYS = ("value", "Value")
ENTRY_PROPERTIES = "properties"
# The shapes decoded_forms reads inside (the facets gate's clues are built from these).
JSON_OPENERS = "{["
BASE64_TEXT = r"[A-Za-z0-9+/]{8,}={0,2}"
_BASE64 = re.compile(rf"^{BASE64_TEXT}$")
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_MAX_NESTED = 4  # JSON inside base64 inside JSON...: deeper than any real config goes


@dataclass(frozen=True, slots=True)
class Value:
    """One string value and where it stands."""

    path: tuple[str | int, ...]
    text: str
    name: str  # the key it is known by: an env var's name, a mapping key, a list's key
    line: int = 0
    column: int = 0
    secret: bool = False  # a Pulumi secret or `secure:` value: never a plaintext-key finding
    unknown: bool = False  # not known statically (a preview unknown, an encrypted value)
    decoded: str = ""  # "json" or "base64" when the text was decoded from the value above

    def dotted_path(self) -> str:
        return dotted(self.path)


def dotted(path: Sequence[str | int]) -> str:
    """A key path as people read it (``res.env[0].value``); ambiguous, so never compared:
    ``{"a.b": x}`` and ``{"a": {"b": y}}`` both read ``a.b``. Compare the tuples."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


def is_secret_wrapper(data: Mapping[str, Any]) -> bool:
    return data.get(SECRET_SIG_KEY) == SECRET_SIG_VALUE


class Gate(Protocol):
    """Which strings of a structure are worth a Value (``residency_guard.facets``)."""

    def hot_key(self, key: str) -> bool:
        """Whether every string below this key of a container is kept (a string's own key is
        its name, which ``keep`` reads)."""
        ...

    def keep(self, text: str, name: str) -> bool:
        """Whether a string below no hot key is kept, by its text and name."""
        ...


def walk_data(
    data: Any,
    path: tuple[str | int, ...] = (),
    *,
    name: str = "",
    secret: bool = False,
    depth: int = 0,
    gate: Gate | None = None,
) -> Iterator[Value]:
    """Every string in a JSON-like structure, nested JSON strings and base64 text decoded.

    With ``gate``, only the strings it keeps (and what they decode to, under the same gate)
    become values. In document order.
    """
    hot = gate is None or any(isinstance(p, str) and gate.hot_key(p) for p in path)
    out: list[Value] = []
    _Walk(gate, out).item(data, path, name, secret, hot, depth, "")
    return iter(out)


class _Walk:
    """One walk's gate and output. Iterative (a preview nests as deep as JSON allows) and
    flat: a string or a number is handled where it is met; only containers are stacked."""

    __slots__ = ("gate", "out")

    def __init__(self, gate: Gate | None, out: list[Value]) -> None:
        self.gate = gate
        self.out = out

    def item(
        self, data: Any, path: tuple[str | int, ...], name: str, secret: bool, hot: bool,
        depth: int, decoded: str,
    ) -> None:  # fmt: skip
        if isinstance(data, str):
            if hot or self.gate is None or self.gate.keep(data, name):
                self.string(data, path, name, secret, hot, depth, decoded)
            return
        frame = self.frame(data, path, name, secret, hot, depth, decoded)
        if frame is not None:
            self.frames([frame], depth, decoded)

    def frame(
        self, data: Any, path: tuple[str | int, ...], name: str, secret: bool, hot: bool,
        depth: int, decoded: str,
    ) -> _Frame | None:  # fmt: skip
        """A container's children to visit, once a secret wrapper is opened; None for a
        scalar (or a wrapper's string, handled here)."""
        if isinstance(data, (dict, Mapping)):  # dict first: no ABC check for JSON
            if not is_secret_wrapper(data):
                entry_name = _entry_name(data)
                return (iter(data.items()), path, name, secret, hot, True, entry_name)
            inner = data.get("plaintext", data.get("value"))
            if isinstance(inner, str) and "plaintext" in data:
                with contextlib.suppress(ValueError):
                    inner = loads_json(inner)
            if inner is None:  # ciphertext only: known to be there, not what it is
                if hot or self.gate is None or self.gate.keep("", name):
                    self.out.append(
                        Value(path, "", name, secret=True, unknown=True, decoded=decoded)
                    )
                return None
            if isinstance(inner, str):
                self.item(inner, path, name, True, hot, depth, decoded)
                return None
            return self.frame(inner, path, name, True, hot, depth, decoded)
        if isinstance(data, list) or (
            isinstance(data, Sequence) and not isinstance(data, str | bytes | bytearray)
        ):
            return (iter(enumerate(data)), path, name, secret, hot, False, "")
        return None

    def frames(self, stack: list[_Frame], depth: int, decoded: str) -> None:
        # The hot loop of every scan: a preview has millions of items, nearly all cold, so a
        # plain dict, list or string is handled inline (a method call each costs seconds).
        # Without a gate `hot` is true everywhere, so keep and hot_key are never called.
        gate = self.gate
        keep = gate.keep if gate is not None else _keep_all
        hot_key = gate.hot_key if gate is not None else _keep_all
        string, frame, push = self.string, self.frame, stack.append
        while stack:
            children, path, name, secret, hot, is_mapping, entry_name = stack[-1]
            for step, child in children:
                kind = type(child)
                if kind is int or kind is bool or kind is float or child is None:
                    continue
                if is_mapping:
                    if type(step) is not str:
                        step = str(step)
                    child_name = entry_name if (entry_name and step in ENTRY_VALUE_KEYS) else step
                else:
                    child_name = name
                if kind is str or (
                    kind is not dict and kind is not list and isinstance(child, str)
                ):
                    # A string's own key is its name, which keep() reads: only the keys
                    # above it make it hot.
                    if hot or keep(child, child_name):
                        # What it decodes to stands below its key, as a container's children.
                        inner_hot = hot or (is_mapping and hot_key(step))
                        string(child, (*path, step), child_name, secret, inner_hot, depth,
                               decoded)  # fmt: skip
                    continue
                child_hot = hot or (is_mapping and hot_key(step))
                if kind is dict and child.get(SECRET_SIG_KEY) != SECRET_SIG_VALUE:
                    if is_mapping and entry_name and step == ENTRY_PROPERTIES:
                        inner_entry = entry_name  # a Key Vault secret's properties.value
                    elif "value" in child or "Value" in child or ENTRY_PROPERTIES in child:
                        inner_entry = _entry_name(child)
                    else:
                        inner_entry = ""
                    found: _Frame | None = (
                        iter(child.items()), (*path, step), child_name, secret, child_hot,
                        True, inner_entry,
                    )  # fmt: skip
                elif kind is list:
                    found = (iter(enumerate(child)), (*path, step), child_name, secret,
                             child_hot, False, "")  # fmt: skip
                else:  # a secret, another Mapping or Sequence
                    found = frame(child, (*path, step), child_name, secret, child_hot, depth,
                                  decoded)  # fmt: skip
                if found is not None:
                    push(found)
                    break  # the child's children first: document order
            else:
                stack.pop()

    def string(
        self, text: str, path: tuple[str | int, ...], name: str, secret: bool, hot: bool,
        depth: int, decoded: str,
    ) -> None:  # fmt: skip
        unknown = text == UNKNOWN_SENTINEL
        self.out.append(
            Value(path, "" if unknown else text, name, secret=secret, unknown=unknown,
                  decoded=decoded)
        )  # fmt: skip
        if unknown or depth >= _MAX_NESTED:
            return
        for kind, inner in decoded_forms(text):
            # What a string decodes to is read like any other data, under the same gate.
            self.item(inner, path, name, secret, hot, depth + 1, decoded or kind)


def _keep_all(*_: str) -> bool:
    return True


# (children as (step, child) pairs, path, name, secret, hot, a mapping's, its entry name)
_Frame = tuple[Iterator[tuple[Any, Any]], tuple[str | int, ...], str, bool, bool, bool, str]


def _entry_name(item: Mapping[str, Any]) -> str:
    properties = item.get(ENTRY_PROPERTIES)
    return entry_name(
        any(key in item for key in ENTRY_VALUE_KEYS)
        or (isinstance(properties, Mapping) and "value" in properties),
        lambda key: candidate if isinstance(candidate := item.get(key), str) else None,
    )


def entry_name(has_value: bool, text_of: Callable[[str], str | None]) -> str:
    """The name a ``{name, value}`` entry gives its value (``text_of(key)``: the entry's string
    under a key, or None), or "" for a mapping that is no such entry."""
    if not has_value:
        return ""
    for key in ENTRY_NAME_KEYS:
        candidate = text_of(key)
        if candidate is not None:
            return candidate
    return ""


def decodes(text: str) -> bool:
    """Whether ``text`` holds more text inside (``decoded_forms``), decoding only what is
    shaped like JSON or base64."""
    stripped = text.strip()
    if len(stripped) < 2:
        return False
    if stripped[0] not in JSON_OPENERS and (len(stripped) % 4 or _BASE64.match(stripped) is None):
        return False
    return bool(decoded_forms(stripped))


# Python refuses to convert a longer integer string (sys.int_info.str_digits_check_threshold
# is 640, the default limit 4,300); JSON has no such limit.
_MAX_INT_DIGITS = 4_000


def json_int(text: str) -> int | float:
    """A JSON integer; one too long for ``int()`` is a float (infinite), never an error."""
    return int(text) if len(text) <= _MAX_INT_DIGITS else float(text)


def loads_json(text: str) -> Any:
    """``json.loads`` for the JSON we judge: an integer too long for ``int()`` is read as a
    float (infinite) instead of refusing the whole document; only its strings matter here."""
    return json.loads(text, parse_int=json_int)


def decoded_forms(text: str) -> list[tuple[str, Any]]:
    """What a string holds inside: a JSON document (ECS container definitions) or base64 text."""
    stripped = text.strip()
    if len(stripped) < 2:
        return []
    if stripped[0] in JSON_OPENERS and stripped[-1] in "}]":
        try:
            return [("json", loads_json(stripped))]
        except (ValueError, RecursionError):
            return []
    if len(stripped) % 4 == 0 and _BASE64.match(stripped):
        try:
            raw = base64.b64decode(stripped, validate=True)
        except (binascii.Error, ValueError):
            return []
        decoded = raw.decode("utf-8", errors="replace")
        if _is_text(decoded):
            return [("base64", decoded)]
    return []


def _is_text(decoded: str) -> bool:
    """Whether decoded bytes are text a workload could read as a URL: no ASCII control but
    tab and newlines (which every URL parser refuses), few undecodable bytes. Any other
    character counts (U+3000, U+00A0 inside a URL still reach its host: a strict
    ``isprintable()`` here let such a value through unread)."""
    if decoded.count("\ufffd") * 4 > len(decoded):
        return False  # binary data, not text
    return not _ASCII_CONTROL.search(decoded)
