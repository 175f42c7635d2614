"""Parity for ESC: what an environment gives a stack, through the CLI and through the pack.

The pack never reads ESC files: the engine opens the environment and hands the pack the merged
stack config (pulumiConfig below the stack file's own values, pkg/workspace mergeConfig), and
the program passes the values on to resources. The CLI reads the definition files. Both must
hold the stack to the same region and name the same rule on the same value.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from policies.residency_pack import PackState
from residency_guard.scan import scan_paths

from .helpers import all_rules, resource_args, run_resource_policies

ENVIRONMENT = """\
values:
  openai:
    host: api.openai.com
  pulumiConfig:
    residency-guard:region: eu
    openaiBaseUrl: https://${openai.host}/v1
"""
# What the engine hands the pack after opening the environment above.
ENGINE_CONFIG = {
    "residency-guard:region": "eu",
    "shop:openaiBaseUrl": "https://api.openai.com/v1",
}


def test_an_esc_config_value_gets_the_same_rule_from_cli_and_pack(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    (tmp_path / "Pulumi.prod.yaml").write_text("environment:\n  - shop/prod\n")
    (tmp_path / "esc" / "shop").mkdir(parents=True)
    (tmp_path / "esc" / "shop" / "prod.yaml").write_text(textwrap.dedent(ENVIRONMENT))
    run = scan_paths([tmp_path])
    assert run.errors == []
    cli = {(f.rule, f.region) for f in run.findings}

    state = PackState(pack_dir=tmp_path, stack_config=ENGINE_CONFIG, stack_fallback="")
    env = [{"name": "OPENAI_BASE_URL", "value": ENGINE_CONFIG["shop:openaiBaseUrl"]}]
    props = {"spec": {"template": {"spec": {"containers": [{"name": "app", "env": env}]}}}}
    args = resource_args(
        "kubernetes:apps/v1:Deployment", props, stack="prod", region=None, config=ENGINE_CONFIG
    )
    pack = {(rule, "eu") for rule in all_rules(run_resource_policies(state, args))}
    assert cli == pack == {("RG001", "eu")}
