from __future__ import annotations

from collections.abc import Iterator

from residency_guard.azure import UNKNOWN_LOCATION, account_location, is_openai_account
from residency_guard.context import Resource, StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule, stack_label


class AzureAccountOutsideRegion(Rule):
    """
    ## What it does
    Finds an Azure OpenAI account (`azure-native:cognitiveservices:Account` of kind `OpenAI`
    or `AIServices`) located outside the stack's region, or in an Azure region the catalog
    does not know.

    ## Why is this bad?
    Azure OpenAI keeps data where the account is, so the account's `location` decides the
    residency of every deployment in it. `uksouth` and `switzerlandnorth` are in Europe but
    not in the EU.

    ## Example
    ```python
    azure_native.cognitiveservices.Account("oai", kind="OpenAI", location="eastus", ...)
    ```

    ## Use instead
    ```python
    azure_native.cognitiveservices.Account("oai", kind="OpenAI", location="swedencentral", ...)
    ```

    ## References
    - [Azure OpenAI deployment types](https://learn.microsoft.com/azure/ai-foundry/openai/how-to/deployment-types)
    """

    id = "RG012"
    name = "azure-account-outside-region"
    title = "Azure OpenAI account outside the stack's region"
    severity = Severity.ERROR
    source_url = "https://learn.microsoft.com/azure/ai-foundry/openai/how-to/deployment-types"
    tags = ("azure",)
    pack_policies = ("azure-openai-residency", "azure-openai-linked")
    checkov_name = "Ensure Azure OpenAI accounts are in the stack's region"

    def check_resource(self, resource: Resource, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or not is_openai_account(resource):
            return
        location = account_location(resource, ctx)
        if not location or location == UNKNOWN_LOCATION:
            return  # not known yet (a preview unknown), or unresolved: RG011 says so
        azure = ctx.catalog.azure_regions.get(location)
        allowed = sorted(n for n, r in ctx.catalog.azure_regions.items()
                         if r.residency_region == region.id)  # fmt: skip
        fix = f"locate it in one of: {', '.join(allowed)}" if allowed else (
            f"no Azure region counts as {region.id}; use OpenAI's {region.base_url}"
        )  # fmt: skip
        if azure is None:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)}: Azure OpenAI account '{resource.name}' is in '{location}', "
                "an Azure region the catalog does not know",
                fix,
                file=resource.file or ctx.file,
                line=resource.line,
                key_path=(resource.name, "location"),
            )
        elif azure.residency_region != region.id:
            yield self.finding(
                ctx,
                f"{stack_label(ctx)}: Azure OpenAI account '{resource.name}' is in {location} "
                f"({azure.country}), outside {region.title}",
                fix,
                file=resource.file or ctx.file,
                line=resource.line,
                key_path=(resource.name, "location"),
            )
