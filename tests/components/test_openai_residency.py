"""OpenAIResidency under Pulumi's mocks: its outputs, its secrets and its refusals."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
import pytest

from components.openai_residency import (
    OpenAIResidency,
    OpenAIResidencyArgs,
    ResidencyInputError,
    ResidencyRefused,
)
from residency_guard.api import check_declaration
from residency_guard.stackregion import COMPONENT_TYPE
from tests.components.conftest import FAKE_KEY, Engine, leaks, run, start

EU_MODELS = {"chat": ["gpt-4o-2024-11-20"], "embeddings": ["text-embedding-3-large"]}


def eu(**changes: Any) -> OpenAIResidency:
    args: dict[str, Any] = {"region": "eu", "api_key": FAKE_KEY, "models": EU_MODELS}
    args.update(changes)
    return OpenAIResidency("openai", OpenAIResidencyArgs(**args))


def core_lines(region: str, stack: str, **declaration: Any) -> list[str]:
    """What the rule core says about a declaration, as the component prints it."""
    findings = check_declaration(region, stack=stack, **declaration)
    assert findings, "the core must refuse this declaration for the test to mean anything"
    return [f"openai: {f.rule}: {f.message}; {f.fix}" for f in findings]


@pulumi.runtime.test
async def test_eu_component_outputs(engine: Engine) -> None:
    residency = eu(project_id="proj_123", surfaces=["chat", "embeddings", "files"])
    assert await residency.base_url.future() == "https://eu.api.openai.com/v1"
    assert await residency.region.future() == "eu"
    assert await residency.models.future() == EU_MODELS
    assert await residency.labels.future() == {
        "residency-guard/region": "eu",
        "residency-guard/host": "eu.api.openai.com",
        "residency-guard/catalog-as-of": "2026-12-04",
    }
    assert await residency.env.future() == {
        "OPENAI_BASE_URL": "https://eu.api.openai.com/v1",
        "OPENAI_API_KEY": FAKE_KEY,
        "OPENAI_PROJECT_ID": "proj_123",
        "RESIDENCY_GUARD_REGION": "eu",
    }
    summary = await residency.summary.future()
    assert summary is not None
    assert {k: summary[k] for k in ("region", "host", "base_url", "models")} == {
        "region": "eu",
        "host": "eu.api.openai.com",
        "base_url": "https://eu.api.openai.com/v1",
        "models": EU_MODELS,
    }
    assert summary["catalog_as_of"] and summary["catalog_version"]


def test_component_registers_its_type_and_plain_region(engine: Engine) -> None:
    run(eu)
    component = engine.recorder.one(COMPONENT_TYPE)
    # The policy pack and the preview gate read the region from the component's inputs.
    assert component.inputs["region"] == "eu"
    assert component.inputs["base_url"] == "https://eu.api.openai.com/v1"
    assert leaks(component.inputs, FAKE_KEY) == []


@pytest.mark.parametrize(
    "api_key",
    [
        pytest.param(lambda: FAKE_KEY, id="plain string"),
        pytest.param(lambda: pulumi.Output.from_input(FAKE_KEY), id="plain output"),
        pytest.param(lambda: pulumi.Output.secret(FAKE_KEY), id="secret output"),
    ],
)
def test_key_is_secret_in_every_output(engine: Engine, api_key: Any) -> None:
    async def program() -> None:
        residency = eu(api_key=api_key())
        assert await residency.env.is_secret()
        assert await residency.env_var("OPENAI_API_KEY").is_secret()
        assert await residency.env_json().is_secret()
        for plain in (residency.base_url, residency.region, residency.labels, residency.summary):
            assert FAKE_KEY not in str(await plain.future())

    run(program)
    # What state would hold: the component's inputs and registered outputs.
    assert leaks(engine.everything(), FAKE_KEY) == []
    assert any(FAKE_KEY in str(o) for o in engine.monitor.outputs.values()), "env is recorded"


@pulumi.runtime.test
async def test_env_holds_only_what_is_set_and_never_the_legacy_name(engine: Engine) -> None:
    residency = eu(api_key=None, project_id="", org_id="org-1")
    env = await residency.env.future()
    assert env == {
        "OPENAI_BASE_URL": "https://eu.api.openai.com/v1",
        "OPENAI_ORG_ID": "org-1",
        "RESIDENCY_GUARD_REGION": "eu",
    }
    assert residency.resolved.env_names == tuple(env)
    assert "OPENAI_API_BASE" not in env
    with pytest.raises(KeyError, match="OPENAI_API_KEY is not set"):
        residency.env_var("OPENAI_API_KEY")


@pytest.mark.parametrize(
    ("declaration", "rule", "fragment"),
    [
        pytest.param(
            {"gateway_host": "api.openai.com"},
            "RG001",
            "EU stack 'prod-eu' sends to api.openai.com (global, no residency)",
            id="global host as gateway",
        ),
        pytest.param(
            {"models": {"chat": ["gpt-4o"]}},
            "RG004",
            "EU stack 'prod-eu' uses the alias 'gpt-4o'",
            id="alias model",
        ),
        pytest.param(
            {"surfaces": ["assistants"]},
            "RG005",
            "EU stack 'prod-eu' uses Assistants (assistants)",
            id="assistants surface",
        ),
    ],
)
def test_eu_refusal_carries_the_core_message_and_fix(
    engine: Engine, declaration: dict[str, Any], rule: str, fragment: str
) -> None:
    with pytest.raises(ResidencyRefused) as refused:
        eu(**{"models": None, **declaration})
    text = str(refused.value)
    assert text.splitlines() == core_lines("eu", "prod-eu", **declaration)
    assert f"openai: {rule}: {fragment}" in text
    assert isinstance(refused.value, pulumi.RunError)  # printed by the host without traceback
    assert [f.rule for f in refused.value.findings] == [rule]
    assert engine.recorder.resources == [], "a refused declaration registers nothing"


def test_every_error_is_one_line(engine: Engine) -> None:
    declaration = {"gateway_host": "api.openai.com", "models": {"chat": ["gpt-4o"]}}
    with pytest.raises(ResidencyRefused) as refused:
        eu(**declaration)
    lines = str(refused.value).splitlines()
    assert lines == core_lines("eu", "prod-eu", **declaration)
    assert len(lines) == 2


def test_a_model_map_keyed_by_an_unknown_surface_is_judged(engine: Engine) -> None:
    with pytest.raises(ResidencyRefused) as refused:
        eu(models={"batch": ["gpt-4o-2024-11-20"]})
    assert "lists the unknown API surface 'batch'" in str(refused.value)


def test_the_stack_name_is_the_one_pulumi_runs() -> None:
    start("prod-eu-blue")
    with pytest.raises(ResidencyRefused, match="EU stack 'prod-eu-blue' uses the alias 'gpt-4o'"):
        eu(models={"chat": ["gpt-4o"]})


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"region": pulumi.Output.from_input("eu")}, "region to be a plain value known"),
        ({"region": ""}, "Expected region to be a region id"),
        ({"gateway_host": "https://eu.api.openai.com"}, "gateway_host to be a bare host name"),
        ({"surfaces": "chat"}, "Expected surfaces to be a list of strings"),
        ({"models": {"chat": "gpt-4o-2024-11-20"}}, "Expected models.chat to be a list"),
    ],
)
def test_inputs_of_the_wrong_shape_are_refused_in_one_line(
    engine: Engine, change: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ResidencyInputError, match=expected) as refused:
        eu(**change)
    assert "\n" not in str(refused.value)


def test_args_as_a_dict_of_python_names_are_accepted(engine: Engine) -> None:
    # The component provider host passes the inputs this way.
    residency = OpenAIResidency("openai", {"region": "us"})  # type: ignore[arg-type]
    assert residency.resolved.base_url == "https://us.api.openai.com/v1"
    with pytest.raises(ResidencyInputError, match="got colour"):
        OpenAIResidency("other", {"region": "us", "colour": "red"})  # type: ignore[arg-type]


def _overlay(tmp_path: Path, host: str, region: str) -> str:
    path = tmp_path / "team-catalog.yaml"
    path.write_text(f"gateways:\n  - host: {host}\n    region: {region}\n", encoding="utf-8")
    return str(path)


@pulumi.runtime.test
async def test_a_team_gateway_bound_to_the_region_is_the_base_url(
    engine: Engine, tmp_path: Path
) -> None:
    residency = eu(
        gateway_host="llm-gw.internal",
        catalog_files=[_overlay(tmp_path, "llm-gw.internal", "eu")],
    )
    assert await residency.base_url.future() == "https://llm-gw.internal/v1"
    labels = await residency.labels.future()
    assert labels is not None and labels["residency-guard/host"] == "llm-gw.internal"
    assert residency.resolved.host == "llm-gw.internal"


def test_a_gateway_bound_to_another_region_is_refused(engine: Engine, tmp_path: Path) -> None:
    catalog_files = [_overlay(tmp_path, "us-gw.internal", "us")]
    with pytest.raises(ResidencyRefused) as refused:
        eu(gateway_host="us-gw.internal", catalog_files=catalog_files)
    assert "us-gw.internal" in str(refused.value)
    assert str(refused.value).startswith("openai: RG0")


def test_an_unreadable_catalog_file_is_one_line(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ResidencyInputError, match="catalog overlay not found"):
        eu(catalog_files=[str(tmp_path / "missing.yaml")])


def test_the_repo_stack_mapping_holds_the_component(tmp_path: Path) -> None:
    start("prod-eu-blue")
    repo = tmp_path / "residency-guard.yaml"
    repo.write_text('stacks:\n  "prod-eu*": eu\n', encoding="utf-8")
    with pytest.raises(ResidencyRefused) as refused:
        OpenAIResidency(
            "openai", OpenAIResidencyArgs(region="us", repo_config=str(repo), api_key=FAKE_KEY)
        )
    assert "openai: RG009: stack 'prod-eu-blue' has conflicting regions" in str(refused.value)


def test_overlapping_stack_globs_of_two_regions_refuse_the_component(tmp_path: Path) -> None:
    """The first glob holds the stack (an EU component is fine by it), the second names
    another region: a conflict, as in `check` and the pack."""
    start("prod-eu-blue")
    repo = tmp_path / "residency-guard.yaml"
    repo.write_text('stacks:\n  "prod-eu*": eu\n  "prod-*": us\n', encoding="utf-8")
    with pytest.raises(ResidencyRefused) as refused:
        OpenAIResidency(
            "openai", OpenAIResidencyArgs(region="eu", repo_config=str(repo), api_key=FAKE_KEY)
        )
    message = str(refused.value)
    assert "openai: RG009: stack 'prod-eu-blue' has conflicting regions" in message
    assert "stacks: 'prod-eu*' in" in message and "stacks: 'prod-*' in" in message
