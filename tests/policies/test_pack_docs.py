"""docs/policy-pack.md's policy and config tables are what the pack publishes: a stale copy
fails here (regenerate with ``python -m policies.residency_pack.packdocs docs/policy-pack.md``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policies.residency_pack import PackState, all_policies
from policies.residency_pack.packdocs import update
from residency_guard.rules import RULES

_RULE_LIST = re.compile(r"\((RG\d{3}(?:, RG\d{3})*)\)\.$")
DOC = Path(__file__).resolve().parents[2] / "docs" / "policy-pack.md"


def test_docs_policy_pack_md_says_what_the_pack_publishes() -> None:
    committed = DOC.read_text(encoding="utf-8")
    assert committed == update(committed, all_policies(PackState())), (
        "docs/policy-pack.md is stale: python -m policies.residency_pack.packdocs "
        "docs/policy-pack.md"
    )


RULES_DOC = (DOC.parent / "rules.md").read_text(encoding="utf-8")


def use_instead(rule_id: str) -> str:
    """A rule's "Use instead" section as docs/rules.md (and `residency-guard explain`) shows it."""
    section = RULES_DOC.split(f"\n## {rule_id} ", 1)[1].split("\n## ", 1)[0]
    return section.split("### Use instead\n", 1)[1].split("\n### ", 1)[0].strip()


def test_a_policys_remediation_steps_are_its_rules_use_instead_sections() -> None:
    """What `pulumi policy` shows under a violation's remediation: each rule's "Use instead",
    whole and in the policy's order, then where to read more."""
    blocking = [p for p in all_policies(PackState()) if p.remediation_steps]
    assert len(blocking) == 11  # every policy but the advisory summary
    for policy in blocking:
        rules = _RULE_LIST.search(policy.description or "")
        assert rules is not None, policy.name
        steps = [
            f"{rule} ({RULES[rule].title}):\n{use_instead(rule)}"
            for rule in rules.group(1).split(", ")
        ]
        assert policy.remediation_steps == "\n\n".join(
            [*steps, "Run `residency-guard explain <RULE>` for the full explanation of a rule."]
        ), policy.name


def test_a_doc_without_its_generated_blocks_is_refused() -> None:
    """Lost markers would leave nothing to compare: the doc would pass with no table."""
    with pytest.raises(ValueError, match=r"^no generated block for config, policies$"):
        update("# The residency-guard policy pack\n", all_policies(PackState()))
