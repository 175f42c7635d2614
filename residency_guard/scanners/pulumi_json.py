"""Previews and state exports judged: their source (``sources.pulumi_json``) through the
pipeline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from residency_guard.catalog.model import Catalog
from residency_guard.pipeline import StackScan, evaluate_document
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.pulumi_json import (
    json_kind,
    load_json,
    parse_json,
    read_pulumi_json,
    shadowed,
)

__all__ = ["json_kind", "load_json", "parse_json", "scan_pulumi_json", "shadowed"]


def scan_pulumi_json(
    path: Path, catalog: Catalog, repo: RepoConfig, data: Any = None, text: str | None = None
) -> StackScan:
    """Judge every resource of a preview or a state export, against the stack's region."""
    return evaluate_document(read_pulumi_json(path, repo, data, text), catalog, repo)
