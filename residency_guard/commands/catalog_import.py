"""``residency-guard catalog import PAGE.md [--out DIR]``: the page-derived catalog files from a
saved copy of OpenAI's Data controls page, and a reviewable diff of what changed."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from residency_guard.catalog.loader import shipped_data_dir
from residency_guard.catalog.openai_page.importer import PAGE_URL, diff_lines, import_page


def run(args: argparse.Namespace) -> int:
    out = Path(args.out) if args.out else shipped_data_dir()
    imported, before = import_page(
        Path(args.page), out, source=args.source or PAGE_URL, as_of=args.as_of
    )
    catalog = imported.catalog
    lines = [f"catalog import: {args.page} -> {out}",
             f"source: {catalog.source} (as of {catalog.as_of})"]  # fmt: skip
    lines += [f"new row named: {named}; name it under rows in handkept.yaml"
              for named in imported.named]  # fmt: skip
    if before is None:
        lines.append("the catalog there before does not load with this version: no diff")
    else:
        lines += diff_lines(before, catalog) or ["no change to regions, surfaces or models"]
    if not args.out:
        from residency_guard.catalog.compile import main as compile_main

        compile_main()  # the shipped files changed: compiled.json follows them
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
