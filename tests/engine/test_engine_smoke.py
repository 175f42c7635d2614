"""The engine built by scripts/install-pulumi-engine runs and reports the pinned version."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import PulumiEngine

# Keep in step with PULUMI_VERSION in scripts/install-pulumi-engine.
PINNED_CLI_VERSION = "v3.274.0"


@pytest.mark.engine
def test_pulumi_version_is_pinned(pulumi_engine: PulumiEngine, tmp_path: Path) -> None:
    proc = pulumi_engine.run(["version"], tmp_path, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == PINNED_CLI_VERSION
