"""The pack on the real engine judges what a program exports (`pulumi:pulumi:Stack` outputs).

Issue 15, class 5: every policy skipped the stack resource, so a program that exports the
global host as its OpenAI base URL, for whatever reads the stack's outputs, passed. The
mandatory stack policy `openai-deployed-outputs` blocks it at preview.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import VENV, PulumiEngine, init_stack, output, pack_violations

pytestmark = pytest.mark.engine

PROGRAM = """\
import pulumi

pulumi.export("openai", {"baseUrl": %r})
"""


def _exporting(folder: Path, base_url: str) -> Path:
    folder.mkdir()
    (folder / "Pulumi.yaml").write_text(
        "name: exports\nruntime:\n  name: python\n  options:\n    toolchain: pip\n"
        f"    virtualenv: {VENV}\n",
        encoding="utf-8",
    )
    (folder / "__main__.py").write_text(PROGRAM % base_url, encoding="utf-8")
    (folder / "Pulumi.prod-eu.yaml").write_text(
        "config:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    return folder


@pytest.mark.parametrize(
    ("base_url", "blocked"),
    [("https://api.openai.com/v1", True), ("https://eu.api.openai.com/v1", False)],
)
def test_a_stack_export_with_the_global_host_is_blocked(
    pulumi_engine: PulumiEngine, policy_pack: Path, tmp_path: Path, base_url: str, blocked: bool
) -> None:
    project = _exporting(tmp_path / "exports", base_url)
    init_stack(pulumi_engine, project, "prod-eu")
    preview = pulumi_engine.run(
        ["preview", "--stack", "prod-eu", "--policy-pack", str(policy_pack)], project
    )
    found = {(v.level, v.policy, v.type, v.rule, v.path) for v in pack_violations(output(preview))}
    if blocked:
        assert preview.returncode != 0, output(preview)
        assert found == {("mandatory", "openai-deployed-outputs", "pulumi:pulumi:Stack", "RG001",
                          "exports-prod-eu.openai.baseUrl")}  # fmt: skip
    else:
        assert preview.returncode == 0, output(preview)
        assert found == set()
