"""The pack's policies report the rules that name them (``Rule.pack_policies``): none is
dropped, none reported by a policy it does not name."""

from __future__ import annotations

import re

from policies.residency_pack import FAMILIES, PackState, all_policies
from policies.residency_pack.stack_policies import (
    AZURE_RULES,
    OUTPUT_RULES,
    REGION_RULES,
    SUMMARY_POLICY,
)
from policies.residency_pack.suppress import POLICY as SUPPRESSIONS_POLICY
from policies.residency_pack.suppress import RULE as SUPPRESSION_RULE
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
