"""Lookups worked out against one catalog object: derived tables and bounded memos.

A :class:`~residency_guard.catalog.model.Catalog` is data; what the rules ask of it again and
again (a text read as endpoints, a model's verdict, the surface of a path) is remembered
here, one :class:`CatalogIndex` per catalog object (``catalog.index``). A catalog made with
other gateways or models (an overlay, ``dataclasses.replace``) is another object, so it
starts its own index and never reads an answer worked out against the old data.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from residency_guard.memo import BoundedMemo

if TYPE_CHECKING:
    from residency_guard.catalog.model import Catalog


class CatalogIndex:
    """The derived tables and memos of one catalog object."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.endpoints: BoundedMemo[str, Any] = BoundedMemo()
        """Texts already read as endpoints (``hosts.classify_endpoint``)."""
        self.found: BoundedMemo[tuple[str, bool], Any] = BoundedMemo()
        """Texts already searched for endpoints (``hosts.find_endpoints``)."""
        self.text_test: Callable[[str], bool] | None = None
        """The facets gate's test of a text (``facets.FacetGate``, which sets it), memoized:
        it reads the catalog's gateways."""
        self.verdicts: BoundedMemo[tuple[str, str, str | None], Any] = BoundedMemo()
        """Model verdicts by (region, model, surface hint) (``modelcheck.model_verdict``)."""
        self.paths: BoundedMemo[str, str | None] = BoundedMemo()
        """The surface each URL path reaches (``surface_for_path``)."""

    @functools.cached_property
    def models(self) -> Mapping[str, frozenset[str]]:
        """Every model the catalog names, with the surfaces any region lists it for."""
        found: dict[str, set[str]] = {}
        for region in self.catalog.regions.values():
            for surface, models in region.models.items():
                for model in models:
                    found.setdefault(model, set()).add(surface)
        return {model: frozenset(surfaces) for model, surfaces in found.items()}

    @functools.cached_property
    def endpoint_owners(self) -> Mapping[str, str]:
        """Every endpoint path the catalog lists, with the surface it belongs to."""
        surfaces = self.catalog.surfaces.values()
        return {path: surface.id for surface in surfaces for path in surface.paths}

    def surface_for_path(self, path: str) -> str | None:
        """See :meth:`Catalog.surface_for_path <residency_guard.catalog.model.Catalog>`."""
        if path in self.paths:  # every endpoint of a preview asks; paths repeat
            return self.paths[path]
        clean = "/" + "/".join(part for part in path.split("/") if part)
        owners = self.endpoint_owners
        found = None
        probe = clean
        while probe.count("/") >= 2:  # "/v1/x" at the shortest
            found = owners.get(probe)
            if found is not None:
                break
            probe = probe.rsplit("/", 1)[0]
        return self.paths.remember(path, found)
