"""The compiled catalog (``catalog/data/compiled.json``): current, and never trusted blindly.

The loader reads the shipped files validated ahead of time instead of running cerberus at
every start; a user would notice a stale or tampered compiled file as a different verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

import pytest

from residency_guard.catalog import loader
from residency_guard.catalog.compile import render
from residency_guard.catalog.model import Catalog


@pytest.fixture
def fresh_shipped() -> Iterator[None]:
    loader.shipped_catalog.cache_clear()
    yield
    loader.shipped_catalog.cache_clear()


def _built_with(monkeypatch: pytest.MonkeyPatch, compiled: dict[str, Any]) -> Catalog:
    monkeypatch.setattr(loader, "_compiled", lambda: compiled)
    loader.shipped_catalog.cache_clear()
    return loader.shipped_catalog()


def test_compiled_catalog_is_current() -> None:
    shipped = resources.files("residency_guard.catalog").joinpath("data", loader.COMPILED)
    assert shipped.read_text(encoding="utf-8") == render(), (
        "catalog/data/compiled.json is stale: run `python -m residency_guard.catalog.compile`"
    )


def test_compiled_and_validated_catalogs_are_the_same(
    monkeypatch: pytest.MonkeyPatch, fresh_shipped: None
) -> None:
    from_compiled = _built_with(monkeypatch, _read_compiled())
    validated = _built_with(monkeypatch, {})
    # repr, not ==: the order of regions and surfaces shows in messages and reports.
    assert repr(from_compiled) == repr(validated)


def _read_compiled() -> dict[str, Any]:
    text = resources.files("residency_guard.catalog").joinpath("data", loader.COMPILED)
    found: dict[str, Any] = json.loads(text.read_text(encoding="utf-8"))
    return found


def test_a_compiled_entry_for_other_bytes_is_ignored(
    monkeypatch: pytest.MonkeyPatch, fresh_shipped: None
) -> None:
    """An edited YAML file (or a compiled entry that lies) is validated again, not trusted."""
    compiled = _read_compiled()
    eu = compiled["regions.yaml"]["document"]["regions"]["eu"]
    eu["host"] = "us.api.openai.com"  # what a tampered compiled file could claim
    compiled["regions.yaml"]["sha256"] = "0" * 64
    catalog = _built_with(monkeypatch, compiled)
    assert catalog.regions["eu"].host == "eu.api.openai.com"


def test_a_missing_compiled_file_still_gives_the_catalog(
    monkeypatch: pytest.MonkeyPatch, fresh_shipped: None
) -> None:
    catalog = _built_with(monkeypatch, {})
    assert catalog.regions["eu"].host == "eu.api.openai.com"
    assert catalog.regions["us"].host == "us.api.openai.com"
