"""Hypothesis strategies: URL and host strings built around the OpenAI regional hosts.

Every generated URL is a ``Generated``: its text and whether an OpenAI host name was put in
its authority (userinfo or host), which is what makes a value "about OpenAI" under a key whose
name says nothing.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass

import idna
from hypothesis import strategies as st

EU_HOST = "eu.api.openai.com"
OPENAI_HOSTS = (EU_HOST, "api.openai.com", "us.api.openai.com", "gb.api.openai.com")

# Look-alikes of the letters in "eu.api.openai.com" (Unicode confusables.txt): some folded by
# the classifier's own table, some not (script e, Latin alpha, dotless i, Roman numeral one).
HOMOGLYPHS = {
    "a": ("\u0430", "\u03b1", "\u0251"),
    "e": ("\u0435", "\u212f", "\u0117"),
    "o": ("\u043e", "\u03bf", "\u0585", "\u1d0f"),
    "p": ("\u0440", "\u03c1"),
    "c": ("\u0441", "\u03f2"),
    "i": ("\u0456", "\u0131", "\u2170"),
    "n": ("\u0578", "\u057c"),
    "m": ("\u217f",),
    "u": ("\u057d", "\u03c5"),
}
# Dots that IDNA (and so httpx2) maps to "."; U+2024 is a dot it does not map.
DOTS = ("\u3002", "\uff0e", "\uff61", "\u2024")
# Characters that split, hide or end a host: whitespace, quotes, separators, invisibles.
INSERTS = (" ", "\t", "\n", "\\", "/", '"', "'", "`", "%", "@", ";", ",", "#", "?", ":", "[",
           "\u200b", "\u00ad", "\u3000", "\ufeff", "\u0000")  # fmt: skip
FOREIGN_HOSTS = ("evil.io", "example.com", "localhost", "1.2.3.4", "[::1]",
                 "[::ffff:104.18.6.192]", "0x7f000001", "2130706433", "127.1")  # fmt: skip
SCHEMES = ("https://", "http://", "HTTPS://", "hTtPs://", "", "//", "https:", "https:/",
           "https:\\\\", "https:\\/", "wss://", "ftp://", "https:///", " https://")  # fmt: skip
PORTS = ("", ":443", ":8443", ":80", ":", ":0443", ":444", ":65535", ":99999", ":\uff18443",
         ":443\t", ":-1")  # fmt: skip
PATHS = ("", "/", "/v1", "/v1/", "/eu", "/v1?x=@api.openai.com", "#@api.openai.com",
         "/v1/chat/completions", "?@evil.io", "/..%2f@api.openai.com", "\\v1", "/v1/assistants",
         "/${OPENAI_PATH}")  # fmt: skip
USERINFO_TAILS = ("", "\\", "%5C", ";", " ", '"', "/", "#", "?", ":pass", "%40", "\u3000")


@dataclass(frozen=True)
class Generated:
    """A generated URL-ish string, and whether an OpenAI host was put in its authority."""

    text: str
    names_openai: bool


@st.composite
def openai_host(draw: st.DrawFn) -> str:
    """A regional host, possibly disguised."""
    host = draw(st.sampled_from(OPENAI_HOSTS))
    mutation = draw(st.sampled_from(
        ("none", "none", "case", "trailing-dot", "homoglyph", "punycode", "dot", "percent",
         "insert", "suffix", "prefix", "swap", "interpolation")
    ))  # fmt: skip
    if mutation == "case":
        flips = draw(st.lists(st.booleans(), min_size=len(host), max_size=len(host)))
        return "".join(c.upper() if f else c for c, f in zip(host, flips, strict=True))
    if mutation == "trailing-dot":
        return host + draw(st.sampled_from((".", "..", ".\u3002")))
    if mutation in ("homoglyph", "punycode"):
        positions = [i for i, c in enumerate(host) if c in HOMOGLYPHS]
        index = draw(st.sampled_from(positions))
        glyph = draw(st.sampled_from(HOMOGLYPHS[host[index]]))
        disguised = host[:index] + glyph + host[index + 1 :]
        if mutation == "punycode":
            try:
                return idna.encode(disguised, uts46=True).decode("ascii")
            except idna.IDNAError:
                return disguised
        return disguised
    if mutation == "dot":
        index = draw(st.sampled_from([i for i, c in enumerate(host) if c == "."]))
        return host[:index] + draw(st.sampled_from(DOTS)) + host[index + 1 :]
    if mutation == "percent":
        index = draw(st.integers(0, len(host) - 1))
        return host[:index] + f"%{ord(host[index]):02X}" + host[index + 1 :]
    if mutation == "insert":
        index = draw(st.integers(0, len(host)))
        return host[:index] + draw(st.sampled_from(INSERTS)) + host[index:]
    if mutation == "suffix":
        return host + draw(st.sampled_from((".evil.io", "-evil.io", ".", ".com", "\\.evil.io")))
    if mutation == "prefix":
        return draw(st.sampled_from(("x", "evil-", "evil.", "eu-", "eu."))) + host
    if mutation == "swap":
        labels = host.split(".")
        return ".".join([labels[1], labels[0], *labels[2:]]) if len(labels) > 3 else host
    if mutation == "interpolation":
        return draw(st.sampled_from(INTERPOLATED))
    return host


# Values known only where they run; only the last still names an OpenAI host.
INTERPOLATED = ("${OPENAI_HOST}", "$(host)", "{{ host }}", "${REGION}.api.openai.com")
NAMELESS = frozenset(INTERPOLATED[:3])


@st.composite
def urls(draw: st.DrawFn) -> Generated:
    """A URL built from a scheme, userinfo, a host, a port and a path, each possibly hostile."""
    foreign = draw(st.integers(0, 5)) == 0
    host = draw(st.sampled_from(FOREIGN_HOSTS)) if foreign else draw(openai_host())
    names_openai = not foreign and host not in NAMELESS
    userinfo = ""
    kind = draw(st.sampled_from(("none", "none", "none", "user", "openai")))
    if kind == "user":
        userinfo = draw(st.sampled_from(("user", "user:pass", "a@b", "", "%65u"))) + "@"
    elif kind == "openai":
        named = draw(openai_host())
        userinfo = named + draw(st.sampled_from(USERINFO_TAILS)) + "@"
        names_openai = names_openai or named not in NAMELESS
    scheme = draw(st.sampled_from(SCHEMES))
    port = draw(st.sampled_from(PORTS))
    path = draw(st.sampled_from(PATHS))
    text = scheme + userinfo + host + port + path
    wrap = draw(st.sampled_from(("", "", "", " ", "'", '"', "\n", "\t", "`")))
    if wrap:
        text = (wrap if wrap != "\n" else "") + text + wrap
    return Generated(text, names_openai)


@st.composite
def url_texts(draw: st.DrawFn) -> Generated:
    """One URL, or two joined the way free text, comma lists and folded YAML join them."""
    first = draw(urls())
    if draw(st.integers(0, 4)) != 0:
        return first
    second = draw(urls())
    joiner = draw(st.sampled_from((" ", ",", "\n", "", " && curl ", "=")))
    # Glued on ("" or "="), the second URL is the first one's path or host: no authority of its own.
    names = first.names_openai or (second.names_openai and joiner not in ("", "="))
    return Generated(first.text + joiner + second.text, names)


# -- Placing a value in a stack file -----------------------------------------------------------


def yaml_double(text: str) -> str:
    """A YAML double-quoted scalar (JSON escapes are YAML escapes; no astral characters here)."""
    return json.dumps(text, ensure_ascii=True)


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


def eu_stack(body: str) -> str:
    """An EU stack file: the region, then ``body`` (already indented under ``config:``)."""
    return "config:\n  residency-guard:region: eu\n" + body


def placements(value: str) -> dict[str, str]:
    """The stack files that hand ``value`` to a workload as its OpenAI base URL."""
    quoted = yaml_double(value)
    single_line = "\n" not in value and value == value.strip() and value != ""
    env = json.dumps([{"name": "OPENAI_BASE_URL", "value": value}])
    files = {
        "base-url-key": f"  app:OPENAI_BASE_URL: {quoted}\n",
        "camel-case-key": f"  app:openaiBaseUrl: {quoted}\n",
        "k8s-env-entry": f"  app:env:\n    - name: OPENAI_BASE_URL\n      value: {quoted}\n",
        "nested-json-string": f"  app:containerDefinitions: {yaml_double(json.dumps([{'environment': json.loads(env)}]))}\n",
        "json-object-string": f"  app:settings: {yaml_double(json.dumps({'openaiBaseUrl': value}))}\n",
        "base64-secret-data": f"  app:secretData:\n    OPENAI_BASE_URL: {b64(value)}\n",
        "base64-in-json": f"  app:blob: {yaml_double(json.dumps({'OPENAI_BASE_URL': b64(value)}))}\n",
        "anchor-and-merge": (
            f"  app:base: &base\n    OPENAI_BASE_URL: {quoted}\n"
            "  app:service:\n    <<: *base\n    replicas: 2\n"
        ),
        "alias": f"  app:one: &u {quoted}\n  app:OPENAI_BASE_URL: *u\n",
    }  # fmt: skip
    if single_line and not value.startswith(" "):
        files["block-literal"] = f"  app:OPENAI_BASE_URL: |-\n    {value}\n"
        files["block-folded"] = f"  app:OPENAI_BASE_URL: >-\n    {value}\n"
    return {name: eu_stack(body) for name, body in files.items()}


def free_placements(value: str) -> dict[str, str]:
    """Stack files that hold ``value`` under names that say nothing about OpenAI."""
    quoted = yaml_double(value)
    files = {
        "arbitrary-key": f"  app:setting7: {quoted}\n",
        "arbitrary-nested-json": f"  app:blob: {yaml_double(json.dumps({'x': [value]}))}\n",
        "arbitrary-base64": f"  app:data:\n    v: {b64(value)}\n",
        "arbitrary-list": f"  app:list:\n    - {quoted}\n",
    }
    return {name: eu_stack(body) for name, body in files.items()}


# -- Hostile YAML -------------------------------------------------------------------------------


def billion_laughs(levels: int = 9) -> str:
    lines = ["config:", '  app:l0: &l0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, levels + 1):
        lines.append(f"  app:l{i}: &l{i} [{', '.join([f'*l{i - 1}'] * 9)}]")
    return "\n".join(lines) + "\n"


# Nesting ``n`` levels deep, in each form YAML has, with ``leaf`` (a YAML scalar) at the bottom.
DEEP = {
    "flow-sequences": lambda n, leaf="": "config:\n  app:x: " + "[" * n + leaf + "]" * n + "\n",
    "flow-mappings": lambda n, leaf="b": "config:\n  app:x: " + "{a: " * n + leaf + "}" * n + "\n",
    "block-sequences": lambda n, leaf="x": "config:\n  app:x:\n    " + "- " * n + leaf + "\n",
}
