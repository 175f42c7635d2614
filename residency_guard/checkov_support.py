"""The checkov front end's core half: one scan per file, a verdict per rule, no secret out.

The checks in ``policies/checkov/`` are a few declarative lines each: a class that puts
:class:`YamlRuleCheck` or :class:`JsonRuleCheck` before checkov's own base class. Everything
else lives here, in the installed package, for two reasons:

- checkov execs every ``*.py`` of ``--external-checks-dir`` under its bare file name, once
  per framework (``--framework yaml json``: twice), so a helper module next to the checks is
  re-executed and its state thrown away. A module of this package is imported once per
  process: the checks of both frameworks share one :class:`CheckovRun` (``RuleCheck.checkov_run``),
  whose bounded memos judge each file once for all of them.
- The rules are written once, in the core: a check asks :func:`judge` about one file and
  one rule and maps the answer to checkov's four results.

checkov is imported lazily, by name, and only when a check is instantiated (inside
checkov's own environment); the main environment never imports it.

What a check returns never holds a value of the file: checkov copies the lines its
``result_config`` points at into every output format (and json also dumps the config), so
every result, skipped ones included, carries a config whose line range selects no line and
whose other entries are strings we made (rule id, counts, lines, key paths, error class).
"""

from __future__ import annotations

import datetime
import importlib
import json
import logging
import os
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any, ClassVar

from residency_guard.catalog import shipped_catalog
from residency_guard.catalog.model import Catalog
from residency_guard.context import StackContext
from residency_guard.errors import InputError, ResidencyGuardError
from residency_guard.evaluate import unique
from residency_guard.findings import Finding, Severity
from residency_guard.memo import BoundedMemo
from residency_guard.pipeline import StackScan
from residency_guard.redact import redact
from residency_guard.repoconfig import FILE_NAME, RepoConfig, find_repo_config
from residency_guard.rules import RULES
from residency_guard.rules.base import InputKind
from residency_guard.scan import load_settings, scan_target
from residency_guard.scanners.discover import PROJECT_FILES, discover, held_regions
from residency_guard.scanners.pulumi_json import json_kind, scan_pulumi_json
from residency_guard.sources.engine_records import checkpoint_as_state
from residency_guard.sources.files import MAX_JSON_BYTES, MAX_YAML_BYTES, SourceCache, read_text
from residency_guard.sources.stack_file import stack_name_of
from residency_guard.stackregion import UNDECLARED, Declaration
from residency_guard.suppressions import apply_suppressions, suppress_scans
from residency_guard.values import Value, json_int, loads_json, walk_data
from residency_guard.yamlfile import load_yaml, walk_yaml

# The rules with a checkov check: those that name one (``Rule.checkov_name``); the others say
# why not (``Rule.exemptions``: RG016 judges our own suppression syntax, not the stack).
CHECKOV_RULES: tuple[str, ...] = tuple(rule.id for rule in RULES.values() if rule.checkov_name)
# RG007 runs on every YAML and JSON file, not only on stack, preview and state files.
KEY_RULE = "RG007"
CHECKOV_SEVERITY: Mapping[Severity, str] = {
    Severity.ERROR: "HIGH",
    Severity.WARNING: "MEDIUM",
    Severity.NOTE: "LOW",
}
_MEMO_SIZE = 512  # files judged (their findings, not their text)
_SETTINGS_SIZE = 64  # residency-guard.yaml files and the catalogs they layer
_LIST_LIMIT = 10  # lines and key paths listed in a result's configuration


class Status(str, Enum):
    """checkov's results, by the names of ``checkov.common.models.enums.CheckResult``."""

    PASSED = "PASSED"
    FAILED = "FAILED"
    SKIPPED = "SKIPPED"
    UNKNOWN = "UNKNOWN"


class Kind(str, Enum):
    """What a file is to residency-guard."""

    STACK_FILE = "stack-file"
    PREVIEW = "preview"
    STATE = "state"
    PROJECT = "project"  # Pulumi.yaml: its config defaults, judged for every stack of it
    HELD = "held"  # a settings file `paths:` holds to a region: judged by every rule
    OTHER = "other"  # any other YAML or JSON: only the key detector (RG007) looks at it


@dataclass(frozen=True)
class Verdict:
    """One check's answer for one file; ``info`` holds strings we made, never file content."""

    status: Status
    info: Mapping[str, str]


@dataclass(frozen=True)
class FileJudgement:
    """Every rule's findings on one file, suppressions applied; or why it could not be judged."""

    kind: Kind
    findings: tuple[Finding, ...] = ()
    error: str = ""  # class name of the error that stopped the scan

    def verdict(self, rule_id: str) -> Verdict:
        if self.kind is Kind.OTHER and InputKind.OTHER not in RULES[rule_id].inputs:
            return Verdict(Status.UNKNOWN, {})  # not a file of ours: leave it alone
        if self.error:
            # A stack, preview or state file that cannot be judged fails closed, like the CLI
            # (exit 2); any other file could not be read for keys: unresolved, not passed.
            status = Status.UNKNOWN if self.kind is Kind.OTHER else Status.FAILED
            return Verdict(status, {"rule": rule_id, "error": self.error})
        mine = [f for f in self.findings if f.rule == rule_id]
        failing = [f for f in mine if not f.suppressed]
        if failing:
            return Verdict(Status.FAILED, _describe(rule_id, failing))
        if mine:
            reasons = sorted({f.suppression.reason for f in mine if f.suppression is not None})
            info = {"rule": rule_id, "suppressed": redact("; ".join(reasons))}
            return Verdict(Status.SKIPPED, info)
        return Verdict(Status.PASSED, {"rule": rule_id})


def _describe(rule_id: str, findings: Sequence[Finding]) -> dict[str, str]:
    """Where a rule failed, as the CLI would say it, minus the messages (they quote values)."""
    lines = sorted({f.line for f in findings if f.line})
    paths = sorted({f.path for f in findings if f.path})
    info = {"rule": rule_id, "findings": str(len(findings))}
    if lines:
        info["lines"] = ", ".join(str(n) for n in lines[:_LIST_LIMIT])
    if paths:
        info["paths"] = redact(", ".join(paths[:_LIST_LIMIT]))
    info["details"] = "residency-guard check"
    return info


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError):
        return a == b


# ---------------------------------------------------------------------------------------------
# One judgement per file and run, memoized on (framework, path, mtime, size).


@dataclass
class CheckovRun:
    """What one checkov run has worked out: each file's judgement, each repo config's settings.

    checkov runs one scan per process and instantiates every check of both frameworks there,
    so its checks share one run (``RuleCheck.checkov_run``); a test or another caller makes its own.
    Both memos are bounded and forget the least recently used entry: a changed file or
    residency-guard.yaml is a new key (mtime and size), an old entry is never served for it.
    """

    judgements: BoundedMemo[tuple[str, str, int, int], FileJudgement] = field(
        default_factory=lambda: BoundedMemo(_MEMO_SIZE)
    )
    settings: BoundedMemo[tuple[str, int, int] | None, tuple[RepoConfig, Catalog]] = field(
        default_factory=lambda: BoundedMemo(_SETTINGS_SIZE)
    )

    def judge(self, rule_id: str, file: str | os.PathLike[str], framework: str) -> Verdict:
        """The verdict of ``rule_id`` on ``file`` as checkov's ``framework`` sees it."""
        if rule_id not in CHECKOV_RULES:
            raise ValueError(f"no checkov check for {rule_id}")
        return self.judge_file(Path(file), framework).verdict(rule_id)

    def judge_file(self, path: Path, framework: str) -> FileJudgement:
        """Every covered rule's findings on one file: scanned once, then served from the memo."""
        absolute = path.absolute()
        try:
            stat = absolute.stat()
            key = (framework, str(absolute), stat.st_mtime_ns, stat.st_size)
        except OSError:
            return self._judge_uncached(absolute, framework)
        found = self.judgements.get(key)
        if found is None:
            found = self.judgements.remember(key, self._judge_uncached(absolute, framework))
        return found

    def settings_for(self, path: Path) -> tuple[RepoConfig, Catalog]:
        """The repo config found upwards from ``path`` (as the CLI finds it) and its catalog."""
        config = find_repo_config(path)
        key: tuple[str, int, int] | None = None
        if config is not None:
            stat = config.stat()
            key = (str(config.resolve()), stat.st_mtime_ns, stat.st_size)
        found = self.settings.get(key)
        if found is None:
            found = self.settings.remember(key, load_settings([path], config))
        return found

    def _judge_uncached(self, path: Path, framework: str) -> FileJudgement:
        if framework == "yaml":
            if stack_name_of(path) is not None:
                return _guarded(Kind.STACK_FILE, lambda: self._cli_view(path))
            if path.name in PROJECT_FILES:
                return _guarded(Kind.PROJECT, lambda: self._project_file(path))
            if self._held(path):
                return _guarded(Kind.HELD, lambda: self._cli_view(path))
            return _guarded(Kind.OTHER, lambda: self._other_yaml(path))
        if framework == "json":
            try:
                data = _load_json(path)
            except (ResidencyGuardError, RecursionError, MemoryError):
                return _guarded(Kind.OTHER, lambda: self._other_text(path, MAX_JSON_BYTES))
            data = checkpoint_as_state(data)  # a file-backend checkpoint holds a state export
            kind = json_kind(data)
            if kind is None and self._held(path):
                return _guarded(Kind.HELD, lambda: self._cli_view(path))
            if kind is None:
                return _guarded(Kind.OTHER, lambda: self._other_json(path, data))
            return _guarded(Kind(kind), lambda: self._pulumi_json(path, data))
        raise ValueError(f"unknown checkov framework '{framework}'")

    def _cli_view(self, path: Path) -> list[Finding]:
        """What ``residency-guard check <path>`` reports in ``path`` itself, suppressions applied.

        The CLI's own discovery of the file: a stack file with its project's default region and
        the config defaults of its ``Pulumi.yaml``, a ``Pulumi.yaml`` with every stack of its
        project (a default there is judged against each stack that inherits it), the repo's
        ``stacks:`` mapping and catalog. A finding is the verdict of the file it lies in: a
        project default fails ``Pulumi.yaml``, where the CLI locates it and where it is fixed.
        """
        repo, catalog = self.settings_for(path)
        sources = SourceCache()  # the project file read once, by discovery and its stacks
        targets, errors = discover([path], files=sources)
        for error in errors:
            if error.file is None or _same_file(error.file, str(path)):
                raise error
        scans: list[StackScan] = []
        for target in targets:
            try:
                scans.append(scan_target(target, catalog, repo, sources))
            except ResidencyGuardError:
                if _same_file(str(target.path), str(path)):
                    raise
                # another stack of the project: it fails its own checks, closed
        suppress_scans(scans, repo, _today(), read=sources.text)
        return [f for scan in scans for f in scan.findings if _same_file(f.file, str(path))]

    def _project_file(self, path: Path) -> list[Finding]:
        """A ``Pulumi.yaml``: the CLI's findings in it, and the key detector over all of it."""
        found = self._cli_view(path)
        keys = [f for f in self._other_yaml(path) if not any(
            (g.rule, g.line, g.path) == (f.rule, f.line, f.path) for g in found
        )]  # fmt: skip
        return unique([*found, *keys])

    def _held(self, path: Path) -> tuple[Declaration, ...]:
        """The region ``paths:`` of the file's residency-guard.yaml holds it to, as the CLI
        reads it."""
        if path.name in PROJECT_FILES or path.name == FILE_NAME:
            return ()
        try:
            repo, _ = self.settings_for(path)
        except ResidencyGuardError:
            return ()
        return held_regions(path, repo) if repo.paths else ()

    def _pulumi_json(self, path: Path, data: Any) -> list[Finding]:
        repo, catalog = self.settings_for(path)
        return _suppressed(scan_pulumi_json(path, catalog, repo, data=data), repo)

    def _key_findings(
        self, path: Path, values: Sequence[Value], sources: Mapping[str, str]
    ) -> list[Finding]:
        """RG007 over a file that is no stack, preview or state: the core's rule, the same
        values."""
        try:
            repo, catalog = self.settings_for(path)
        except ResidencyGuardError:  # a broken residency-guard.yaml: no suppression applies
            repo, catalog = RepoConfig(), shipped_catalog()
        ctx = StackContext(catalog, "", str(path), UNDECLARED, repo)
        rule = RULES[KEY_RULE]
        found = unique(f for value in values for f in rule.check_value(value, ctx))
        judged = apply_suppressions(found, repo=repo, sources=sources, today=_today())
        return [f for f in judged if f.rule == KEY_RULE]

    def _other_yaml(self, path: Path) -> list[Finding]:
        text = read_text(path, MAX_YAML_BYTES)
        try:
            values = list(walk_yaml(load_yaml(text, str(path))))
        except InputError:
            # Several documents (a Kubernetes manifest) or YAML that only checkov's reader
            # takes: the key detector still reads the text as one value.
            values = [Value((), text, "")]
        return self._key_findings(path, values, {str(path): text})

    def _other_json(self, path: Path, data: Any) -> list[Finding]:
        return self._key_findings(path, list(walk_data(data)), {})

    def _other_text(self, path: Path, limit: int) -> list[Finding]:
        text = read_text(path, limit)
        return self._key_findings(path, [Value((), text, "")], {})


def judge(
    rule_id: str, file: str | os.PathLike[str], framework: str, run: CheckovRun | None = None
) -> Verdict:
    """The verdict of ``rule_id`` on ``file`` as checkov's ``framework`` ("yaml"/"json") sees it,
    worked out in ``run`` (default: a run of its own, so nothing is remembered between calls)."""
    return (run or CheckovRun()).judge(rule_id, file, framework)


def judge_file(path: Path, framework: str, run: CheckovRun | None = None) -> FileJudgement:
    """Every covered rule's findings on one file, worked out in ``run`` (default: its own)."""
    return (run or CheckovRun()).judge_file(path, framework)


def _guarded(kind: Kind, scan: Callable[[], list[Finding]]) -> FileJudgement:
    """``scan()``'s findings; an error becomes the judgement's error (its class name only)."""
    try:
        findings = scan()
    except (ResidencyGuardError, RecursionError, MemoryError) as error:
        return FileJudgement(kind, error=type(error).__name__)
    return FileJudgement(kind, tuple(findings))


def _today() -> datetime.date:
    return datetime.date.today()


def _suppressed(scan: StackScan, repo: RepoConfig) -> list[Finding]:
    suppress_scans([scan], repo, _today())
    return scan.findings


def _load_json(path: Path) -> Any:
    text = read_text(path, MAX_JSON_BYTES)
    try:
        return loads_json(text)
    except json.JSONDecodeError:
        raise InputError("invalid JSON", file=str(path)) from None


# ---------------------------------------------------------------------------------------------
# checkov's own logs: its YAML loader logs PyYAML's error at DEBUG, and PyYAML quotes the
# offending line ("found character '@' ... key: @sk-proj-..."): a key on a line that checkov
# cannot parse reaches stderr at LOG_LEVEL=DEBUG without any check running on the file.


# PyYAML's mark: `  in "<file>", line 3, column 72:` + the line (cut to ~75 characters, so a
# key may lose its "sk-" prefix and escape `redact`) + a line with the caret.
_YAML_SNIPPET = re.compile(r"(line \d+, column \d+):\n[^\n]*\n[ \t]*\^")


def scrub_log_text(text: str) -> str:
    """``text`` without PyYAML's quoted source lines and with every OpenAI key redacted."""
    if "column" in text:
        text = _YAML_SNIPPET.sub(r"\1 (line not shown)", text)
    return redact(text)


class RedactingLogFilter(logging.Filter):
    """Scrubs every record a handler emits (message, arguments, traceback) with scrub_log_text."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: keep checkov's own handling of it
            message = str(record.msg)
        scrubbed = scrub_log_text(message)
        if scrubbed != message:
            record.msg, record.args = scrubbed, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub_log_text(record.stack_info)
        return True


def install_log_redaction(logger: logging.Logger | None = None) -> None:
    """Add :class:`RedactingLogFilter` to every handler of ``logger`` (default: the root).

    Handler filters see the records of every logger that propagates to them (a logger's own
    filters do not). Idempotent. checkov sets its handlers up at import, and loads external
    checks before it reads any file, so a check instantiated here covers the whole scan.
    """
    for handler in (logger or logging.getLogger()).handlers:
        if not any(isinstance(f, RedactingLogFilter) for f in handler.filters):
            handler.addFilter(RedactingLogFilter())


def install_long_number_reading() -> None:
    """Make checkov's JSON reader read an integer too long for ``int()`` (over Python's
    4,300 digits) as our readers do (``values.loads_json``). Without it, one such number in
    any JSON file aborted checkov's whole json runner (measured with checkov 3.3.30: a
    ValueError out of ``_parallel_run``), and no JSON file of the run was judged. Idempotent;
    like the log filter, installed when checkov loads the checks, before it reads a file."""
    decoder = _checkov("common.parsers.json.decoder").Decoder
    if getattr(decoder, "_residency_guard_numbers", False):
        return
    original = decoder.__init__

    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("parse_int", json_int)
        original(self, *args, **kwargs)

    decoder.__init__ = __init__
    decoder._residency_guard_numbers = True


# ---------------------------------------------------------------------------------------------
# The checkov side: mixins placed before checkov's BaseYamlCheck / BaseJsonCheck.


def _checkov(module: str) -> Any:
    return importlib.import_module(f"checkov.{module}")


class RuleCheck:
    """A checkov check of one core rule. Subclasses set ``rule_id`` and ``check_name``.

    Use through :class:`YamlRuleCheck` or :class:`JsonRuleCheck`, before checkov's base class::

        class EnsureEndpointInRegionYaml(YamlRuleCheck, BaseYamlCheck):
            rule_id = "RG001"
            check_name = "Ensure ..."
    """

    rule_id: ClassVar[str]
    check_name: ClassVar[str]
    framework: ClassVar[str]
    # The process is the run: checkov instantiates each check once per framework, and every
    # check of both frameworks asks this one run, which judges each file once.
    checkov_run: ClassVar[CheckovRun] = CheckovRun()
    # Set by checkov's BaseCheck.
    id: str
    logger: logging.Logger
    severity: Any

    def __init__(self) -> None:
        rule = RULES[self.rule_id]
        enums = _checkov("common.models.enums")
        categories = enums.CheckCategories
        category = categories.SECRETS if "secret" in rule.tags else categories.GENERAL_SECURITY
        parent: Any = super()
        parent.__init__(
            name=self.check_name,
            id=rule.checkov_id,
            categories=[category],
            supported_entities=["*"],  # every file of the framework; judge() picks ours
            block_type=_checkov("common.checks.enums").BlockType.DOCUMENT,
        )
        severities = _checkov("common.bridgecrew.severities")
        self.severity = severities.Severities[CHECKOV_SEVERITY[rule.severity]]
        self._result = enums.CheckResult
        self._scanned_file = ""
        self._config_types()
        install_log_redaction()
        install_long_number_reading()

    def _config_types(self) -> None:
        """Resolve now what ``redacted_config`` needs, so that building one cannot fail later."""

    def redacted_config(self, info: Mapping[str, str]) -> Any:
        raise NotImplementedError

    def run(
        self,
        scanned_file: str,
        entity_configuration: Any,
        entity_name: str,
        entity_type: str,
        skip_info: Any,
    ) -> Any:
        self._scanned_file = scanned_file
        parent: Any = super()
        result = parent.run(scanned_file, entity_configuration, entity_name, entity_type, skip_info)
        if result.get("result") == self._result.SKIPPED:
            # An inline `checkov:skip` gives a bare SKIPPED, which checkov pairs with no config:
            # the line range falls back to 0..0 and a one-line file would be printed whole.
            comment = redact(str(result.get("suppress_comment", "")))
            result["result"] = (self._result.SKIPPED, self.redacted_config({"suppressed": comment}))
        return result

    def scan_entity_conf(self, conf: Any, entity_type: str) -> Any:
        """checkov's parse of the file (``conf``) is not used: the core reads the file itself."""
        try:
            verdict = self.checkov_run.judge(self.rule_id, self._scanned_file, self.framework)
            return self._result[verdict.status.value], self.redacted_config(verdict.info)
        except Exception as exc:  # fail closed; checkov would log the whole file on a raise
            self.logger.error(
                "%s (%s): internal error %s", self.id, self.rule_id, type(exc).__name__
            )
            return self._result.FAILED, self.redacted_config({"error": type(exc).__name__})


class YamlRuleCheck(RuleCheck):
    """For ``checkov.yaml_doc.base_yaml_check.BaseYamlCheck``: ``Pulumi.<stack>.yaml`` files."""

    framework = "yaml"

    def redacted_config(self, info: Mapping[str, str]) -> Any:
        # Lines 0..-1: checkov prints raw[-1:0], no line. Missing keys would drop the record.
        return {"__startline__": 0, "__endline__": -1, **{k: str(v) for k, v in info.items()}}


class JsonRuleCheck(RuleCheck):
    """For ``checkov.json_doc.base_json_check.BaseJsonCheck``: preview and state files."""

    framework = "json"
    _node: Any
    _mark: Any

    def _config_types(self) -> None:
        self._node = _checkov("common.parsers.node").DictNode
        self._mark = _checkov("common.parsers.json.decoder").Mark

    def redacted_config(self, info: Mapping[str, str]) -> Any:
        # A non-empty DictNode (an empty one is falsy: checkov falls back to lines 0..0).
        data = {"redacted": "true", **{k: str(v) for k, v in info.items()}}
        return self._node(data, self._mark(0, 0), self._mark(-1, 0))


__all__ = [
    "CHECKOV_RULES",
    "CHECKOV_SEVERITY",
    "KEY_RULE",
    "CheckovRun",
    "FileJudgement",
    "JsonRuleCheck",
    "Kind",
    "RedactingLogFilter",
    "RuleCheck",
    "Status",
    "Verdict",
    "YamlRuleCheck",
    "install_log_redaction",
    "judge",
    "judge_file",
    "scrub_log_text",
]
