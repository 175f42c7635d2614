"""One evaluation of a source's ``Document``: its region, then every rule over what it holds."""

from __future__ import annotations

from residency_guard.catalog.model import Catalog
from residency_guard.context import StackContext
from residency_guard.evaluate import (
    evaluate_env_blocks,
    evaluate_resource,
    evaluate_stack,
    evaluate_values,
    unique,
)
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import StackScan
from residency_guard.sources.document import Document
from residency_guard.stackregion import resolve_region


def evaluate_document(document: Document, catalog: Catalog, repo: RepoConfig) -> StackScan:
    """The findings of every rule on ``document``, against the region its declarations give."""
    resolution = resolve_region(document.declarations)
    ctx = StackContext(
        catalog, document.subject, document.file, resolution, repo,
        resources={r.name: r for r in document.resources},
        missing_environments=document.missing_environments,
    )  # fmt: skip
    findings: list[Finding] = evaluate_stack(ctx) + evaluate_values(document.values, ctx)
    if ctx.residency is not None:  # a key without its base URL, and the SDK's other variables
        findings += evaluate_env_blocks(document.env_blocks, ctx)
    for resource in document.resources:
        findings += evaluate_resource(resource, ctx)
    for file, values in document.elsewhere.items():
        elsewhere = StackContext(catalog, document.subject, file, resolution, repo)
        findings += evaluate_values(values, elsewhere)
    return StackScan(
        document.subject, document.file, document.kind, resolution, unique(findings),
        document.values,
    )  # fmt: skip
