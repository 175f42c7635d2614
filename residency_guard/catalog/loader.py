"""Builds the :class:`Catalog`: the shipped files (validated ahead of time in
``compiled.json``, else parsed and validated), a folder of catalog files (``catalog import``,
``catalog --data``), and a team's overlay files layered on top (``overlay``).

Every problem, shipped or overlay, raises :class:`CatalogError` with one line naming the
file, the line where known, the key path and what was expected (``parse``).
"""

from __future__ import annotations

import functools
import hashlib
import json
import pathlib
from collections.abc import Mapping, Sequence
from importlib import resources
from typing import Any

import yaml

from residency_guard.catalog import schema
from residency_guard.catalog.compose import compose
from residency_guard.catalog.model import Catalog
from residency_guard.catalog.overlay import apply_overlay, read_overlay
from residency_guard.catalog.parse import CatalogFile, parse_file, validate
from residency_guard.errors import CatalogError

COMPILED = "compiled.json"
# libyaml for the files we ship (valid, so the two readers agree; 5x faster at every start);
# a team's overlay keeps the pure reader and its error messages.
_SHIPPED_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def shipped_data_dir() -> pathlib.Path:
    """The folder of the shipped catalog files (package data)."""
    return pathlib.Path(str(resources.files("residency_guard.catalog").joinpath("data")))


def _shipped_doc(name: str, compiled: Mapping[str, Any]) -> CatalogFile:
    resource = resources.files("residency_guard.catalog").joinpath("data", name)
    text = resource.read_text(encoding="utf-8")
    entry = compiled.get(name)
    if isinstance(entry, Mapping) and entry.get("sha256") == source_digest(name, text):
        # Validated when compiled, from these very bytes and this schema: no YAML, no cerberus.
        validated = entry["document"]
        return CatalogFile(str(resource), None, validated, validated)
    return parse_file(str(resource), text, _SHIPPED_LOADER)


def source_digest(name: str, text: str) -> str:
    """What a compiled document stands for: the file's text and the schema it was checked by."""
    rules = json.dumps(schema.SHIPPED[name], sort_keys=True, default=repr)
    return hashlib.sha256(f"{text}\0{rules}".encode()).hexdigest()


def compile_shipped(data_dir: pathlib.Path | None = None) -> dict[str, Any]:
    """Every shipped file validated (``compiled.json``): read at start instead of validating
    the YAML again; a file edited since falls back to validation (``python -m
    residency_guard.catalog.compile`` writes it, a test keeps it current)."""
    folder = data_dir or shipped_data_dir()
    docs = {name: parse_file(name, (folder / name).read_text(encoding="utf-8"), _SHIPPED_LOADER)
            for name in schema.SHIPPED}  # fmt: skip
    compose(docs)  # the files together must make a catalog, not each alone
    return {
        name: {
            "sha256": source_digest(name, (folder / name).read_text(encoding="utf-8")),
            "document": validate(docs[name], schema.SHIPPED[name]),
        }
        for name in schema.SHIPPED
    }


def _compiled() -> Mapping[str, Any]:
    try:
        text = resources.files("residency_guard.catalog").joinpath("data", COMPILED).read_text()
        found = json.loads(text)
    except (OSError, ValueError):
        return {}  # missing or damaged: every file is validated
    return found if isinstance(found, Mapping) else {}


@functools.cache
def shipped_catalog() -> Catalog:
    """The catalog shipped in the package (immutable package data, so built once)."""
    compiled = _compiled()
    return compose({name: _shipped_doc(name, compiled) for name in schema.SHIPPED})


def catalog_from_dir(folder: pathlib.Path) -> Catalog:
    """The catalog made of the files in ``folder`` (the shipped file names), validated."""
    docs: dict[str, CatalogFile] = {}
    for name in schema.SHIPPED:
        path = folder / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            message = f"cannot read catalog file: {exc.strerror}"
            raise CatalogError(message, file=str(path)) from None
        docs[name] = parse_file(str(path), text)
    return compose(docs)


def load_catalog(overlays: Sequence[pathlib.Path] = (), base: Catalog | None = None) -> Catalog:
    """The shipped catalog (or ``base``) with each overlay file layered on top, in order.

    An overlay binds gateways to regions, narrows model lists (never widens them),
    bans models and adds misconfigured hosts.
    """
    shipped = base or shipped_catalog()
    catalog = shipped
    for path in overlays:
        catalog = apply_overlay(catalog, read_overlay(pathlib.Path(path), catalog, shipped))
    return catalog
