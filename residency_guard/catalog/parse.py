"""Reads one catalog file (shipped or a team's overlay) and checks it against its schema.

Every problem raises :class:`CatalogError` with one line naming the file, the line where
known, the key path (``regions.eu.models.chat[3]``) and what was expected. Lines come from
the composed YAML node tree, walked along the key path that cerberus (or a reference check
of ``compose`` or ``overlay``) reports.
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import yaml

from residency_guard.catalog import schema
from residency_guard.errors import CatalogError
from residency_guard.ownyaml import KeyPath, format_key_path, refuse_duplicate_keys


@dataclasses.dataclass(frozen=True)
class CatalogFile:
    """One parsed YAML file: its name for messages, its node tree for lines, its data.

    A shipped file read from ``compiled.json`` has no node tree and comes validated.
    """

    file: str
    root: yaml.MappingNode | None
    data: dict[str, Any]
    validated: dict[str, Any] | None = None

    def error(self, path: KeyPath, message: str, fix: str = "") -> CatalogError:
        text = f"{format_key_path(path)}: {message}" if path else message
        return CatalogError(text, file=self.file, line=line_at(self.root, path), fix=fix)


def line_at(root: yaml.Node | None, path: KeyPath) -> int | None:
    """The 1-based line of the deepest node along ``path``; None if its first key is absent."""
    line: int | None = None
    for written in _written(root, path):
        line = written.start_mark.line + 1
    return line


def reaches(root: yaml.Node | None, path: KeyPath) -> bool:
    """Whether every key of ``path`` is written in the node tree ``root``."""
    return sum(1 for _ in _written(root, path)) == len(path)


def _written(root: yaml.Node | None, path: KeyPath) -> Iterator[yaml.Node]:
    """The node that writes each key of ``path`` in turn (a mapping's key, a list's item), as
    far as the tree holds them."""
    node = root
    for step in path:
        if isinstance(node, yaml.MappingNode):
            match = next(
                (
                    (key, value)
                    for key, value in node.value
                    if isinstance(key, yaml.ScalarNode) and key.value == str(step)
                ),
                None,
            )
            if match is None:
                return
            yield match[0]
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                return
            node = node.value[step]
            yield node
        else:
            return


def parse_file(
    file: str, text: str, loader_class: type[yaml.SafeLoader] = yaml.SafeLoader
) -> CatalogFile:
    """``text`` read as one YAML mapping (duplicate keys refused), kept with its node tree."""
    loader: yaml.SafeLoader | None = None
    try:
        # Inside: the reader refuses some characters (a control character) as it starts.
        loader = loader_class(text)
        root = loader.get_single_node()
        if root is None:
            raise CatalogError("empty document; expected a mapping", file=file)
        if not isinstance(root, yaml.MappingNode):
            raise CatalogError(
                f"expected a mapping at the top level, found a {_kind(root)}",
                file=file,
                line=root.start_mark.line + 1,
            )
        _refuse_duplicate_keys(file, root)
        data = loader.construct_document(root)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "unreadable"
        raise CatalogError(
            f"invalid YAML: {problem}", file=file, line=mark.line + 1 if mark else None
        ) from None
    except yaml.YAMLError as exc:
        raise CatalogError(f"invalid YAML: {exc}", file=file) from None
    except ValueError as exc:  # a tag PyYAML cannot build (`!!int x`, `2027-13-01`)
        raise CatalogError(f"invalid value: {exc}", file=file, fix="fix the value") from None
    except RecursionError:
        raise CatalogError("YAML nested too deeply", file=file, fix="flatten it") from None
    finally:
        if loader is not None:
            loader.dispose()
    return CatalogFile(file, root, data)


def _kind(node: yaml.Node) -> str:
    return "list" if isinstance(node, yaml.SequenceNode) else "scalar"


def _refuse_duplicate_keys(file: str, root: yaml.Node) -> None:
    # PyYAML keeps the last of two equal keys without a word; a catalog must not (ownyaml:
    # the one policy for every YAML file of ours).
    refuse_duplicate_keys(root, file, CatalogError)


def _problems(errors: Mapping[Any, Any], prefix: KeyPath = ()) -> Iterator[tuple[KeyPath, str]]:
    """Flattens cerberus's nested error dict into (key path, message) pairs."""
    for key, entries in errors.items():
        for entry in entries:
            if isinstance(entry, Mapping):
                yield from _problems(entry, (*prefix, key))
            else:
                yield (*prefix, key), str(entry)


def validate(doc: CatalogFile, rules: schema.Schema) -> dict[str, Any]:
    """Checks ``doc`` against ``rules``; returns the document with defaults filled in."""
    if doc.validated is not None:
        return doc.validated
    from cerberus import Validator  # type: ignore[import-untyped]  # 45 ms: only when used

    validator = Validator(rules)
    if validator.validate(doc.data):
        document: dict[str, Any] = validator.document
        return document
    # Report the first problem in file order, so the user fixes the file top down.
    path, message = min(
        _problems(validator.errors),
        key=lambda problem: (line_at(doc.root, problem[0]) or 0, format_key_path(problem[0])),
    )
    fix = ""
    if message == "unknown field" and len(path) == 1:
        fix = f"expected one of: {', '.join(rules)}"
    raise doc.error(path, message, fix)


def iso_date(value: str | datetime.date) -> str:
    """A date as the catalog keeps it (YAML reads an unquoted one as a ``date``)."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def one_of(names: Iterable[str]) -> str:
    """The fix that lists the names a reference may take."""
    return f"use one of: {', '.join(names)}"
