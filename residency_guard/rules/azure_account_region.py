from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import Resource, StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Rule, stack_label
from residency_guard.values import UNKNOWN_SENTINEL

ACCOUNT_TYPES = ("azure-native:cognitiveservices:Account", "azure:cognitive/account:Account")
OPENAI_KINDS = ("openai", "aiservices")
RESOURCE_GROUP_TYPES = (
    "azure-native:resources:ResourceGroup", "azure:core/resourceGroup:ResourceGroup",
)  # fmt: skip


def azure_location(text: object) -> str:
    """``"West Europe"`` and ``westeurope`` are one Azure region."""
    return str(text or "").replace(" ", "").replace("-", "").lower()


UNKNOWN_LOCATION = azure_location(UNKNOWN_SENTINEL)  # a preview unknown, as read above


def account_location(resource: Resource, ctx: StackContext) -> str:
    """Where an account is: its own ``location``, else its resource group's (azure-native
    places an account without one in its group's location), the group found among the scanned
    resources by its Azure name. ``""`` when neither says; ``UNKNOWN_LOCATION`` at preview."""
    own = azure_location(resource.props.get("location"))
    if own:
        return own
    group = resource.props.get("resourceGroupName")
    if not isinstance(group, str) or not group:
        return ""
    if group == UNKNOWN_SENTINEL:
        return UNKNOWN_LOCATION
    for other in ctx.resources.values():
        if other.type in RESOURCE_GROUP_TYPES and group in (
            other.name, str(other.props.get("resourceGroupName", "")),
            str(other.props.get("name", "")),
        ):  # fmt: skip
            return azure_location(other.props.get("location"))
    return ""


def find_account(ctx: StackContext, account_name: str) -> Resource | None:
    """The account a deployment names: ``accountName`` is the Azure name, not Pulumi's.

    A deployment that names none has no account here: an empty name would otherwise match
    the first account without an ``accountName`` (every azure-native account's outputs).
    """
    if not account_name:
        return None
    for resource in ctx.resources.values():
        if resource.type in ACCOUNT_TYPES and account_name in (
            resource.name,
            str(resource.props.get("accountName", "")),
            str(resource.props.get("name", "")),
        ):
            return resource
    return None


def is_openai_account(resource: Resource) -> bool:
    return (
        resource.type in ACCOUNT_TYPES
        and str(resource.props.get("kind", "")).lower() in OPENAI_KINDS
    )


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
