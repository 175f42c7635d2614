"""Every rule reaches each front end, or says why not (a by-design difference of parity.py).

The pack's policy tables (tests/policies/test_policy_tables.py) and the checkov checks
(tests/checkov/test_check_module.py) are built from these declarations.
"""

from __future__ import annotations

import pytest

from residency_guard.checkov_support import CHECKOV_RULES, KEY_RULE
from residency_guard.findings import Severity
from residency_guard.parity import BY_NAME
from residency_guard.rules import RULES
from residency_guard.rules.base import Exemption, FrontEnd, InputKind, Rule


def front_end_gaps(rule: type[Rule]) -> list[str]:
    """What is wrong with a rule's front-end declarations, in words."""
    gaps = []
    present = {FrontEnd.PACK: bool(rule.pack_policies), FrontEnd.CHECKOV: bool(rule.checkov_name)}
    for front_end, is_in in present.items():
        exemption = rule.exemption(front_end)
        if not is_in and exemption is None:
            gaps.append(f"{rule.id} is in no {front_end.value} check and states no exemption")
        if is_in and exemption is not None:
            gaps.append(f"{rule.id} is in {front_end.value} and exempt from it")
        if exemption is not None:
            difference = BY_NAME.get(exemption.difference)
            if difference is None or difference.gate != front_end.value:
                gaps.append(f"{rule.id}: '{exemption.difference}' is no {front_end.value} "
                            "difference in parity.py")  # fmt: skip
    return gaps


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_is_in_every_front_end_or_states_why_not(rule_id: str) -> None:
    assert front_end_gaps(type(RULES[rule_id])) == []


class _Forgotten(Rule):
    id = "RG099"
    name = "forgotten"
    title = "A rule nobody wired"
    severity = Severity.ERROR
    source_url = "https://example.com"


class _Exempt(_Forgotten):
    exemptions = (
        Exemption(FrontEnd.PACK, "stack-file-values"),
        Exemption(FrontEnd.CHECKOV, "no-such-difference"),
    )


def test_a_rule_in_no_front_end_without_an_exemption_is_a_gap() -> None:
    assert front_end_gaps(_Forgotten) == [
        "RG099 is in no pack check and states no exemption",
        "RG099 is in no checkov check and states no exemption",
    ]
    assert front_end_gaps(_Exempt) == [
        "RG099: 'no-such-difference' is no checkov difference in parity.py",
    ]


def test_checkov_checks_are_the_rules_that_name_one() -> None:
    assert set(CHECKOV_RULES) == {r.id for r in RULES.values() if r.checkov_name}
    assert all(RULES[r].checkov_name.startswith("Ensure ") for r in CHECKOV_RULES)
    names = [RULES[r].checkov_name for r in CHECKOV_RULES]
    assert len(names) == len(set(names))


def test_only_the_key_detector_reads_files_that_are_no_stack() -> None:
    """checkov's branch for any other YAML or JSON file runs KEY_RULE alone."""
    assert {r.id for r in RULES.values() if InputKind.OTHER in r.inputs} == {KEY_RULE}


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_a_rule_advertises_a_checkov_id_only_when_checkov_runs_it(rule_id: str) -> None:
    """`explain` and docs/rules.md show the checkov id users put in skip lists: RG016 has no
    check, so it shows none (it once showed CKV_RG_16, an id checkov never reports)."""
    import subprocess
    import sys

    rule = RULES[rule_id]
    assert bool(rule.checkov_id) == (rule_id in CHECKOV_RULES)
    shown = subprocess.run(
        [sys.executable, "-m", "residency_guard.cli", "explain", rule_id],
        capture_output=True, text=True, check=True,
    ).stdout.splitlines()[2]  # fmt: skip
    if rule_id in CHECKOV_RULES:
        assert shown.endswith(f"checkov: CKV_RG_{int(rule_id[2:])}.")
    else:
        assert "checkov: none (by design: " in shown and "CKV_RG" not in shown
