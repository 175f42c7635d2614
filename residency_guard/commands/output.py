"""Writing a report: stdout, or a file replaced atomically (never a partial write)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from residency_guard.errors import ConfigError
from residency_guard.writing import write_atomically


def write_output(text: str, output: str | None) -> None:
    if output is None or output == "-":
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    target = Path(output)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise ConfigError("the output folder does not exist", file=output, fix="create it first")
    try:
        write_atomically(target, text, mode=None)  # (owner only, as it always was)
    except OSError as exc:
        raise ConfigError(f"cannot write the report ({exc.strerror})", file=output) from None


def use_color(flag: bool | None, output: str | None) -> bool:
    if flag is not None:
        return flag
    if output not in (None, "-") or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()
