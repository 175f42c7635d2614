from __future__ import annotations

from collections.abc import Iterator

from residency_guard.azure import DEPLOYMENT_TYPES, azure_location, find_account, sku_name
from residency_guard.catalog.model import AzureScope
from residency_guard.context import Resource, StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule, stack_label


class AzureDeploymentScope(Rule):
    """
    ## What it does
    Finds an Azure OpenAI deployment whose SKU may process data outside the stack's region:
    a `Global*` SKU or `DeveloperTier` in any residency stack, a data-zone SKU whose account is
    not in the stack's data zone, and SKUs the catalog does not know.

    ## Why is this bad?
    `GlobalStandard` routes each request to any Azure region with capacity; `DataZoneStandard`
    keeps it inside the account's data zone only. An EU stack needs a single-region SKU in an
    EU region, or a data-zone SKU on an account in the EU data zone.

    ## Example
    ```python
    azure_native.cognitiveservices.Deployment("chat", sku={"name": "GlobalStandard"}, ...)
    ```

    ## Use instead
    ```python
    azure_native.cognitiveservices.Deployment("chat", sku={"name": "DataZoneStandard"}, ...)
    ```

    ## References
    - [Azure OpenAI deployment types](https://learn.microsoft.com/azure/ai-foundry/openai/how-to/deployment-types)
    """

    id = "RG013"
    name = "azure-deployment-scope"
    title = "Azure OpenAI deployment SKU processes outside the region"
    severity = Severity.ERROR
    source_url = "https://learn.microsoft.com/azure/ai-foundry/openai/how-to/deployment-types"
    tags = ("azure",)
    pack_policies = ("azure-openai-residency", "azure-openai-linked")
    checkov_name = "Ensure Azure OpenAI deployment SKUs process data in the stack's region"

    def check_resource(self, resource: Resource, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or resource.type not in DEPLOYMENT_TYPES:
            return
        sku = sku_name(resource.props)
        if not sku:
            return
        where = dict(file=resource.file or ctx.file, line=resource.line,
                     key_path=(resource.name, "sku", "name"))  # fmt: skip
        scope = ctx.catalog.azure_skus.get(sku)
        if scope is None:
            known = ", ".join(sorted(ctx.catalog.azure_skus))
            yield self.finding(
                ctx, f"{stack_label(ctx)}: deployment '{resource.name}' has the unknown SKU "
                f"'{sku}'", f"use one of: {known}", **where,  # type: ignore[arg-type]
            )  # fmt: skip
        elif scope is AzureScope.GLOBAL:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)}: deployment '{resource.name}' uses {sku}, which may process "
                "data in any Azure region",
                "use DataZoneStandard (account in the region's data zone) or Standard",
                **where,  # type: ignore[arg-type]
            )
        elif scope is AzureScope.DATA_ZONE:
            account = find_account(ctx, str(resource.props.get("accountName", "")))
            if account is None:
                return  # the account is judged on its own by RG012; linking needs the stack
            location = azure_location(account.props.get("location"))
            azure = ctx.catalog.azure_regions.get(location)
            zone = azure.data_zone if azure else None
            if zone != region.id:
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)}: deployment '{resource.name}' uses {sku} on account "
                    f"'{account.name}' in {location or 'an unknown location'}, whose data zone "
                    f"is {zone or 'none'}",
                    f"move the account into the {region.id} data zone, or use Standard",
                    **where,  # type: ignore[arg-type]
                )
