"""``residency-guard catalog diff``: the catalog's models for a region against the live list."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from residency_guard.commands.verify import live_settings
from residency_guard.errors import ResidencyGuardError
from residency_guard.live.diff import diff_models
from residency_guard.live.plan import live_endpoint
from residency_guard.live.verify import LiveCheck, LiveError
from residency_guard.scan import load_settings
from residency_guard.writing import json_text

EXIT_EQUAL, EXIT_DIFFERENT = 0, 1


class LiveCheckFailed(ResidencyGuardError):
    """The endpoint could not be asked; the message is the live rule's (``RG1xx``)."""


def run(args: argparse.Namespace) -> int:
    _, catalog = load_settings(
        [Path(".")], Path(args.config) if args.config else None, [Path(c) for c in args.catalog]
    )
    region = catalog.region(args.region.strip().lower())
    endpoint = live_endpoint(args.base_url or region.base_url, region, catalog)
    check = LiveCheck(endpoint, live_settings(args), catalog)
    try:
        served = check.list_models()
    except LiveError as error:
        failure = error.failure
        raise LiveCheckFailed(f"{failure.rule.id} {failure.message}", fix=failure.fix) from None
    finally:
        check.close()
    diff = diff_models(catalog, region, served, endpoint.label)
    if args.format == "json":
        sys.stdout.write(json_text(diff.to_dict()))
    else:
        sys.stdout.write(diff.render_text())
    return EXIT_EQUAL if diff.equal else EXIT_DIFFERENT
