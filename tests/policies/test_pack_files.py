"""The pack's folder as the engine loads it: PulumiPolicy.yaml, a thin __main__.py, requirements."""

from __future__ import annotations

import ast
from pathlib import Path

import yaml

from policies.residency_pack import PackState, all_policies

PACK_DIR = Path(__file__).resolve().parents[2] / "policies"


def test_pulumi_policy_yaml_runs_python_in_the_project_venv() -> None:
    project = yaml.safe_load((PACK_DIR / "PulumiPolicy.yaml").read_text(encoding="utf-8"))
    assert project["runtime"]["name"] == "python"
    venv = (PACK_DIR / project["runtime"]["options"]["virtualenv"]).resolve()
    assert venv == PACK_DIR.parent / ".venv"
    assert project["version"] and project["description"]


def test_main_only_builds_the_policy_pack() -> None:
    tree = ast.parse((PACK_DIR / "__main__.py").read_text(encoding="utf-8"))
    statements = [s for s in tree.body if not isinstance(s, ast.Import | ast.ImportFrom)]
    docstring, capture, call = statements
    assert isinstance(docstring, ast.Expr) and isinstance(docstring.value, ast.Constant)
    # The stack config arrives only in ConfigureStack: kept before the server starts.
    assert isinstance(capture, ast.Expr) and isinstance(capture.value, ast.Call)
    assert isinstance(capture.value.func, ast.Name)
    assert capture.value.func.id == "capture_stack_config"
    assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
    assert isinstance(call.value.func, ast.Name) and call.value.func.id == "PolicyPack"


def test_requirements_name_the_core_with_its_pulumi_extra() -> None:
    lines = (PACK_DIR / "requirements.txt").read_text(encoding="utf-8").splitlines()
    assert "residency-guard[pulumi]" in [line.strip() for line in lines]


def test_policy_names_are_unique_and_none_is_reserved(tmp_path: Path) -> None:
    names = [p.name for p in all_policies(PackState(pack_dir=tmp_path, stack_config={}))]
    assert len(names) == len(set(names)) and "all" not in names
