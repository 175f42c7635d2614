"""Smoke test: checkov's own environment installs and runs the pinned version."""

from __future__ import annotations

import tomllib

import pytest

from .conftest import REPO, RunCheckov


def _pinned_checkov_version() -> str:
    with (REPO / "pyproject.toml").open("rb") as fh:
        extra = tomllib.load(fh)["project"]["optional-dependencies"]["checkov"]
    (pin,) = [str(r) for r in extra if str(r).startswith("checkov==")]
    return pin.split("==", 1)[1]


@pytest.mark.checkov
def test_checkov_version_is_the_pinned_one(run_checkov: RunCheckov) -> None:
    assert _pinned_checkov_version() == "3.3.30"
    proc = run_checkov("--version", timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "3.3.30"
