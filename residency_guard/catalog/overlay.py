"""A team's choices layered on the catalog: the one overlay path.

Two front ends make an :class:`Overlay`: a team's overlay file (``catalog:`` in
residency-guard.yaml, ``--catalog``; :func:`read_overlay` checks it, naming file, line and
key path) and the policy pack's settings (``allowedHosts``, ``allowModels``,
``denyModels``; the pack checks them). Both are layered by :func:`apply_overlay`. An
overlay binds gateways to regions, narrows model lists, bans models and adds misconfigured
hosts; it never widens what OpenAI allows.
"""

from __future__ import annotations

import dataclasses
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from residency_guard.catalog import schema
from residency_guard.catalog.compose import misconfigured_hosts
from residency_guard.catalog.model import Catalog, Gateway, MisconfiguredHost, Region
from residency_guard.catalog.parse import CatalogFile, one_of, parse_file, validate
from residency_guard.errors import CatalogError
from residency_guard.ownyaml import KeyPath


@dataclass(frozen=True)
class Overlay:
    """What to layer on a catalog, already checked against it."""

    gateways: tuple[Gateway, ...] = ()  # bound in order; a host bound again takes the last
    # region id -> surface id -> the only models allowed there (intersected with the list)
    models: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    banned_models: Mapping[str, str] = field(default_factory=dict)  # model -> reason
    misconfigured_hosts: tuple[MisconfiguredHost, ...] = ()
    source: str = ""  # the file it was read from, added to the catalog's sources

    def __bool__(self) -> bool:
        return bool(
            self.gateways or self.models or self.banned_models or self.misconfigured_hosts
            or self.source
        )  # fmt: skip


def apply_overlay(catalog: Catalog, overlay: Overlay) -> Catalog:
    """``catalog`` with ``overlay`` layered on (``catalog`` itself for an empty overlay).

    A new catalog object, so the lookups remembered against the old one (``catalog.index``)
    are never served for the new data.
    """
    if not overlay:
        return catalog
    changes: dict[str, object] = {}
    if overlay.gateways:
        gateways = dict(catalog.gateways)
        gateways.update((gateway.host, gateway) for gateway in overlay.gateways)
        changes["gateways"] = MappingProxyType(gateways)
    if overlay.models:
        changes["regions"] = MappingProxyType(_narrowed(catalog.regions, overlay.models))
    if overlay.misconfigured_hosts:
        hosts = dict(catalog.misconfigured_hosts)
        hosts.update((entry.host, entry) for entry in overlay.misconfigured_hosts)
        changes["misconfigured_hosts"] = MappingProxyType(hosts)
    if overlay.banned_models:
        changes["banned_models"] = MappingProxyType(
            {**catalog.banned_models, **overlay.banned_models}
        )
    if overlay.source:
        changes["sources"] = (*catalog.sources, overlay.source)
    return dataclasses.replace(catalog, **changes)  # type: ignore[arg-type]


def _narrowed(
    regions: Mapping[str, Region], allowed: Mapping[str, Mapping[str, frozenset[str]]]
) -> dict[str, Region]:
    narrowed = dict(regions)
    for rid, by_surface in allowed.items():
        models = dict(narrowed[rid].models)
        for sid, listed in by_surface.items():
            models[sid] = models.get(sid, frozenset()) & listed
        narrowed[rid] = dataclasses.replace(narrowed[rid], models=MappingProxyType(models))
    return narrowed


# --- a team's overlay file -------------------------------------------------------------


def read_overlay(path: pathlib.Path, catalog: Catalog, shipped: Catalog) -> Overlay:
    """The overlay file at ``path``, checked against ``catalog`` (what earlier overlays made
    of the shipped catalog) and ``shipped`` (what OpenAI allows: an overlay never widens it)."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CatalogError("catalog overlay not found", file=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read catalog overlay: {exc}", file=str(path)) from None
    doc = parse_file(str(path), text)
    data = validate(doc, schema.OVERLAY)
    gateways = _gateways(doc, data.get("gateways", []), catalog)
    models = _allowed_models(doc, data.get("models", {}), catalog, shipped)
    bound = {**catalog.gateways, **{gateway.host: gateway for gateway in gateways}}
    entries = data.get("misconfigured_hosts", {})
    merged = misconfigured_hosts(
        doc,
        entries,
        catalog.misconfigured_hosts,
        catalog.regions,
        [*(region.host for region in catalog.regions.values()), *bound],
    )
    clashes = sorted(merged.keys() & bound.keys())
    if clashes:
        raise doc.error(("misconfigured_hosts", clashes[0]), f"{clashes[0]!r} is a gateway host")
    return Overlay(
        gateways=gateways,
        models=models,
        banned_models=data.get("banned_models", {}),
        misconfigured_hosts=tuple(merged[host] for host in entries),
        source=doc.file,
    )


def _gateways(
    doc: CatalogFile, entries: list[dict[str, str]], catalog: Catalog
) -> tuple[Gateway, ...]:
    bound = {host: gateway.region for host, gateway in catalog.gateways.items()}
    gateways: list[Gateway] = []
    for index, entry in enumerate(entries):
        at: KeyPath = ("gateways", index)
        host, rid = entry["host"], entry["region"]
        if rid not in catalog.regions:
            raise doc.error((*at, "region"), f"unknown region {rid!r}", one_of(catalog.regions))
        owner = catalog.region_by_host(host)
        if owner is not None:
            raise doc.error((*at, "host"), f"{host!r} is OpenAI's host for region {owner.id!r}")
        if host in catalog.misconfigured_hosts:
            raise doc.error((*at, "host"), f"{host!r} is a misconfigured OpenAI host")
        if bound.get(host, rid) != rid:
            raise doc.error(
                (*at, "host"), f"gateway {host!r} is already bound to region {bound[host]!r}"
            )
        bound[host] = rid
        gateways.append(Gateway(host=host, region=rid, note=entry.get("note", "")))
    return tuple(gateways)


def _allowed_models(
    doc: CatalogFile,
    entries: Mapping[str, Mapping[str, list[str]]],
    catalog: Catalog,
    shipped: Catalog,
) -> dict[str, dict[str, frozenset[str]]]:
    """Each listed region/surface model list, checked to narrow the shipped one."""
    allowed: dict[str, dict[str, frozenset[str]]] = {}
    for rid, by_surface in entries.items():
        if rid not in catalog.regions:
            raise doc.error(("models", rid), f"unknown region {rid!r}", one_of(catalog.regions))
        allowed[rid] = {}
        for sid, listed in by_surface.items():
            if sid not in catalog.surfaces:
                raise doc.error(
                    ("models", rid, sid), f"unknown surface {sid!r}", one_of(catalog.surfaces)
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
            allowed[rid][sid] = frozenset(listed)
    return allowed
