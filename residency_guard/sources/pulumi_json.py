"""``pulumi preview --json`` output and ``pulumi stack export`` files."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from residency_guard.errors import InputError
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.document import Document, Resource, Subject
from residency_guard.sources.files import MAX_JSON_BYTES, read_text
from residency_guard.stackregion import (
    COMPONENT_TYPE,
    REGION_KEY,
    Declaration,
    RegionSource,
    component_declaration,
    stack_declarations,
    stack_name_from_urn,
)
from residency_guard.values import Value, loads_json, walk_data


def load_json(path: Path) -> Any:
    """A preview or state export, parsed; an InputError naming the line where it is not JSON."""
    return _parse(path, read_text(path, MAX_JSON_BYTES))


def parse_json(path: Path, text: str) -> Any:
    """A preview's or state export's text, parsed; an InputError naming the line otherwise."""
    return _parse(path, text)


def _parse(path: Path, text: str) -> Any:
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        ending = text.rstrip()[-1:]
        what = "truncated JSON" if ending not in ("}", "]") else "invalid JSON"
        raise InputError(
            f"{what}: {exc.msg}", file=str(path), line=exc.lineno,
            fix="re-run `pulumi preview --json > file` or `pulumi stack export --file file`",
        ) from None  # fmt: skip
    except RecursionError:
        raise InputError("JSON nested too deeply", file=str(path)) from None


def json_kind(data: Any) -> str | None:
    """ "preview", "state" or None for a JSON document that is neither."""
    if isinstance(data, Mapping):
        if isinstance(data.get("steps"), list) or "changeSummary" in data:
            return "preview"
        deployment = data.get("deployment")
        if isinstance(deployment, Mapping) and "resources" in deployment:
            return "state"
        if isinstance(data.get("resources"), list) and "manifest" in data:
            return "state"  # the deployment object on its own
    return None


def _resources(
    data: Mapping[str, Any], kind: str, file: str
) -> Iterator[tuple[Mapping[str, Any], str]]:
    """Each resource's state and URN; an InputError where the document has another shape
    than pulumi writes (a list that is not one, an entry that is no object)."""
    if kind == "preview":
        for index, step in enumerate(_entries(data, "steps", file)):
            _require_object(step, f"steps[{index}]", file)
            state = step.get("newState") or step.get("new") or step.get("oldState") or {}
            _require_object(state, f"steps[{index}]'s state", file)
            yield state, str(step.get("urn") or state.get("urn") or "")
    else:
        deployment = data.get("deployment", data)
        for index, resource in enumerate(_entries(deployment, "resources", file)):
            _require_object(resource, f"resources[{index}]", file)
            yield resource, str(resource.get("urn") or "")


def _entries(data: Mapping[str, Any], key: str, file: str) -> list[Any]:
    found = data.get(key)
    if found is None:
        return []
    if not isinstance(found, list):
        raise InputError(
            f"`{key}` is {_kind_of(found)}, not a list", file=file,
            fix="re-run `pulumi preview --json > file` or `pulumi stack export --file file`",
        )  # fmt: skip
    return found


def _require_object(item: Any, where: str, file: str) -> None:
    if not isinstance(item, Mapping):
        raise InputError(
            f"{where} is {_kind_of(item)}, not an object", file=file,
            fix="re-run `pulumi preview --json > file` or `pulumi stack export --file file`",
        )  # fmt: skip


def _kind_of(item: Any) -> str:
    if isinstance(item, bool):
        return "a boolean"
    if isinstance(item, (int, float)):
        return "a number"
    if isinstance(item, str):
        return "a string"
    if isinstance(item, Mapping):
        return "an object"
    if isinstance(item, list):
        return "a list"
    return "null"


class _LineIndex:
    """Lines of a JSON text, found lazily: a finding is rare, a resource is not.

    A 100,000-resource preview is 400 MB: a lookup must not scan it from the top each time.
    Findings come in file order, so a resource's URN is looked for from the previous answer
    on (its own entry, not an earlier mention as some child's parent), and from the top only
    when it is not found there; lines are counted from the previous answer too.
    """

    def __init__(self, text: str) -> None:
        self.text = text
        self._cursor = (0, 1)  # (position, its line) of the last answer

    def line_of(self, needle: str) -> tuple[int, int]:
        base, line = self._cursor
        position = self.text.find(needle, base)
        if position < 0:
            position = self.text.find(needle)
            if position < 0:
                return 0, 0
        if position < base:
            base, line = 0, 1
        line += self.text.count("\n", base, position)
        self._cursor = (position, line)
        return line, position - (self.text.rfind("\n", 0, position) + 1) + 1


def read_pulumi_json(
    path: Path, repo: RepoConfig, data: Any = None, text: str | None = None
) -> Document:
    """Every resource of a preview or a state export, and the stack's region.

    ``data`` and ``text``: the file already read (a checkpoint decompressed, an event log read
    as a preview); findings are located in ``text``.
    """
    file = str(path)
    if data is None:
        text = read_text(path, MAX_JSON_BYTES)
        data = _parse(path, text)  # the text is kept: findings are located in it
    kind = json_kind(data)
    if kind is None:
        raise InputError(
            "not a `pulumi preview --json` output nor a `pulumi stack export` file",
            file=file, fix="pass the JSON that pulumi wrote",
        )  # fmt: skip
    pairs = list(_resources(data, kind, file))
    stack = next((stack_name_from_urn(urn) for _, urn in pairs if urn), "")
    config = data.get("config") if kind == "preview" else None
    configured: list[Declaration] = []
    components: list[Declaration] = []
    config_values: list[Value] = []
    if isinstance(config, Mapping):
        region = config.get(REGION_KEY)
        if isinstance(region, str):
            configured.append(
                Declaration(region, RegionSource.STACK_CONFIG, f"{file} config", 0, file)
            )
        config_values = list(walk_data(_structured(config), ("config",)))
    resources = []
    hidden_outputs: list[Resource] = []
    for state, urn in pairs:
        # Providers too (`pulumi:providers:<pkg>`): an explicit provider's inputs are the
        # user's configuration, a `baseUrl` among them.
        rtype = str(state.get("type") or "")
        name = urn.rsplit("::", 1)[-1] if urn else rtype
        inputs = _mapping(state.get("inputs"))
        outputs = _mapping(state.get("outputs"))
        # Outputs too: a provider may compute a host from the inputs. Inputs win on a clash,
        # and the outputs they hide are judged on their own (``shadowed``).
        props = {**outputs, **inputs}
        resources.append(Resource(rtype, name, props, urn, file))
        hidden = shadowed(inputs, outputs)
        if hidden:
            hidden_outputs.append(Resource(rtype, name, hidden, urn, file))
        region = props.get("region")
        if rtype == COMPONENT_TYPE and isinstance(region, str):
            components.append(component_declaration(region, f"{name}.region in {file}", file))
    declarations = stack_declarations(stack, repo, config=configured, components=components)
    return Document(
        Subject(stack), file, kind, config_values, resources, declarations,
        hidden_outputs=hidden_outputs, locate=_Locator(path, text),
    )  # fmt: skip


def shadowed(inputs: Mapping[str, Any], outputs: Mapping[str, Any]) -> dict[str, Any]:
    """The outputs a shallow ``{**outputs, **inputs}`` hides: an input key hides the whole
    output subtree of that key (a Lambda's live ``environment`` behind its inputs')."""
    return {k: v for k, v in outputs.items() if k in inputs and inputs[k] != v}


def _structured(config: Mapping[str, Any]) -> dict[str, Any]:
    """The preview's config with structured values decoded: `pulumi preview --json` prints an
    object or list value as its JSON text, which the rules must read as a list, not a string."""
    decoded: dict[str, Any] = {}
    for key, value in config.items():
        if isinstance(value, str) and value[:1] in "[{":
            with contextlib.suppress(ValueError):
                value = loads_json(value)
        decoded[key] = value
    return decoded


def _mapping(data: Any) -> Mapping[str, Any]:
    return data if isinstance(data, Mapping) else {}


class _Locator:
    """Where a resource's entry is written: its URN looked up in the text (read only when a
    resource has findings)."""

    def __init__(self, path: Path, text: str | None) -> None:
        self.path = path
        self.text = text
        self.index: _LineIndex | None = None

    def __call__(self, resource: Resource) -> tuple[int, int]:
        if self.index is None:
            self.index = _LineIndex(self.text or read_text(self.path, MAX_JSON_BYTES))
        return self.index.line_of(json.dumps(resource.urn)) if resource.urn else (0, 0)
