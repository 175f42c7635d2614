"""The YAML files of residency-guard itself: one reader, one policy.

``residency-guard.yaml`` (settings and suppressions), team catalog overlays and the shipped
catalog are read here. PyYAML keeps the last of two equal keys without a word, so
``"prod-eu*": eu`` followed by ``"prod-eu*": us`` would hold EU stacks to US: in a file of
ours a duplicate key is an input error naming both lines (exit 2). Stack files and other
files the Pulumi engine reads go through ``yamlfile``, which reads them as the engine does.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from residency_guard.errors import ResidencyGuardError
from residency_guard.yamlnodes import distinct_nodes

# libyaml where present (every wheel we support ships it): the same reading, faster.
_Loader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

KeyPath = tuple[str | int, ...]
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")


def format_key_path(path: KeyPath) -> str:
    """``("regions", "eu", "models", "chat", 3)`` -> ``regions.eu.models.chat[3]``.

    Keys that are not plain words (hosts, dotted model names) are quoted:
    ``misconfigured_hosts["api.openai.eu"]``.
    """
    text = ""
    for step in path:
        if isinstance(step, int):
            text += f"[{step}]"
        elif _PLAIN_KEY.fullmatch(step):
            text += f".{step}" if text else step
        else:
            text += f'["{step}"]'
    return text


# Node visits with aliases expanded: an alias bomb in a settings file is refused before its
# values are validated (cerberus would walk every expansion).
_VISIT_FLOOR = 200_000
_VISIT_FACTOR = 20


def read_own_yaml(
    text: str, file: str, error: type[ResidencyGuardError],
    loader_class: type[yaml.SafeLoader] = _Loader,
) -> tuple[yaml.Node | None, Any]:  # fmt: skip
    """The document's root node (for lines) and its data, or ``error`` naming the file and
    line: invalid YAML, several documents, a duplicate key, an alias bomb."""
    loader: yaml.SafeLoader | None = None
    try:
        # Inside: the reader refuses some characters (a control character) as it starts.
        loader = loader_class(text)
        root = loader.get_single_node()
        if root is None:
            return None, None
        refuse_duplicate_keys(root, file, error)
        return root, loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise error(
            f"invalid YAML: {exc.problem or exc.context or 'unreadable'}", file=file,
            line=mark.line + 1 if mark else None, fix="fix the syntax",
        ) from None  # fmt: skip
    except yaml.YAMLError as exc:
        raise error(f"invalid YAML: {exc}", file=file, fix="fix the syntax") from None
    except ValueError as exc:  # e.g. `until: 2027-13-01`: YAML reads it as a bad date
        raise error(
            f"invalid value: {exc}", file=file, fix='quote dates as "YYYY-MM-DD"'
        ) from None
    except RecursionError:
        raise error("YAML nested too deeply", file=file, fix="flatten it") from None
    finally:
        if loader is not None:
            loader.dispose()


def refuse_duplicate_keys(root: yaml.Node, file: str, error: type[ResidencyGuardError]) -> None:
    """``error`` at the first key written twice in one mapping, naming both lines; also at an
    alias expansion far beyond the document's size."""
    distinct = len(distinct_nodes(root))
    budget = max(_VISIT_FLOOR, _VISIT_FACTOR * distinct)
    checked: set[int] = set()
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool, KeyPath]] = [(root, False, ())]
    while stack:
        node, leaving, path = stack.pop()
        if leaving:
            open_nodes.discard(id(node))
            continue
        budget -= 1
        if budget < 0:
            raise error(
                "excessive YAML aliasing (an alias bomb)", file=file,
                line=node.start_mark.line + 1, fix="remove the nested aliases",
            )  # fmt: skip
        if isinstance(node, yaml.ScalarNode):
            continue
        if id(node) in open_nodes:
            raise error(
                "a YAML alias refers to itself", file=file, line=node.start_mark.line + 1,
                fix="replace the alias with the values it stands for",
            )  # fmt: skip
        open_nodes.add(id(node))
        stack.append((node, True, path))
        if isinstance(node, yaml.MappingNode):
            if id(node) not in checked:
                checked.add(id(node))
                _refuse_in_mapping(node, path, file, error)
            stack.extend((value, False, (*path, str(key.value))) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, False, (*path, i)) for i, item in enumerate(node.value))


def _refuse_in_mapping(
    node: yaml.MappingNode, path: KeyPath, file: str, error: type[ResidencyGuardError]
) -> None:
    # At call time: yamlfile imports the catalog, whose loader imports this module.
    from residency_guard.yamlfile import is_merge_key

    seen: dict[tuple[str, str], yaml.Node] = {}
    for key, _value in node.value:
        if not isinstance(key, yaml.ScalarNode) or is_merge_key(key):
            continue
        first = seen.get((key.tag, key.value))
        if first is not None:
            raise error(
                f"{format_key_path((*path, str(key.value)))}: duplicate key (lines "
                f"{first.start_mark.line + 1} and {key.start_mark.line + 1}; YAML readers keep "
                "the last silently)", file=file, line=key.start_mark.line + 1, fix="keep one",
            )  # fmt: skip
        seen[(key.tag, key.value)] = key


