"""Suppressions: accepting a finding on purpose, with a reason, until a date.

Inline, in a stack file or a dotenv file::

    # residency-guard: ignore RG001,RG003 reason="EU key pending, INC-1234" until=2027-03-01

A comment on a line of its own applies to findings on that line and on the next line that is
neither blank nor a comment; a comment after a value applies to that line only. Repo-wide, in
``residency-guard.yaml``::

    suppressions:
      - rule: RG001
        stack: "dev-*"          # a glob over stack names, default *
        file: "stacks/*.yaml"   # a glob over file paths (as given, or from the config's folder)
        reason: "..."
        until: 2027-03-01

``until`` is inclusive: a suppression holds through that day and has expired the day after.
An expired suppression suppresses nothing, so its finding fails the gate again. A suppression
without a reason, with an ``until`` that is not ``YYYY-MM-DD``, naming a rule that does not
exist (or RG016 itself), or that cannot be read, suppresses nothing and is an RG016 finding.

Every front end calls :func:`apply_suppressions` (the CLI through ``scan_paths``), with the
date to judge expiry on passed in: the core reads no clock.
"""

from __future__ import annotations

import contextlib
import datetime
import fnmatch
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

from residency_guard.errors import ResidencyGuardError
from residency_guard.evaluate import unique
from residency_guard.findings import Finding, Suppression
from residency_guard.repoconfig import FILE_NAME, RepoConfig
from residency_guard.rules import RULES
from residency_guard.rules.invalid_suppression import InvalidSuppression
from residency_guard.scanners.discover import is_dotenv

# Line breaks as python-dotenv counts them (dotenv.parser), and as PyYAML does (its reader).
_DOTENV_BREAKS = re.compile(r"\r\n|\n|\r")
_YAML_BREAKS = re.compile(r"\r\n|[\n\r\x85\u2028\u2029]")

if TYPE_CHECKING:  # scan imports this module; the type is for annotations only
    from residency_guard.pipeline import StackScan

# A file's text within a size limit (``sources.files.read_text``, a run's ``SourceCache``).
Reader = Callable[[Path, int], str]

# "# residency-guard: ignore ..." after the start of a line or a blank, as YAML comments are.
_DIRECTIVE = re.compile(r"(?:^|(?<=\s))#\s*residency-guard:\s*ignore(?![\w-])(?P<body>.*)$")
# A whole-text search that every line _DIRECTIVE matches also matches (\s may span lines here).
_ANY_DIRECTIVE = re.compile(r"#\s*residency-guard:\s*ignore")
_RULE_ID = re.compile(r"RG\d{3}")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_RG016 = InvalidSuppression()
# Files without comments: JSON (previews, state exports).
_UNCOMMENTED_SUFFIXES = (".json",)


class SuppressionState(str, Enum):
    """What a suppression does on the day it is judged."""

    ACTIVE = "active"
    EXPIRED = "expired"
    INVALID = "invalid"


@dataclass(frozen=True)
class SuppressionEntry:
    """One suppression as written, where it was written and what it covers."""

    rules: tuple[str, ...]
    reason: str
    until: str | None  # as written; valid ones are ISO dates
    file: str  # where it is written
    line: int
    column: int = 1
    covers_lines: tuple[int, ...] = ()  # inline: the lines of ``file`` it covers
    stack_glob: str = "*"  # repo-level only
    file_glob: str = "*"  # repo-level only
    repo_level: bool = False
    problem: str = ""  # why it is invalid ("" when it is valid)
    fix: str = ""

    @property
    def source(self) -> str:
        return f"{self.file}:{self.line}"

    @property
    def valid(self) -> bool:
        return not self.problem

    def expires(self) -> datetime.date | None:
        return datetime.date.fromisoformat(self.until) if self.valid and self.until else None

    def state(self, today: datetime.date) -> SuppressionState:
        if not self.valid:
            return SuppressionState.INVALID
        end = self.expires()
        return SuppressionState.EXPIRED if end is not None and today > end else (
            SuppressionState.ACTIVE
        )  # fmt: skip

    def covers(self, finding: Finding, base: Path | None = None) -> bool:
        """Whether this suppression is about ``finding`` (valid or not, expired or not)."""
        if finding.rule not in self.rules:
            return False
        if not self.repo_level:
            return finding.file == self.file and finding.line in self.covers_lines
        if not fnmatch.fnmatchcase(finding.stack, self.stack_glob):
            return False
        forms = _path_forms(finding.file, base)
        return any(fnmatch.fnmatchcase(form, self.file_glob) for form in forms)

    def suppression(self) -> Suppression:
        return Suppression(reason=self.reason, until=self.until, source=self.source)

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "rules": list(self.rules),
            "reason": self.reason,
            "until": self.until,
            "source": self.source,
            "kind": "repo" if self.repo_level else "inline",
        }
        if self.repo_level:
            data["stack"] = self.stack_glob
            data["file"] = self.file_glob
        else:
            data["lines"] = list(self.covers_lines)
        if self.problem:
            data["problem"] = self.problem
        return data


def _path_forms(file: str, base: Path | None) -> list[str]:
    """A finding's file as a glob may name it: as given, and from the repo config's folder."""
    forms = [file, PurePath(file).as_posix()]
    if base is not None:
        with contextlib.suppress(ValueError, OSError):
            forms.append(Path(file).resolve().relative_to(base.resolve()).as_posix())
    return forms


def _check(rules: Sequence[str], reason: str, until: str | None) -> tuple[str, str]:
    """(problem, fix) for a suppression's fields; ("", "") when it can be honoured."""
    known = ", ".join(r for r in RULES if r != _RG016.id)
    for rule in rules:
        if rule == _RG016.id:
            return (f"a suppression cannot accept {rule} ({_RG016.name})",
                    "fix the suppression that RG016 reports instead")  # fmt: skip
        if rule not in RULES:
            return f"suppression names the unknown rule '{rule}'", f"use one of: {known}"
    if not reason.strip():
        return (f"suppression of {', '.join(rules)} gives no reason",
                'say why it is accepted: reason="..."')  # fmt: skip
    if until is not None:
        try:
            if not _DATE.fullmatch(until):
                raise ValueError(until)
            datetime.date.fromisoformat(until)
        except ValueError:
            return (f"suppression of {', '.join(rules)} has until={until!r}, not a date",
                    "write the last day it holds as until=YYYY-MM-DD")  # fmt: skip
    return "", ""


def _parse_body(body: str) -> tuple[tuple[str, ...], str, str | None, str]:
    """(rules, reason, until, problem) from what follows ``ignore``."""
    try:
        tokens = shlex.split(body, posix=True)
    except ValueError:
        return (), "", None, "cannot read the suppression (an unbalanced quote)"
    rule_tokens: list[str] = []
    while tokens and "=" not in tokens[0]:
        rule_tokens.append(tokens.pop(0))
    rules = tuple(r.strip().upper() for r in ",".join(rule_tokens).split(",") if r.strip())
    if not rules:
        return (), "", None, "suppression names no rule"
    bad = next((r for r in rules if not _RULE_ID.fullmatch(r)), None)
    if bad is not None:
        return rules, "", None, f"'{bad}' is not a rule ID (RG0xx)"
    fields: dict[str, str] = {}
    for token in tokens:
        key, _, value = token.partition("=")
        if key not in ("reason", "until") or key in fields:
            return rules, "", None, f"cannot read '{token[:40]}' (expected reason=... until=...)"
        fields[key] = value
    return rules, fields.get("reason", "").strip(), fields.get("until"), ""


def parse_inline(file: str, text: str) -> list[SuppressionEntry]:
    """Every ``# residency-guard: ignore`` comment of a YAML or dotenv text."""
    if _ANY_DIRECTIVE.search(text) is None:  # most files (and every stack file's key) have none
        return []
    # Lines as the file's own reader counts them (never str.splitlines(), which also breaks
    # at U+2028 and form feeds): a comment must cover the line its finding is reported on.
    breaks = _DOTENV_BREAKS if is_dotenv(Path(file)) else _YAML_BREAKS
    lines = breaks.split(text)
    if lines and lines[-1] == "":
        lines.pop()
    entries: list[SuppressionEntry] = []
    for index, raw in enumerate(lines):
        match = _DIRECTIVE.search(raw)
        if match is None:
            continue
        number = index + 1
        covered = [number]
        if raw[: match.start()].strip() == "":  # a comment on its own line: the next line too
            following = next(
                (n for n in range(index + 1, len(lines))
                 if lines[n].strip() and not lines[n].lstrip().startswith("#")),
                None,
            )  # fmt: skip
            if following is not None:
                covered.append(following + 1)
        rules, reason, until, problem = _parse_body(match.group("body"))
        fix = 'write: # residency-guard: ignore RG0xx reason="..." until=YYYY-MM-DD'
        if not problem:
            problem, fix = _check(rules, reason, until)
        entry = SuppressionEntry(
            rules, reason, until, file, number, match.start() + 1, tuple(covered),
            problem=problem, fix=fix if problem else "",
        )  # fmt: skip
        entries.append(entry)
    return entries


def repo_entries(repo: RepoConfig) -> list[SuppressionEntry]:
    """The ``suppressions:`` of ``residency-guard.yaml``."""
    file = str(repo.path) if repo.path is not None else FILE_NAME
    entries = []
    for item in repo.suppressions:
        rules = (item.rule.upper(),)
        problem, fix = _check(rules, item.reason, item.until)
        entry = SuppressionEntry(
            rules, item.reason, item.until, file, item.line or 1,
            stack_glob=item.stack or "*", file_glob=item.file or "*", repo_level=True,
            problem=problem, fix=fix,
        )  # fmt: skip
        entries.append(entry)
    return entries


def collect_suppressions(repo: RepoConfig, sources: Mapping[str, str]) -> list[SuppressionEntry]:
    """Inline suppressions of every source, then the repo-level ones."""
    found: list[SuppressionEntry] = []
    for file in sorted(sources):
        found.extend(parse_inline(file, sources[file]))
    return found + repo_entries(repo)


def _judge(
    finding: Finding, entries: Iterable[SuppressionEntry], today: datetime.date, base: Path | None
) -> tuple[Finding, SuppressionEntry | None, SuppressionEntry | None]:
    """(the finding, suppressed if an active entry covers it; that entry; an expired one)."""
    expired: SuppressionEntry | None = None
    if finding.rule == _RG016.id:
        return finding, None, None
    for entry in entries:  # inline entries come first: the nearest decision wins
        if not entry.covers(finding, base):
            continue
        state = entry.state(today)
        if state is SuppressionState.ACTIVE:
            return finding.suppressed_by(entry.suppression()), entry, None
        if state is SuppressionState.EXPIRED and expired is None:
            expired = entry
    return finding, None, expired


def _invalid_finding(entry: SuppressionEntry, stack: str = "", region: str = "") -> Finding:
    return _RG016.invalid(
        entry.problem, entry.fix, file=entry.file, line=entry.line, column=entry.column,
        stack=stack, region=region,
    )  # fmt: skip


def _base(repo: RepoConfig) -> Path | None:
    return repo.path.parent if repo.path is not None else None


def apply_suppressions(
    findings: Iterable[Finding],
    *,
    repo: RepoConfig,
    sources: Mapping[str, str],
    today: datetime.date,
) -> list[Finding]:
    """``findings`` with every active suppression applied, plus an RG016 per invalid one.

    ``sources`` maps a file (as findings name it) to its text, for inline comments; pass
    ``{}`` where only repo-level suppressions apply (the policy pack's resources).
    """
    entries = collect_suppressions(repo, sources)
    base = _base(repo)
    judged = [_judge(f, entries, today, base)[0] for f in findings]
    return unique(judged + [_invalid_finding(e) for e in entries if not e.valid])


@dataclass(frozen=True)
class SuppressionAudit:
    """Every suppression a run read, the day they were judged on, and what each one did."""

    today: datetime.date | None = None
    entries: tuple[SuppressionEntry, ...] = ()
    applied: tuple[tuple[Finding, SuppressionEntry], ...] = ()  # the finding as suppressed
    expired: tuple[tuple[Finding, SuppressionEntry], ...] = ()  # the finding, failing again
    findings: tuple[Finding, ...] = ()  # RG016 in files no scan owns (residency-guard.yaml)

    def expired_for(self, finding: Finding) -> SuppressionEntry | None:
        return next((entry for f, entry in self.expired if f == finding), None)

    def uses(self, entry: SuppressionEntry) -> int:
        """How many findings ``entry`` suppressed or, expired, would have suppressed."""
        return sum(1 for _, e in (*self.applied, *self.expired) if e == entry)


def read_sources(
    files: Iterable[str], known: Mapping[str, str] | None = None, read: Reader | None = None
) -> dict[str, str]:
    """The texts of the files that may hold inline suppressions (not JSON); unreadable: none.
    ``known`` texts (the scan read them already) are not read again; ``read`` reads the
    others (the run's reader, which read the scanned files once)."""
    from residency_guard.sources.files import MAX_YAML_BYTES, read_text

    sources: dict[str, str] = {}
    for file in sorted(set(files)):
        if not file or file.lower().endswith(_UNCOMMENTED_SUFFIXES):
            continue
        if known is not None and file in known:
            sources[file] = known[file]
            continue
        try:
            sources[file] = (read or read_text)(Path(file), MAX_YAML_BYTES)
        except ResidencyGuardError:
            continue  # the scan reported it already, or it is no file of ours
    return sources


def suppress_scans(
    scans: Sequence[StackScan],
    repo: RepoConfig,
    today: datetime.date,
    texts: Mapping[str, str] | None = None,
    read: Reader | None = None,
) -> SuppressionAudit:
    """Apply suppressions to every scan's findings in place; what was applied, for the report.

    An RG016 about an inline comment belongs to the scan of its file; one about
    ``residency-guard.yaml`` (or another shared file) to the run, in ``audit.findings``.
    ``texts``: files the scan read already, by name; ``read``: the run's reader.
    """
    files = {s.file for s in scans} | {f.file for s in scans for f in s.findings}
    sources = read_sources(files, texts, read)
    inline = {file: parse_inline(file, text) for file, text in sources.items()}
    shared = repo_entries(repo)
    base = _base(repo)
    applied: list[tuple[Finding, SuppressionEntry]] = []
    expired: list[tuple[Finding, SuppressionEntry]] = []
    owned = {s.file for s in scans}
    for scan in scans:
        relevant = {scan.file} | {f.file for f in scan.findings}
        entries = [e for file in sorted(relevant) for e in inline.get(file, [])] + shared
        judged = []
        for finding in scan.findings:
            result, active, lapsed = _judge(finding, entries, today, base)
            judged.append(result)
            if active is not None:
                applied.append((result, active))
            if lapsed is not None:
                expired.append((result, lapsed))
        region = scan.resolution.region or ""
        judged += [_invalid_finding(e, scan.stack, region)
                   for e in inline.get(scan.file, []) if not e.valid]  # fmt: skip
        scan.findings = unique(judged)
    run_level = [e for file, found in inline.items() if file not in owned for e in found] + shared
    every = tuple(e for file in sorted(inline) for e in inline[file]) + tuple(shared)
    return SuppressionAudit(
        today=today,
        entries=every,
        applied=tuple(applied),
        expired=tuple(expired),
        findings=tuple(unique(_invalid_finding(e) for e in run_level if not e.valid)),
    )
