"""The report as JSON: the data itself, keys in a stable order, one trailing newline."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency_guard.writing import json_text


def render_json(data: Mapping[str, Any]) -> str:
    """``report.json``: what ``model.build_report`` built, with nothing added or left out."""
    return json_text(data, ensure_ascii=False)
