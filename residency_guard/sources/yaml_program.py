"""Pulumi YAML programs (``runtime: yaml``): their ``resources:`` and ``variables:``.

A program lives in ``Pulumi.yaml`` and, for larger ones, in ``Main.yaml`` of the project's
``main:`` folder. Each resource becomes a ``Resource`` of its type token with its
``properties``, the shape the policy pack gets from the engine, so the same resource checks
judge it (an Azure OpenAI account's location, a deployment's SKU). ``fn::secret`` marks a
secret; a ``${...}`` reference is kept as written: only the engine knows what it resolves to,
except a whole value that names a config key the program declares or one of its variables:
that value is judged where it is written (the stack file, the project default, ``variables:``),
so the reference adds nothing to judge (and is no unresolved endpoint).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from residency_guard.sources.document import Document, Resource, Subject
from residency_guard.values import SECRET_SIG_KEY, SECRET_SIG_VALUE, UNKNOWN_SENTINEL, Value
from residency_guard.yamlfile import YamlDocument, is_null, scalar_text, walk_yaml

MAIN_FILE = "Main.yaml"
_REFERENCE = re.compile(r"\$\{([^{}]+)\}")


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
    judged = _judged_names(documents)
    for document in documents:
        variables = document.get("variables")
        if variables is not None:
            values.extend(walk_yaml(document, variables, ("variables",)))
        declared = document.get("resources")
        for name, node in (document.mapping(declared) if declared is not None else {}).items():
            entries = document.mapping(node)
            rtype = scalar_text(entries.get("type")) or ""
            props = _plain(document, entries.get("properties"), judged)
            resources.append(Resource(
                rtype, name, props if isinstance(props, dict) else {}, "", document.file,
                node.start_mark.line + 1,
            ))  # fmt: skip
    file = documents[0].file if documents else ""
    return Document(Subject(""), file, "yaml-program", values, resources)


def _judged_names(documents: list[YamlDocument]) -> frozenset[str]:
    """The config keys a program declares (bare and ``<project>:`` spelt) and its variables."""
    names: set[str] = set()
    for document in documents:
        for section in ("config", "configuration", "variables"):
            node = document.get(section)
            if isinstance(node, yaml.MappingNode):
                for key in document.mapping(node):
                    names.add(key)
                    names.add(key.rpartition(":")[2])
    return frozenset(names)


def _plain(document: YamlDocument, node: yaml.Node | None, judged: frozenset[str]) -> Any:
    """A node as the data the engine would send, ``fn::secret`` as a Pulumi secret; a whole
    value that only names a declared config key or a variable is left out (see the module)."""
    if node is None or is_null(node):
        return None
    if isinstance(node, yaml.ScalarNode):
        text = scalar_text(node)
        reference = _REFERENCE.fullmatch(text or "")
        if reference is None:
            return text
        # Judged where written, or an output only the engine knows (an unknown, as at preview:
        # `${openai.labels}` is no host named openai.labels).
        return None if reference.group(1).strip() in judged else UNKNOWN_SENTINEL
    if isinstance(node, yaml.SequenceNode):
        return [_plain(document, child, judged) for child in node.value]
    entries = document.mapping(node)
    if len(entries) == 1 and "fn::secret" in entries:
        secret = _plain(document, entries["fn::secret"], judged)
        return {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": secret}
    return {key: _plain(document, child, judged) for key, child in entries.items()}
