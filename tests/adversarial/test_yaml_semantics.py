"""YAML as the Pulumi engine (Go's yaml.v3) reads it, not as PyYAML would.

yaml.v3 refuses duplicate keys, self-referencing aliases and excessive aliasing, merges
first-source-wins and reads 10,000 levels of nesting; PyYAML keeps the last duplicate, builds
self-referencing nodes and (6.0.4) merges last-source-wins. Where they differ the gate reports
it (RG015) or refuses the file with one clear error, and never crashes.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from residency_guard import yamlfile
from residency_guard.catalog import shipped_catalog
from residency_guard.errors import InputError
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import StackScan, scan_stack_file
from residency_guard.yamlfile import load_yaml
from tests.adversarial.strategies import DEEP, billion_laughs
from tests.core.helpers import rules_of, scan_yaml

EU = "https://eu.api.openai.com/v1"
GLOBAL = "https://api.openai.com/v1"


def scan_text(text: str, stack: str = "prod-eu") -> StackScan:
    return scan_stack_file(Path(f"Pulumi.{stack}.yaml"), shipped_catalog(), RepoConfig(), text=text)


# -- duplicate keys ----------------------------------------------------------------------------


@pytest.mark.parametrize(("first", "second"), [(EU, GLOBAL), (GLOBAL, EU)])
def test_duplicate_key_is_reported_and_the_hidden_value_is_still_scanned(
    first: str, second: str
) -> None:
    findings = scan_yaml(f"""\
        config:
          residency-guard:region: eu
          app:OPENAI_BASE_URL: {first}
          app:OPENAI_BASE_URL: {second}
        """)
    assert rules_of(findings) == ["RG001", "RG015"]
    (duplicate,) = [f for f in findings if f.rule == "RG015"]
    assert duplicate.line == 4
    assert "duplicate key 'app:OPENAI_BASE_URL' (first at line 3)" in duplicate.message


def test_duplicate_region_key_takes_the_first_and_is_reported() -> None:
    scan = scan_text("config:\n  residency-guard:region: eu\n  residency-guard:region: global\n")
    assert scan.resolution.region == "eu"
    assert rules_of(scan.findings) == ["RG015"]


def test_duplicate_merge_key_is_reported() -> None:
    findings = scan_yaml("""\
        config:
          residency-guard:region: eu
          app:a: &a {x: 1}
          app:b: &b {y: 2}
          app:c:
            <<: *a
            <<: *b
        """)
    assert rules_of(findings) == ["RG015"]


def test_a_duplicate_under_a_secure_wrapper_is_reported() -> None:
    findings = scan_yaml(f"""\
        config:
          residency-guard:region: eu
          app:OPENAI_BASE_URL:
            secure: v1:abc
            secure: {GLOBAL}
        """)
    assert "RG015" in rules_of(findings)


# -- merge keys: the first source wins, as yaml.v3 reads them -----------------------------------

MERGED = """\
config:
  app:eu: &eu
    residency-guard:region: eu
    app:OPENAI_BASE_URL: https://eu.api.openai.com/v1
  app:global: &global
    residency-guard:region: global
    app:OPENAI_BASE_URL: https://api.openai.com/v1
  <<: [{sources}]
"""


@pytest.mark.parametrize(
    ("sources", "region"), [("*eu, *global", "eu"), ("*global, *eu", "global")]
)
def test_merge_sources_first_wins_for_the_stack_region(sources: str, region: str) -> None:
    scan = scan_text(MERGED.format(sources=sources))
    assert scan.resolution.region == region
    disagreements = [f for f in scan.findings if f.rule == "RG015"]
    assert {f.message.split(":")[0] for f in disagreements} == {
        "merge sources disagree on 'residency-guard",
        "merge sources disagree on 'app",
    }


def test_merged_endpoint_is_the_first_sources() -> None:
    document = load_yaml(
        "a: &a {url: one}\nb: &b {url: two}\nc:\n  <<: [*a, *b]\n  other: 3\n", "f.yaml"
    )
    merged = document.mapping(document.get("c"))
    assert yamlfile.scalar_text(merged["url"]) == "one"
    assert [a.message for a in document.ambiguities] == [
        "merge sources disagree on 'url': the Pulumi engine takes the first source's value, "
        "PyYAML 6.0.4 the last"
    ]


def test_explicit_key_beats_every_merge_source() -> None:
    document = load_yaml("a: &a {url: one}\nc:\n  <<: *a\n  url: mine\n", "f.yaml")
    assert yamlfile.scalar_text(document.mapping(document.get("c"))["url"]) == "mine"
    assert document.ambiguities == []


def test_merge_key_bomb_is_refused_quickly() -> None:
    """10 sources of 10 sources of ... : 10^8 merges read naively, a clear error here."""
    lines = ["a0: &a0 {k: v}"]
    lines += [f"a{i}: &a{i} {{<<: [{', '.join([f'*a{i - 1}'] * 10)}]}}" for i in range(1, 9)]
    with pytest.raises(InputError, match="excessive YAML aliasing"):
        load_yaml("\n".join(lines) + "\n", "Pulumi.bomb.yaml")


def test_a_long_merge_chain_is_no_recursion_error() -> None:
    lines = ["a0: &a0 {k: v}"]
    lines += [f"a{i}: &a{i} {{<<: *a{i - 1}, k{i}: v}}" for i in range(1, 3000)]
    try:
        load_yaml("\n".join(lines) + "\n", "Pulumi.chain.yaml")
    except InputError as error:
        assert "aliasing" in str(error)


# -- self-reference and alias bombs -------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "config:\n  app:a: &a [*a]\n",
        "config:\n  app:a: &a {x: *a}\n",
        "config:\n  app:a: &a {<<: *a, x: 1}\n",
        "config: &c\n  app:a: *c\n",
    ],
)
def test_self_referencing_alias_is_a_clear_error(text: str) -> None:
    with pytest.raises(InputError, match="refers to itself") as error:
        scan_text(text)
    assert str(error.value).startswith("Pulumi.prod-eu.yaml:")


def test_billion_laughs_is_a_clear_error() -> None:
    with pytest.raises(InputError, match="excessive YAML aliasing"):
        scan_text(billion_laughs())


def test_a_few_aliases_are_fine() -> None:
    findings = scan_yaml(f"""\
        config:
          residency-guard:region: eu
          app:url: &u {EU}
          app:a: [*u, *u, *u]
        """)
    assert findings == []


# -- deep nesting -------------------------------------------------------------------------------


@pytest.mark.parametrize("form", sorted(DEEP))
def test_ten_thousand_levels_are_a_clear_error(form: str) -> None:
    with pytest.raises(InputError, match="nested too deeply") as error:
        scan_text(DEEP[form](10_000))
    assert str(error.value).startswith("Pulumi.prod-eu.yaml:")


def deep_eu_stack(form: str, levels: int, url: str) -> str:
    """An EU stack file with ``url`` alone at the bottom of ``levels`` of nesting."""
    deep = DEEP[form](levels, json.dumps(url))
    return deep.replace("config:\n", "config:\n  residency-guard:region: eu\n", 1)


@pytest.mark.parametrize("form", sorted(DEEP))
def test_four_hundred_levels_are_read_down_to_the_bottom(form: str) -> None:
    """The global host at level 400, and only there: a walk that stopped early misses it."""
    text = deep_eu_stack(form, 400, GLOBAL)
    (outside,) = scan_text(text).findings
    assert outside.rule == "RG001"
    assert outside.message.startswith("EU stack 'prod-eu' sends to api.openai.com")
    assert outside.line == len(text.splitlines())  # the leaf's line: the last one
    assert scan_text(deep_eu_stack(form, 400, EU)).findings == []


def test_libyaml_composer_stops_at_its_own_depth_limit_with_a_yaml_error() -> None:
    """The C composer neither recurses in Python nor crashes: it raises a YAMLError at 1,000
    levels (measured with PyYAML 6.0.4). The events pre-check refuses such documents first."""
    if not yaml.__with_libyaml__:  # pragma: no cover - wheels ship libyaml
        pytest.skip("PyYAML without libyaml: the pure composer is covered by the next test")
    with pytest.raises(yaml.YAMLError, match="nesting depth"):
        yaml.compose("[" * 10_000 + "]" * 10_000, Loader=yaml.CSafeLoader)


def test_the_pure_python_composer_is_guarded_too(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "_Loader", yaml.SafeLoader)
    monkeypatch.setattr(yamlfile, "MAX_DEPTH", 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        load_yaml(DEEP["flow-sequences"](2_000), "Pulumi.deep.yaml")


def test_too_many_values_are_refused_before_composing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamlfile, "MAX_NODES", 1_000)
    with pytest.raises(InputError, match="more than 1,000 values"):
        load_yaml("config:\n  app:x: [" + "a, " * 1_000 + "]\n", "Pulumi.big.yaml")


def test_deeply_nested_json_inside_a_value_is_no_crash() -> None:
    nested = "[" * 10_000 + '"https://api.openai.com/v1"' + "]" * 10_000
    findings = scan_yaml(f"config:\n  residency-guard:region: eu\n  app:x: '{nested}'\n")
    assert "RG001" in rules_of(findings)  # the string itself still mentions the host


def test_deeply_nested_json_in_a_preview_is_a_clear_error(tmp_path: Path) -> None:
    from residency_guard.scanners.pulumi_json import load_json

    path = tmp_path / "preview.json"
    path.write_text('{"steps": ' + "[" * 100_000 + "]" * 100_000 + "}", encoding="utf-8")
    with pytest.raises(InputError, match="nested too deeply"):
        load_json(path)


def test_a_list_at_the_top_is_not_a_stack() -> None:
    with pytest.raises(InputError, match="holds a mapping"):
        scan_text(json.dumps(["config", {"residency-guard:region": "eu"}]))
