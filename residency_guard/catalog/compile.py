"""``python -m residency_guard.catalog.compile``: write ``data/compiled.json``.

The shipped YAML files, validated with cerberus, as JSON: the loader reads them at start
instead of composing and validating the YAML each time (a tenth of a second of every run).
Run it after editing a shipped file; ``tests/core/test_catalog_compiled.py`` fails until then.
A file edited without it is still validated at every start, so nothing is read unchecked.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path

from residency_guard.catalog.loader import COMPILED, compile_shipped
from residency_guard.writing import write_atomically


def render() -> str:
    return json.dumps(compile_shipped(), indent=1) + "\n"


def main() -> int:
    target = resources.files("residency_guard.catalog").joinpath("data", COMPILED)
    text = render()
    path = str(target)
    write_atomically(Path(path), text)  # never a half-written file for the next start to read
    print(f"wrote {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
