"""Pulumi ESC environments a stack imports, evaluated statically from definition files.

A stack file's ``environment:`` names environments (``proj/env``, legacy ``env``) or holds an
inline definition. Each name is read from the ESC folder (``esc:`` in residency-guard.yaml,
default ``esc/`` beside it or beside ``Pulumi.yaml``) as ``<esc>/proj/env.yaml``, written by
hand or exported with ``esc env get proj/env --definition``.

Evaluation follows ESC's own (pulumi/esc ``eval``): ``imports:`` first, each merged in order
per JSON merge patch (unless ``merge: false``), then ``values:`` over them; references
``${path}`` are early-bound (they see this environment and its imports); ``$$`` is a literal
``$``. Static builtins are computed (``fn::join``, ``fn::concat``, ``fn::toJSON``,
``fn::toString``, ``fn::toBase64``, ``fn::fromBase64``, ``fn::fromJSON``, ``fn::split``,
``fn::final``, ``fn::validate``, ``fn::toYAML``). What only ESC knows at open time
(``fn::open``, ``fn::rotate``, ``context``, a ciphertext) stays unresolved: a dynamic value
reads as ``${fn::open::<provider>}``, a reference to it keeps its ``${...}`` text, and a
ciphertext is an encrypted secret.

The stack sees ``environmentVariables``, ``pulumiConfig`` (stack config, below the stack
file's own values) and ``files``: those are the values this module hands on.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeAlias

import yaml

from residency_guard.configkeys import engine_key
from residency_guard.errors import InputError
from residency_guard.keys import is_endpoint_value
from residency_guard.ownyaml import refuse_duplicate_keys
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.document import MissingEnvironment
from residency_guard.sources.files import read_text
from residency_guard.stackregion import REGION_KEY, Declaration, RegionSource
from residency_guard.values import Value, decoded_forms, loads_json, walk_data
from residency_guard.yamlfile import YamlDocument, is_null, load_yaml, scalar_text

# The properties of an opened environment that reach a stack (ESC's reserved properties).
EXPOSED = ("environmentVariables", "pulumiConfig", "files")
# An environment definition is small; a larger file is an accident.
MAX_ESC_BYTES = 4 * 1024 * 1024
_DYNAMIC = ("fn::open", "fn::rotate")
_REFERENCE = re.compile(r"\$\{([^}]*)\}")
_PATH_PART = re.compile(r'\.?([^.\[\]"]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


@dataclass(frozen=True)
class Leaf:
    """An evaluated scalar and where its expression is written."""

    text: str | None  # None: null
    file: str
    line: int
    column: int
    secret: bool = False
    unknown: bool = False  # encrypted: known to be there, not what it is
    dynamic: str = ""  # what only ESC knows when it opens ("fn::open::aws-secrets")


Tree: TypeAlias = dict[str, "Tree"] | list["Tree"] | Leaf
Reader: TypeAlias = Callable[[Path, int], str]  # a file's text, within a size limit


@dataclass
class Resolved:
    """What the environments a stack imports give it."""

    values: dict[str, list[Value]] = field(default_factory=dict)  # by the file they live in
    declarations: list[Declaration] = field(default_factory=list)
    missing: list[MissingEnvironment] = field(default_factory=list)
    config_keys: set[str] = field(default_factory=set)  # pulumiConfig keys it sets
    # Every definition file read for the stack (imports too), by its name: a plaintext key in
    # one is a leak wherever it sits, exported or not, overridden or not.
    definitions: dict[str, YamlDocument] = field(default_factory=dict)


def environment_file(folder: Path, name: str) -> Path:
    """``proj/env`` -> ``<esc>/proj/env.yaml``; legacy ``env`` -> ``<esc>/env.yaml``.

    A version suffix (``proj/env@stable``, ``@3``) names a revision of the same definition.
    """
    bare = name.split("@", 1)[0].strip().strip("/")
    return folder.joinpath(*bare.split("/")).with_suffix(".yaml") if bare else folder


def esc_folder(repo: RepoConfig, stack_file: Path, project_file: Path | None) -> Path | None:
    """``esc:`` of residency-guard.yaml (as written, found or not), else the first ``esc/``
    that exists beside residency-guard.yaml, ``Pulumi.yaml`` or the stack file."""
    if repo.esc is not None:
        return repo.esc
    candidates = [
        *([repo.path.parent / "esc"] if repo.path is not None else []),
        *([project_file.parent / "esc"] if project_file is not None else []),
        stack_file.parent / "esc",
    ]
    return next((c for c in candidates if c.is_dir()), None)


def resolve_stack_environment(
    document: YamlDocument, folder: Path | None, project: str = "",
    shared: dict[Any, Any] | None = None, read: Reader | None = None,
) -> Resolved:  # fmt: skip
    """The values, declarations and missing imports of a stack file's ``environment:``.

    ``shared`` keeps what one run reads for many stacks: each definition, parsed once, and
    each environment, evaluated once (an environment does not depend on who imports it:
    references are early-bound), unless its evaluation found an import missing (that is
    reported for each stack, so it is evaluated again). ``read`` reads a definition's text
    (the run's reader: the suppression pass reads the same texts).
    """
    node = document.get("environment")
    resolved = Resolved()
    if node is None or is_null(node):
        return resolved
    evaluator = _Evaluator(folder, resolved.missing, shared if shared is not None else {}, read)
    if isinstance(node, yaml.SequenceNode):
        tree = evaluator.imports_of(document, node, {})
    elif isinstance(node, yaml.MappingNode):
        tree = evaluator.evaluate(document, node)  # an inline definition
    else:
        raise InputError(
            "`environment:` is a list of ESC environment names or a definition",
            file=document.file, line=node.start_mark.line + 1,
            fix="write `environment: [proj/env]`",
        )  # fmt: skip
    resolved.definitions = {
        str(path): evaluator.definition(path, "") for path in sorted(evaluator.read[0])
    }
    for section in EXPOSED:
        part = tree.get(section) if isinstance(tree, dict) else None
        if part is None:
            continue
        for value, file in _values(part, ("values", section), section):
            resolved.values.setdefault(file, []).append(value)
    config = tree.get("pulumiConfig") if isinstance(tree, dict) else None
    if isinstance(config, dict):
        resolved.config_keys = set(config)
        for key, item in config.items():
            full = engine_key(key, project or None) or key
            if full == REGION_KEY and isinstance(item, Leaf) and item.text and not item.dynamic:
                where = f"{item.file}:{item.line}"
                resolved.declarations.append(
                    Declaration(item.text, RegionSource.ESC, where, item.line, item.file)
                )
    return resolved


class _Evaluator:
    """Environments by name, each evaluated once; an import cycle is an InputError."""

    def __init__(
        self, folder: Path | None, missing: list[MissingEnvironment], shared: dict[Any, Any],
        read: Reader | None = None,
    ) -> None:  # fmt: skip
        self.folder = folder
        self.missing = missing
        self.shared = shared
        self.read_text = read
        self.done: dict[str, dict[str, Tree] | None] = {}
        self.open: list[str] = []
        # The definition files each environment being evaluated reads (its imports' too).
        self.read: list[set[Path]] = [set()]

    def environment(self, name: str, file: str, line: int) -> dict[str, Tree] | None:
        key = name.split("@", 1)[0].strip()
        if key in self.open:
            cycle = " -> ".join([*self.open[self.open.index(key) :], key])
            raise InputError(
                f"ESC import cycle: {cycle}", file=file, line=line,
                fix="remove one of the imports",
            )  # fmt: skip
        if key in self.done:
            self.read[-1] |= self.shared.get(("files", str(self.folder), key), set())
            return self.done[key]
        evaluated = self.shared.get(("env", str(self.folder), key))
        if evaluated is not None:
            self.done[key] = evaluated
            self.read[-1] |= self.shared.get(("files", str(self.folder), key), set())
            return evaluated  # type: ignore[no-any-return]
        path = environment_file(self.folder, key) if self.folder is not None else None
        if path is None or not path.is_file():
            alternative = path.with_suffix(".yml") if path is not None else None
            if alternative is None or not alternative.is_file():
                self.missing.append(MissingEnvironment(key, str(path or ""), file, line))
                self.done[key] = None
                return None
            path = alternative
        document = self.definition(path, key)
        missing_before = len(self.missing)
        self.open.append(key)
        self.read.append({path})
        try:
            result = self.evaluate(document, document.root)
        finally:
            self.open.pop()
            files = self.read.pop()
        self.read[-1] |= files
        self.shared[("files", str(self.folder), key)] = files
        self.done[key] = result
        if len(self.missing) == missing_before:
            self.shared[("env", str(self.folder), key)] = result
        return result

    def definition(self, path: Path, key: str) -> YamlDocument:
        """A definition file, parsed and checked once per run."""
        found = self.shared.get(("file", path))
        if found is not None:
            return found  # type: ignore[no-any-return]

        read: Reader = self.read_text or read_text
        document = load_yaml(read(path, MAX_ESC_BYTES), str(path))
        root = document.root
        if root is not None:  # a file of ours: a duplicate key is an input error (ownyaml)
            refuse_duplicate_keys(root, str(path), InputError)
        if root is not None and not isinstance(root, yaml.MappingNode) and not is_null(root):
            raise InputError(
                "an ESC environment definition is a mapping (imports:, values:)",
                file=str(path), line=1, fix=f"export it: esc env get {key} --definition",
            )  # fmt: skip
        self.shared[("file", path)] = document
        return document

    def imports_of(
        self, document: YamlDocument, node: yaml.Node, imported: dict[str, Tree]
    ) -> dict[str, Tree]:
        """The merged values of an ``imports:`` list; ``imported`` gets each by name."""
        base: dict[str, Tree] = {}
        if not isinstance(node, yaml.SequenceNode):
            if node is not None and not is_null(node):
                raise InputError(
                    "ESC `imports:` is a list of environment names", file=document.file,
                    line=node.start_mark.line + 1, fix="write `imports: [proj/env]`",
                )  # fmt: skip
            return base
        for item in node.value:
            name, merge = scalar_text(item), True
            if isinstance(item, yaml.MappingNode) and len(item.value) == 1:
                key_node, meta = item.value[0]
                name = scalar_text(key_node)
                merge = scalar_text(document.mapping(meta).get("merge")) not in ("false", "False")
            if not name:
                raise InputError(
                    "an ESC import is an environment name", file=document.file,
                    line=item.start_mark.line + 1, fix="write `- proj/env`",
                )  # fmt: skip
            found = self.environment(name, document.file, item.start_mark.line + 1)
            if found is None:
                continue
            imported[name] = found
            if merge:
                base = _merge_patch(base, found)
        return base

    def evaluate(self, document: YamlDocument, root: yaml.Node | None) -> dict[str, Tree]:
        """One environment definition: its imports, then its values over them."""
        entries = document.mapping(root)
        imported: dict[str, Tree] = {}
        base = self.imports_of(document, entries.get("imports"), imported)  # type: ignore[arg-type]
        values = entries.get("values")
        if values is None or is_null(values):
            return base
        if not isinstance(values, yaml.MappingNode):
            raise InputError(
                "ESC `values:` is a mapping", file=document.file,
                line=values.start_mark.line + 1, fix="see https://www.pulumi.com/docs/esc/reference/",
            )  # fmt: skip
        scope = _Scope(self, document, imported)
        merged = scope.overlay(base, values)
        assert isinstance(merged, dict)
        scope.root = merged
        result = scope.resolve(merged)
        assert isinstance(result, dict)
        return result


@dataclass
class _Pending:
    """An expression of this environment, not evaluated yet."""

    node: yaml.Node
    state: int = 0  # 0 new, 1 evaluating, 2 done
    value: Tree | None = None


_Node: TypeAlias = dict[str, "_Node"] | list["_Node"] | Leaf | _Pending


class _Scope:
    """One environment's values over its imports: references resolve here (early binding)."""

    def __init__(
        self, evaluator: _Evaluator, document: YamlDocument, imported: dict[str, Tree]
    ) -> None:
        self.evaluator = evaluator
        self.document = document
        self.imported = imported
        self.root: dict[str, _Node] = {}

    def overlay(self, base: Any, node: yaml.Node) -> _Node:
        """``node``'s expressions over ``base`` (JSON merge patch: objects merge key by key)."""
        entries = self.document.mapping(node) if isinstance(node, yaml.MappingNode) else None
        if entries is None or _builtin(entries) is not None:
            return _Pending(node)
        merged: dict[str, Any] = dict(base) if isinstance(base, dict) else {}
        for key, child in entries.items():
            previous = merged.get(key)
            merged[key] = self.overlay(previous if not isinstance(previous, _Pending) else None,
                                       child)  # fmt: skip
        return merged

    def resolve(self, item: _Node) -> Tree:
        if isinstance(item, _Pending):
            return self.pending(item)
        if isinstance(item, dict):
            return {key: self.resolve(child) for key, child in item.items()}
        if isinstance(item, list):
            return [self.resolve(child) for child in item]
        return item

    def pending(self, item: _Pending) -> Tree:
        if item.state == 2:
            assert item.value is not None
            return item.value
        if item.state == 1:
            raise InputError(
                "cyclic reference in ESC values", file=self.document.file,
                line=item.node.start_mark.line + 1, fix="break the cycle of ${...} references",
            )  # fmt: skip
        item.state = 1
        item.value = self.expression(item.node)
        item.state = 2
        return item.value

    def leaf(self, node: yaml.Node, text: str | None, **flags: object) -> Leaf:
        mark = node.start_mark
        return Leaf(text, self.document.file, mark.line + 1, mark.column + 1, **flags)  # type: ignore[arg-type]

    def expression(self, node: yaml.Node) -> Tree:
        if isinstance(node, yaml.ScalarNode):
            text = scalar_text(node)
            if text is None or "$" not in text:
                return self.leaf(node, text)
            return self.interpolate(node, text)
        if isinstance(node, yaml.SequenceNode):
            return [self.expression(child) for child in node.value]
        entries = self.document.mapping(node)
        name = _builtin(entries)
        if name is None:
            return {key: self.expression(child) for key, child in entries.items()}
        return self.builtin(node, name, entries[name])

    def interpolate(self, node: yaml.Node, text: str) -> Tree:
        """``${path}`` alone is the value it names; inside text, its string form."""
        bare = _REFERENCE.fullmatch(text)
        if bare is not None and "$$" not in text:
            found = self.lookup(bare.group(1))
            if found is not None:
                return _relocated(found, self.leaf(node, None))
            return self.leaf(node, text)
        secret = unknown = False
        out: list[str] = []
        position = 0
        while position < len(text):
            if text.startswith("$$", position):
                out.append("$")
                position += 2
                continue
            match = _REFERENCE.match(text, position)
            if match is None:
                out.append(text[position])
                position += 1
                continue
            position = match.end()
            found = self.lookup(match.group(1))
            rendered = _string_form(found) if found is not None else None
            if rendered is None:
                out.append(match.group(0))  # unresolved: its ${...} stays for the rules to see
                if isinstance(found, Leaf):
                    secret = secret or found.secret
                continue
            out.append(rendered[0])
            secret = secret or rendered[1]
            unknown = unknown or rendered[2]
        return self.leaf(node, "".join(out), secret=secret, unknown=unknown)

    def lookup(self, reference: str) -> Tree | None:
        """The value a reference names; None when only ESC could know it."""
        parts = _parse_path(reference.strip())
        if not parts:
            return None
        head = parts[0]
        current: Any  # a tree being walked: evaluated or not
        if head == "context":
            return None
        if head == "imports":
            current, parts = self.imported, parts[1:]
            if parts and isinstance(parts[0], str) and parts[0] not in self.imported:
                return None
        elif head == "environments" and len(parts) >= 3:
            name = f"{parts[1]}/{parts[2]}"
            current = self.evaluator.environment(name, self.document.file, 0)
            parts = parts[3:]
        else:
            current = self.root
        for part in parts:
            if isinstance(current, _Pending):
                current = self.pending(current)
            if isinstance(current, dict) and isinstance(part, str):
                current = current.get(part)
            elif isinstance(current, list) and isinstance(part, int) and part < len(current):
                current = current[part]
            else:
                return None
            if current is None:
                return None
        if isinstance(current, _Pending):
            current = self.pending(current)
        resolved = self.resolve(current) if current is not None else None
        if isinstance(resolved, Leaf) and resolved.dynamic:
            return None  # its ${...} stays: only ESC knows it
        return resolved

    def builtin(self, node: yaml.Node, name: str, argument: yaml.Node) -> Tree:
        if name == "fn::secret":
            entries = self.document.mapping(argument)
            if "ciphertext" in entries:
                return self.leaf(node, "", secret=True, unknown=True)
            # Plain text under fn::secret is in the file as written until `esc` encrypts it
            # on save: the repository holds it in the clear (RG007 says so).
            return self.expression(argument)
        if name.startswith(_DYNAMIC):
            provider = name if "::" in name[4:] else _provider(self.document, argument, name)
            return self.leaf(node, "${" + provider + "}", dynamic=provider)
        value = self.expression(argument)
        if name == "fn::final":
            return value
        if name == "fn::validate":  # {schema: ..., value: ...}: the value, as ESC returns it
            return value.get("value", self.leaf(node, None)) if isinstance(value, dict) else value
        if name == "fn::toYAML":
            return self.text_of(node, value, _yaml_text)
        if name == "fn::toJSON":
            return self.text_of(node, value, lambda data: json.dumps(data, separators=(",", ":")))
        if name == "fn::toString":
            return self.text_of(node, value, _to_string)
        if name == "fn::toBase64":
            return self.text_of(node, value, lambda data: base64.b64encode(
                _to_string(data).encode()).decode())  # fmt: skip
        if name == "fn::fromBase64":
            return self.text_of(node, value, lambda data: _from_base64(_to_string(data)))
        if name == "fn::fromJSON" and isinstance(value, Leaf) and value.text is not None:
            try:
                return _tree_of(loads_json(value.text), value)
            except ValueError:
                return value
        if name == "fn::join" and isinstance(value, list) and len(value) == 2:
            separator, items = value
            if isinstance(separator, Leaf) and isinstance(items, list):
                return self.text_of(node, items, lambda data: str(separator.text or "").join(
                    _to_string(item) for item in data))  # fmt: skip
        if name == "fn::split" and isinstance(value, list) and len(value) == 2:
            separator, text = value
            if isinstance(separator, Leaf) and isinstance(text, Leaf) and text.text is not None:
                pieces = text.text.split(separator.text or "")
                return [replace(text, text=piece) for piece in pieces]
        if name == "fn::concat" and isinstance(value, list):
            return [item for part in value if isinstance(part, list) for item in part]
        if name in _STATIC:
            return self.leaf(node, "${" + name + "}", dynamic=name)  # arguments only ESC knows
        raise InputError(
            f"unknown ESC function '{name}'", file=self.document.file,
            line=node.start_mark.line + 1,
            fix="see https://www.pulumi.com/docs/esc/reference/ for the builtin functions",
        )  # fmt: skip

    def text_of(self, node: yaml.Node, value: Tree, render: object) -> Leaf:
        """A builtin's string result; unresolved when its argument is not fully known."""
        data = _plain(value)
        if data is _UNKNOWN:
            return self.leaf(node, "${fn::...}", dynamic="fn")
        try:
            text = render(data)  # type: ignore[operator]
        except (TypeError, ValueError):
            return self.leaf(node, "${fn::...}", dynamic="fn")
        return self.leaf(node, str(text), secret=_secret(value))


_STATIC = frozenset(
    {"fn::join", "fn::split", "fn::concat", "fn::fromJSON", "fn::toJSON", "fn::toString",
     "fn::toBase64", "fn::fromBase64", "fn::final", "fn::validate", "fn::toYAML"}
)  # fmt: skip
_UNKNOWN = object()


def _builtin(entries: dict[str, yaml.Node]) -> str | None:
    if len(entries) != 1:
        return None
    (key,) = entries
    return key if key.startswith("fn::") else None


def _provider(document: YamlDocument, argument: yaml.Node, name: str) -> str:
    provider = scalar_text(document.mapping(argument).get("provider"))
    return f"{name}::{provider}" if provider else name


def _parse_path(reference: str) -> list[str | int]:
    parts: list[str | int] = []
    position = 0
    while position < len(reference):
        match = _PATH_PART.match(reference, position)
        if match is None or match.end() == position:
            return []
        name, index, quoted = match.groups()
        if index is not None:
            parts.append(int(index))
        elif quoted is not None:
            parts.append(quoted.replace('\\"', '"').replace("\\\\", "\\"))
        else:
            parts.append(name)
        position = match.end()
    return parts


def _merge_patch(base: dict[str, Tree], patch: dict[str, Tree]) -> dict[str, Tree]:
    """RFC 7396: objects merge key by key, anything else replaces."""
    merged = dict(base)
    for key, value in patch.items():
        previous = merged.get(key)
        if isinstance(value, dict) and isinstance(previous, dict):
            merged[key] = _merge_patch(previous, value)
        else:
            merged[key] = value
    return merged


def _relocated(found: Tree, at: Leaf) -> Tree:
    """A referenced scalar is reported where the reference is written (the stack reads it
    there); a referenced object keeps its own lines."""
    if isinstance(found, Leaf):
        return replace(found, file=at.file, line=at.line, column=at.column)
    return found


def _plain(value: Tree) -> object:
    """JSON data of a fully known tree, or _UNKNOWN."""
    if isinstance(value, Leaf):
        if value.unknown or value.dynamic or (value.text and "${" in value.text):
            return _UNKNOWN
        return value.text
    if isinstance(value, list):
        items = [_plain(item) for item in value]
        return _UNKNOWN if any(item is _UNKNOWN for item in items) else items
    entries = {key: _plain(item) for key, item in value.items()}
    return _UNKNOWN if any(item is _UNKNOWN for item in entries.values()) else entries


def _secret(value: Tree) -> bool:
    if isinstance(value, Leaf):
        return value.secret
    items = value.values() if isinstance(value, dict) else value
    return any(_secret(item) for item in items)


def _string_form(found: Tree) -> tuple[str, bool, bool] | None:
    """(text, secret, unknown) of a value interpolated into a string; None if unresolved."""
    if isinstance(found, Leaf):
        if found.dynamic:
            return None
        if found.unknown:
            return None
        return (found.text or "", found.secret, False)
    data = _plain(found)
    if data is _UNKNOWN:
        return None
    return (_to_string(data), _secret(found), False)


def _to_string(data: object) -> str:
    """A value as ESC writes it into a string (eval's toString): a list as its items quoted
    and joined by commas, an object as ``"key"="value"`` pairs in key order."""
    if isinstance(data, list):
        return ",".join(_quoted(_to_string(item)) for item in data)
    if isinstance(data, dict):
        return ",".join(
            f"{_quoted(key)}={_quoted(_to_string(data[key]))}" for key in sorted(data)
        )
    return "" if data is None else str(data)


def _quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # Go's %q for the text a config holds


def _from_base64(text: str) -> str:
    try:
        return base64.b64decode(text, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError) as exc:
        raise ValueError(str(exc)) from None


def _yaml_text(data: object) -> str:
    return yaml.safe_dump(data, default_flow_style=False)


def _tree_of(data: object, at: Leaf) -> Tree:
    if isinstance(data, dict):
        return {str(key): _tree_of(item, at) for key, item in data.items()}
    if isinstance(data, list):
        return [_tree_of(item, at) for item in data]
    text = None if data is None else (data if isinstance(data, str) else json.dumps(data))
    return replace(at, text=text)


def _values(tree: Tree, path: tuple[str | int, ...], name: str) -> Iterator[tuple[Value, str]]:
    """Every string of an evaluated tree as a value, with the file it is written in."""
    stack: list[tuple[Tree, tuple[str | int, ...], str]] = [(tree, path, name)]
    while stack:
        current, current_path, current_name = stack.pop()
        if isinstance(current, dict):
            for key in reversed(list(current)):
                stack.append((current[key], (*current_path, key), key))
            continue
        if isinstance(current, list):
            for index in range(len(current) - 1, -1, -1):
                stack.append((current[index], (*current_path, index), current_name))
            continue
        text = current.text or ""
        value = Value(
            current_path, text, current_name, current.line, current.column,
            secret=current.secret, unknown=current.unknown,
        )  # fmt: skip
        if current.text is None and not current.unknown and not is_endpoint_value(value):
            continue  # a null says nothing, but `OPENAI_BASE_URL:` is an empty setting
        yield value, current.file
        if current.unknown:
            continue
        for kind, inner in decoded_forms(text):
            for found in walk_data(inner, current_path, name=current_name, secret=current.secret):
                yield Value(
                    found.path, found.text, found.name, current.line, current.column,
                    secret=found.secret, unknown=found.unknown, decoded=kind,
                ), current.file  # fmt: skip
