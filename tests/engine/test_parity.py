"""Parity on real engine output: `residency-guard check --format json` over what the engine
wrote (`pulumi preview --json`, `pulumi stack export`) names the same rules at the same places
as the policy pack reported for the same resources in the same runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import (
    RAW_RESOURCES,
    DevUsRun,
    RawEuRun,
    check_json,
    cli_errors,
    output,
    pack_violations,
)

pytestmark = pytest.mark.engine


def _pack_verdict(text: str) -> set[tuple[str, str]]:
    violations = pack_violations(text)
    for v in violations:  # every finding sits in the resource the pack names
        assert v.path == v.name or v.path.startswith(f"{v.name}."), v
    return {(v.rule, v.path) for v in violations}


def test_eu_raw_env_preview_json_gives_the_packs_rules(
    raw_eu_run: RawEuRun, tmp_path: Path
) -> None:
    """The preview JSON is taken without the pack (with it, the preview fails); the pack's
    verdict is the one it gave on `pulumi up` of the same program and stack."""
    pack = _pack_verdict(output(raw_eu_run.up))
    cli = cli_errors(check_json(raw_eu_run.preview_json, tmp_path, config=raw_eu_run.config_file))
    assert {path.split(".", 1)[0] for _, path in pack} == set(RAW_RESOURCES), pack
    assert ("RG001", "worker-env.env.OPENAI_BASE_URL") in pack, pack
    assert cli == pack


def test_dev_us_state_export_gives_the_packs_rules(
    dev_us_run: DevUsRun, policy_pack: Path, tmp_path: Path
) -> None:
    """The pack ran advisory on the same `pulumi up` that wrote the state."""
    assert "Policies:" in output(dev_us_run.up)
    pack = _pack_verdict(output(dev_us_run.up))
    config = policy_pack.parent / "residency-guard.yaml"
    cli = cli_errors(check_json(dev_us_run.export_file, tmp_path, config=config))
    assert cli == pack


def test_dev_us_state_export_is_clean(
    dev_us_run: DevUsRun, policy_pack: Path, tmp_path: Path
) -> None:
    """A stack the component accepted, deployed for real, has no finding in its state."""
    config = policy_pack.parent / "residency-guard.yaml"
    report = check_json(dev_us_run.export_file, tmp_path, config=config)
    assert cli_errors(report) == set(), (
        "the state of a clean stack has findings; the engine gives a dynamic provider "
        "(pulumi:providers:pulumi-python) the whole stack config as its inputs, list values "
        f"JSON-encoded: {report['findings']}"
    )
