"""The core as the Pulumi front ends use it: a component's declaration, a resource, a stack.

Components, the policy pack and the checkov checks call these and nothing deeper, so that a
rule is written once and every gate gives the same verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from residency_guard.catalog import shipped_catalog
from residency_guard.catalog.model import Catalog, Region
from residency_guard.context import Resource, StackContext
from residency_guard.evaluate import evaluate_resource, evaluate_stack, evaluate_values, unique
from residency_guard.findings import Finding
from residency_guard.keys import BASE_URL_VAR
from residency_guard.repoconfig import RepoConfig
from residency_guard.stackregion import Declaration, component_declaration, resolve_region
from residency_guard.values import Value

# Labels and tags every sink stamps; keys are Kubernetes-label safe, values too.
LABEL_REGION = "residency-guard/region"
LABEL_HOST = "residency-guard/host"
LABEL_CATALOG = "residency-guard/catalog-as-of"


def base_url_for(region: Region, gateway_host: str | None = None) -> str:
    """The base URL a stack's workloads use: the region's host, or the team's gateway."""
    if gateway_host:
        return f"https://{gateway_host}/v1"
    return region.base_url


def residency_labels(
    region: Region, catalog: Catalog, gateway_host: str | None = None
) -> dict[str, str]:
    return {
        LABEL_REGION: region.id,
        LABEL_HOST: gateway_host or region.host,
        LABEL_CATALOG: region.provenance.as_of,
    }


def declaration_values(
    *,
    models: Mapping[str, Sequence[str]] | None = None,
    surfaces: Sequence[str] = (),
    base_url: str | None = None,
) -> list[Value]:
    """A component's inputs as the values the rules read (same shape as a stack file's)."""
    values: list[Value] = []
    for surface, names in (models or {}).items():
        for index, model in enumerate(names):
            values.append(Value(("models", surface, index), model, surface))
    for index, surface in enumerate(surfaces):
        values.append(Value(("surfaces", index), surface, "surfaces"))
    if base_url is not None:
        values.append(Value(("baseUrl",), base_url, BASE_URL_VAR))
    return values


def check_declaration(
    region: str,
    *,
    models: Mapping[str, Sequence[str]] | None = None,
    surfaces: Sequence[str] = (),
    gateway_host: str | None = None,
    stack: str = "",
    file: str = "",
    catalog: Catalog | None = None,
    repo: RepoConfig | None = None,
    other_declarations: Iterable[Declaration] = (),
) -> list[Finding]:
    """Everything wrong with a component's declaration (RG0xx findings, empty when none)."""
    declarations = [component_declaration(region, "component input", file), *other_declarations]
    ctx = stack_context(stack, declarations, catalog=catalog, repo=repo, file=file)
    findings = evaluate_stack(ctx)
    region_entry = ctx.region
    base_url = None
    if region_entry is not None:
        base_url = base_url_for(region_entry, gateway_host)
    values = declaration_values(models=models, surfaces=surfaces, base_url=base_url)
    findings += evaluate_values(values, ctx)
    return unique(findings)


def stack_context(
    stack: str,
    declarations: Sequence[Declaration],
    *,
    catalog: Catalog | None = None,
    repo: RepoConfig | None = None,
    file: str = "",
    resources: Sequence[Resource] = (),
) -> StackContext:
    """The core's context for ``stack``, held to the region its ``declarations`` resolve to."""
    return StackContext(
        catalog or shipped_catalog(), stack, file, resolve_region(list(declarations)),
        repo or RepoConfig(), resources={r.name: r for r in resources},
    )  # fmt: skip


def check_resource(
    resource_type: str,
    name: str,
    props: Mapping[str, Any],
    ctx: StackContext,
    *,
    urn: str = "",
) -> list[Finding]:
    """Every rule over one resource's properties (inputs at preview, outputs after)."""
    return unique(evaluate_resource(Resource(resource_type, name, props, urn, ctx.file), ctx))


def check_stack(ctx: StackContext) -> list[Finding]:
    """The stack-level rules (no region, conflicting or unknown region) plus resources that
    need the whole stack (an Azure deployment judged with its account)."""
    findings = evaluate_stack(ctx)
    for resource in ctx.resources.values():
        findings += evaluate_resource(resource, ctx)
    return unique(findings)
