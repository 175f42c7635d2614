"""Parity of the stack's region: one stack's config through every front end that holds a stack to
a region (the CLI, the pack, checkov's support, verify's plan and the OpenAIResidency component).

Every front end gathers its claims with ``residency_guard.stackregion`` and resolves them there,
so each must hold the stack to the same region and name the same region rules (RG008 no region,
RG009 conflicting regions, RG017 unknown region). What differs is only what each one can see:

- the CLI, checkov and verify read the files (the stack file, ``Pulumi.yaml``'s default,
  ``residency-guard.yaml``'s ``stacks:``);
- the pack and the program get the config the engine merged (``ENGINE``: one value for the
  region key, whichever way the file spells it, as ``tests/engine/test_config_keys.py`` measures
  with ``pulumi config get``), and read ``residency-guard.yaml`` themselves;
- the component is itself a claim, the lowest: its ``region`` is what the program passes, the
  config's region here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from components.openai_residency import OpenAIResidency, OpenAIResidencyArgs, ResidencyRefused
from policies.residency_pack import PackState
from policies.residency_pack.config import PackSettings
from residency_guard.checkov_support import judge_file
from residency_guard.errors import ConfigError, UnknownRegionError
from residency_guard.findings import Finding
from residency_guard.scan import load_settings, scan_paths
from residency_guard.stackregion import REGION_KEY
from residency_guard.verify.plan import plan_for_stack
from tests.components.conftest import FAKE_KEY, start

from .helpers import policies, run, stack_args

STACK = "prod-eu"
REGION_RULES = {"RG008", "RG009", "RG017"}
# A value every front end that reads the stack file judges against the stack's region: its
# findings carry the region (api.openai.com is global, outside any residency region).
GLOBAL_URL_SETTING = "  app:baseUrl: https://api.openai.com/v1\n"


@dataclass(frozen=True)
class Case:
    """A project, its stack file and residency-guard.yaml; what the engine makes of them; and
    the region and region rules every front end must give."""

    stack_config: str  # the lines under `config:` in Pulumi.prod-eu.yaml
    engine: dict[str, str]  # the stack config the engine hands the pack and the program
    region: str | None
    rules: frozenset[str] = field(default_factory=frozenset)
    project: str = "shop"
    project_config: str = ""  # the lines under `config:` in Pulumi.yaml
    mapping: str = ""  # the lines under `stacks:` in residency-guard.yaml


PROJECT_DEFAULT_EU = "  residency-guard:region:\n    default: eu\n"
CASES = [
    pytest.param(Case("  residency-guard:region: eu\n", {REGION_KEY: "eu"}, "eu"), id="key"),
    pytest.param(
        Case("  residency-guard:config:region: EU\n", {REGION_KEY: "EU"}, "eu"),
        id="legacy-config-spelling-upper-case",
    ),
    pytest.param(
        Case("  region: eu\n", {REGION_KEY: "eu"}, "eu", project="residency-guard"),
        id="bare-key-in-the-residency-guard-project",
    ),
    pytest.param(
        Case("", {REGION_KEY: "eu"}, "eu", project_config=PROJECT_DEFAULT_EU),
        id="project-default",
    ),
    pytest.param(
        Case("  residency-guard:region: us\n", {REGION_KEY: "us"}, "us",
             project_config=PROJECT_DEFAULT_EU),
        id="stack-config-overrides-the-project-default",
    ),
    pytest.param(Case("", {}, "eu", mapping='  "prod-*": eu\n'), id="repo-mapping"),
    pytest.param(
        Case("  residency-guard:region: us\n", {REGION_KEY: "us"}, "us", frozenset({"RG009"}),
             mapping='  "prod-*": eu\n'),
        id="stack-config-against-the-mapping",
    ),
    pytest.param(
        Case("", {}, "eu", frozenset({"RG009"}), mapping='  "prod-eu*": eu\n  "prod-*": us\n'),
        id="two-globs-of-two-regions",
    ),
    pytest.param(
        Case("  residency-guard:region: mars\n", {REGION_KEY: "mars"}, "mars",
             frozenset({"RG017"})),
        id="unknown-region",
    ),
    pytest.param(Case("", {}, None, frozenset({"RG008"})), id="no-region"),
]


def write_project(folder: Path, case: Case) -> Path:
    project = f"name: {case.project}\nruntime: python\n"
    if case.project_config:
        project += "config:\n" + case.project_config
    (folder / "Pulumi.yaml").write_text(project, encoding="utf-8")
    stack_file = folder / f"Pulumi.{STACK}.yaml"
    stack_file.write_text("config:\n" + case.stack_config + GLOBAL_URL_SETTING, encoding="utf-8")
    if case.mapping:
        (folder / "residency-guard.yaml").write_text("stacks:\n" + case.mapping, encoding="utf-8")
    return stack_file


def region_rules(findings: list[Finding] | tuple[Finding, ...]) -> frozenset[str]:
    return frozenset(f.rule for f in findings) & REGION_RULES


def cli(folder: Path) -> tuple[str | None, frozenset[str]]:
    run_ = scan_paths([folder])
    assert run_.errors == []
    (scan,) = run_.scans
    return scan.resolution.region, region_rules(scan.findings)


def checkov(stack_file: Path) -> tuple[str | None, frozenset[str]]:
    """checkov's verdict on the stack file; the region is the one its findings name."""
    judgement = judge_file(stack_file, "yaml")
    assert judgement.error == ""
    regions = {f.region for f in judgement.findings}
    assert len(regions) == 1, regions  # the global URL is judged in every case
    return regions.pop() or None, region_rules(judgement.findings)


def pack(folder: Path, case: Case) -> tuple[str | None, frozenset[str]]:
    state = PackState(pack_dir=folder, stack_config=case.engine, stack_fallback=STACK)
    ctx = state.resource_context(STACK, PackSettings(), {})
    declared = run(policies(state)["residency-region-declared"], stack_args([], region=None))
    return ctx.resolution.region, frozenset(declared.rules)


def verify(folder: Path) -> str:
    """The region verify's plan holds the stack to; its one-line refusal's class otherwise."""
    repo, catalog = load_settings([folder])
    try:
        return plan_for_stack(folder, STACK, catalog, repo).region.id
    except (ConfigError, UnknownRegionError) as error:
        return type(error).__name__


def component(folder: Path, case: Case) -> tuple[str | None, frozenset[str]]:
    """The region a component given the config's region holds the stack to, or its refusal."""
    start(STACK)
    repo_config = folder / "residency-guard.yaml"
    given = str(repo_config) if repo_config.is_file() else None
    args = OpenAIResidencyArgs(region=case.engine[REGION_KEY], api_key=FAKE_KEY, repo_config=given)
    try:
        OpenAIResidency("openai", args)
    except ResidencyRefused as refused:
        return None, region_rules(refused.findings)
    return case.engine[REGION_KEY].strip().lower(), frozenset()


@pytest.mark.parametrize("case", CASES)
def test_every_front_end_holds_the_stack_to_the_same_region(tmp_path: Path, case: Case) -> None:
    stack_file = write_project(tmp_path, case)
    expected = (case.region, case.rules)
    assert cli(tmp_path) == expected
    assert checkov(stack_file) == expected
    assert pack(tmp_path, case) == expected
    # verify sends a key to the region's host: it plans for the region the stack resolves to
    # (the winner of a conflict, as every gate's findings name it) and refuses no region and
    # an unknown one, in one line.
    refusals = {"RG008": "ConfigError", "RG017": "UnknownRegionError"}
    assert verify(tmp_path) == next(
        (refusals[r] for r in sorted(case.rules) if r in refusals), case.region
    )
    if REGION_KEY in case.engine:  # a program passes the component the config's region
        region, rules = component(tmp_path, case)
        assert rules == case.rules
        # A refused component holds the stack to nothing; one that passes, to the region.
        assert region == (None if case.rules else case.region)
