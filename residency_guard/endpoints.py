"""Which endpoints a value holds: the one reading that every front end uses.

A value is an endpoint setting by its name or the keys above it (``keys.is_endpoint_value``);
free text is read for the URLs it holds that concern OpenAI (``hosts.find_endpoints``) and for
endpoint settings written into it as ``NAME=value``: a Compose or Docker ``environment`` list
item, ``export NAME=...`` in a script, a Dockerfile's ``ENV NAME value`` or ``ENV NAME=value``,
a systemd unit's ``Environment=NAME=value``. The name that precedes the value decides what the
value is, wherever it is written: its host is judged like the value of an ``OPENAI_BASE_URL``
key, an AWS Bedrock endpoint or a proxy included.
"""

from __future__ import annotations

import functools
import re
import shlex
from dataclasses import dataclass

from residency_guard.catalog.model import Catalog
from residency_guard.hosts import (
    Endpoint,
    EndpointKind,
    find_endpoints,
    interpolates_host,
)
from residency_guard.keys import (
    LEGACY_BASE_VAR,
    is_endpoint_name,
    is_endpoint_value,
    unset_when_empty,
)
from residency_guard.sdkvars import sdk_variable
from residency_guard.texts import QUOTES
from residency_guard.values import Value, decoded_forms

# `NAME=` where a shell, Compose, Docker, systemd or a Dockerfile reads an assignment: at the
# start of a word (after a space, a quote, `;`, `&`, `|`, `(`, a backtick, `=` as in systemd's
# `Environment=NAME=...`, `:` as in PowerShell's `$env:NAME=`, `-` as in `--name=`, a comma or
# a bracket of a flow list). Names as Docker and Compose take them.
_ASSIGNMENT = re.compile(r"(?:^|(?<=[\s\"'`;&|(=:,\[{-]))([A-Za-z_][A-Za-z0-9_.\-]*)=")
# Dockerfile's older form, `ENV NAME value` (the value is the rest of the line).
_DOCKERFILE_ENV = re.compile(
    r"^[ \t]*ENV[ \t]+([A-Za-z_][A-Za-z0-9_.\-]*)[ \t]+(?=\S)", re.IGNORECASE | re.MULTILINE
)
_QUOTES = "\"'"
_SHELL_PUNCTUATION = ";&|()<>"


@dataclass(frozen=True, slots=True)
class Assignment:
    """An endpoint setting written into text: its name and the values a reader may take."""

    name: str
    readings: tuple[str, ...]  # a shell's word first, then the literal rest of the line


def endpoints_of(value: Value, catalog: Catalog) -> list[Endpoint]:
    """The endpoints ``value`` holds: its whole text under an endpoint setting's name, else
    the OpenAI URLs and the ``NAME=value`` endpoint settings in its text."""
    if value.unknown:
        return []
    if is_endpoint_value(value) and not any(
        kind == "base64" for kind, _ in decoded_forms(value.text)
    ):  # a Kubernetes Secret's data: the decoded value is read (a value of its own)
        if not value.text.strip().strip(QUOTES).strip() and unset_when_empty(value.name):
            return []  # an empty AZURE_OPENAI_ENDPOINT (or `""`): Azure left unconfigured
        return find_endpoints(value.text, catalog, endpoint_key=True)
    return endpoints_in_text(value.text, catalog)


def endpoints_in_text(text: str, catalog: Catalog) -> list[Endpoint]:
    """Free text's endpoints: the URLs that concern OpenAI, and the value of every endpoint
    setting assigned in it, judged as that setting's value (a list not to be changed)."""
    found = find_endpoints(text, catalog)
    assignments = endpoint_assignments(text)
    if not assignments:
        return found
    out = list(found)
    for assignment in assignments:
        for endpoint in _assigned_endpoints(assignment, catalog):
            same = [i for i, other in enumerate(out) if _same(endpoint, other)]
            if not same:
                out.append(endpoint)
            for i in same:  # the setting's reading: a host without a scheme is a hazard there
                out[i] = endpoint
    return out


def _assigned_endpoints(assignment: Assignment, catalog: Catalog) -> list[Endpoint]:
    """The endpoints an assignment's readings reach: the shell's word, and the literal rest of
    the line when it reaches another host (a Compose list item keeps `"` and spaces)."""
    if any(interpolates_host(reading) for reading in assignment.readings):
        # Known only where it runs: RG011 (unresolved_assignments). The rest of the line
        # (`$PROXY && python app.py`) is no host either: the shell hands on $PROXY's value.
        return []
    out: list[Endpoint] = []
    for reading in assignment.readings:
        if not reading.strip(_QUOTES).strip() and unset_when_empty(assignment.name):
            continue  # `AZURE_OPENAI_ENDPOINT=`: Azure left unconfigured
        for endpoint in find_endpoints(reading, catalog, endpoint_key=True):
            if out and (endpoint.kind is EndpointKind.INVALID or not endpoint.is_resolvable):
                continue  # the rest of a command line after the word a shell reads
            if not any(_same(endpoint, other) for other in out):
                out.append(endpoint)
    return out


def _same(one: Endpoint, other: Endpoint) -> bool:
    return (one.host, one.kind, one.hazards) == (other.host, other.kind, other.hazards)


def unresolved_assignments(text: str) -> list[str]:
    """The names of endpoint settings assigned in ``text`` whose host is only known where it
    runs (``OPENAI_BASE_URL=${PROXY}/v1``)."""
    return [
        a.name for a in endpoint_assignments(text) if any(interpolates_host(r) for r in a.readings)
    ]


def endpoint_assignments(text: str) -> tuple[Assignment, ...]:
    """Every endpoint setting assigned in free text (``NAME=value``, ``ENV NAME value``)."""
    if "openai" not in text.lower():  # every endpoint setting's name says OpenAI
        return ()
    return _assignments(text)


@functools.lru_cache(maxsize=1024)
def _assignments(text: str) -> tuple[Assignment, ...]:
    found: list[Assignment] = []
    for match in _ASSIGNMENT.finditer(text):
        name = match.group(1)
        if _is_endpoint_setting(name):
            quote = text[match.start() - 1] if match.start() > 0 else ""
            found.append(Assignment(name, _readings(text[match.end() :], quote)))
    for match in _DOCKERFILE_ENV.finditer(text):
        name = match.group(1)
        if _is_endpoint_setting(name) and "=" not in name:
            found.append(Assignment(name, _readings(text[match.end() :], "")))
    return tuple(found)


def _is_endpoint_setting(name: str) -> bool:
    # OPENAI_API_BASE: current SDKs ignore it (RG006 says so); its value reaches nothing.
    return name.upper() != LEGACY_BASE_VAR and is_endpoint_name(name)


def _readings(rest: str, quote: str) -> tuple[str, ...]:
    """What a reader takes as the value that starts ``rest``: inside quotes that open before
    the name (`Environment="NAME=..."`, a JSON or flow list item), up to the closing quote;
    else the word a shell reads, and the rest of the line as Compose and Docker read a list
    item (`"` and spaces kept: `https://eu.api.openai.com"@evil.io/v1` reaches evil.io)."""
    line = rest.split("\n", 1)[0].split("\r", 1)[0]
    if quote in _QUOTES and quote:
        end = line.find(quote)
        return (line if end < 0 else line[:end],)
    word = _shell_word(line)
    if word == "":
        return (word,)  # `NAME="" cmd`: empty; the rest of the line is no value (no URL)
    literal = line.strip()
    return (literal,) if word is None or word == literal else (word, literal)


def _shell_word(line: str) -> str | None:
    """The first word a POSIX shell reads (quotes removed and joined; ``""`` is the empty
    word); None when there is none or it cannot (an unclosed quote)."""
    lexer = shlex.shlex(line, posix=True, punctuation_chars=_SHELL_PUNCTUATION)
    lexer.whitespace_split = True
    lexer.commenters = ""
    try:
        token: str | None = lexer.get_token()  # None at the end of the line
    except ValueError:
        return None
    return token


def sdk_assignments(text: str) -> tuple[tuple[str, str], ...]:
    """The openai SDK variables (``sdkvars``) assigned in free text, with the value a shell
    reads: ``OPENAI_API_TYPE=amazon-bedrock`` in a Compose list item or a script."""
    if "=" not in text or "openai" not in text.lower():  # (what the facets gate keeps)
        return ()
    return _sdk_assignments(text)


@functools.lru_cache(maxsize=1024)
def _sdk_assignments(text: str) -> tuple[tuple[str, str], ...]:
    found = []
    for match in _ASSIGNMENT.finditer(text):
        variable = sdk_variable(match.group(1))
        if variable is not None:
            quote = text[match.start() - 1] if match.start() > 0 else ""
            found.append((variable, _readings(text[match.end() :], quote)[0].strip()))
    return tuple(found)


def assigns_endpoint(text: str) -> bool:
    """Whether free text assigns an endpoint setting (a value the facets gate must keep)."""
    return bool(endpoint_assignments(text))
