"""``residency-guard verify``: ask the region's live endpoint what it serves."""

from __future__ import annotations

import argparse
from pathlib import Path

from residency_guard import __version__
from residency_guard.commands.output import use_color, write_output
from residency_guard.errors import ConfigError
from residency_guard.findings import Severity
from residency_guard.live.plan import plan_for_endpoint, plan_for_stack
from residency_guard.live.verify import LiveSettings, read_api_key, verify
from residency_guard.reporters import get_reporter
from residency_guard.reporters.base import RunReport
from residency_guard.scan import load_settings

EXIT_CLEAN, EXIT_FINDINGS = 0, 1


def live_settings(args: argparse.Namespace) -> LiveSettings:
    if args.max_retries < 0:
        raise ConfigError(f"--max-retries {args.max_retries} is negative", fix="use 0 or more")
    if not args.timeout > 0:
        raise ConfigError(f"--timeout {args.timeout:g} is not positive", fix="use seconds > 0")
    return LiveSettings(read_api_key(args.api_key_env), args.max_retries, args.timeout)


def run(args: argparse.Namespace) -> int:
    project = Path(args.project)
    repo, catalog = load_settings(
        [project], Path(args.config) if args.config else None, [Path(c) for c in args.catalog]
    )
    if args.stack:
        plan = plan_for_stack(
            project, args.stack, catalog, repo,
            base_url=args.base_url, region_flag=args.region, extra_models=args.model,
        )  # fmt: skip
    elif args.region:
        base_url = args.base_url or catalog.region(args.region.strip().lower()).base_url
        plan = plan_for_endpoint(base_url, args.region, args.model, catalog)
    else:
        raise ConfigError(
            "verify needs a stack or a region",
            fix="pass --stack NAME, or --region R [--base-url URL]",
        )
    findings = verify(plan, live_settings(args), catalog, probe=args.probe)
    fail_on = Severity(args.fail_on or repo.fail_on)
    report = RunReport(
        findings=findings,
        scanned=[plan.scanned],
        errors=[],
        tool_version=__version__,
        fail_on=fail_on,
        color=use_color(args.color, args.output),
    )
    write_output(get_reporter(args.format)().render(report), args.output)
    return EXIT_FINDINGS if any(report.fails(f) for f in findings) else EXIT_CLEAN
