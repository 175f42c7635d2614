"""The pack's folder as the engine loads it: PulumiPolicy.yaml, a thin __main__.py, requirements."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path
from typing import Any

import yaml

from policies.residency_pack import PackState, all_policies

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def _pyproject() -> dict[str, Any]:
    with (PACK_DIR.parent / "pyproject.toml").open("rb") as handle:
        return tomllib.load(handle)


def test_pulumi_policy_yaml_names_a_virtualenv_inside_the_pack() -> None:
    # Published, the folder is all there is: the CLI installs requirements.txt into ./venv.
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    venv = (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == PACK_DIR / "venv"
    assert project["description"]


def test_pack_version_is_the_package_version() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["version"] == _pyproject()["project"]["version"]


def test_pack_files_name_no_path_outside_the_folder() -> None:
    for name in ("PulumiPolicy.yaml", "requirements.txt"):
        text = (PACK_DIR / name).read_text(encoding="utf-8")
        assert "../" not in text and "file:" not in text and "-e " not in text, name


def test_pack_virtualenv_and_caches_stay_out_of_git_and_the_published_tarball() -> None:
    ignored = (PACK_DIR / ".gitignore").read_text(encoding="utf-8").split()
    assert "venv/" in ignored and "__pycache__/" in ignored


def test_main_only_serves_the_policy_pack() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text(encoding="utf-8"))
    statements = [s for s in tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    docstring, guarded = statements
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    assert isinstance(guarded, ast.Try)
    (call,) = guarded.body
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    # serve: PolicyPack, answered by the pack's servicer (residency_pack/servicer.py).
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "serve"
    (handler,) = guarded.handlers
    assert isinstance(handler.type, ast.Name) and handler.type.id == "ServicerContractError"


def test_requirements_pin_the_core_at_the_package_version_with_its_pulumi_extra() -> None:
    lines = [
        line.strip()
        for line in (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    version = _pyproject()["project"]["version"]
    assert lines == [f"residency-guard[pulumi]=={version}"]
    # The extra pins the pack's runtime (one place for pins: pyproject.toml).
    pins = _pyproject()["project"]["optional-dependencies"]["pulumi"]
    assert sorted(p.split("==")[0] for p in pins) == ["pulumi", "pulumi-policy"]
    assert all("==" in p for p in pins)


def test_policy_names_are_unique_and_none_is_reserved(tmp_path: Path) -> None:
    names = [p.name for p in all_policies(PackState(pack_dir=tmp_path, stack_config={}))]
    assert len(names) == len(set(names)) and "all" not in names
