"""``residency-guard report [PATH...] --out DIR``: the residency evidence report.

Writes ``report.html`` (self-contained), ``report.json`` and ``report.md`` into DIR; exits like
``check``: 0 clean, 1 unsuppressed findings at or above ``--fail-on``, 2 bad input.
"""

from __future__ import annotations

import argparse
import datetime
import os
import sys
from pathlib import Path

from residency_guard import __version__
from residency_guard.findings import Severity
from residency_guard.redact import redact
from residency_guard.report import ReportInputs, build_report, write_report
from residency_guard.report.deployed import deployed_summaries
from residency_guard.report.provenance import (
    digest_inputs,
    git_commit,
    policy_pack_version,
    run_time,
)
from residency_guard.scan import scan_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _folder(path: Path) -> Path:
    return path if path.is_dir() else (path.parent if str(path.parent) else Path("."))


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    catalogs = [Path(c) for c in args.catalog]
    generated_at = run_time(os.environ)  # a bad SOURCE_DATE_EPOCH fails before any work
    run = scan_paths(
        paths,
        config=Path(args.config) if args.config else None,
        catalogs=catalogs,
        today=datetime.date.today(),
    )
    fail_on = Severity(args.fail_on or run.fail_on)
    folder = _folder(paths[0]) if paths else Path(".")
    config_folder = run.repo.path.parent if run.repo.path is not None else None
    inputs = [*run.files, *(str(p) for p in (*run.repo.catalog_files, *catalogs))]
    if run.repo.path is not None:
        inputs.append(str(run.repo.path))
    digest, files = digest_inputs(inputs)
    deployed = {s.file: deployed_summaries(Path(s.file)) for s in run.scans if s.kind == "state"}
    report = build_report(
        run,
        ReportInputs(
            tool_version=__version__,
            generated_at=generated_at,
            git_commit=git_commit(folder),
            policy_pack_version=policy_pack_version(
                [f for f in (config_folder, folder, Path(".")) if f is not None]
            ),
            inputs_sha256=digest,
            input_files=files,
            fail_on=fail_on,
            deployed=deployed,
        ),
    )
    written = write_report(report, Path(args.out))
    for error in run.errors:
        sys.stderr.write(f"residency-guard: error: {redact(error.one_line())}\n")
    summary = report["summary"]
    sys.stdout.write(
        f"report: {summary['stacks']} stacks, {summary['failing']} failing, "
        f"{summary['suppressed']} suppressed, {summary['expired_suppressions']} expired "
        f"suppressions -> {', '.join(str(p) for p in written)}\n"
    )
    if run.errors:
        return EXIT_ERROR
    return EXIT_FINDINGS if summary["failing"] else EXIT_CLEAN
