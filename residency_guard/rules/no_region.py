from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule
from residency_guard.stackregion import REGION_KEY


class NoRegionDeclared(Rule):
    """
    ## What it does
    Finds a stack that declares no region: no `residency-guard:region` in its stack file and
    no `stacks:` pattern of `residency-guard.yaml` that matches its name.

    ## Why is this bad?
    Without a region the gate has nothing to hold the stack to, and a green run would mean
    nothing. Declare `global` for a stack that needs no residency.

    ## Example
    ```yaml
    config:
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## References
    - [residency-guard: declaring a region](https://github.com/residency-guard/residency-guard#declaring-a-region)
    """

    id = "RG008"
    name = "no-region-declared"
    title = "Stack declares no region"
    severity = Severity.ERROR
    source_url = "https://github.com/residency-guard/residency-guard#declaring-a-region"
    tags = ("region",)
    pack_policies = ("residency-region-declared",)
    checkov_name = "Ensure the stack declares a region"

    def check_stack(self, ctx: StackContext) -> Iterator[Finding]:
        if ctx.resolution.declared:
            return
        yield self.finding(
            ctx,
            f"stack '{ctx.stack}' declares no region",
            f"add `{REGION_KEY}: <region>` to its config (use `global` where no residency is "
            "needed), or map the stack name in residency-guard.yaml",
            line=1,
            column=1,
        )
