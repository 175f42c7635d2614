"""``residency-guard.yaml``'s ``stacks:`` globs: which stacks they hold, and to which region."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.errors import ConfigError
from residency_guard.repoconfig import RepoConfig, Unresolved, find_repo_config, load_repo_config
from residency_guard.scanners.stackfile import scan_stack_file
from residency_guard.stackregion import (
    Declaration,
    RegionSource,
    mapping_declarations,
    resolve_region,
)
from tests.core.helpers import rules_of, scan_yaml, stack

US_URL = "https://us.api.openai.com/v1"
EU_URL = "https://eu.api.openai.com/v1"


def mapping(*globs: tuple[str, str]) -> RepoConfig:
    """A repo config whose ``stacks:`` holds ``globs`` in this order, one per line."""
    return RepoConfig(stacks=tuple((g, r, line) for line, (g, r) in enumerate(globs, start=2)))


def regions(repo: RepoConfig, name: str) -> list[str]:
    return [claim.region for claim in mapping_declarations(repo, name)]


# (glob, stack name, whether the glob holds the stack): fnmatch over the whole name
MATCHES = [
    ("prod-eu-*", "prod-eu-1", True),
    ("prod-eu-*", "prod-eu-", True),
    ("prod-eu-*", "prod-eu", False),  # the '-' is part of the glob
    ("prod-eu", "prod-eu-1", False),  # no prefix matching
    ("prod-eu", "prod-eu2", False),
    ("prod-eu", "prod-eu", True),
    ("prod-eu*", "xprod-eu", False),  # anchored at the start too
    ("prod-eu*", "my-prod-eu-1", False),
    ("*-eu", "shop-eu", True),  # a leading '*'
    ("*-eu", "-eu", True),
    ("*-eu", "shop-eu-2", False),  # anchored at the end
    ("*-eu", "eu-shop", False),
    ("*eu*", "staging-eu-blue", True),
    ("prod-eu-?", "prod-eu-1", True),  # '?' is exactly one character
    ("prod-eu-?", "prod-eu-10", False),
    ("prod-eu-?", "prod-eu-", False),
    ("prod-[12]", "prod-1", True),  # a set
    ("prod-[12]", "prod-3", False),
    ("prod-[12]", "prod-12", False),
    ("prod-[a-c]x", "prod-bx", True),  # a range
    ("prod-[a-c]x", "prod-dx", False),
    ("stage-[!u]*", "stage-eu", True),  # a negated set
    ("stage-[!u]*", "stage-us", False),
    ("prod.eu", "prod-eu", False),  # '.' is a literal, not a regex wildcard
    ("prod-eu-*", "PROD-EU-1", False),  # stack names are case-sensitive
]


@pytest.mark.parametrize(("glob", "name", "holds"), MATCHES)
def test_a_glob_matches_the_whole_stack_name(glob: str, name: str, holds: bool) -> None:
    assert regions(mapping((glob, "eu")), name) == (["eu"] if holds else [])


def test_the_first_matching_glob_gives_the_region() -> None:
    repo = mapping(("prod-eu-*", "eu"), ("prod-*", "us"))
    assert regions(repo, "prod-eu-1")[0] == "eu"
    assert regions(repo, "prod-us-1") == ["us"]
    assert regions(mapping(("prod-*", "us"), ("prod-eu-*", "eu")), "prod-eu-1")[0] == "us"


# -- what the gate makes of it ------------------------------------------------------------------


def test_the_first_glob_holds_the_stack_so_a_host_of_the_second_is_reported() -> None:
    """`prod-eu-*: eu` above `prod-*: us`: prod-eu-1 is held to EU, and a US host is RG001."""
    repo = mapping(("prod-eu-*", "eu"), ("prod-*", "us"))
    findings = scan_yaml(stack(None, app__url=US_URL), stack="prod-eu-1", repo=repo)
    assert "RG001" in rules_of(findings)
    (outside,) = [f for f in findings if f.rule == "RG001"]
    assert outside.message.startswith("EU stack 'prod-eu-1' sends to us.api.openai.com")


def test_two_globs_of_different_regions_are_a_conflict() -> None:
    repo = mapping(("prod-eu-*", "eu"), ("prod-*", "us"))
    findings = scan_yaml(stack(None, app__url=EU_URL), stack="prod-eu-1", repo=repo)
    assert rules_of(findings) == ["RG009"]
    (conflict,) = findings
    assert "residency-guard.yaml says 'eu' (stacks: 'prod-eu-*' in" in conflict.message
    assert "residency-guard.yaml says 'us' (stacks: 'prod-*' in" in conflict.message
    assert "checked as 'eu'" in conflict.fix
    # A stack only the second glob holds is no conflict.
    assert scan_yaml(stack(None, app__url=US_URL), stack="prod-us-1", repo=repo) == []


def test_the_stack_file_agreeing_with_the_first_glob_does_not_hide_the_conflict() -> None:
    repo = mapping(("prod-eu-*", "eu"), ("prod-*", "us"))
    assert rules_of(scan_yaml(stack("eu"), stack="prod-eu-1", repo=repo)) == ["RG009"]


@pytest.mark.parametrize("second", ["eu", "EU", " eu "])
def test_overlapping_globs_of_the_same_region_are_no_conflict(second: str) -> None:
    repo = mapping(("prod-eu-*", "eu"), ("prod-*", second), ("*", "eu"))
    assert [c.where.split("'")[1] for c in mapping_declarations(repo, "prod-eu-1")] == ["prod-eu-*"]
    assert scan_yaml(stack(None, app__url=EU_URL), stack="prod-eu-1", repo=repo) == []


def test_a_name_no_glob_holds_has_no_region() -> None:
    repo = mapping(("prod-eu", "eu"), ("*-us", "us"))
    findings = scan_yaml(stack(None, app__url=EU_URL), stack="prod-eu-1", repo=repo)
    assert rules_of(findings) == ["RG008"]


def test_globs_from_the_file_keep_their_order_and_lines(tmp_path: Path) -> None:
    config = tmp_path / "residency-guard.yaml"
    config.write_text('stacks:\n  "prod-eu-*": eu\n  "prod-*": us\n', encoding="utf-8")
    repo = load_repo_config(config)
    claims = mapping_declarations(repo, "prod-eu-1")
    assert [(c.region, c.line, c.file) for c in claims] == [
        ("eu", 2, str(config)), ("us", 3, str(config)),
    ]  # fmt: skip
    scan = scan_stack_file(
        tmp_path / "Pulumi.prod-eu-1.yaml", shipped_catalog(), repo,
        text=stack(None, app__url=US_URL),
    )  # fmt: skip
    assert (scan.resolution.region, rules_of(scan.findings)) == ("eu", ["RG001", "RG009"])


# -- reading the file -----------------------------------------------------------------------------


def write_config(folder: Path, text: str) -> Path:
    path = folder / "residency-guard.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_every_setting_is_read_with_its_line(tmp_path: Path) -> None:
    path = write_config(tmp_path, """\
stacks:
  "prod-eu-*": eu
  "dev-*": US
catalog: [team.yaml, more/extra.yaml]
unresolved: warn
fail-on: warning
esc: environments
paths:
  services/eu: eu
suppressions:
  - rule: RG004
    reason: "  dev uses the alias until the migration  "
    until: 2027-03-01
  - rule: RG001
    stack: "dev-*"
    file: "stacks/*.yaml"
    reason: accepted
""")  # fmt: skip
    repo = load_repo_config(path)
    assert repo.path == path
    assert repo.stacks == (("prod-eu-*", "eu", 2), ("dev-*", "US", 3))
    assert repo.catalog_files == (
        (tmp_path / "team.yaml").resolve(), (tmp_path / "more" / "extra.yaml").resolve(),
    )  # fmt: skip
    assert (repo.unresolved, repo.fail_on) == (Unresolved.WARN, "warning")
    assert repo.esc == tmp_path / "environments"
    assert repo.paths == (("services/eu", "eu", 9),)
    first, second = repo.suppressions
    assert (first.rule, first.reason, first.until, first.stack, first.file, first.line) == (
        "RG004", "dev uses the alias until the migration", "2027-03-01", "*", "*", 11,
    )  # fmt: skip
    assert (second.rule, second.reason, second.until, second.stack, second.file, second.line) == (
        "RG001", "accepted", None, "dev-*", "stacks/*.yaml", 14,
    )  # fmt: skip


def test_one_catalog_file_may_be_a_string(tmp_path: Path) -> None:
    repo = load_repo_config(write_config(tmp_path, "catalog: team.yaml\n"))
    assert repo.catalog_files == ((tmp_path / "team.yaml").resolve(),)


@pytest.mark.parametrize("text", ["", "# nothing yet\n", "---\n"])
def test_an_empty_file_gives_the_fail_closed_defaults(tmp_path: Path, text: str) -> None:
    path = write_config(tmp_path, text)
    assert load_repo_config(path) == RepoConfig(path=path)
    assert (RepoConfig().unresolved, RepoConfig().fail_on, RepoConfig().esc) == (
        Unresolved.DENY, "error", None,
    )  # fmt: skip
    assert load_repo_config(None) == RepoConfig()


# (file, the one line that names what is wrong and where)
BAD_CONFIGS = [
    ("unresolved: maybe\n", ":1: unresolved: unallowed value maybe"),
    ("fail-on: fatal\n", ":1: fail-on: unallowed value fatal"),
    ("bogus: 1\n", ":1: bogus: unknown field"),
    ("stacks: [prod-eu]\n", ":1: stacks: must be of dict type"),
    ("stacks:\n  prod-eu: eu\n  dev: 1\n", ":3: stacks.dev: must be of string type"),
    ("catalog: 3\n", ":1: catalog: must be of ['string', 'list'] type"),
    ("suppressions:\n  - rule: RG001\n    reason: x\n  - rule: XX1\n",
     ":4: suppressions[1].rule: value does not match regex 'RG\\d{3}'"),
    ("suppressions:\n  - reason: x\n", ":2: suppressions[0].rule: required field"),
    ("- prod-eu\n", ":1: expected a mapping at the top level"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), BAD_CONFIGS)
def test_a_bad_setting_is_one_line_naming_file_line_and_key(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write_config(tmp_path, text)
    with pytest.raises(ConfigError) as error:
        load_repo_config(path)
    line = str(error.value)
    assert line.startswith(f"{path}{expected}"), line
    assert "\n" not in line


def test_an_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "residency-guard.yaml"
    path.write_bytes(b"stacks:\n  prod: \xff\n")
    with pytest.raises(ConfigError, match="cannot read: UnicodeDecodeError") as error:
        load_repo_config(path)
    assert str(error.value).startswith(str(path))


def test_the_nearest_file_above_is_found_up_to_the_repository_root(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    deep = repo / "infra" / "stacks"
    deep.mkdir(parents=True)
    (repo / ".git").mkdir()
    write_config(tmp_path, "stacks: {}\n")  # above the repository: never read
    assert find_repo_config(deep) is None
    assert find_repo_config(deep / "Pulumi.prod.yaml") is None
    config = write_config(repo, "stacks: {}\n")
    assert find_repo_config(deep) == config
    assert find_repo_config(deep / "Pulumi.prod.yaml") == config
    nearer = write_config(repo / "infra", "stacks: {}\n")
    assert find_repo_config(deep / "Pulumi.prod.yaml") == nearer


# -- where the region findings point ----------------------------------------------------------


CONFIG = Path("/repo/residency-guard.yaml")


def test_a_conflict_between_globs_alone_points_at_the_stack_files_top() -> None:
    repo = RepoConfig(path=CONFIG, stacks=(("prod-eu*", "eu", 2), ("prod-*", "us", 3)))
    (conflict,) = scan_yaml(stack(None), stack="prod-eu", repo=repo)
    assert (conflict.rule, conflict.file, conflict.line, conflict.column) == (
        "RG009", "stacks/Pulumi.prod-eu.yaml", 1, 1,
    )  # fmt: skip
    assert conflict.message == (
        "stack 'prod-eu' has conflicting regions: residency-guard.yaml says 'eu' (stacks: "
        "'prod-eu*' in /repo/residency-guard.yaml); residency-guard.yaml says 'us' (stacks: "
        "'prod-*' in /repo/residency-guard.yaml)"
    )
    (with_file,) = scan_yaml(stack("us"), stack="prod-eu", repo=repo)
    assert (with_file.line, with_file.column) == (2, 1)  # the stack file's own declaration


def test_an_unknown_region_of_a_glob_points_at_the_glob() -> None:
    repo = RepoConfig(path=CONFIG, stacks=(("prod-*", "europe", 5),))
    findings = scan_yaml(stack("eu"), stack="prod-eu", repo=repo)
    (unknown,) = [f for f in findings if f.rule == "RG017"]
    assert (unknown.file, unknown.line, unknown.column) == (str(CONFIG), 5, 1)
    (own,) = [f for f in scan_yaml(stack("europe"), stack="prod-eu") if f.rule == "RG017"]
    assert (own.file, own.line, own.column) == ("stacks/Pulumi.prod-eu.yaml", 2, 1)


def test_a_stack_without_region_points_at_the_files_top() -> None:
    (missing,) = scan_yaml(stack(None, app__url=EU_URL), stack="prod-eu")
    assert (missing.rule, missing.line, missing.column) == ("RG008", 1, 1)


def test_globs_that_do_not_match_or_repeat_a_region_do_not_stop_the_search() -> None:
    repo = mapping(("dev-*", "us"), ("prod-eu-*", "eu"), ("prod-*", "eu"), ("*-1", "us"))
    assert regions(repo, "prod-eu-1") == ["eu", "us"]
    assert regions(repo, "prod-2") == ["eu"]


def test_a_claim_names_the_file_it_comes_from() -> None:
    (claim,) = mapping_declarations(mapping(("prod-*", "eu")), "prod-1")
    assert claim.where == "stacks: 'prod-*' in residency-guard.yaml"
    (claim,) = mapping_declarations(RepoConfig(path=CONFIG, stacks=(("prod-*", "eu", 2),)), "prod-1")
    assert (claim.where, claim.file, claim.line) == (
        "stacks: 'prod-*' in /repo/residency-guard.yaml", str(CONFIG), 2,
    )  # fmt: skip


def test_settings_left_out_keep_their_fail_closed_defaults(tmp_path: Path) -> None:
    repo = load_repo_config(write_config(tmp_path, "stacks:\n  prod-*: eu\n"))
    assert (repo.unresolved, repo.fail_on, repo.catalog_files, repo.esc) == (
        Unresolved.DENY, "error", (), None,
    )  # fmt: skip


def test_a_bad_setting_says_where_the_settings_are_documented(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        load_repo_config(write_config(tmp_path, "fail-on: fatal\n"))
    assert error.value.fix == "see the README's residency-guard.yaml section"


def test_a_glob_written_twice_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    path = write_config(tmp_path, 'stacks:\n  "prod-eu*": eu\n  "prod-eu*": us\n')
    with pytest.raises(ConfigError) as error:
        load_repo_config(path)
    assert str(error.value).startswith(
        f'{path}:3: stacks["prod-eu*"]: duplicate key (lines 2 and 3'
    )


def test_excluded_globs_are_read(tmp_path: Path) -> None:
    repo = load_repo_config(write_config(tmp_path, "exclude: [vendor/**, '*.tmp.yaml']\n"))
    assert repo.exclude == ("vendor/**", "*.tmp.yaml")


def test_a_blank_region_is_no_declaration_and_the_winner_keeps_its_source() -> None:
    blank = Declaration("  ", RegionSource.STACK_CONFIG, "stacks/Pulumi.prod.yaml:2", 2)
    assert resolve_region([blank]) == resolve_region([])
    mapped = Declaration(" EU ", RegionSource.REPO_MAPPING, "stacks: 'prod-*'", 3)
    resolution = resolve_region([blank, mapped])
    assert (resolution.region, resolution.source, resolution.declared) == (
        "eu", RegionSource.REPO_MAPPING, True,
    )  # fmt: skip
