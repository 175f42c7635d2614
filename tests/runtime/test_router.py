"""RegionRouter: each user's region gets its own pinned client and never another's."""

from __future__ import annotations

import openai
import pytest

from residency_guard.catalog.model import Catalog
from residency_guard.errors import ConfigError
from residency_guard.runtime import RegionNotServed, RegionRouter, guarded_client
from tests.runtime.helpers import env_for
from tests.verify.helpers import CANARY_KEY
from tests.verify.openai_stub import OpenAIStub


@pytest.fixture
def router(
    eu_stub: OpenAIStub, us_stub: OpenAIStub, catalog: Catalog
) -> RegionRouter[openai.OpenAI]:
    clients = {
        region: guarded_client(region, env=env_for(stub), catalog=catalog,
                               allow_insecure_loopback=True, max_retries=0)
        for region, stub in (("eu", eu_stub), ("us", us_stub))
    }  # fmt: skip
    return RegionRouter(clients)


def test_each_region_reaches_its_own_endpoint_only(
    router: RegionRouter[openai.OpenAI], eu_stub: OpenAIStub, us_stub: OpenAIStub
) -> None:
    router.client_for("eu").models.list()
    assert (len(eu_stub.log), len(us_stub.log)) == (1, 0)
    router.client_for(" US ").models.list()
    assert (len(eu_stub.log), len(us_stub.log)) == (1, 1)
    assert router.regions == ("eu", "us")


@pytest.mark.parametrize("user_region", ["gb", "global", "", None, "eu-west"])
def test_a_region_without_a_client_never_falls_back(
    router: RegionRouter[openai.OpenAI], eu_stub: OpenAIStub, us_stub: OpenAIStub,
    user_region: str | None,
) -> None:  # fmt: skip
    with pytest.raises(RegionNotServed, match="this router serves eu, us and never sends"):
        router.client_for(user_region)
    assert (eu_stub.log, us_stub.log) == ([], [])


def test_a_client_registered_under_another_region_is_refused(
    eu_stub: OpenAIStub, catalog: Catalog
) -> None:
    eu = guarded_client("eu", env=env_for(eu_stub), catalog=catalog, allow_insecure_loopback=True)
    with pytest.raises(ConfigError, match="registered for region 'us' is pinned to 'eu'"):
        RegionRouter({"eu": eu, "us": eu})


def test_an_unguarded_client_is_refused() -> None:
    plain = openai.OpenAI(api_key=CANARY_KEY, base_url="https://eu.api.openai.com/v1")
    with pytest.raises(ConfigError, match="the client for region 'eu' is not pinned"):
        RegionRouter({"eu": plain})


def test_a_copy_keeps_its_pin(eu_stub: OpenAIStub, catalog: Catalog) -> None:
    eu = guarded_client("eu", env=env_for(eu_stub), catalog=catalog, allow_insecure_loopback=True)
    router = RegionRouter({"eu": eu.with_options(timeout=5)})
    assert router.client_for("eu").timeout == 5
