"""policies/checkov/residency_guard_checks.py, loaded in checkov's own environment as checkov
loads it: one yaml and one json check per rule that names one, under the public ids, names
and severities (users' skip lists, `--check` filters and SARIF rule ids depend on them)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from residency_guard.checkov_support import CHECKOV_RULES, CHECKOV_SEVERITY
from residency_guard.rules import RULES
from tests.checkov_env.conftest import CHECKOV_ENV, _clean_env

from .conftest import REPO

pytestmark = pytest.mark.checkov

CHECKS_DIR = REPO / "policies" / "checkov"

# The published checks, written out: id -> (name, severity). Never renumber or rename one; a
# new rule's check joins them.
CONTRACT = {
    "CKV_RG_1": ("Ensure OpenAI endpoints are in the stack's region", "HIGH"),
    "CKV_RG_2": ("Ensure OpenAI hosts are known and correctly configured", "HIGH"),
    "CKV_RG_3": ("Ensure models are eligible in the stack's region", "HIGH"),
    "CKV_RG_4": ("Ensure models are pinned to the dated snapshots the region requires", "HIGH"),
    "CKV_RG_5": ("Ensure the API surfaces used are covered in the stack's region", "HIGH"),
    "CKV_RG_6": ("Ensure OPENAI_BASE_URL is set, not the ignored OPENAI_API_BASE", "HIGH"),
    "CKV_RG_7": ("Ensure no OpenAI API key is stored in plain text", "HIGH"),
    "CKV_RG_8": ("Ensure the stack declares a region", "HIGH"),
    "CKV_RG_9": ("Ensure the stack's region declarations agree", "HIGH"),
    "CKV_RG_10": ("Ensure OpenAI endpoints are unambiguous https URLs", "HIGH"),
    "CKV_RG_11": ("Ensure OpenAI endpoints can be checked statically", "HIGH"),
    "CKV_RG_12": ("Ensure Azure OpenAI accounts are in the stack's region", "HIGH"),
    "CKV_RG_13": ("Ensure Azure OpenAI deployment SKUs process data in the stack's region",
                  "HIGH"),
    "CKV_RG_14": ("Ensure no model banned by the team catalog is used", "HIGH"),
    "CKV_RG_15": ("Ensure the stack's YAML reads the same in the Pulumi engine and other tools",
                  "HIGH"),
    "CKV_RG_17": ("Ensure the stack's region id is known to the catalog", "HIGH"),
    "CKV_RG_18": ("Ensure an OpenAI API key is delivered with the region's base URL", "HIGH"),
    "CKV_RG_19": ("Ensure the conditions the region tables put on the stack's models and "
                  "surfaces are met", "LOW"),
    "CKV_RG_20": ("Ensure SDK variables send OpenAI traffic to no other provider or proxy",
                  "HIGH"),
    "CKV_RG_21": ("Ensure imported Pulumi ESC environments are in the repository", "HIGH"),
}  # fmt: skip

# Loads every module of the folder as checkov's _load_external_checks_from_disk does (bare
# name, spec_from_file_location), twice (once per framework), and prints what registered.
_LOADER = """
import importlib.util, json, os, sys
from checkov.yaml_doc.registry import registry as yaml_registry
from checkov.json_doc.registry import registry as json_registry
folder = sys.argv[1]
sys.path.insert(1, folder)
for _ in range(2):
    for entry in sorted(os.scandir(folder), key=lambda e: e.name):
        if entry.name.endswith(".py") and not entry.name.startswith("__"):
            name = entry.name[:-3]
            spec = importlib.util.spec_from_file_location(name, entry.path)
            module = importlib.util.module_from_spec(spec)
            sys.modules[name] = module
            spec.loader.exec_module(module)
out = []
for framework, registry in (("yaml", yaml_registry), ("json", json_registry)):
    for checks in registry.wildcard_checks.values():
        for check in checks:
            if check.id.startswith("CKV_RG_"):
                out.append([framework, check.id, check.name, check.severity.name,
                            type(check).__name__, check.rule_id])
print(json.dumps(out))
"""


@pytest.fixture(scope="module")
def registered(checkov_bin: Path) -> list[list[str]]:
    proc = subprocess.run(
        [str(checkov_bin.parent / "python"), "-c", _LOADER, str(CHECKS_DIR)],
        capture_output=True, text=True, timeout=300, env=_clean_env(CHECKOV_ENV),
        stdin=subprocess.DEVNULL, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows: list[list[str]] = json.loads(proc.stdout.strip().splitlines()[-1])
    return rows


def test_each_framework_registers_one_check_per_rule_of_the_registry(
    registered: list[list[str]],
) -> None:
    for framework in ("yaml", "json"):
        ids = [row[1] for row in registered if row[0] == framework]
        assert sorted(ids) == sorted(RULES[r].checkov_id for r in CHECKOV_RULES)
        assert len(ids) == len(set(ids))  # loaded twice, registered once


def test_checks_carry_the_rule_s_name_and_severity(registered: list[list[str]]) -> None:
    for framework, check_id, name, severity, class_name, rule_id in registered:
        rule = RULES[rule_id]
        assert check_id == rule.checkov_id
        assert (name, severity) == (rule.checkov_name, CHECKOV_SEVERITY[rule.severity])
        assert class_name == f"{type(rule).__name__}{framework.capitalize()}"


def test_published_ids_keep_their_names_and_severities(registered: list[list[str]]) -> None:
    for framework in ("yaml", "json"):
        found = {row[1]: (row[2], row[3]) for row in registered if row[0] == framework}
        assert {check_id: found.get(check_id) for check_id in CONTRACT} == CONTRACT


def test_the_folder_holds_one_check_module_that_shadows_nothing() -> None:
    modules = sorted(p.stem for p in CHECKS_DIR.glob("*.py") if p.name != "__init__.py")
    assert modules == ["residency_guard_checks"]
    assert modules[0] not in sys.stdlib_module_names and modules[0] not in sys.modules
    assert (CHECKS_DIR / "__init__.py").is_file()  # checkov loads no folder without one
