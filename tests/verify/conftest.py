"""Fixtures for the live tests: a loopback OpenAI stub, a fake key, a closed port."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.verify.helpers import CANARY_KEY, EU_MODELS
from tests.verify.openai_stub import OpenAIStub, serve

# Variables the openai client reads from os.environ by itself.
_CLIENT_ENV = ("OPENAI_BASE_URL", "OPENAI_PROJECT_ID", "OPENAI_ORG_ID", "OPENAI_ADMIN_KEY",
               "OPENAI_CUSTOM_HEADERS", "OPENAI_API_BASE", "RESIDENCY_GUARD_REGION")  # fmt: skip


@pytest.fixture
def stub() -> Iterator[OpenAIStub]:
    yield from serve(EU_MODELS)


@pytest.fixture
def key(monkeypatch: pytest.MonkeyPatch) -> str:
    for name in _CLIENT_ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("OPENAI_API_KEY", CANARY_KEY)
    return CANARY_KEY


@pytest.fixture
def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused at once."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
