"""Shared by the runtime tests."""

from __future__ import annotations

from tests.verify.helpers import CANARY_KEY
from tests.verify.openai_stub import OpenAIStub

# 127.0.0.1 stands in for the EU endpoint and 127.0.0.2 for the US one: Linux routes all of
# 127.0.0.0/8 to the loopback interface.
EU_GATEWAY, US_GATEWAY = "127.0.0.1", "127.0.0.2"


def env_for(stub: OpenAIStub, **extra: str) -> dict[str, str]:
    """The environment a component delivers to an app whose endpoint is ``stub``."""
    return {"OPENAI_BASE_URL": stub.base_url, "OPENAI_API_KEY": CANARY_KEY, **extra}
