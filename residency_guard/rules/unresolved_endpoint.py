from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.keys import is_endpoint_name, is_interpolated
from residency_guard.repoconfig import Unresolved
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class UnresolvedEndpoint(Rule):
    """
    ## What it does
    In a stack that promises residency, reports an OpenAI endpoint setting whose value cannot
    be read statically: an interpolation (`${OPENAI_HOST}`), an encrypted `secure:` value, or
    a value Pulumi only knows at `up`. The gate fails closed; `unresolved: warn` (or `allow`)
    in `residency-guard.yaml` relaxes it.

    ## Why is this bad?
    A value that the gate cannot read is a value the gate cannot vouch for. An interpolated
    host may resolve to the global endpoint where the workload runs.

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

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None or ctx.repo.unresolved is Unresolved.ALLOW:
            return
        if not is_endpoint_name(value.name):
            return
        if value.unknown and not value.secret:
            what = "is only known at `pulumi up` (the policy pack checks it then)"
        elif value.unknown:
            what = "is encrypted, so it cannot be checked before it is used"
        elif is_interpolated(value.text):
            what = f"is interpolated ('{quote(value.text)}'), so only the workload sees its value"
        else:
            return
        severity = Severity.WARNING if ctx.repo.unresolved is Unresolved.WARN else None
        yield self.finding(
            ctx,
            f"{stack_label(ctx)}: the OpenAI endpoint '{value.name}' {what}",
            f"set it to the literal {region.base_url}, or set `unresolved: warn` in "
            "residency-guard.yaml",
            value=value,
            severity=severity,
        )
