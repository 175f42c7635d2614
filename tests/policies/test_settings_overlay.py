"""The pack's allowedHosts/allowModels/denyModels and a team's overlay file: one overlay path.

A team that moves a choice from its catalog overlay file into the policy config (or back)
gets the same catalog, so the pack and the CLI keep giving the same verdict.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from policies.residency_pack.config import PackSettings
from policies.residency_pack.state import apply_settings
from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.errors import ConfigError

ALLOWED = ("gpt-4o-2024-11-20", "gpt-4.1-2025-04-14", "not-a-model")
GATEWAY = "llm-gw.corp.example"
DENIED = "gpt-4-0613"


def _overlay_file(tmp_path: Path, body: dict[str, object]) -> Path:
    path = tmp_path / "team-catalog.yaml"
    path.write_text(yaml.safe_dump(body), encoding="utf-8")
    return path


@pytest.mark.parametrize("region", ["eu", "us", "jp"])
def test_settings_make_the_catalog_the_equivalent_overlay_file_makes(
    tmp_path: Path, region: str
) -> None:
    base = shipped_catalog()
    eligible = base.regions[region].models
    body = {
        "gateways": [{"host": GATEWAY, "region": region}],
        # A file must name eligible models only; the policy config may name any.
        "models": {region: {sid: [m for m in ALLOWED if m in eligible[sid]] for sid in eligible}},
        "banned_models": {DENIED: "denied by denyModels in the policy config"},
    }
    from_file = load_catalog([_overlay_file(tmp_path, body)])
    settings = PackSettings(allowed_hosts=(GATEWAY,), allow_models=ALLOWED, deny_models=(DENIED,))
    from_settings = apply_settings(base, region, settings)
    assert from_settings.regions == from_file.regions
    assert from_settings.regions[region].models != base.regions[region].models  # narrowed
    assert {h: g.region for h, g in from_settings.gateways.items()} == {GATEWAY: region}
    assert from_settings.banned_models == from_file.banned_models


def test_deny_models_keeps_the_reason_a_team_file_gave(tmp_path: Path) -> None:
    team = load_catalog([_overlay_file(tmp_path, {"banned_models": {DENIED: "too old for our evals"}})])
    catalog = apply_settings(team, "eu", PackSettings(deny_models=(DENIED, "o1-2024-12-17")))
    assert catalog.banned_models == {
        DENIED: "too old for our evals",
        "o1-2024-12-17": "denied by denyModels in the policy config",
    }


def test_no_region_binds_no_gateway_and_narrows_nothing() -> None:
    base = shipped_catalog()
    settings = PackSettings(allowed_hosts=(GATEWAY,), allow_models=ALLOWED)
    assert apply_settings(base, None, settings) is base
    assert apply_settings(base, "mars", settings) is base


@pytest.mark.parametrize("host", ["eu.api.openai.com", "api.openai.com", "api.openai.eu"])
def test_allowed_hosts_refuse_openai_hosts(host: str) -> None:
    with pytest.raises(ConfigError, match=f"Expected allowedHosts to hold gateway hosts.*{host}"):
        apply_settings(shipped_catalog(), "eu", PackSettings(allowed_hosts=(host,)))
