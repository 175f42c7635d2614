from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.modelcheck import Eligibility, named_model_verdict
from residency_guard.rules.base import Rule, stack_label
from residency_guard.values import Value


class BannedModel(Rule):
    """
    ## What it does
    Finds a model that the team's catalog bans (`banned_models:` in a catalog overlay),
    whatever the region.

    ## Why is this bad?
    A platform team bans a model for reasons of its own (cost, an open review, a contract);
    the ban must hold in every stack and every gate.

    ## Example
    ```yaml
    # team-catalog.yaml
    banned_models:
      gpt-4-0613: "retired internally; use gpt-4.1-2025-04-14"
    ```

    ## Use instead
    Pick a model the team allows.

    ## References
    - [residency-guard: team catalogs](https://github.com/residency-guard/residency-guard#team-catalogs)
    """

    id = "RG014"
    name = "banned-model"
    title = "Model banned by the team catalog"
    severity = Severity.ERROR
    source_url = "https://github.com/residency-guard/residency-guard#team-catalogs"
    tags = ("model", "team")
    reads = Facet.MODEL
    pack_policies = ("openai-model-eligibility", "openai-deployed-outputs")
    checkov_name = "Ensure no model banned by the team catalog is used"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        if not ctx.catalog.banned_models:  # first: most catalogs ban nothing
            return
        verdict = named_model_verdict(value, ctx.catalog, ctx.region)
        if verdict is not None and verdict.eligibility is Eligibility.BANNED:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} uses '{verdict.model}', banned by the team catalog: "
                f"{verdict.reason}",
                "pick a model the team catalog allows",
                value=value,
            )
