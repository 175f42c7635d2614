"""``residency-guard report`` as a user runs it: exit codes like ``check``, files written whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.report.conftest import STATES, copy_fixture, run_cli

SUPPRESSED_EU = """\
config:
  residency-guard:region: eu
  # residency-guard: ignore RG001 reason="batch job moves in INC-7" until={until}
  app:openaiBaseUrl: https://api.openai.com/v1
"""


def project(tmp_path: Path, stack: str) -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod-eu.yaml").write_text(stack)
    return tmp_path


@pytest.mark.parametrize(
    ("until", "code", "status"),
    [("2020-01-01", 1, "failing (suppression expired)"), ("2099-12-31", 0, "suppressed")],
)
def test_expired_suppression_fails_the_gate_again(
    tmp_path: Path, until: str, code: int, status: str
) -> None:
    root = project(tmp_path, SUPPRESSED_EU.format(until=until))
    report = run_cli("report", ".", "--out", "out", cwd=root)
    check = run_cli("check", ".", cwd=root)
    assert (report.returncode, check.returncode) == (code, code), report.stderr
    data = json.loads((root / "out" / "report.json").read_text())
    (finding,) = data["stacks"][0]["findings"]
    assert (finding["rule"], finding["line"], finding["status"]) == ("RG001", 4, status)


def test_suppression_without_reason_is_rg016(tmp_path: Path) -> None:
    root = project(tmp_path, SUPPRESSED_EU.replace(' reason="batch job moves in INC-7"', ""))
    result = run_cli("report", ".", "--out", "out", cwd=root)
    assert result.returncode == 1
    data = json.loads((root / "out" / "report.json").read_text())
    rules = [(f["rule"], f["line"], f["status"]) for f in data["stacks"][0]["findings"]]
    assert rules == [("RG016", 3, "failing"), ("RG001", 4, "failing")]


def test_fail_on_warning_and_stdout_line(tmp_path: Path) -> None:
    root = project(tmp_path, SUPPRESSED_EU.format(until="2099-12-31"))
    result = run_cli("report", "--out", "out", "--fail-on", "warning", cwd=root)
    assert result.returncode == 0
    assert result.stdout == (
        "report: 1 stacks, 0 failing, 1 suppressed, 0 expired suppressions -> "
        "out/report.html, out/report.json, out/report.md\n"
    )


def test_same_inputs_same_bytes(tmp_path: Path) -> None:
    """With SOURCE_DATE_EPOCH the three files are a function of the inputs (outside git here)."""
    root = copy_fixture(tmp_path / "shop")
    env = {"SOURCE_DATE_EPOCH": "1793534400"}
    first = run_cli("report", ".", *STATES, "--out", str(tmp_path / "a"), cwd=root, env=env)
    second = run_cli("report", ".", *STATES, "--out", str(tmp_path / "b"), cwd=root, env=env)
    assert first.returncode == second.returncode == 1
    for name in ("report.html", "report.json", "report.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    provenance = json.loads((tmp_path / "a" / "report.json").read_text())["provenance"]
    assert (provenance["git_commit"], provenance["generated_at"]) == ("n/a", "2026-11-01T12:00:00Z")


def test_rewrites_leave_no_temporary_files(tmp_path: Path) -> None:
    root = project(tmp_path, SUPPRESSED_EU.format(until="2099-12-31"))
    (root / "out").mkdir()
    (root / "out" / "report.json").write_text("stale")
    for _ in range(2):
        assert run_cli("report", "--out", "out", cwd=root).returncode == 0
    assert sorted(p.name for p in (root / "out").iterdir()) == [
        "report.html", "report.json", "report.md",
    ]  # fmt: skip
    assert json.loads((root / "out" / "report.json").read_text())["summary"]["result"] == "pass"


def test_missing_input_exits_2_and_reports_the_error(tmp_path: Path) -> None:
    root = project(tmp_path, SUPPRESSED_EU.format(until="2099-12-31"))
    result = run_cli("report", ".", "missing.json", "--out", "out", cwd=root)
    assert result.returncode == 2
    assert result.stderr == (
        "residency-guard: error: missing.json: no such file or folder; check the path\n"
    )
    data = json.loads((root / "out" / "report.json").read_text())
    assert (data["summary"]["result"], data["errors"]) == (
        "error", ["missing.json: no such file or folder; check the path"],
    )  # fmt: skip


@pytest.mark.parametrize(
    ("args", "env", "stderr"),
    [
        (("report",), {}, "residency-guard: error: the following arguments are required: --out; "
         "see `residency-guard report --help`\n"),
        (("report", "--out", "out"), {"SOURCE_DATE_EPOCH": "yesterday"},
         "residency-guard: error: SOURCE_DATE_EPOCH='yesterday' is not a number of seconds; "
         "set SOURCE_DATE_EPOCH to a Unix timestamp, or unset it\n"),
    ],
)  # fmt: skip
def test_bad_usage_is_one_line_and_exit_2(
    tmp_path: Path, args: tuple[str, ...], env: dict[str, str], stderr: str
) -> None:
    root = project(tmp_path, SUPPRESSED_EU.format(until="2099-12-31"))
    result = run_cli(*args, cwd=root, env=env)
    assert (result.returncode, result.stderr) == (2, stderr)
    assert not (root / "out").exists()
