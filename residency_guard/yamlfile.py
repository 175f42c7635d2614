"""YAML read the way the Pulumi engine reads it (Go's yaml.v3), with every value's line.

PyYAML and yaml.v3 disagree on duplicate keys (PyYAML keeps the last, yaml.v3 refuses the
file), on self-referencing aliases, on alias expansion limits and on merge-key precedence
(yaml.v3: first source wins; PyYAML 6.0.4: last, yaml/pyyaml#953). We compose nodes with
PyYAML and apply yaml.v3's semantics ourselves, reporting every place where a reader of the
other kind would see something else.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from residency_guard.errors import InputError
from residency_guard.keys import is_endpoint_value
from residency_guard.values import (
    ENTRY_PROPERTIES,
    ENTRY_VALUE_KEYS,
    Gate,
    Value,
    decoded_forms,
    entry_name,
    walk_data,
)
from residency_guard.yamlnodes import distinct_nodes

try:  # libyaml is an order of magnitude faster; PyYAML's pure loader is the same reading
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover - wheels ship libyaml on every platform we support
    from yaml import SafeLoader as _Loader  # type: ignore[assignment]

MERGE_TAG = "tag:yaml.org,2002:merge"
NULL_TAG = "tag:yaml.org,2002:null"
STR_TAG = "tag:yaml.org,2002:str"
_NULLS = frozenset({"", "~", "null", "Null", "NULL"})  # PyYAML's and yaml.v3's plain nulls


class _Reader(_Loader):
    """The loader with the only implicit tags this module reads: null and the merge key.

    Every other plain scalar is read as its text (``scalar_text``), so matching each one
    against the int, float, bool and timestamp patterns, as PyYAML's resolver does in Python
    for every scalar, is work thrown away.
    """

    def resolve(self, kind: type[yaml.Node], value: str, implicit: tuple[bool, bool]) -> str:
        if kind is yaml.ScalarNode:
            if implicit[0]:
                if value in _NULLS:
                    return NULL_TAG
                if value == "<<":
                    return MERGE_TAG
            return STR_TAG
        tag: str = super().resolve(kind, value, implicit)  # type: ignore[no-untyped-call]
        return tag


def is_merge_key(node: yaml.Node) -> bool:
    """A merge key as yaml.v3 reads one (``isMerge``): the text ``<<``, plain or tagged
    ``!!merge``. ``!!merge name:`` is the plain key ``name`` to the engine (PyYAML merges it);
    a quoted or ``!!str`` ``<<`` is a plain key to both."""
    return node.tag == MERGE_TAG and node.value == "<<"


# yaml.v3 refuses documents whose alias expansion dwarfs their size ("excessive aliasing");
# the same spirit, in node visits: generous for real files, fatal for alias bombs.
_VISIT_FLOOR = 200_000
_VISIT_FACTOR = 20
# Characters of JSON or base64 text decoded by one walk: every alias of an encoded scalar decodes
# it again (a 180 KB JSON array aliased 300 times is 6 million values), so decoding is budgeted
# by the document's size, as node visits are. A document without aliases decodes each scalar
# once, at most its own size.
_DECODE_FLOOR = 1_000_000
_DECODE_FACTOR = 4
# Read before composing, from the parser's events: deeper or bigger documents are refused
# before they cost memory. libyaml itself stops at 1,000 levels; yaml.v3 allows 10,000, so a
# document between the two is refused here although the engine reads it (fail closed).
MAX_DEPTH = 512
MAX_NODES = 500_000


@dataclass(frozen=True)
class Ambiguity:
    """A place where yaml.v3 (the engine) and PyYAML read the file differently."""

    line: int
    column: int
    message: str
    fix: str

    @classmethod
    def at(cls, node: yaml.Node, message: str, fix: str) -> Ambiguity:
        """An ambiguity where ``node`` is written."""
        return cls(node.start_mark.line + 1, node.start_mark.column + 1, message, fix)


@dataclass
class YamlDocument:
    """A composed YAML document with yaml.v3's reading of it."""

    file: str
    root: yaml.Node | None
    ambiguities: list[Ambiguity] = field(default_factory=list)
    # Node visits and merged entries left before the document counts as an alias bomb.
    budget: int = _VISIT_FLOOR
    size: int = 0  # characters of the text it was read from: what decoding may cost
    text: str = field(default="", repr=False)  # the text it was read from ("" when unknown)
    _merged: dict[int, dict[str, yaml.Node]] = field(default_factory=dict, repr=False)
    # A mapping's keys written twice, found while reading its entries: (key, the first key
    # node, the later key node, its value node).
    _duplicates: dict[int, list[tuple[str, yaml.Node, yaml.Node, yaml.Node]]] = field(
        default_factory=dict, repr=False
    )
    # Keys tagged ``!!merge`` whose text is not ``<<``: plain keys to the engine.
    _false_merges: list[yaml.Node] = field(default_factory=list, repr=False)

    def may_hold(self, needle: str) -> bool:
        """Whether a scalar of this document may hold ``needle``: only where the text has it,
        or a backslash (a double-quoted scalar's escapes build text the file does not spell);
        always, when the text is unknown."""
        return not self.text or needle in self.text or "\\" in self.text

    def mapping(self, node: yaml.Node | None = None) -> dict[str, yaml.Node]:
        """The effective key -> value nodes of a mapping, merge keys applied first-source-wins."""
        node = self.root if node is None else node
        if not isinstance(node, yaml.MappingNode):
            return {}
        found = self._merged.get(id(node))
        return found if found is not None else self._merge(node)

    def spend(self, work: int, node: yaml.Node) -> None:
        """Charge ``work`` to the alias budget; an InputError once it runs out."""
        self.budget -= work
        if self.budget < 0:
            raise InputError(
                "excessive YAML aliasing (an alias bomb); the Pulumi engine refuses it",
                file=self.file, line=node.start_mark.line + 1,
                fix="remove the nested aliases",
            )  # fmt: skip

    def _merge(self, node: yaml.MappingNode) -> dict[str, yaml.Node]:
        """Effective mappings, each computed once, sources before the mappings that merge them.

        Iterative (a chain of 10,000 merges cannot exhaust the stack) and memoized (a merge-key
        bomb, 10 sources of 10 sources of..., costs its size, not 10^n).
        """
        plain = _plain_entries(node, self._duplicates, self._false_merges)
        if plain is not None:  # no merge key, the common case: no machinery needed
            self._merged[id(node)] = plain
            return plain
        done, open_ = self._merged, set()
        stack: list[tuple[yaml.MappingNode, bool]] = [(node, False)]
        while stack:
            current, ready = stack.pop()
            key = id(current)
            if key in done:
                continue
            if ready:
                done[key] = self._combine(current)
                open_.discard(key)
                continue
            if key in open_:
                continue  # a merge cycle: _visit refuses the file; read as empty meanwhile
            open_.add(key)
            stack.append((current, True))
            for source in reversed(_merge_sources(current)):
                if id(source) not in done and id(source) not in open_:
                    stack.append((source, False))
        return done[id(node)]

    def _combine(self, node: yaml.MappingNode) -> dict[str, yaml.Node]:
        explicit: dict[str, yaml.Node] = {}
        merged: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            if is_merge_key(key_node):
                for source in _merge_list(value_node):
                    entries = self._merged.get(id(source), {})
                    self.spend(1 + len(entries), source)
                    for key, value in entries.items():
                        merged.setdefault(key, value)  # yaml.v3: the first source wins
                continue
            name = scalar_text(key_node)
            if name is not None and name not in explicit:
                explicit[name] = value_node
        return {**merged, **explicit}

    def get(self, *keys: str) -> yaml.Node | None:
        node = self.root
        for key in keys:
            node = self.mapping(node).get(key) if node is not None else None
        return node


def load_yaml(text: str, file: str) -> YamlDocument:
    """Compose one YAML document; any failure becomes an InputError naming the file and line."""
    (document,) = _load(text, file, several=False)
    return document


def load_yaml_documents(text: str, file: str) -> list[YamlDocument]:
    """Every document of a YAML stream (a Kubernetes manifest's ``---``), each read as
    ``load_yaml`` reads one; empty documents are left out."""
    return [d for d in _load(text, file, several=True) if d.root is not None]


def _load(text: str, file: str, *, several: bool) -> list[YamlDocument]:
    try:
        roots = _compose_all(text, file) if several else [_compose(text, file)]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        if "maximum nesting depth" in str(exc.problem):  # libyaml's scanner, reading ahead
            raise _too_deep(file, line) from None
        raise InputError(
            f"invalid YAML: {exc.problem or exc.context}",
            file=file, line=line, fix="fix the syntax so `pulumi` can read the file",
        ) from None  # fmt: skip
    except yaml.composer.ComposerError as exc:  # e.g. several documents
        raise InputError(f"invalid YAML: {exc}", file=file, fix="keep one document") from None
    except yaml.YAMLError as exc:
        raise InputError(f"invalid YAML: {exc}", file=file, fix="fix the file") from None
    except RecursionError:
        raise _too_deep(file, None) from None
    except (ValueError, UnicodeError) as exc:
        raise InputError(
            f"unreadable YAML: {exc}", file=file, fix="save it as UTF-8 text"
        ) from None
    documents = []
    for root in roots:
        document = YamlDocument(file, root, size=len(text), text=text)
        if root is not None:
            try:
                _check_structure(document, 3 * len(text) + 1, aliased="*" in text)
            except RecursionError:  # never expected (every walk is iterative): fail closed
                raise _too_deep(file, None) from None
            for key_node in document._false_merges:
                document.ambiguities.append(_false_merge(key_node))
        documents.append(document)
    return documents


def _false_merge(key_node: yaml.Node) -> Ambiguity:
    return Ambiguity.at(
        key_node,
        f"'!!merge {key_node.value}' is the plain key '{key_node.value}' to the Pulumi engine "
        "(yaml.v3 merges only '<<'); PyYAML-based tools merge its value instead",
        f"write '<<:' to merge, or drop the '!!merge' tag to keep the key '{key_node.value}'",
    )


def _too_deep(file: str, line: int | None) -> InputError:
    return InputError(
        f"YAML nested too deeply to read safely (residency-guard reads {MAX_DEPTH} levels, "
        "the Pulumi engine 10,000)", file=file, line=line, fix="flatten the document",
    )  # fmt: skip


def _check_size(text: str, file: str) -> None:
    """Refuse a document nested or sized beyond reason from its events, before composing it.

    Events stream in constant memory: a 10,000-level document or a million nodes is refused
    here instead of in the composer (libyaml's own limit, or Python's recursion limit).
    """
    depth = nodes = 0
    for event in yaml.parse(text, Loader=_Loader):
        line = event.start_mark.line + 1 if event.start_mark else None
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                raise _too_deep(file, line)
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
        if isinstance(event, yaml.NodeEvent):
            nodes += 1
            if nodes > MAX_NODES:
                raise InputError(
                    f"YAML document with more than {MAX_NODES:,} values; residency-guard "
                    "refuses to read it", file=file, line=line, fix="scan the real stack file",
                )  # fmt: skip


# Every collection opens at an indicator of its own ("-", ":", "?", "[", "{"), so a document's
# depth is at most the number of those characters; every node is a character of its own (a
# collection's indicator, a scalar's text, an alias's "*") or one of at most two empty scalars
# an indicator implies ("?" alone is a mapping of null to null), so at most 3 per character.
_INDICATORS = "-:?[{"


def _below_limits(text: str) -> bool:
    """Whether ``text`` is too small to reach MAX_DEPTH or MAX_NODES, whatever it holds."""
    return 3 * len(text) + 1 <= MAX_NODES and sum(map(text.count, _INDICATORS)) <= MAX_DEPTH


def _compose(text: str, file: str) -> yaml.Node | None:
    """``_check_size`` then compose, as seen from outside; the event pass costs as much as the
    composer itself, so a document that cannot fail it is composed first and the pass runs
    only if composing fails (its error, a parse error found first, is the one reported)."""
    if not _below_limits(text):
        _check_size(text, file)
        return yaml.compose(text, Loader=_Reader)
    try:
        return yaml.compose(text, Loader=_Reader)
    except Exception:
        _check_size(text, file)
        raise


def _compose_all(text: str, file: str) -> list[yaml.Node]:
    """``_compose`` for a stream of documents."""
    if not _below_limits(text):
        _check_size(text, file)
    try:
        return list(yaml.compose_all(text, Loader=_Reader))
    except Exception:
        _check_size(text, file)
        raise


def is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.tag == NULL_TAG


def scalar_text(node: yaml.Node | None) -> str | None:
    if isinstance(node, yaml.ScalarNode) and node.tag != NULL_TAG:
        return str(node.value)
    return None


def _plain_entries(
    node: yaml.MappingNode,
    duplicates: dict[int, list[tuple[str, yaml.Node, yaml.Node, yaml.Node]]],
    false_merges: list[yaml.Node],
) -> dict[str, yaml.Node] | None:
    """A mapping's entries as ``_combine`` reads them, or None when it has a merge key; keys
    written twice go to ``duplicates``, keys tagged ``!!merge`` that are no ``<<`` to
    ``false_merges``."""
    entries: dict[str, yaml.Node] = {}
    keys: dict[str, yaml.Node] = {}
    twice = []
    tagged = []
    for key_node, value_node in node.value:
        if key_node.tag == MERGE_TAG:
            if key_node.value == "<<":
                return None
            tagged.append(key_node)
        name = scalar_text(key_node)
        if name is None:
            continue
        if name in entries:
            twice.append((name, keys[name], key_node, value_node))
        else:
            entries[name] = value_node
            keys[name] = key_node
    duplicates[id(node)] = twice  # even empty: marks the mapping as read here
    false_merges.extend(tagged)
    return entries


def _merge_list(node: yaml.Node) -> list[yaml.MappingNode]:
    """``<<: *a`` or ``<<: [*a, *b]``: the mappings merged, in order."""
    sources = list(node.value) if isinstance(node, yaml.SequenceNode) else [node]
    return [source for source in sources if isinstance(source, yaml.MappingNode)]


def _merge_sources(node: yaml.MappingNode) -> list[yaml.MappingNode]:
    """Every mapping merged into ``node``, in order."""
    return [
        source
        for key_node, value_node in node.value
        if is_merge_key(key_node)
        for source in _merge_list(value_node)
    ]


def _check_structure(
    document: YamlDocument, most_nodes: int | None = None, *, aliased: bool = True
) -> None:
    """Refuse what yaml.v3 refuses; note what PyYAML-based tools would read differently.

    ``most_nodes`` bounds the document's distinct nodes (3 per character of its text): when
    even that many earn no more than the floor, the budget is the floor without counting.
    A document without aliases (no ``*`` in its text) shares no node: none can hold itself
    and no expansion can outgrow its size, so only its mappings are read.
    """
    if not aliased:
        _note_mappings(document)
        return
    if most_nodes is not None and _VISIT_FACTOR * most_nodes <= _VISIT_FLOOR:
        document.budget = _VISIT_FLOOR
    else:
        distinct = len(distinct_nodes(document.root))
        document.budget = max(_VISIT_FLOOR, _VISIT_FACTOR * max(1, distinct))
    _visit(document, document.root)


def _visit(document: YamlDocument, root: yaml.Node | None) -> None:
    """Every node as the engine expands it: an alias bomb exhausts the budget, a node inside
    itself is refused. Iterative, with the open nodes in a set (constant work per node), so
    that deep nesting can exhaust neither the stack nor the time."""
    checked: set[int] = set()
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)] if root is not None else []
    while stack:
        node, leaving = stack.pop()
        if leaving:
            open_nodes.discard(id(node))
            continue
        document.spend(1, node)
        if id(node) in open_nodes:
            raise InputError(
                "a YAML alias refers to itself; the Pulumi engine refuses it",
                file=document.file, line=node.start_mark.line + 1,
                fix="replace the alias with the values it stands for",
            )  # fmt: skip
        if isinstance(node, yaml.ScalarNode):
            continue
        open_nodes.add(id(node))
        stack.append((node, True))
        if isinstance(node, yaml.MappingNode):
            if id(node) not in checked:
                checked.add(id(node))
                _note_mapping(document, node)
            for _key_node, value_node in node.value:
                stack.append((value_node, False))
        elif isinstance(node, yaml.SequenceNode):
            for child in node.value:
                stack.append((child, False))


def _note_mappings(document: YamlDocument) -> None:
    """``_note_mapping`` for every mapping of a document without aliases, in _visit's order."""
    stack: list[yaml.Node] = [document.root] if document.root is not None else []
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            _note_mapping(document, node)
            stack.extend(value_node for _key_node, value_node in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)


def _note_mapping(document: YamlDocument, node: yaml.MappingNode) -> None:
    document.mapping(node)  # merges resolved here, inside load_yaml's budget
    twice = document._duplicates.get(id(node))
    if twice is not None:  # a mapping without merge keys, read by _plain_entries
        for name, first, later, _value in twice:
            document.ambiguities.append(_duplicate_key(name, first, later))
        return
    seen: dict[str, yaml.Node] = {}
    for key_node, _value_node in node.value:
        if key_node.tag == MERGE_TAG and not is_merge_key(key_node):
            document._false_merges.append(key_node)
        key = "<<" if is_merge_key(key_node) else scalar_text(key_node)
        if key is None:
            continue
        if key in seen:
            document.ambiguities.append(_duplicate_key(key, seen[key], key_node))
        else:
            seen[key] = key_node
    merge_sources = _merge_sources(node)
    if len(merge_sources) > 1:
        explicit = set(seen)
        first_values: dict[str, yaml.Node] = {}
        for source in merge_sources:
            entries = document.mapping(source)
            document.spend(len(entries), source)
            for key, value in entries.items():
                if key in explicit:
                    continue
                if key in first_values and not _same(first_values[key], value):
                    document.ambiguities.append(
                        Ambiguity.at(
                            value,
                            f"merge sources disagree on '{key}': the Pulumi engine takes the "
                            "first source's value, PyYAML 6.0.4 the last",
                            f"set '{key}' explicitly in the mapping",
                        )
                    )
                first_values.setdefault(key, value)


def _duplicate_key(key: str, first: yaml.Node, key_node: yaml.Node) -> Ambiguity:
    return Ambiguity.at(
        key_node,
        f"duplicate key '{key}' (first at line {first.start_mark.line + 1}): the "
        "Pulumi engine refuses the file, PyYAML-based tools silently keep the last",
        f"keep one '{key}'",
    )


def _same(a: yaml.Node, b: yaml.Node) -> bool:
    if a is b:
        return True
    return isinstance(a, yaml.ScalarNode) and isinstance(b, yaml.ScalarNode) and a.value == b.value


# One node to walk: (node, path, name, hot, the entry name a Key Vault secret's `properties`
# inherits).
_Step = tuple[yaml.Node, tuple[str | int, ...], str, bool, str]


def walk_yaml(
    document: YamlDocument,
    node: yaml.Node | None = None,
    path: tuple[str | int, ...] = (),
    name: str = "",
    gate: Gate | None = None,
) -> Iterator[Value]:
    """Every string of the effective document, with its line; `secure:` values marked secret.

    With ``gate``, only the strings it keeps (and everything decoded from them) (``walk_data``).
    """
    start = document.root if node is None else node
    if start is None:
        return
    decode_budget = max(_DECODE_FLOOR, _DECODE_FACTOR * document.size)
    hot = gate is None or any(isinstance(p, str) and gate.hot_key(p) for p in path)
    stack: list[_Step] = [(start, path, name, hot, "")]
    while stack:
        current, current_path, name, current_hot, inherited = stack.pop()
        if isinstance(current, yaml.ScalarNode):
            scalar = scalar_text(current)
            if not (current_hot or gate is None or gate.keep(scalar or "", name)):
                continue
            value = _scalar_value(current, scalar, current_path, name)
            if value is None:
                continue
            yield value
            forms = decoded_forms(scalar) if scalar is not None else []
            if forms:
                decode_budget -= len(value.text)
                if decode_budget < 0:
                    raise _decoded_too_often(document, value.line)
                yield from _decoded_values(forms, value)
        elif isinstance(current, yaml.MappingNode):
            entries = _all_entries(document, current)
            secure = entries.get("secure")
            if secure is not None and len(entries) == 1:
                if current_hot or gate is None or gate.keep("", name):
                    yield _encrypted_value(secure, current_path, name)
                continue
            entry = inherited or _entry_name(document, entries)
            _push_entries(stack, document, current, entries, current_path, current_hot, entry, gate)
        elif isinstance(current, yaml.SequenceNode):
            for index in range(len(current.value) - 1, -1, -1):
                stack.append((current.value[index], (*current_path, index), name, current_hot, ""))


def _scalar_value(
    node: yaml.ScalarNode, text: str | None, path: tuple[str | int, ...], name: str
) -> Value | None:
    """A scalar as a value; a null only where it is an empty endpoint setting."""
    line, column = node.start_mark.line + 1, node.start_mark.column + 1
    if text is None:
        # `OPENAI_BASE_URL:` with no value is an empty setting: the client's default, global
        # host. Other nulls say nothing.
        empty = Value(path, "", name, line, column)
        return empty if is_endpoint_value(empty) else None
    return Value(path, text, name, line, column)


def _decoded_values(forms: list[tuple[str, Any]], value: Value) -> Iterator[Value]:
    """What a scalar's encoded text (JSON, base64) holds, each at the scalar's place."""
    for kind, inner in forms:
        for found in walk_data(inner, value.path, name=value.name):
            yield Value(
                found.path, found.text, found.name, value.line, value.column,
                secret=found.secret, unknown=found.unknown, decoded=kind,
            )  # fmt: skip


def _decoded_too_often(document: YamlDocument, line: int) -> InputError:
    return InputError(
        "excessive YAML aliasing of encoded text (JSON or base64 decoded again "
        f"at every alias, beyond {_DECODE_FACTOR}x the file's size)",
        file=document.file, line=line,
        fix="write the encoded value once instead of aliasing it",
    )  # fmt: skip


def _encrypted_value(secure: yaml.Node, path: tuple[str | int, ...], name: str) -> Value:
    """``{secure: v1:...}``: a secret whose text only the engine can decrypt."""
    return Value(
        path, "", name, secure.start_mark.line + 1, secure.start_mark.column + 1,
        secret=True, unknown=True,
    )  # fmt: skip


def _entry_name(document: YamlDocument, entries: Mapping[str, yaml.Node]) -> str:
    """The name a mapping gives its value when it is a named entry (``{name: X, value: Y}``,
    a Key Vault secret's ``properties.value``), else ""."""
    properties = entries.get(ENTRY_PROPERTIES)
    return entry_name(
        any(key in entries for key in ENTRY_VALUE_KEYS)
        or (
            isinstance(properties, yaml.MappingNode)
            and "value" in _all_entries(document, properties)
        ),
        functools.partial(_entry_text, entries),
    )


def _push_entries(
    stack: list[_Step], document: YamlDocument, node: yaml.MappingNode,
    entries: Mapping[str, yaml.Node], path: tuple[str | int, ...], hot: bool, entry: str,
    gate: Gate | None,
) -> None:  # fmt: skip
    """A mapping's entries onto the walk, in document order, then the values hidden behind a
    later duplicate key (scanned too, since a reader may take them)."""
    for key, child in reversed(list(entries.items())):
        child_name = entry if (entry and key in ENTRY_VALUE_KEYS) else key
        child_hot = hot or gate is None or gate.hot_key(key)
        # A Key Vault secret's value is its `properties.value`.
        passed = entry if key == ENTRY_PROPERTIES else ""
        stack.append((child, (*path, key), child_name, child_hot, passed))
    for key, child in reversed(_duplicate_entries(document, node)):
        child_hot = hot or gate is None or gate.hot_key(key)
        stack.append((child, (*path, key), key, child_hot, ""))


def _entry_text(entries: Mapping[str, yaml.Node], key: str) -> str | None:
    return scalar_text(entries.get(key))


def _all_entries(document: YamlDocument, node: yaml.MappingNode) -> dict[str, yaml.Node]:
    return document.mapping(node)


def _duplicate_entries(
    document: YamlDocument, node: yaml.MappingNode
) -> list[tuple[str, yaml.Node]]:
    """Values hidden behind a later duplicate key: scanned too, since a reader may take them."""
    twice = document._duplicates.get(id(node))
    if twice is not None:  # a mapping without merge keys, read by _plain_entries
        return [(key, value) for key, _first, _key_node, value in twice]
    seen: set[str] = set()
    hidden = []
    for key_node, value_node in node.value:
        key = scalar_text(key_node)
        if key is None or is_merge_key(key_node):
            continue
        if key in seen:
            hidden.append((key, value_node))
        seen.add(key)
    return hidden
