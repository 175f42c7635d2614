"""scripts/mutation.py: the shard table keeps naming real modules and tests, and each shard's
copy gets a mutmut config that mutmut can read."""

from __future__ import annotations

import fnmatch
import importlib.util
import json
import shutil
import sys
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def mutation() -> ModuleType:
    spec = importlib.util.spec_from_file_location("mutation", ROOT / "scripts" / "mutation.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["mutation"] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def python_files(folder: str) -> list[str]:
    return [p.relative_to(ROOT).as_posix() for p in sorted((ROOT / folder).rglob("*.py"))]


def test_every_rule_module_and_pack_module_is_in_a_shard(mutation: ModuleType) -> None:
    globs = [g for shard in mutation.SHARDS.values() for g in shard.mutate]
    wanted = python_files("residency_guard/rules") + python_files("policies/residency_pack")
    missing = [f for f in wanted if not any(fnmatch.fnmatch(f, g) for g in globs)]
    assert missing == []


def test_every_shard_names_files_that_exist(mutation: ModuleType) -> None:
    for name, shard in mutation.SHARDS.items():
        for glob in shard.mutate:
            assert [f for f in python_files(glob.split("/")[0]) if fnmatch.fnmatch(f, glob)], (
                name, glob,
            )  # fmt: skip
        for test in shard.tests:
            if test == "--deselect":
                continue
            path, _, function = test.partition("::")
            assert (ROOT / path).exists(), (name, test)
            if function:  # a deselected test that is gone would leave its mutants to others
                assert f"def {function}(" in (ROOT / path).read_text(encoding="utf-8"), test


def test_a_shard_copy_gets_its_modules_tests_and_the_rest_of_the_tree(
    mutation: ModuleType, tmp_path: Path
) -> None:
    work = tmp_path / "rules"
    work.mkdir()
    shutil.copy(ROOT / "pyproject.toml", work / "pyproject.toml")
    for name in ("docs", "stacks", "residency_guard", "tests"):
        (work / name).mkdir()
    mutation.write_shard_config(work, mutation.SHARDS["rules"])
    text = (work / "pyproject.toml").read_text(encoding="utf-8")
    config = tomllib.loads(text)["tool"]["mutmut"]
    assert text.count("[tool.mutmut]") == 1
    assert config["only_mutate"] == ["residency_guard/rules/*", "residency_guard/azure.py"]
    assert config["pytest_add_cli_args_test_selection"][0] == "tests/core/test_rules.py"
    assert config["source_paths"] == ["residency_guard", "policies", "components"]
    assert config["also_copy"] == ["docs", "pyproject.toml", "stacks"]


@pytest.mark.parametrize(
    ("mutant", "module"),
    [
        ("residency_guard.hosts.x_classify_endpoint__mutmut_12", "residency_guard.hosts"),
        (
            "residency_guard.rules.base.x\u01c1Rule\u01c1finding__mutmut_3",
            "residency_guard.rules.base",
        ),
        ("policies.residency_pack.state.x_helper__mutmut_1", "policies.residency_pack.state"),
    ],
)
def test_a_mutant_is_counted_for_its_module(mutation: ModuleType, mutant: str, module: str) -> None:
    assert mutation.module_of(mutant) == module


def test_a_survivors_run_keeps_the_kills_mutmut_forgot_on_a_new_test_selection(
    mutation: ModuleType, tmp_path: Path
) -> None:
    """mutmut resets every result when a shard's test selection changes; a survivors' run
    then leaves the mutants it did not name without a result. Those killed before, in an
    unchanged function, are killed again in the summary; a changed function's are not."""
    meta = tmp_path / "mutants" / "pkg" / "mod.py.meta"
    meta.parent.mkdir(parents=True)
    names = {n: f"pkg.mod.x_{f}__mutmut_{i}" for n, f, i in
             (("kept", "same", 1), ("changed", "edited", 1), ("named", "same", 2))}  # fmt: skip
    before = {
        "exit_code_by_key": {names["kept"]: 1, names["changed"]: 1, names["named"]: 0},
        "hash_by_function_name": {"x_same": "aaa", "x_edited": "bbb"},
    }
    meta.write_text(json.dumps(before), encoding="utf-8")
    kept = mutation.killed_before(tmp_path)
    after = {  # mutmut's reset, the function `edited` changed, the survivor `named` run again
        "exit_code_by_key": {names["kept"]: None, names["changed"]: None, names["named"]: 1},
        "hash_by_function_name": {"x_same": "aaa", "x_edited": "ccc"},
    }
    meta.write_text(json.dumps(after), encoding="utf-8")
    mutation.restore_killed(tmp_path, kept)
    statuses = mutation.collect(tmp_path)["pkg.mod"]
    assert statuses[names["kept"]][0] == "killed"
    assert statuses[names["changed"]][0] == "not checked"
    assert statuses[names["named"]][0] == "killed"
