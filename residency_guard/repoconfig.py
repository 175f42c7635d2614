"""The repo-level ``residency-guard.yaml``: stack globs to regions, a team catalog, settings."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

import yaml

from residency_guard.errors import ConfigError
from residency_guard.ownyaml import read_own_yaml

FILE_NAME = "residency-guard.yaml"

_SCHEMA: dict[str, Any] = {
    "stacks": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": {"type": "string"}},
    "catalog": {"type": ["string", "list"], "schema": {"type": "string"}},
    "esc": {"type": "string", "empty": False},
    "paths": {"type": "dict", "keysrules": {"type": "string"}, "valuesrules": {"type": "string"}},
    "exclude": {"type": "list", "schema": {"type": "string", "empty": False}},
    "unresolved": {"type": "string", "allowed": ["deny", "warn", "allow"]},
    "fail-on": {"type": "string", "allowed": ["note", "warning", "error"]},
    "suppressions": {
        "type": "list",
        "schema": {
            "type": "dict",
            "schema": {
                "rule": {"type": "string", "required": True, "regex": r"RG\d{3}"},
                "stack": {"type": "string"},
                "file": {"type": "string"},
                "reason": {"type": "string"},
                "until": {"type": ["string", "date"]},
            },
        },
    },
}


class Unresolved(str, Enum):
    """What to do with an endpoint that cannot be read statically (``${VAR}``, a secret)."""

    DENY = "deny"
    WARN = "warn"
    ALLOW = "allow"


@dataclass(frozen=True)
class RepoSuppression:
    """A repo-level acceptance of a finding."""

    rule: str
    reason: str
    until: str | None
    stack: str = "*"
    file: str = "*"
    line: int = 0  # where it is written in residency-guard.yaml


@dataclass(frozen=True)
class RepoConfig:
    """Settings shared by every front end; the defaults are the fail-closed ones."""

    path: Path | None = None
    stacks: tuple[tuple[str, str, int], ...] = ()  # (glob, region, line)
    catalog_files: tuple[Path, ...] = ()
    unresolved: Unresolved = Unresolved.DENY
    fail_on: str = "error"
    suppressions: tuple[RepoSuppression, ...] = field(default_factory=tuple)
    esc: Path | None = None  # the folder of ESC environment definitions (`esc:`)
    paths: tuple[tuple[str, str, int], ...] = ()  # (glob relative to the file, region, line)
    exclude: tuple[str, ...] = ()  # globs relative to the file: folders a folder scan leaves out

    def excludes(self, path: Path) -> bool:
        """Whether an ``exclude:`` glob matches ``path`` (or a folder above it).

        Only a folder scan leaves such paths out: a file named on the command line is judged
        whatever this says, as ruff and flake8 treat their excludes.
        """
        if not self.exclude:  # most repos exclude nothing: no path to resolve
            return False
        relative = self._relative(path)
        return relative is not None and any(_glob_matches(relative, g) for g in self.exclude)

    def _relative(self, path: Path) -> str | None:
        if self.path is None:
            return None
        try:
            return path.resolve().relative_to(self.path.parent.resolve()).as_posix()
        except (ValueError, OSError, RuntimeError):
            return None

    def region_for_path(self, path: Path) -> tuple[str, str, int] | None:
        """The first ``paths:`` glob that matches ``path``, as (glob, region, line).

        Globs are relative to this file's folder, as fnmatch reads them (``*`` crosses
        folders); a folder's name matches every file beneath it.
        """
        relative = self._relative(path) if self.paths else None
        if relative is None:
            return None
        for pattern, region, line in self.paths:
            if _glob_matches(relative, pattern):
                return pattern, region, line
        return None


def _glob_matches(relative: str, pattern: str) -> bool:
    """A ``paths:``/``exclude:`` glob against a path relative to the config's folder."""
    bare = pattern.removeprefix("./").rstrip("/")
    return (
        fnmatch.fnmatchcase(relative, bare)
        or relative.startswith(bare + "/")
        or (bare.startswith("**/") and fnmatch.fnmatchcase(relative, bare[3:]))
    )


def find_repo_config(start: Path) -> Path | None:
    """``residency-guard.yaml`` in ``start`` (a folder or a file's folder) or the nearest parent."""
    folder = start if start.is_dir() else start.parent
    for candidate in (folder, *folder.resolve().parents):
        path = candidate / FILE_NAME
        if path.is_file():
            return path
        if (candidate / ".git").exists():
            break
    return None


def load_repo_config(path: Path | None) -> RepoConfig:
    """Read and validate ``residency-guard.yaml``; ``None`` gives the defaults."""
    if path is None:
        return RepoConfig()
    from cerberus import Validator  # type: ignore[import-untyped]

    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeError) as exc:
        raise ConfigError(f"cannot read: {exc.__class__.__name__}", file=str(path)) from None
    # The one reader of our own YAML files: a duplicate key is an error naming both lines.
    root, data = read_own_yaml(text, str(path), ConfigError, yaml.SafeLoader)
    if data is None:
        return RepoConfig(path=path)
    if not isinstance(data, dict):
        raise ConfigError("expected a mapping at the top level", file=str(path), line=1)
    validator = Validator(_SCHEMA, allow_unknown=False)
    if not validator.validate(data):
        key_path, message = _first_error(validator.errors)
        raise ConfigError(
            f"{key_path}: {message}", file=str(path), line=_line_of(root, key_path),
            fix="see the README's residency-guard.yaml section",
        )  # fmt: skip
    lines = _key_lines(root)
    stacks = tuple(
        (str(pattern), str(region), lines.get(("stacks", str(pattern)), 0))
        for pattern, region in (data.get("stacks") or {}).items()
    )
    catalog = data.get("catalog") or []
    catalog_list = [catalog] if isinstance(catalog, str) else list(catalog)
    suppressions = tuple(
        RepoSuppression(
            rule=item["rule"],
            reason=str(item.get("reason") or "").strip(),
            until=str(item["until"]) if item.get("until") else None,
            stack=item.get("stack", "*"),
            file=item.get("file", "*"),
            line=lines.get(("suppressions", index), 0),
        )
        for index, item in enumerate(data.get("suppressions") or [])
    )
    paths = tuple(
        (str(pattern), str(region), lines.get(("paths", str(pattern)), 0))
        for pattern, region in (data.get("paths") or {}).items()
    )
    esc = data.get("esc")
    return RepoConfig(
        exclude=tuple(str(glob) for glob in data.get("exclude") or ()),
        path=path,
        stacks=stacks,
        esc=(path.parent / esc) if esc else None,
        paths=paths,
        catalog_files=tuple((path.parent / c).resolve() for c in catalog_list),
        unresolved=Unresolved(data.get("unresolved", "deny")),
        fail_on=data.get("fail-on", "error"),
        suppressions=suppressions,
    )


def _first_error(errors: dict[str, Any], prefix: str = "") -> tuple[str, str]:
    keys = list(errors)
    # A list's items in number order (item 2 before item 10: the file read top down); the keys
    # of a mapping by their text (YAML may give a key of any type).
    key = min(keys) if all(isinstance(k, int) for k in keys) else min(keys, key=str)
    value = errors[key]
    path = f"{prefix}.{key}" if prefix and not isinstance(key, int) else (
        f"{prefix}[{key}]" if isinstance(key, int) else str(key)
    )  # fmt: skip
    first = value[0] if isinstance(value, list) and value else value
    if isinstance(first, dict):
        return _first_error(first, path)
    return path, str(first)


def _key_lines(root: yaml.Node | None) -> dict[tuple[str | int, ...], int]:
    lines: dict[tuple[str | int, ...], int] = {}
    stack: list[tuple[yaml.Node, tuple[str | int, ...]]] = [(root, ())] if root else []
    while stack:
        node, path = stack.pop()
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                child = (*path, str(key.value))
                lines[child] = key.start_mark.line + 1
                stack.append((value, child))
        elif isinstance(node, yaml.SequenceNode):
            for index, value in enumerate(node.value):
                stack.append((value, (*path, index)))
    return lines


def _line_of(root: yaml.Node | None, key_path: str) -> int | None:
    parts: list[str | int] = []
    for piece in key_path.replace("]", "").replace("[", ".").split("."):
        if piece:
            parts.append(int(piece) if piece.isdigit() else piece)
    lines = _key_lines(root)
    while parts:
        # `stacks[1]` is an item of a list or a mapping's key that YAML reads as a number.
        for key in (tuple(parts), tuple(str(part) for part in parts)):
            if key in lines:
                return lines[key]
        parts.pop()
    return None
