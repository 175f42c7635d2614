"""Writing the three files: each to a temporary file beside it, then renamed over the old one."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from residency_guard.errors import ConfigError
from residency_guard.report.html import render_html
from residency_guard.report.jsonout import render_json
from residency_guard.report.markdown import render_markdown
from residency_guard.writing import write_atomically

OUTPUT_FILES = ("report.html", "report.json", "report.md")


def render_all(data: Mapping[str, Any]) -> dict[str, str]:
    """File name -> text, for every file of the report."""
    return {
        "report.html": render_html(data),
        "report.json": render_json(data),
        "report.md": render_markdown(data),
    }


def write_report(data: Mapping[str, Any], out: Path) -> list[Path]:
    """Render everything first, then write each file atomically; the paths written."""
    texts = render_all(data)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(
            f"cannot create the output folder ({exc.strerror})", file=str(out)
        ) from None
    if not out.is_dir():
        raise ConfigError("the output path is not a folder", file=str(out), fix="pass a folder")
    written = []
    for name, text in texts.items():
        target = out / name
        try:
            write_atomically(target, text)
        except OSError as exc:
            raise ConfigError(
                f"cannot write the report ({exc.strerror})", file=str(target)
            ) from None
        written.append(target)
    return written
