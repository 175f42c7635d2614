from __future__ import annotations

from collections.abc import Iterator

from residency_guard.catalog.model import Catalog, Region, is_api_path
from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import lists_surfaces
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value, decoded_forms


def _allowed(catalog: Catalog, region: Region, surface: str) -> bool:
    """Covered in the region, or carrying system data only (residency does not apply)."""
    return region.covers(surface) or catalog.surfaces[surface].system_data


class SurfaceNotCovered(Rule):
    """
    ## What it does
    Finds an API surface that the stack's region does not cover: a surface listed in the
    stack's `surfaces`, or reached by the path of an endpoint URL
    (`https://eu.api.openai.com/v1/assistants`). Paths are matched by the exact endpoint
    paths the residency tables list (a resource below one counts: `/v1/files/{id}/content`
    is Files); there is no family prefix, so `/v1/audio/voices` is not Audio. An OpenAI API
    path that the catalog does not know at all is reported too, in a stack with residency:
    it fails closed, like an unknown model.

    ## Why is this bad?
    Residency covers some API surfaces only. Assistants, Threads, Conversations, Agents,
    ChatKit, Containers, Uploads, custom voices, Videos, the legacy Completions and image
    variations are covered nowhere; Realtime, GPT-Live and Evals only in the US and the EU.
    Data sent to an uncovered surface is stored and processed outside the region whatever
    host it goes to, and a new API the tables do not list yet is no exception.

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

    An unknown path on a region host (`https://gb.api.openai.com/v1/telepathy`) is fixed
    by using a listed endpoint or, once OpenAI's tables list it, by refreshing the catalog
    (`residency-guard catalog import`, docs/catalog.md); a path that carries system data
    only belongs in the catalog's hand-kept surfaces (`handkept.yaml`, `system_data: true`).

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
    pack_policies = ("openai-surface-coverage", "openai-deployed-outputs")
    checkov_name = "Ensure the API surfaces used are covered in the stack's region"

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
            elif name and not _allowed(ctx.catalog, region, name):
                yield self._uncovered(ctx, value, name)
            return
        for endpoint in ctx.endpoints(value):
            if endpoint.kind not in (EndpointKind.OPENAI, EndpointKind.GATEWAY):
                continue
            surface = ctx.catalog.surface_for_path(endpoint.path)
            if surface is None:
                # Fail closed on OpenAI's own hosts; a gateway's paths are its own API.
                if endpoint.kind is EndpointKind.OPENAI and is_api_path(endpoint.path):
                    yield self._unknown_path(ctx, value, endpoint.path)
            elif not _allowed(ctx.catalog, region, surface):
                yield self._uncovered(ctx, value, surface)

    def _unknown_path(self, ctx: StackContext, value: Value, path: str) -> Finding:
        region = ctx.residency
        assert region is not None
        return self.finding(
            ctx,
            f"{stack_label(ctx)} reaches the API path '{quote(path)}', which no residency "
            f"table lists; unknown API paths are denied",
            "use an endpoint the catalog lists for "
            f"{region.id} (`residency-guard catalog --region {region.id}`); if OpenAI's "
            "tables now list it, refresh the catalog (`residency-guard catalog import`)",
            value=value,
        )

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
