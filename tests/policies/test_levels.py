"""Enforcement levels across the pack's policies: what a group makes advisory or disables for
one policy, another policy does not raise again (the real engine: tests/engine/test_pack_config.py)."""

from __future__ import annotations

from policies.residency_pack import PackState

from .helpers import EU_URL, GLOBAL_URL, policies, policy_resource, resource_args, run, stack_args
from .shapes import k8s_deployment

OUTPUTS = "openai-deployed-outputs"


def test_a_disabled_endpoint_policy_is_not_raised_again_on_outputs(state: PackState) -> None:
    # The group disabled openai-endpoint-region: the engine never calls it; the other
    # resource policies run on the same inputs, then the stack policies on the outputs.
    resource_type, props = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    pack = policies(state)
    assert run(pack["openai-model-eligibility"], resource_args(resource_type, props)).rules == []
    outputs = run(pack[OUTPUTS], stack_args([policy_resource(resource_type, props)]))
    assert outputs.rules == []


def test_an_output_that_differs_from_the_inputs_is_still_judged(state: PackState) -> None:
    resource_type, inputs = k8s_deployment({"OPENAI_BASE_URL": EU_URL})
    _, outputs = k8s_deployment({"OPENAI_BASE_URL": GLOBAL_URL})
    pack = policies(state)
    assert run(pack["openai-endpoint-region"], resource_args(resource_type, inputs)).rules == []
    judged = run(pack[OUTPUTS], stack_args([policy_resource(resource_type, outputs)]))
    assert judged.rules == ["RG001"]
