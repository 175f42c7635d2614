from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.repoconfig import Unresolved
from residency_guard.rules.base import Exemption, FrontEnd, InputKind, Rule, stack_label


class EscEnvironmentNotFound(Rule):
    """
    ## What it does
    In a stack that promises residency, finds an imported Pulumi ESC environment
    (`environment:` in the stack file, or an `imports:` entry of an environment it imports)
    whose definition is not in the ESC folder: `esc:` in `residency-guard.yaml`, by default
    `esc/` beside that file or beside `Pulumi.yaml`. `proj/env` is read from
    `<esc>/proj/env.yaml`, a legacy `env` from `<esc>/env.yaml`. `unresolved: warn` (or
    `allow`) in `residency-guard.yaml` relaxes it, as for RG011.

    ## Why is this bad?
    An environment's `environmentVariables` and `pulumiConfig` reach the stack's program and
    workloads: an `OPENAI_BASE_URL` there is as real as one in the stack file. Unread, it is a
    value the gate cannot vouch for, so the gate fails closed.

    ## Example
    ```yaml
    # Pulumi.prod-eu.yaml, and no esc/shop/prod-eu.yaml in the repository
    environment:
      - shop/prod-eu
    config:
      residency-guard:region: eu
    ```

    ## Use instead
    ```sh
    esc env get shop/prod-eu --definition > esc/shop/prod-eu.yaml
    ```

    ## References
    - [Pulumi ESC: use with Pulumi IaC](https://www.pulumi.com/docs/esc/guides/pulumi-iac/)
    - [esc env get](https://www.pulumi.com/docs/esc/cli/commands/esc_env_get/)
    """

    id = "RG021"
    name = "esc-environment-not-found"
    title = "Imported ESC environment not found"
    severity = Severity.ERROR
    source_url = "https://www.pulumi.com/docs/esc/guides/pulumi-iac/"
    tags = ("esc", "fail-closed")
    checkov_name = "Ensure imported Pulumi ESC environments are in the repository"
    inputs = frozenset({InputKind.STACK_FILE})  # a preview or state holds no imports
    exemptions = (Exemption(FrontEnd.PACK, "esc-merged-by-engine"),)  # the engine opens ESC

    def check_stack(self, ctx: StackContext) -> Iterator[Finding]:
        if ctx.residency is None or ctx.repo.unresolved is Unresolved.ALLOW:
            return
        severity = Severity.WARNING if ctx.repo.unresolved is Unresolved.WARN else None
        for missing in ctx.missing_environments:
            where = f" (looked for {missing.expected})" if missing.expected else ""
            target = missing.expected or f"esc/{missing.name}.yaml"
            yield self.finding(
                ctx,
                f"{stack_label(ctx)} imports the ESC environment '{missing.name}', which is not "
                f"in the scanned input{where}, so its values cannot be checked",
                f"export it: esc env get {missing.name} --definition > {target} (or set `esc:` "
                "in residency-guard.yaml to the folder that holds it)",
                file=missing.file,
                line=missing.line or 1,
                column=1,
                severity=severity,
            )
