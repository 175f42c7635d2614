"""`pulumi preview --policy-pack` on the reference program's `prod-eu` stack: the real CLI and
engine load the real pack (over its gRPC protocol, through the stand-in language host's
RunPlugin) and the stack passes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from .conftest import (
    FAKE_KEY,
    KEY_CONFIG,
    PulumiEngine,
    copy_reference_project,
    init_stack,
    output,
    pack_violations,
)

pytestmark = pytest.mark.engine


def test_prod_eu_preview_passes_the_policy_pack(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path: Path
) -> None:
    project = copy_reference_project(tmp_path / "project")
    init_stack(pulumi_engine, project, "prod-eu", {KEY_CONFIG: FAKE_KEY})
    proc = pulumi_engine.run(
        ["preview", "--stack", "prod-eu", "--policy-pack", str(policy_pack)], project
    )
    text = output(proc)

    # The pack ran: its heading (name and PulumiPolicy.yaml's version) in the `Policies:` block,
    # and its advisory summary, which saw the component and the dotenv file it feeds.
    version = yaml.safe_load((policy_pack / "PulumiPolicy.yaml").read_text())["version"]
    assert "Policies:" in text, text
    assert re.search(rf"residency-guard@v{re.escape(version)} \(local: [^)]*policies\)", text), text
    assert "openai-configuration-summary" in text, text
    assert "(region 'eu' from" in text, text
    assert "residency-guard:index:OpenAIResidency 'openai'" in text, text

    violations = pack_violations(text)
    assert not violations, f"the pack blocked the clean prod-eu stack: {violations}\n{text}"
    assert proc.returncode == 0, text
    assert "https://eu.api.openai.com/v1" in text  # the stack output base_url
    assert FAKE_KEY not in text
