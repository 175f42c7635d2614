from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.rules.base import Rule, stack_label
from residency_guard.values import Value


class EndpointOutsideRegion(Rule):
    """
    ## What it does
    Finds OpenAI API hosts that belong to another region than the stack's, including the
    global host `api.openai.com` in any stack that promises residency.

    ## Why is this bad?
    Data residency is a property of the host a request is sent to. `api.openai.com` is the
    global endpoint: it promises no residency at all, not even US residency. A request from an
    EU stack to `us.api.openai.com` or `api.openai.com` leaves the EU.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      app:openaiBaseUrl: https://api.openai.com/v1
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG001"
    name = "endpoint-outside-region"
    title = "OpenAI endpoint outside the stack's region"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
    tags = ("endpoint",)
    reads = Facet.ENDPOINT
    pack_policies = ("openai-endpoint-region", "openai-deployed-outputs")
    checkov_name = "Ensure OpenAI endpoints are in the stack's region"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None:
            return
        for endpoint in ctx.endpoints(value):
            if endpoint.kind not in (EndpointKind.OPENAI, EndpointKind.GATEWAY):
                continue
            if endpoint.region == region.id:
                continue
            other = ctx.catalog.regions.get(endpoint.region or "")
            what = "global, no residency" if other is None or not other.residency else (
                f"{other.title}"
            )  # fmt: skip
            via = " through a team gateway" if endpoint.kind is EndpointKind.GATEWAY else ""
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} sends to {endpoint.host} ({what}){via}",
                f"use {region.base_url}",
                value=value,
            )
