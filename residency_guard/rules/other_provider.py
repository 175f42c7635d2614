from __future__ import annotations

from collections.abc import Iterator

from residency_guard import sdkvars
from residency_guard.context import StackContext
from residency_guard.endpoints import sdk_assignments
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import EndpointKind, classify_endpoint
from residency_guard.rules.base import Rule, quote, stack_label
from residency_guard.values import Value


class OtherProviderSelected(Rule):
    """
    ## What it does
    In a stack that promises residency, finds the openai SDK's environment variables that
    send its traffic to another provider or through another host than the stack's OpenAI
    endpoint: `OPENAI_API_TYPE=amazon-bedrock` (the module-level client then sends to Amazon
    Bedrock and ignores `OPENAI_BASE_URL`), `AWS_BEDROCK_BASE_URL`, `OPENAI_API_TYPE=azure` or
    an Azure OpenAI credential without an `AZURE_OPENAI_ENDPOINT` or any other Azure OpenAI
    endpoint in the same file or resource for the gate to judge, and an
    `HTTPS_PROXY`/`ALL_PROXY` that the OpenAI host is not exempted from in `NO_PROXY`. A host
    bound to the stack's region in a team catalog (a gateway) passes.

    ## Why is this bad?
    openai-python's module client (`openai.chat.completions.create(...)`) reads
    `OPENAI_API_TYPE` before anything else: with `amazon-bedrock` it builds a Bedrock client
    for `AWS_BEDROCK_BASE_URL` or `bedrock-mantle.<AWS_REGION>.api.aws`, and the EU base URL
    the stack declares is never used. Another provider's region is not an OpenAI residency
    region, and a proxy sees every request first.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      app:OPENAI_BASE_URL: https://eu.api.openai.com/v1
      app:OPENAI_API_TYPE: amazon-bedrock
      app:AWS_REGION: us-east-1
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      app:OPENAI_BASE_URL: https://eu.api.openai.com/v1
    ```

    ## References
    - [openai-python: module client and providers](https://github.com/openai/openai-python#module-client)
    """

    id = "RG020"
    name = "other-provider-selected"
    title = "SDK variables that send OpenAI traffic to another provider or host"
    severity = Severity.ERROR
    source_url = "https://github.com/openai/openai-python#module-client"
    tags = ("endpoint", "bypass")
    reads = Facet.SDK_VARIABLE
    pack_policies = ("openai-endpoint-region", "openai-deployed-outputs")
    checkov_name = "Ensure SDK variables send OpenAI traffic to no other provider or proxy"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        if ctx.residency is None:
            return
        variable = sdkvars.sdk_variable(value.name) if value.name else None
        if variable is not None:  # a secret credential is set, to a text nobody sees
            text = "" if value.unknown else value.text.strip()
            yield from self._judge(variable, text, value, ctx)
        elif not value.unknown:  # `OPENAI_API_TYPE=amazon-bedrock` in a list item or a script
            for variable, text in sdk_assignments(value.text):
                yield from self._judge(variable, text, value, ctx)

    def _judge(
        self, variable: str, text: str, value: Value, ctx: StackContext
    ) -> Iterator[Finding]:
        region = ctx.residency
        assert region is not None
        env = ctx.sdk_env
        where = stack_label(ctx)
        if variable == sdkvars.API_TYPE and text == sdkvars.BEDROCK:
            yield from self._bedrock(value, ctx, f"{variable}={text}")
        elif variable == sdkvars.BEDROCK_BASE_URL and env.get(sdkvars.API_TYPE) != sdkvars.BEDROCK:
            yield from self._bedrock(value, ctx, variable)
        elif self._selects_unseen_azure(variable, text, env) and not _names_azure_endpoint(ctx):
            yield self.finding(
                ctx,
                f"{where}: {variable}{'=' + text if variable == sdkvars.API_TYPE else ''} makes "
                "openai's module client an Azure OpenAI client, which ignores OPENAI_BASE_URL, "
                "and no AZURE_OPENAI_ENDPOINT beside it shows where it sends",
                f"set AZURE_OPENAI_ENDPOINT to an account in '{region.id}' beside it, or remove "
                f"{variable} and use {region.base_url}",
                value=value,
            )
        elif variable in sdkvars.PROXIES and _configures_openai(env):
            target = env.get(sdkvars.BASE_URL) or region.base_url
            host = classify_endpoint(target, ctx.catalog).host
            proxy = classify_endpoint(text, ctx.catalog)
            if sdkvars.bypasses_proxy(env, host) or self._bound(proxy.host, ctx):
                return
            # (an unknown value at preview, or a secret: set, but to nothing shown here)
            through = f"the proxy '{quote(text)}'" if text else "a proxy not shown here"
            yield self.finding(
                ctx,
                f"{where} sends OpenAI traffic through {through} ({variable}), which no team "
                f"catalog binds to '{region.id}'",
                f"add {host} to NO_PROXY, or bind {proxy.host or 'the proxy'} to '{region.id}' "
                "as a gateway in a team catalog",
                value=value,
            )

    def _bedrock(self, value: Value, ctx: StackContext, what: str) -> Iterator[Finding]:
        region = ctx.residency
        assert region is not None
        url = sdkvars.bedrock_url(ctx.sdk_env)
        host = classify_endpoint(url, ctx.catalog).host if url else ""
        if host and self._bound(host, ctx):
            return
        reaches = f"Amazon Bedrock at {host}" if host else "Amazon Bedrock in a region not shown"
        yield self.finding(
            ctx,
            f"{stack_label(ctx)}: {what} sends openai's traffic to {reaches}, which is no "
            f"OpenAI '{region.id}' residency host (OPENAI_BASE_URL is ignored)",
            f"remove {what.split('=', 1)[0]} and use {region.base_url}, or bind "
            f"{host or 'the Bedrock host'} to '{region.id}' as a gateway in a team catalog",
            value=value,
        )

    @staticmethod
    def _selects_unseen_azure(variable: str, text: str, env: dict[str, str]) -> bool:
        if sdkvars.AZURE_ENDPOINT in env:
            return False  # the Azure rules judge that endpoint (RG011, RG012)
        if variable == sdkvars.API_TYPE:
            return text == sdkvars.AZURE
        # Without OPENAI_API_TYPE and OPENAI_API_KEY, an Azure credential picks Azure; it
        # matters here where the stack also declares the OpenAI base URL it then ignores.
        return (
            variable in sdkvars.AZURE_CREDENTIALS
            and sdkvars.API_TYPE not in env
            and sdkvars.OPENAI_KEY not in env
            and sdkvars.BASE_URL in env
        )

    @staticmethod
    def _bound(host: str, ctx: StackContext) -> bool:
        region = ctx.residency
        gateway = ctx.catalog.gateways.get(host)
        return region is not None and gateway is not None and gateway.region == region.id


def _names_azure_endpoint(ctx: StackContext) -> bool:
    """Whether the scope names an Azure OpenAI endpoint of its own (a chart's
    ``azureOpenAI.endpoint``, which its template hands the container as AZURE_OPENAI_ENDPOINT):
    the Azure rules judge that endpoint where it is written (RG011, RG012). Without any
    endpoint the Azure client refuses to start, so nothing is sent elsewhere."""
    return any(
        endpoint.kind is EndpointKind.AZURE
        for value in ctx.scope_values
        for endpoint in ctx.endpoints(value)
    )


def _configures_openai(env: dict[str, str]) -> bool:
    """Whether the scope configures an OpenAI client at all (a proxy elsewhere is not ours)."""
    return any(name.startswith(("OPENAI_", "AZURE_OPENAI_")) for name in env)
