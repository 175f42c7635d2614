"""Suppressions: inline comments and repo-level entries, judged on a date passed in."""

from __future__ import annotations

import datetime
import textwrap
from pathlib import Path

import pytest

from residency_guard.findings import Finding, Severity, Suppression
from residency_guard.repoconfig import RepoConfig, RepoSuppression
from residency_guard.scan import scan_paths
from residency_guard.suppressions import (
    SuppressionState,
    apply_suppressions,
    parse_inline,
)
from tests.core.helpers import rules_of

TODAY = datetime.date(2026, 11, 1)
FILE = "stacks/Pulumi.prod-eu.yaml"


def finding(
    rule: str = "RG001", line: int = 4, file: str = FILE, stack: str = "prod-eu"
) -> Finding:
    return Finding(rule, Severity.ERROR, file, line, 3, "message", "fix", stack=stack)


def judge(text: str, *found: Finding, repo: RepoConfig | None = None) -> list[Finding]:
    sources = {FILE: textwrap.dedent(text)}
    return apply_suppressions(found, repo=repo or RepoConfig(), sources=sources, today=TODAY)


# (comment line, the rules it names, its reason, its until, why it is invalid or "")
PARSED = [
    ('# residency-guard: ignore RG001 reason="INC-7"', ("RG001",), "INC-7", None, ""),
    ('# residency-guard: ignore RG001,RG003 reason="two" until=2027-03-01',
     ("RG001", "RG003"), "two", "2027-03-01", ""),
    ("# residency-guard: ignore RG001, rg004 reason='single quotes'", ("RG001", "RG004"),
     "single quotes", None, ""),
    ("#residency-guard:ignore RG001 reason=INC-7", ("RG001",), "INC-7", None, ""),
    ("# residency-guard: ignore RG001", ("RG001",), "", None,
     "suppression of RG001 gives no reason"),
    ('# residency-guard: ignore RG001 reason="  "', ("RG001",), "", None,
     "suppression of RG001 gives no reason"),
    ('# residency-guard: ignore RG001 reason="x" until=2027-13-01', ("RG001",), "x", "2027-13-01",
     "suppression of RG001 has until='2027-13-01', not a date"),
    ('# residency-guard: ignore RG001 reason="x" until=20270301', ("RG001",), "x", "20270301",
     "suppression of RG001 has until='20270301', not a date"),
    ('# residency-guard: ignore RG099 reason="x"', ("RG099",), "x", None,
     "suppression names the unknown rule 'RG099'"),
    ('# residency-guard: ignore RG016 reason="x"', ("RG016",), "x", None,
     "a suppression cannot accept RG016 (invalid-suppression)"),
    ('# residency-guard: ignore reason="x"', (), "", None, "suppression names no rule"),
    ('# residency-guard: ignore RG1 reason="x"', ("RG1",), "", None,
     "'RG1' is not a rule ID (RG0xx)"),
    ('# residency-guard: ignore RG001 reason="x" owner=me', ("RG001",), "", None,
     "cannot read 'owner=me' (expected reason=... until=...)"),
    ('# residency-guard: ignore RG001 reason="unbalanced', (), "", None,
     "cannot read the suppression (an unbalanced quote)"),
]  # fmt: skip


@pytest.mark.parametrize(("comment", "rules", "reason", "until", "problem"), PARSED)
def test_parse_inline_comment(
    comment: str, rules: tuple[str, ...], reason: str, until: str | None, problem: str
) -> None:
    (entry,) = parse_inline(FILE, f"config:\n  {comment}\n  app:url: x\n")
    assert (entry.rules, entry.reason, entry.until, entry.problem) == (
        rules,
        reason,
        until,
        problem,
    )
    assert entry.source == f"{FILE}:2"


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        # on its own line: that line and the next line that is neither blank nor a comment
        ("a: 1\n# residency-guard: ignore RG001 reason=x\n\n# note\nb: 2\n", (2, 5)),
        # after a value: that line only
        ("a: 1  # residency-guard: ignore RG001 reason=x\nb: 2\n", (1,)),
        # the last line of a file covers itself only
        ("a: 1\n# residency-guard: ignore RG001 reason=x\n", (2,)),
    ],
)
def test_lines_a_comment_covers(text: str, covered: tuple[int, ...]) -> None:
    (entry,) = parse_inline(FILE, text)
    assert entry.covers_lines == covered


@pytest.mark.parametrize(
    "text",
    [
        "# residency-guard:region: eu\n",  # the dotenv region comment is no suppression
        "a: 'x# residency-guard: ignore RG001 reason=x'\n",  # no blank before '#': not a comment
        "# residency-guard: ignored RG001 reason=x\n",
    ],
)
def test_not_a_suppression(text: str) -> None:
    assert parse_inline(FILE, text) == []


STACK = """\
config:
  residency-guard:region: eu
  # residency-guard: ignore RG001 reason="migration, INC-7" until=2026-11-01
  app:url: https://api.openai.com/v1
"""


def test_active_suppression_marks_the_finding_suppressed() -> None:
    (judged,) = judge(STACK, finding(line=4))
    assert judged.suppression == Suppression("migration, INC-7", "2026-11-01", f"{FILE}:3")


def test_until_is_inclusive_and_expires_the_day_after() -> None:
    def on(day: datetime.date) -> list[Finding]:
        return apply_suppressions([finding(line=4)], repo=RepoConfig(), sources={FILE: STACK},
                                  today=day)  # fmt: skip

    on_the_day, day_after = on(datetime.date(2026, 11, 1)), on(datetime.date(2026, 11, 2))
    assert on_the_day[0].suppressed
    assert day_after == [finding(line=4)]  # expired: the finding as it was, nothing added


def test_suppression_covers_only_its_rule_file_and_lines() -> None:
    others = [finding("RG003", line=4), finding(line=2), finding(file="stacks/Pulumi.other.yaml")]
    assert judge(STACK, *others) == sorted(others, key=Finding.sort_key)


def test_suppression_without_reason_is_rg016_and_suppresses_nothing() -> None:
    text = "config:\n  # residency-guard: ignore RG001\n  app:url: https://api.openai.com/v1\n"
    judged = judge(text, finding(line=3))
    assert [(f.rule, f.line, f.suppressed) for f in judged] == [("RG016", 2, False),
                                                                ("RG001", 3, False)]  # fmt: skip
    assert judged[0].message == "suppression of RG001 gives no reason"


def test_rg016_findings_cannot_be_suppressed() -> None:
    text = ("# residency-guard: ignore RG016 reason=\"x\"\n"
            "# residency-guard: ignore RG001\n")  # fmt: skip
    judged = judge(text)
    assert [(f.rule, f.line, f.suppressed) for f in judged] == [("RG016", 1, False),
                                                                ("RG016", 2, False)]  # fmt: skip


def repo(*entries: RepoSuppression) -> RepoConfig:
    return RepoConfig(path=Path("residency-guard.yaml"), suppressions=entries)


@pytest.mark.parametrize(
    ("entry", "suppressed"),
    [
        (RepoSuppression("RG001", "why", None), True),
        (RepoSuppression("RG001", "why", "2026-10-31"), False),  # expired yesterday
        (RepoSuppression("RG001", "why", None, stack="prod-*"), True),
        (RepoSuppression("RG001", "why", None, stack="dev-*"), False),
        (RepoSuppression("RG001", "why", None, file="stacks/*.yaml"), True),
        (RepoSuppression("RG001", "why", None, file="other/*"), False),
        (RepoSuppression("RG003", "why", None), False),
    ],
)
def test_repo_level_suppression(entry: RepoSuppression, suppressed: bool) -> None:
    (judged,) = judge("", finding(), repo=repo(entry))
    assert judged.suppressed is suppressed


def test_repo_level_without_reason_is_rg016_at_its_line() -> None:
    judged = judge("", finding(), repo=repo(RepoSuppression("RG001", "", None, line=7)))
    assert [(f.rule, f.file, f.line, f.suppressed) for f in judged] == [
        ("RG016", "residency-guard.yaml", 7, False),
        ("RG001", FILE, 4, False),
    ]


def test_inline_suppression_is_preferred_to_repo_level() -> None:
    (judged,) = judge(STACK, finding(line=4), repo=repo(RepoSuppression("RG001", "repo", None)))
    assert judged.suppression is not None and judged.suppression.reason == "migration, INC-7"


def project(tmp_path: Path, stack: str, config: str = "") -> Path:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\nstackConfigDir: stacks\n")
    (tmp_path / "stacks").mkdir()
    (tmp_path / "stacks" / "Pulumi.prod-eu.yaml").write_text(textwrap.dedent(stack))
    if config:
        (tmp_path / "residency-guard.yaml").write_text(textwrap.dedent(config))
    return tmp_path


def test_scan_paths_applies_suppressions_and_keeps_the_audit(tmp_path: Path) -> None:
    root = project(tmp_path, STACK, "suppressions:\n  - rule: RG004\n")
    run = scan_paths([root], today=datetime.date(2027, 1, 1))
    assert rules_of(run.findings) == ["RG001", "RG016"]
    (lapsed,) = run.suppressions.expired
    assert (lapsed[0].rule, lapsed[1].until) == ("RG001", "2026-11-01")
    states = [e.state(datetime.date(2027, 1, 1)) for e in run.suppressions.entries]
    assert states == [SuppressionState.EXPIRED, SuppressionState.INVALID]
    assert [f.file.endswith("residency-guard.yaml") for f in run.suppressions.findings] == [True]


def test_scan_paths_reports_a_reasonless_comment_in_a_clean_file(tmp_path: Path) -> None:
    root = project(
        tmp_path, "config:\n  residency-guard:region: eu\n  # residency-guard: ignore RG001\n"
    )
    run = scan_paths([root], today=TODAY)
    assert [(f.rule, f.line) for f in run.findings] == [("RG016", 3)]


def test_dotenv_comment_suppresses(tmp_path: Path) -> None:
    root = project(tmp_path, "config:\n  residency-guard:region: eu\n")
    (root / ".env.prod").write_text(
        "# residency-guard:region: eu\n"
        '# residency-guard: ignore RG001 reason="batch job, INC-9" until=2099-12-31\n'
        "OPENAI_BASE_URL=https://api.openai.com/v1\n"
    )
    run = scan_paths([root], today=TODAY)
    (judged,) = run.findings
    assert (judged.rule, judged.line, judged.suppressed) == ("RG001", 3, True)
