from __future__ import annotations

from collections.abc import Iterator, Mapping

from residency_guard.context import StackContext
from residency_guard.endpoints import unresolved_assignments
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.keys import is_endpoint_value, is_interpolated
from residency_guard.repoconfig import Unresolved
from residency_guard.rules.azure_account_region import ACCOUNT_TYPES
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class UnresolvedEndpoint(Rule):
    """
    ## What it does
    In a stack that promises residency, reports an OpenAI endpoint setting whose host cannot
    be read statically: an interpolation in its scheme or host (`${OPENAI_HOST}`), an
    encrypted `secure:` value, a value Pulumi only knows at `up`, or an Azure OpenAI host whose
    account is not in the scanned input. The gate fails closed; `unresolved: warn` (or
    `allow`) in `residency-guard.yaml` relaxes it.

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
    """Whether the scanned input declares the Azure account behind ``host`` (RG012 judges it)."""
    label = host.split(".", 1)[0]
    for resource in ctx.resources.values():
        if resource.type not in ACCOUNT_TYPES:
            continue
        properties = resource.props.get("properties")
        inner = properties if isinstance(properties, Mapping) else {}
        names = {
            resource.name,
            str(resource.props.get("accountName", "")),
            str(resource.props.get("name", "")),
            str(resource.props.get("customSubdomainName", "")),  # azure (classic) provider
            str(inner.get("customSubDomainName", "")),  # azure-native
        }
        if label in {name.lower() for name in names if name}:
            return True
    return False
