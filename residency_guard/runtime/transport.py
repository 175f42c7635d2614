"""httpx2 transports that check every request against a :class:`RegionPin` before sending it.

The openai client (>= 3) sends through an ``httpx2.Client``; the client calls its transport
once per request *and once per redirect hop*, with the final URL of that hop. Checking there
covers what the client builds from ``base_url`` (however it was set or overridden later,
``with_options(base_url=...)`` included), absolute URLs, and redirects: a hop to another host
raises :class:`ResidencyViolation` instead of connecting.
"""

from __future__ import annotations

import httpx2

from residency_guard.errors import ConfigError
from residency_guard.runtime.pin import RegionPin

# openai's own connection limits (openai._constants.DEFAULT_CONNECTION_LIMITS). An
# httpx2.Client ignores its ``limits`` once it is given a transport, so the wrapped default
# transport takes them here.
SDK_LIMITS = httpx2.Limits(max_connections=1000, max_keepalive_connections=100)


class GuardedTransport(httpx2.BaseTransport):
    """Refuses, before anything is sent, each request the pin does not allow.

    ``inner`` is the transport that really sends (default: ``httpx2.HTTPTransport`` with
    openai's limits). httpx2 reads no proxy from the environment for a client given a
    transport: pass ``httpx2.HTTPTransport(proxy=...)`` as ``inner`` to send through one.
    """

    def __init__(self, pin: RegionPin, inner: httpx2.BaseTransport | None = None) -> None:
        self.pin = pin
        self._inner = inner if inner is not None else httpx2.HTTPTransport(limits=SDK_LIMITS)

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.pin.check_request(request)
        return self._inner.handle_request(request)

    def close(self) -> None:
        self._inner.close()


class AsyncGuardedTransport(httpx2.AsyncBaseTransport):
    """The asyncio twin of :class:`GuardedTransport`."""

    def __init__(self, pin: RegionPin, inner: httpx2.AsyncBaseTransport | None = None) -> None:
        self.pin = pin
        self._inner = inner if inner is not None else httpx2.AsyncHTTPTransport(limits=SDK_LIMITS)

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.pin.check_request(request)
        return await self._inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self._inner.aclose()


def guarded_transport(
    pin: RegionPin,
    inner: httpx2.BaseTransport | httpx2.AsyncBaseTransport | None,
    *,
    asynchronous: bool,
) -> GuardedTransport | AsyncGuardedTransport:
    """The guard of a sync or an async client around ``inner`` (default: the SDK's transport);
    ConfigError for an ``inner`` transport of the other kind."""
    if asynchronous:
        if inner is None or isinstance(inner, httpx2.AsyncBaseTransport):
            return AsyncGuardedTransport(pin, inner)
        raise ConfigError("async_=True needs an httpx2.AsyncBaseTransport as transport=")
    if inner is None or isinstance(inner, httpx2.BaseTransport):
        return GuardedTransport(pin, inner)
    raise ConfigError("a sync client needs an httpx2.BaseTransport as transport=")
