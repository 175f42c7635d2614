"""Host classification: the host the openai client (httpx2) would really connect to."""

from __future__ import annotations

import dataclasses
import json

import httpx2
import pytest
from hypothesis import given
from hypothesis import strategies as st

from residency_guard.catalog import shipped_catalog
from residency_guard.catalog.model import Gateway
from residency_guard.hosts import (
    _PLAIN_HOST,
    EndpointKind,
    Hazard,
    _is_bare_word,
    classify_endpoint,
    find_endpoints,
)
from tests.adversarial.oracle import openai_target
from tests.core.helpers import rules_of, scan_yaml, stack

CATALOG = shipped_catalog()


@pytest.mark.parametrize(
    ("text", "kind", "host", "region"),
    [
        ("https://eu.api.openai.com/v1", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("eu.api.openai.com", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("eu.api.openai.com:443", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("  'https://EU.API.OPENAI.COM/v1'  ", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("https://eu.api.openai.com./v1", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("https://api.openai.com/v1", EndpointKind.OPENAI, "api.openai.com", "global"),
        ("https://us.api.openai.com/v1", EndpointKind.OPENAI, "us.api.openai.com", "us"),
        ("https://gb.api.openai.com/v1", EndpointKind.OPENAI, "gb.api.openai.com", "gb"),
        # userinfo: the host is what follows the last '@'
        ("https://api.openai.com@eu.api.openai.com/v1", EndpointKind.OPENAI, "eu.api.openai.com", "eu"),
        ("https://eu.api.openai.com@api.openai.com/v1", EndpointKind.OPENAI, "api.openai.com", "global"),
        # httpx2 reads a backslash as part of the userinfo: this reaches the global host
        ("https://eu.api.openai.com\\@api.openai.com/v1", EndpointKind.OPENAI, "api.openai.com", "global"),
        # full-width dots are IDNA-mapped to real dots
        ("https://api\u3002openai\u3002com/v1", EndpointKind.OPENAI, "api.openai.com", "global"),
        ("https://eu.api.openai.com.attacker.io/v1", EndpointKind.LOOKALIKE, "eu.api.openai.com.attacker.io", None),
        ("https://api.openai.eu/v1", EndpointKind.MISCONFIGURED, "api.openai.eu", None),
        ("https://api.eu.openai.com/v1", EndpointKind.MISCONFIGURED, "api.eu.openai.com", None),
        ("https://uk.api.openai.com/v1", EndpointKind.MISCONFIGURED, "uk.api.openai.com", None),
        ("https://api.openai.com/eu", EndpointKind.MISCONFIGURED, "api.openai.com", None),
        ("https://my-oai.openai.azure.com/", EndpointKind.AZURE, "my-oai.openai.azure.com", None),
        ("https://example.com/v1", EndpointKind.OTHER, "example.com", None),
    ],
)  # fmt: skip
def test_endpoint_is_classified_by_the_host_the_client_reaches(
    text: str, kind: EndpointKind, host: str, region: str | None
) -> None:
    endpoint = classify_endpoint(text, CATALOG)
    assert (endpoint.kind, endpoint.host, endpoint.region) == (kind, host, region)


@pytest.mark.parametrize(
    ("text", "hazard"),
    [
        ("https://eu.api.openai.com./v1", Hazard.TRAILING_DOT),
        ("http://eu.api.openai.com/v1", Hazard.HTTP),
        ("https://eu.api.openai.com:8443/v1", Hazard.PORT),
        ("https://user@eu.api.openai.com/v1", Hazard.USERINFO),
        ("https://eu.api.openai.com\\@api.openai.com/v1", Hazard.BACKSLASH),
        ("https://%65u.api.openai.com/v1", Hazard.PERCENT),
        ("https://api\u3002openai\u3002com/v1", Hazard.NON_ASCII),
        ("https://[::1]/v1", Hazard.IP_LITERAL),
        ("eu.api.openai.com", Hazard.NO_SCHEME),
    ],
)
def test_unsafe_forms_are_flagged(text: str, hazard: Hazard) -> None:
    assert hazard in classify_endpoint(text, CATALOG).hazards


def test_plain_regional_url_has_no_hazard() -> None:
    assert classify_endpoint("https://eu.api.openai.com/v1", CATALOG).hazards == ()


def test_empty_base_url_means_the_global_host() -> None:
    (endpoint,) = find_endpoints("", CATALOG, endpoint_key=True)
    assert endpoint.host == "api.openai.com"


def test_free_text_yields_every_openai_url() -> None:
    text = "curl https://api.openai.com/v1/models && curl https://eu.api.openai.com/v1/models"
    hosts = [e.host for e in find_endpoints(text, CATALOG)]
    assert hosts == ["api.openai.com", "eu.api.openai.com"]


def test_env_var_names_are_not_hosts() -> None:
    assert find_endpoints("OPENAI_BASE_URL", CATALOG) == []


def test_unrelated_text_is_ignored() -> None:
    assert find_endpoints("https://example.com and postgres://db:5432", CATALOG) == []


@given(st.from_regex(_PLAIN_HOST, fullmatch=True))
def test_a_bare_word_is_read_as_the_client_reads_it(word: str) -> None:
    # classify_endpoint reads a bare word without the parser: it must be the parser's reading.
    url = httpx2.URL("https://" + word)
    assert (url.raw_host, url.host, url.scheme, url.port, url.path, url.userinfo) == (
        word.lower().encode(), word.lower(), "https", None, "/", b"",
    )  # fmt: skip
    endpoint = classify_endpoint(word, CATALOG)
    assert endpoint.host == word.lower() and endpoint.hazards[-1] is Hazard.NO_SCHEME


def test_a_secret_name_mentioning_openai_is_not_an_endpoint() -> None:
    assert find_endpoints("search-000001-openai", CATALOG) == []
    assert classify_endpoint("search-000001-openai", CATALOG).kind is EndpointKind.LOOKALIKE


@given(st.from_regex(_PLAIN_HOST, fullmatch=True), st.sampled_from(["openai", "OpenAI", "azure"]))
def test_a_plain_word_naming_openai_in_free_text_is_no_endpoint(word: str, name: str) -> None:
    # A secret's or a variable's name that mentions OpenAI is read as a bare word, no host.
    text = f"{word}-{name}"
    assert find_endpoints(text, CATALOG) == []
    assert _is_bare_word(classify_endpoint(text, CATALOG))


def test_a_gateway_without_a_dot_is_still_found_in_free_text() -> None:
    gateway = Gateway("openai-proxy", "eu")
    catalog = dataclasses.replace(CATALOG, gateways={"openai-proxy": gateway})
    [endpoint] = find_endpoints("openai-proxy", catalog)
    assert endpoint.kind is EndpointKind.GATEWAY and endpoint.region == "eu"


# -- free text: what counts as a host worth judging --------------------------------------------


def _eu(text: str) -> list[str]:
    return rules_of(scan_yaml(stack("eu", app__note=json.dumps(text))))


@pytest.mark.parametrize(
    "text",
    [
        "base: https://api.o\u03c1enai",  # Greek rho for "p": a stand-in outside the table
        "https://\u00f6\u03c1enai.com/v1",  # two stand-ins
        "proxy eu.api.openai.com.attacker.io",  # no scheme, a dotted host
    ],
)
def test_a_look_alike_host_in_free_text_is_found(text: str) -> None:
    [endpoint] = find_endpoints(text, CATALOG)
    assert endpoint.kind is EndpointKind.LOOKALIKE
    assert "RG002" in _eu(text)


def test_hosts_in_other_scripts_are_not_openai() -> None:
    """Russian, German and Japanese host names are no disguise of "openai" or "azure": only up
    to two letters of the word may be stand-ins (`книги` and `ドキュメント` are all stand-ins)."""
    text = (
        "\u0414\u043e\u043a\u0438: https://\u043a\u043d\u0438\u0433\u0438.\u0440\u0444/v1, "
        "https://m\u00fcller.de/hilfe, https://\u30c9\u30ad\u30e5\u30e1\u30f3\u30c8.example.jp/ "
        "\u30c9\u30ad\u30e5\u30e1\u30f3\u30c8"
    )
    assert find_endpoints(text, CATALOG) == []
    assert _eu(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "//eu.api.openai.com:44x3/v1",  # protocol-relative, a port the client refuses
        "htttps://eu.api.openai.com:4433O/v1",  # any scheme: written as a URL
    ],
)
def test_a_url_the_client_cannot_read_in_free_text_is_reported(text: str) -> None:
    [endpoint] = find_endpoints(text, CATALOG)
    assert endpoint.kind is EndpointKind.INVALID
    assert _eu(text) == ["RG010"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("see openai.config.json, openai.yaml and .env.openai", []),  # files, not hosts
        ("endpoint:https://api.openai.com/v1", ["RG001"]),  # the URL starts after `name:`
        ("${OPENAI_BASE_URL:-https://api.openai.com/v1}", ["RG001"]),  # a shell's default
        ("(see https://api.openai.com/v1)", ["RG001"]),
        # The client connects to the first URL's host; the second is its query.
        ("base=https://api.openai.com/v1?fallback=https://eu.api.openai.com/v1", ["RG001"]),
        ("http:://api.openai.com/v1", ["RG010"]),  # a doubled colon: no URL the client reads
        ("://proxy.example/?to=https://api.openai.com/v1", ["RG001"]),  # a lost scheme
        # `--set=NAME=host`: the host after the names, not a host named `openai_host=...`
        ("helm upgrade app ./chart --set=OPENAI_HOST=eu.api.openai.com", ["RG010"]),
        ("helm upgrade app ./chart --set=OPENAI_HOST=api.openai.com", ["RG001", "RG010"]),
    ],
)
def test_urls_and_hosts_in_free_text(text: str, expected: list[str]) -> None:
    assert _eu(text) == expected


def test_a_quoted_gateway_host_in_free_text_is_found() -> None:
    gateway = Gateway("llm-gw.corp.example", "us")
    catalog = dataclasses.replace(CATALOG, gateways={"llm-gw.corp.example": gateway})
    [endpoint] = find_endpoints('"llm-gw.corp.example"', catalog)
    assert endpoint.kind is EndpointKind.GATEWAY and endpoint.region == "us"


@pytest.mark.parametrize(
    "text",
    [
        "see https://example.com and https://api.openai.com/v1",
        "https://docs.example.com/search?q=openai then https://api.openai.com/v1",
        "arn:aws:secretsmanager:eu-west-1:123456789012:secret:openai-key https://api.openai.com/v1",
        "set OPENAI_API_KEY and call https://api.openai.com/v1",
        "docs at https://platform.openai.com/docs, API at https://api.openai.com/v1",
        "://proxy.example/?to=https://api.openai.com/v1&back=https://eu.api.openai.com/v1",
    ],
)
def test_an_openai_url_after_other_words_is_still_found(text: str) -> None:
    """An unrelated URL, an ARN, a variable's name or a web page before it stops nothing."""
    assert _eu(text) == ["RG001"]


@pytest.mark.parametrize(
    "text",
    [
        'https://u@eu.api.openai.com"@evil.io/v1',  # the token's userinfo hides nothing
        '"https://eu.api.openai.com"@evil.io/v1',  # quoted as written
        '//eu.api.openai.com"@evil.io/v1',  # protocol-relative
    ],
)
def test_free_text_read_whole_reaches_the_host_after_the_quote(text: str) -> None:
    unquoted = text.lstrip('"')
    target = openai_target(unquoted if "://" in unquoted else "https:" + unquoted)
    assert target is not None and target.host == "evil.io"
    assert set(_eu(text)) == {"RG002", "RG010"}


@pytest.mark.parametrize(
    "text",
    [
        "eu.api.openai.com is down, mail ops@example.io",  # no URL: not read whole
        "https://eu.api.openai.com:443 (the EU host)",  # the whole is no URL the client takes
        "https://platform.openai.com/docs/guides (the guide)",  # a web page, linked
        "https://eu.api.openai.com is the EU host",  # prose: no host a resolver finds
    ],
)
def test_prose_around_a_url_is_not_read_as_a_host(text: str) -> None:
    assert _eu(text) == []


def test_a_url_read_whole_and_as_a_token_is_one_finding() -> None:
    findings = scan_yaml(
        stack("eu", app__note=json.dumps("https://api.openai.com/v1 is the default"))
    )
    assert [f.rule for f in findings] == ["RG001"]


def _key(value: str) -> list[str]:
    return rules_of(scan_yaml(stack("eu", app__OPENAI_BASE_URL=json.dumps(value))))


def test_quotes_around_an_empty_base_url_leave_it_empty() -> None:
    assert _key('""') == _key("") == ["RG001"]


@pytest.mark.parametrize("host", ["xn--a.com", "api.xn--a.com"])
def test_an_idna_label_that_does_not_decode_is_still_non_ascii(host: str) -> None:
    """`xn--a` decodes to nothing: the host shows as written, and is still an IDNA label."""
    assert Hazard.NON_ASCII in classify_endpoint(f"https://{host}/v1", CATALOG).hazards
    assert _key(f"https://{host}/v1") == ["RG002", "RG010"]


def test_non_ascii_in_the_path_or_query_is_no_hazard() -> None:
    value = "https://eu.api.openai.com/v1/files/r\u00e9sum\u00e9/content?next=https://ex\u00e4mple.de/a/b"
    assert _key(value) == []


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # `//` in the path: the host is the global one whatever the variable holds (RG005:
        # the path is no API path the tables list)
        ("https://api.openai.com/v1//${DEPLOYMENT}", ["RG001", "RG005", "RG011"]),
        ("//${OPENAI_HOST}/v1", ["RG011"]),  # protocol-relative: the host is the variable
    ],
)
def test_an_interpolation_decides_the_host_only_in_the_authority(
    value: str, expected: list[str]
) -> None:
    assert _key(value) == expected


def test_an_idn_host_is_judged_as_it_decodes() -> None:
    """`müller.de` (xn--mller-kva.de) spells no OpenAI name: under a base URL it is another
    host (RG002 with the gateway fix, not "looks like an OpenAI host"), and a punycode link to
    it in prose is no finding. An IDN host that spells OpenAI stays a look-alike."""
    findings = scan_yaml(stack("eu", app__OPENAI_BASE_URL=json.dumps("https://m\u00fcller.de/v1")))
    assert [f.rule for f in findings] == ["RG002", "RG010"]
    assert "neither an OpenAI host nor a gateway" in findings[0].message
    assert _eu("Handbuch: https://xn--mller-kva.de/hilfe") == []
    assert _eu("https://xn--n-8sbn9ak9k.com/v1") == [
        "RG002",
        "RG010",
    ]  # "\u043e\u0440\u0435n\u0430\u0456.com", Cyrillic look-alikes


@pytest.mark.parametrize("text", ["//api.openai.com/v1", "see //api.openai.com/v1"])
def test_a_protocol_relative_url_in_free_text_is_its_host(text: str) -> None:
    assert _eu(text) == ["RG001"]


def test_a_url_the_client_refuses_is_reported_with_the_parsers_reason() -> None:
    findings = scan_yaml(
        stack("eu", app__OPENAI_BASE_URL=json.dumps("htttps://eu.api.openai.com:4433O/v1"))
    )
    assert [f.rule for f in findings] == ["RG010"]
    assert "(Invalid port: '4433O')" in findings[0].message


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("https://api.eu.openai.com/v1", "did you mean eu.api.openai.com?"),
        ("https://api.openai.com/eu", "did you mean eu.api.openai.com?"),
        ("https://api.openai.com/EU/v1", "did you mean eu.api.openai.com?"),
        ("https://api.openai.com/us/v1/", "did you mean us.api.openai.com?"),
    ],
)
def test_a_misconfigured_host_names_its_correction(value: str, says: str) -> None:
    findings = scan_yaml(stack("eu", app__OPENAI_BASE_URL=json.dumps(value)))
    assert [f.rule for f in findings] == ["RG002"]
    assert findings[0].message.endswith(says)


def test_the_global_path_is_the_global_host() -> None:
    """`/global` names the global region, which is the host itself: RG001, not a region
    written in the path."""
    assert _key("https://api.openai.com/global") == ["RG001"]


def test_a_dotless_gateway_under_a_base_url_key_is_judged_as_its_region() -> None:
    """An in-cluster service name bound to the EU in a team catalog: the rules read its path
    (`/`, as the client's parser gives a bare host) like any gateway's."""
    from pathlib import Path

    from residency_guard.repoconfig import RepoConfig
    from residency_guard.scanners.stackfile import scan_stack_file

    catalog = dataclasses.replace(CATALOG, gateways={"openai-proxy": Gateway("openai-proxy", "eu")})
    text = "config:\n  residency-guard:region: eu\n  app:OPENAI_HOST: openai-proxy\n"
    scan = scan_stack_file(Path("Pulumi.prod-eu.yaml"), catalog, RepoConfig(), text=text)
    assert [f.rule for f in scan.findings] == ["RG010"]  # no scheme: only its form


def test_a_web_scheme_without_slashes_reaches_no_host() -> None:
    """`https:eu.api.openai.com/v1` is a URL without a host to the client's parser (the real
    client sends nothing), not a host named `https` on port `eu.api.openai.com`."""
    value = "https:eu.api.openai.com/v1"
    assert openai_target(value) is None
    findings = scan_yaml(stack("eu", app__OPENAI_BASE_URL=json.dumps(value)))
    assert [f.rule for f in findings] == ["RG010"]
    assert findings[0].message.endswith("(no host)")
