"""What one run of the pack remembers: settings it loaded, contexts, and findings per resource.

The engine starts the pack once per operation and calls every resource policy on every
resource; the six resource policies read the same core findings, so the traversal of a
resource runs once and the policies each keep their own rule IDs. Everything lives in one
``PackState`` that ``__main__`` creates and tests create fresh: no module-level caches.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any

from residency_guard import api
from residency_guard.catalog.model import Catalog, Gateway
from residency_guard.context import Resource, StackContext
from residency_guard.errors import ConfigError
from residency_guard.evaluate import resource_values
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scan import load_settings
from residency_guard.scanners.stackfile import repo_declaration
from residency_guard.stackregion import Declaration, resolve_region
from residency_guard.values import Value

from . import region as region_sources
from .config import PackSettings

PACK_DIR = Path(__file__).resolve().parents[1]
_MEMO_SIZE = 2048


@dataclass(frozen=True)
class ResourceResult:
    """The core's findings on one resource, and the values they were read from."""

    findings: tuple[Finding, ...]
    values: tuple[Value, ...]
    ctx: StackContext | None = field(default=None, compare=False, repr=False)

    @property
    def unknown_paths(self) -> frozenset[str]:
        return frozenset(v.dotted_path() for v in self.values if v.unknown)


@dataclass
class PackState:
    """Settings, contexts and memoized findings for one run of the pack."""

    pack_dir: Path = PACK_DIR
    # None: read from the environment the engine gives the pack (PULUMI_CONFIG, PULUMI_STACK).
    stack_config: Mapping[str, str] | None = None
    stack_fallback: str | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _settings: dict[str | None, tuple[RepoConfig, Catalog]] = field(default_factory=dict)
    _catalogs: dict[tuple[Any, ...], Catalog] = field(default_factory=dict)
    _contexts: dict[tuple[Any, ...], StackContext] = field(default_factory=dict)
    _memo: OrderedDict[tuple[Any, ...], ResourceResult] = field(default_factory=OrderedDict)
    _components: dict[str, dict[str, Declaration]] = field(default_factory=dict)
    _reported: set[tuple[str, str, str]] = field(default_factory=set)
    calls: int = 0  # core traversals run: the memo's effect, visible to tests

    # --- the environment -----------------------------------------------------------------

    def config_of_stack(self) -> Mapping[str, str]:
        if self.stack_config is not None:
            return self.stack_config
        return region_sources.env_stack_config()

    def fallback_stack(self) -> str:
        if self.stack_fallback is not None:
            return self.stack_fallback
        return region_sources.env_stack_name()

    def repo_and_catalog(self, settings: PackSettings) -> tuple[RepoConfig, Catalog]:
        """residency-guard.yaml (given or found above the pack) and the catalog it layers."""
        key = settings.repo_config
        with self._lock:
            cached = self._settings.get(key)
        if cached is not None:
            return cached
        path: Path | None = None
        if settings.repo_config is not None:
            path = (self.pack_dir / settings.repo_config).resolve()
            if not path.is_file():
                raise ConfigError("repoConfig not found", file=str(path))
        # Without a path, load_settings takes the nearest residency-guard.yaml above the pack.
        repo, catalog = load_settings([self.pack_dir], config=path)
        with self._lock:
            self._settings[key] = (repo, catalog)
        return repo, catalog

    # --- regions and contexts ----------------------------------------------------------------

    def remember_component(self, stack: str, urn: str, declaration: Declaration) -> None:
        with self._lock:
            self._components.setdefault(stack, {})[urn] = declaration

    def components(self, stack: str) -> list[Declaration]:
        with self._lock:
            return list(self._components.get(stack, {}).values())

    def declarations(
        self,
        stack: str,
        settings: PackSettings,
        stack_tags: Mapping[str, str],
        components: Sequence[Declaration] = (),
    ) -> list[Declaration]:
        """Every claim about the stack's region, in any order (the core sorts by precedence)."""
        repo, _ = self.repo_and_catalog(settings)
        found = [
            region_sources.settings_declaration(settings),
            region_sources.tag_declaration(stack_tags),
            region_sources.config_declaration(self.config_of_stack()),
            repo_declaration(repo, stack),
        ]
        return [d for d in found if d is not None] + list(components)

    def context(
        self,
        stack: str,
        declarations: Sequence[Declaration],
        settings: PackSettings,
        resources: Sequence[Resource] = (),
    ) -> StackContext:
        """The core's context for ``stack``, with the pack's hosts and model lists applied."""
        key = (stack, tuple(declarations), settings)
        if not resources:
            with self._lock:
                cached = self._contexts.get(key)
            if cached is not None:
                return cached
        repo, base = self.repo_and_catalog(settings)
        if settings.unresolved is not None:
            repo = dataclasses.replace(repo, unresolved=settings.unresolved)
        region_id = resolve_region(list(declarations)).region
        catalog = self._catalog(base, region_id, settings)
        ctx = api.stack_context(
            stack, declarations, catalog=catalog, repo=repo, resources=resources
        )
        if not resources:
            with self._lock:
                self._contexts[key] = ctx
        return ctx

    def _catalog(self, base: Catalog, region_id: str | None, settings: PackSettings) -> Catalog:
        key = (id(base), region_id, settings.allowed_hosts, settings.allow_models,
               settings.deny_models)  # fmt: skip
        with self._lock:
            cached = self._catalogs.get(key)
        if cached is None:
            cached = apply_settings(base, region_id, settings)
            with self._lock:
                self._catalogs[key] = cached
        return cached

    # --- findings ------------------------------------------------------------------------

    def resource_result(
        self, resource_type: str, name: str, urn: str, props: Mapping[str, Any], ctx: StackContext
    ) -> ResourceResult:
        """Every core finding on one resource, computed once per (resource, props, context)."""
        digest = hashlib.sha256(
            json.dumps(props, sort_keys=True, separators=(",", ":"), default=str).encode()
        ).hexdigest()
        key = (urn, resource_type, name, digest, id(ctx))
        with self._lock:
            cached = self._memo.get(key)
            if cached is not None and cached.ctx is ctx:  # an id is only unique while alive
                self._memo.move_to_end(key)
                return cached
        resource = Resource(resource_type, name, props, urn)
        findings = api.check_resource(resource_type, name, props, ctx, urn=urn)
        result = ResourceResult(tuple(findings), tuple(resource_values(resource)), ctx)
        with self._lock:
            self.calls += 1
            self._memo[key] = result
            while len(self._memo) > _MEMO_SIZE:
                self._memo.popitem(last=False)
        return result

    def record_reported(self, urn: str, findings: Sequence[Finding]) -> None:
        """What the resource policies reported, so the stack policies do not repeat it."""
        with self._lock:
            self._reported.update((urn, f.rule, f.message) for f in findings)

    def was_reported(self, urn: str, finding: Finding) -> bool:
        with self._lock:
            return (urn, finding.rule, finding.message) in self._reported


def apply_settings(base: Catalog, region_id: str | None, settings: PackSettings) -> Catalog:
    """The catalog with the policy config's extra gateways, allowed and denied models."""
    catalog = base
    if settings.allowed_hosts and region_id in base.regions:
        gateways = dict(base.gateways)
        for host in settings.allowed_hosts:
            owner = base.region_by_host(host)
            if owner is not None or host in base.misconfigured_hosts:
                raise ConfigError(
                    f"Expected allowedHosts to hold gateway hosts, got OpenAI's host {host!r}"
                )
            gateways[host] = Gateway(host, str(region_id), "allowedHosts in the policy config")
        catalog = dataclasses.replace(catalog, gateways=MappingProxyType(gateways))
    if settings.allow_models and region_id in base.regions:
        region = base.regions[str(region_id)]
        allowed = frozenset(settings.allow_models)
        models = {surface: names & allowed for surface, names in region.models.items()}
        regions = dict(base.regions)
        regions[region.id] = dataclasses.replace(region, models=MappingProxyType(models))
        catalog = dataclasses.replace(catalog, regions=MappingProxyType(regions))
    if settings.deny_models:
        banned = dict(base.banned_models)
        for model in settings.deny_models:
            banned.setdefault(model, "denied by denyModels in the policy config")
        catalog = dataclasses.replace(catalog, banned_models=MappingProxyType(banned))
    return catalog
