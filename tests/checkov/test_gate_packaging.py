"""The gates' packaging: pre-commit hooks, the GitHub Action, .checkov.yaml, the gate script."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import GATE, REPO


def load(name: str) -> Any:
    return yaml.safe_load((REPO / name).read_text(encoding="utf-8"))


def hooks() -> dict[str, dict[str, Any]]:
    return {hook["id"]: hook for hook in load(".pre-commit-hooks.yaml")}


def test_hooks_have_the_keys_pre_commit_requires() -> None:
    assert set(hooks()) == {"residency-guard", "residency-guard-checkov"}
    for hook in hooks().values():
        assert {"id", "name", "entry", "language"} <= set(hook)


def test_the_python_hook_runs_the_console_script() -> None:
    hook = hooks()["residency-guard"]
    # The whole repository: an ESC definition or a held manifest is judged through its stack
    # or its path, which a staged file alone does not carry.
    assert (hook["language"], hook["pass_filenames"]) == ("python", False)
    command, *args = hook["entry"].split()
    with (REPO / "pyproject.toml").open("rb") as fh:
        assert command in tomllib.load(fh)["project"]["scripts"]
    script = Path(sys.executable).parent / command  # pre-commit's venv has it on PATH
    proc = subprocess.run([str(script), *args, "--help"], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "usage: residency-guard check" in proc.stdout


@pytest.mark.parametrize(
    ("path", "matched"),
    [
        ("stacks/Pulumi.prod-eu.yaml", True),
        ("Pulumi.dev.yml", True),
        ("infra/Pulumi.yaml", True),
        ("out/preview.json", True),
        ("prod-eu.state.json", True),
        ("esc/shop/prod-eu.yaml", True),
        ("deploy/eu/chat.yaml", True),
        ("residency-guard.yaml", True),
        (".pulumi/stacks/shop/prod-eu.json.gz", True),
        ("events.jsonl", True),
        ("services/chat/.env", True),
        ("deploy/.env.prod-eu", True),
        ("prod-eu.env", True),
        ("docs/Pulumi.md", False),
        ("src/environment.py", False),
    ],
)
def test_the_python_hook_runs_on_every_kind_the_gate_reads(path: str, matched: bool) -> None:
    # pre-commit matches `files` with re.search against the path from the repository root.
    assert bool(re.search(hooks()["residency-guard"]["files"], path)) is matched


def test_the_checkov_hook_runs_the_gate_script_from_the_hook_repo() -> None:
    hook = hooks()["residency-guard-checkov"]
    assert (hook["language"], hook["pass_filenames"]) == ("script", False)
    assert REPO / hook["entry"] == GATE


def test_the_gate_script_is_executable_bash() -> None:
    assert os.access(GATE, os.X_OK)
    proc = subprocess.run(["bash", "-n", str(GATE)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr


def test_the_action_is_a_composite_that_uploads_sarif_then_fails() -> None:
    action = load("action.yml")
    assert {"paths", "fail-on", "format", "upload-sarif", "python-version", "catalog"} <= set(
        action["inputs"]
    )
    assert action["inputs"]["format"]["default"] == "sarif"
    runs = action["runs"]
    assert runs["using"] == "composite"
    steps = runs["steps"]
    uses = [step.get("uses", "") for step in steps]
    assert uses[0].startswith("actions/setup-python@")
    assert any("pip install" in step.get("run", "") and "RG_ACTION_PATH" in step["run"]
               for step in steps)  # fmt: skip
    upload_action = "github/codeql-action/upload-sarif@"
    (upload,) = [s for s in steps if s.get("uses", "").startswith(upload_action)]
    assert upload["if"].startswith("always()")
    assert 'residency-guard "${args[@]}"' in steps[2]["run"]
    assert steps[-1]["run"].rstrip().endswith('exit "${RG_EXIT:-2}"')
    for step in steps:  # inputs reach scripts as environment variables, never spliced in
        assert "${{" not in step.get("run", ""), step


def test_the_checkov_yaml_example() -> None:
    config = load(".checkov.yaml")
    assert config["framework"] == ["yaml", "json"]
    assert config["external-checks-dir"] == ["policies/checkov"]
    assert (config["skip-download"], config["compact"]) == (True, True)
