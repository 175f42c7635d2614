"""The one sanitizer of our outputs: no output holds an OpenAI API key (redaction) nor a
control character that could move a terminal's cursor or that an encoder refuses (cleaning)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

# OpenAI key formats, from the prefixes OpenAI's dashboard issues (platform.openai.com/api-keys):
# legacy user keys "sk-", project keys "sk-proj-", service-account keys "sk-svcacct-" and
# admin keys "sk-admin-". The body is URL-safe base64 text; 20 characters keeps "sk-learn" out.
KEY_PREFIX = "sk-"  # every key's; a text without it holds no key (the cheap test first)
KEY_PATTERN = re.compile(rf"{KEY_PREFIX}(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{{20,}}")
# A key cut by an ellipsis or by ourselves is no key.
_TAIL = 4


def find_keys(text: str) -> list[str]:
    """Every OpenAI-key-shaped substring of ``text``."""
    return KEY_PATTERN.findall(text)


def looks_like_key(text: str) -> bool:
    return KEY_PATTERN.search(text) is not None


def redact_key(key: str) -> str:
    """``sk-proj-abc...wxyz`` becomes ``sk-...wxyz``: enough to tell two keys apart, no more."""
    return f"sk-...{key[-_TAIL:]}"


def redact(text: str) -> str:
    """``text`` with every key-shaped substring redacted."""
    if KEY_PREFIX not in text:
        return text
    return KEY_PATTERN.sub(lambda m: redact_key(m.group(0)), text)


def redact_data(data: Any) -> Any:
    """A JSON-like structure with every string redacted (keys of mappings too)."""
    if isinstance(data, str):
        return redact(data)
    if isinstance(data, Mapping):
        return {redact(str(k)): redact_data(v) for k, v in data.items()}
    if isinstance(data, Sequence) and not isinstance(data, bytes | bytearray):
        return [redact_data(v) for v in data]
    return data


# Control characters in a value (a file name, a quoted value) could move the cursor or recolour
# the terminal, and a lone surrogate (an undecodable file name) cannot be written at all: they
# are shown escaped, as Python would (``\x1b``). One-line output escapes line breaks and tabs
# too; text of many lines (the report) keeps them.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_CONTROL_BUT_LINES = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    return repr(match.group(0))[1:-1]


def clean(text: str) -> str:
    """``text`` redacted and on one line, its control characters escaped (``\\x1b``)."""
    return _CONTROL.sub(_escaped, redact(text))


def clean_data(data: Any) -> Any:
    """A JSON-like structure redacted, every control character of its strings (keys too)
    escaped but tabs and line breaks."""
    if isinstance(data, str):
        return _CONTROL_BUT_LINES.sub(_escaped, redact(data))
    if isinstance(data, Mapping):
        return {clean_data(str(k)): clean_data(v) for k, v in data.items()}
    if isinstance(data, Sequence) and not isinstance(data, bytes | bytearray):
        return [clean_data(v) for v in data]
    return data
