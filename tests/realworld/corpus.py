"""The real-world corpus: its manifest, one `residency-guard check` run per case, the counts.

``python -m tests.realworld.corpus`` prints the false-positive and false-negative counts that
tests/realworld/README.md reports (run it from the repository root, PYTHONPATH set to it).
"""

from __future__ import annotations

import contextlib
import io
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
MANIFEST = HERE / "manifest.yaml"


@dataclass(frozen=True)
class Case:
    """One run of the manifest: its arguments and the verdict every file must get."""

    name: str
    kind: str  # fp, fn or control
    args: tuple[str, ...]
    expect: dict[str, frozenset[str]]
    error: bool = False
    pending: str = ""


@dataclass
class Outcome:
    """What `check` said about a case: the rule IDs per file, errors, the exit code."""

    exit_code: int
    found: dict[str, set[str]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def false_positives(self, case: Case) -> list[tuple[str, str]]:
        """(file, rule) pairs reported that the manifest does not expect."""
        return sorted(
            (file, rule)
            for file, rules in self.found.items()
            for rule in rules - case.expect.get(file, frozenset())
        )

    def false_negatives(self, case: Case) -> list[tuple[str, str]]:
        """(file, rule) pairs the manifest expects that were not reported; a run that should
        refuse its input and did not counts as one."""
        missed = [
            (file, rule)
            for file, rules in case.expect.items()
            for rule in rules - self.found.get(file, set())
        ]
        if case.error and self.exit_code != 2:
            missed.append((case.args[0], "exit 2"))
        return sorted(missed)

    def refused(self, case: Case) -> bool:
        """An input error where the manifest expects a verdict."""
        return not case.error and self.exit_code == 2


def load_cases() -> list[Case]:
    data = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    return [
        Case(
            name=item["name"],
            kind=item["class"],
            args=tuple(str(a) for a in item["check"]),
            expect={f: frozenset(r) for f, r in item["expect"].items()},
            error=bool(item.get("error", False)),
            pending=str(item.get("pending", "")),
        )
        for item in data["cases"]
    ]


@contextlib.contextmanager
def _inside(folder: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(folder)
    try:
        yield
    finally:
        os.chdir(before)


def run_case(case: Case) -> Outcome:
    """`residency-guard check --format json <args>` from the corpus folder, in process."""
    from residency_guard.cli import main

    out, err = io.StringIO(), io.StringIO()
    with _inside(HERE), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["check", "--format", "json", *case.args])
        except SystemExit as exit_:  # argparse: an option this version does not know
            code = int(exit_.code or 0)
    text = out.getvalue()
    if not text.strip():
        return Outcome(code, errors=err.getvalue().splitlines())
    report: dict[str, Any] = json.loads(text)
    outcome = Outcome(code, errors=list(report["errors"]))
    for finding in report["findings"]:
        if finding.get("suppression"):
            continue
        outcome.found.setdefault(os.path.normpath(finding["file"]), set()).add(finding["rule"])
    return outcome


def counts() -> dict[str, int]:
    """The corpus's totals: files, expected findings, false positives and negatives."""
    totals = dict(cases=0, files=0, pending_files=0, expected=0, fp=0, fn=0, refused=0)
    for case in load_cases():
        outcome = run_case(case)
        totals["cases"] += 1
        totals["files"] += len(case.expect)
        totals["pending_files"] += len(case.expect) if case.pending else 0
        totals["expected"] += sum(len(r) for r in case.expect.values()) + int(case.error)
        totals["fp"] += len(outcome.false_positives(case))
        totals["fn"] += len(outcome.false_negatives(case))
        totals["refused"] += int(outcome.refused(case))
    return totals


def _report() -> None:
    for case in load_cases():
        outcome = run_case(case)
        fps, fns = outcome.false_positives(case), outcome.false_negatives(case)
        mark = f" (pending {case.pending})" if case.pending else ""
        print(f"{case.name}{mark}: exit {outcome.exit_code}, FP {fps or 0}, FN {fns or 0}")
    print(counts())


if __name__ == "__main__":
    _report()
