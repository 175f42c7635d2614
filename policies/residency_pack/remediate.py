"""The one remediation: an OpenAI host of another region rewritten to the stack region's host.

Off unless the policy's config says ``remediateHosts: true`` (and its enforcement level is
``remediate``, the only level at which the engine asks for remediations). A URL is rewritten
only where nothing else about it is in doubt: the host is an OpenAI API host of another
region (``classify_endpoint`` says OPENAI), the scheme is https, the port is the default,
there is no userinfo and no other hazard. Everything else stays a violation to fix by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency_guard.catalog.model import Catalog, Region
from residency_guard.hosts import Endpoint, EndpointKind, classify_endpoint, find_endpoints


def rewritable(endpoint: Endpoint, region: Region) -> bool:
    return (
        endpoint.kind is EndpointKind.OPENAI
        and endpoint.region != region.id
        and endpoint.scheme == "https"
        and endpoint.port in (None, 443)
        and not endpoint.hazards
    )


def rewrite_url(text: str, region: Region, catalog: Catalog) -> str | None:
    """``text`` (one URL) on the region's host, or None when it may not be rewritten."""
    import httpx2  # the URL parser of the openai client's HTTP layer, as the core uses

    endpoint = classify_endpoint(text, catalog)
    if not rewritable(endpoint, region):
        return None
    url = httpx2.URL(text.strip())
    if url.userinfo:
        return None
    return str(url.copy_with(host=region.host))


def rewrite_text(text: str, region: Region, catalog: Catalog) -> str:
    """Every rewritable URL inside ``text`` (a value, a dotenv body, a JSON document)."""
    out = text
    for endpoint in find_endpoints(text, catalog):
        url = endpoint.text.strip()
        new = rewrite_url(url, region, catalog)
        if new is not None and new != url:
            out = out.replace(url, new)
    return out


def rewrite_hosts(data: Any, region: Region, catalog: Catalog) -> tuple[Any, bool]:
    """``data`` (wire form, secret wrappers kept) with hosts rewritten, and whether any was."""
    if isinstance(data, str):
        new = rewrite_text(data, region, catalog)
        return new, new != data
    if isinstance(data, Mapping):
        changed = False
        out: dict[str, Any] = {}
        for key, value in data.items():
            out[key], child_changed = rewrite_hosts(value, region, catalog)
            changed = changed or child_changed
        return out, changed
    if isinstance(data, list):
        items = [rewrite_hosts(item, region, catalog) for item in data]
        return [item for item, _ in items], any(changed for _, changed in items)
    return data, False
