"""The pack as Pulumi Cloud ships it: `policies/` alone, its requirements in its own venv.

`pulumi policy publish` packs the pack's folder (nothing above it); the CLI of a deployment
unpacks it and installs `requirements.txt` into `<pack>/venv` (`virtualenv: venv` in
PulumiPolicy.yaml). Here: `policies/` is copied alone to a temporary folder, a wheel of this
project is built from a copy of its source (`pip wheel --no-deps`), the requirements go into a
fresh venv in the pack's folder from that wheel (pip reaches PyPI for pulumi-policy and the
rest, through its cache), and the real engine runs the copy on the example stacks. The
engine's environment carries no PYTHONPATH: the pack imports what its venv holds.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from .conftest import (
    FAKE_KEY,
    KEY_CONFIG,
    RAW_STACK,
    RAW_TYPE,
    REPO_ROOT,
    VENV,
    PackViolation,
    PulumiEngine,
    copy_fixture_program,
    copy_reference_project,
    init_stack,
    output,
    pack_violations,
)

pytestmark = pytest.mark.engine

SOURCES = ("pyproject.toml", "README.md", "residency_guard", "components")
PIP_TIMEOUT_S = 900
# What the published pack's engine environment must not inherit from the test run.
NO_PYTHONPATH = {"PYTHONPATH": ""}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        args, cwd=cwd, capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False,
        env={**_clean_env(), "PIP_DISABLE_PIP_VERSION_CHECK": "1"},
    )  # fmt: skip
    assert proc.returncode == 0, f"{args} exited {proc.returncode}\n{proc.stdout}\n{proc.stderr}"
    return proc


def _clean_env() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}


@dataclass(frozen=True)
class InstalledPack:
    folder: Path
    venv: Path
    wheel: Path


@pytest.fixture(scope="module")
def installed_pack(tmp_path_factory: pytest.TempPathFactory) -> InstalledPack:
    root = tmp_path_factory.mktemp("published")
    # The folder alone, as `pulumi policy publish` packs it (its .gitignore: no venv/, caches).
    folder = root / "residency-guard-pack"
    shutil.copytree(
        REPO_ROOT / "policies", folder,
        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "venv"),
    )  # fmt: skip
    # A wheel of this project, built from a copy of its source (nothing written into it).
    source = root / "source"
    source.mkdir()
    for name in SOURCES:
        src = REPO_ROOT / name
        if src.is_dir():
            shutil.copytree(src, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(src, source / name)
    wheels = root / "wheels"
    _run([str(VENV / "bin" / "python"), "-m", "pip", "wheel", "--no-deps", "-q", "-w",
          str(wheels), str(source)], root)  # fmt: skip
    [wheel] = sorted(wheels.glob("residency_guard-*.whl"))
    # The pack's venv where PulumiPolicy.yaml says, filled from requirements.txt.
    options = yaml.safe_load((folder / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    venv = folder / options["runtime"]["options"]["virtualenv"]
    _run([sys.executable, "-m", "venv", str(venv)], root)
    _run([str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "--find-links",
          str(wheels), "-r", str(folder / "requirements.txt")], folder)  # fmt: skip
    return InstalledPack(folder, venv, wheel)


def test_the_pack_folder_alone_installs_the_core_with_its_catalog(
    installed_pack: InstalledPack,
) -> None:
    probe = _run(
        [str(installed_pack.venv / "bin" / "python"), "-c",
         "import residency_guard, pulumi_policy; "
         "from residency_guard.catalog import shipped_catalog; "
         "print(residency_guard.__file__); print(sorted(shipped_catalog().regions))"],
        installed_pack.folder,
    )  # fmt: skip
    location, regions = probe.stdout.splitlines()
    assert Path(location).is_relative_to(installed_pack.venv), location  # the wheel, not a checkout
    assert "'eu'" in regions and "'us'" in regions


def test_the_installed_pack_passes_prod_eu(
    pulumi_engine: PulumiEngine, installed_pack: InstalledPack, tmp_path: Path
) -> None:
    project = copy_reference_project(tmp_path / "project")
    init_stack(pulumi_engine, project, "prod-eu", {KEY_CONFIG: FAKE_KEY})
    proc = pulumi_engine.run(
        ["preview", "--stack", "prod-eu", "--policy-pack", str(installed_pack.folder)],
        project, env=NO_PYTHONPATH,
    )  # fmt: skip
    text = output(proc)
    assert proc.returncode == 0, text
    assert "residency-guard@v0.1.0 (local: " in text, text
    assert "(region 'eu' from" in text, text  # the summary: the pack ran and read the stack
    assert not pack_violations(text), text
    assert FAKE_KEY not in text


def test_the_installed_pack_blocks_the_global_host(
    pulumi_engine: PulumiEngine, installed_pack: InstalledPack, tmp_path: Path
) -> None:
    project = copy_fixture_program("raw-env", tmp_path / "project")
    init_stack(pulumi_engine, project, RAW_STACK)
    proc = pulumi_engine.run(
        ["preview", "--stack", RAW_STACK, "--policy-pack", str(installed_pack.folder)],
        project, env=NO_PYTHONPATH,
    )  # fmt: skip
    text = output(proc)
    assert proc.returncode != 0, text
    assert PackViolation("mandatory", "openai-endpoint-region", RAW_TYPE, "worker-env", "RG001",
                         "worker-env.env.OPENAI_BASE_URL") in pack_violations(text), text  # fmt: skip
