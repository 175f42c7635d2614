"""What one run of the pack remembers: settings it loaded, contexts, and findings per resource.

The engine starts the pack once per operation and calls every resource policy on every
resource; the six resource policies read the same core findings, so the traversal of a
resource runs once and the policies each keep their own rule IDs. Everything lives in one
``PackState`` that ``__main__`` creates and tests create fresh: no module-level caches.

Two memos, so that neither can hand one resource's findings to another:

- the wire form of a resource (``resource_wire``) or of a whole stack (``stack_wire``), by
  the identity of the request being answered (the SDK builds new args for every policy, from
  one request), else of the args given to every policy (tests, the bench); the object is held
  while remembered, so that its id stays its own;
- the findings (``resource_result``), by URN, type, name, context and a hash of the wire
  form's content: equal properties in another request (the stack policies' outputs, where
  they equal the inputs) share them, and other properties under the same URN (a preview,
  then an up) never do.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

from pulumi_policy import PolicyResource

from residency_guard import api
from residency_guard.catalog.model import Catalog, Gateway
from residency_guard.catalog.overlay import Overlay, apply_overlay
from residency_guard.context import Resource, StackContext
from residency_guard.errors import ConfigError
from residency_guard.evaluate import resource_values
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scan import load_settings
from residency_guard.stackregion import (
    REGION_KEY,
    REGION_TAG,
    Declaration,
    engine_declarations,
    resolve_region,
    stack_declarations,
)
from residency_guard.values import UNKNOWN_SENTINEL, Value, decodes

from . import region as region_sources
from . import servicer_contract, wire
from .config import PackSettings
from .suppress import judged
from .wire import WireProps

K = TypeVar("K")
V = TypeVar("V")

PACK_DIR = Path(__file__).resolve().parents[1]
# Findings kept (digests and findings, no properties): a whole stack's, so that the stack
# policies find what the resource policies found on equal properties.
_MEMO_SIZE = 65_536
_WIRE_SIZE = 64  # resources kept in wire form: the six policies ask one after another
_STACKS_SIZE = 1  # stacks kept in wire form: the three stack policies ask one after another
_WARM_URL = "https://api.openai.com/v1"  # parsed, classified and judged: every lazy import


@dataclass(frozen=True)
class ResourceResult:
    """The core's findings on one resource, and its values unknown at preview."""

    findings: tuple[Finding, ...]
    unknown_values: tuple[Value, ...]  # in the order of ``resource_values``
    unknown_paths: frozenset[tuple[str | int, ...]] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        paths = frozenset(v.path for v in self.unknown_values)
        object.__setattr__(self, "unknown_paths", paths)


class _UnknownsGate:
    """Keeps every string that is, or decodes to values that may be, unknown; a ciphertext-only
    secret (walked as the text ``""``) too. ``resource_values`` with it yields every unknown
    value the full walk yields, in the same order, and few others."""

    def hot_key(self, key: str) -> bool:
        return False

    def keep(self, text: str, name: str) -> bool:
        return text == UNKNOWN_SENTINEL or not text or decodes(text)


_UNKNOWNS_GATE = _UnknownsGate()


def unknown_values(resource: Resource, form: WireProps | None = None) -> tuple[Value, ...]:
    """The values of ``resource`` unknown at preview (``resource_values``, unknown only);
    ``form``: its properties' wire form, whose scan may already rule them out."""
    if form is not None and not form.may_hold_unknowns:
        return ()
    return tuple(v for v in resource_values(resource, gate=_UNKNOWNS_GATE) if v.unknown)


class _Recent(Generic[K, V]):
    """The ``size`` values used last, each kept with the object it was worked out for: the keys
    hold ids, and an id is only unique while its object is alive, so the object is held and a
    value is served only for that same object."""

    def __init__(self, size: int) -> None:
        self._items: OrderedDict[K, tuple[object, V]] = OrderedDict()
        self._size = size

    def get(self, key: K, source: object) -> V | None:
        item = self._items.get(key)
        if item is None or item[0] is not source:
            return None
        self._items.move_to_end(key)
        return item[1]

    def put(self, key: K, source: object, value: V) -> None:
        self._items[key] = (source, value)
        self._items.move_to_end(key)
        while len(self._items) > self._size:
            self._items.popitem(last=False)


@dataclass
class Wired:
    """A resource's wire form, remembered (``PackState.resource_wire``) for the object it was
    read from: the servicer's request, or the args a test or the bench passes to every policy."""

    wire: WireProps
    _digest: bytes | None = field(default=None, repr=False)
    # What the resource policies' check found, by their config (``resource_policies.check``).
    checked: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def props(self) -> dict[str, Any]:
        return self.wire.props

    @property
    def digest(self) -> bytes:
        """The content's hash: findings are shared across requests with equal properties."""
        if self._digest is None:
            self._digest = content_digest(self.props)
        return self._digest


def content_digest(props: dict[str, Any]) -> bytes:
    """A hash of ``props``' content and types, whatever the order of its keys (the engine's
    outputs arrive in another order than its inputs): ``True``, ``1`` and ``1.0`` differ, and
    two digests are equal only for equal content, but for a SHA-256 collision. Content that
    is not plain JSON data gets a digest of its own, shared with nothing."""
    try:
        data = json.dumps(props, sort_keys=True, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError):
        return b"unique:" + os.urandom(32)
    return hashlib.sha256(data.encode("utf-8", "surrogatepass")).digest()


@dataclass(frozen=True)
class StackWire:
    """Every resource of an ``AnalyzeStack`` call in wire form, by URN (shared by the stack
    policies of that call)."""

    resources: dict[str, Wired]


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
    _memo: _Recent[tuple[Any, ...], ResourceResult] = field(
        default_factory=lambda: _Recent(_MEMO_SIZE)
    )
    _wire: _Recent[tuple[int, str], Wired] = field(default_factory=lambda: _Recent(_WIRE_SIZE))
    _stacks: _Recent[int, StackWire] = field(default_factory=lambda: _Recent(_STACKS_SIZE))
    _components: dict[str, dict[str, Declaration]] = field(default_factory=dict)
    _components_seen: int = 0  # changes to _components: a key of _resource_contexts
    _resource_contexts: dict[tuple[Any, ...], StackContext] = field(default_factory=dict)
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
                raise ConfigError(
                    "repoConfig not found",
                    file=str(path),
                    fix=f"give its path relative to the pack's folder ({self.pack_dir})",
                )
        # Without a path, load_settings takes the nearest residency-guard.yaml above the pack.
        repo, catalog = load_settings([self.pack_dir], config=path)
        with self._lock:
            self._settings[key] = (repo, catalog)
        return repo, catalog

    def warm_up(self) -> None:
        """Load what judging the first resource needs (residency-guard.yaml, the catalog, the
        URL parser's and the config validator's imports, the stack's context) before it comes:
        the engine starts the pack before the program, so this overlaps the program's start.
        Best effort: whatever fails here, the first real call does again and reports."""
        with contextlib.suppress(Exception):
            settings = PackSettings()
            stack = self.fallback_stack()
            ctx = self.context(stack, self.declarations(stack, settings, {}), settings)
            api.check_resource("warm-up", "warm-up", {"OPENAI_BASE_URL": _WARM_URL}, ctx)

    # --- regions and contexts ----------------------------------------------------------------

    def remember_component(self, stack: str, urn: str, declaration: Declaration) -> None:
        with self._lock:
            known = self._components.setdefault(stack, {})
            if known.get(urn) != declaration:
                known[urn] = declaration
                self._components_seen += 1

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
        engine = engine_declarations(settings.region, stack_tags, self.config_of_stack())
        return stack_declarations(stack, repo, engine=engine, components=components)

    def resource_context(
        self, stack: str, settings: PackSettings, stack_tags: Mapping[str, str]
    ) -> StackContext:
        """``context`` for the declarations a resource policy sees (``declarations`` with the
        components remembered so far), remembered by what those declarations read."""
        key = (
            stack,
            settings,
            stack_tags.get(REGION_TAG),
            self.config_of_stack().get(REGION_KEY),
            self._components_seen,
        )
        with self._lock:
            cached = self._resource_contexts.get(key)
        if cached is not None:
            return cached
        declarations = self.declarations(stack, settings, stack_tags, self.components(stack))
        ctx = self.context(stack, declarations, settings)
        with self._lock:
            self._resource_contexts[key] = ctx
        return ctx

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

    def resource_wire(self, urn: str, props: Mapping[str, Any], holder: object) -> Wired:
        """``urn``'s properties in wire form, read once for every policy that answers the same
        request: the request a ``RequestScoped`` servicer answers (the engine sends one per
        resource, and the SDK builds new args for each policy), else ``holder`` (the args a
        test or the bench passes to every policy, never changed in between), whose ``props``
        are the wire form's source (a ``pulumi_policy.Secret`` is a secret there)."""
        request = _request_for(props)
        # A resource policy answers an AnalyzeRequest (or a Remediate's): one resource.
        message = request if getattr(request, "urn", None) == urn else None
        source = holder if message is None else message
        key = (id(source), urn)
        with self._lock:
            cached = self._wire.get(key, source)
        if cached is not None:
            return cached
        data = props if message is None else wire.properties_of(message)
        wired = Wired(wire.wire_form(data))
        with self._lock:
            self._wire.put(key, source, wired)
        return wired

    def stack_wire(self, resources: Sequence[PolicyResource], holder: object) -> StackWire:
        """Every resource of a stack in wire form, read once for the stack policies of one
        ``AnalyzeStack`` call (or of one ``holder``, as ``resource_wire``)."""
        request = _request_for(*(r.props for r in resources[:1]))
        scoped = getattr(request, "resources", None) is not None  # an AnalyzeStackRequest
        source = request if scoped else holder
        with self._lock:
            cached = self._stacks.get(id(source), source)
        if cached is not None:
            return cached
        # The SDK builds the args' resources from the request's: each URN is there.
        by_urn = wire.request_resources(request) if scoped else None
        found: dict[str, Wired] = {}
        for resource in resources:  # a URN twice: the request's first, else the last resource's
            if by_urn is None:
                data = resource.props
            elif resource.urn in found:
                continue
            else:
                data = wire.properties_of(by_urn[resource.urn])
            found[resource.urn] = Wired(wire.wire_form(data))
        stack = StackWire(found)
        with self._lock:
            self._stacks.put(id(source), source, stack)
        return stack

    def resource_result(
        self, resource_type: str, name: str, urn: str, wired: Wired, ctx: StackContext
    ) -> ResourceResult:
        """Every core finding on one resource, computed once per (resource, props, context)."""
        key = (urn, resource_type, name, wired.digest, id(ctx))
        with self._lock:
            cached = self._memo.get(key, ctx)
        if cached is not None:
            return cached
        props = wired.props
        findings = judged(api.check_resource(resource_type, name, props, ctx, urn=urn), ctx)
        unknown = unknown_values(Resource(resource_type, name, props, urn), wired.wire)
        result = ResourceResult(tuple(findings), unknown)
        with self._lock:
            self.calls += 1
            self._memo.put(key, ctx, result)
        return result

    def record_reported(self, urn: str, findings: Sequence[Finding]) -> None:
        """What the resource policies found on a resource's inputs (reported, left to the
        summary, or under a policy the config made advisory or disabled), so that the stack
        policies do not raise it again."""
        with self._lock:
            self._reported.update((urn, f.rule, f.message) for f in findings)

    def was_reported(self, urn: str, finding: Finding) -> bool:
        with self._lock:
            return (urn, finding.rule, finding.message) in self._reported


def _request_for(*props: object) -> Any | None:
    """The request being answered (``servicer_contract.current_request``); refuses properties
    the SDK's servicer built from a request the pack cannot see (see ``unscoped_sdk_props``)."""
    request = servicer_contract.current_request()
    if request is None and any(servicer_contract.unscoped_sdk_props(p) for p in props):
        raise servicer_contract.ServicerContractError(servicer_contract.UNSCOPED)
    return request


def apply_settings(base: Catalog, region_id: str | None, settings: PackSettings) -> Catalog:
    """The catalog with the policy config's extra gateways, allowed and denied models, layered
    by the core's one overlay path (as a team's overlay file is)."""
    region = base.regions.get(region_id) if region_id is not None else None
    gateways: list[Gateway] = []
    for host in settings.allowed_hosts if region is not None else ():
        if base.region_by_host(host) is not None or host in base.misconfigured_hosts:
            raise ConfigError(
                f"Expected allowedHosts to hold gateway hosts, got OpenAI's host {host!r}"
            )
        gateways.append(Gateway(host, region.id, "allowedHosts in the policy config"))
    allowed = frozenset(settings.allow_models)
    models = {region.id: dict.fromkeys(region.models, allowed)} if region and allowed else {}
    banned = {model: "denied by denyModels in the policy config"
              for model in settings.deny_models if model not in base.banned_models}  # fmt: skip
    return apply_overlay(base, Overlay(tuple(gateways), models, banned))
