"""Dynamic resources with their provider serialised once (components/dynamic.py), under mocks.

pulumi 3.272's ``serialize_provider`` leaves one more wrapper on pickle's pure-Python pickler
per call; a program of a few hundred dotenv sinks then breaks the next provider that pickles
a dict (RecursionError). The engine test (tests/engine/test_many_sinks.py) previews such a
program for real; these tests pin what the sink registers and what it leaves behind.
"""

from __future__ import annotations

import pickle

import pulumi
import pulumi.dynamic
import pytest
from pulumi.dynamic.dynamic import serialize_provider

from components.dynamic import OnceSerialized, serialized_once
from components.sinks.dotenv import DotenvFile, DotenvFileProvider
from tests.components.conftest import Engine, is_secret, reveal, run

DOTENV_TYPE = "pulumi-python:dynamic/residency-guard:DotenvFile"


class StockDotenvFile(pulumi.dynamic.Resource, module="residency-guard", name="DotenvFile"):
    """What DotenvFile was: the SDK's dynamic resource, serialising its provider every time."""


class SettingsProvider(pulumi.dynamic.ResourceProvider):
    """A provider that pickles a dict (its instance state), as programs' own providers do."""

    def __init__(self) -> None:
        self.settings = {"region": "eu", "retries": 3}


def test_the_sink_registers_what_the_sdks_dynamic_resource_registers(engine: Engine) -> None:
    def program() -> None:
        props = {"path": ".env", "content": pulumi.Output.secret("A=1\n"), "sha256": None}
        StockDotenvFile(DotenvFileProvider(), "stock", props)
        DotenvFile("ours", ".env", "A=1\n")

    run(program)
    stock, ours = engine.recorder.of_type(DOTENV_TYPE)
    assert (stock.name, ours.name) == ("stock", "ours")
    assert set(ours.inputs) == set(stock.inputs) >= {"path", "content", "__provider"}
    assert ours.inputs["path"] == stock.inputs["path"]
    assert reveal(ours.inputs["content"]) == reveal(stock.inputs["content"])
    # The provider: a secret holding the very text the SDK's own serialisation gives.
    assert is_secret(stock.inputs["__provider"]) and is_secret(ours.inputs["__provider"])
    assert reveal(ours.inputs["__provider"]) == reveal(stock.inputs["__provider"])
    assert reveal(ours.inputs["__provider"]) == serialize_provider(DotenvFileProvider())


def test_many_sinks_leave_pickle_as_they_found_it(engine: Engine) -> None:
    before = pickle._Pickler.__dict__["_batch_setitems"]
    run(lambda: [DotenvFile(f"file-{i}", f".env.{i}", "A=1\n") for i in range(400)])
    assert len(engine.recorder.of_type(DOTENV_TYPE)) == 400
    assert pickle._Pickler.__dict__["_batch_setitems"] is before
    # The program's own provider still serialises (400 wrappers deep, it raised RecursionError).
    assert serialize_provider(SettingsProvider())


def test_a_provider_with_state_is_refused() -> None:
    with pytest.raises(TypeError, match="Expected SettingsProvider to hold no instance state"):
        serialized_once(SettingsProvider())


def test_a_provider_key_in_the_properties_is_refused(engine: Engine) -> None:
    class Bare(OnceSerialized):
        pass

    with pytest.raises(TypeError, match="Expected the properties of x to hold no __provider"):
        Bare(DotenvFileProvider(), "x", {"__provider": "mine"})
