from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule


class RegionConflict(Rule):
    """
    ## What it does
    Finds a stack whose region is declared twice with different values: its stack file, the
    `stacks:` mapping of `residency-guard.yaml`, a stack tag, the policy pack's config or a
    component's region. Two `stacks:` globs that both match the stack's name and name
    different regions are a conflict too (the first glob's region is the one checked).

    ## Why is this bad?
    Which declaration wins would be a silent choice. If `prod-eu-*` maps to `eu` but someone
    sets the stack's key to `us`, the stack would quietly stop being held to EU rules.

    ## Example
    ```yaml
    # residency-guard.yaml
    stacks:
      prod-eu-*: eu
    # stacks/Pulumi.prod-eu-1.yaml
    config:
      residency-guard:region: us
    ```

    ## Use instead
    Make every declaration name the same region; make globs of different regions disjoint
    (`prod-eu-*: eu` and `prod-us-*: us`, not `prod-eu-*: eu` above `prod-*: us`).

    ## References
    - [residency-guard: declaring a region](https://github.com/residency-guard/residency-guard#declaring-a-region)
    """

    id = "RG009"
    name = "region-conflict"
    title = "Conflicting region declarations"
    severity = Severity.ERROR
    source_url = "https://github.com/residency-guard/residency-guard#declaring-a-region"
    tags = ("region",)
    pack_policies = ("residency-region-declared",)
    checkov_name = "Ensure the stack's region declarations agree"

    def check_stack(self, ctx: StackContext) -> Iterator[Finding]:
        resolution = ctx.resolution
        if not resolution.conflicting:
            return
        claims = "; ".join(f"{d.source.value} says '{d.region}' ({d.where})"
                           for d in resolution.declarations)  # fmt: skip
        winner = resolution.declarations[0]
        line = next((d.line for d in resolution.declarations if d.file == ctx.file), 0)
        yield self.finding(
            ctx,
            f"stack '{ctx.stack}' has conflicting regions: {claims}",
            f"make every declaration say the same region (checked as '{winner.region}', from "
            f"the {winner.source.value}, until then)",
            line=line or 1,
            column=1,
        )
