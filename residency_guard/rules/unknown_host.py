from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class UnknownOpenAIHost(Rule):
    """
    ## What it does
    Finds hosts that look like OpenAI's but are not one of its API hosts: names from
    third-party guides (`api.openai.eu`, `api.eu.openai.com`, `uk.api.openai.com`), hosts that
    merely start with an OpenAI host (`eu.api.openai.com.attacker.io`), look-alikes, and, in a
    residency stack, any host under an OpenAI endpoint setting that is neither OpenAI's nor a
    gateway of the team's catalog. A region written as a path of the global host
    (`https://api.openai.com/eu`, from third-party guides) is one too: the host picks the
    region, the path picks none.

    Not flagged: a provider pick under an endpoint-like name (`OPENAI_HOST: azure`,
    `openaiChatHost: ollama`), which no client connects to, and OpenAI's web pages
    (`platform.openai.com`, `status.openai.com`, `openai.com/...`) in prose or under names
    that are not endpoint settings: links, not traffic. Set as a base URL, such a page is
    still reported.

    ## Why is this bad?
    A misspelt host fails at run time at best; at worst it resolves to someone else's server,
    which then receives every prompt and the API key. A host the catalog does not know cannot
    be shown to keep data in the region.

    ## Example
    ```yaml
    config:
      app:openaiBaseUrl: https://api.openai.eu/v1
    ```

    ## Use instead
    ```yaml
    config:
      app:openaiBaseUrl: https://eu.api.openai.com/v1
    ```

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG002"
    name = "unknown-openai-host"
    title = "Unknown or misconfigured OpenAI host"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
    tags = ("endpoint",)
    reads = Facet.ENDPOINT
    pack_policies = ("openai-endpoint-region", "openai-deployed-outputs")
    checkov_name = "Ensure OpenAI hosts are known and correctly configured"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        fallback = f"use {region.base_url}" if region else "use an OpenAI API host"
        for endpoint in ctx.endpoints(value):
            if endpoint.kind is EndpointKind.MISCONFIGURED and ctx.catalog.region_by_host(
                endpoint.host
            ):  # `https://api.openai.com/eu`: OpenAI's host, with a region where none is read
                yield self.finding(
                    ctx,
                    f"'{quote(endpoint.text)}' writes a region in the path, which selects none: "
                    f"{endpoint.host} is the global host (no residency); did you mean "
                    f"{endpoint.correction}?",
                    fallback if region else f"use https://{endpoint.correction}/v1",
                    value=value,
                )
            elif endpoint.kind is EndpointKind.MISCONFIGURED:
                yield self.finding(
                    ctx,
                    f"{endpoint.host} is not an OpenAI API host; did you mean "
                    f"{endpoint.correction}?",
                    f"use https://{endpoint.correction}/v1",
                    value=value,
                )
            elif endpoint.kind is EndpointKind.LOOKALIKE:
                yield self.finding(
                    ctx,
                    f"{endpoint.host} looks like an OpenAI host but is not one",
                    fallback,
                    value=value,
                )
            elif endpoint.kind is EndpointKind.OTHER and region is not None and endpoint.setting:
                yield self.finding(
                    ctx,
                    f"{stack_label(ctx)} sends OpenAI traffic to {endpoint.host}, which is "
                    "neither an OpenAI host nor a gateway of the team catalog",
                    f"{fallback}, or add {endpoint.host} as a gateway bound to "
                    f"'{region.id}' in a team catalog",
                    value=value,
                )
