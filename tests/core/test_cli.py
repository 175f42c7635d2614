"""The CLI as a user runs it: exit codes, the exact text, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.core.helpers import FAKE_KEY

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "residency_guard.cli"]

BAD_EU = """\
config:
  residency-guard:region: eu
  app:url: https://api.openai.com/v1
  app:chatModel: gpt-4o
"""


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def project(tmp_path: Path, **stacks: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    for name, text in stacks.items():
        (tmp_path / "stacks" / f"Pulumi.{name}.yaml").write_text(text)
    return tmp_path


def test_shipped_examples_are_clean_but_for_a_note() -> None:
    result = run("check")
    assert (result.returncode, result.stdout.splitlines(), result.stderr) == (0, [
        "stacks/Pulumi.prod-gb.yaml:7:9: RG019 [note] GB stack 'prod-gb' uses "
        "'gpt-4.1-2025-04-14' on chat: stored in gb, processed outside it (United Kingdom is "
        "storage-only for chat) (fix: accept it, or use a region that processes chat (us, eu))",
        "1 finding (1 note) in 4 files",
    ], "")  # fmt: skip


def test_findings_exit_1_with_exact_text(tmp_path: Path) -> None:
    result = run("check", cwd=project(tmp_path, **{"prod-eu": BAD_EU}))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        "stacks/Pulumi.prod-eu.yaml:3:12: RG001 [error] EU stack 'prod-eu' sends to "
        "api.openai.com (global, no residency) (fix: use https://eu.api.openai.com/v1)",
        "stacks/Pulumi.prod-eu.yaml:4:18: RG004 [error] EU stack 'prod-eu' uses the alias "
        "'gpt-4o'; Europe (EEA + Switzerland) lists only dated snapshots for chat "
        "(fix: pin gpt-4o-2024-11-20 instead of the alias gpt-4o)",
        "2 findings (2 errors) in 1 file",
    ]


def test_single_stack_file_argument(tmp_path: Path) -> None:
    folder = project(tmp_path, **{"prod-eu": BAD_EU})
    result = run("check", "stacks/Pulumi.prod-eu.yaml", "--format", "json", cwd=folder)
    data = json.loads(result.stdout)
    assert result.returncode == 1
    assert [(f["rule"], f["line"]) for f in data["findings"]] == [("RG001", 3), ("RG004", 4)]
    assert set(data["findings"][0]) >= {"rule", "severity", "file", "line", "message", "fix"}


def test_fail_on_warning_vs_error(tmp_path: Path) -> None:
    text = (
        "config:\n  residency-guard:region: global\n  OPENAI_API_BASE: https://api.openai.com/v1\n"
    )
    folder = project(tmp_path, dev=text)
    assert run("check", cwd=folder).returncode == 0  # RG006 is a warning in a global stack
    assert run("check", "--fail-on", "warning", cwd=folder).returncode == 1


def test_output_file_is_written_and_stdout_stays_empty(tmp_path: Path) -> None:
    folder = project(tmp_path, **{"prod-eu": BAD_EU})
    result = run("check", "--format", "sarif", "--output", "out.sarif", cwd=folder)
    assert (result.returncode, result.stdout) == (1, "")
    assert json.loads((folder / "out.sarif").read_text())["version"] == "2.1.0"
    assert [p.name for p in folder.iterdir() if p.name.startswith(".out")] == []


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("Pulumi.x.yaml", b"config: [unclosed\n", "stacks/Pulumi.x.yaml:2: invalid YAML"),
        ("Pulumi.x.yaml", b"config:\n  a: \xff\xfe\n", "stacks/Pulumi.x.yaml:2: invalid UTF-8"),
        ("Pulumi.x.yaml", b"\x00\x01binary", "stacks/Pulumi.x.yaml: binary content"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, name: str, content: bytes, expected: str
) -> None:
    folder = project(tmp_path, ok="config:\n  residency-guard:region: eu\n")
    (folder / "stacks" / name).write_bytes(content)
    result = run("check", "--format", "json", cwd=folder)
    assert result.returncode == 2
    (line,) = result.stderr.splitlines()
    assert line.startswith(f"residency-guard: error: {expected}")
    assert "Traceback" not in result.stderr + result.stdout
    assert "stacks/Pulumi.ok.yaml" in json.loads(result.stdout)["scanned"]  # the rest completed


def test_truncated_preview_json(tmp_path: Path) -> None:
    (tmp_path / "preview.json").write_text('{"steps": [{"op": "create", "urn": "urn:pul')
    result = run("check", "preview.json", "--format", "json", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith("residency-guard: error: preview.json:1: truncated JSON")


def test_missing_path() -> None:
    result = run("check", "no/such/dir")
    assert (result.returncode, result.stderr) == (
        2, "residency-guard: error: no/such/dir: no such file or folder; check the path\n"
    )  # fmt: skip


def test_usage_error_is_exit_2() -> None:
    result = run("check", "--format", "yaml")
    assert result.returncode == 2
    assert len(result.stderr.splitlines()) == 1


def test_key_never_printed_in_any_format(tmp_path: Path) -> None:
    text = f"config:\n  residency-guard:region: eu\n  a:k: {FAKE_KEY}\n"
    folder = project(tmp_path, **{"prod-eu": text})
    for fmt in ("text", "json", "sarif", "junit"):
        result = run("check", "--format", fmt, cwd=folder)
        assert result.returncode == 1
        assert FAKE_KEY not in result.stdout + result.stderr
        assert "sk-...WXYZ" in result.stdout


def test_explain_prints_the_rule_documentation() -> None:
    result = run("explain", "RG004")
    assert result.returncode == 0
    assert result.stdout.startswith("# RG004 model-alias: Model alias where only dated snapshots")
    assert "## Use instead" in result.stdout


def test_explain_unknown_rule() -> None:
    result = run("explain", "RG999")
    assert result.returncode == 2
    assert result.stderr.startswith("residency-guard: error: no rule 'RG999'; use one of: RG001")


def test_catalog_for_one_region() -> None:
    result = run("catalog", "--region", "eu", "--format", "json")
    (region,) = json.loads(result.stdout)["regions"]
    assert region["host"] == "eu.api.openai.com"
    assert "gpt-4o-2024-11-20" in region["models"]["chat"]
    assert "gpt-4o" not in region["models"]["chat"]


def test_catalog_unknown_region() -> None:
    result = run("catalog", "--region", "europe")
    assert result.returncode == 2
    assert "unknown region 'europe'" in result.stderr or "europe" in result.stderr


def test_version_is_fast_to_import() -> None:
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "residency_guard.cli", "--version"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.stdout.strip() == "residency-guard 0.1.0"
    # --version must not load the rule engine, the HTTP stack or the reporters.
    for heavy in ("httpx2", "cerberus", "residency_guard.rules", "sarif_om"):
        assert f" {heavy}\n" not in result.stderr


DOTENV_GLOBAL = f"# residency-guard:region: eu\nOPENAI_API_KEY={FAKE_KEY}\nOPENAI_BASE_URL=https://api.openai.com/v1\n"


def _repo_with_fixtures(tmp_path: Path, exclude: str) -> Path:
    repo = project(tmp_path, **{"prod-eu": "config:\n  residency-guard:region: eu\n"})
    (repo / "residency-guard.yaml").write_text(exclude)
    for folder in ("fixtures/deep", "app"):
        (repo / folder).mkdir(parents=True)
        (repo / folder / ".env.prod-eu").write_text(DOTENV_GLOBAL)
    return repo


def test_a_folder_scan_leaves_out_what_exclude_names(tmp_path: Path) -> None:
    repo = _repo_with_fixtures(tmp_path, "exclude:\n  - fixtures\n")
    result = run("check", "--format", "json", cwd=repo)
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert result.returncode == 1
    assert files == {"app/.env.prod-eu"}


def test_without_exclude_every_dotenv_below_the_folder_is_judged(tmp_path: Path) -> None:
    repo = _repo_with_fixtures(tmp_path, "stacks: {}\n")
    result = run("check", "--format", "json", cwd=repo)
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"app/.env.prod-eu", "fixtures/deep/.env.prod-eu"}


def test_a_file_named_on_the_command_line_is_judged_even_if_excluded(tmp_path: Path) -> None:
    repo = _repo_with_fixtures(tmp_path, "exclude:\n  - fixtures\n")
    result = run("check", "fixtures/deep/.env.prod-eu", cwd=repo)
    assert result.returncode == 1
    assert "RG001" in result.stdout


def test_exclude_must_be_a_list_of_globs(tmp_path: Path) -> None:
    repo = _repo_with_fixtures(tmp_path, "exclude: fixtures\n")
    result = run("check", cwd=repo)
    assert result.returncode == 2
    assert "residency-guard.yaml:1" in result.stderr and "exclude" in result.stderr


@pytest.mark.parametrize(
    "key",
    ["OPENAI_API_KEY", '"OPENAI\\x5fAPI_KEY"', '"OPENAI_API\\u005fKEY"'],
    ids=["plain", "x-escape", "u-escape"],
)
def test_a_key_without_base_url_is_found_however_the_yaml_spells_its_name(
    tmp_path: Path, key: str
) -> None:
    # The scan skips env blocks in a file whose text cannot spell OPENAI_API_KEY; a
    # double-quoted scalar spells it with escapes the text does not show.
    stack = f"config:\n  residency-guard:region: eu\n  app:env:\n    {key}:\n      secure: v1:abc\n"
    result = run("check", "--format", "json", cwd=project(tmp_path, **{"prod-eu": stack}))
    assert "RG018" in {f["rule"] for f in json.loads(result.stdout)["findings"]}
