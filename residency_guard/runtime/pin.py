"""Which hosts a region allows, and the exception that refuses every other one.

A :class:`RegionPin` answers one question for the runtime guard (``runtime_transport``) and
for ``residency-guard verify``: may this request go out? It reads the URL with httpx2, the
HTTP library the openai client sends with, so the host judged is the host connected to.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass

import httpx2

from residency_guard.catalog.model import Catalog
from residency_guard.errors import ResidencyGuardError
from residency_guard.redact import redact

# The environment the components deliver (and openai>=1 reads), and the one it ignores.
BASE_URL_ENV = "OPENAI_BASE_URL"
LEGACY_BASE_ENV = "OPENAI_API_BASE"
API_KEY_ENV = "OPENAI_API_KEY"
PROJECT_ENV = "OPENAI_PROJECT_ID"
ORG_ENV = "OPENAI_ORG_ID"
REGION_ENV = "RESIDENCY_GUARD_REGION"


class ResidencyViolation(ResidencyGuardError):
    """A request refused before anything was sent: its URL leaves the pinned region."""

    def __init__(self, message: str, *, fix: str = "", region: str = "", host: str = "") -> None:
        self.region = region
        self.host = host
        super().__init__(redact(message), fix=redact(fix))


class ResidencyWarning(UserWarning):
    """A setting that does not do what it looks like (``OPENAI_API_BASE``...)."""


def safe_url_text(url: httpx2.URL) -> str:
    """``url`` as a message may quote it: no userinfo, no query, redacted."""
    port = f":{url.port}" if url.port is not None else ""
    return redact(f"{url.scheme}://{url.host}{port}{url.path}")


def is_loopback_ip(host: str) -> bool:
    """Whether ``host`` is an IP literal on the loopback interface (127.0.0.0/8, ::1).

    Names such as ``localhost`` are not: what they resolve to is up to the resolver.
    """
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class RegionPin:
    """The hosts one region allows: its OpenAI host and the team gateways bound to it.

    Every allowed request is ``https`` on port 443 to exactly one of ``hosts``, without
    userinfo. ``allow_insecure_loopback`` relaxes the form (``http``, any port) for allowed
    hosts that are loopback IP literals only: a local test server or port-forward bound to
    the region as a gateway in a team catalog; it never allows a host that is not listed.
    """

    region: str
    hosts: frozenset[str]
    base_url: str  # the region's own base URL, for the fix
    allow_insecure_loopback: bool = False

    @classmethod
    def for_region(
        cls, catalog: Catalog, region_id: str, *, allow_insecure_loopback: bool = False
    ) -> RegionPin:
        """The pin of a catalog region (UnknownRegionError names the known ids)."""
        region = catalog.region(region_id)
        gateways = {g.host for g in catalog.gateways.values() if g.region == region.id}
        return cls(
            region=region.id,
            hosts=frozenset({region.host, *gateways}),
            base_url=region.base_url,
            allow_insecure_loopback=allow_insecure_loopback,
        )

    def refusal(
        self,
        url: httpx2.URL,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
    ) -> str | None:
        """Why a request to ``url`` must not be sent, or None when it may."""
        host = url.host.lower()
        raw_host = url.raw_host.decode("ascii", "replace").lower()
        if host not in self.hosts or raw_host != host:
            return f"{host or '(no host)'} is not a host of region {self.region}"
        if url.userinfo:
            return "the URL carries userinfo (user:password@)"
        if not (self.allow_insecure_loopback and is_loopback_ip(host)):
            if url.scheme != "https":
                return f"{url.scheme or 'no scheme'} instead of https"
            if url.port not in (None, 443):
                return f"port {url.port} instead of 443"
        if headers is not None:
            # A Host header naming another host could route the request there behind the
            # front end of an allowed one.
            named = headers.get("host")
            if named is not None and _host_of(named) != host.strip("[]"):
                return f"its Host header names {_host_of(named)}"
        if extensions is not None:
            sni = extensions.get("sni_hostname")
            if sni is not None and str(sni).lower() != host:
                return f"its TLS server name is {sni}"
        return None

    def check(
        self,
        url: httpx2.URL,
        headers: Mapping[str, str] | None = None,
        extensions: Mapping[str, object] | None = None,
        *,
        method: str = "",
    ) -> None:
        """Raise :class:`ResidencyViolation` unless a request to ``url`` may be sent."""
        reason = self.refusal(url, headers, extensions)
        if reason is None:
            return
        what = f"{method} {safe_url_text(url)}" if method else safe_url_text(url)
        raise ResidencyViolation(
            f"refused {what} (pinned to region {self.region}): {reason}; nothing was sent",
            fix=f"send to {self.base_url} or a gateway bound to region {self.region}",
            region=self.region,
            host=url.host,
        )

    def check_request(self, request: httpx2.Request) -> None:
        self.check(request.url, request.headers, request.extensions, method=request.method)


def _host_of(header: str) -> str:
    """``eu.api.openai.com:443`` -> ``eu.api.openai.com``; ``[::1]:80`` -> ``::1``."""
    value = header.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value
