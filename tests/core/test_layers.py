"""The core keeps its layers (front ends -> outputs -> pipeline -> rules -> classification ->
catalog -> sources, and the layers inside sources): import-linter's contracts in
pyproject.toml, run as CI runs them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / "pyproject.toml")],
        capture_output=True, text=True, cwd=root, env=env, check=False, timeout=300,
    )  # fmt: skip


def test_the_core_keeps_its_layers() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Contracts: 4 kept, 0 broken." in result.stdout


def test_a_source_that_imports_a_rule_breaks_the_contract(tmp_path: Path) -> None:
    # The contract bites: a copy of the core whose dotenv source asks a rule is refused,
    # with the import named.
    shutil.copytree(ROOT / "residency_guard", tmp_path / "residency_guard")
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    source = tmp_path / "residency_guard" / "sources" / "dotenv.py"
    source.write_text(
        source.read_text(encoding="utf-8") + "\nfrom residency_guard.rules import RULES  # noqa\n",
        encoding="utf-8",
    )
    result = lint_imports(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "residency_guard.sources.dotenv -> residency_guard.rules" in result.stdout
