"""Environments a workload starts with: the variables one process receives together.

An OpenAI client built from its environment reads ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``
together; without the second it sends to api.openai.com. Whether a key arrives without a base
URL is a question about the variables beside it, not about any one value, so the places that
hand a process its environment are read as blocks:

- a mapping of variable names (a Lambda's ``environment.variables``, a Compose service's
  ``environment:`` map, Helm ``env:`` values, an ESC environment's ``environmentVariables``,
  a dotenv file, an env map in stack config);
- a list of ``{name, value | valueFrom}`` entries (Kubernetes ``env``, ECS ``environment`` and
  ``secrets``, App Service ``appSettings``, Cloud Run ``envs``) or of ``NAME=value`` strings
  (Compose).

Lists and maps side by side in one mapping (an ECS container's ``environment`` and
``secrets``) are one block. A sibling that may bring more variables (``envFrom``, ``env_file``)
or an OpenAI endpoint setting beside the block (a chart's ``openaiBaseUrl`` value) leaves the
base URL possibly delivered: no verdict. Key stores are not environments: a Kubernetes Secret's
or ConfigMap's ``data``, a secret's JSON string.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import yaml

from residency_guard.keys import BASE_URL_VAR, LEGACY_BASE_VAR, bare_name, is_endpoint_name
from residency_guard.texts import selects_provider
from residency_guard.values import SECRET_SIG_KEY, Value, decoded_forms
from residency_guard.yamlfile import YamlDocument, scalar_text
from residency_guard.yamlnodes import distinct_nodes

KEY_VAR = "OPENAI_API_KEY"
# Siblings of an env block that deliver more variables from elsewhere (Kubernetes, Compose).
_MORE_FROM = frozenset({"envfrom", "envfile", "envfiles"})
# Keys whose mapping is a store of values, not a process's environment.
_STORES = frozenset({"data", "stringdata", "binarydata", "secretstring"})
_STORE_KINDS = frozenset({"Secret", "ConfigMap"})
_ENTRY_NAME_KEYS = ("name", "key", "variableName", "settingName")
_ENTRY_VALUE_KEYS = ("value", "valueFrom", "secretKeyRef", "valueSource", "slotSetting")
# Variables that make a list or a mapping an environment of interest (its parts are merged).
_OPENAI_VARS = ("OPENAI_", "AZURE_OPENAI_")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]*")
# Names that pick a backend (`OPENAI_HOST=azure`, `LLM_PROVIDER=ollama`): when the pick is not
# OpenAI, the key is not for OpenAI's default host.
_SELECTOR_WORDS = ("host", "provider", "type", "backend", "vendor", "service")


class Located(str):
    """A string with the line and column it is written at (a YAML scalar's)."""

    line: int
    column: int

    def __new__(cls, text: str, line: int = 0, column: int = 0) -> Located:
        made = super().__new__(cls, text)
        made.line, made.column = line, column
        return made


@dataclass(frozen=True)
class EnvEntry:
    """One variable of a block: its name and text (None: delivered, value not known here)."""

    name: str
    text: str | None
    path: tuple[str | int, ...]
    line: int = 0
    column: int = 0
    file: str = ""  # where it is written, when not the judged file (an ESC definition)

    @property
    def delivered(self) -> bool:
        """Whether the variable reaches the process with a value: not an empty template."""
        return self.text is None or bool(self.text.strip())


@dataclass(frozen=True)
class EnvBlock:
    """The variables one process receives together, and what may add to them."""

    path: tuple[str | int, ...]
    entries: tuple[EnvEntry, ...]
    more_elsewhere: bool = False  # envFrom / env_file beside it
    endpoint_beside: bool = False  # an OpenAI endpoint setting in the same mapping

    def named(self, name: str) -> list[EnvEntry]:
        return [e for e in self.entries if e.name.upper() == name]


@dataclass(frozen=True)
class KeyWithoutBaseUrl:
    """A key delivered where the client falls back to its default host."""

    key: EnvEntry
    empty_base: EnvEntry | None  # OPENAI_BASE_URL set to "" beside it


def key_without_base_url(block: EnvBlock) -> KeyWithoutBaseUrl | None:
    """The key an openai client would send to api.openai.com from this environment: an
    ``OPENAI_API_KEY`` with a value, and no ``OPENAI_BASE_URL`` (or an empty one) nor any
    other OpenAI endpoint setting the workload could read, and nothing that makes the key
    Azure's or another provider's (``OPENAI_API_TYPE=azure``, an Azure endpoint, a provider
    pick such as ``OPENAI_HOST=azure``). ``OPENAI_API_BASE`` beside it is RG006's case."""
    keys = [e for e in block.named(KEY_VAR) if e.delivered]
    if not keys or block.more_elsewhere or block.endpoint_beside:
        return None
    empty: EnvEntry | None = None
    for entry in block.entries:
        name = entry.name.upper()
        if name == LEGACY_BASE_VAR or _steers_elsewhere(entry):
            return None
        if name == KEY_VAR or not is_endpoint_name(entry.name):
            continue
        if entry.text is not None and selects_provider(entry.text):
            continue  # `OPENAI_HOST=openai`: a pick, no URL (the default host it is)
        if entry.delivered:
            return None  # a base URL the workload reads: judged by the endpoint rules
        if name == BASE_URL_VAR:
            empty = entry
    return KeyWithoutBaseUrl(keys[0], empty)


def _steers_elsewhere(entry: EnvEntry) -> bool:
    """Whether a variable sends the key's client to Azure or another provider."""
    bare = bare_name(entry.name)
    text = (entry.text or "").strip().strip("\"'").lower()
    if bare == "openaiapitype":
        return entry.text is None or text.startswith("azure")  # the module client's switch
    if "azure" in bare and any(w in bare for w in ("endpoint", "url", "base", "host")):
        return entry.delivered  # AZURE_OPENAI_ENDPOINT: the Azure client's account
    if any(word in bare for word in _SELECTOR_WORDS) and selects_provider(text):
        return text != "openai"
    return False


def env_blocks(data: Any, path: tuple[str | int, ...] = ()) -> list[EnvBlock]:
    """Every env block in a JSON-like structure (JSON strings inside it decoded) that holds
    the key, in path order.

    One look per container finds where the key is named (a mapping's key, a list entry's
    name, a ``NAME=`` string); only there is the block around it read: a preview's
    resources are mostly other data.
    """
    blocks: dict[int, EnvBlock] = {}  # by the id of the mapping that holds the env parts
    if isinstance(data, Mapping) and KEY_VAR in data:
        blocks[id(data)] = EnvBlock(path, tuple(_entries(data, path)))  # the whole of it: ESC's
    # (node, its path, the mapping it stands in or None, decoding depth)
    stack: list[tuple[Any, tuple[str | int, ...], Any, int]] = [(data, path, None, 0)]
    # A container shared by aliases is read once, at its first place; kept here so that no
    # id is reused by a JSON string's decoded data while the walk runs.
    seen: dict[int, Any] = {}
    while stack:
        node, where, parent, depth = stack.pop()
        if id(node) in seen:
            continue
        seen[id(node)] = node
        kind = type(node)
        if kind is dict or (kind is not list and isinstance(node, Mapping)):
            if SECRET_SIG_KEY in node:
                continue  # a secret's insides are no environment of their own
            if KEY_VAR in node and parent is not None:
                _note(blocks, parent)
            for step, child in reversed(node.items() if kind is dict else list(node.items())):
                if isinstance(step, str) and bare_name(step) in _STORES:
                    continue
                _push(stack, child, (*where, str(step)), (node, where), depth)
        elif kind is list:
            named = False
            for index in range(len(node) - 1, -1, -1):
                item = node[index]
                if isinstance(item, str):  # a Located string of a YAML file too
                    named = named or item.startswith(KEY_VAR)
                elif isinstance(item, Mapping):
                    named = named or _entry_name(item) == KEY_VAR
                _push(stack, item, (*where, index), None, depth)
            if named and parent is not None:
                _note(blocks, parent)
    return sorted(blocks.values(), key=lambda b: [str(p) for p in b.path])


def _push(
    stack: list[tuple[Any, tuple[str | int, ...], Any, int]],
    child: Any, path: tuple[str | int, ...], parent: Any, depth: int,
) -> None:  # fmt: skip
    kind = type(child)
    if kind is dict or kind is list or (kind is not str and isinstance(child, Mapping)):
        stack.append((child, path, parent, depth))
    elif isinstance(child, str) and depth < 3 and KEY_VAR in child and child.lstrip()[:1] in "{[":
        # ECS container definitions: a JSON string holding the containers and their env.
        for form, inner in decoded_forms(child):
            if form == "json":
                stack.append((inner, path, None, depth + 1))


def _note(
    blocks: dict[int, EnvBlock], parent: tuple[Mapping[str, Any], tuple[str | int, ...]]
) -> None:
    """The block made of ``parent``'s env parts, once per parent mapping."""
    mapping, where = parent
    if id(mapping) not in blocks:
        for block in _blocks_in(mapping, where):
            blocks[id(mapping)] = block


def _blocks_in(parent: Mapping[str, Any], where: tuple[str | int, ...]) -> list[EnvBlock]:
    """The env block made of ``parent``'s env children (maps and lists side by side)."""
    if parent.get("kind") in _STORE_KINDS:
        return []
    parts: list[tuple[str, Any]] = []
    for key, child in parent.items():
        if not isinstance(key, str) or bare_name(key) in _STORES:
            continue
        if (isinstance(child, Mapping) and _is_env_map(child)) or (
            isinstance(child, list) and _is_env_list(child)
        ):
            parts.append((key, child))
    if not parts:
        return []
    entries: list[EnvEntry] = []
    for key, child in parts:
        entries.extend(_entries(child, (*where, key)))
    if not any(e.name.upper() == KEY_VAR for e in entries):
        return []
    more = any(isinstance(k, str) and bare_name(k) in _MORE_FROM for k in parent)
    beside = any(
        isinstance(k, str) and is_endpoint_name(k) and isinstance(v, str) and v.strip()
        for k, v in parent.items()
        if not any(k == key for key, _ in parts)
    )
    return [EnvBlock((*where, parts[0][0]), tuple(entries), more, beside)]


def _is_env_map(data: Mapping[str, Any]) -> bool:
    """A mapping of variables that concern the client: its key or an OpenAI variable."""
    return any(isinstance(k, str) and k.upper().startswith(_OPENAI_VARS) for k in data)


def _is_env_list(items: Sequence[Any]) -> bool:
    """A list of variables (``{name, value}`` entries or ``NAME=value`` strings), one of which
    concerns the client."""
    names = []
    for item in items:
        if isinstance(item, str):
            name = item.split("=", 1)[0].strip()
            if not _ENV_NAME.fullmatch(name):
                return False
        elif isinstance(item, Mapping):
            name = _entry_name(item)
            if not name:
                return False
        else:
            return False
        names.append(name.upper())
    return any(name.startswith(_OPENAI_VARS) for name in names)


def _entry_name(item: Mapping[str, Any]) -> str:
    for key in _ENTRY_NAME_KEYS:
        candidate = item.get(key)
        if isinstance(candidate, str) and any(v in item for v in _ENTRY_VALUE_KEYS):
            return candidate
    candidate = item.get("name")
    return candidate if isinstance(candidate, str) else ""


def _entries(container: Any, path: tuple[str | int, ...]) -> Iterator[EnvEntry]:
    if isinstance(container, Mapping):
        # Reported at the mapping, not at the key's value: that value may be a secret or
        # unknown at preview, and what is missing is a variable of the mapping.
        for name, value in container.items():
            if isinstance(name, str):
                yield _entry(name, _text(value), path, value, name)
        return
    for index, item in enumerate(container):
        if isinstance(item, str):
            name, sep, rest = item.partition("=")
            # `- OPENAI_API_KEY` alone: Compose passes the variable on from its own env.
            yield _entry(name.strip(), rest if sep else None, (*path, index), item, item)
        elif isinstance(item, Mapping):
            name = _entry_name(item)
            if name:
                raw = item.get("value")
                text = _text(raw) if "value" in item else (None if len(item) > 1 else "")
                yield _entry(name, text, (*path, index), raw, item.get("name", name))


def _text(value: Any) -> str | None:
    """A variable's text: a string as written; a secret, a reference or null: None (there,
    not known here)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | int | float):
        return str(value)
    return None


def _entry(name: str, text: str | None, path: tuple[str | int, ...], *located: Any) -> EnvEntry:
    line = column = 0
    for candidate in located:
        if isinstance(candidate, Located):
            line, column = candidate.line, candidate.column
            break
    return EnvEntry(name, text, path, line, column)


def block_of_values(values: Sequence[Value], path: tuple[str | int, ...] = ()) -> EnvBlock:
    """The variables of a dotenv file or an ESC environment's ``environmentVariables``, read
    as values (every one, not only those the facets gate keeps), as one block."""
    return EnvBlock(
        path,
        tuple(
            EnvEntry(
                v.name,
                None if v.unknown or (v.secret and not v.text) else v.text,
                v.path,
                v.line,
                v.column,
            )
            for v in values
        ),
    )


def yaml_names_key(node: yaml.Node | None) -> bool:
    """Whether any scalar below ``node`` (aliases followed, each node once) holds
    ``OPENAI_API_KEY``: every way ``env_blocks`` finds a key (a mapping key, an entry's name, a
    ``NAME=`` item, a JSON string) needs that text in one scalar, so a document without it has
    no env block to build (most stack files: building ``yaml_tree`` was a third of their scan).
    """
    return any(
        isinstance(current, yaml.ScalarNode) and KEY_VAR in current.value
        for current in distinct_nodes(node)
    )


def yaml_tree(document: YamlDocument, node: yaml.Node | None) -> Any:
    """A YAML node as plain data with its strings ``Located`` (merge keys applied), for
    ``env_blocks``; a Pulumi ``{secure: ...}`` value is a secret (None: there, not known).

    Iterative, and an aliased node is built once and shared: a document as deep as the
    reader allows, or aliased as much, costs its size.
    """
    if node is None:
        return None
    built: dict[int, Any] = {}
    opened: set[int] = set()  # containers whose children are being built
    stack: list[tuple[yaml.Node, bool]] = [(node, False)]
    while stack:
        current, ready = stack.pop()
        key = id(current)
        if key in built or (not ready and key in opened):
            continue  # built already, or a cycle back to an open container (read as null)
        if isinstance(current, yaml.MappingNode):
            entries = document.mapping(current)
            if set(entries) == {"secure"}:
                built[key] = {SECRET_SIG_KEY: "secure"}
            elif not ready:
                opened.add(key)
                stack.append((current, True))
                stack.extend((child, False) for child in reversed(entries.values()))
            else:
                marks = {scalar_text(k): k.start_mark for k, _ in current.value}
                built[key] = {
                    _located_key(name, marks.get(name)): built.get(id(child))
                    for name, child in entries.items()
                }
        elif isinstance(current, yaml.SequenceNode):
            if not ready:
                opened.add(key)
                stack.append((current, True))
                stack.extend((child, False) for child in reversed(current.value))
            else:
                built[key] = [built.get(id(child)) for child in current.value]
        else:
            text = scalar_text(current)
            if text is None or current.tag == "tag:yaml.org,2002:null":
                built[key] = None
            else:
                line, column = current.start_mark.line + 1, current.start_mark.column + 1
                built[key] = Located(text, line, column)
    return built.get(id(node))


def _located_key(name: str, mark: yaml.Mark | None) -> str:
    return name if mark is None else Located(name, mark.line + 1, mark.column + 1)
