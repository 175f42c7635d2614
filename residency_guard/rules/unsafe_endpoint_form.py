from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind, Hazard
from residency_guard.keys import is_endpoint_value, is_interpolated
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class UnsafeEndpointForm(Rule):
    """
    ## What it does
    In a stack that promises residency, accepts an OpenAI endpoint only in its plain form:
    scheme `https` (`wss` for Realtime), the exact host, the default port. It reports userinfo
    (`user@host`), backslashes, percent-encoding or non-ASCII characters in the host, IP
    literals, a trailing dot, another port, `http:`, `ws:` or any other scheme, a base URL
    without a scheme, and values the HTTP client cannot parse at all (in free text, those
    written as a URL or a host: a URN or an Azure resource id that names OpenAI is no URL).

    ## Why is this bad?
    URL parsers disagree on such forms. `https://eu.api.openai.com\\@api.openai.com/v1` looks
    like the EU host to urllib3 but httpx, which the openai client uses, connects to
    `api.openai.com`. A gate that accepts odd forms can be walked around.

    ## Example
    ```yaml
    config:
      app:openaiBaseUrl: http://eu.api.openai.com:8443/v1
    ```

    ## Use instead
    ```yaml
    config:
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## References
    - [RFC 3986, section 3.2](https://www.rfc-editor.org/rfc/rfc3986#section-3.2)
    """

    id = "RG010"
    name = "unsafe-endpoint-form"
    title = "OpenAI endpoint in an ambiguous or unsafe form"
    severity = Severity.ERROR
    source_url = "https://www.rfc-editor.org/rfc/rfc3986#section-3.2"
    tags = ("endpoint", "bypass")
    reads = Facet.ENDPOINT
    pack_policies = ("openai-endpoint-region", "openai-deployed-outputs")
    checkov_name = "Ensure OpenAI endpoints are unambiguous https URLs"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None:
            return
        endpoint_key = is_endpoint_value(value)
        for endpoint in ctx.endpoints(value):
            if endpoint.kind is EndpointKind.INVALID:
                if endpoint_key and is_interpolated(value.text):
                    continue  # RG011's case
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)} has an endpoint the HTTP client cannot use: "
                    f"'{quote(endpoint.text)}' ({endpoint.error})",
                    f"use {region.base_url}",
                    value=value,
                )
                continue
            if not endpoint.is_openai_bound and not endpoint.setting:
                continue
            hazards = [h for h in endpoint.hazards if endpoint.setting or h is not Hazard.NO_SCHEME]
            if not hazards:
                continue
            names = ", ".join(h.value for h in hazards)
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} endpoint '{quote(endpoint.text)}' reaches "
                f"{endpoint.host} in an unsafe form ({names})",
                f"write it exactly as {region.base_url}",
                value=value,
            )
