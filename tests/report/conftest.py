"""Report tests: the fixture project copied with a canary key planted, the CLI, Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "report" / "project"
CLI = [sys.executable, "-m", "residency_guard.cli"]
# Planted in the fixture's stack file, dotenv file and state export: obviously fake, shaped like
# a project key ("sk-proj-" and 40 letters) so that the key detector must see it.
CANARY = "sk-proj-" + "canaryNOTAREALKEY" * 2 + "canary"
PLACEHOLDER = "CANARY_PLACEHOLDER"
CHROMIUM = Path("/usr/bin/chromium")
# The flags that work on this machine's closed network (see .ci and the machine notes).
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
STATES = ("state/prod-eu.json", "state/staging-eu.json")


def run_cli(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [*CLI, *args], cwd=cwd, env=environ, capture_output=True, text=True, timeout=300,
        check=False,
    )  # fmt: skip


def copy_fixture(target: Path) -> Path:
    """The fixture project, ready to scan: Pulumi.yaml and .env.prod-eu in place (named
    otherwise in the repository, so that `check` at its root does not judge the fixture), the
    canary planted."""
    shutil.copytree(FIXTURE, target)
    (target / "Pulumi.yaml.in").rename(target / "Pulumi.yaml")
    (target / "dotenv.prod-eu.in").rename(target / ".env.prod-eu")
    for path in target.rglob("*"):
        if path.is_file() and PLACEHOLDER in path.read_text():
            path.write_text(path.read_text().replace(PLACEHOLDER, CANARY))
    return target


@pytest.fixture(scope="session")
def fixture_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The report of the fixture project and its state exports: (output folder, the run)."""
    base = tmp_path_factory.mktemp("fixture-report")
    project = copy_fixture(base / "shop")
    out = base / "out"
    result = run_cli("report", ".", *STATES, "--out", str(out), cwd=project,
                     env={"SOURCE_DATE_EPOCH": "1793534400"})  # fmt: skip
    return out, result


@pytest.fixture(scope="session")
def example_report(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """The report of the repository's own example stacks (the README's project)."""
    out = tmp_path_factory.mktemp("example-report") / "out"
    result = run_cli("report", "--out", str(out), cwd=ROOT, env={"SOURCE_DATE_EPOCH": "1793534400"})
    return out, result


@pytest.fixture(scope="session")
def chromium() -> Path:
    """Debian's Chromium; its absence fails the browser tests (CI installs it), never skips them."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium package; "
            "run scripts/install-chromium (apt-get install chromium) first",
            pytrace=False,
        )
    return CHROMIUM


def run_chromium(chromium: Path, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Headless Chromium with a new, empty profile and no background network."""
    return subprocess.run(
        [str(chromium), *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True, text=True, timeout=180, check=False,
    )  # fmt: skip
