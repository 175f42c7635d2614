from __future__ import annotations

from collections.abc import Iterator

from residency_guard.catalog.model import Catalog
from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import lists_surfaces
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value, decoded_forms


def surface_for_path(catalog: Catalog, path: str) -> str | None:
    """The surface a URL path reaches (``/v1/assistants/x`` -> ``assistants``)."""
    return catalog.surface_for_path(path)


class SurfaceNotCovered(Rule):
    """
    ## What it does
    Finds an API surface that the stack's region does not cover: a surface listed in the
    stack's `surfaces`, or reached by the path of an endpoint URL
    (`https://eu.api.openai.com/v1/assistants`).

    ## Why is this bad?
    Residency covers some API surfaces only. Assistants, Threads, Conversations, Videos, the
    legacy Completions and image variations are covered nowhere; Realtime and Evals only in
    the US and the EU. Data sent to an uncovered surface is stored and processed outside the
    region whatever host it goes to.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      residency-guard:surfaces: [chat, assistants]
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      residency-guard:surfaces: [chat, responses]
    ```

    ## References
    - [OpenAI: your data, region tables](https://developers.openai.com/api/docs/guides/your-data)
    """

    id = "RG005"
    name = "surface-not-covered"
    title = "API surface not covered in the stack's region"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/your-data"
    tags = ("surface",)
    reads = Facet.SURFACES | Facet.ENDPOINT

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or value.unknown:
            return
        if lists_surfaces(value):
            if any(kind == "json" for kind, _ in decoded_forms(value.text)):
                return  # a list written as JSON text (engine config): its items are judged
            name = value.text.strip().lower().replace("-", "_")
            if name and name not in ctx.catalog.surfaces:
                known = ", ".join(sorted(ctx.catalog.surfaces))
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)} lists the unknown API surface '{quote(value.text)}'",
                    f"use one of: {known}",
                    value=value,
                )
            elif name and not region.covers(name):
                yield self._uncovered(ctx, value, name)
            return
        for endpoint in ctx.endpoints(value):
            if endpoint.kind not in (EndpointKind.OPENAI, EndpointKind.GATEWAY):
                continue
            surface = surface_for_path(ctx.catalog, endpoint.path)
            if surface is not None and not region.covers(surface):
                yield self._uncovered(ctx, value, surface)

    def _uncovered(self, ctx: StackContext, value: Value, surface: str) -> Finding:
        region = ctx.residency
        assert region is not None
        covered = sorted(s for s in ctx.catalog.surfaces if region.covers(s))
        title = ctx.catalog.surfaces[surface].title
        return self.finding(
            ctx,
            f"{stack_label(ctx)} uses {title} ({surface}), which {region.title} does not cover",
            f"drop {surface}; covered in {region.id}: {', '.join(covered)}",
            value=value,
        )
