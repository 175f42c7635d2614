"""The region catalog as typed, immutable values (the data lives in ``data/*.yaml``).

Pure data: the loader (``loader``, ``overlay``) builds it, and what is worked out against
it and remembered lives beside it, in ``index``."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum

from residency_guard.catalog.index import CatalogIndex
from residency_guard.errors import UnknownRegionError


class Processing(str, Enum):
    """Whether requests on a surface are processed inside the region."""

    IN_REGION = "in-region"
    PARTIAL = "partial"  # some snapshots only (ae)
    NOT_IN_REGION = "not-in-region"


@dataclass(frozen=True)
class Provenance:
    """Where a catalog entry comes from."""

    as_of: str  # ISO date
    source: str  # URL
    note: str = ""


def is_api_path(path: str) -> bool:
    """Whether a URL path names an OpenAI API endpoint (``/v1/<something>``), not just the
    API root (``/v1``) that a base URL ends with."""
    parts = [part for part in path.split("/") if part]
    return len(parts) >= 2 and parts[0] == "v1"


@dataclass(frozen=True)
class Surface:
    """An API surface (``chat``, ``assistants``...) and the endpoint paths that reach it."""

    id: str
    title: str
    paths: tuple[str, ...]  # exact endpoint paths: "/v1/chat/completions"
    takes_model: bool = True
    system_data: bool = False  # carries system data only: residency does not apply


@dataclass(frozen=True)
class Coverage:
    """What a region promises for one surface."""

    stored: bool
    processed: bool


@dataclass(frozen=True)
class Region:
    """An OpenAI data-residency region and what it allows."""

    id: str  # "eu"
    title: str  # "EU (EEA + Switzerland)"
    host: str  # "eu.api.openai.com"
    residency: bool  # False for the global endpoint
    stores_at_rest: bool
    processing: Processing
    sdk_data_residency: str | None  # value of the SDKs' data_residency option, where one exists
    coverage: Mapping[str, Coverage]  # surface id -> coverage; a missing surface is not covered
    models: Mapping[str, frozenset[str]]  # surface id -> exact eligible model strings
    provenance: Provenance
    unconfirmed: tuple[str, ...] = ()  # facts encoded conservatively, said in words
    mam_or_zdr_required: bool = False  # approved abuse-monitoring controls needed first
    preconditions: tuple[str, ...] = ()  # ids of catalog.preconditions.PRECONDITIONS
    # surface id -> the only models processed in region, where processing is partial (ae)
    processed_models: Mapping[str, frozenset[str]] = field(default_factory=dict)
    # surface id -> model -> a limit the tables put on it here ("Standard processing only")
    limits: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def base_url(self) -> str:
        return f"https://{self.host}/v1"

    def covers(self, surface: str) -> bool:
        cov = self.coverage.get(surface)
        return cov is not None and (cov.stored or cov.processed)


@dataclass(frozen=True)
class MisconfiguredHost:
    """A host that looks like OpenAI's but is not one; ``correction`` is the host meant."""

    host: str
    correction: str
    why: str


@dataclass(frozen=True)
class ModelAlias:
    """An undated alias and the dated snapshot to pin instead."""

    alias: str
    snapshot: str


@dataclass(frozen=True)
class Gateway:
    """A team's internal gateway host that forwards to one region."""

    host: str
    region: str
    note: str = ""


@dataclass(frozen=True)
class AzureRegion:
    """An Azure region as far as OpenAI residency is concerned."""

    name: str  # "swedencentral"
    country: str  # "SE"
    eu_member: bool
    data_zone: str | None  # "eu", "us" or None when the region is in no data zone
    residency_region: str | None  # the OpenAI region id it counts as ("eu"), None if none


class AzureScope(str, Enum):
    """Where an Azure OpenAI deployment SKU may process data."""

    REGION = "region"
    DATA_ZONE = "data-zone"
    GLOBAL = "global"


@dataclass(frozen=True)
class Catalog:
    """Everything the rules know about regions, hosts and models."""

    version: str
    as_of: str  # of the page copy the page-derived files were imported from
    regions: Mapping[str, Region]
    surfaces: Mapping[str, Surface]
    misconfigured_hosts: Mapping[str, MisconfiguredHost]
    aliases: Mapping[str, ModelAlias]
    azure_regions: Mapping[str, AzureRegion]
    azure_skus: Mapping[str, AzureScope]
    azure_host_suffixes: tuple[str, ...]  # ".openai.azure.com", ...
    gateways: Mapping[str, Gateway] = field(default_factory=dict)
    banned_models: Mapping[str, str] = field(default_factory=dict)  # model -> reason
    sources: tuple[str, ...] = ()  # files the catalog was built from, shipped first
    source: str = ""  # the page copy the page-derived files were imported from (URL)

    @functools.cached_property
    def index(self) -> CatalogIndex:
        """The lookups and memos worked out against this catalog object (one per object, so
        that a catalog with other gateways or models starts its own)."""
        return CatalogIndex(self)

    def surface_for_path(self, path: str) -> str | None:
        """The surface a URL path reaches: the longest listed endpoint the path equals or
        continues below with a resource (``/v1/files/file-1/content`` -> ``files``).

        No family prefix: ``/v1/audio/voices`` reaches no audio endpoint. None for a path
        the catalog does not know (``is_api_path`` says whether it is an API path at all).
        """
        return self.index.surface_for_path(path)

    def region(self, region_id: str) -> Region:
        """The region with this id; UnknownRegionError names the known ids."""
        try:
            return self.regions[region_id]
        except KeyError:
            raise UnknownRegionError(
                f"unknown region {region_id!r}", fix=f"use one of: {', '.join(self.regions)}"
            ) from None

    def region_by_host(self, host: str) -> Region | None:
        """The OpenAI region whose API host is exactly ``host`` (case-insensitive), if any.

        Gateways are not regions: look them up in ``gateways``.
        """
        wanted = host.lower()
        return next((region for region in self.regions.values() if region.host == wanted), None)

    def residency_hosts(self) -> frozenset[str]:
        """The API hosts of the regions that promise residency (not ``api.openai.com``)."""
        return frozenset(region.host for region in self.regions.values() if region.residency)
