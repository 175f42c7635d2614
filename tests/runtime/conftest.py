"""Fixtures for the runtime guard: two loopback stubs bound to two regions as team gateways."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from residency_guard.catalog import load_catalog
from residency_guard.catalog.model import Catalog
from tests.runtime.helpers import EU_GATEWAY, US_GATEWAY
from tests.verify.helpers import EU_MODELS
from tests.verify.openai_stub import OpenAIStub, serve


@pytest.fixture
def eu_stub() -> Iterator[OpenAIStub]:
    yield from serve(EU_MODELS, EU_GATEWAY)


@pytest.fixture
def us_stub() -> Iterator[OpenAIStub]:
    yield from serve(["gpt-4.1-2025-04-14"], US_GATEWAY)


@pytest.fixture
def catalog(tmp_path: Path) -> Catalog:
    """The shipped catalog with the two loopback stubs bound to eu and us as gateways."""
    overlay = tmp_path / "team-catalog.yaml"
    overlay.write_text(
        "gateways:\n"
        f"  - {{host: '{EU_GATEWAY}', region: eu, note: test stub}}\n"
        f"  - {{host: '{US_GATEWAY}', region: us, note: test stub}}\n",
        encoding="utf-8",
    )
    return load_catalog([overlay])
