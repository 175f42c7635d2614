"""The nodes of a composed YAML document, each once: aliases shared, never expanded.

Its own module so that both YAML readers (``yamlfile`` for users' files, ``ownyaml`` for ours)
can use it: ``ownyaml`` may not import ``yamlfile`` at import time (the catalog's loader
imports ``ownyaml``, and ``yamlfile`` imports the catalog).
"""

from __future__ import annotations

import yaml


def distinct_nodes(root: yaml.Node | None) -> list[yaml.Node]:
    """Every node below ``root`` (itself included) once, however often it is aliased.

    A list, not a generator: counting them is what the alias budgets do with it, on every
    aliased file, and a generator's resumes cost a tenth of the walk.
    """
    seen: set[int] = set()
    nodes: list[yaml.Node] = []
    stack = [root] if root is not None else []
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        nodes.append(node)
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.append(key)
                stack.append(value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return nodes
