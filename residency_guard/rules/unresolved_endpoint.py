from __future__ import annotations

from collections.abc import Iterator, Mapping

from residency_guard.azure import ACCOUNT_TYPES, account_location, is_openai_account
from residency_guard.context import Resource, StackContext
from residency_guard.endpoints import unresolved_assignments
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import is_endpoint_value, is_interpolated
from residency_guard.repoconfig import Unresolved
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class UnresolvedEndpoint(Rule):
    """
    ## What it does
    In a stack that promises residency, reports an OpenAI endpoint setting whose host cannot
    be read statically: an interpolation in its scheme or host (`${OPENAI_HOST}`), an
    encrypted `secure:` value, a value Pulumi only knows at `up`, an Azure OpenAI host that is
    no scanned account's custom subdomain (`<customSubDomainName>.openai.azure.com`), or an
    Azure OpenAI account with no location whose resource group is not in the scanned input.
    The gate fails closed; `unresolved: warn` (or `allow`) in `residency-guard.yaml` relaxes it.

    ## Why is this bad?
    A value that the gate cannot read is a value the gate cannot vouch for. An interpolated
    host may resolve to the global endpoint where the workload runs; an Azure account's
    region is its location, which only the account's resource shows.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      app:openaiBaseUrl: https://${OPENAI_HOST}/v1
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## References
    - [Pulumi: configuration](https://www.pulumi.com/docs/iac/concepts/config/)
    """

    id = "RG011"
    name = "unresolved-endpoint"
    title = "OpenAI endpoint that cannot be checked statically"
    severity = Severity.ERROR
    source_url = "https://www.pulumi.com/docs/iac/concepts/config/"
    tags = ("endpoint", "fail-closed")
    reads = Facet.ENDPOINT | Facet.ENDPOINT_NAME
    pack_policies = ("openai-endpoint-region", "openai-deployed-outputs")
    checkov_name = "Ensure OpenAI endpoints can be checked statically"

    def check_resource(self, resource: Resource, ctx: StackContext) -> Iterator[Finding]:
        """An Azure OpenAI account whose location cannot be resolved: neither its own nor its
        resource group's in the scanned input. Judged with the stack's resources only (a
        resource on its own, as a pack's resource policy sees it, leaves it to the stack)."""
        region = ctx.residency
        if region is None or ctx.repo.unresolved is Unresolved.ALLOW or not ctx.resources:
            return
        if not is_openai_account(resource) or account_location(resource, ctx):
            return
        yield self.finding(
            ctx,
            f"{stack_label(ctx)}: Azure OpenAI account '{resource.name}' has no location and "
            "its resource group's is not in the scanned input, so its region cannot be checked",
            f"set its location, scan the input that declares its resource group, use "
            f"{region.base_url}, or set `unresolved: warn` in residency-guard.yaml",
            file=resource.file or ctx.file, line=resource.line,
            key_path=(resource.name, "location"),
            severity=Severity.WARNING if ctx.repo.unresolved is Unresolved.WARN else None,
        )  # fmt: skip

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or ctx.repo.unresolved is Unresolved.ALLOW:
            return
        severity = Severity.WARNING if ctx.repo.unresolved is Unresolved.WARN else None
        for endpoint in ctx.endpoints(value):
            # An Azure host names an account, and the account's location is the region: with
            # no account in the scanned input (a stack file alone), nothing shows where it is.
            if endpoint.kind is EndpointKind.AZURE and not _declared(ctx, endpoint.host):
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)} sends to the Azure OpenAI endpoint {endpoint.host}, "
                    "whose account is not in the scanned input, so its region cannot be checked",
                    "scan the preview or state export that declares the account, use "
                    f"{region.base_url}, or set `unresolved: warn` in residency-guard.yaml",
                    value=value,
                    severity=severity,
                )
        if not is_endpoint_value(value):
            for name in unresolved_assignments(value.text):  # `OPENAI_BASE_URL=${HOST}` in text
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)}: the OpenAI endpoint '{name}' is interpolated "
                    f"('{quote(value.text)}'), so only the workload sees its value",
                    f"set it to the literal {region.base_url}, or set `unresolved: warn` in "
                    "residency-guard.yaml",
                    value=value,
                    severity=severity,
                )
            return
        if value.unknown and not value.secret:
            what = "is only known at `pulumi up` (the policy pack checks it then)"
        elif value.unknown:
            what = "is encrypted, so it cannot be checked before it is used"
        elif is_interpolated(value.text):
            what = f"is interpolated ('{quote(value.text)}'), so only the workload sees its value"
        else:
            return
        yield self.finding(
            ctx,
            f"{stack_label(ctx)}: the OpenAI endpoint '{value.name}' {what}",
            f"set it to the literal {region.base_url}, or set `unresolved: warn` in "
            "residency-guard.yaml",
            value=value,
            severity=severity,
        )


def _declared(ctx: StackContext, host: str) -> bool:
    """Whether the scanned input declares the Azure account behind ``host`` (RG012 judges it).

    Only the custom subdomain names the host (``<customSubDomainName>.openai.azure.com``); an
    account's Pulumi or Azure name does not, and another account may bear it.
    """
    label = host.split(".", 1)[0]
    return any(
        resource.type in ACCOUNT_TYPES and label in _subdomains(resource)
        for resource in ctx.resources.values()
    )


def _subdomains(resource: Resource) -> set[str]:
    properties = resource.props.get("properties")
    inner = properties if isinstance(properties, Mapping) else {}
    names = (
        resource.props.get("customSubdomainName"),  # azure (classic) provider
        inner.get("customSubDomainName"),  # azure-native
    )
    return {name.lower() for name in names if isinstance(name, str) and name}
