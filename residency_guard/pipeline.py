"""One evaluation of a source's ``Document``: its region, then every rule over what it holds."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from residency_guard.catalog.model import Catalog
from residency_guard.context import Resource, StackContext
from residency_guard.evaluate import (
    evaluate_env_blocks,
    evaluate_resource,
    evaluate_stack,
    evaluate_values,
    resource_values,
    unique,
)
from residency_guard.facets import FacetGate
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.rules import RULES
from residency_guard.sources.document import Document, Locator
from residency_guard.stackregion import RegionResolution, resolve_region
from residency_guard.values import Value

PLAINTEXT_KEY = "RG007"


@dataclass
class StackScan:
    """What one scan of one stack found; the report builds on it."""

    stack: str
    file: str
    kind: str  # "stack-file", "preview", "state", "dotenv"
    resolution: RegionResolution
    findings: list[Finding] = field(default_factory=list)
    values: list[Value] = field(default_factory=list)
    project: str = ""


def evaluate_document(document: Document, catalog: Catalog, repo: RepoConfig) -> StackScan:
    """The findings of every rule on ``document``, against the region its declarations give."""
    resolution = resolve_region(document.declarations)
    subject = document.subject.label
    ctx = StackContext(
        catalog, subject, document.file, resolution, repo, ambiguities=document.ambiguities,
        resources={r.name: r for r in document.resources},
        missing_environments=document.missing_environments,
    )  # fmt: skip
    findings: list[Finding] = evaluate_stack(ctx) if document.judge_stack else []
    findings += evaluate_values(document.values, ctx)
    if ctx.residency is not None:  # a key without its base URL, and the SDK's other variables
        findings += evaluate_env_blocks(document.env_blocks, ctx)
    judged = [
        *((r, evaluate_resource(r, ctx)) for r in document.resources),
        *((r, _hidden_output_findings(r, ctx)) for r in document.hidden_outputs),
    ]
    for resource, found in judged:
        findings += _located(found, resource, document.locate)
    for part in document.parts:
        here = StackContext(catalog, subject, part.file, resolution, repo, resources=part.linked)
        findings += evaluate_values(part.values, here)
        for resource in part.resources:
            findings += evaluate_resource(resource, here)
    findings += _keys_in_files(document, findings, catalog, resolution, repo)
    return StackScan(
        subject, document.file, document.kind, resolution, unique(findings), document.values
    )


def _hidden_output_findings(resource: Resource, ctx: StackContext) -> list[Finding]:
    """The value rules over outputs an input of the same key hid, located under ``outputs``
    (``<name>.outputs.<key>``): the finding says the live value is the one at fault."""
    values = resource_values(resource, ("outputs",), gate=FacetGate(ctx.catalog))
    return evaluate_values(values, ctx)


def _located(found: list[Finding], resource: Resource, locate: Locator | None) -> list[Finding]:
    """Findings on a resource of a file without lines, placed where the resource is written."""
    if not found or locate is None:
        return found
    line, column = locate(resource)
    if not line:
        return found
    return [dataclasses.replace(f, line=line, column=column) for f in found]


def _keys_in_files(
    document: Document, found: list[Finding], catalog: Catalog, resolution: RegionResolution,
    repo: RepoConfig,
) -> list[Finding]:  # fmt: skip
    """RG007 for a plaintext key anywhere in a key file (an imported ESC definition), as
    checkov reads the file: under a key no stack sees (`values: {openai: {apiKey: ...}}`) or
    one an importer overrides, it is still a key in a committed file. Where the evaluated
    values already report a key (the same line), that finding stands."""
    if not document.key_files:
        return []
    reported = {(f.file, f.line) for f in found if f.rule == PLAINTEXT_KEY}
    more: list[Finding] = []
    for file, values in document.key_files.items():
        here = StackContext(catalog, document.subject.label, file, resolution, repo)
        keys = evaluate_values(values, here, {PLAINTEXT_KEY: RULES[PLAINTEXT_KEY]})
        more += [f for f in keys if (f.file, f.line) not in reported]
    return more
