"""A plaintext key in an ESC definition file the repository holds is a leak wherever it sits:
under `environmentVariables`, under a key no stack sees, or under one an importer overrides.
The CLI reports it in the definition (RG007), as checkov's reading of the same file does."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from residency_guard.checkov_support import judge_file
from residency_guard.findings import Finding
from residency_guard.scan import scan_paths
from tests.core.helpers import FAKE_KEY

OTHER_KEY = "sk-svcacct-" + "FAKEfake" * 5 + "ABCD"
PROJECT = "name: shop\nruntime: python\n"
STACK = "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n"
CIPHERTEXT = "{fn::secret: {ciphertext: ZXNjeAAAAAEAAAEAexample}}"


def project(folder: Path, environments: dict[str, str]) -> Path:
    files = {"Pulumi.yaml": PROJECT, "Pulumi.prod-eu.yaml": STACK}
    files |= {f"esc/shop/{name}.yaml": text for name, text in environments.items()}
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return folder


def keys(folder: Path) -> list[Finding]:
    run = scan_paths([folder])
    assert run.errors == []
    return [f for f in run.findings if f.rule == "RG007"]


def places(found: list[Finding], folder: Path) -> list[tuple[str, int]]:
    return sorted((Path(f.file).relative_to(folder).as_posix(), f.line) for f in found)


def test_a_key_under_a_value_no_stack_sees_is_rg007_where_it_is_written(tmp_path: Path) -> None:
    project(tmp_path, {"prod-eu": f"""\
        values:
          openai:
            apiKey: {FAKE_KEY}
          environmentVariables:
            OPENAI_BASE_URL: https://eu.api.openai.com/v1
    """})  # fmt: skip
    (found,) = keys(tmp_path)
    assert places([found], tmp_path) == [("esc/shop/prod-eu.yaml", 3)]
    assert found.message == "plaintext OpenAI API key sk-...WXYZ in 'apiKey'"
    assert found.fix == (
        "keep only its ciphertext in the repository: set it with `esc env set <env> "
        "openai.apiKey --secret` and export the definition without --show-secrets"
    )
    assert FAKE_KEY not in json.dumps([f.message + f.fix for f in keys(tmp_path)])


def test_a_key_an_importer_overrides_is_still_in_the_imported_file(tmp_path: Path) -> None:
    project(tmp_path, {
        "base": f"values:\n  environmentVariables:\n    OPENAI_API_KEY: {FAKE_KEY}\n",
        "prod-eu": f"""\
            imports:
              - shop/base
            values:
              environmentVariables:
                OPENAI_BASE_URL: https://eu.api.openai.com/v1
                OPENAI_API_KEY: {CIPHERTEXT}
        """,
    })  # fmt: skip
    assert places(keys(tmp_path), tmp_path) == [("esc/shop/base.yaml", 3)]


def test_each_key_is_reported_once_at_each_place_it_is_written(tmp_path: Path) -> None:
    # Referenced into a variable: the written key and the variable that reads it (as before).
    project(tmp_path, {"prod-eu": f"""\
        values:
          openai:
            apiKey: {OTHER_KEY}
          environmentVariables:
            OPENAI_BASE_URL: https://eu.api.openai.com/v1
            OPENAI_API_KEY: ${{openai.apiKey}}
            BACKUP_KEY:
              fn::secret: {FAKE_KEY}
    """})  # fmt: skip
    found = keys(tmp_path)
    assert places(found, tmp_path) == [
        ("esc/shop/prod-eu.yaml", 3), ("esc/shop/prod-eu.yaml", 6), ("esc/shop/prod-eu.yaml", 8)
    ]
    backup = next(f for f in found if f.line == 8)
    assert "esc env set <env> environmentVariables.BACKUP_KEY --secret" in backup.fix


def test_ciphertexts_and_keyless_values_anywhere_are_no_finding(tmp_path: Path) -> None:
    project(tmp_path, {"prod-eu": f"""\
        values:
          openai:
            apiKey: {CIPHERTEXT}
            note: sk-is-how-keys-start
          environmentVariables:
            OPENAI_BASE_URL: https://eu.api.openai.com/v1
            OPENAI_API_KEY: ${{openai.apiKey}}
    """})  # fmt: skip
    assert keys(tmp_path) == []


def test_an_unimported_environment_is_not_read_by_the_stack_scan(tmp_path: Path) -> None:
    # Only the definitions a stack imports are read (checkov reads every YAML file for keys).
    project(tmp_path, {
        "prod-eu": "values:\n  environmentVariables:\n    OPENAI_BASE_URL: https://eu.api.openai.com/v1\n",
        "scratch": f"values:\n  openai:\n    apiKey: {FAKE_KEY}\n",
    })  # fmt: skip
    assert keys(tmp_path) == []


def test_checkov_fails_the_same_definition_on_the_same_line(tmp_path: Path) -> None:
    project(tmp_path, {"prod-eu": f"""\
        values:
          openai:
            apiKey: {FAKE_KEY}
    """})  # fmt: skip
    cli = places(keys(tmp_path), tmp_path)
    judged = judge_file(tmp_path / "esc/shop/prod-eu.yaml", "yaml")
    checkov = places([f for f in judged.findings if f.rule == "RG007"], tmp_path)
    assert cli == checkov == [("esc/shop/prod-eu.yaml", 3)]
    assert judged.verdict("RG007").status.name == "FAILED"


def test_an_encoded_key_in_a_definition_two_stacks_import_is_found(tmp_path: Path) -> None:
    """The definition's values are read once for the run, whichever stack imports it first;
    a key written base64-encoded (a Kubernetes Secret's data pasted in) is a key too, and
    the run reports the one place it is written once."""
    import base64

    encoded = base64.b64encode(FAKE_KEY.encode()).decode()
    project(tmp_path, {"prod-eu": f"values:\n  pasted:\n    data: {encoded}\n"})
    (tmp_path / "Pulumi.prod-eu-2.yaml").write_text(STACK, encoding="utf-8")
    found = keys(tmp_path)
    assert places(found, tmp_path) == [("esc/shop/prod-eu.yaml", 3)]
    assert found[0].message == "plaintext OpenAI API key sk-...WXYZ in 'data'"


def esc_fix(setting: str) -> str:
    return (
        f"keep only its ciphertext in the repository: set it with `esc env set <env> {setting} "
        "--secret` and export the definition without --show-secrets"
    )


def test_both_gates_name_the_setting_to_set_as_a_secret(tmp_path: Path) -> None:
    # `fn::secret: <plaintext>` is set with --secret at its own path (not `.fn::secret`); a
    # key right under `values:` is a setting of its own.
    project(tmp_path, {"prod-eu": f"""\
        values:
          apiKey: {OTHER_KEY}
          environmentVariables:
            BACKUP_KEY:
              fn::secret: {FAKE_KEY}
    """})  # fmt: skip
    expected = [(2, esc_fix("apiKey")), (5, esc_fix("environmentVariables.BACKUP_KEY"))]
    assert sorted((f.line, f.fix) for f in keys(tmp_path)) == expected
    judged = judge_file(tmp_path / "esc/shop/prod-eu.yaml", "yaml")
    assert sorted((f.line, f.fix) for f in judged.findings if f.rule == "RG007") == expected


def test_a_key_that_is_a_settings_file_s_values_itself_gets_no_esc_fix(tmp_path: Path) -> None:
    """`values: <key>` in a settings file held by `paths:` is no ESC definition (whose
    `values:` is a mapping of settings): the fix names no `esc env set` of an empty setting."""
    (tmp_path / "residency-guard.yaml").write_text("paths:\n  deploy: eu\n", encoding="utf-8")
    (tmp_path / "deploy").mkdir()
    (tmp_path / "deploy/chat.yaml").write_text(f"values: {FAKE_KEY}\n", encoding="utf-8")
    (found,) = keys(tmp_path)
    assert places([found], tmp_path) == [("deploy/chat.yaml", 1)]
    assert found.fix == (
        "pass it as a secret: read it with config.require_secret(...) or wrap it in "
        "pulumi.Output.secret(...)"
    )
