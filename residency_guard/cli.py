"""The ``residency-guard`` command line: parsing only; each command lives in ``commands/``.

Front ends are imported lazily so that ``--version`` and ``explain`` start fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from residency_guard import __version__

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2
FORMATS = ("text", "json", "sarif", "junit")
SEVERITIES = ("note", "warning", "error")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        # argparse prints usage and exits 2; we keep exit 2 and make it one line.
        sys.stderr.write(f"residency-guard: error: {message}; see `{self.prog} --help`\n")
        raise SystemExit(EXIT_ERROR)


def _jobs(text: str) -> int:
    from residency_guard.workers import parse_jobs

    try:
        return parse_jobs(text)
    except ValueError:
        wanted = f"expected a number of 1 or more, or auto: {text!r}"
        raise argparse.ArgumentTypeError(wanted) from None


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="residency-guard", description=__doc__)
    parser.add_argument("--version", action="version", version=f"residency-guard {__version__}")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser, metavar="COMMAND")

    check = sub.add_parser("check", help="check stack files, previews, state exports, dotenv files")
    check.add_argument(
        "paths", nargs="*", default=["."], help="project folders or files (default: .)"
    )
    add_output_options(check)
    check.add_argument("--fail-on", choices=SEVERITIES, default=None,
                       help="lowest severity that fails the run (default: error)")  # fmt: skip
    check.add_argument("--region", metavar="REGION",
                       help="hold the files named (Kubernetes, Helm, compose, LiteLLM, dotenv, "
                            "any YAML/JSON) to this region")  # fmt: skip
    check.add_argument("--jobs", type=_jobs, default="auto", metavar="N",
                       help="processes that judge the files of a run of 200 or more: a number, "
                            "or auto (the CPUs, at most 8; the default)")  # fmt: skip
    add_settings_options(check)

    explain = sub.add_parser("explain", help="print what a rule means")
    explain.add_argument("rule", help="a rule ID such as RG001, or 'all'")

    report = sub.add_parser("report", help="write the residency evidence report (HTML, JSON, MD)")
    report.add_argument("paths", nargs="*", default=["."],
                        help="folders, stack files, state exports (default: .)")  # fmt: skip
    report.add_argument("--out", required=True, metavar="DIR",
                        help="folder for report.html, report.json and report.md")  # fmt: skip
    report.add_argument("--fail-on", choices=SEVERITIES, default=None,
                        help="lowest severity that fails the run (default: error)")  # fmt: skip
    add_settings_options(report)

    catalog = sub.add_parser("catalog", help="print what a region allows")
    catalog.add_argument("--region", help="one region id (default: all)")
    catalog.add_argument("--format", choices=("text", "json"), default="text")
    catalog.add_argument("--catalog", action="append", default=[], metavar="FILE",
                         help="a team catalog layered on the shipped one (repeatable)")  # fmt: skip
    catalog.add_argument("--data", metavar="DIR",
                         help="the catalog files in DIR (`catalog import --out`)")  # fmt: skip
    actions = catalog.add_subparsers(dest="action", parser_class=_Parser, metavar="ACTION")
    diff = actions.add_parser("diff", help="compare a region's models with the live endpoint's")
    diff.add_argument("--region", required=True, help="the region id")
    diff.add_argument("--base-url", metavar="URL", help="default: the region's base URL")
    diff.add_argument("--format", choices=("text", "json"), default="text")
    add_live_options(diff)
    add_settings_options(diff)
    imports = actions.add_parser(
        "import", help="rebuild the page-derived catalog files from a saved copy of OpenAI's page"
    )
    imports.add_argument("page", metavar="PAGE.md",
                         help="the Data controls page as markdown (URL + .md)")  # fmt: skip
    imports.add_argument("--out", metavar="DIR",
                         help="the catalog folder to write (default: the shipped one)")  # fmt: skip
    imports.add_argument("--source", metavar="URL",
                         help="where the copy is from (the catalog's source)")  # fmt: skip
    imports.add_argument("--as-of", metavar="DATE",
                         help="the copy's date (the catalog's as_of; default: today)")  # fmt: skip

    verify = sub.add_parser("verify", help="ask the live endpoint which declared models it serves")
    verify.add_argument("--stack", metavar="NAME", help="verify this stack of the project")
    verify.add_argument("--project", metavar="DIR", default=".",
                        help="the Pulumi project (default: .)")  # fmt: skip
    verify.add_argument("--base-url", metavar="URL",
                        help="the endpoint (default: the stack's gateway or region's base URL); "
                             "http only on a loopback IP")  # fmt: skip
    verify.add_argument("--region", help="the region id (with --stack: must match the stack's)")
    verify.add_argument("--model", action="append", default=[], metavar="MODEL",
                        help="a model to check (repeatable; added to the stack's)")  # fmt: skip
    verify.add_argument("--probe", action="store_true",
                        help="one request per declared chat/responses/embeddings")  # fmt: skip
    add_live_options(verify)
    add_output_options(verify)
    verify.add_argument("--fail-on", choices=SEVERITIES, default=None,
                        help="lowest severity that fails the run (default: error)")  # fmt: skip
    add_settings_options(verify)
    return parser


def add_live_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--api-key-env", metavar="NAME", default="OPENAI_API_KEY",
                        help="the variable holding the key (default: OPENAI_API_KEY)")  # fmt: skip
    parser.add_argument("--max-retries", type=int, default=2, metavar="N",
                        help="retries with backoff on 429/5xx/timeouts (default: 2)")  # fmt: skip
    parser.add_argument("--timeout", type=float, default=30.0, metavar="SECONDS",
                        help="per request (default: 30)")  # fmt: skip


def add_output_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", metavar="FILE", help="write the report here (atomically)")
    colour = parser.add_mutually_exclusive_group()
    colour.add_argument("--color", dest="color", action="store_true", default=None)
    colour.add_argument("--no-color", dest="color", action="store_false")


def add_settings_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--catalog", action="append", default=[], metavar="FILE",
                        help="a team catalog layered on the shipped one (repeatable)")  # fmt: skip
    parser.add_argument("--config", metavar="FILE",
                        help="repo config (default: residency-guard.yaml, upwards)")  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns 0 clean, 1 findings, 2 usage or input error. Never a traceback."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_ERROR
    try:
        from residency_guard.commands import run_command

        return run_command(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_ERROR
    except Exception as exc:  # the last line of defence: one line, exit 2
        from residency_guard.errors import ResidencyGuardError
        from residency_guard.redact import redact

        if os.environ.get("RESIDENCY_GUARD_DEBUG"):
            raise
        if isinstance(exc, ResidencyGuardError):
            sys.stderr.write(f"residency-guard: error: {redact(exc.one_line())}\n")
        else:
            detail = redact(" ".join(str(exc).split()))[:300]
            sys.stderr.write(
                f"residency-guard: internal error: {exc.__class__.__name__}: {detail}; "
                "please report it (RESIDENCY_GUARD_DEBUG=1 shows the traceback)\n"
            )
        return EXIT_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
