"""Azure OpenAI resources as the rules and the pack read them: accounts, their locations,
deployments and their SKU names, by the providers' resource types."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from residency_guard.context import Resource, StackContext
from residency_guard.values import UNKNOWN_SENTINEL

ACCOUNT_TYPES = ("azure-native:cognitiveservices:Account", "azure:cognitive/account:Account")
DEPLOYMENT_TYPES = ("azure-native:cognitiveservices:Deployment",)
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
    """An account of kind ``OpenAI`` or ``AIServices`` (any case)."""
    return (
        resource.type in ACCOUNT_TYPES
        and str(resource.props.get("kind", "")).lower() in OPENAI_KINDS
    )


def sku_name(props: Mapping[str, Any]) -> str:
    """A deployment's SKU name (``GlobalStandard``), ``""`` when it has none."""
    sku = props.get("sku")
    return str(sku.get("name", "")) if isinstance(sku, Mapping) else ""
