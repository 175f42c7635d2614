"""The reference program (``__main__.py``) under mocks, with each example stack's config."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest
import yaml

from residency_guard.stackregion import COMPONENT_TYPE
from tests.components.conftest import FAKE_KEY, Engine, leaks, reveal, run, start

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "residency-guard:apiKey"
DOTENV_FILE = "pulumi-python:dynamic/residency-guard:DotenvFile"


def stack_config(stack: str) -> dict[str, str]:
    """A stack file's config as the language host hands it over: structured values as JSON."""
    document = yaml.safe_load((ROOT / "stacks" / f"Pulumi.{stack}.yaml").read_text("utf-8"))
    return {
        key: value if isinstance(value, str) else json.dumps(value)
        for key, value in document["config"].items()
    }


def run_program(stack: str, config: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Engine:
    engine = start(stack)
    pulumi.runtime.set_all_config(config, [API_KEY] if API_KEY in config else [])
    monkeypatch.chdir(ROOT)  # Pulumi runs the program in the project folder

    def program() -> None:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__pulumi__")

    run(program)
    return engine


@pytest.mark.parametrize(
    ("stack", "region", "sink_type"),
    [
        ("dev-us", "us", DOTENV_FILE),
        ("prod-eu", "eu", DOTENV_FILE),
        ("prod-gb", "gb", DOTENV_FILE),
        ("prod-eu-k8s", "eu", "kubernetes:core/v1:Secret"),
    ],
)
def test_each_example_stack_builds_its_component_and_sink(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, stack: str, region: str, sink_type: str
) -> None:
    config = {**stack_config(stack), API_KEY: FAKE_KEY}
    if sink_type != DOTENV_FILE:
        pytest.importorskip("pulumi_kubernetes")
    engine = run_program(stack, config, monkeypatch)
    component = engine.recorder.one(COMPONENT_TYPE)
    assert component.inputs["region"] == region
    assert component.inputs["base_url"] == f"https://{region}.api.openai.com/v1"
    sink = engine.recorder.one(sink_type)
    if sink_type == DOTENV_FILE:
        assert sink.inputs["path"] == f".env.{stack}"
        assert f"OPENAI_API_KEY={FAKE_KEY}" in reveal(sink.inputs["content"])
    else:
        assert sink.inputs["metadata"]["namespace"] == "ai-apps"
        assert reveal(sink.inputs["stringData"])["OPENAI_API_KEY"] == FAKE_KEY
    assert leaks(engine.everything(), FAKE_KEY) == []


def test_a_sink_without_a_key_stops_with_pulumis_config_message(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(pulumi.RunError, match="residency-guard:apiKey"):
        run_program("dev-us", stack_config("dev-us"), monkeypatch)


def test_no_sink_needs_no_key(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    config = {**stack_config("prod-eu"), "residency-guard:sinks": "[]"}
    engine = run_program("prod-eu", config, monkeypatch)
    assert [r.typ for r in engine.recorder.resources] == [COMPONENT_TYPE]


@pytest.mark.parametrize("sinks", ['["dotenv", "s3"]', '"dotenv"'])
def test_an_unknown_sink_is_refused(
    engine: Engine, monkeypatch: pytest.MonkeyPatch, sinks: str
) -> None:
    config: dict[str, Any] = {**stack_config("dev-us"), "residency-guard:sinks": sinks}
    with pytest.raises(pulumi.RunError, match="Expected residency-guard:sinks to be a list of"):
        run_program("dev-us", {**config, API_KEY: FAKE_KEY}, monkeypatch)


def test_a_stack_whose_config_breaks_a_rule_stops_with_the_core_message(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {
        **stack_config("prod-eu"),
        API_KEY: FAKE_KEY,
        "residency-guard:models": json.dumps({"chat": ["gpt-4o"]}),
    }
    with pytest.raises(pulumi.RunError, match="openai: RG004: EU stack 'prod-eu' uses the alias"):
        run_program("prod-eu", config, monkeypatch)


def test_the_repo_mapping_applies_to_the_program(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # residency-guard.yaml maps prod-eu* to eu: a prod-eu stack that says us is refused.
    config = {**stack_config("prod-eu"), API_KEY: FAKE_KEY, "residency-guard:region": "us"}
    with pytest.raises(pulumi.RunError, match="RG009: stack 'prod-eu' has conflicting regions"):
        run_program("prod-eu", config, monkeypatch)
