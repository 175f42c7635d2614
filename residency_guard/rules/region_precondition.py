from __future__ import annotations

from collections.abc import Iterator

from residency_guard.catalog.model import Region
from residency_guard.catalog.preconditions import IMAGE_SURFACES, text
from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import lists_surfaces
from residency_guard.modelcheck import Eligibility, ModelVerdict, named_model_verdict
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class RegionPrecondition(Rule):
    """
    ## What it does
    Notes where a stack's models and API surfaces touch a condition OpenAI's residency tables
    put on its region: a model used in a storage-only region (gb, ca, jp, in, au, sg, kr), or
    on a surface a region stores but does not process, is processed outside the region; in
    the UAE only some snapshots are processed in region; image support in the regions the
    tables mark needs approval for enhanced Zero Data Retention or Modified Abuse Monitoring.
    A model the tables limit in the region (GPT-6 Sol and Luna in the EU: Standard processing
    only) is a warning.

    ## Why is this bad?
    The stack is allowed, but what it promises depends on more than its configuration: data
    processed outside a storage-only region leaves it for the length of the request, and an
    image request in a region that needs an approval the organization does not have is
    refused. A limit on a model is easy to break at run time (a Priority or Flex request).
    `residency-guard catalog --region R` lists every precondition of a region, including the
    ones no configuration touches (MAM or ZDR required).

    ## Example
    ```yaml
    config:
      residency-guard:region: ae
      app:chatModel: gpt-4.1-2025-04-14
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: ae
      app:chatModel: gpt-5.5-2026-04-23
    ```

    ## References
    - [OpenAI: your data, region tables](https://developers.openai.com/api/docs/guides/your-data)
    """

    id = "RG019"
    name = "region-precondition"
    title = "A condition the region tables put on the stack's models or surfaces"
    severity = Severity.NOTE
    source_url = "https://developers.openai.com/api/docs/guides/your-data"
    tags = ("surface", "model")
    reads = Facet.MODEL | Facet.SURFACES | Facet.ENDPOINT
    # A note (the EU's GPT-6 limit, a warning): the pack lists it in its advisory summary, and
    # its checkov check is LOW, so `--hard-fail-on HIGH` passes it as `--fail-on error` does.
    pack_policies = ("openai-configuration-summary",)
    checkov_name = (
        "Ensure the conditions the region tables put on the stack's models and surfaces are met"
    )

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or value.unknown:
            return
        if lists_surfaces(value):  # (a list written as JSON text: its items come as values)
            name = value.text.strip().lower().replace("-", "_")
            if name in ctx.catalog.surfaces and region.covers(name):
                yield from self._surface_notes(ctx, value, region, name)
            return
        verdict = named_model_verdict(value, ctx.catalog, region)
        if verdict is not None:
            yield from self._model_notes(ctx, value, region, verdict)
            return
        for endpoint in ctx.endpoints(value):
            if endpoint.kind not in (EndpointKind.OPENAI, EndpointKind.GATEWAY):
                continue
            surface = ctx.catalog.surface_for_path(endpoint.path)
            if surface is not None and region.covers(surface):
                yield from self._surface_notes(ctx, value, region, surface)

    def _surface_notes(
        self, ctx: StackContext, value: Value, region: Region, surface: str
    ) -> Iterator[Finding]:
        if surface in IMAGE_SURFACES and "image-approval" in region.preconditions:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} uses {ctx.catalog.surfaces[surface].title}: "
                f"{text('image-approval')} ({region.title})",
                "confirm the organization's approval, or keep images out of this stack",
                value=value,
            )

    def _model_notes(
        self, ctx: StackContext, value: Value, region: Region, verdict: ModelVerdict
    ) -> Iterator[Finding]:
        model = verdict.model
        if verdict.eligibility is not Eligibility.ELIGIBLE:
            return  # RG003/RG004/RG014 say what is wrong with it
        surface, base = verdict.surface, verdict.base  # an eligible verdict names its base
        limit = region.limits.get(surface, {}).get(base)
        if limit:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} uses '{quote(model)}' for {surface}, which {region.title} "
                f"allows with a limit: {limit}",
                f"keep every request with '{quote(model)}' within the limit, or pick a model "
                f"without one",
                value=value,
                severity=Severity.WARNING,
            )
        if surface in IMAGE_SURFACES:
            yield from self._surface_notes(ctx, value, region, surface)
        coverage = region.coverage.get(surface)
        if coverage is None:
            return
        processed = region.processed_models.get(surface)
        if not coverage.processed:
            yield self._processed_outside(ctx, value, region, surface, model)
        elif processed is not None and base not in processed:  # partial processing (ae)
            yield self._processed_outside(ctx, value, region, surface, model, processed)

    def _processed_outside(
        self,
        ctx: StackContext,
        value: Value,
        region: Region,
        surface: str,
        model: str,
        processed: frozenset[str] = frozenset(),
    ) -> Finding:
        elsewhere = [
            other.id for other in ctx.catalog.regions.values()
            if (found := other.coverage.get(surface)) is not None and found.processed
            and not other.processed_models.get(surface)
        ]  # fmt: skip
        fix = (
            f"use one of {', '.join(sorted(processed))} to keep processing in {region.id}"
            if processed
            else f"accept it, or use a region that processes {surface} ({', '.join(elsewhere)})"
        )
        why = (f"{region.id} processes only some snapshots for {surface}" if processed
               else f"{region.title} is storage-only for {surface}")  # fmt: skip
        return self.finding(
            ctx,
            f"{stack_label(ctx)} uses '{quote(model)}' on {surface}: stored in {region.id}, "
            f"processed outside it ({why})",
            fix,
            value=value,
        )
