"""The pack's config as users write it in `--policy-pack-config` and policy groups."""

from __future__ import annotations

import pytest

from policies.residency_pack import PackState

from .helpers import policies, resource_args, run
from .shapes import k8s_deployment

GATEWAY_URL = "https://llm-gw.internal.acme.eu/v1"


@pytest.mark.parametrize(
    "written",
    [
        "llm-gw.internal.acme.eu",
        "LLM-GW.Internal.Acme.EU",  # host names are case-insensitive
        "  llm-gw.internal.acme.eu ",
        "llm-gw.internal.acme.eu.",  # the fully qualified form, with the root's dot
    ],
)
def test_an_allowed_host_is_the_gateway_however_its_name_is_written(
    state: PackState, written: str
) -> None:
    args = resource_args(
        *k8s_deployment({"OPENAI_BASE_URL": GATEWAY_URL}), config={"allowedHosts": [written]}
    )
    assert run(policies(state)["openai-endpoint-region"], args).violations == []


def test_an_allowed_host_written_otherwise_is_another_host(state: PackState) -> None:
    args = resource_args(
        *k8s_deployment({"OPENAI_BASE_URL": GATEWAY_URL}),
        config={"allowedHosts": [".llm-gw.internal.acme.eu", "gw.internal.acme.eu"]},
    )
    assert run(policies(state)["openai-endpoint-region"], args).rules == ["RG002"]
