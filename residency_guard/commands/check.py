"""``residency-guard check``: the CI gate."""

from __future__ import annotations

import argparse
import datetime
import sys
from pathlib import Path

from residency_guard import __version__
from residency_guard.commands.output import use_color, write_output
from residency_guard.findings import Severity
from residency_guard.redact import redact
from residency_guard.reporters import get_reporter
from residency_guard.reporters.base import RunReport
from residency_guard.scan import scan_paths

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def run(args: argparse.Namespace) -> int:
    paths = [Path(p) for p in args.paths]
    run = scan_paths(
        paths,
        config=Path(args.config) if args.config else None,
        catalogs=[Path(c) for c in args.catalog],
        today=datetime.date.today(),  # suppressions expire by the user's clock, read once
        region=args.region,
        jobs=args.jobs,
        keep_values=False,  # only the report reads them
    )
    fail_on = Severity(args.fail_on or run.fail_on)
    errors = [redact(e.one_line()) for e in run.errors]
    findings = run.findings
    report = RunReport(
        findings=findings,
        scanned=run.files,
        # Text goes to a terminal beside stderr: list the errors once, there.
        errors=errors if args.format != "text" else [],
        tool_version=__version__,
        fail_on=fail_on,
        color=use_color(args.color, args.output),
    )
    write_output(get_reporter(args.format)().render(report), args.output)
    for line in errors:
        sys.stderr.write(f"residency-guard: error: {line}\n")
    if errors:
        return EXIT_ERROR
    failing = [f for f in findings if not f.suppressed and f.severity.at_least(fail_on)]
    return EXIT_FINDINGS if failing else EXIT_CLEAN
