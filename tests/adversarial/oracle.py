"""Where a base URL really sends a request: the openai client (or httpx2) with a recording transport.

Nothing leaves the machine: the transport answers every request itself and keeps its URL.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import unquote

import httpx2

SAFE_EU_HOST = "eu.api.openai.com"
SAFE_EU_URL = "https://eu.api.openai.com/v1"
# A name a resolver can look up: letters, digits, '-' and '_' in dot-separated labels.
_DNS_NAME = re.compile(r"[a-z0-9_-]+(\.[a-z0-9_-]+)*\.?")


@dataclass(frozen=True)
class Target:
    """The connection a client would open: scheme, the host as sent to DNS, port, userinfo."""

    scheme: str
    host: str  # ASCII, as the transport connects to it (punycode, brackets removed)
    port: int | None
    userinfo: str

    @property
    def resolvable(self) -> bool:
        """Whether a request can leave at all: a DNS name or an IP address, not '%20' or '"'."""
        if _DNS_NAME.fullmatch(self.host):
            return True
        try:
            ipaddress.ip_address(self.host)
        except ValueError:
            return False
        return True

    @property
    def names_openai(self) -> bool:
        """Whether the authority names OpenAI: in its host or userinfo, plainly, percent-encoded
        or as an IDNA (punycode) label."""
        authority = unquote(f"{self.userinfo}@{self.host}").lower()
        return "openai" in authority or "xn--" in self.host

    @property
    def is_safe_eu(self) -> bool:
        """Exactly eu.api.openai.com over https on the default port, without userinfo."""
        return (
            self.scheme == "https"
            and self.host == SAFE_EU_HOST
            and self.port in (None, 443)
            and not self.userinfo
        )


class _Recorder(httpx2.BaseTransport):
    def __init__(self) -> None:
        self.urls: list[httpx2.URL] = []

    def handle_request(self, request: httpx2.Request) -> httpx2.Response:
        self.urls.append(request.url)
        return httpx2.Response(200, json={"object": "list", "data": []}, request=request)


# A WebSocket handshake (the Realtime API's wss:// URLs) is an HTTP request to the same host.
_HANDSHAKE = {"wss": "https", "ws": "http"}
_DEFAULT_PORTS = {"https": 443, "http": 80}


def _target(url: httpx2.URL) -> Target | None:
    host = url.raw_host.decode("ascii")
    if not host:
        return None  # the real transport refuses a request without a host
    scheme = url.scheme.lower()
    scheme = _HANDSHAKE.get(scheme, scheme)
    port = None if url.port == _DEFAULT_PORTS.get(scheme) else url.port
    return Target(scheme, host, port, url.userinfo.decode("ascii"))


def url_target(value: str) -> Target | None:
    """The target of ``httpx2.URL(value)``; None when httpx2 refuses it or it has no host."""
    try:
        return _target(httpx2.URL(value))
    except Exception:
        return None


def client_target(base_url: str) -> Target | None:
    """The target of a request by an ``httpx2.Client(base_url=...)``; None when none is sent."""
    if _is_websocket(base_url):
        return url_target(base_url)
    recorder = _Recorder()
    try:
        with httpx2.Client(base_url=base_url, transport=recorder) as client:
            client.get("chat/completions")
    except Exception:
        return None
    return _target(recorder.urls[-1]) if recorder.urls else None


def openai_target(base_url: str) -> Target | None:
    """The target of ``openai.OpenAI(base_url=...).models.list()``, the strongest oracle."""
    if _is_websocket(base_url):
        return url_target(base_url)  # the Realtime client opens its handshake to this host
    try:
        import openai
    except ImportError:  # the `openai` extra is optional; httpx2 is the same parser
        return client_target(base_url)
    recorder = _Recorder()
    try:
        client = openai.OpenAI(
            api_key="not-a-key", base_url=base_url, max_retries=0,
            http_client=httpx2.Client(transport=recorder),
        )  # fmt: skip
        client.models.list()
    except Exception:
        return None
    return _target(recorder.urls[-1]) if recorder.urls else None


def _is_websocket(value: str) -> bool:
    return value.lower().startswith(("ws://", "wss://"))
