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
    add_settings_options(check)

    explain = sub.add_parser("explain", help="print what a rule means")
    explain.add_argument("rule", help="a rule ID such as RG001, or 'all'")

    catalog = sub.add_parser("catalog", help="print what a region allows")
    catalog.add_argument("--region", help="one region id (default: all)")
    catalog.add_argument("--format", choices=("text", "json"), default="text")
    catalog.add_argument("--catalog", action="append", default=[], metavar="FILE",
                         help="a team catalog layered on the shipped one (repeatable)")  # fmt: skip
    return parser


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
