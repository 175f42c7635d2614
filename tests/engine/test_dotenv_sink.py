"""`pulumi up` then `pulumi destroy` of the reference program's `dev-us` stack: the dotenv sink
(a dynamic provider) writes its file for real, owner-only, with the key encrypted in state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from .conftest import (
    FAKE_KEY,
    KEY_CONFIG,
    DevUsRun,
    check_json,
    is_secret,
    output,
    resources,
)

pytestmark = pytest.mark.engine

DOTENV_TYPE = "pulumi-python:dynamic/residency-guard:DotenvFile"


def _by_type(export_text: str, rtype: str) -> dict[str, Any]:
    matches = [r for r in resources(export_text) if r["type"] == rtype]
    assert len(matches) == 1, [r["type"] for r in resources(export_text)]
    return matches[0]


def test_up_writes_the_dotenv_file_owner_only(dev_us_run: DevUsRun) -> None:
    assert dev_us_run.up.returncode == 0, output(dev_us_run.up)
    assert dev_us_run.dotenv_text is not None, f"no {dev_us_run.dotenv}"
    assert dev_us_run.dotenv_mode == 0o600, oct(dev_us_run.dotenv_mode or 0)
    lines = dev_us_run.dotenv_text.splitlines()
    assert lines[0] == "# residency-guard:region: us", lines
    assert "# residency-guard/host: us.api.openai.com" in lines
    assert "OPENAI_BASE_URL=https://us.api.openai.com/v1" in lines
    assert f"OPENAI_API_KEY={FAKE_KEY}" in lines
    assert "RESIDENCY_GUARD_REGION=us" in lines
    assert not any(line.startswith("OPENAI_API_BASE=") for line in lines)


def test_the_key_is_encrypted_in_the_state(dev_us_run: DevUsRun) -> None:
    text = dev_us_run.export_after_up
    assert FAKE_KEY not in text
    assert "ENGINEENGINE" not in text  # not even a part of it
    state = json.loads(text)
    assert state["deployment"]["secrets_providers"]["type"] == "passphrase"
    dotenv_file = _by_type(text, DOTENV_TYPE)
    assert is_secret(dotenv_file["inputs"]["content"]), dotenv_file["inputs"]
    assert is_secret(dotenv_file["outputs"]["content"]), dotenv_file["outputs"]
    assert dotenv_file["outputs"]["path"] == ".env.dev-us"
    component = _by_type(text, "residency-guard:index:OpenAIResidency")
    assert is_secret(component["outputs"]["env"]), component["outputs"]
    assert component["inputs"]["region"] == "us"
    # The engine hands the dynamic provider the whole stack config: the key stays secret there.
    provider = _by_type(text, "pulumi:providers:pulumi-python")
    assert is_secret(provider["inputs"][KEY_CONFIG]), provider["inputs"][KEY_CONFIG]


def test_check_passes_on_the_project_after_up(dev_us_run: DevUsRun, tmp_path: Path) -> None:
    proc = dev_us_run.check_after_up
    assert proc.returncode == 0, proc.stdout + proc.stderr
    report = json.loads(proc.stdout)
    # Notes only: the gb example's RG019 (its chat model is processed outside gb).
    assert [f["rule"] for f in report["findings"]] == ["RG019"], report
    assert report["findings"][0]["severity"] == "note" and report["errors"] == [], report
    assert any(Path(f).name == ".env.dev-us" for f in report["scanned"]), report["scanned"]
    # It passes because the sink's file is owner-only (a key store): the same text readable by
    # others is a plaintext key.
    assert dev_us_run.dotenv_text is not None
    loose = tmp_path / ".env.dev-us"
    loose.write_text(dev_us_run.dotenv_text, encoding="utf-8")
    loose.chmod(0o644)
    loose_report = check_json(loose, tmp_path, config=dev_us_run.project / "residency-guard.yaml")
    assert {f["rule"] for f in loose_report["findings"]} == {"RG007"}, loose_report
    loose.unlink()  # the fake key, even in a temp folder


def test_destroy_removes_the_file(dev_us_run: DevUsRun) -> None:
    assert dev_us_run.destroy.returncode == 0, output(dev_us_run.destroy)
    assert not dev_us_run.dotenv_after_destroy, f"{dev_us_run.dotenv} survived destroy"
    assert resources(dev_us_run.export_after_destroy) == []
