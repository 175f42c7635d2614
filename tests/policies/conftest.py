"""A fresh PackState per test, blind to the repository's residency-guard.yaml and environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from policies.residency_pack import PackState


@pytest.fixture
def state(tmp_path: Path) -> PackState:
    """No residency-guard.yaml, no PULUMI_CONFIG, no PULUMI_STACK: only what a test passes."""
    return PackState(pack_dir=tmp_path, stack_config={}, stack_fallback="")
