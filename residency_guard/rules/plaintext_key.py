from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.facets import Facet
from residency_guard.findings import Finding, Severity
from residency_guard.redact import KEY_PREFIX, find_keys, redact_key
from residency_guard.rules.base import STACK_INPUTS, InputKind, Rule
from residency_guard.values import Value, dotted


class PlaintextApiKey(Rule):
    """
    ## What it does
    Finds an OpenAI API key (`sk-`, `sk-proj-`, `sk-svcacct-`, `sk-admin-`) stored in plain
    text: a stack file value that is not `secure:`, a resource input that is not a Pulumi
    secret, a dotenv file in the repository.

    ## Why is this bad?
    A key in a stack file is in every clone of the repository and in every CI log that prints
    it. Residency is bound to the project a key belongs to: a leaked EU key lets anyone spend
    the EU project's quota.

    ## Example
    ```yaml
    config:
      residency-guard:apiKey: sk-proj-...
    ```

    ## Use instead
    ```console
    pulumi config set --secret residency-guard:apiKey
    ```

    ## References
    - [Pulumi: secrets](https://www.pulumi.com/docs/iac/concepts/secrets/)
    """

    id = "RG007"
    name = "plaintext-api-key"
    title = "OpenAI API key in plain text"
    severity = Severity.ERROR
    source_url = "https://www.pulumi.com/docs/iac/concepts/secrets/"
    tags = ("secret",)
    reads = Facet.KEY_TEXT
    pack_policies = ("openai-plaintext-key", "openai-deployed-outputs")
    checkov_name = "Ensure no OpenAI API key is stored in plain text"
    # Any YAML or JSON file too: checkov's key detector (checkov_support.KEY_RULE).
    inputs = STACK_INPUTS | {InputKind.OTHER}

    def check_value(self, value: Value, ctx: StackContext) -> Iterator[Finding]:
        if value.secret or KEY_PREFIX not in value.text:
            return
        in_config = bool(value.path) and value.path[0] == "config"
        fix = (
            f"store it as a secret: pulumi config set --secret {value.name}"
            if in_config and value.name
            else "pass it as a secret: read it with config.require_secret(...) or wrap it in "
            "pulumi.Output.secret(...)"
        )
        if value.path[:1] == ("values",) and len(value.path) > 1:
            # An ESC definition in the repository (sources/esc.py; a top-level `values:`
            # mapping is its form), exported to the stack or not: plain text, or
            # `fn::secret: <plaintext>` that only `esc` encrypts when it saves.
            setting = value.path[1:-1] if value.path[-1] == "fn::secret" else value.path[1:]
            fix = (
                "keep only its ciphertext in the repository: set it with `esc env set <env> "
                f"{dotted(setting)} --secret` and export the definition without --show-secrets"
            )
        for key in find_keys(value.text):
            where = f"'{value.name}'" if value.name else "a value"
            yield self.finding(
                ctx, f"plaintext OpenAI API key {redact_key(key)} in {where}", fix, value=value
            )
