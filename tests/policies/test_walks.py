"""The pack's short walks of a resource give what the full walk (``resource_values``) gives.

The resource policies read only the values unknown at preview (``state.unknown_values``,
skipped when the wire form holds no sentinel, secret or decodable text), and the summary
only the values ``openai_markers`` may name (``MarkerGate``): on every shape, with every
kind of value, both must see what the full walk sees.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pulumi_policy import Secret

from policies.residency_pack import PackState
from policies.residency_pack.config import PackSettings
from policies.residency_pack.stack_policies import MarkerGate, openai_markers
from policies.residency_pack.state import content_digest, unknown_values
from policies.residency_pack.wire import wire_form
from residency_guard.context import Resource
from residency_guard.evaluate import resource_values

from .helpers import (
    EU_URL,
    FAKE_KEY,
    GLOBAL_URL,
    SECRET_SIG_KEY,
    SECRET_SIG_VALUE,
    UNKNOWN,
    b64,
    secret,
    tags,
)
from .shapes import ENV_SHAPES, Shape

ENVS: dict[str, dict[str, Any]] = {
    "known": {"OPENAI_BASE_URL": GLOBAL_URL, "OPENAI_API_KEY": FAKE_KEY, "CHAT_MODEL": "gpt-4o"},
    "unknown": {"OPENAI_BASE_URL": UNKNOWN, "CHAT_MODEL": UNKNOWN, "modelVersion": UNKNOWN},
    "secrets": {"OPENAI_API_KEY": secret(FAKE_KEY), "KEY": Secret(FAKE_KEY)},
    "ciphertext": {"OPENAI_BASE_URL": {SECRET_SIG_KEY: SECRET_SIG_VALUE}},
    "secret-unknowns": {
        "OPENAI_BASE_URL": secret(UNKNOWN),
        "CHAT_MODEL": {SECRET_SIG_KEY: SECRET_SIG_VALUE, "value": None},
        "APP": {SECRET_SIG_KEY: SECRET_SIG_VALUE, "plaintext": json.dumps(UNKNOWN)},
        "CONFIG": secret(json.dumps({"OPENAI_BASE_URL": UNKNOWN})),
        "NESTED": secret({"openai": {"base_url": UNKNOWN}}),
    },
    "json": {"APP": json.dumps({"openai": {"base_url": UNKNOWN, "model": "gpt-4o"}})},
    "base64": {"B": b64(UNKNOWN), "C": b64(json.dumps({"OPENAI_BASE_URL": UNKNOWN}))},
    "names": {"OPENAI_ORG_ID": "org-acme", "AZURE_OPENAI_ENDPOINT": EU_URL, "X": "info"},
    "plain": {"LOG_LEVEL": "info", "URL": "https://api.openai.com/v1/chat", "PORT": "8080"},
}


def _cases() -> list[Any]:
    cases = []
    for shape_name, shape in ENV_SHAPES.items():
        for env_name, env in ENVS.items():
            # One entry each too: some shapes (a GitHub variable) hold one value only.
            envs = [env, *({k: v} for k, v in env.items())]
            for index, one in enumerate(envs):
                try:
                    shape(one)
                except (ValueError, TypeError, AttributeError):
                    continue  # the shape holds one value only, or text only (base64, JSON)
                cases.append(pytest.param(shape, one, id=f"{shape_name}-{env_name}-{index}"))
    return cases


@pytest.mark.parametrize(("shape", "env"), _cases())
def test_the_short_walks_see_what_the_full_walk_sees(
    state: PackState, shape: Shape, env: dict[str, Any]
) -> None:
    resource_type, props = shape(env)
    form = wire_form(props)
    resource = Resource(resource_type, "app", form.props, "urn:pulumi:prod-eu::shop::t::app")
    full = list(resource_values(resource))
    unknown = tuple(v for v in full if v.unknown)
    assert unknown_values(resource, form) == unknown
    assert not unknown or form.may_hold_unknowns
    settings = PackSettings.from_config({})
    ctx = state.context("prod-eu", state.declarations("prod-eu", settings, tags("eu")), settings)
    gated = resource_values(resource, gate=MarkerGate(ctx.catalog))
    assert openai_markers(resource_type, "app", form.props, gated, ctx) == openai_markers(
        resource_type, "app", form.props, full, ctx
    )


def test_the_digest_tells_types_and_content_apart(tmp_path: Path) -> None:
    assert content_digest({"a": [1, "x"]}) == content_digest({"a": [1, "x"]})
    # The engine sends a resource's outputs in another key order than its inputs.
    assert content_digest({"a": 1, "b": {"c": 2, "d": 3}}) == content_digest(
        {"b": {"d": 3, "c": 2}, "a": 1}
    )
    assert content_digest({"a": ["x", "y"]}) != content_digest({"a": ["y", "x"]})
    digests = {
        content_digest(p)
        for p in ({"a": 1}, {"a": True}, {"a": 1.0}, {"a": "1"}, {"a": [1]}, {"a": None})
    }
    assert len(digests) == 6
    odd = {"a": Path("x")}  # no plain data: a digest of its own, shared with nothing
    assert content_digest(odd) != content_digest(odd)


@pytest.mark.parametrize(
    ("props", "may_hold"),
    [
        ({"env": {"OPENAI_API_KEY": secret(FAKE_KEY), "URL": EU_URL}}, False),  # read as data
        ({"env": {"OPENAI_API_KEY": secret(UNKNOWN)}}, True),
        ({"env": {"OPENAI_API_KEY": {SECRET_SIG_KEY: SECRET_SIG_VALUE}}}, True),  # ciphertext
        ({"env": {"OPENAI_API_KEY": {SECRET_SIG_KEY: SECRET_SIG_VALUE, "plaintext": '"x"'}}}, True),
    ],
)
def test_only_secrets_the_walk_cannot_read_may_hold_unknowns(
    props: dict[str, Any], may_hold: bool
) -> None:
    assert wire_form(props).may_hold_unknowns is may_hold
