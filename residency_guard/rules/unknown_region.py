from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule


class UnknownRegion(Rule):
    """
    ## What it does
    Finds a region id that the catalog does not know (`europe`, `uk`, `us-east-1`).

    ## Why is this bad?
    The gate fails closed: a region it does not know allows nothing. OpenAI's region ids are
    `us`, `eu`, `gb`, `ca`, `jp`, `in`, `au`, `sg`, `kr`, `ae`, and `global` for none.

    ## Example
    ```yaml
    config:
      residency-guard:region: uk
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: gb
    ```

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG017"
    name = "unknown-region"
    title = "Region id unknown to the catalog"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
    tags = ("region", "fail-closed")
    pack_policies = ("residency-region-declared",)
    checkov_name = "Ensure the stack's region id is known to the catalog"

    def check_stack(self, ctx: StackContext) -> Iterator[Finding]:
        known = ctx.catalog.regions
        for declaration in ctx.resolution.declarations:
            if declaration.region in known:
                continue
            yield self.finding(
                ctx,
                f"stack '{ctx.stack}' declares the unknown region '{declaration.region}' "
                f"({declaration.source.value}, {declaration.where}); nothing is allowed",
                f"use one of: {', '.join(known)}",
                file=declaration.file or ctx.file,
                line=declaration.line or 1,
                column=1,
            )
