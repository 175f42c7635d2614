"""``python -m residency_guard.catalog.compile``: write ``data/compiled.json``.

The shipped YAML files, validated with cerberus, as JSON: the loader reads them at start
instead of composing and validating the YAML each time (a tenth of a second of every run).
Run it after editing a shipped file; ``tests/core/test_catalog_compiled.py`` fails until then.
A file edited without it is still validated at every start, so nothing is read unchecked.
"""

from __future__ import annotations

import json
import os
import sys
from importlib import resources

from residency_guard.catalog.loader import COMPILED, compile_shipped


def render() -> str:
    return json.dumps(compile_shipped(), indent=1) + "\n"


def main() -> int:
    target = resources.files("residency_guard.catalog").joinpath("data", COMPILED)
    text = render()
    path = str(target)
    partial = path + ".tmp"
    with open(partial, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.replace(partial, path)  # never a half-written file for the next start to read
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
