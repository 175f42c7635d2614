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
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

# How Pulumi marks a secret in JSON (sdk/go/common/resource/sig): the signature key and value.
SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270"
# The engine's sentinel for a value not known until `up` (sdk/go/common/resource/plugin).
UNKNOWN_SENTINEL = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# Names that carry the real key of a {name, value} entry (Kubernetes/ECS/Cloud Run env,
# App Service app settings, GitHub Actions variables).
_ENTRY_NAME_KEYS = ("name", "key", "variableName", "secretName", "settingName")
_BASE64 = re.compile(r"^[A-Za-z0-9+/]{8,}={0,2}$")
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
        out = ""
        for part in self.path:
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
        """Whether every string below this key (or path step) is kept."""
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

    With ``gate``, only the strings it keeps (and everything decoded from them) become values.
    """
    hot = gate is None or any(isinstance(p, str) and gate.hot_key(p) for p in path)
    # (item, the path above it, its own step or None for the same path, name, secret, hot):
    # a string's path is built only if it is kept, most are not.
    stack: list[tuple[Any, tuple[str | int, ...], str | int | None, str, bool, bool]] = [
        (data, path, None, name, secret, hot)
    ]
    while stack:
        item, above, step, item_name, item_secret, item_hot = stack.pop()
        if isinstance(item, str):
            if item_hot or gate is None or gate.keep(item, item_name):
                item_path = above if step is None else (*above, step)
                yield from _string_values(item, item_path, item_name, item_secret, depth)
            continue
        item_path = above if step is None else (*above, step)
        if isinstance(item, (dict, Mapping)):  # dict first: no ABC check for JSON
            if is_secret_wrapper(item):
                inner = item.get("plaintext", item.get("value"))
                if isinstance(inner, str) and "plaintext" in item:
                    with contextlib.suppress(ValueError):
                        inner = json.loads(inner)
                if inner is None:  # ciphertext only: known to be there, not what it is
                    if item_hot or gate is None or gate.keep("", item_name):
                        yield Value(item_path, "", item_name, secret=True, unknown=True)
                else:
                    stack.append((inner, item_path, None, item_name, True, item_hot))
                continue
            entry_name = _entry_name(item)
            for key, child in reversed(list(item.items())):
                key_text = key if type(key) is str else str(key)
                child_name = entry_name if (entry_name and key_text == "value") else key_text
                child_hot = item_hot or gate is None or gate.hot_key(key_text)
                stack.append((child, item_path, key_text, child_name, item_secret, child_hot))
        elif isinstance(item, list) or (
            isinstance(item, Sequence) and not isinstance(item, bytes | bytearray)
        ):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], item_path, index, item_name, item_secret, item_hot))


def _entry_name(item: Mapping[str, Any]) -> str:
    if "value" not in item:
        return ""
    for key in _ENTRY_NAME_KEYS:
        candidate = item.get(key)
        if isinstance(candidate, str):
            return candidate
    return ""


def _string_values(
    text: str, path: tuple[str | int, ...], name: str, secret: bool, depth: int
) -> Iterator[Value]:
    unknown = text == UNKNOWN_SENTINEL
    yield Value(path, "" if unknown else text, name, secret=secret, unknown=unknown)
    if unknown or depth >= _MAX_NESTED:
        return
    for kind, inner in decoded_forms(text):
        for value in walk_data(inner, path, name=name, secret=secret, depth=depth + 1):
            yield Value(
                value.path, value.text, value.name, secret=value.secret,
                unknown=value.unknown, decoded=kind,
            )  # fmt: skip


def decodes(text: str) -> bool:
    """Whether ``text`` holds more text inside (``decoded_forms``), decoding only what is
    shaped like JSON or base64."""
    stripped = text.strip()
    if len(stripped) < 2:
        return False
    if stripped[0] not in "{[" and (len(stripped) % 4 or _BASE64.match(stripped) is None):
        return False
    return bool(decoded_forms(stripped))


def decoded_forms(text: str) -> list[tuple[str, Any]]:
    """What a string holds inside: a JSON document (ECS container definitions) or base64 text."""
    stripped = text.strip()
    if len(stripped) < 2:
        return []
    if stripped[0] in "{[" and stripped[-1] in "}]":
        try:
            return [("json", json.loads(stripped))]
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
