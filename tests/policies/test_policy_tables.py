"""The pack's policies report the rules that name them (``Rule.pack_policies``): none is
dropped, none reported by a policy it does not name."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies.residency_pack import FAMILIES, PackState, all_policies
from policies.residency_pack.report import reported_by
from policies.residency_pack.stack_policies import (
    AZURE_RULES,
    OUTPUT_RULES,
    REGION_RULES,
    SUMMARY_POLICY,
)
from policies.residency_pack.suppress import POLICY as SUPPRESSIONS_POLICY
from policies.residency_pack.suppress import RULE as SUPPRESSION_RULE
from residency_guard.catalog import shipped_catalog
from residency_guard.rules import RULES

_RULE_LIST = re.compile(r"\((RG\d{3}(?:, RG\d{3})*)\)\.$")


def naming(policy: str) -> tuple[str, ...]:
    return tuple(rule.id for rule in RULES.values() if policy in rule.pack_policies)


def test_every_policy_a_rule_names_is_in_the_pack() -> None:
    named = {policy for rule in RULES.values() for policy in rule.pack_policies}
    assert named <= {policy.name for policy in all_policies(PackState())}


def test_each_policy_lists_the_rules_that_name_it() -> None:
    """The rules in a policy's description are those it reports as violations."""
    for policy in all_policies(PackState()):
        if policy.name == SUMMARY_POLICY:  # every warning and suppressed finding, any rule
            continue
        listed = _RULE_LIST.search(policy.description or "")
        assert listed is not None, policy.name
        assert tuple(listed.group(1).split(", ")) == naming(policy.name), policy.name


def test_the_tables_the_policies_judge_by_are_the_rules_that_name_them() -> None:
    assert {f.name: f.rules for f in FAMILIES} == {f.name: naming(f.name) for f in FAMILIES}
    assert naming("residency-region-declared") == REGION_RULES
    assert naming("azure-openai-linked") == AZURE_RULES
    assert naming("openai-deployed-outputs") == OUTPUT_RULES
    assert naming(SUPPRESSIONS_POLICY) == (SUPPRESSION_RULE,)


# What `pulumi policy` shows a user of the pack, as docs/policy-pack.md documents it.
_DOC = (Path(__file__).resolve().parents[2] / "docs" / "policy-pack.md").read_text(encoding="utf-8")
_DEFAULT_LEVEL = dict(re.findall(r"^\| `([a-z-]+)` \| (?:resource|stack) \| .* \| (\w+)", _DOC, re.M))


def test_each_policy_has_the_documented_default_enforcement_level() -> None:
    levels = {p.name: p.enforcement_level.value for p in all_policies(PackState())}
    assert levels == _DEFAULT_LEVEL


def test_each_blocking_policy_points_at_its_rules_reference_and_their_fixes() -> None:
    for policy in all_policies(PackState()):
        if policy.name == SUMMARY_POLICY:
            continue
        rules = naming(policy.name) or (SUPPRESSION_RULE,)
        assert policy.url in {RULES[r].source_url for r in rules}, policy.name
        steps = policy.remediation_steps or ""
        assert all(f"{r} ({RULES[r].title}):" in steps for r in rules), policy.name
        assert {"openai", "data-residency"} <= set(policy.tags or ()), policy.name


def test_each_policy_takes_the_documented_config() -> None:
    """docs/policy-pack.md's Config table: the keys, their types and defaults."""
    regions = sorted(shipped_catalog().regions)
    strings = {"type": "array", "items": {"type": "string"}, "default": []}
    for policy in all_policies(PackState()):
        schema = policy.config_schema
        assert schema is not None, policy.name
        shapes = {k: {f: v for f, v in p.items() if f != "description"}
                  for k, p in schema.properties.items()}  # fmt: skip
        assert shapes == {
            "region": {"type": "string", "enum": regions},
            "allowedHosts": strings, "allowModels": strings, "denyModels": strings,
            "unresolved": {"type": "string", "enum": ["deny", "warn"]},
            "repoConfig": {"type": "string"},
            "remediateHosts": {"type": "boolean", "default": False},
        }, policy.name  # fmt: skip
        assert all(p.get("description") for p in schema.properties.values()), policy.name


def test_a_pack_policy_no_rule_names_cannot_be_built() -> None:
    """It would report nothing and block nothing: the pack refuses to build it (the tables
    above are built when the pack is imported, so they are asked for here again)."""
    assert reported_by(SUPPRESSIONS_POLICY) == (SUPPRESSION_RULE,)
    with pytest.raises(RuntimeError, match=r"^no rule names the pack policy 'openai-typo'$"):
        reported_by("openai-typo")
