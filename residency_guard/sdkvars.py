"""The openai SDK's environment variables that send its traffic somewhere else than the
``OPENAI_BASE_URL`` a stack declares (read from openai 3.57's source).

- ``OPENAI_API_TYPE`` (``openai/__init__.py``, ``lib/_module_runtime.py``): the module-level
  client (``openai.chat.completions.create(...)``) becomes an Amazon Bedrock client for
  ``amazon-bedrock`` or an Azure OpenAI client for ``azure``, and ignores ``OPENAI_BASE_URL``.
- With no ``OPENAI_API_TYPE``, ``AZURE_OPENAI_API_KEY``, ``AZURE_OPENAI_AD_TOKEN`` or
  ``AZURE_OPENAI_ENDPOINT`` without ``OPENAI_API_KEY`` make the module client an Azure one.
- ``AWS_BEDROCK_BASE_URL``, else ``AWS_REGION`` / ``AWS_DEFAULT_REGION``
  (``lib/bedrock.py``, ``providers/bedrock.py``): where a Bedrock client sends
  (``bedrock-mantle.<region>.api.aws``).
- ``AZURE_OPENAI_ENDPOINT`` (``lib/azure.py``): where an Azure client sends; an endpoint
  setting the Azure rules judge (RG011, RG012). ``OPENAI_API_VERSION`` only completes it.
- ``HTTPS_PROXY`` / ``ALL_PROXY`` (any case; httpx2 trusts the environment): every request goes
  through that proxy first, unless ``NO_PROXY`` names the host.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Mapping

from residency_guard.values import Value

API_TYPE = "OPENAI_API_TYPE"
BEDROCK = "amazon-bedrock"
AZURE = "azure"
BEDROCK_BASE_URL = "AWS_BEDROCK_BASE_URL"
AZURE_ENDPOINT = "AZURE_OPENAI_ENDPOINT"
# Credentials that, without OPENAI_API_KEY, make the module client an Azure one.
AZURE_CREDENTIALS = ("AZURE_OPENAI_API_KEY", "AZURE_OPENAI_AD_TOKEN")
OPENAI_KEY = "OPENAI_API_KEY"
BASE_URL = "OPENAI_BASE_URL"
REGIONS = ("AWS_REGION", "AWS_DEFAULT_REGION")
# urllib's getproxies(), which httpx2 reads: names are matched in any case.
PROXIES = ("https_proxy", "all_proxy")
NO_PROXY = "no_proxy"

_EXACT = frozenset(
    {API_TYPE, BEDROCK_BASE_URL, AZURE_ENDPOINT, *AZURE_CREDENTIALS, OPENAI_KEY, BASE_URL,
     *REGIONS}
)  # fmt: skip


@functools.lru_cache(maxsize=4096)
def sdk_variable(name: str) -> str | None:
    """The SDK variable a value's name sets (``app:OPENAI_API_TYPE`` -> ``OPENAI_API_TYPE``,
    ``https_proxy`` -> ``https_proxy``), or None."""
    bare = name.rsplit(":", 1)[-1].rsplit("/", 1)[-1]
    if bare in _EXACT:
        return bare
    lowered = bare.lower()
    if lowered in PROXIES or lowered == NO_PROXY:
        return lowered
    return None


def sdk_environment(
    values: Iterable[Value],
    assigned: Callable[[str], Iterable[tuple[str, str]]] = lambda _: (),
) -> dict[str, str]:
    """The SDK variables a scope (a stack file, a resource, a dotenv file) sets, by name (the
    last setting wins, as in an environment): values named after them, and what ``assigned``
    finds written in a text (``NAME=value``)."""
    env: dict[str, str] = {}
    for value in values:
        variable = sdk_variable(value.name) if value.name else None
        if variable is not None:  # an unknown or encrypted value is set, to an unknown text
            env[variable] = "" if value.unknown else value.text.strip()
        elif not value.unknown:
            env.update(assigned(value.text))
    return env


def bedrock_url(env: Mapping[str, str]) -> str | None:
    """The URL a Bedrock client of the openai SDK sends to, or None when the scope says not."""
    base = env.get(BEDROCK_BASE_URL, "")
    if base:
        return base
    region = next((env[r] for r in REGIONS if env.get(r)), "")
    return f"https://bedrock-mantle.{region.lower()}.api.aws/openai/v1" if region else None


def bypasses_proxy(env: Mapping[str, str], host: str) -> bool:
    """Whether ``NO_PROXY`` sends requests to ``host`` directly (httpx2's reading: ``*``,
    ``name`` for the name and its subdomains, ``.name`` or ``*.name`` for subdomains only,
    ``scheme://name`` for the name)."""
    for entry in env.get(NO_PROXY, "").split(","):
        entry = entry.strip().lower()
        if entry == "*":
            return True
        if "://" in entry:  # a URL pattern: its host alone
            entry = entry.split("://", 1)[1].split("/", 1)[0].split(":", 1)[0]
            if entry == host:
                return True
        elif not entry or "/" in entry:  # (a CIDR block names addresses, not this host)
            continue
        elif entry.startswith((".", "*.")):
            if host.endswith("." + entry.lstrip("*.")):
                return True
        elif host == entry or host.endswith("." + entry):
            return True
    return False
