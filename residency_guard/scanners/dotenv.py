"""``.env`` files judged: their source (``sources.dotenv``) through the pipeline."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from residency_guard.catalog.model import Catalog
from residency_guard.pipeline import StackScan, evaluate_document
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.dotenv import (
    GENERATED_MARKER,
    REGION_COMMENT,
    REGION_VARIABLE,
    is_private_sink_file,
    parse_dotenv,
    read_dotenv,
)
from residency_guard.stackregion import Declaration

__all__ = [
    "GENERATED_MARKER",
    "REGION_COMMENT",
    "REGION_VARIABLE",
    "is_private_sink_file",
    "parse_dotenv",
    "scan_dotenv",
]


def scan_dotenv(
    path: Path, catalog: Catalog, repo: RepoConfig, held: Sequence[Declaration] = ()
) -> StackScan:
    """Judge a dotenv file against the region it declares, or ``held``."""
    return evaluate_document(read_dotenv(path, held), catalog, repo)
