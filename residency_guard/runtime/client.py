"""Keep an application's OpenAI traffic in its region at run time.

``guarded_client("eu")`` builds an ``openai.OpenAI`` (or ``AsyncOpenAI``) from the environment
the residency components deliver, whose HTTP layer refuses, before anything is sent, every
request to a host outside the region: a ``base_url`` changed later, ``with_options(base_url=...)``,
an absolute URL, a redirect hop. ``RegionRouter`` hands out the client of a user's region and
never falls back to another region.

What the guard does not cover: Realtime over WebSockets (the SDK opens those with the
``websockets`` library, not through httpx2), and a client whose HTTP client is replaced
(``with_options(http_client=...)``), which drops the guard with it.

openai is imported when a client is built, never on import of this module.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Generic, Literal, TypeVar, overload

import httpx2

from residency_guard.catalog import shipped_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.errors import ConfigError
from residency_guard.runtime.pin import (
    API_KEY_ENV,
    BASE_URL_ENV,
    LEGACY_BASE_ENV,
    ORG_ENV,
    PROJECT_ENV,
    REGION_ENV,
    RegionPin,
    ResidencyViolation,
    ResidencyWarning,
)
from residency_guard.runtime.transport import (
    AsyncGuardedTransport,
    GuardedTransport,
    guarded_transport,
)

if TYPE_CHECKING:
    from openai import AsyncOpenAI, OpenAI

__all__ = [
    "AsyncGuardedTransport",
    "GuardedTransport",
    "RegionNotServed",
    "RegionPin",
    "RegionRouter",
    "ResidencyViolation",
    "ResidencyWarning",
    "guarded_client",
    "pinned_region",
]

# Arguments that would replace the guarded HTTP layer or the pinned endpoint behind our back.
_REFUSED_KWARGS = {
    "http_client": "the guard is the HTTP client; pass `transport=` to wrap your own transport",
    "data_residency": "the region is the pin; pass it as `region`",
    "provider": "a provider routes requests itself",
    "workload_identity": "X.509 workload identity sends to its own mTLS host",
}


class RegionNotServed(ResidencyViolation):
    """A router asked for a region it has no client for (it never falls back)."""


@overload
def guarded_client(
    region: str | None = None,
    *,
    env: Mapping[str, str] = ...,
    async_: Literal[False] = False,
    catalog: Catalog | None = None,
    allow_insecure_loopback: bool = False,
    transport: httpx2.BaseTransport | None = None,
    **client_kwargs: Any,
) -> OpenAI: ...


@overload
def guarded_client(
    region: str | None = None,
    *,
    env: Mapping[str, str] = ...,
    async_: Literal[True],
    catalog: Catalog | None = None,
    allow_insecure_loopback: bool = False,
    transport: httpx2.AsyncBaseTransport | None = None,
    **client_kwargs: Any,
) -> AsyncOpenAI: ...


def guarded_client(
    region: str | None = None,
    *,
    env: Mapping[str, str] = os.environ,
    async_: bool = False,
    catalog: Catalog | None = None,
    allow_insecure_loopback: bool = False,
    transport: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None = None,
    **client_kwargs: Any,
) -> OpenAI | AsyncOpenAI:
    """An openai client pinned to ``region`` (default: ``$RESIDENCY_GUARD_REGION``).

    Read from ``env``: ``OPENAI_BASE_URL`` (default: the region's base URL), ``OPENAI_API_KEY``,
    ``OPENAI_PROJECT_ID``, ``OPENAI_ORG_ID``; ``base_url``, ``api_key``, ``project`` and
    ``organization`` in ``client_kwargs`` win over them. Allowed hosts are the region's API
    host and the gateways the catalog (``catalog``, default the shipped one) binds to it, in
    the form ``https://host`` on port 443 without userinfo. ``allow_insecure_loopback=True``
    also lets an allowed gateway that is a loopback IP (``127.0.0.1``) be reached over plain
    http on any port: for tests and local port-forwards, never for a real host.

    Raises ``ResidencyViolation`` when the base URL already leaves the region, ``ConfigError``
    for a missing region or key; warns (``ResidencyWarning``) when ``OPENAI_API_BASE`` is set
    without ``OPENAI_BASE_URL``. Other keyword arguments go to ``openai.OpenAI`` as they are.
    """
    _refuse_replacements(client_kwargs)
    pin = _region_pin(region, env, catalog, allow_insecure_loopback)
    _warn_of_legacy_base(env, client_kwargs, pin)
    base_url = _checked_base_url(pin, env, client_kwargs)
    api_key, project, organization = _identity(env, client_kwargs)

    import openai

    guard = guarded_transport(pin, transport, asynchronous=async_)
    client_type, http_client_type = (getattr(openai, n) for n in _OPENAI_TYPES[async_])
    client: OpenAI | AsyncOpenAI = client_type(
        api_key=api_key,
        base_url=str(base_url),
        project=project,
        organization=organization,
        http_client=http_client_type(transport=guard),
        **client_kwargs,
    )
    # openai falls back to os.environ for a project/organization of None; ``env`` decides.
    client.project = project
    client.organization = organization
    return client


# openai's client and its HTTP client (with openai's defaults), sync and async.
_OPENAI_TYPES = {
    False: ("OpenAI", "DefaultHttpxClient"),
    True: ("AsyncOpenAI", "DefaultAsyncHttpxClient"),
}


def _refuse_replacements(client_kwargs: Mapping[str, Any]) -> None:
    for name, why in _REFUSED_KWARGS.items():
        if name in client_kwargs:
            raise ConfigError(f"guarded_client() does not take {name}=", fix=why)


def _region_pin(
    region: str | None,
    env: Mapping[str, str],
    catalog: Catalog | None,
    allow_insecure_loopback: bool,
) -> RegionPin:
    """The pin of ``region``, else of ``$RESIDENCY_GUARD_REGION``; ConfigError for neither."""
    region_id = (region or env.get(REGION_ENV) or "").strip().lower()
    if not region_id:
        raise ConfigError("no region to pin the client to", fix=f"pass region= or set {REGION_ENV}")
    catalog = catalog if catalog is not None else shipped_catalog()
    return RegionPin.for_region(catalog, region_id, allow_insecure_loopback=allow_insecure_loopback)


def _warn_of_legacy_base(
    env: Mapping[str, str], client_kwargs: Mapping[str, Any], pin: RegionPin
) -> None:
    """Warn, at guarded_client's caller, of an ``OPENAI_API_BASE`` that openai>=1 ignores."""
    if env.get(LEGACY_BASE_ENV) and not env.get(BASE_URL_ENV) and "base_url" not in client_kwargs:
        warnings.warn(
            f"{LEGACY_BASE_ENV} is set but {BASE_URL_ENV} is not: openai>=1 ignores "
            f"{LEGACY_BASE_ENV}, so its value is not used; the client is pinned to "
            f"{pin.base_url}. Rename the variable to {BASE_URL_ENV}.",
            ResidencyWarning,
            stacklevel=3,
        )


def _checked_base_url(
    pin: RegionPin, env: Mapping[str, str], client_kwargs: dict[str, Any]
) -> httpx2.URL:
    """``base_url=``, else ``$OPENAI_BASE_URL``, else the region's; refused here, at
    construction, when it leaves the region (rather than at the first request)."""
    base_url = str(client_kwargs.pop("base_url", None) or env.get(BASE_URL_ENV) or pin.base_url)
    try:
        parsed = httpx2.URL(base_url.strip())
    except Exception as exc:  # httpx2.InvalidURL, and ValueError/TypeError for odd input
        raise ConfigError(f"the base URL is not a URL ({exc})", fix=f"use {pin.base_url}") from None
    pin.check(parsed)
    return parsed


def _identity(
    env: Mapping[str, str], client_kwargs: dict[str, Any]
) -> tuple[str, str | None, str | None]:
    """(API key, project, organization): the keyword arguments, else the environment."""
    api_key = client_kwargs.pop("api_key", None) or env.get(API_KEY_ENV)
    if not api_key:
        raise ConfigError(f"{API_KEY_ENV} is not set", fix=f"set {API_KEY_ENV} or pass api_key=")
    project = client_kwargs.pop("project", None) or env.get(PROJECT_ENV) or None
    organization = client_kwargs.pop("organization", None) or env.get(ORG_ENV) or None
    return api_key, project, organization


def pinned_region(client: object) -> str | None:
    """The region a client built by :func:`guarded_client` is pinned to; None for any other.

    Reads the client's HTTP layer (openai's ``_client``, httpx2's ``_transport``): a client
    whose HTTP client was replaced is no longer pinned, and this says so.
    """
    http = getattr(client, "_client", None)
    transport = getattr(http, "_transport", None)
    if getattr(http, "_mounts", None):  # a mounted (proxy) transport would route around ours
        return None
    if isinstance(transport, GuardedTransport | AsyncGuardedTransport):
        return transport.pin.region
    return None


ClientT = TypeVar("ClientT")


class RegionRouter(Generic[ClientT]):
    """The client of each region a hybrid application serves; never one of another region.

    ``RegionRouter({"eu": eu_client, "us": us_client}).client_for(user.region)`` returns the
    client pinned to the user's region and raises :class:`RegionNotServed` for any region it
    has no client for. Each client must be pinned (by :func:`guarded_client`) to the region it
    is registered under, so that a mix-up fails at start-up rather than per request.
    """

    def __init__(self, clients: Mapping[str, ClientT]) -> None:
        routed: dict[str, ClientT] = {}
        for name, client in clients.items():
            region = name.strip().lower()
            pinned = pinned_region(client)
            if pinned is None:
                raise ConfigError(
                    f"the client for region {region!r} is not pinned to a region",
                    fix="build it with residency_guard.runtime.guarded_client",
                )
            if pinned != region:
                raise ConfigError(
                    f"the client registered for region {region!r} is pinned to {pinned!r}",
                    fix=f"register it under {pinned!r} or build one for {region!r}",
                )
            if region in routed:
                raise ConfigError(f"two clients for region {region!r}", fix="keep one")
            routed[region] = client
        self._clients = routed

    @property
    def regions(self) -> tuple[str, ...]:
        return tuple(sorted(self._clients))

    def client_for(self, user_region: str | None) -> ClientT:
        """The client of ``user_region``; :class:`RegionNotServed` when there is none."""
        region = (user_region or "").strip().lower()
        client = self._clients.get(region)
        if client is None:
            served = ", ".join(self.regions) or "none"
            raise RegionNotServed(
                f"no client for region {region or '(none)'!r}; this router serves {served} "
                "and never sends a user's data to another region",
                fix="add a client for that region or refuse the request",
                region=region,
            )
        return client
