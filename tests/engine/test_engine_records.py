"""What the real engine writes itself, judged by `residency-guard check`: the event log of
`pulumi up --event-log` (a flag the CLI shows with PULUMI_DEBUG_COMMANDS=true) and the file
backend's checkpoint, gzipped as the backend keeps it with PULUMI_DIY_BACKEND_GZIP=true
(tests/fixtures/engine/records)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import PulumiEngine, copy_fixture_program, ok, residency_guard

pytestmark = pytest.mark.engine

STACK = "prod-eu"


def test_event_log_and_gzipped_checkpoint_are_judged(
    pulumi_engine: PulumiEngine, tmp_path: Path
) -> None:
    project = copy_fixture_program("records", tmp_path / "records")
    ok(pulumi_engine.run(["stack", "init", STACK], project), "pulumi stack init")
    ok(pulumi_engine.run(["config", "set", "residency-guard:region", "eu", "--stack", STACK],
                         project), "pulumi config set")  # fmt: skip
    events = tmp_path / "events.json"
    up = pulumi_engine.run(
        ["up", "--yes", "--skip-preview", "--stack", STACK, "--event-log", str(events)],
        project, env={"PULUMI_DIY_BACKEND_GZIP": "true", "PULUMI_DEBUG_COMMANDS": "true"},
    )  # fmt: skip
    ok(up, "pulumi up")
    folder = pulumi_engine.backend_dir(project) / ".pulumi" / "stacks" / "records"
    checkpoints = sorted(folder.glob("*.json.gz"))
    assert [p.name for p in checkpoints] == [f"{STACK}.json.gz"]

    # The event log: its prelude's config declares EU, its step carries the env.
    result = residency_guard(["check", str(events), "--format", "json"], tmp_path)
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["region"], f["path"].rsplit(".", 1)[-1]) for f in found] == [
        ("RG001", "eu", "OPENAI_BASE_URL")
    ]

    # The checkpoint: the stack's region from the repo mapping, as for a state export.
    (tmp_path / "residency-guard.yaml").write_text("stacks:\n  prod-eu*: eu\n")
    config = str(tmp_path / "residency-guard.yaml")
    result = residency_guard(
        ["check", str(checkpoints[0]), "--config", config, "--format", "json"], tmp_path
    )
    assert result.returncode == 1, result.stderr
    found = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["stack"]) for f in found] == [("RG001", STACK)]

    # The backend's folder: the checkpoint is found, its backups and attributes are not.
    assert {p.name for p in folder.iterdir()} > {f"{STACK}.json.gz", f"{STACK}.json.gz.bak"}
    backend = pulumi_engine.backend_dir(project)
    result = residency_guard(["check", ".", "--config", config, "--format", "json"], backend)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["scanned"] == [f".pulumi/stacks/records/{STACK}.json.gz"]
