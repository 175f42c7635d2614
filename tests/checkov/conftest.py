"""Fixtures for the checkov checks: the fixture tree with its canary, and checkov's runs on it.

Every checkov run costs 5-30 s (its start-up alone is ~4 s; more on a loaded machine), so each
output configuration runs once per session over the whole fixture tree and many tests assert
on its result. checkov's own environment comes from ``tests/checkov_env/conftest.py``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.checkov_env.conftest import (
    CHECKOV_ENV,
    REPO,
    RUN_TIMEOUT_S,
    RunCheckov,
    _clean_env,
    checkov_bin,
    run_checkov,
)

# checkov's environment: the fixtures of tests/checkov_env, made visible in this folder.
__all__ = ["REPO", "RunCheckov", "checkov_bin", "run_checkov"]

FIXTURES = REPO / "tests" / "fixtures" / "checkov"
GATE = REPO / "scripts" / "checkov-gate"
# Built at run time: no key-shaped string is committed. "CANARY" * 3 is any 18 characters of
# its body, which also catches a key whose "sk-proj-" prefix was cut off (a quoted YAML line).
CANARY = "sk-proj-" + "CANARY" * 8
CANARY_BODY = "CANARY" * 3
PLACEHOLDER = "@CANARY@"


@dataclass(frozen=True)
class Record:
    """One check result of checkov's json output."""

    check_id: str
    file: str  # relative to the scanned folder, "shop/Pulumi.prod-eu.yaml"
    status: str  # "FAILED", "PASSED", "SKIPPED"
    check_type: str  # "yaml", "json"
    name: str
    severity: str | None
    config: Mapping[str, Any] | None
    code_block: Any
    line_range: list[int]

    @property
    def rule(self) -> str:
        return f"RG{int(self.check_id.removeprefix('CKV_RG_')):03d}"


@dataclass(frozen=True)
class CheckovRun:
    """What one checkov invocation printed and wrote."""

    argv: list[str]
    returncode: int
    stdout: str
    stderr: str
    files: dict[str, str] = field(default_factory=dict)  # output file name -> text

    def outputs(self) -> Iterator[tuple[str, str]]:
        yield "stdout", self.stdout
        yield "stderr", self.stderr
        yield from self.files.items()

    def describe(self) -> str:
        return f"{' '.join(self.argv[1:])} (exit {self.returncode})\n{self.stderr[-3000:]}"


def parse_records(report: Any) -> list[Record]:
    """checkov's json output (one report, or a list of them) as records."""
    reports = report if isinstance(report, list) else [report]
    records = []
    for rep in reports:
        for kind, status in (("failed_checks", "FAILED"), ("passed_checks", "PASSED"),
                             ("skipped_checks", "SKIPPED")):  # fmt: skip
            for item in rep["results"][kind]:
                records.append(
                    Record(
                        check_id=item["check_id"],
                        file=item["file_path"].lstrip("/"),
                        status=status,
                        check_type=rep["check_type"],
                        name=item["check_name"],
                        severity=item.get("severity"),
                        config=item["check_result"].get("results_configuration"),
                        code_block=item.get("code_block"),
                        line_range=item["file_line_range"],
                    )
                )
    return records


@pytest.fixture(scope="session")
def fixture_tree(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/fixtures/checkov as a repository: Pulumi.yaml files in place, the canary written."""
    tree = tmp_path_factory.mktemp("checkov") / "repo"
    shutil.copytree(FIXTURES, tree)
    (tree / ".git").mkdir()  # the repo boundary where the config and project lookups stop
    for project in sorted(tree.rglob("pulumi-project.yaml")):
        project.rename(project.with_name("Pulumi.yaml"))
    for held in sorted(tree.rglob("*.yaml.in")):  # files `paths:` holds to a region
        held.rename(held.with_suffix(""))
    for path in sorted(tree.rglob("*")):
        if path.suffix not in (".yaml", ".yml", ".json"):
            continue  # the README names the placeholder
        if PLACEHOLDER in (text := path.read_text(encoding="utf-8")):
            path.write_text(text.replace(PLACEHOLDER, CANARY), encoding="utf-8")
    return tree


def _run(argv: list[str], out_dir: Path | None, env: Mapping[str, str], cwd: Path) -> CheckovRun:
    proc = subprocess.run(
        argv, capture_output=True, text=True, timeout=RUN_TIMEOUT_S, cwd=cwd,
        env=_clean_env({**CHECKOV_ENV, **env}), stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    files = {}
    if out_dir is not None:
        files = {p.name: p.read_text(encoding="utf-8") for p in sorted(out_dir.iterdir())}
    return CheckovRun(argv, proc.returncode, proc.stdout, proc.stderr, files)


def _gate(
    tree: Path, out_root: Path, *outputs: str, to_files: bool = True,
    env: Mapping[str, str] | None = None,
) -> CheckovRun:  # fmt: skip
    """The documented invocation: ``scripts/checkov-gate TREE -o ... [--output-file-path DIR]``.

    It runs in a folder of its own: without ``--output-file-path``, ``-o sarif`` prints the cli
    report and writes ``results.sarif`` into the current folder.
    """
    out_dir = out_root / ("-".join(outputs) + ("-files" if to_files else "-stdout"))
    out_dir.mkdir()
    argv = [str(GATE), str(tree)]
    for output in outputs:
        argv += ["-o", output]
    if to_files:
        argv += ["--output-file-path", str(out_dir)]
    return _run(argv, out_dir, env or {}, cwd=out_dir)


@pytest.fixture(scope="session")
def out_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("checkov-out")


# checkov_bin first: it builds (or reuses) checkov's venv; the gate would do it silently.
@pytest.fixture(scope="session")
def gate_all(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    """All four formats in one run, to stdout and to files, with checkov's DEBUG logging."""
    return _gate(fixture_tree, out_root, "cli", "json", "sarif", "junitxml",
                 env={"LOG_LEVEL": "DEBUG"})  # fmt: skip


@pytest.fixture(scope="session")
def gate_json(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    return _gate(fixture_tree, out_root, "json")


@pytest.fixture(scope="session")
def gate_cli(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    return _gate(fixture_tree, out_root, "cli")


@pytest.fixture(scope="session")
def gate_junit(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    return _gate(fixture_tree, out_root, "junitxml")


@pytest.fixture(scope="session")
def gate_sarif(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    """SARIF without --output-file-path: checkov writes ./results.sarif and prints cli text."""
    return _gate(fixture_tree, out_root, "sarif", to_files=False)


@pytest.fixture(scope="session")
def config_run(checkov_bin: Path, fixture_tree: Path, out_root: Path) -> CheckovRun:
    """Plain checkov started in the repository root: only .checkov.yaml names our checks."""
    out_dir = out_root / "config-sarif"
    out_dir.mkdir()
    argv = [str(checkov_bin), "-d", str(fixture_tree), "-o", "sarif",
            "--output-file-path", str(out_dir)]  # fmt: skip
    return _run(argv, out_dir, {}, cwd=REPO)


@pytest.fixture(scope="session")
def records(gate_json: CheckovRun) -> list[Record]:
    assert gate_json.returncode == 1, gate_json.describe()
    return parse_records(json.loads(gate_json.stdout))
