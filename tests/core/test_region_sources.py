"""Where a stack's or a file's region comes from, judged in-process: ``paths:`` and
``exclude:`` globs, ``--region``, a dotenv file named for a stack, the project file's
default, the component's output, and the endpoints read once per value."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.context import StackContext
from residency_guard.errors import ConfigError
from residency_guard.repoconfig import RepoConfig, load_repo_config
from residency_guard.scan import scan_paths
from residency_guard.stackregion import (
    COMPONENT_TYPE,
    Declaration,
    RegionSource,
    component_declaration,
    component_region,
    held_declarations,
    project_declaration,
    resolve_region,
    stack_declarations,
)
from residency_guard.values import Value
from residency_guard.yamlfile import load_yaml
from tests.core.helpers import scan_yaml

US_URL = "https://us.api.openai.com/v1"
GLOBAL_URL = "https://api.openai.com/v1"


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return folder


def config_with(tmp_path: Path, text: str) -> RepoConfig:
    return load_repo_config(
        write(tmp_path, {"residency-guard.yaml": text}) / "residency-guard.yaml"
    )


# --- `paths:` and `exclude:` globs ---------------------------------------------------------

# (glob as written, a path relative to the config's folder, whether the glob holds it)
PATH_GLOBS = [
    ("deploy/eu", "deploy/eu/chat.yaml", True),  # a folder holds every file beneath it
    ("deploy/eu", "deploy/eu/k8s/chat.yaml", True),
    ("deploy/eu/", "deploy/eu/chat.yaml", True),  # a trailing '/' is the same folder
    ("./deploy/eu", "deploy/eu/chat.yaml", True),  # so is a leading './'
    ("deploy/eu", "deploy/eu2/chat.yaml", False),  # a folder, not a prefix
    ("deploy/eu", "deploy/europe.yaml", False),
    ("deploy/eu", "other/deploy/eu/chat.yaml", False),  # anchored at the config's folder
    ("compose.yaml", "compose.yaml", True),  # a file by its name
    ("compose.yaml", "app/compose.yaml", False),
    ("*.yaml", "k8s/chat.yaml", True),  # fnmatch's '*' crosses folders
    ("charts/*/values.yaml", "charts/chat/values.yaml", True),
    ("charts/*/values.yaml", "charts/chat/other.yaml", False),
    ("**/values.yaml", "values.yaml", True),  # '**/' also at the top
    ("**/values.yaml", "charts/chat/values.yaml", True),
    ("**/values.yaml", "charts/chat/other.yaml", False),
    ("apps/ONYX", "apps/ONYX/settings.json", True),  # a name ending in X keeps its X
    ("apps/ONYX", "apps/ONY/settings.json", False),
]


@pytest.mark.parametrize(("glob", "relative", "holds"), PATH_GLOBS)
def test_a_paths_glob_holds_the_files_it_names(
    tmp_path: Path, glob: str, relative: str, holds: bool
) -> None:
    repo = config_with(tmp_path, f"paths:\n  '{glob}': eu\n")
    held = repo.region_for_path(tmp_path / relative)
    assert held == ((glob, "eu", 2) if holds else None)


@pytest.mark.parametrize(("glob", "relative", "holds"), PATH_GLOBS)
def test_an_exclude_glob_leaves_out_the_files_it_names(
    tmp_path: Path, glob: str, relative: str, holds: bool
) -> None:
    repo = config_with(tmp_path, f"exclude:\n  - '{glob}'\n")
    assert repo.excludes(tmp_path / relative) is holds


def test_the_first_paths_glob_that_matches_gives_the_region_and_its_line(tmp_path: Path) -> None:
    repo = config_with(tmp_path, "paths:\n  deploy/us: us\n  deploy: eu\n  '*.json': gb\n")
    assert repo.region_for_path(tmp_path / "deploy/us/a.yaml") == ("deploy/us", "us", 2)
    assert repo.region_for_path(tmp_path / "deploy/eu/a.yaml") == ("deploy", "eu", 3)
    assert repo.region_for_path(tmp_path / "deploy/a.json") == ("deploy", "eu", 3)
    assert repo.region_for_path(tmp_path / "tools/a.json") == ("*.json", "gb", 4)
    assert repo.region_for_path(tmp_path / "tools/a.yaml") is None


def test_paths_outside_the_config_folder_are_held_by_no_glob(tmp_path: Path) -> None:
    repo = config_with(tmp_path / "repo", "paths:\n  '*': eu\nexclude: ['*']\n")
    outside = tmp_path / "elsewhere" / "chat.yaml"
    assert repo.region_for_path(outside) is None
    assert repo.excludes(outside) is False
    assert repo.excludes(tmp_path / "repo" / "chat.yaml") is True


def test_without_a_file_or_a_glob_nothing_is_held_or_excluded(tmp_path: Path) -> None:
    # Settings made in code (no file to be relative to) hold nothing by path.
    in_code = RepoConfig(paths=(("*", "eu", 1),), exclude=("*",))
    assert in_code.region_for_path(tmp_path / "chat.yaml") is None
    assert in_code.excludes(tmp_path / "chat.yaml") is False
    written = config_with(tmp_path, "stacks:\n  '*': eu\n")
    assert written.region_for_path(tmp_path / "chat.yaml") is None
    assert written.excludes(tmp_path / "chat.yaml") is False


MANIFEST = "data:\n  OPENAI_BASE_URL: https://api.openai.com/v1\n"


def test_a_folder_scan_judges_the_held_files_and_leaves_the_excluded_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, {
        "residency-guard.yaml": "paths:\n  deploy: eu\n  './tools/': us\nexclude:\n  - deploy/fixtures/\n",
        "deploy/eu/chat.yaml": MANIFEST,
        "deploy/fixtures/bad.yaml": MANIFEST,
        "tools/gen.yaml": MANIFEST,
        "other/chat.yaml": MANIFEST,  # held to no region: not judged
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    run = scan_paths([Path(".")])
    assert run.errors == []
    judged = {scan.file: scan.resolution for scan in run.scans}
    assert sorted(judged) == ["deploy/eu/chat.yaml", "tools/gen.yaml"]
    eu = judged["deploy/eu/chat.yaml"]
    assert (eu.region, eu.source) == ("eu", RegionSource.REPO_MAPPING)
    assert eu.declarations[0].where.startswith("paths: 'deploy' in ")
    assert eu.declarations[0].line == 2
    assert judged["tools/gen.yaml"].region == "us"
    assert sorted((f.file, f.rule) for f in run.findings) == [
        ("deploy/eu/chat.yaml", "RG001"), ("tools/gen.yaml", "RG001"),
    ]  # fmt: skip


# --- held_declarations: `--region`, `paths:`, a dotenv named for a stack -------------------


def test_region_on_the_command_line_outranks_paths(tmp_path: Path) -> None:
    repo = config_with(tmp_path, "paths:\n  deploy: us\n")
    held = held_declarations(tmp_path / "deploy/chat.yaml", repo, region="eu")
    assert held == (Declaration("eu", RegionSource.COMMAND_LINE, "--region", 0, ""),)
    assert held_declarations(tmp_path / "deploy/chat.yaml", None, region="gb") == (
        Declaration("gb", RegionSource.COMMAND_LINE, "--region", 0, ""),
    )


def test_a_paths_claim_names_its_glob_file_and_line(tmp_path: Path) -> None:
    repo = config_with(tmp_path, "# regions by folder\npaths:\n  deploy: us\n")
    config = str(tmp_path / "residency-guard.yaml")
    assert held_declarations(tmp_path / "deploy/chat.yaml", repo) == (
        Declaration("us", RegionSource.REPO_MAPPING, f"paths: 'deploy' in {config}", 3, config),
    )
    assert held_declarations(tmp_path / "tools/chat.yaml", repo) == ()
    assert held_declarations(tmp_path / "deploy/chat.yaml", None) == ()


def test_a_dotenv_named_for_a_stack_takes_every_glob_that_holds_the_stack(
    tmp_path: Path,
) -> None:
    """As for the stack file: the first glob first, and a later one of another region kept as
    a claim of its own (RG009), never a silent choice."""
    repo = config_with(tmp_path, "stacks:\n  prod-eu-*: eu\n  prod-*: us\n  '*-1': eu\n")
    config = str(tmp_path / "residency-guard.yaml")
    held = held_declarations(tmp_path / ".env.prod-eu-1", repo, named_stack="prod-eu-1")
    assert held == (
        Declaration("eu", RegionSource.REPO_MAPPING, f"stacks: 'prod-eu-*' in {config}", 2, config),
        Declaration("us", RegionSource.REPO_MAPPING, f"stacks: 'prod-*' in {config}", 3, config),
    )
    assert held_declarations(tmp_path / ".env.dev", repo, named_stack="dev") == ()


def test_a_file_named_for_no_stack_is_not_held_by_a_stacks_glob(tmp_path: Path) -> None:
    # `stacks: {'*': eu}` holds every stack, not every file: a settings file needs `paths:`.
    repo = config_with(tmp_path, "stacks:\n  '*': eu\n")
    assert held_declarations(tmp_path / "chat.yaml", repo) == ()
    assert held_declarations(tmp_path / ".env.prod", repo, named_stack="prod") != ()


# --- the project file's default ----------------------------------------------------------


def project_default(text: str) -> Declaration | None:
    return project_declaration(load_yaml(text, "app/Pulumi.yaml"), Path("app/Pulumi.yaml"))


@pytest.mark.parametrize(
    ("text", "region", "line"),
    [
        ("name: shop\nruntime: python\nconfig:\n  residency-guard:region: eu\n", "eu", 4),
        ("name: shop\nconfig:\n  other:key: 1\n  residency-guard:region:\n    default: gb\n",
         "gb", 5),
        ("name: shop\nconfig:\n  residency-guard:region: {value: jp}\n", "jp", 3),
        ("name: shop\nconfig:\n  residency-guard:region:\n    type: string\n    value: ca\n",
         "ca", 4),
        # A bare key belongs to the project's own namespace.
        ("name: residency-guard\nruntime: python\nconfig:\n  region: au\n", "au", 4),
        ("name: shop\nconfig:\n  residency-guard:config:region: in\n", "in", 3),
    ],
)  # fmt: skip
def test_the_project_files_default_region_is_read_with_its_line(
    text: str, region: str, line: int
) -> None:
    assert project_default(text) == Declaration(
        region, RegionSource.STACK_CONFIG, f"app/Pulumi.yaml:{line}", line, "app/Pulumi.yaml"
    )


@pytest.mark.parametrize(
    "text",
    [
        "name: shop\nruntime: python\n",
        "name: shop\nconfig:\n  shop:region: eu\n",
        "name: shop\nconfig:\n  region: eu\n",  # shop:region, not ours
        "name: shop\nconfig:\n  residency-guard:region:\n    type: string\n",
        "name: shop\nconfig:\n  residency-guard:region:\n    secure: AAABAxyz\n",
    ],
)
def test_a_project_file_without_a_default_region_declares_none(text: str) -> None:
    assert project_default(text) is None


def _project(folder: Path, project_config: str, stack_config: str, repo: str = "") -> None:
    files = {
        "app/Pulumi.yaml": f"name: shop\nruntime: python\nconfig:\n{project_config}",
        "app/Pulumi.prod.yaml": f"config:\n{stack_config}",
    }
    if repo:
        files["app/residency-guard.yaml"] = repo
    write(folder, files)


def test_a_stack_without_a_region_is_held_to_the_projects_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(tmp_path, "  residency-guard:region: eu\n", f"  shop:openaiBaseUrl: {US_URL}\n")
    monkeypatch.chdir(tmp_path)
    (scan,) = scan_paths([Path("app")]).scans
    assert (scan.resolution.region, [f.rule for f in scan.findings]) == ("eu", ["RG001"])


def test_the_stacks_own_region_overrides_the_projects_default_without_conflict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(
        tmp_path,
        "  residency-guard:region: eu\n",
        f"  residency-guard:region: us\n  shop:openaiBaseUrl: {US_URL}\n",
    )
    monkeypatch.chdir(tmp_path)
    (scan,) = scan_paths([Path("app")]).scans
    assert scan.resolution.region == "us"
    assert [d.where for d in scan.resolution.declarations] == ["app/Pulumi.prod.yaml:2"]
    assert scan.findings == []


def test_a_projects_default_that_a_glob_contradicts_is_rg009_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _project(
        tmp_path,
        "  other:key: x\n  residency-guard:region: eu\n",
        f"  shop:openaiBaseUrl: {GLOBAL_URL}\n",
        repo="stacks:\n  prod: us\n",
    )
    monkeypatch.chdir(tmp_path)
    (scan,) = scan_paths([Path("app")]).scans
    assert scan.resolution.region == "eu"
    (conflict,) = [f for f in scan.findings if f.rule == "RG009"]
    assert "says 'eu' (app/Pulumi.yaml:5)" in conflict.message
    assert "says 'us' (stacks: 'prod' in" in conflict.message


def test_the_projects_default_counts_only_where_no_stack_config_or_esc_sets_the_region() -> None:
    repo = RepoConfig()
    default = Declaration("eu", RegionSource.STACK_CONFIG, "Pulumi.yaml:4", 4, "Pulumi.yaml")
    config = Declaration(
        "us", RegionSource.STACK_CONFIG, "Pulumi.prod.yaml:2", 2, "Pulumi.prod.yaml"
    )
    esc = Declaration("gb", RegionSource.ESC, "esc: shop/prod", 3, "shop/prod.yaml")
    engine = Declaration("jp", RegionSource.STACK_TAG, "stack tag residency-guard:region")
    assert stack_declarations("prod", repo, project_default=default) == [default]
    assert stack_declarations("prod", repo, engine=[engine], project_default=default) == [
        engine, default,
    ]  # fmt: skip
    assert stack_declarations("prod", repo, config=[config], project_default=default) == [config]
    assert stack_declarations("prod", repo, esc=[esc], project_default=default) == [esc]


# --- the OpenAIResidency component -------------------------------------------------------

SECRET_SIG = "4dabf18193072939515e22adb298388d"


@pytest.mark.parametrize(
    ("props", "region"),
    [
        ({"region": "eu"}, "eu"),
        ({"region": {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270", "value": "eu"}}, "eu"),
        ({"region": "  "}, None),  # blank: no claim
        ({"region": ""}, None),
        ({"region": 3}, None),
        ({"region": {SECRET_SIG: "1b47061264138c4ac30d75fd1eb44270"}}, None),
        ({}, None),
    ],
)
def test_the_components_region_output_is_its_claim(
    props: dict[str, object], region: str | None
) -> None:
    assert component_region(COMPONENT_TYPE, props) == region
    assert component_region("openai:index:Something", {"region": "eu"}) is None


def test_a_components_claim_has_no_line_and_names_its_file_where_known() -> None:
    assert component_declaration("eu", "component 'ai'") == Declaration(
        "eu", RegionSource.COMPONENT, "component 'ai'", 0, ""
    )
    assert component_declaration("eu", "ai.region in preview.json", "preview.json") == Declaration(
        "eu", RegionSource.COMPONENT, "ai.region in preview.json", 0, "preview.json"
    )
    # Below every other source: a stack file's region wins, the clash is kept for RG009.
    resolution = resolve_region([
        component_declaration("us", "component 'ai'"),
        Declaration("eu", RegionSource.STACK_CONFIG, "Pulumi.prod.yaml:2", 2),
    ])  # fmt: skip
    assert (resolution.region, resolution.conflicting) == ("eu", True)


# --- the endpoints of a value, read once -------------------------------------------------


@pytest.mark.parametrize("blank", ["", " ", "\t"])
def test_a_blank_azure_endpoint_and_a_blank_base_url_are_read_apart(blank: str) -> None:
    """An empty AZURE_OPENAI_ENDPOINT leaves Azure unconfigured; an empty OPENAI_BASE_URL
    sends to api.openai.com: the same text read once must not answer for the other name."""
    catalog = shipped_catalog()
    ctx = StackContext(catalog, "prod", "prod.env", resolve_region([]))
    azure = Value(("AZURE_OPENAI_ENDPOINT",), blank, "AZURE_OPENAI_ENDPOINT")
    base = Value(("OPENAI_BASE_URL",), blank, "OPENAI_BASE_URL")
    assert ctx.endpoints(azure) == []
    assert [e.host for e in ctx.endpoints(base)] == ["api.openai.com"]
    assert ctx.endpoints(azure) == []


@pytest.mark.parametrize("azure_first", [True, False])
def test_a_dotenv_with_a_blank_azure_endpoint_still_reports_its_blank_base_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, azure_first: bool
) -> None:
    lines = ['AZURE_OPENAI_ENDPOINT=" "', 'OPENAI_BASE_URL=" "']
    if not azure_first:
        lines.reverse()
    write(tmp_path, {"prod.env": "RESIDENCY_GUARD_REGION=eu\n" + "\n".join(lines) + "\n"})
    monkeypatch.chdir(tmp_path)
    findings = scan_paths([Path("prod.env")]).findings
    base_line = 2 + lines.index('OPENAI_BASE_URL=" "')
    assert [(f.rule, f.line) for f in findings] == [("RG001", base_line)]


# --- where a claim and a bad setting point ------------------------------------------------


def test_a_stack_files_region_that_a_glob_contradicts_names_the_files_line() -> None:
    repo = RepoConfig(stacks=(("prod-*", "us", 2),))
    text = f"config:\n  shop:openaiBaseUrl: {US_URL}\n  residency-guard:region: eu\n"
    findings = scan_yaml(text, stack="prod-eu", repo=repo)
    (conflict,) = [f for f in findings if f.rule == "RG009"]
    assert "says 'eu' (stacks/Pulumi.prod-eu.yaml:3)" in conflict.message


def test_the_first_bad_suppression_in_the_file_is_the_one_reported(tmp_path: Path) -> None:
    items = "".join(
        "  - {rule: XX1, reason: x}\n" if index in (2, 10) else f"  - {{rule: RG00{index % 10}}}\n"
        for index in range(12)
    )
    path = write(tmp_path, {"residency-guard.yaml": "suppressions:\n" + items})
    with pytest.raises(ConfigError) as error:
        load_repo_config(path / "residency-guard.yaml")
    assert str(error.value).startswith(
        f"{path / 'residency-guard.yaml'}:4: suppressions[2].rule: value does not match regex"
    )


def test_a_glob_that_yaml_reads_as_a_number_is_one_line_naming_it(tmp_path: Path) -> None:
    path = write(tmp_path, {"residency-guard.yaml": "stacks:\n  prod: eu\n  1: eu\n  dev: 3\n"})
    with pytest.raises(ConfigError) as error:
        load_repo_config(path / "residency-guard.yaml")
    assert str(error.value).startswith(
        f"{path / 'residency-guard.yaml'}:3: stacks[1]: must be of string type"
    )


def test_invalid_yaml_in_the_settings_names_what_the_reader_refused(tmp_path: Path) -> None:
    # The pure reader's words (libyaml drops the character it could not read).
    path = write(tmp_path, {"residency-guard.yaml": 'stacks:\n  prod: "eu\\q"\n'})
    with pytest.raises(ConfigError) as error:
        load_repo_config(path / "residency-guard.yaml")
    assert str(error.value) == (
        f"{path / 'residency-guard.yaml'}:2: invalid YAML: found unknown escape character 'q'; "
        "fix the syntax"
    )


@pytest.mark.parametrize("named", [Path("app"), Path("app/Pulumi.yaml")])
def test_dotenv_files_beside_a_project_file_are_held_as_anywhere_else(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, named: Path
) -> None:
    """A project's dotenv files were judged with no region (RG008) where the same files in a
    folder without Pulumi.yaml were held by `paths:` and `stacks:`."""
    write(tmp_path, {
        "app/residency-guard.yaml": "stacks:\n  prod-eu-*: eu\npaths:\n  .env: gb\n",
        "app/Pulumi.yaml": "name: shop\nruntime: python\n",
        "app/Pulumi.prod-eu-1.yaml": f"config:\n  shop:openaiBaseUrl: {US_URL}\n",
        "app/.env.prod-eu-1": f"OPENAI_BASE_URL={US_URL}\n",
        "app/.env": f"OPENAI_BASE_URL={US_URL}\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    run = scan_paths([named])
    judged = {scan.file: scan for scan in run.scans}
    assert sorted(judged) == ["app/.env", "app/.env.prod-eu-1", "app/Pulumi.prod-eu-1.yaml"]
    assert judged["app/.env.prod-eu-1"].resolution.region == "eu"
    assert judged["app/.env"].resolution.region == "gb"
    assert judged["app/.env"].resolution.declarations[0].where.startswith("paths: '.env' in ")
    assert sorted((f.file, f.rule) for f in run.findings) == [
        ("app/.env", "RG001"), ("app/.env.prod-eu-1", "RG001"), ("app/Pulumi.prod-eu-1.yaml", "RG001"),
    ]  # fmt: skip


def test_two_globs_of_different_regions_are_a_conflict_for_the_stack_s_dotenv_file_too(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`prod-eu-*: eu` and `prod-*: us` both hold `prod-eu-1`: its stack file was RG009 while
    its dotenv file `.env.prod-eu-1` took the first glob only and was judged EU, silently."""
    write(tmp_path, {
        "residency-guard.yaml": "stacks:\n  prod-eu-*: eu\n  prod-*: us\n",
        "Pulumi.yaml": "name: shop\nruntime: python\n",
        "Pulumi.prod-eu-1.yaml": "config:\n  shop:openaiBaseUrl: https://eu.api.openai.com/v1\n",
        ".env.prod-eu-1": "OPENAI_BASE_URL=https://eu.api.openai.com/v1\n",
    })  # fmt: skip
    monkeypatch.chdir(tmp_path)
    run = scan_paths([Path(".")])
    conflicts = sorted((f.file, f.rule, f.line) for f in run.findings)
    assert conflicts == [(".env.prod-eu-1", "RG009", 1), ("Pulumi.prod-eu-1.yaml", "RG009", 1)]
    (dotenv,) = [f for f in run.findings if f.file == ".env.prod-eu-1"]
    assert "stacks: 'prod-eu-*'" in dotenv.message and "stacks: 'prod-*'" in dotenv.message
