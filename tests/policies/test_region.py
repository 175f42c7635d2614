"""Where the pack reads a stack's region, and which declaration wins."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from policies.residency_pack import PackState
from policies.residency_pack.region import stack_name
from residency_guard.errors import ConfigError
from residency_guard.stackregion import COMPONENT_TYPE

from .helpers import policies, policy_resource, resource_args, run, stack_args, write_repo_config
from .shapes import k8s_deployment

US_URL = "https://us.api.openai.com/v1"


def make_state(
    tmp_path: Path, *, mapping: str | None = None, stack_config: str | None = None
) -> PackState:
    if mapping:
        write_repo_config(tmp_path, f"stacks:\n  prod-*: {mapping}\n")
    config = {"residency-guard:region": stack_config} if stack_config else {}
    return PackState(pack_dir=tmp_path, stack_config=config, stack_fallback="")


# (policy config, stack tag, stack config, residency-guard.yaml, component) -> the winner
PRECEDENCE_CASES = [
    pytest.param("us", "eu", "eu", "eu", "eu", "us", id="policy-config-beats-all"),
    pytest.param(None, "us", "eu", "eu", "eu", "us", id="stack-tag-beats-stack-config"),
    pytest.param(None, None, "us", "eu", "eu", "us", id="stack-config-beats-mapping"),
    pytest.param(None, None, None, "us", "eu", "us", id="mapping-beats-component"),
    pytest.param(None, None, None, None, "us", "us", id="component-alone"),
    pytest.param(None, None, None, None, "eu", "eu", id="component-eu"),
]


@pytest.mark.parametrize(
    ("config", "tag", "stack_config", "mapping", "component", "winner"), PRECEDENCE_CASES
)
def test_the_highest_declaration_decides_the_region(
    tmp_path: Path,
    config: str | None,
    tag: str | None,
    stack_config: str | None,
    mapping: str | None,
    component: str | None,
    winner: str,
) -> None:
    state = make_state(tmp_path, mapping=mapping, stack_config=stack_config)
    policy_config = {"region": config} if config else {}
    endpoint = policies(state)["openai-endpoint-region"]
    if component:
        run(
            endpoint,
            resource_args(
                COMPONENT_TYPE,
                {"region": component},
                name="openai",
                region=tag,
                config=policy_config,
            ),
        )
    args = resource_args(
        *k8s_deployment({"OPENAI_BASE_URL": US_URL}), region=tag, config=policy_config
    )
    outcome = run(endpoint, args)
    assert outcome.rules == ([] if winner == "us" else ["RG001"])


def test_conflicting_declarations_are_rg009_naming_every_source(tmp_path: Path) -> None:
    state = make_state(tmp_path, mapping="eu", stack_config="us")
    component = policy_resource(COMPONENT_TYPE, {"region": "eu"}, name="openai")
    outcome = run(
        policies(state)["residency-region-declared"],
        stack_args([component], region="eu", config={"region": "eu"}),
    )
    assert outcome.rules == ["RG009"]
    message = outcome.violations[0][0]
    assert "stack 'prod-eu' has conflicting regions:" in message
    for claim in (
        "policy-pack config says 'eu' (--policy-pack-config)",
        "stack tag says 'eu' (stack tag residency-guard:region)",
        "stack config says 'us' (stack config residency-guard:region)",
        "residency-guard.yaml says 'eu'",
        "component says 'eu' (component 'openai')",
    ):
        assert claim in message
    assert outcome.violations[0][1] is None


def test_stack_config_comes_from_the_engine_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "PULUMI_CONFIG", json.dumps({"residency-guard:region": "eu", "shop:replicas": "2"})
    )
    state = PackState(pack_dir=tmp_path)  # stack_config None: read PULUMI_CONFIG
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": US_URL}), region=None)
    assert run(policies(state)["openai-endpoint-region"], args).rules == ["RG001"]


@pytest.mark.parametrize("text", ["[\"residency-guard:region\", \"eu\"]", "not json", ""])
def test_pulumi_config_that_is_no_json_object_is_no_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, text: str
) -> None:
    # The region then comes from elsewhere (here: none), never from a misread value.
    monkeypatch.setenv("PULUMI_CONFIG", text)
    state = PackState(pack_dir=tmp_path)
    assert state.config_of_stack() == {}
    outcome = run(policies(state)["residency-region-declared"], stack_args([], region=None))
    assert outcome.rules == ["RG008"]


def test_the_stack_name_falls_back_to_pulumi_stack(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PULUMI_STACK", "prod-eu-2")
    write_repo_config(tmp_path, "stacks:\n  prod-eu*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={})
    assert state.fallback_stack() == "prod-eu-2"
    # A stack with no resources yet still has a name, hence a region: no RG008.
    assert (
        run(policies(state)["residency-region-declared"], stack_args([], region=None)).rules == []
    )


def test_without_pulumi_stack_an_empty_stack_has_no_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing names it (no URN, no PULUMI_STACK): no name is made up, RG008 names none."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    write_repo_config(tmp_path, "stacks:\n  prod-eu*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={})
    outcome = run(policies(state)["residency-region-declared"], stack_args([], region=None))
    assert outcome.rules == ["RG008"]
    assert outcome.violations[0][0].startswith("[RG008] stack '' declares no region.")


@pytest.mark.parametrize(
    ("urns", "expected"),
    [
        (["urn:pulumi:prod-eu::shop::t::n"], "prod-eu"),
        (["not-a-urn"], "fallback"),
        ([], "fallback"),
    ],
)
def test_stack_name_from_urns(urns: list[str], expected: str) -> None:
    assert stack_name(urns, "fallback") == expected


def test_repo_config_path_in_the_policy_config(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    write_repo_config(tmp_path / "conf", "stacks:\n  prod-*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    args = resource_args(
        *k8s_deployment({"OPENAI_BASE_URL": US_URL}),
        region=None,
        config={"repoConfig": "conf/residency-guard.yaml"},
    )
    assert run(policies(state)["openai-endpoint-region"], args).rules == ["RG001"]


def test_a_missing_repo_config_is_an_error(state: PackState) -> None:
    args = resource_args(*k8s_deployment({}), config={"repoConfig": "nope.yaml"})
    with pytest.raises(ConfigError, match="repoConfig not found"):
        run(policies(state)["openai-endpoint-region"], args)


@pytest.mark.parametrize(
    ("config", "error"),
    [
        ({"allowedHosts": "gw.acme.eu"}, "Expected allowedHosts to be a list of strings"),
        ({"denyModels": [1]}, "Expected denyModels to be a list of strings"),
        ({"unresolved": "allow"}, "Expected unresolved to be 'deny' or 'warn'"),
        ({"remediateHosts": "yes"}, "Expected remediateHosts to be a boolean"),
        ({"region": 3}, "Expected region to be a string"),
    ],
)
def test_a_malformed_config_value_is_refused(
    state: PackState, config: dict[str, object], error: str
) -> None:
    with pytest.raises(ConfigError, match=error):
        run(
            policies(state)["openai-endpoint-region"],
            resource_args(*k8s_deployment({}), config=config),
        )


def test_overlapping_globs_hold_the_stack_to_the_first_and_are_rg009(tmp_path: Path) -> None:
    """`prod-eu*: eu` above `prod-*: us`, as the CLI reads it (tests/core/test_repoconfig.py)."""
    write_repo_config(tmp_path, 'stacks:\n  "prod-eu*": eu\n  "prod-*": us\n')
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
    endpoint = policies(state)["openai-endpoint-region"]
    deployment = k8s_deployment({"OPENAI_BASE_URL": US_URL})
    assert run(endpoint, resource_args(*deployment, region=None)).rules == ["RG001"]
    app = policy_resource(*deployment)  # the stack's name, prod-eu, is in its URN
    declared = run(policies(state)["residency-region-declared"], stack_args([app], region=None))
    assert declared.rules == ["RG009"]
    assert "residency-guard.yaml says 'eu' (stacks: 'prod-eu*' in" in declared.text
    assert "residency-guard.yaml says 'us' (stacks: 'prod-*' in" in declared.text
    # prod-us-1 is held by the second glob alone: US, no conflict.
    us_args = resource_args(*deployment, stack="prod-us-1", region=None)
    assert run(endpoint, us_args).rules == []


def test_the_warm_up_loads_the_settings_the_first_resource_uses(tmp_path: Path) -> None:
    write_repo_config(tmp_path, "stacks:\n  prod-*: eu\n")
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="prod-eu")
    state.warm_up()
    (tmp_path / "residency-guard.yaml").unlink()  # read already: the region still comes from it
    args = resource_args(*k8s_deployment({"OPENAI_BASE_URL": US_URL}), region=None)
    assert run(policies(state)["openai-endpoint-region"], args).rules == ["RG001"]


def test_a_broken_repo_config_fails_the_first_resource_not_the_warm_up(tmp_path: Path) -> None:
    write_repo_config(tmp_path, "stacks: [\n")
    state = PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="prod-eu")
    state.warm_up()  # best effort: says nothing
    with pytest.raises(ConfigError):
        run(policies(state)["openai-endpoint-region"], resource_args(*k8s_deployment({})))
