"""Fixtures for tests that run real checkov from its own virtualenv.

checkov pins packaging<24 and pulumi needs packaging>=26, so checkov never lives in the
project's main venv: ``scripts/install-checkov-env`` builds (or reuses, via a stamp) a
separate venv with checkov plus an editable install of this repository. A failed install
fails the tests that need it; it is never turned into a skip.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INSTALLER = REPO / "scripts" / "install-checkov-env"
INSTALL_TIMEOUT_S = 1800  # a cold install downloads ~100 wheels; a warm one returns in <1 s
RUN_TIMEOUT_S = 300

# Variables that would leak the main venv's packages into checkov's interpreter.
_PYTHON_ENV_LEAKS = ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "__PYVENV_LAUNCHER__")

# No network but the package registries: never call checkov's vendor API.
# --skip-download and BC_SKIP_MAPPING=TRUE both set bc_integration.skip_download;
# CKV_SKIP_PACKAGE_UPDATE_CHECK stops the banner's "newer version?" request to PyPI.
CHECKOV_ENV = {
    "BC_SKIP_MAPPING": "TRUE",
    "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true",
    "ANSI_COLORS_DISABLED": "1",
}

RunCheckov = Callable[..., "subprocess.CompletedProcess[str]"]


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _PYTHON_ENV_LEAKS}
    env.update(extra or {})
    return env


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.splitlines()[-lines:])


@pytest.fixture(scope="session")
def checkov_bin() -> Path:
    """Path to the ``checkov`` executable in checkov's own venv (installed on first use)."""
    try:
        proc = subprocess.run(
            [str(INSTALLER)],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            env=_clean_env(),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{INSTALLER} timed out after {exc.timeout}s", pytrace=False)
    if proc.returncode != 0:
        pytest.fail(
            f"{INSTALLER} failed with exit code {proc.returncode}:\n{_tail(proc.stderr)}",
            pytrace=False,
        )
    out_lines = proc.stdout.strip().splitlines()
    if not out_lines:
        pytest.fail(f"{INSTALLER} printed no bin directory", pytrace=False)
    exe = Path(out_lines[-1]) / "checkov"
    if not (exe.is_file() and os.access(exe, os.X_OK)):
        pytest.fail(
            f"{INSTALLER} reported {out_lines[-1]!r}, but {exe} is not executable", pytrace=False
        )
    return exe


@pytest.fixture(scope="session")
def run_checkov(checkov_bin: Path) -> RunCheckov:
    """``run_checkov(*args, cwd=None, env=None, timeout=300)`` -> CompletedProcess[str].

    Adds ``--skip-download`` unless present, runs offline-safe, never raises on a non-zero
    exit (checkov exits 1 on failed checks): assert on ``returncode`` yourself.
    """

    def run(
        *args: str | os.PathLike[str],
        cwd: str | os.PathLike[str] | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = RUN_TIMEOUT_S,
    ) -> subprocess.CompletedProcess[str]:
        argv = [str(checkov_bin), *(str(a) for a in args)]
        if "--skip-download" not in argv:
            argv.append("--skip-download")
        return subprocess.run(
            argv,
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=cwd,
            env=_clean_env({**CHECKOV_ENV, **(env or {})}),
            stdin=subprocess.DEVNULL,
            check=False,
        )

    return run
