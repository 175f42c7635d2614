"""Files a workload reads its settings from, held to a region by path (``paths:``, ``--region``).

Kubernetes manifests (every ``---`` document), Helm values, docker-compose files, LiteLLM
configs and any other YAML or JSON: every string with its line, read by the same walk as a
stack file (``{name, value}`` env entries, nested JSON, base64 Secret data). A compose
``environment:`` list item ``KEY=value`` is the variable ``KEY`` set to ``value``, as compose
reads it. In a LiteLLM config (``model_list:``), ``model_name`` is the route clients ask for,
not a model, and ``litellm_params.model: openai/<model>`` is the OpenAI model ``<model>``
(another provider's ``<provider>/<model>`` is not OpenAI's).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from residency_guard.envblocks import KEY_VAR, EnvBlock, env_blocks, yaml_tree
from residency_guard.errors import InputError
from residency_guard.sources.document import Document, Subject
from residency_guard.stackregion import Declaration
from residency_guard.values import Gate, Value, loads_json, walk_data
from residency_guard.yamlfile import load_yaml_documents, walk_yaml

# docker-compose's list form of `environment:` (and `args:` of `build:`): NAME=value.
_ASSIGNMENT = re.compile(r"^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$", re.DOTALL)
_LIST_KEYS = frozenset({"environment", "args", "env"})


def read_config_file(
    path: Path, text: str, held: Sequence[Declaration], gate: Gate | None = None
) -> Document:
    """Every value of a YAML or JSON settings file, held to ``held``; with ``gate``, only
    the values it keeps (a ``NAME=value`` item is judged by its NAME, as the gate sees it)."""
    file = str(path)
    blocks: list[EnvBlock] = []
    walk_gate = _Assignments(gate) if gate is not None else None
    # Env blocks only where the key is named, as for a resource's properties (evaluate.py).
    with_env = KEY_VAR in text
    if path.suffix.lower() == ".json":
        data = _json_data(text, file)
        values = list(walk_data(data, gate=walk_gate))
        blocks = env_blocks(data) if with_env else []
    else:
        values = []
        for document in load_yaml_documents(text, file):
            values.extend(walk_yaml(document, gate=walk_gate))
            if with_env:
                blocks.extend(env_blocks(yaml_tree(document, document.root)))
    return Document(
        Subject(path.name), file, "config-file", list(_litellm(_assignments(values))),
        declarations=list(held), env_blocks=blocks,
    )  # fmt: skip


def _json_data(text: str, file: str) -> Any:
    try:
        return loads_json(text)
    except json.JSONDecodeError as exc:
        raise InputError(
            f"invalid JSON: {exc.msg}", file=file, line=exc.lineno, fix="fix the syntax"
        ) from None
    except RecursionError:
        raise InputError("JSON nested too deeply", file=file) from None


class _Assignments:
    """The facets gate, and every ``NAME=value`` item under an ``environment:`` list: the
    gate would read its text as one word; split, its NAME decides (``_assignments``)."""

    def __init__(self, gate: Gate) -> None:
        self.gate = gate

    def hot_key(self, key: str) -> bool:
        return self.gate.hot_key(key)

    def keep(self, text: str, name: str) -> bool:
        if name in _LIST_KEYS and _ASSIGNMENT.match(text) is not None:
            return True
        return self.gate.keep(text, name)


def _assignments(values: Iterable[Value]) -> Iterator[Value]:
    """A list item ``NAME=value`` under ``environment:`` is the variable NAME."""
    for value in values:
        path = value.path
        if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in _LIST_KEYS:
            match = _ASSIGNMENT.match(value.text)
            if match is not None:
                name, text = match.groups()
                column = value.column + len(name) + 1 if value.column else 0
                yield Value(
                    (*path[:-1], name), text, name, value.line, column,
                    secret=value.secret, unknown=value.unknown, decoded=value.decoded,
                )  # fmt: skip
                continue
        yield value


def _litellm(values: Iterable[Value]) -> Iterator[Value]:
    for value in values:
        path = value.path
        if len(path) >= 3 and path[0] == "model_list" and isinstance(path[1], int):
            if path[2:] == ("model_name",):
                value = replace(value, name="route")  # what clients ask for, routed below
            elif path[2:] == ("litellm_params", "model") and value.text.startswith("openai/"):
                value = replace(value, text=value.text[len("openai/") :])
        yield value
