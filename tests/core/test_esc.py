"""Pulumi ESC environments a stack imports, as `residency-guard check` reads them."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.core.helpers import FAKE_KEY

CLI = [sys.executable, "-m", "residency_guard.cli"]


def check(folder: Path, *args: str) -> tuple[int, list[dict[str, object]], str]:
    result = subprocess.run(
        [*CLI, "check", *args, "--format", "json"], cwd=folder, capture_output=True,
        text=True, timeout=120, check=False,
    )  # fmt: skip
    data = json.loads(result.stdout) if result.stdout else {"findings": []}
    return result.returncode, data["findings"], result.stderr


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


PROJECT = "name: shop\nruntime: python\n"
STACK = """\
environment:
  - shop/prod-eu
config:
  residency-guard:region: eu
"""


def rules(findings: list[dict[str, object]]) -> list[tuple[object, object, object]]:
    return [(f["rule"], f["file"], f["line"]) for f in findings]


def test_an_environment_variable_of_an_imported_environment_is_judged(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": """\
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://api.openai.com/v1
        """,
    })  # fmt: skip
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert rules(findings) == [("RG001", "esc/shop/prod-eu.yaml", 3)]
    assert "api.openai.com (global, no residency)" in str(findings[0]["message"])


def test_imports_merge_in_order_and_the_importer_wins(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/base.yaml": """\
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://api.openai.com/v1
                OPENAI_MODEL: gpt-4o
        """,
        "esc/shop/region.yaml": """\
            imports:
              - shop/base
            values:
              environmentVariables:
                OPENAI_MODEL: gpt-4o-2024-11-20
        """,
        "esc/shop/prod-eu.yaml": """\
            imports:
              - shop/region
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://eu.api.openai.com/v1
        """,
    })  # fmt: skip
    code, findings, stderr = check(tmp_path)
    assert (code, findings, stderr) == (0, [], "")


def test_a_value_only_the_base_sets_is_reported_where_the_base_writes_it(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/base.yaml": """\
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://us.api.openai.com/v1
        """,
        "esc/shop/prod-eu.yaml": "imports:\n  - shop/base\nvalues: {}\n",
    })  # fmt: skip
    _, findings, _ = check(tmp_path)
    assert rules(findings) == [("RG001", "esc/shop/base.yaml", 3)]


def test_interpolation_of_static_values_is_resolved(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": """\
            values:
              openai:
                host: api.openai.com
              price: $${cents}
              environmentVariables:
                OPENAI_BASE_URL: https://${openai.host}/v1
                NOTE: ${price}
        """,
    })  # fmt: skip
    _, findings, _ = check(tmp_path)
    assert rules(findings) == [("RG001", "esc/shop/prod-eu.yaml", 6)]


def test_a_dynamic_value_is_unresolved_under_an_endpoint_name(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": """\
            values:
              vault:
                fn::open::aws-secrets:
                  region: eu-west-1
              environmentVariables:
                OPENAI_BASE_URL: ${vault.get.openaiUrl.value}
                OTHER_SETTING: ${vault.get.other.value}
        """,
    })  # fmt: skip
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert rules(findings) == [("RG011", "esc/shop/prod-eu.yaml", 6)]
    assert "'${vault.get.openaiUrl.value}'" in str(findings[0]["message"])


def test_fn_secret_ciphertext_is_a_secret_and_plaintext_is_in_the_clear(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": f"""\
            values:
              environmentVariables:
                OPENAI_API_KEY:
                  fn::secret:
                    ciphertext: ZXNjeAAAAAEAAAEAexample
                OPENAI_BASE_URL:
                  fn::secret:
                    ciphertext: ZXNjeAAAAAEAAAEAexample
                BACKUP_KEY:
                  fn::secret: {FAKE_KEY}
        """,
    })  # fmt: skip
    _, findings, _ = check(tmp_path)
    assert rules(findings) == [
        ("RG011", "esc/shop/prod-eu.yaml", 7),  # encrypted endpoint: cannot be checked
        ("RG007", "esc/shop/prod-eu.yaml", 10),
    ]
    assert "encrypted" in str(findings[0]["message"])
    assert FAKE_KEY not in json.dumps(findings)
    assert "esc env set <env> environmentVariables.BACKUP_KEY --secret" in str(findings[1]["fix"])


def test_pulumi_config_region_is_a_declaration(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT,
        "Pulumi.prod.yaml": "environment:\n  - shop/prod\n",
        "esc/shop/prod.yaml": """\
            values:
              pulumiConfig:
                residency-guard:region: eu
                openaiBaseUrl: https://api.openai.com/v1
        """,
    })  # fmt: skip
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert [(f["rule"], f["region"], f["line"]) for f in findings] == [("RG001", "eu", 4)]


def test_a_region_conflict_between_the_stack_file_and_esc_is_rg009(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": "values:\n  pulumiConfig:\n    residency-guard:region: us\n",
    })  # fmt: skip
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert [f["rule"] for f in findings] == ["RG009"]
    message = str(findings[0]["message"])
    assert "stack config says 'eu'" in message and "esc says 'us'" in message


def test_a_missing_environment_in_a_residency_stack_says_how_to_export_it(tmp_path: Path) -> None:
    write(tmp_path, {"Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK, "esc/.keep": ""})
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert rules(findings) == [("RG021", "Pulumi.prod-eu.yaml", 2)]
    assert "esc env get shop/prod-eu --definition > esc/shop/prod-eu.yaml" in str(
        findings[0]["fix"]
    )


def test_a_missing_environment_of_a_global_stack_is_no_finding(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT,
        "Pulumi.dev.yaml": "environment: [shop/dev]\nconfig:\n  residency-guard:region: global\n",
    })  # fmt: skip
    assert check(tmp_path)[:2] == (0, [])


def test_an_import_cycle_is_an_input_error_and_other_stacks_are_still_judged(
    tmp_path: Path,
) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "Pulumi.other-eu.yaml": "config:\n  residency-guard:region: eu\n"
                                "  shop:url: https://api.openai.com/v1\n",
        "esc/shop/prod-eu.yaml": "imports:\n  - shop/a\nvalues: {}\n",
        "esc/shop/a.yaml": "imports:\n  - shop/prod-eu\nvalues: {}\n",
    })  # fmt: skip
    code, findings, stderr = check(tmp_path)
    assert code == 2
    assert stderr.splitlines() == [
        "residency-guard: error: esc/shop/a.yaml:2: ESC import cycle: shop/prod-eu -> shop/a "
        "-> shop/prod-eu; remove one of the imports"
    ]
    assert rules(findings) == [("RG001", "Pulumi.other-eu.yaml", 3)]


def test_legacy_names_inline_definitions_and_the_esc_key(tmp_path: Path) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "esc: platform/environments\n",
        "Pulumi.yaml": PROJECT,
        "Pulumi.prod-eu.yaml": """\
            environment:
              imports:
                - legacy-openai
              values:
                environmentVariables:
                  OPENAI_ORG_ID: org-123
            config:
              residency-guard:region: eu
        """,
        "platform/environments/legacy-openai.yaml": """\
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://api.openai.com/v1
        """,
    })  # fmt: skip
    _, findings, _ = check(tmp_path)
    assert rules(findings) == [("RG001", "platform/environments/legacy-openai.yaml", 3)]


def test_an_import_without_merge_is_only_reachable_by_reference(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/global.yaml": """\
            values:
              url: https://eu.api.openai.com/v1
              environmentVariables:
                OPENAI_BASE_URL: https://api.openai.com/v1
        """,
        "esc/shop/prod-eu.yaml": """\
            imports:
              - shop/global:
                  merge: false
            values:
              environmentVariables:
                AZURE_OPENAI_URL: ${imports["shop/global"].url}
        """,
    })  # fmt: skip
    assert check(tmp_path)[:2] == (0, [])


@pytest.mark.parametrize(
    ("builtin", "expected"),
    [
        ('fn::join: ["", ["https://", "api.openai.com", "/v1"]]', ["RG001"]),
        ("fn::toBase64: https://api.openai.com/v1", ["RG001"]),
        ('fn::fromBase64: aHR0cHM6Ly9ldS5hcGkub3BlbmFpLmNvbS92MQ==', []),
        ("fn::rotate::aws-iam: {}", ["RG011"]),
    ],
)
def test_static_builtins_are_computed_and_dynamic_ones_are_not(
    tmp_path: Path, builtin: str, expected: list[str]
) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": f"values:\n  environmentVariables:\n    OPENAI_BASE_URL:\n"
                                 f"      {builtin}\n",
    })  # fmt: skip
    assert [f["rule"] for f in check(tmp_path)[1]] == expected


def test_files_are_judged(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": """\
            values:
              files:
                OPENAI_CONFIG: '{"base_url": "https://api.openai.com/v1"}'
        """,
    })  # fmt: skip
    assert rules(check(tmp_path)[1]) == [("RG001", "esc/shop/prod-eu.yaml", 3)]


def test_an_unknown_function_is_an_input_error(tmp_path: Path) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK,
        "esc/shop/prod-eu.yaml": "values:\n  x:\n    fn::frobnicate: 1\n",
    })  # fmt: skip
    code, _, stderr = check(tmp_path)
    assert code == 2
    assert stderr.startswith(
        "residency-guard: error: esc/shop/prod-eu.yaml:3: unknown ESC function 'fn::frobnicate'"
    )


def test_an_environment_shared_by_stacks_is_judged_for_each_and_missing_imports_repeat(
    tmp_path: Path,
) -> None:
    write(tmp_path, {
        "Pulumi.yaml": PROJECT,
        "Pulumi.a-eu.yaml": "environment: [shop/common]\nconfig:\n  residency-guard:region: eu\n",
        "Pulumi.b-eu.yaml": "environment: [shop/common]\nconfig:\n  residency-guard:region: eu\n",
        "Pulumi.c-us.yaml": "environment: [shop/common]\nconfig:\n  residency-guard:region: us\n",
        "Pulumi.d-us.yaml": "environment: [shop/us]\nconfig:\n  residency-guard:region: us\n",
        "esc/shop/common.yaml": "imports:\n  - shop/gone\nvalues:\n  environmentVariables:\n"
                                "    OPENAI_BASE_URL: https://us.api.openai.com/v1\n",
        "esc/shop/us.yaml": "values:\n  environmentVariables:\n"
                            "    OPENAI_BASE_URL: https://us.api.openai.com/v1\n",
    })  # fmt: skip
    code, findings, _ = check(tmp_path)
    assert code == 1
    assert sorted((f["stack"], f["rule"]) for f in findings) == [
        ("a-eu", "RG001"), ("a-eu", "RG021"), ("b-eu", "RG001"), ("b-eu", "RG021"),
        ("c-us", "RG021"),
    ]
