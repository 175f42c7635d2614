"""What the rules know about the stack they judge."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from residency_guard.catalog.model import Catalog, Region
from residency_guard.endpoints import endpoints_of
from residency_guard.hosts import Endpoint
from residency_guard.keys import is_endpoint_value
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.document import MissingEnvironment
from residency_guard.sources.document import Resource as Resource  # its home before sources
from residency_guard.stackregion import RegionResolution
from residency_guard.values import Value
from residency_guard.yamlfile import Ambiguity


@dataclass
class StackContext:
    """One stack under judgement: its region, the catalog, the settings and the file at hand."""

    catalog: Catalog
    stack: str
    file: str
    resolution: RegionResolution
    repo: RepoConfig = field(default_factory=RepoConfig)
    ambiguities: Sequence[Ambiguity] = ()
    resources: Mapping[str, Resource] = field(default_factory=dict)  # by name, for Azure links
    # The openai SDK variables the scope being judged sets (a file, a resource): RG020 reads
    # them together (OPENAI_API_TYPE with AWS_REGION...). Set by evaluate_values.
    sdk_env: dict[str, str] = field(default_factory=dict)
    # Every value of that scope (RG020 looks there for an Azure endpoint the scope names).
    scope_values: Sequence[Value] = ()
    # ESC environments the stack imports that the scanned input does not hold (RG021).
    missing_environments: Sequence[MissingEnvironment] = ()
    _endpoints: dict[tuple[str, bool, bool, str], list[Endpoint]] = field(default_factory=dict)
    # The last value asked about: the endpoint rules ask one after the other about each value.
    _last: tuple[Value, list[Endpoint]] | None = field(default=None, repr=False, compare=False)
    # (resolution, catalog, region, residency): every value rule asks, for every value.
    _regions: tuple[Any, ...] | None = field(default=None, repr=False, compare=False)

    @property
    def region_id(self) -> str | None:
        return self.resolution.region

    @property
    def region(self) -> Region | None:
        """The catalog region, or None when none is declared or the id is unknown (RG017)."""
        cached = self._regions
        if cached is None or cached[0] is not self.resolution or cached[1] is not self.catalog:
            cached = self._region_pair()
        region: Region | None = cached[2]
        return region

    @property
    def residency(self) -> Region | None:
        """The region when it promises residency: the rules that guard a region need one."""
        cached = self._regions
        if cached is None or cached[0] is not self.resolution or cached[1] is not self.catalog:
            cached = self._region_pair()
        region: Region | None = cached[3]
        return region

    def _region_pair(self) -> tuple[Any, ...]:
        region = None
        if self.resolution.region is not None:
            region = self.catalog.regions.get(self.resolution.region)
        residency = region if region is not None and region.residency else None
        self._regions = (self.resolution, self.catalog, region, residency)
        return self._regions

    def endpoints(self, value: Value) -> list[Endpoint]:
        """The endpoints a value holds, read once however many rules ask."""
        last = self._last
        if last is not None and last[0] is value:
            return last[1]
        # A blank text's name decides more (keys.unset_when_empty: an Azure endpoint left
        # blank is unconfigured, a blank OPENAI_BASE_URL is the default host): it joins the key.
        empty_name = "" if value.text.strip() else value.name
        memo_key = (value.text, is_endpoint_value(value), value.unknown, empty_name)
        found = self._endpoints.get(memo_key)
        if found is None:
            found = self._endpoints[memo_key] = endpoints_of(value, self.catalog)
        self._last = (value, found)
        return found
