"""Every module of the core imports on its own, first, in a fresh interpreter: a user's
`from residency_guard.repoconfig import load_repo_config` must not meet an import cycle that
the test suite's import order hides."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "residency_guard"


def core_modules() -> list[str]:
    names = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def test_every_core_module_imports_first_in_a_fresh_interpreter() -> None:
    # One interpreter per module (an import cycle shows only when its module comes first),
    # started from one script so that the suite pays one process start per module only.
    script = (
        "import subprocess, sys\n"
        "failed = [m for m in sys.argv[1:] if subprocess.run([sys.executable, '-c', "
        "f'import {m}'], capture_output=True).returncode]\n"
        "print(' '.join(failed))\n"
    )
    modules = core_modules()
    assert "residency_guard.repoconfig" in modules
    result = subprocess.run(
        [sys.executable, "-c", script, *modules], capture_output=True, text=True, cwd=ROOT,
        check=True,
    )  # fmt: skip
    assert result.stdout.split() == []


def test_reading_and_classifying_files_loads_no_rule() -> None:
    # Sources read files into documents and discovery classifies them; only the pipeline
    # judges (residency_guard.pipeline imports the rules): a file is read without them.
    readers = [m for m in core_modules() if m.startswith("residency_guard.sources")]
    readers.append("residency_guard.scanners.discover")
    assert "residency_guard.sources.stack_file" in readers
    script = (
        "import importlib, sys\n"
        "for m in sys.argv[1:]: importlib.import_module(m)\n"
        "print(' '.join(n for n in sorted(sys.modules) if n.startswith('residency_guard.rules')"
        " or n == 'residency_guard.pipeline'))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, *readers], capture_output=True, text=True, cwd=ROOT,
        check=True,
    )  # fmt: skip
    assert result.stdout.split() == []
