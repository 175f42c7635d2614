"""The runtime guard: every way out of the region is refused before a byte is sent."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx2
import openai
import pytest

from residency_guard.catalog.model import Catalog
from residency_guard.errors import ConfigError, UnknownRegionError
from residency_guard.runtime import (
    RegionPin,
    ResidencyViolation,
    ResidencyWarning,
    guarded_client,
    pinned_region,
)
from tests.runtime.helpers import env_for
from tests.verify.helpers import CANARY_KEY
from tests.verify.openai_stub import OpenAIStub, Reply


def eu_client(stub: OpenAIStub, catalog: Catalog, **kwargs: Any) -> openai.OpenAI:
    client: openai.OpenAI = guarded_client(
        "eu", env=env_for(stub), catalog=catalog, allow_insecure_loopback=True, max_retries=0,
        **kwargs,
    )  # fmt: skip
    return client


def outside(stub: OpenAIStub, us_stub: OpenAIStub) -> list[str]:
    """Base URLs outside region eu, several of which reach a live server if sent."""
    return [
        "https://api.openai.com/v1",  # global
        "https://us.api.openai.com/v1",  # another region
        us_stub.base_url,  # another region's gateway, listening
        f"http://localhost:{stub.port}/v1",  # the EU stub itself, by a name that is not allowed
        f"http://127.0.0.3:{stub.port}/v1",  # loopback, but not a gateway of the region
        f"http://user:{CANARY_KEY}@{stub.host}:{stub.port}/v1",  # userinfo
        "https://eu.api.openai.com./v1",  # trailing dot
        "https://eu.api.openai.com:8443/v1",  # another port
        "http://eu.api.openai.com/v1",  # plain http to the real host
    ]


def test_reaches_the_region(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    client = eu_client(eu_stub, catalog)
    assert [m.id for m in client.models.list()] == [
        "gpt-4.1-2025-04-14", "gpt-4o-2024-11-20", "gpt-5-2025-08-07", "text-embedding-3-large",
    ]  # fmt: skip
    assert eu_stub.paths() == ["/v1/models"]
    assert pinned_region(client) == "eu"


@pytest.mark.parametrize("index", range(9))
def test_base_url_overridden_later_is_refused(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog, index: int
) -> None:
    client = eu_client(eu_stub, catalog)
    client.base_url = outside(eu_stub, us_stub)[index]
    with pytest.raises(ResidencyViolation, match="pinned to region eu") as caught:
        client.models.list()
    assert "CANARY" not in str(caught.value)
    assert (eu_stub.log, us_stub.log) == ([], [])


@pytest.mark.parametrize("index", range(9))
def test_with_options_base_url_is_refused(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog, index: int
) -> None:
    client = eu_client(eu_stub, catalog)
    with pytest.raises(ResidencyViolation, match="nothing was sent"):
        client.with_options(base_url=outside(eu_stub, us_stub)[index]).chat.completions.create(
            model="gpt-4.1-2025-04-14", messages=[{"role": "user", "content": "hi"}]
        )
    assert (eu_stub.log, us_stub.log) == ([], [])
    client.models.list()  # the client itself is still pinned and working
    assert eu_stub.paths() == ["/v1/models"]


@pytest.mark.parametrize("index", range(9))
def test_base_url_outside_the_region_fails_at_construction(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog, index: int
) -> None:
    env = {**env_for(eu_stub), "OPENAI_BASE_URL": outside(eu_stub, us_stub)[index]}
    with pytest.raises(ResidencyViolation) as caught:
        guarded_client("eu", env=env, catalog=catalog, allow_insecure_loopback=True)
    assert "CANARY" not in str(caught.value)
    assert (eu_stub.log, us_stub.log) == ([], [])


def test_loopback_gateway_needs_the_explicit_flag(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    with pytest.raises(ResidencyViolation, match="http instead of https"):
        guarded_client("eu", env=env_for(eu_stub), catalog=catalog)
    assert eu_stub.log == []


def test_absolute_url_is_refused(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    client = eu_client(eu_stub, catalog)
    with pytest.raises(ResidencyViolation, match=r"refused GET https://api\.openai\.com/v1/models"):
        client.get("https://api.openai.com/v1/models", cast_to=object)
    assert eu_stub.log == []


def test_host_header_naming_another_region_is_refused(
    eu_stub: OpenAIStub, catalog: Catalog
) -> None:
    client = eu_client(eu_stub, catalog, default_headers={"Host": "us.api.openai.com"})
    with pytest.raises(ResidencyViolation, match=r"its Host header names us\.api\.openai\.com"):
        client.models.list()
    assert eu_stub.log == []


def test_redirect_to_another_host_is_refused_at_that_hop(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog
) -> None:
    client = eu_client(eu_stub, catalog)
    eu_stub.script("/v1/models", Reply.redirect(f"{us_stub.base_url}/models"))
    with pytest.raises(ResidencyViolation, match=r"refused GET http://127\.0\.0\.2:\d+/v1/models"):
        client.models.list()
    assert eu_stub.paths() == ["/v1/models"]  # the request that was answered with the redirect
    assert us_stub.log == []  # the hop out of the region never left
    eu_stub.script("/v1/models", Reply.redirect(f"http://localhost:{eu_stub.port}/v1/models"))
    with pytest.raises(ResidencyViolation, match="localhost is not a host of region eu"):
        client.models.list()
    assert eu_stub.paths() == ["/v1/models"] * 2


def test_redirect_within_the_host_is_followed(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    client = eu_client(eu_stub, catalog)
    eu_stub.script("/v1/models", Reply.redirect(f"{eu_stub.base_url}/models"))
    assert len(client.models.list().data) == 4
    assert eu_stub.paths() == ["/v1/models"] * 2


def test_async_client_is_guarded_too(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog
) -> None:
    client = guarded_client(
        "eu", env=env_for(eu_stub), catalog=catalog, allow_insecure_loopback=True, async_=True,
        max_retries=0,
    )  # fmt: skip
    assert isinstance(client, openai.AsyncOpenAI)
    assert pinned_region(client) == "eu"

    async def scenario() -> None:
        page = await client.models.list()
        assert len(page.data) == 4
        with pytest.raises(ResidencyViolation):
            await client.with_options(base_url=us_stub.base_url).models.list()
        client.base_url = "https://api.openai.com/v1"
        with pytest.raises(ResidencyViolation):
            await client.models.list()
        await client.close()

    asyncio.run(scenario())
    assert eu_stub.paths() == ["/v1/models"]
    assert us_stub.log == []


def test_legacy_api_base_warns(catalog: Catalog) -> None:
    env = {"OPENAI_API_BASE": "https://eu.api.openai.com/v1", "OPENAI_API_KEY": CANARY_KEY}
    with pytest.warns(ResidencyWarning, match="OPENAI_API_BASE is set but OPENAI_BASE_URL is not") as seen:
        client = guarded_client("eu", env=env, catalog=catalog)
    assert str(client.base_url) == "https://eu.api.openai.com/v1/"
    # The warning names the line that built the client, not a line of residency_guard.
    assert [w.filename for w in seen] == [__file__]


def test_no_warning_when_base_url_is_set(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    """OPENAI_BASE_URL wins over the legacy name, as in current SDKs: no warning, and the client
    sends to OPENAI_BASE_URL's host, never to OPENAI_API_BASE's."""
    env = env_for(eu_stub, OPENAI_API_BASE="https://api.openai.com/v1")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        client = guarded_client(
            "eu", env=env, catalog=catalog, allow_insecure_loopback=True, max_retries=0
        )
    assert str(client.base_url).rstrip("/") == eu_stub.base_url
    assert len(client.models.list().data) == 4
    assert eu_stub.paths() == ["/v1/models"]


def test_region_from_the_environment(catalog: Catalog) -> None:
    env = {"RESIDENCY_GUARD_REGION": "us", "OPENAI_API_KEY": CANARY_KEY}
    client = guarded_client(env=env, catalog=catalog)
    assert (pinned_region(client), str(client.base_url)) == ("us", "https://us.api.openai.com/v1/")


def test_env_decides_project_and_organization(
    eu_stub: OpenAIStub, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_PROJECT_ID", "proj_from_process_env")
    client = eu_client(eu_stub, catalog)  # env_for() names no project
    client.models.list()
    assert "openai-project" not in eu_stub.log[0].headers
    client = guarded_client(
        "eu", env=env_for(eu_stub, OPENAI_PROJECT_ID="proj_eu", OPENAI_ORG_ID="org_eu"),
        catalog=catalog, allow_insecure_loopback=True,
    )  # fmt: skip
    client.models.list()
    sent = eu_stub.log[1].headers
    assert (sent["openai-project"], sent["openai-organization"]) == (
        "proj_eu", "org_eu",
    )  # fmt: skip


@pytest.mark.parametrize(
    ("region", "env", "kwargs", "error", "says"),
    [
        (None, {"OPENAI_API_KEY": CANARY_KEY}, {}, ConfigError, "no region to pin the client to"),
        ("mars", {"OPENAI_API_KEY": CANARY_KEY}, {}, UnknownRegionError, "unknown region 'mars'"),
        ("eu", {}, {}, ConfigError, "OPENAI_API_KEY is not set"),
        ("eu", {"OPENAI_API_KEY": CANARY_KEY}, {"http_client": httpx2.Client()}, ConfigError,
         "does not take http_client="),
        ("eu", {"OPENAI_API_KEY": CANARY_KEY}, {"data_residency": "us"}, ConfigError,
         "does not take data_residency="),
        ("eu", {"OPENAI_API_KEY": CANARY_KEY, "OPENAI_BASE_URL": "https://[::1/v1"}, {},
         ConfigError,
         "the base URL is not a URL"),
    ],
)  # fmt: skip
def test_construction_errors(
    catalog: Catalog, region: str | None, env: dict[str, str], kwargs: dict[str, Any],
    error: type[Exception], says: str,
) -> None:  # fmt: skip
    with pytest.raises(error, match=says) as caught:
        guarded_client(region, env=env, catalog=catalog, **kwargs)
    assert "CANARY" not in str(caught.value)


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("https://eu.api.openai.com/v1/models", None),
        ("https://EU.API.OPENAI.COM/v1/models", None),
        ("https://eu.api.openai.com:443/v1/models", None),
        ("https://127.0.0.1/v1/models", None),  # a gateway of eu, in the safe form
        ("http://127.0.0.1:8080/v1/models", "http instead of https"),
        ("https://us.api.openai.com/v1/models", "us.api.openai.com is not a host of region eu"),
        ("https://eu.api.openai.com.evil.example/v1", "eu.api.openai.com.evil.example is not a"),
        ("https://xn--eu-api-openai-com.example/v1", "is not a host of region eu"),
        ("https://eu.api.openai.com:80/v1/models", "port 80 instead of 443"),
        ("https://u:p@eu.api.openai.com/v1/models", "the URL carries userinfo"),
    ],
)  # fmt: skip
def test_region_pin_reads_the_url_as_httpx2_connects(
    catalog: Catalog, url: str, reason: str | None
) -> None:
    pin = RegionPin.for_region(catalog, "eu")
    assert pin.hosts == frozenset({"eu.api.openai.com", "127.0.0.1"})
    found = pin.refusal(httpx2.URL(url))
    if reason is None:
        assert found is None
    else:
        assert reason in (found or "")
