"""Pulumi YAML programs (``runtime: yaml``): their ``resources:`` and ``variables:``.

A program lives in ``Pulumi.yaml`` and, for larger ones, in ``Main.yaml`` of the project's
``main:`` folder. Each resource becomes a ``Resource`` of its type token with its
``properties``, the shape the policy pack gets from the engine, so the same resource checks
judge it (an Azure OpenAI account's location, a deployment's SKU). ``fn::secret`` marks a
secret; a ``${...}`` reference is kept as written: only the engine knows what it resolves to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from residency_guard.context import Resource
from residency_guard.sources.document import Document
from residency_guard.values import SECRET_SIG_KEY, SECRET_SIG_VALUE, Value
from residency_guard.yamlfile import YamlDocument, is_null, scalar_text, walk_yaml

MAIN_FILE = "Main.yaml"


def is_yaml_program(project: YamlDocument) -> bool:
    """Whether a project file (``Pulumi.yaml``) declares ``runtime: yaml``."""
    runtime = project.get("runtime")
    if runtime is None:
        return False
    name = scalar_text(runtime) or scalar_text(project.mapping(runtime).get("name"))
    return name == "yaml"


def main_file(project: YamlDocument, project_file: Path) -> Path | None:
    """``Main.yaml`` of the project's ``main:`` folder, when there is one."""
    folder = project_file.parent / (scalar_text(project.get("main")) or ".")
    candidate = folder / MAIN_FILE
    return candidate if candidate.is_file() else None


def read_yaml_program(documents: list[YamlDocument]) -> Document:
    """The resources and variables of a program's files (``Pulumi.yaml``, ``Main.yaml``)."""
    values: list[Value] = []
    resources: list[Resource] = []
    for document in documents:
        variables = document.get("variables")
        if variables is not None:
            values.extend(walk_yaml(document, variables, ("variables",)))
        declared = document.get("resources")
        for name, node in (document.mapping(declared) if declared is not None else {}).items():
            entries = document.mapping(node)
            rtype = scalar_text(entries.get("type")) or ""
            props = _plain(document, entries.get("properties"))
            resources.append(Resource(
                rtype, name, props if isinstance(props, dict) else {}, "", document.file,
                node.start_mark.line + 1,
            ))  # fmt: skip
    file = documents[0].file if documents else ""
    return Document("", file, "yaml-program", values, resources)


def _plain(document: YamlDocument, node: yaml.Node | None) -> Any:
    """A node as the data the engine would send, ``fn::secret`` as a Pulumi secret."""
    if node is None or is_null(node):
        return None
    if isinstance(node, yaml.ScalarNode):
        return scalar_text(node)
    if isinstance(node, yaml.SequenceNode):
        return [_plain(document, child) for child in node.value]
    entries = document.mapping(node)
    if len(entries) == 1 and "fn::secret" in entries:
        return {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": _plain(document, entries["fn::secret"])}
    return {key: _plain(document, child) for key, child in entries.items()}
