"""Shared by the live tests (verify and runtime): the fake key, the stub's models, a project."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from residency_guard.cli import main

# Obviously fake, shaped like a project key; no output may ever hold any part of it.
CANARY_KEY = "sk-proj-" + "CANARY" * 8
EU_MODELS = [
    "gpt-4.1-2025-04-14",
    "gpt-4o-2024-11-20",
    "gpt-5-2025-08-07",
    "text-embedding-3-large",
]


def write_project(root: Path, stack: str, body: str) -> Path:
    """A Pulumi project with ``stackConfigDir: stacks`` and one stack file."""
    (root / "Pulumi.yaml").write_text(
        "name: app\nruntime: python\nstackConfigDir: stacks\n", encoding="utf-8"
    )
    (root / "stacks").mkdir(exist_ok=True)
    path = root / "stacks" / f"Pulumi.{stack}.yaml"
    path.write_text(textwrap.dedent(body).lstrip(), encoding="utf-8")
    return path


def run_cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err
