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


def _surfaces(doc: _Doc, entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Surface]:
    surfaces: dict[str, Surface] = {}
    owner: dict[str, str] = {}
    for sid, entry in entries.items():
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
            takes_model=entry.get("takes_model", True),
            system_data=entry.get("system_data", False),
        )
    return surfaces


def _models(
    doc: _Doc, sets_data: Mapping[str, list[str]], alias_data: Mapping[str, str]
) -> tuple[dict[str, frozenset[str]], dict[str, ModelAlias]]:
    sets = {name: frozenset(models) for name, models in sets_data.items()}
    known = frozenset().union(*sets.values())
    aliases: dict[str, ModelAlias] = {}
    for alias, snapshot in alias_data.items():
        if snapshot not in known:
            raise doc.error(("aliases", alias), f"snapshot {snapshot!r} is in no model set")
        aliases[alias] = ModelAlias(alias=alias, snapshot=snapshot)
    return sets, aliases


def _union_of_sets(
    doc: _Doc,
    at: KeyPath,
    by_surface: Mapping[str, list[str]],
    surfaces: Mapping[str, Surface],
    coverage: Mapping[str, Coverage],
    sets: Mapping[str, frozenset[str]],
) -> dict[str, frozenset[str]]:
    models: dict[str, frozenset[str]] = {}
    for sid, set_names in by_surface.items():
        if sid not in surfaces:
            raise doc.error((*at, sid), f"unknown surface {sid!r}", _one_of(surfaces))
        if sid not in coverage:
            raise doc.error(
                (*at, sid), f"lists models for {sid!r}, which the region does not cover"
            )
        for index, name in enumerate(set_names):
            if name not in sets:
                raise doc.error((*at, sid, index), f"unknown model set {name!r}", _one_of(sets))
        models[sid] = frozenset().union(*(sets[name] for name in set_names))
    return models


def _regions(
    doc: _Doc,
    entries: Mapping[str, Mapping[str, Any]],
    surfaces: Mapping[str, Surface],
    sets: Mapping[str, frozenset[str]],
) -> dict[str, Region]:
    regions: dict[str, Region] = {}
    hosts: dict[str, str] = {}
    for rid, entry in entries.items():
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
        models = _union_of_sets(doc, (*at, "models"), entry["models"], surfaces, coverage, sets)
        processed = _union_of_sets(
            doc, (*at, "processed_models"), entry["processed_models"], surfaces, coverage, sets
        )
        for sid, limited in entry["limits"].items():
            stray = sorted(set(limited) - models.get(sid, frozenset()))
            if stray:
                raise doc.error(
                    (*at, "limits", sid, stray[0]),
                    f"a limit on {stray[0]!r}, which the region does not list for {sid!r}",
                )
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
            mam_or_zdr_required=entry["mam_or_zdr_required"],
            preconditions=tuple(entry["preconditions"]),
            processed_models=MappingProxyType(processed),
            limits=MappingProxyType(
                {sid: MappingProxyType(dict(by_model)) for sid, by_model in entry["limits"].items()}
            ),
        )
    return regions


# --- page-derived and hand-kept ------------------------------------------------------

_MERGED_MAPS = ("coverage", "models", "processed_models", "limits")  # hand-kept entries add
_HANDKEPT_ONLY = ("sdk_data_residency", "note")  # what the page does not say of its regions
_REGION_REQUIRED = tuple(key for key, rule in schema.REGION.items() if rule.get("required"))
_REGION_DEFAULTS = {
    key: rule["default"] for key, rule in schema.REGION.items() if "default" in rule
}


def _merge_region(
    handkept: _Doc, rid: str, page: Mapping[str, Any] | None, kept: Mapping[str, Any]
) -> dict[str, Any]:
    """A page region with the hand-kept facts added; a hand-kept fact never overrides one
    of the page's (the page is refreshed by `catalog import`, the hand-kept file by people)."""
    at: KeyPath = ("regions", rid)
    if page is None:
        missing = [key for key in _REGION_REQUIRED if key not in kept]
        if missing:
            raise handkept.error(
                at, f"region {rid!r} is not on the page, so it needs {missing[0]!r}"
            )
        merged = {**_REGION_DEFAULTS, **kept}
        return {key: (list(v) if isinstance(v, list) else v) for key, v in merged.items()}
    merged = {key: (dict(v) if isinstance(v, dict) else v) for key, v in page.items()}
    for key, value in kept.items():
        if key in _MERGED_MAPS:
            for sid, added in value.items():
                had = merged[key].get(sid)
                if had is None:
                    merged[key][sid] = added
                elif isinstance(had, list):
                    merged[key][sid] = [*had, *(item for item in added if item not in had)]
                else:
                    merged[key][sid] = {**had, **added}
        elif key == "unconfirmed":
            merged[key] = [*merged[key], *value]
        elif key in _HANDKEPT_ONLY:
            merged[key] = value
        else:
            raise handkept.error(
                (*at, key),
                f"the page gives {rid}.{key}; a hand-kept fact cannot override the page",
                "drop it from handkept.yaml, or import a newer copy of the page",
            )
    return merged


def _compose(docs: Mapping[str, _Doc]) -> Catalog:
    """The catalog from validated documents: page-derived files with the hand-kept facts."""
    data = {name: _validate(doc, schema.SHIPPED[name]) for name, doc in docs.items()}
    handkept = docs["handkept.yaml"]
    kept = data["handkept.yaml"]
    surface_entries = dict(data["surfaces.yaml"]["surfaces"])
    for sid, entry in kept["surfaces"].items():
        if sid in surface_entries:
            raise handkept.error(
                ("surfaces", sid),
                f"surface {sid!r} is on the page now",
                "drop it from handkept.yaml (the page's entry is used)",
            )
        surface_entries[sid] = entry
    surfaces = _surfaces(docs["surfaces.yaml"], surface_entries)
    set_entries = dict(data["models.yaml"]["sets"])
    for name, models in kept["sets"].items():
        if name in set_entries:
            raise handkept.error(("sets", name), f"model set {name!r} is on the page already")
        set_entries[name] = models
    sets, aliases = _models(handkept, set_entries, kept["aliases"])
    page_regions = data["regions.yaml"]["regions"]
    region_entries = {  # the hand-kept file's order, then the page's for the rest
        rid: _merge_region(handkept, rid, page_regions.get(rid), entry)
        for rid, entry in kept["regions"].items()
    }
    for rid, entry in page_regions.items():
        if rid not in region_entries:
            region_entries[rid] = _merge_region(handkept, rid, entry, {})
    regions = _regions(docs["regions.yaml"], region_entries, surfaces, sets)
    hosts_doc = docs["hosts.yaml"]
    hosts = data["hosts.yaml"]["misconfigured_hosts"]
    misconfigured = _misconfigured(
        hosts_doc, hosts, {}, regions, (region.host for region in regions.values())
    )
    azure_regions, skus, suffixes = _azure(docs["azure.yaml"], data["azure.yaml"], regions)
    return Catalog(
        version=kept["version"],
        as_of=_iso(data["regions.yaml"]["as_of"]),
        source=data["regions.yaml"]["source"],
        regions=MappingProxyType(regions),
        surfaces=MappingProxyType(surfaces),
        misconfigured_hosts=MappingProxyType(misconfigured),
        aliases=MappingProxyType(aliases),
        azure_regions=MappingProxyType(azure_regions),
        azure_skus=MappingProxyType(skus),
        azure_host_suffixes=suffixes,
        sources=tuple(doc.file for doc in docs.values()),
    )


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
    doc: _Doc, data: Mapping[str, Any], regions: Mapping[str, Region]
) -> tuple[dict[str, AzureRegion], dict[str, AzureScope], tuple[str, ...]]:
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


def shipped_data_dir() -> pathlib.Path:
    """The folder of the shipped catalog files (package data)."""
    return pathlib.Path(str(resources.files("residency_guard.catalog").joinpath("data")))


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


def compile_shipped(data_dir: pathlib.Path | None = None) -> dict[str, Any]:
    """Every shipped file validated (``compiled.json``): read at start instead of validating
    the YAML again; a file edited since falls back to validation (``python -m
    residency_guard.catalog.compile`` writes it, a test keeps it current)."""
    folder = data_dir or shipped_data_dir()
    docs = {name: _parse(name, (folder / name).read_text(encoding="utf-8"), _SHIPPED_LOADER)
            for name in schema.SHIPPED}  # fmt: skip
    _compose(docs)  # the files together must make a catalog, not each alone
    return {
        name: {
            "sha256": source_digest(name, (folder / name).read_text(encoding="utf-8")),
            "document": _validate(docs[name], schema.SHIPPED[name]),
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
    return _compose({name: _shipped_doc(name, compiled) for name in schema.SHIPPED})


def catalog_from_dir(folder: pathlib.Path) -> Catalog:
    """The catalog made of the files in ``folder`` (the shipped file names), validated."""
    docs: dict[str, _Doc] = {}
    for name in schema.SHIPPED:
        path = folder / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            message = f"cannot read catalog file: {exc.strerror}"
            raise CatalogError(message, file=str(path)) from None
        docs[name] = _parse(str(path), text)
    return _compose(docs)


# --- team overlays -------------------------------------------------------------------


def load_catalog(overlays: Sequence[pathlib.Path] = (), base: Catalog | None = None) -> Catalog:
    """The shipped catalog (or ``base``) with each overlay file layered on top, in order.

    An overlay binds gateways to regions, narrows model lists (never widens them),
    bans models and adds misconfigured hosts.
    """
    shipped = base or shipped_catalog()
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
