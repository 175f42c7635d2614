"""RG018 in the pack: the same key-without-base-url verdict as the CLI, resource by resource."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from policies.residency_pack import PackState
from residency_guard.scan import scan_paths

from .helpers import EU_URL, FAKE_KEY, resource_args, run, secret
from .test_resource_policies import policies

PREVIEW = (
    Path(__file__).resolve().parents[1] / "realworld" / "preview" / "lambda-k8s" / "preview.json"
)
_AT = re.compile(r"\[RG018\].*? \(at (?P<path>[^)]*)\)")
LAMBDA = "aws:lambda/function:Function"
DEPLOYMENT = "kubernetes:apps/v1:Deployment"
ECS = "aws:ecs/taskDefinition:TaskDefinition"


def _pack_rg018(resource_type: str, props: dict[str, Any], name: str = "app") -> list[str]:
    state = PackState(pack_dir=PREVIEW.parent, stack_config={}, stack_fallback="")
    outcome = run(
        policies(state)["openai-key-with-base-url"], resource_args(resource_type, props, name=name)
    )
    return [m.group("path") for message, _ in outcome.violations for m in _AT.finditer(message)]


def test_pack_and_cli_name_the_same_keys_in_a_preview() -> None:
    cli = {f.path for f in scan_paths([PREVIEW]).findings if f.rule == "RG018"}
    pack: set[str] = set()
    for step in json.loads(PREVIEW.read_text(encoding="utf-8"))["steps"]:
        state = step["newState"]
        if "inputs" in state:
            name = state["urn"].rsplit("::", 1)[-1]
            pack |= set(_pack_rg018(state["type"], state["inputs"], name))
    assert (
        pack
        == cli
        == {
            "summarize.environment.variables",
            "reader.spec.template.spec.containers[0].env[0]",
        }
    )


def _container(env: list[dict[str, Any]], **more: Any) -> dict[str, Any]:
    return {"spec": {"template": {"spec": {"containers": [{"name": "c", "env": env, **more}]}}}}


KEY_REF = {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"name": "o", "key": "k"}}}


@pytest.mark.parametrize(
    ("resource_type", "props", "found"),
    [
        (LAMBDA, {"environment": {"variables": {"OPENAI_API_KEY": secret(FAKE_KEY)}}}, 1),
        (LAMBDA, {"environment": {"variables": {"OPENAI_API_KEY": secret(FAKE_KEY),
                                                "OPENAI_BASE_URL": EU_URL}}}, 0),
        (DEPLOYMENT, _container([KEY_REF]), 1),
        (DEPLOYMENT, _container([KEY_REF], envFrom=[{"configMapRef": {"name": "openai"}}]), 0),
        (DEPLOYMENT, _container([KEY_REF, {"name": "OPENAI_API_TYPE", "value": "azure"}]), 0),
        (ECS, {"containerDefinitions": json.dumps([{
            "name": "api", "environment": [{"name": "OPENAI_MODEL", "value": "gpt-4.1"}],
            "secrets": [{"name": "OPENAI_API_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:1:p"}],
        }])}, 1),
        (ECS, {"containerDefinitions": json.dumps([{
            "name": "api", "environment": [{"name": "OPENAI_BASE_URL", "value": EU_URL}],
            "secrets": [{"name": "OPENAI_API_KEY", "valueFrom": "arn:aws:ssm:eu-west-1:1:p"}],
        }])}, 0),
        ("kubernetes:core/v1:Secret", {"stringData": {"OPENAI_API_KEY": FAKE_KEY}}, 0),
    ],
)  # fmt: skip
def test_pack_reports_a_key_without_base_url(
    resource_type: str, props: dict[str, Any], found: int
) -> None:
    assert len(_pack_rg018(resource_type, props)) == found
