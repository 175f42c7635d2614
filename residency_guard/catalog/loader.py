"""Builds the :class:`Catalog` from the shipped YAML files and a team's overlay files.

Every problem, shipped or overlay, raises :class:`CatalogError` with one line naming the
file, the line where known, the key path (``regions.eu.models.chat[3]``) and what was
expected. Lines come from the composed YAML node tree, walked along the key path that
cerberus (or a reference check here) reports.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import pathlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from importlib import resources
from types import MappingProxyType
from typing import Any

import yaml

from residency_guard.catalog import schema
from residency_guard.catalog.model import (
    AzureRegion,
    AzureScope,
    Catalog,
    Coverage,
    Gateway,
    MisconfiguredHost,
    ModelAlias,
    Processing,
    Provenance,
    Region,
    Surface,
)
from residency_guard.errors import CatalogError
from residency_guard.ownyaml import KeyPath, format_key_path, refuse_duplicate_keys


@dataclasses.dataclass(frozen=True)
class _Doc:
    """One parsed YAML file: its name for messages, its node tree for lines, its data.

    A shipped file read from ``compiled.json`` has no node tree and comes validated.
    """

    file: str
    root: yaml.MappingNode | None
    data: dict[str, Any]
    validated: dict[str, Any] | None = None

    def error(self, path: KeyPath, message: str, fix: str = "") -> CatalogError:
        text = f"{format_key_path(path)}: {message}" if path else message
        return CatalogError(text, file=self.file, line=_line_at(self.root, path), fix=fix)


def _line_at(root: yaml.Node | None, path: KeyPath) -> int | None:
    """The 1-based line of the deepest node along ``path``; None if its first key is absent."""
    if root is None:
        return None
    node: yaml.Node = root
    line: int | None = None
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
                break
            line = match[0].start_mark.line + 1
            node = match[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int):
            if not 0 <= step < len(node.value):
                break
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


def _parse(file: str, text: str, loader_class: type[yaml.SafeLoader] = yaml.SafeLoader) -> _Doc:
    loader = loader_class(text)
    try:
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
    finally:
        loader.dispose()
    return _Doc(file, root, data)


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


def _validate(doc: _Doc, rules: schema.Schema) -> dict[str, Any]:
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
        key=lambda problem: (_line_at(doc.root, problem[0]) or 0, format_key_path(problem[0])),
    )
    fix = ""
    if message == "unknown field" and len(path) == 1:
        fix = f"expected one of: {', '.join(rules)}"
    raise doc.error(path, message, fix)


def _iso(value: str | datetime.date) -> str:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _one_of(names: Iterable[str]) -> str:
    return f"use one of: {', '.join(names)}"


# --- shipped files -------------------------------------------------------------------


def _surfaces(doc: _Doc) -> dict[str, Surface]:
    data = _validate(doc, schema.SURFACES)
    surfaces: dict[str, Surface] = {}
    owner: dict[str, str] = {}
    for sid, entry in data["surfaces"].items():
        for index, path in enumerate(entry["paths"]):
            if path in owner:
                raise doc.error(
                    ("surfaces", sid, "paths", index),
                    f"path {path!r} already belongs to surface {owner[path]!r}",
                )
            owner[path] = sid
        surfaces[sid] = Surface(
            id=sid,
            title=entry["title"],
            paths=tuple(entry["paths"]),
            takes_model=entry["takes_model"],
            system_data=entry["system_data"],
        )
    return surfaces


def _models(doc: _Doc) -> tuple[dict[str, frozenset[str]], dict[str, ModelAlias]]:
    data = _validate(doc, schema.MODELS)
    sets = {name: frozenset(models) for name, models in data["sets"].items()}
    known = frozenset().union(*sets.values())
    aliases: dict[str, ModelAlias] = {}
    for alias, snapshot in data["aliases"].items():
        if snapshot not in known:
            raise doc.error(("aliases", alias), f"snapshot {snapshot!r} is in no model set")
        aliases[alias] = ModelAlias(alias=alias, snapshot=snapshot)
    return sets, aliases


def _regions(
    doc: _Doc, surfaces: Mapping[str, Surface], sets: Mapping[str, frozenset[str]]
) -> tuple[str, str, dict[str, Region]]:
    data = _validate(doc, schema.REGIONS)
    regions: dict[str, Region] = {}
    hosts: dict[str, str] = {}
    for rid, entry in data["regions"].items():
        at: KeyPath = ("regions", rid)
        if entry["host"] in hosts:
            raise doc.error(
                (*at, "host"),
                f"host {entry['host']!r} already belongs to region {hosts[entry['host']]!r}",
            )
        hosts[entry["host"]] = rid
        if not entry["residency"] and (entry["coverage"] or entry["models"]):
            key = "coverage" if entry["coverage"] else "models"
            raise doc.error(
                (*at, key), "a region without residency covers no surface and lists no models"
            )
        coverage: dict[str, Coverage] = {}
        for sid, flags in entry["coverage"].items():
            if sid not in surfaces:
                raise doc.error(
                    (*at, "coverage", sid), f"unknown surface {sid!r}", _one_of(surfaces)
                )
            coverage[sid] = Coverage(stored="stored" in flags, processed="processed" in flags)
        models: dict[str, frozenset[str]] = {}
        for sid, set_names in entry["models"].items():
            if sid not in surfaces:
                raise doc.error((*at, "models", sid), f"unknown surface {sid!r}", _one_of(surfaces))
            if sid not in coverage:
                raise doc.error(
                    (*at, "models", sid),
                    f"lists models for {sid!r}, which the region does not cover",
                )
            for index, name in enumerate(set_names):
                if name not in sets:
                    raise doc.error(
                        (*at, "models", sid, index), f"unknown model set {name!r}", _one_of(sets)
                    )
            models[sid] = frozenset().union(*(sets[name] for name in set_names))
        regions[rid] = Region(
            id=rid,
            title=entry["title"],
            host=entry["host"],
            residency=entry["residency"],
            stores_at_rest=entry["stores_at_rest"],
            processing=Processing(entry["processing"]),
            sdk_data_residency=entry["sdk_data_residency"],
            coverage=MappingProxyType(coverage),
            models=MappingProxyType(models),
            provenance=Provenance(
                as_of=_iso(entry["as_of"]), source=entry["source"], note=entry.get("note", "")
            ),
            unconfirmed=tuple(entry["unconfirmed"]),
        )
    return data["version"], _iso(data["as_of"]), regions


def _misconfigured(
    doc: _Doc,
    entries: Mapping[str, Mapping[str, str]],
    known: Mapping[str, MisconfiguredHost],
    regions: Mapping[str, Region],
    targets: Iterable[str],
) -> dict[str, MisconfiguredHost]:
    """Adds ``entries`` to ``known``; a correction must be one of ``targets``."""
    region_hosts = {region.host: rid for rid, region in regions.items()}
    allowed = sorted(set(targets))
    merged = dict(known)
    for host, entry in entries.items():
        at: KeyPath = ("misconfigured_hosts", host)
        if host in region_hosts:
            raise doc.error(at, f"{host!r} is the host of region {region_hosts[host]!r}")
        if entry["correction"] not in allowed:
            raise doc.error(
                (*at, "correction"), f"unknown host {entry['correction']!r}", _one_of(allowed)
            )
        previous = merged.get(host)
        if previous is not None and previous.correction != entry["correction"]:
            raise doc.error(
                (*at, "correction"), f"{host!r} is already corrected to {previous.correction!r}"
            )
        merged[host] = MisconfiguredHost(
            host=host, correction=entry["correction"], why=entry["why"]
        )
    return merged


def _azure(
    doc: _Doc, regions: Mapping[str, Region]
) -> tuple[dict[str, AzureRegion], dict[str, AzureScope], tuple[str, ...]]:
    data = _validate(doc, schema.AZURE)
    azure_regions: dict[str, AzureRegion] = {}
    for name, entry in data["regions"].items():
        target = entry["residency_region"]
        if target is not None and target not in regions:
            raise doc.error(
                ("regions", name, "residency_region"),
                f"unknown region {target!r}",
                _one_of(regions),
            )
        azure_regions[name] = AzureRegion(
            name=name,
            country=entry["country"],
            eu_member=entry["eu_member"],
            data_zone=entry["data_zone"],
            residency_region=target,
        )
    skus = {sku: AzureScope(scope) for sku, scope in data["skus"].items()}
    return azure_regions, skus, tuple(data["host_suffixes"])


COMPILED = "compiled.json"
# libyaml for the files we ship (valid, so the two readers agree; 5x faster at every start);
# a team's overlay keeps the pure reader and its error messages.
_SHIPPED_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _shipped_doc(name: str, compiled: Mapping[str, Any]) -> _Doc:
    resource = resources.files("residency_guard.catalog").joinpath("data", name)
    text = resource.read_text(encoding="utf-8")
    entry = compiled.get(name)
    if isinstance(entry, Mapping) and entry.get("sha256") == source_digest(name, text):
        # Validated when compiled, from these very bytes and this schema: no YAML, no cerberus.
        validated = entry["document"]
        return _Doc(str(resource), None, validated, validated)
    return _parse(str(resource), text, _SHIPPED_LOADER)


def source_digest(name: str, text: str) -> str:
    """What a compiled document stands for: the file's text and the schema it was checked by."""
    rules = json.dumps(schema.SHIPPED[name], sort_keys=True, default=repr)
    return hashlib.sha256(f"{text}\0{rules}".encode()).hexdigest()


def compile_shipped() -> dict[str, Any]:
    """Every shipped file validated (``compiled.json``): read at start instead of validating
    the YAML again; a file edited since falls back to validation (``python -m
    residency_guard.catalog.compile`` writes it, a test keeps it current)."""
    data = resources.files("residency_guard.catalog").joinpath("data")
    out: dict[str, Any] = {}
    for name, rules in schema.SHIPPED.items():
        text = data.joinpath(name).read_text(encoding="utf-8")
        doc = _parse(name, text, _SHIPPED_LOADER)
        out[name] = {"sha256": source_digest(name, text), "document": _validate(doc, rules)}
    return out


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
    docs = {name: _shipped_doc(name, compiled) for name in schema.SHIPPED}
    surfaces = _surfaces(docs["surfaces.yaml"])
    sets, aliases = _models(docs["models.yaml"])
    version, as_of, regions = _regions(docs["regions.yaml"], surfaces, sets)
    hosts_doc = docs["hosts.yaml"]
    hosts = _validate(hosts_doc, schema.HOSTS)["misconfigured_hosts"]
    misconfigured = _misconfigured(
        hosts_doc, hosts, {}, regions, (region.host for region in regions.values())
    )
    azure_regions, skus, suffixes = _azure(docs["azure.yaml"], regions)
    return Catalog(
        version=version,
        as_of=as_of,
        regions=MappingProxyType(regions),
        surfaces=MappingProxyType(surfaces),
        misconfigured_hosts=MappingProxyType(misconfigured),
        aliases=MappingProxyType(aliases),
        azure_regions=MappingProxyType(azure_regions),
        azure_skus=MappingProxyType(skus),
        azure_host_suffixes=suffixes,
        sources=tuple(doc.file for doc in docs.values()),
    )


# --- team overlays -------------------------------------------------------------------


def load_catalog(overlays: Sequence[pathlib.Path] = ()) -> Catalog:
    """The shipped catalog with each overlay file layered on top, in order.

    An overlay binds gateways to regions, narrows model lists (never widens them),
    bans models and adds misconfigured hosts.
    """
    shipped = shipped_catalog()
    catalog = shipped
    for path in overlays:
        catalog = _apply_overlay(catalog, shipped, _read_overlay(pathlib.Path(path)))
    return catalog


def _read_overlay(path: pathlib.Path) -> _Doc:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError("catalog overlay not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog overlay: {exc}", file=str(path)) from None
    return _parse(str(path), text)


def _apply_overlay(catalog: Catalog, shipped: Catalog, doc: _Doc) -> Catalog:
    data = _validate(doc, schema.OVERLAY)
    gateways = _gateways(doc, data.get("gateways", []), catalog)
    regions = _narrow(doc, data.get("models", {}), catalog, shipped)
    misconfigured = _misconfigured(
        doc,
        data.get("misconfigured_hosts", {}),
        catalog.misconfigured_hosts,
        catalog.regions,
        [*(region.host for region in catalog.regions.values()), *gateways],
    )
    clashes = sorted(misconfigured.keys() & gateways.keys())
    if clashes:
        raise doc.error(("misconfigured_hosts", clashes[0]), f"{clashes[0]!r} is a gateway host")
    return dataclasses.replace(
        catalog,
        regions=MappingProxyType(regions),
        gateways=MappingProxyType(gateways),
        misconfigured_hosts=MappingProxyType(misconfigured),
        banned_models=MappingProxyType({**catalog.banned_models, **data.get("banned_models", {})}),
        sources=(*catalog.sources, doc.file),
    )


def _gateways(doc: _Doc, entries: list[dict[str, str]], catalog: Catalog) -> dict[str, Gateway]:
    gateways = dict(catalog.gateways)
    for index, entry in enumerate(entries):
        at: KeyPath = ("gateways", index)
        host, rid = entry["host"], entry["region"]
        if rid not in catalog.regions:
            raise doc.error((*at, "region"), f"unknown region {rid!r}", _one_of(catalog.regions))
        owner = catalog.region_by_host(host)
        if owner is not None:
            raise doc.error((*at, "host"), f"{host!r} is OpenAI's host for region {owner.id!r}")
        if host in catalog.misconfigured_hosts:
            raise doc.error((*at, "host"), f"{host!r} is a misconfigured OpenAI host")
        bound = gateways.get(host)
        if bound is not None and bound.region != rid:
            raise doc.error(
                (*at, "host"), f"gateway {host!r} is already bound to region {bound.region!r}"
            )
        gateways[host] = Gateway(host=host, region=rid, note=entry.get("note", ""))
    return gateways


def _narrow(
    doc: _Doc, entries: Mapping[str, Mapping[str, list[str]]], catalog: Catalog, shipped: Catalog
) -> dict[str, Region]:
    """Intersects each listed region/surface model set with the overlay's list."""
    regions = dict(catalog.regions)
    for rid, by_surface in entries.items():
        if rid not in regions:
            raise doc.error(("models", rid), f"unknown region {rid!r}", _one_of(regions))
        models = dict(regions[rid].models)
        for sid, listed in by_surface.items():
            if sid not in catalog.surfaces:
                raise doc.error(
                    ("models", rid, sid), f"unknown surface {sid!r}", _one_of(catalog.surfaces)
                )
            # Widening is judged against what OpenAI allows (the shipped list), so a
            # second overlay may repeat a model a first one removed: it stays removed.
            eligible = shipped.regions[rid].models.get(sid, frozenset())
            for index, model in enumerate(listed):
                if model not in eligible:
                    alias = catalog.aliases.get(model)
                    hint = (
                        f"did you mean {alias.snapshot!r}"
                        if alias is not None and alias.snapshot in eligible
                        else "an overlay can only narrow the shipped list"
                    )
                    raise doc.error(
                        ("models", rid, sid, index),
                        f"model {model!r} is not eligible for {sid} in region {rid!r}",
                        hint,
                    )
            models[sid] = models.get(sid, frozenset()) & frozenset(listed)
        regions[rid] = dataclasses.replace(regions[rid], models=MappingProxyType(models))
    return regions
