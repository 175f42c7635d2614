"""Composes the shipped catalog files into a :class:`Catalog`: the page-derived files
(``catalog import``) with the hand-kept facts layered on, and the references between
entries checked (a region's surfaces and model sets, an alias's snapshot, a host's
correction), each reported like a schema problem: file, line, key path.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from residency_guard.catalog import schema
from residency_guard.catalog.model import (
    AzureRegion,
    AzureScope,
    Catalog,
    Coverage,
    MisconfiguredHost,
    ModelAlias,
    Processing,
    Provenance,
    Region,
    Surface,
)
from residency_guard.catalog.parse import CatalogFile, iso_date, one_of, reaches, validate
from residency_guard.errors import CatalogError
from residency_guard.ownyaml import KeyPath


def _surfaces(doc: CatalogFile, entries: Mapping[str, Mapping[str, Any]]) -> dict[str, Surface]:
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
    doc: CatalogFile, sets_data: Mapping[str, list[str]], alias_data: Mapping[str, str]
) -> tuple[dict[str, frozenset[str]], dict[str, ModelAlias]]:
    sets = {name: frozenset(models) for name, models in sets_data.items()}
    known = frozenset().union(*sets.values())
    aliases: dict[str, ModelAlias] = {}
    for alias, snapshot in alias_data.items():
        if snapshot not in known:
            raise doc.error(("aliases", alias), f"snapshot {snapshot!r} is in no model set")
        aliases[alias] = ModelAlias(alias=alias, snapshot=snapshot)
    return sets, aliases


@dataclass(frozen=True)
class _Layered:
    """A page region with hand-kept facts layered on: a problem is reported in handkept.yaml
    where only that file writes its key path (a hand-kept fact), else in the page's file."""

    page: CatalogFile
    handkept: CatalogFile

    def error(self, path: KeyPath, message: str, fix: str = "") -> CatalogError:
        hand_kept = reaches(self.handkept.root, path) and not reaches(self.page.root, path)
        doc = self.handkept if hand_kept else self.page
        return doc.error(path, message, fix)


_Reporter = CatalogFile | _Layered


def _union_of_sets(
    doc: _Reporter,
    at: KeyPath,
    by_surface: Mapping[str, list[str]],
    surfaces: Mapping[str, Surface],
    coverage: Mapping[str, Coverage],
    sets: Mapping[str, frozenset[str]],
) -> dict[str, frozenset[str]]:
    models: dict[str, frozenset[str]] = {}
    for sid, set_names in by_surface.items():
        if sid not in surfaces:
            raise doc.error((*at, sid), f"unknown surface {sid!r}", one_of(surfaces))
        if sid not in coverage:
            raise doc.error(
                (*at, sid), f"lists models for {sid!r}, which the region does not cover"
            )
        for index, name in enumerate(set_names):
            if name not in sets:
                raise doc.error((*at, sid, index), f"unknown model set {name!r}", one_of(sets))
        models[sid] = frozenset().union(*(sets[name] for name in set_names))
    return models


def _regions(
    docs: Mapping[str, _Reporter],
    entries: Mapping[str, Mapping[str, Any]],
    surfaces: Mapping[str, Surface],
    sets: Mapping[str, frozenset[str]],
) -> dict[str, Region]:
    """The regions of ``entries``; a problem is reported in the file that writes it (``docs``,
    by region id: handkept.yaml for a region the page lacks)."""
    regions: dict[str, Region] = {}
    hosts: dict[str, str] = {}
    for rid, entry in entries.items():
        doc = docs[rid]
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
                    (*at, "coverage", sid), f"unknown surface {sid!r}", one_of(surfaces)
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
                as_of=iso_date(entry["as_of"]), source=entry["source"], note=entry.get("note", "")
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
    handkept: CatalogFile, rid: str, page: Mapping[str, Any] | None, kept: Mapping[str, Any]
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


def compose(docs: Mapping[str, CatalogFile]) -> Catalog:
    """The catalog from validated documents: page-derived files with the hand-kept facts."""
    data = {name: validate(doc, schema.SHIPPED[name]) for name, doc in docs.items()}
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
    region_docs: dict[str, _Reporter] = {
        rid: _Layered(docs["regions.yaml"], handkept) if rid in page_regions else handkept
        for rid in region_entries
    }
    regions = _regions(region_docs, region_entries, surfaces, sets)
    hosts_doc = docs["hosts.yaml"]
    hosts = data["hosts.yaml"]["misconfigured_hosts"]
    misconfigured = misconfigured_hosts(
        hosts_doc, hosts, {}, regions, (region.host for region in regions.values())
    )
    azure_regions, skus, suffixes = _azure(docs["azure.yaml"], data["azure.yaml"], regions)
    return Catalog(
        version=kept["version"],
        as_of=iso_date(data["regions.yaml"]["as_of"]),
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


def misconfigured_hosts(
    doc: CatalogFile,
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
                (*at, "correction"), f"unknown host {entry['correction']!r}", one_of(allowed)
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
    doc: CatalogFile, data: Mapping[str, Any], regions: Mapping[str, Region]
) -> tuple[dict[str, AzureRegion], dict[str, AzureScope], tuple[str, ...]]:
    azure_regions: dict[str, AzureRegion] = {}
    for name, entry in data["regions"].items():
        target = entry["residency_region"]
        if target is not None and target not in regions:
            raise doc.error(
                ("regions", name, "residency_region"),
                f"unknown region {target!r}",
                one_of(regions),
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
