from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.modelcheck import Eligibility, named_model_verdict
from residency_guard.rules.base import Rule, stack_label
from residency_guard.values import Value


class ModelAlias(Rule):
    """
    ## What it does
    Finds an undated model alias (`gpt-4o`) where the region lists only dated snapshots
    (`gpt-4o-2024-11-20`).

    ## Why is this bad?
    Older model families are eligible for residency as dated snapshots only. The alias is
    not on the list, and it moves to a new snapshot without notice.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      app:chatModel: gpt-4o
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:chatModel: gpt-4o-2024-11-20
    ```

    ## References
    - [OpenAI: your data, region tables](https://developers.openai.com/api/docs/guides/your-data)
    """

    id = "RG004"
    name = "model-alias"
    title = "Model alias where only dated snapshots are eligible"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/your-data"
    tags = ("model",)
    reads = Facet.MODEL
    pack_policies = ("openai-model-eligibility", "openai-deployed-outputs")
    checkov_name = "Ensure models are pinned to the dated snapshots the region requires"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        verdict = named_model_verdict(value, ctx.catalog, region)
        if region is None or verdict is None or verdict.eligibility is not Eligibility.ALIAS:
            return
        model = verdict.model
        snapshot = verdict.snapshot or ""
        if snapshot in region.models.get(verdict.surface, frozenset()):
            fix = f"pin {snapshot} instead of the alias {model}"
        else:
            fix = f"pin a dated snapshot eligible for {verdict.surface} in {region.id}"
        yield self.finding(
            ctx,
            f"{stack_label(ctx)} uses the alias '{model}'; {region.title} lists only dated "
            f"snapshots for {verdict.surface}",
            fix,
            value=value,
        )
