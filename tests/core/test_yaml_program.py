"""Pulumi YAML programs (`runtime: yaml`): resources and variables judged for every stack."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

CLI = [sys.executable, "-m", "residency_guard.cli"]

PROGRAM = """\
name: chat
runtime: yaml
variables:
  openaiUrl: https://api.openai.com/v1
resources:
  oai:
    type: azure-native:cognitiveservices:Account
    properties:
      accountName: chat-oai
      location: eastus
      kind: OpenAI
      sku:
        name: S0
  gpt:
    type: azure-native:cognitiveservices:Deployment
    properties:
      accountName: ${oai.name}
      sku:
        name: GlobalStandard
      properties:
        model: {format: OpenAI, name: gpt-4o, version: "2024-11-20"}
  app:
    type: kubernetes:apps/v1:Deployment
    properties:
      spec:
        template:
          spec:
            containers:
              - name: app
                image: example/app:1
                env:
                  - name: OPENAI_BASE_URL
                    value: ${openaiBase}
                  - name: OPENAI_API_KEY
                    value:
                      fn::secret: ${apiKey}
"""


def check(folder: Path) -> tuple[int, list[tuple[str, str, int]]]:
    result = subprocess.run(
        [*CLI, "check", "--format", "json"], cwd=folder, capture_output=True, text=True,
        timeout=120, check=False,
    )  # fmt: skip
    data = json.loads(result.stdout)
    return result.returncode, [(f["rule"], f["stack"], f["line"]) for f in data["findings"]]


def project(tmp_path: Path, program: str, **stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text(textwrap.dedent(program))
    for name, region in stacks.items():
        (tmp_path / f"Pulumi.{name}.yaml").write_text(f"config:\n  residency-guard:region: {region}\n")
    return tmp_path


def test_resources_and_variables_are_judged_for_each_stack(tmp_path: Path) -> None:
    code, found = check(project(tmp_path, PROGRAM, **{"prod-eu": "eu", "dev": "global"}))
    assert code == 1
    assert sorted(found) == [
        ("RG001", "prod-eu", 4),  # variables.openaiUrl
        ("RG011", "prod-eu", 23),  # ${openaiBase}: only the engine knows it (at resource app)
        ("RG012", "prod-eu", 7),  # the account in eastus (at resource oai)
        ("RG013", "prod-eu", 15),  # GlobalStandard (at resource gpt)
    ]


def test_a_compliant_program_is_clean(tmp_path: Path) -> None:
    fixed = (
        PROGRAM.replace("https://api.openai.com/v1", "https://eu.api.openai.com/v1")
        .replace("eastus", "swedencentral")
        .replace("GlobalStandard", "DataZoneStandard")
        .replace("${openaiBase}", "https://eu.api.openai.com/v1")
    )
    assert check(project(tmp_path, fixed, **{"prod-eu": "eu"})) == (0, [])


def test_a_program_in_main_yaml_is_read_too(tmp_path: Path) -> None:
    head, _, body = PROGRAM.partition("variables:\n")
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "Main.yaml").write_text("variables:\n" + body)
    code, found = check(project(tmp_path, head + "main: app\n", **{"prod-eu": "eu"}))
    assert code == 1
    assert {rule for rule, _, _ in found} == {"RG001", "RG011", "RG012", "RG013"}


def test_a_project_without_config_gives_its_stacks_no_defaults(tmp_path: Path) -> None:
    # Top-level keys are not config: a `pulumi new` template's defaults reach a new stack's
    # own file (judged there), never the stacks that exist.
    program = """\
    name: chat
    runtime: python
    template:
      config:
        app:openaiBaseUrl:
          default: https://api.openai.com/v1
    """
    assert check(project(tmp_path, program, **{"prod-eu": "eu"})) == (0, [])


CONFIG_PROGRAM = """\
name: shop
runtime: yaml
config:
  baseUrl:
    type: string
    default: {base}
resources:
  openai:
    type: example:index:Gateway
    properties:
      region: eu
  app:
    type: aws:lambda/function:Function
    properties:
      environment:
        variables:
          OPENAI_BASE_URL: ${{baseUrl}}
          GATEWAY_LABELS: ${{openai.labels}}
"""


def test_a_reference_to_declared_config_is_judged_at_the_config_only(tmp_path: Path) -> None:
    # `${baseUrl}` is the project default (or the stack's value), judged where it is written:
    # no unresolved endpoint at the resource. `${openai.labels}` is an output the engine knows,
    # not a host named openai.labels.
    clean = project(tmp_path, CONFIG_PROGRAM.format(base="https://eu.api.openai.com/v1"), **{"prod-eu": "eu"})
    assert check(clean) == (0, [])


def test_a_declared_config_default_outside_the_region_is_still_found(tmp_path: Path) -> None:
    bad = project(tmp_path, CONFIG_PROGRAM.format(base="https://api.openai.com/v1"), **{"prod-eu": "eu"})
    assert check(bad) == (1, [("RG001", "prod-eu", 6)])
