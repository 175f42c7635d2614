"""What a run scans and with which settings: project files, stack folders, repo configs."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from residency_guard import yamlfile
from residency_guard.scan import scan_paths
from tests.core.test_cli import run

GLOBAL_URL = "config:\n  {project}:openaiBaseUrl: https://us.api.openai.com/v1\n"


def _project(folder: Path, name: str, stacks: dict[str, str], config: str = "") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "Pulumi.yaml").write_text(f"name: {name}\nruntime: python\n{config}")
    for stack, text in stacks.items():
        (folder / f"Pulumi.{stack}.yaml").write_text(text.format(project=name))
    return folder


def _verdicts(*paths: str, cwd: Path) -> tuple[int, list[tuple[str, str]]]:
    result = run("check", "--format", "json", *paths, cwd=cwd)
    data = json.loads(result.stdout)
    return result.returncode, sorted((f["file"], f["rule"]) for f in data["findings"])


def test_project_file_without_stacks_exits_2_like_its_folder(tmp_path: Path) -> None:
    _project(tmp_path / "app", "app", {})
    by_file = run("check", "app/Pulumi.yaml", cwd=tmp_path)
    by_folder = run("check", "app", cwd=tmp_path)
    assert (by_file.returncode, by_folder.returncode) == (2, 2)
    assert by_file.stderr == (
        "residency-guard: error: app/Pulumi.yaml: no stack files (Pulumi.<stack>.yaml) in this "
        "Pulumi project; pass the stack files, or commit them\n"
    )


def test_project_file_with_stacks_is_judged(tmp_path: Path) -> None:
    _project(
        tmp_path / "app",
        "app",
        {
            "prod": "config:\n  residency-guard:region: eu\n"
            "  app:openaiBaseUrl: https://api.openai.com/v1\n"
        },
    )
    assert _verdicts("app/Pulumi.yaml", cwd=tmp_path) == (1, [("app/Pulumi.prod.yaml", "RG001")])


def test_legacy_config_string_is_the_stack_folder(tmp_path: Path) -> None:
    # `pulumi config get` on the real engine reads environments/Pulumi.<stack>.yaml here
    # (tests/engine/test_stack_config_dir.py holds the engine to it).
    folder = _project(tmp_path / "app", "app", {}, config="config: environments\n")
    (folder / "environments").mkdir()
    (folder / "environments" / "Pulumi.prod.yaml").write_text(
        "config:\n  residency-guard:region: eu\n  app:openaiBaseUrl: https://api.openai.com/v1\n"
    )
    expected = (1, [("app/environments/Pulumi.prod.yaml", "RG001")])
    assert _verdicts("app", cwd=tmp_path) == expected
    assert _verdicts("app/Pulumi.yaml", cwd=tmp_path) == expected


def test_legacy_config_string_and_stack_config_dir_is_refused_as_the_engine_does(
    tmp_path: Path,
) -> None:
    _project(tmp_path / "app", "app", {}, config="config: environments\nstackConfigDir: other\n")
    result = run("check", "app", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        "residency-guard: error: app/Pulumi.yaml:3: Should not use both config and "
        "stackConfigDir to define the stack directory; use only stackConfigDir\n"
    )


def _two_teams(root: Path) -> None:
    for team, region in (("team-eu", "eu"), ("team-us", "us")):
        folder = _project(root / team, team, {"prod": GLOBAL_URL})
        (folder / "residency-guard.yaml").write_text(f"stacks:\n  'prod*': {region}\n")


def test_each_path_is_judged_with_its_own_repo_config_in_any_order(tmp_path: Path) -> None:
    _two_teams(tmp_path)
    expected = (1, [("team-eu/Pulumi.prod.yaml", "RG001")])  # us.api.openai.com: US only
    assert _verdicts("team-eu", "team-us", cwd=tmp_path) == expected
    assert _verdicts("team-us", "team-eu", cwd=tmp_path) == expected
    assert _verdicts("team-us/Pulumi.prod.yaml", "team-eu", cwd=tmp_path) == expected


def test_a_folder_scan_judges_a_nested_project_with_its_nearest_config(tmp_path: Path) -> None:
    _two_teams(tmp_path)
    (tmp_path / "residency-guard.yaml").write_text("stacks:\n  'prod*': global\n")
    assert _verdicts("team-eu/Pulumi.prod.yaml", "team-us/Pulumi.prod.yaml", cwd=tmp_path) == (
        1, [("team-eu/Pulumi.prod.yaml", "RG001")],
    )  # fmt: skip


def test_the_strictest_fail_on_of_the_configs_decides(tmp_path: Path) -> None:
    _two_teams(tmp_path)
    with (tmp_path / "team-us" / "residency-guard.yaml").open("a") as config:
        config.write("fail-on: note\n")
    (tmp_path / "team-eu" / "Pulumi.prod.yaml").write_text("config:\n  other:key: value\n")
    # team-eu is clean now; team-us's US stack gets no error, but its config fails on notes
    # and team-eu's would not: a note anywhere fails the run.
    (tmp_path / "team-us" / "Pulumi.prod.yaml").write_text(
        "config:\n  team-us:openaiBaseUrl: ${OPENAI_HOST}\n"
    )
    code, found = _verdicts("team-eu", "team-us", cwd=tmp_path)
    assert found and code == 1


def _read_counts(monkeypatch: Any) -> tuple[Counter[str], Counter[str]]:
    """Every open of a file by the run, and every YAML composition, by file name."""
    opened: Counter[str] = Counter()
    composed: Counter[str] = Counter()
    real_open, real_compose, real_compose_all = Path.open, yamlfile._compose, yamlfile._compose_all

    def counted_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        opened[os.path.realpath(self)] += 1
        return real_open(self, *args, **kwargs)

    def counted_compose(text: str, file: str) -> Any:
        composed[os.path.realpath(file)] += 1
        return real_compose(text, file)

    def counted_compose_all(text: str, file: str) -> Any:
        composed[os.path.realpath(file)] += 1
        return real_compose_all(text, file)

    monkeypatch.setattr(Path, "open", counted_open)
    monkeypatch.setattr(yamlfile, "_compose_all", counted_compose_all)
    monkeypatch.setattr(yamlfile, "_compose", counted_compose)
    return opened, composed


def _shop(folder: Path) -> list[Path]:
    """A YAML program's project, two stacks importing one ESC environment, a dotenv file and
    a settings file held to the region: each holds a finding."""
    files = {
        "Pulumi.yaml": "name: shop\nruntime: yaml\nconfig:\n  openaiBaseUrl: https://api.openai.com/v1\n"
        "variables:\n  url: https://api.openai.com/v1\n",
        "Main.yaml": "resources:\n  bucket:\n    type: aws:s3:Bucket\n    properties:\n"
        "      tags: {OPENAI_BASE_URL: 'https://api.openai.com/v1'}\n",
        "Pulumi.prod-eu.yaml": "environment: [shop/base]\nconfig:\n  residency-guard:region: eu\n",
        "Pulumi.web-eu.yaml": "environment: [shop/base]\nconfig:\n  residency-guard:region: eu\n",
        "esc/shop/base.yaml": "values:\n  environmentVariables:\n"
        "    OPENAI_BASE_URL: https://api.openai.com/v1\n",
        ".env.prod-eu": "# residency-guard:region: eu\nOPENAI_BASE_URL=https://api.openai.com/v1\n",
        "k8s/app.yaml": "env:\n  - name: OPENAI_BASE_URL\n    value: https://api.openai.com/v1\n",
        "residency-guard.yaml": "paths:\n  'k8s/*.yaml': eu\n",
    }
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    return [folder / name for name in files if name != "residency-guard.yaml"]


STACKS = ["Pulumi.prod-eu.yaml", "Pulumi.web-eu.yaml"]
PROGRAM_AND_ESC = ["Pulumi.yaml", "Main.yaml", "esc/shop/base.yaml"]


@pytest.mark.parametrize(
    ("paths", "with_findings"),
    [
        (["."], [*PROGRAM_AND_ESC, ".env.prod-eu", "k8s/app.yaml"]),
        (STACKS, PROGRAM_AND_ESC),  # each stack file finds its project on its own
    ],
    ids=["folder", "stack files named"],
)
def test_a_run_reads_and_composes_each_input_file_once(
    tmp_path: Path, monkeypatch: Any, paths: list[str], with_findings: list[str]
) -> None:
    # Discovery, the sources and the suppression pass share one read of each file: the project
    # file too (discovery reads its stackConfigDir and default region, every stack inherits it).
    _shop(tmp_path)
    monkeypatch.chdir(tmp_path)
    opened, composed = _read_counts(monkeypatch)
    run = scan_paths([Path(p) for p in paths])
    assert {f.file for f in run.findings} >= set(with_findings)
    for name in {*STACKS, *with_findings}:
        assert opened[os.path.realpath(name)] == 1, name
        if name.endswith(".yaml"):
            assert composed[os.path.realpath(name)] == 1, name
