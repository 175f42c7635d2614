"""docs/rules.md is generated from the rules; a stale copy fails here (regenerate, then commit)."""

from __future__ import annotations

from pathlib import Path

import pytest

from residency_guard.ruledocs import render
from residency_guard.rules import all_rules
from residency_guard.rules.base import Rule

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    "## What it does",
    "## Why is this bad?",
    "## Example",
    "## Use instead",
    "## References",
)


def test_docs_rules_md_is_current() -> None:
    committed = (ROOT / "docs" / "rules.md").read_text()
    assert committed == render(all_rules()), (
        "docs/rules.md is stale: python -m residency_guard.ruledocs > docs/rules.md"
    )


@pytest.mark.parametrize("rule", all_rules(), ids=lambda rule: rule.id)
def test_every_rule_is_documented_in_ruff_sections(rule: Rule) -> None:
    doc = rule.documentation()
    positions = [doc.find(section) for section in SECTIONS]
    assert -1 not in positions and positions == sorted(positions)
    assert "](http" in doc.split("## References", 1)[1]
