"""``Pulumi.<stack>.yaml`` judged: its source (``sources.stack_file``) through the pipeline."""

from __future__ import annotations

from pathlib import Path

from residency_guard.catalog.model import Catalog
from residency_guard.facets import FacetGate
from residency_guard.pipeline import StackScan, evaluate_document
from residency_guard.repoconfig import RepoConfig
from residency_guard.sources.files import SourceCache
from residency_guard.sources.stack_file import (
    project_defaults,
    read_stack_file,
    respellings,
    stack_name_of,
)
from residency_guard.stackregion import Declaration

__all__ = [
    "StackScan",
    "project_defaults",
    "respellings",
    "scan_stack_file",
    "stack_name_of",
]


def scan_stack_file(
    path: Path, catalog: Catalog, repo: RepoConfig, *, text: str | None = None,
    project_default_region: Declaration | None = None, project_file: Path | None = None,
    sources: SourceCache | None = None,
) -> StackScan:  # fmt: skip
    """Judge one stack file, and the config defaults its project file gives it."""
    document = read_stack_file(
        path, FacetGate(catalog), repo, text=text, project_default_region=project_default_region,
        project_file=project_file, sources=sources,
    )  # fmt: skip
    return evaluate_document(document, catalog, repo)
