"""The real Pulumi engine for tests: built (or reused) by scripts/install-pulumi-engine.

`pulumi_engine` is session-scoped. Its `run(args, cwd)` runs `pulumi` offline: bin dir first on
PATH, a file backend in a fresh temporary folder per work dir (so `stack init` and `up` in the same
work dir share state), a throwaway PULUMI_HOME, no update check and no plugin downloads. It returns
the CompletedProcess (text stdout/stderr) and never raises on a non-zero exit code; a timeout
raises subprocess.TimeoutExpired. If the engine cannot be built, every test using it fails (it is
not skipped).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
INSTALL_SCRIPT = REPO_ROOT / "scripts" / "install-pulumi-engine"
# A first build compiles the CLI from source (~13 min on 2 cores); later runs reuse the cache.
INSTALL_TIMEOUT_S = 45 * 60
RUN_TIMEOUT_S = 300
PASSPHRASE = "test"


@dataclass
class PulumiEngine:
    bin_dir: Path
    scratch: Path
    home: Path
    _backends: dict[Path, Path] = field(default_factory=dict)

    @property
    def pulumi(self) -> Path:
        return self.bin_dir / "pulumi"

    def backend_dir(self, cwd: Path | str) -> Path:
        """The file backend for `cwd`: created empty on first use, then kept for the session."""
        key = Path(cwd).resolve()
        if key not in self._backends:
            self._backends[key] = Path(tempfile.mkdtemp(prefix="state-", dir=self.scratch))
        return self._backends[key]

    def env(self, cwd: Path | str, extra: Mapping[str, str] | None = None) -> dict[str, str]:
        """The offline environment for pulumi in `cwd` (ambient PULUMI_* variables are dropped)."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_")}
        env.update(
            PATH=f"{self.bin_dir}{os.pathsep}{os.environ.get('PATH', '')}",
            PULUMI_HOME=str(self.home),
            PULUMI_BACKEND_URL=self.backend_dir(cwd).as_uri(),
            PULUMI_CONFIG_PASSPHRASE=PASSPHRASE,
            PULUMI_SKIP_UPDATE_CHECK="true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION="true",
        )
        if extra:
            env.update(extra)
        return env

    def run(
        self,
        args: Sequence[str],
        cwd: Path | str,
        *,
        env: Mapping[str, str] | None = None,
        timeout: float = RUN_TIMEOUT_S,
    ) -> subprocess.CompletedProcess[str]:
        """Run `pulumi <args>` in `cwd`; `env` adds to (or overrides) the offline environment."""
        return subprocess.run(
            [str(self.pulumi), *args],
            cwd=cwd,
            env=self.env(cwd, env),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


@pytest.fixture(scope="session")
def pulumi_engine(tmp_path_factory: pytest.TempPathFactory) -> PulumiEngine:
    try:
        proc = subprocess.run(
            [str(INSTALL_SCRIPT)],
            cwd=REPO_ROOT,
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        pytest.fail(f"scripts/install-pulumi-engine could not run: {exc}", pytrace=False)
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        pytest.fail(
            f"scripts/install-pulumi-engine failed (exit {proc.returncode}):\n"
            f"{proc.stderr[-4000:]}",
            pytrace=False,
        )
    bin_dir = Path(lines[-1])
    if not (bin_dir / "pulumi").is_file():
        pytest.fail(
            f"scripts/install-pulumi-engine printed {bin_dir}, which has no pulumi", pytrace=False
        )
    scratch = tmp_path_factory.mktemp("pulumi-engine")
    home = scratch / "pulumi-home"
    home.mkdir()
    return PulumiEngine(bin_dir=bin_dir, scratch=scratch, home=home)
