"""The report as JSON: the data itself, keys in a stable order, one trailing newline."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from residency_guard.redact import redact


def render_json(data: Mapping[str, Any]) -> str:
    """``report.json``: what ``model.build_report`` built, with nothing added or left out."""
    return redact(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"
