"""Repo-level suppressions (residency-guard.yaml) in the pack, as the CLI applies them."""

from __future__ import annotations

from pathlib import Path

import pytest
from pulumi_policy import ResourceValidationPolicy

from policies.residency_pack import PackState
from residency_guard.scan import scan_paths

from .helpers import GLOBAL_URL, policies, policy_resource, resource_args, run, stack_args
from .helpers import write_repo_config as write_config
from .shapes import k8s_deployment

REASON = "EU key pending, INC-1234"


def _state(tmp_path: Path, suppression: str) -> PackState:
    write_config(tmp_path, f"suppressions:\n{suppression}")
    return PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")


def _endpoint_rules(state: PackState, stack: str = "prod-eu") -> list[str]:
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    args = resource_args(resource_type, props, stack=stack)
    return run(policies(state)["openai-endpoint-region"], args).rules


ACTIVE = (
    f'  - rule: RG001\n    stack: "prod-eu*"\n    reason: "{REASON}"\n    until: "2999-12-31"\n'
)


def test_an_active_suppression_for_the_stack_unblocks_the_resource(tmp_path: Path) -> None:
    assert _endpoint_rules(_state(tmp_path, ACTIVE)) == []


def test_the_summary_says_what_was_suppressed_and_why(tmp_path: Path) -> None:
    state = _state(tmp_path, ACTIVE)
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    summary = run(
        policies(state)["openai-configuration-summary"],
        stack_args([policy_resource(resource_type, props)]),
    )
    texts = [message for message, _ in summary.violations]
    suppressed = [t for t in texts if t.startswith("[RG001]")]
    assert len(suppressed) == 1, texts
    assert "(suppressed by " in suppressed[0] and "until 2999-12-31: " + REASON in suppressed[0]
    assert (
        suppressed[0].split("(suppressed by ")[1].startswith(str(tmp_path / "residency-guard.yaml"))
    )


@pytest.mark.parametrize(
    ("suppression", "why"),
    [
        (ACTIVE.replace("prod-eu*", "dev-*"), "another stack"),
        (ACTIVE.replace("2999-12-31", "2000-01-01"), "expired"),
        (ACTIVE.replace("RG001", "RG003"), "another rule"),
        # The pack's findings lie in no file: a suppression scoped to files is the CLI's only.
        (ACTIVE + '    file: "stacks/*.yaml"\n', "scoped to files"),
    ],
)
def test_a_suppression_that_does_not_cover_the_finding_leaves_it_blocking(
    tmp_path: Path, suppression: str, why: str
) -> None:
    assert _endpoint_rules(_state(tmp_path, suppression)) == ["RG001"], why


def test_an_invalid_suppression_suppresses_nothing_and_is_rg016(tmp_path: Path) -> None:
    state = _state(tmp_path, "  - rule: RG001\n    stack: prod-eu\n")  # no reason
    assert _endpoint_rules(state) == ["RG001"]
    outcome = run(policies(state)["residency-suppressions"], stack_args([]))
    assert outcome.rules == ["RG016"]
    assert "gives no reason" in outcome.violations[0][0]


def test_valid_suppressions_are_no_violation_of_their_own(tmp_path: Path) -> None:
    outcome = run(policies(_state(tmp_path, ACTIVE))["residency-suppressions"], stack_args([]))
    assert outcome.violations == []


def test_the_stack_policies_honour_suppressions_too(tmp_path: Path) -> None:
    # RG008 (no region declared) is a stack finding; a repo-level suppression accepts it.
    state = _state(tmp_path, f'  - rule: RG008\n    stack: "lab"\n    reason: "{REASON}"\n')
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    lab = [policy_resource(resource_type, props, stack="lab")]
    assert (
        run(policies(state)["residency-region-declared"], stack_args(lab, region=None)).rules == []
    )
    elsewhere = [policy_resource(resource_type, props, stack="lab2")]
    assert run(
        policies(state)["residency-region-declared"], stack_args(elsewhere, region=None)
    ).rules == ["RG008"]


def test_the_cli_applies_the_same_suppression_to_the_same_value(tmp_path: Path) -> None:
    """The same residency-guard.yaml, the same value in a stack file: the CLI agrees."""
    write_config(tmp_path, f"suppressions:\n{ACTIVE}")
    stack = tmp_path / "Pulumi.prod-eu.yaml"
    stack.write_text(
        f"config:\n  residency-guard:region: eu\n  app:OPENAI_BASE_URL: {GLOBAL_URL}\n",
        encoding="utf-8",
    )
    found = scan_paths([stack]).findings
    assert [(f.rule, f.suppressed) for f in found] == [("RG001", True)]
    assert _endpoint_rules(_state(tmp_path, ACTIVE)) == []


def test_remediation_leaves_a_suppressed_host_as_written(tmp_path: Path) -> None:
    on = {"remediateHosts": True}
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    policy = policies(_state(tmp_path, ACTIVE))["openai-endpoint-region"]
    assert isinstance(policy, ResourceValidationPolicy) and policy.remediate is not None
    assert policy.remediate(resource_args(resource_type, props, config=on)) is None
    # The same resource in a stack the suppression does not cover is rewritten.
    other = resource_args(resource_type, props, stack="staging-eu", config=on)
    assert policy.remediate(other) is not None


def test_a_suppression_without_an_end_date_says_none(tmp_path: Path) -> None:
    # `until:` is optional: the summary then names the source and the reason only.
    state = _state(tmp_path, f'  - rule: RG001\n    stack: "prod-eu*"\n    reason: "{REASON}"\n')
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    summary = run(
        policies(state)["openai-configuration-summary"],
        stack_args([policy_resource(resource_type, props)]),
    )
    (suppressed,) = [m for m, _ in summary.violations if m.startswith("[RG001]")]
    assert suppressed.endswith(f"(suppressed by {tmp_path / 'residency-guard.yaml'}:2: {REASON})")


def test_the_suppressions_checked_are_those_of_the_file_repo_config_names(tmp_path: Path) -> None:
    """A policy group's `repoConfig` picks another packaged file: its suppressions are the
    ones residency-suppressions holds to RG016, at the stack."""
    state = _state(tmp_path, ACTIVE)
    (tmp_path / "teams").mkdir()
    (tmp_path / "teams" / "payments.yaml").write_text(
        "suppressions:\n  - rule: RG001\n    stack: prod-eu\n", encoding="utf-8"
    )  # no reason
    policy = policies(state)["residency-suppressions"]
    assert run(policy, stack_args([])).violations == []
    outcome = run(policy, stack_args([], config={"repoConfig": "teams/payments.yaml"}))
    assert outcome.rules == ["RG016"]
    assert [u for _, u in outcome.violations] == [None]
