"""File-backend checkpoints and `--event-log` files, in the shapes the engine writes them
(sdk apitype CheckpointV3 and EngineEvent; tests/engine/test_engine_records.py has the real
engine write them)."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

CLI = [sys.executable, "-m", "residency_guard.cli"]
URN = "urn:pulumi:prod-eu::shop::kubernetes:apps/v1:Deployment::chat"
ENV = [{"name": "OPENAI_BASE_URL", "value": "https://api.openai.com/v1"}]
INPUTS = {"spec": {"template": {"spec": {"containers": [{"name": "chat", "env": ENV}]}}}}


def check(folder: Path, *args: str) -> tuple[int, list[tuple[str, str, str]], str]:
    result = subprocess.run(
        [*CLI, "check", *args, "--format", "json"], cwd=folder, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    data = json.loads(result.stdout) if result.stdout else {"findings": []}
    found = [(f["rule"], f["file"], f["stack"]) for f in data["findings"]]
    return result.returncode, found, result.stderr


def checkpoint(resources: list[dict[str, Any]]) -> str:
    deployment = {"manifest": {"time": "2026-12-01T10:00:00Z", "magic": "x", "version": "v3"},
                  "resources": resources}  # fmt: skip
    return json.dumps({"version": 3, "checkpoint": {"stack": "prod-eu", "latest": deployment}},
                      indent=4)  # fmt: skip


RESOURCE = {"urn": URN, "custom": True, "type": "kubernetes:apps/v1:Deployment",
            "inputs": INPUTS, "outputs": INPUTS}  # fmt: skip


def test_checkpoints_under_a_folder_are_judged_plain_and_gzipped(tmp_path: Path) -> None:
    (tmp_path / "residency-guard.yaml").write_text("stacks:\n  prod-eu*: eu\n")
    stacks = tmp_path / ".pulumi" / "stacks" / "shop"
    stacks.mkdir(parents=True)
    (stacks / "prod-eu.json").write_text(checkpoint([RESOURCE]))
    with gzip.open(stacks / "prod-eu-2.json.gz", "wt", encoding="utf-8") as handle:
        handle.write(checkpoint([{**RESOURCE, "urn": URN.replace("prod-eu", "prod-eu-2")}]))
    (stacks / "prod-eu.json.bak").write_text("{}")  # the backend's backup: not a stack
    code, found, stderr = check(tmp_path, ".")
    assert (code, stderr) == (1, "")
    assert found == [
        ("RG001", ".pulumi/stacks/shop/prod-eu-2.json.gz", "prod-eu-2"),
        ("RG001", ".pulumi/stacks/shop/prod-eu.json", "prod-eu"),
    ]


def test_an_event_log_is_judged_as_the_preview_it_records(tmp_path: Path) -> None:
    events = [
        {"sequence": 0, "timestamp": 1, "preludeEvent": {
            "config": {"residency-guard:region": "eu"}}},
        {"sequence": 1, "timestamp": 2, "resourcePreEvent": {"metadata": {
            "op": "create", "urn": URN, "type": "kubernetes:apps/v1:Deployment",
            "new": {"urn": URN, "type": "kubernetes:apps/v1:Deployment", "inputs": INPUTS}}}},
        {"sequence": 2, "timestamp": 3, "resOutputsEvent": {"metadata": {
            "op": "create", "urn": URN, "type": "kubernetes:apps/v1:Deployment",
            "new": {"urn": URN, "type": "kubernetes:apps/v1:Deployment", "outputs": INPUTS}}}},
        {"sequence": 3, "timestamp": 4, "summaryEvent": {"resourceChanges": {"create": 1}}},
    ]  # fmt: skip
    text = "\n".join(json.dumps(e) for e in events) + "\n"
    (tmp_path / "events.json").write_text(text)
    (tmp_path / "events.jsonl").write_text(text.replace('"eu"', '"us"'))
    code, found, _ = check(tmp_path, "events.json", "events.jsonl")
    assert code == 1
    assert found == [("RG001", "events.json", "prod-eu"), ("RG001", "events.jsonl", "prod-eu")]


def test_broken_records_are_one_line_errors_and_the_rest_is_judged(tmp_path: Path) -> None:
    (tmp_path / "bad.json.gz").write_bytes(b"not gzip at all")
    (tmp_path / "prod-eu.json.zst").write_bytes(b"\x28\xb5\x2f\xfd")
    (tmp_path / "events.jsonl").write_text('{"sequence": 0, "timestamp": 1}\n{broken\n')
    (tmp_path / "ok.json").write_text(checkpoint([RESOURCE]))
    (tmp_path / "residency-guard.yaml").write_text("stacks: {}\n")  # no region for prod-eu
    code, found, stderr = check(tmp_path, "bad.json.gz", "prod-eu.json.zst", "events.jsonl",
                                "ok.json")  # fmt: skip
    assert code == 2
    assert stderr.splitlines() == [
        "residency-guard: error: bad.json.gz: not a readable gzip file (BadGzipFile); scan the "
        "checkpoint the file backend wrote",
        "residency-guard: error: prod-eu.json.zst: zstd-compressed checkpoint: residency-guard "
        "reads .json and .json.gz; decompress it (zstd -d prod-eu.json.zst) and scan the .json",
        "residency-guard: error: events.jsonl:2: invalid JSON line in an event log: Expecting "
        "property name enclosed in double quotes: line 1 column 2 (char 1); scan the file "
        "`pulumi up --event-log` wrote, whole",
    ]
    assert [rule for rule, _, _ in found] == ["RG008"]  # ok.json: judged, and no region
