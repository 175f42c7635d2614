"""Which host a string really reaches, read with the URL parser of the openai client's HTTP layer.

openai>=3 sends requests through httpx2, so ``httpx2.URL`` decides the host: a value is
classified by the host the client would connect to, never by what it looks like.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import re
from dataclasses import dataclass
from enum import Enum
from typing import NamedTuple

from residency_guard.catalog.model import Catalog
from residency_guard.texts import INTERPOLATION as _INTERPOLATION
from residency_guard.texts import QUOTES as _QUOTES
from residency_guard.texts import mentions_openai, selects_provider

# The characters of a scheme (RFC 3986: a letter, then letters, digits, '+', '.', '-').
_SCHEME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+.-")
# A value that starts with a scheme rather than a bare "host:port": "x://", and also
# "https:/host" or "https:host", which httpx2 reads as URLs without a host.
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_WEB_SCHEMES = ("http", "https", "ws", "wss")
# Where a name's head ends, and the dots IDNA maps to "." (a full-width host is still a host).
_HEAD_END = re.compile(r"[:/\\]")
_DOTS = (".", "\u3002", "\uff0e", "\uff61")
# A word a URL parser reads as that host, lowercased, with nothing else (not all digits).
_PLAIN_HOST = re.compile(r"(?=[A-Za-z0-9_-]*[A-Za-z_-])[A-Za-z0-9_-]{1,253}")
# A host name a resolver can look up (letters, digits, '-', '_', dots).
_DNS_NAME = re.compile(r"[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?")
# Where the authority ends (httpx2 keeps a backslash in it, as userinfo or host).
_AUTHORITY_END = re.compile(r"[/?#]")
# The `NAME=` prefixes before a value in a token (`url=`, `--set=OPENAI_HOST=`).
_NAMES_BEFORE = re.compile(r"^(?:[A-Za-z0-9_.\-]+=)+")
# Token separators in free text (scripts, JSON blobs, comma lists); never inside a URL we accept.
_SEPARATORS = re.compile(r"[\s\"'<>,;()\[\]{}|`]+")


# Endings of file names that mention OpenAI (openai.yaml); no such top-level domain exists.
_FILE_SUFFIXES = frozenset(
    {"json", "yaml", "yml", "toml", "ini", "cfg", "conf", "txt", "md", "py", "js", "ts", "sh",
     "env", "log", "csv", "lock", "tpl", "j2"}
)  # fmt: skip


class EndpointKind(str, Enum):
    """What a host turned out to be."""

    OPENAI = "openai"  # an OpenAI API host of a catalog region
    GATEWAY = "gateway"  # a team gateway bound to a region
    AZURE = "azure"  # an Azure OpenAI host (region follows the account, not the name)
    MISCONFIGURED = "misconfigured"  # a known wrong host with a correction
    LOOKALIKE = "lookalike"  # mentions OpenAI but is none of its hosts
    OTHER = "other"  # unrelated to OpenAI
    INVALID = "invalid"  # the client could not connect to it at all


class Hazard(str, Enum):
    """A form that an allow-listed endpoint must not take (issue: exact host, https, port 443)."""

    USERINFO = "userinfo"
    BACKSLASH = "backslash"
    PERCENT = "percent-encoding"
    NON_ASCII = "non-ascii"
    IP_LITERAL = "ip-literal"
    TRAILING_DOT = "trailing-dot"
    PORT = "port"
    HTTP = "plain-http"
    OTHER_SCHEME = "other-scheme"  # neither https nor wss: ftp:, file:, a typo
    NO_SCHEME = "no-scheme"


@dataclass(frozen=True)
class Endpoint:
    """A string read as an endpoint: the host the client reaches and what that host is."""

    text: str
    kind: EndpointKind
    host: str = ""  # lower case, without a trailing dot
    scheme: str = ""
    port: int | None = None
    path: str = ""
    region: str | None = None
    correction: str | None = None  # for MISCONFIGURED
    hazards: tuple[Hazard, ...] = ()
    error: str = ""  # for INVALID
    # The value of an endpoint setting (OPENAI_BASE_URL...), whatever its host: a host that
    # is no OpenAI host is still where OpenAI traffic goes.
    setting: bool = False

    @property
    def is_openai_bound(self) -> bool:
        """Whether this endpoint is meant for OpenAI traffic by its host alone."""
        return self.kind not in (EndpointKind.OTHER, EndpointKind.INVALID)

    @property
    def is_resolvable(self) -> bool:
        """Whether a request could leave for this host: a name a resolver can look up or an IP
        address (not `api.openai.com"` or `api.openai.com;export`, read from prose or a
        command line)."""
        return bool(_DNS_NAME.fullmatch(self.host)) or Hazard.IP_LITERAL in self.hazards

    @property
    def is_openai_web_page(self) -> bool:
        """One of OpenAI's own hosts that serve people, not the API (``platform.openai.com``,
        ``status.``, ``help.``, ``openai.com``), written plainly. In free text such a host
        is a link; set as an endpoint it is still judged (the client would send there)."""
        if self.kind is not EndpointKind.LOOKALIKE or set(self.hazards) - {Hazard.NO_SCHEME}:
            return False
        host = self.host
        if host != "openai.com" and not host.endswith(".openai.com"):
            return False
        # "api-eu.openai.com", "api2.openai.com": misspelt API hosts, not pages.
        return not any("api" in label for label in host.split("."))


def interpolates_host(text: str) -> bool:
    """Whether an interpolation stands in the scheme or authority, where it decides the host.

    ``https://${HOST}/v1`` is only known where it runs; ``https://api.openai.com/v1/${PATH}``
    reaches the global host whatever ``PATH`` holds, and is judged by that host.
    """
    match = _INTERPOLATION.search(text)
    if match is None:
        return False
    start = text.find("//")
    start = start + 2 if start >= 0 else 0
    end = _AUTHORITY_END.search(text, start)
    return match.start() < (end.start() if end else len(text))


def candidate_urls(text: str) -> list[str]:
    """The substrings of ``text`` that may be URLs or hosts, outermost quotes and space removed."""
    stripped = text.strip().strip(_QUOTES).strip()
    if not stripped:
        return []
    if _SEPARATORS.search(stripped):
        tokens = _SEPARATORS.split(stripped)
    elif "=" in stripped or _scheme_start(stripped):
        # One token, but `NAME=URL` (a line of a dotenv or a script) is read like the same
        # token among others: the URL after the name, not a host named `name=https`.
        tokens = [stripped]
    else:
        return [stripped]  # a URL or a host alone
    found = []
    for token in tokens:
        if not token:
            continue
        start = _scheme_start(token)
        if start is not None:
            found.append(token[start:])
        elif mentions_openai(token):
            found.append(_NAMES_BEFORE.sub("", token))
    return found


def _scheme_start(token: str) -> int | None:
    """Where a URL starts inside a longer token ("url=https://..."), in linear time.

    The leftmost ``scheme://`` as the regex ``[A-Za-z][A-Za-z0-9+.-]*://`` would find it, without
    the regex's quadratic search over a long token that holds no "://" at all.
    """
    index = token.find("://")
    while index >= 0:
        start = index
        while start > 0 and token[start - 1] in _SCHEME_CHARS:
            start -= 1
        while start < index and not token[start].isalpha():
            start += 1  # a scheme starts with a letter
        if start < index:
            return start
        index = token.find("://", index + 1)
    return None


def classify_endpoint(text: str, catalog: Catalog) -> Endpoint:
    """Read one URL or host the way the openai client would connect to it."""
    # Memoized per catalog: a thousand stacks name the same few hosts, and parsing is the cost.
    found: Endpoint | None = catalog.index.endpoints.get(text)
    if found is None:
        found = catalog.index.endpoints.remember(text, _classify(text, catalog))
    return found


def _classify(text: str, catalog: Catalog) -> Endpoint:
    original = text
    text = text.strip().strip(_QUOTES).strip()
    url_text, hazards = _as_url(text)
    parsed = _parse(text, url_text, plain=Hazard.NO_SCHEME in hazards)
    if isinstance(parsed, str):
        return Endpoint(original, EndpointKind.INVALID, error=parsed)
    hazards += _form_hazards(text, parsed)
    host = parsed.raw_host.rstrip(".").lower()
    if not parsed.plain and _is_ip(host):  # a plain word has a letter, '-' or '_': no address
        hazards.append(Hazard.IP_LITERAL)
    kind, region, correction = _what_host_is(host, parsed, catalog)
    return Endpoint(
        original, kind, host=host, scheme=parsed.scheme, port=parsed.port, path=parsed.path,
        region=region, correction=correction, hazards=tuple(dict.fromkeys(hazards)),
    )  # fmt: skip


class _Parsed(NamedTuple):
    """A URL as the client's parser reads it."""

    raw_host: str  # IDNA-encoded (ASCII): the host the transport connects to
    display_host: str  # IDNA labels decoded, as ``url.host`` shows them: for look-alikes only
    scheme: str
    port: int | None
    userinfo: bytes
    path: str
    plain: bool  # a bare word, read without the parser


def _as_url(text: str) -> tuple[str, list[Hazard]]:
    """The text the client's parser is given, and the hazards of how it is written."""
    hazards = [Hazard.BACKSLASH] if "\\" in text else []
    if text.startswith("//"):
        hazards.append(Hazard.NO_SCHEME)
        return "https:" + text, hazards
    if _has_scheme(text):
        return text, hazards  # as the client reads it, even "https:/host" (no host at all)
    # A bare host or host:port; httpx2 would read "host:443" as a scheme, so name one.
    hazards.append(Hazard.NO_SCHEME)
    return "https://" + text, hazards


def _parse(text: str, url_text: str, *, plain: bool) -> _Parsed | str:
    """``url_text`` read as the client reads it; the error, when it cannot be read."""
    if plain and _PLAIN_HOST.fullmatch(text) is not None:
        # A bare word ("billing-openai", a secret's name): the parser's reading is known
        # (tests/core/test_hosts.py holds it to httpx2's), and a preview has thousands.
        host = text.lower()
        return _Parsed(host, host, "https", None, b"", "/", plain=True)
    import httpx2  # deferred: 150 ms of imports that `--version` and `explain` never need

    try:
        url = httpx2.URL(url_text)
        raw_host = url.raw_host.decode("ascii", "replace")
        scheme, port, userinfo, path = url.scheme, url.port, url.userinfo, url.path
    except Exception as exc:  # InvalidURL and, for odd input, ValueError/TypeError
        return str(exc).splitlines()[0][:200]
    if not raw_host:
        return "no host"
    try:
        display_host = url.host
    except Exception:  # an A-label the decoder refuses: the client still connects to it
        display_host = raw_host
    return _Parsed(raw_host, display_host, scheme, port, userinfo, path, plain=False)


def _form_hazards(text: str, parsed: _Parsed) -> list[Hazard]:
    """What keeps a parsed URL from the one safe form: https, port 443, the exact host."""
    hazards = []
    raw_host = parsed.raw_host
    if parsed.userinfo:
        hazards.append(Hazard.USERINFO)
    if "%" in raw_host:
        hazards.append(Hazard.PERCENT)
    if not parsed.display_host.isascii() or raw_host.startswith("xn--") or ".xn--" in raw_host:
        hazards.append(Hazard.NON_ASCII)
    elif not text.isascii():
        # Full-width dots and other IDNA-mapped characters are gone from the parsed host.
        authority = text.split("://", 1)[-1].split("/", 1)[0]
        if not authority.isascii():
            hazards.append(Hazard.NON_ASCII)
    if raw_host.endswith("."):
        hazards.append(Hazard.TRAILING_DOT)
    if parsed.scheme in ("http", "ws"):
        hazards.append(Hazard.HTTP)
    elif parsed.scheme not in ("https", "wss"):  # wss: the Realtime API's WebSocket endpoints
        hazards.append(Hazard.OTHER_SCHEME)
    if parsed.port is not None and parsed.port != 443:
        hazards.append(Hazard.PORT)
    return hazards


def _what_host_is(
    host: str, parsed: _Parsed, catalog: Catalog
) -> tuple[EndpointKind, str | None, str | None]:
    """(kind, region, correction) of a host, by the catalog, else by what it mentions."""
    path = parsed.path
    if _path_names_region(host, path, catalog):  # "https://api.openai.com/eu" (third-party guides)
        named_region = path.strip("/").split("/")[0].lower()
        return EndpointKind.MISCONFIGURED, None, f"{named_region}.api.openai.com"
    region = catalog.region_by_host(host)
    if region is not None:
        return EndpointKind.OPENAI, region.id, None
    gateway = catalog.gateways.get(host)
    if gateway is not None:
        return EndpointKind.GATEWAY, gateway.region, None
    wrong = catalog.misconfigured_hosts.get(host)
    if wrong is not None:
        return EndpointKind.MISCONFIGURED, None, wrong.correction
    if any(host.endswith(suffix) for suffix in catalog.azure_host_suffixes):
        return EndpointKind.AZURE, None, None
    named = parsed.userinfo.decode("ascii", "replace")  # mentions_openai undoes its escapes
    # A host as the parser shows it: an IDNA label it decodes is judged as it reads
    # (`müller.de` spells no OpenAI name); one it cannot decode stays `xn--`, which may spell
    # anything (texts.mentions_openai).
    if mentions_openai(parsed.display_host) or mentions_openai(named):
        # "https://eu.api.openai.com@evil.io" names OpenAI and reaches someone else.
        return EndpointKind.LOOKALIKE, None, None
    return EndpointKind.OTHER, None, None


def _has_scheme(text: str) -> bool:
    match = _SCHEME.match(text)
    if match is None:
        return False
    rest = text[match.end() :]
    return rest.startswith(("/", "\\")) or match.group(1).lower() in _WEB_SCHEMES


def _path_names_region(host: str, path: str, catalog: Catalog) -> bool:
    if host != "api.openai.com":
        return False
    first = path.strip("/").split("/")[0].lower()
    return first in catalog.regions and first != "global"


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)  # httpx2's raw host: an IPv6 address without brackets
    except ValueError:
        return False
    return True


def find_endpoints(text: str, catalog: Catalog, *, endpoint_key: bool = False) -> list[Endpoint]:
    """Every endpoint a string holds that concerns OpenAI traffic (a list not to be changed).

    Under an endpoint key (``OPENAI_BASE_URL``...) the whole value is an endpoint whatever its
    host; elsewhere only candidates that mention OpenAI, Azure or a team gateway count.
    """
    # Memoized per catalog, like classify_endpoint: the facets gate and then the rules ask
    # about the same texts, and texts repeat across resources and stacks.
    found: list[Endpoint] | None = catalog.index.found.get((text, endpoint_key))
    if found is None:
        found = catalog.index.found.remember(
            (text, endpoint_key), _find_endpoints(text, catalog, endpoint_key)
        )
    return found


def _find_endpoints(text: str, catalog: Catalog, endpoint_key: bool) -> list[Endpoint]:
    if endpoint_key:
        value = text.strip().strip(_QUOTES).strip()
        if interpolates_host(value):
            return []  # known only where it runs: RG011's case, not a host
        if selects_provider(value):
            return []  # `OPENAI_HOST=azure`: a backend picked by name, no host
        if not value:
            # openai-python falls back to its default host when OPENAI_BASE_URL is empty.
            value = "https://api.openai.com/v1"
        return [dataclasses.replace(classify_endpoint(value, catalog), setting=True)]
    if not may_hold_endpoint(text, catalog):
        return []
    endpoints = []
    for candidate in candidate_urls(text):
        if not (mentions_openai(candidate) or _mentions_gateway(candidate, catalog)):
            continue
        endpoint = classify_endpoint(candidate, catalog)
        if endpoint.kind is EndpointKind.OTHER:
            continue
        if endpoint.kind is EndpointKind.INVALID and not _written_as_url(candidate):
            continue  # a URN, an ARN, an Azure resource id: another kind of name, not a URL
        if _is_bare_word(endpoint):
            continue  # a word such as OPENAI_BASE_URL, not a host name
        if endpoint.is_openai_web_page:
            continue  # a link to platform.openai.com in prose or under another name
        endpoints.append(endpoint)
    whole = _whole_reading(text, catalog)
    if whole is not None and not any(
        e.host == whole.host and set(whole.hazards) <= set(e.hazards) for e in endpoints
    ):  # the whole value reaches another host, or the same one in another form (userinfo)
        endpoints.insert(0, whole)
    return endpoints


def _written_as_url(candidate: str) -> bool:
    """Whether free text is written as a URL or a host, so that the client failing to read it
    is worth saying: a scheme of the web or ``//``, or a dotted name before any ``:`` or ``/``.
    (A candidate holds no quotes or spaces: ``candidate_urls`` split them off.)"""
    text = candidate
    if "://" in text or text.startswith("//"):
        return True
    match = _SCHEME.match(text)
    if match is not None and match.group(1).lower() in _WEB_SCHEMES:
        return True
    head = _HEAD_END.split(text, 1)[0]
    return any(dot in head for dot in _DOTS)


def _is_bare_word(endpoint: Endpoint) -> bool:
    """A scheme-less word that only mentions OpenAI: a variable name or a file name."""
    if not (
        endpoint.kind is EndpointKind.LOOKALIKE
        and Hazard.NO_SCHEME in endpoint.hazards
        and Hazard.USERINFO not in endpoint.hazards
    ):
        return False
    host = endpoint.host
    if "." not in host:
        return True  # OPENAI_BASE_URL
    # .env.openai, openai.config.json: a file, not a host the client could reach.
    return endpoint.text.startswith(".") or host.rsplit(".", 1)[-1] in _FILE_SUFFIXES


def _whole_reading(text: str, catalog: Catalog) -> Endpoint | None:
    """A value that starts as a URL, read whole as a client given it would read it.

    Free text is split into tokens, but a workload handed ``https://eu.api.openai.com"@evil.io``
    connects to evil.io: separators inside the userinfo must not hide the host.
    """
    value = text.strip().strip(_QUOTES).strip()
    if not _SEPARATORS.search(value) or not (_has_scheme(value) or value.startswith("//")):
        return None  # no separators: the one candidate above was the whole value
    endpoint = classify_endpoint(value, catalog)
    if (
        endpoint.kind in (EndpointKind.OTHER, EndpointKind.INVALID)
        or _is_bare_word(endpoint)
        or endpoint.is_openai_web_page
    ):
        return None
    if not endpoint.is_resolvable:
        return None  # "https://eu.api.openai.com is ours": prose, no host a resolver can find
    return endpoint


def may_hold_endpoint(text: str, catalog: Catalog) -> bool:
    """Whether free text could hold an endpoint that concerns OpenAI traffic at all: it
    mentions OpenAI or Azure (in disguise too) or a gateway of the catalog."""
    return mentions_openai(text) or bool(catalog.gateways and _mentions_gateway(text, catalog))


def _mentions_gateway(text: str, catalog: Catalog) -> bool:
    lowered = text.lower()
    return any(host in lowered for host in catalog.gateways)
