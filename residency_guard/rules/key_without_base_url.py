from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.envblocks import KEY_VAR, EnvBlock, key_without_base_url
from residency_guard.findings import Finding, Severity
from residency_guard.keys import BASE_URL_VAR
from residency_guard.rules.base import Rule, stack_label


class KeyWithoutBaseUrl(Rule):
    """
    ## What it does
    Finds an OpenAI API key delivered to a workload without a base URL beside it, or with an
    empty `OPENAI_BASE_URL`, in a stack that promises residency: a dotenv file, a container's
    or a function's env (Kubernetes, ECS, Lambda, Compose, App Service), an env map in stack
    config, an ESC environment's `environmentVariables`.

    A key next to `OPENAI_API_TYPE=azure`, an Azure endpoint (`AZURE_OPENAI_ENDPOINT`) or a
    provider pick other than OpenAI (`OPENAI_HOST=azure`) is for that provider, not this rule;
    `OPENAI_API_BASE` beside it is RG006's case; an env that takes more variables from
    elsewhere (`envFrom`, `env_file`) or sits beside an OpenAI endpoint setting may get its base
    URL there.

    ## Why is this bad?
    The openai SDKs build their client from `OPENAI_API_KEY` and `OPENAI_BASE_URL`; without the
    second they send every request to `api.openai.com`, the global endpoint, which promises no
    residency (not even US residency). openai-node also reads an empty `OPENAI_BASE_URL` as
    unset. The `data_residency` client option has no environment variable.

    ## Example
    ```yaml
    env:
      - name: OPENAI_API_KEY
        valueFrom: {secretKeyRef: {name: openai, key: api-key}}
    ```

    ## Use instead
    ```yaml
    env:
      - name: OPENAI_API_KEY
        valueFrom: {secretKeyRef: {name: openai, key: api-key}}
      - name: OPENAI_BASE_URL
        value: https://eu.api.openai.com/v1
    ```

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    - [openai-python: client configuration](https://github.com/openai/openai-python#configuring-the-http-client)
    """

    id = "RG018"
    name = "key-without-base-url"
    title = "OpenAI API key delivered without a regional base URL"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
    tags = ("endpoint",)
    pack_policies = ("openai-key-with-base-url",)
    checkov_name = "Ensure an OpenAI API key is delivered with the region's base URL"

    def check_env(self, block: EnvBlock, ctx: StackContext) -> Iterator[Finding]:
        region = ctx.residency
        if region is None:
            return
        found = key_without_base_url(block)
        if found is None:
            return
        key = found.key
        how = "an empty" if found.empty_base is not None else "no"
        yield self.finding(
            ctx,
            f"{stack_label(ctx)} delivers {KEY_VAR} with {how} {BASE_URL_VAR}: the openai "
            "client then sends to api.openai.com (global, no residency)",
            f"set {BASE_URL_VAR}={region.base_url} beside the key",
            file=key.file or None,
            line=key.line,
            column=key.column,
            key_path=key.path,
        )
