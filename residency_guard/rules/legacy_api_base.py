from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.keys import BASE_URL_VAR, LEGACY_BASE_VAR, is_legacy_base
from residency_guard.rules.base import Rule
from residency_guard.values import Value


class LegacyApiBase(Rule):
    """
    ## What it does
    Finds `OPENAI_API_BASE` set anywhere: a config key, an env var of a container, a dotenv
    file.

    ## Why is this bad?
    `OPENAI_API_BASE` is the name of openai-python 0.x. Every current SDK (openai-python 1.0
    and later, openai-node) reads `OPENAI_BASE_URL` and ignores `OPENAI_API_BASE`, so a
    workload that sets only the old name silently talks to the global endpoint
    `api.openai.com`, outside any region.

    ## Example
    ```yaml
    env:
      - name: OPENAI_API_BASE
        value: https://eu.api.openai.com/v1
    ```

    ## Use instead
    ```yaml
    env:
      - name: OPENAI_BASE_URL
        value: https://eu.api.openai.com/v1
    ```

    ## References
    - [openai-python issue 745](https://github.com/openai/openai-python/issues/745)
    """

    id = "RG006"
    name = "legacy-api-base"
    title = "OPENAI_API_BASE is ignored by current SDKs"
    severity = Severity.ERROR
    source_url = "https://github.com/openai/openai-python/issues/745"
    tags = ("sdk",)
    reads = Facet.LEGACY_BASE
    pack_policies = ("openai-legacy-api-base", "openai-deployed-outputs")
    checkov_name = "Ensure OPENAI_BASE_URL is set, not the ignored OPENAI_API_BASE"

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        if not is_legacy_base(value):
            return
        region = ctx.residency
        target = region.base_url if region else "the endpoint"
        yield self.finding(
            ctx,
            f"{LEGACY_BASE_VAR} is ignored by openai>=1, which then sends to the global host "
            "api.openai.com",
            f"rename it to {BASE_URL_VAR} (value {target})",
            value=value,
            severity=None if region else Severity.WARNING,
        )
