from __future__ import annotations

from residency_guard.findings import Finding, Severity
from residency_guard.redact import redact
from residency_guard.rules.base import Exemption, FrontEnd, Rule


class InvalidSuppression(Rule):
    """
    ## What it does
    Finds a suppression that cannot be honoured: one without a `reason`, one whose `until` is
    not a date (`YYYY-MM-DD`), one that names a rule that does not exist, names this rule,
    or cannot be read at all. It is found in inline comments
    (`# residency-guard: ignore RG001 reason="..." until=2027-03-01`) and in the
    `suppressions:` list of `residency-guard.yaml`.

    ## Why is this bad?
    A suppression is a decision someone must be able to read and revisit: an accepted risk
    without a reason cannot be audited, and one without a readable end date cannot expire.
    An invalid suppression suppresses nothing, so the finding it meant to accept fails the
    gate as well.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      # residency-guard: ignore RG001
      app:openaiBaseUrl: https://api.openai.com/v1
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      # residency-guard: ignore RG001 reason="EU project key pending, INC-1234" until=2027-03-01
      app:openaiBaseUrl: https://api.openai.com/v1
    ```

    ## References
    - [residency-guard: suppressions](https://github.com/residency-guard/residency-guard#suppressions)
    """

    id = "RG016"
    name = "invalid-suppression"
    title = "Suppression without a reason, a date or a known rule"
    severity = Severity.ERROR
    source_url = "https://github.com/residency-guard/residency-guard#suppressions"
    tags = ("suppression",)
    pack_policies = ("residency-suppressions",)
    exemptions = (Exemption(FrontEnd.CHECKOV, "checkov-no-rg016"),)

    # Suppressions are not values, resources or stacks: residency_guard.suppressions reads
    # them and asks for a finding here, so that every front end reports them alike.
    def invalid(
        self,
        problem: str,
        fix: str,
        *,
        file: str,
        line: int,
        column: int,
        stack: str,
        region: str,
    ) -> Finding:
        """A finding about the suppression written at ``file:line``."""
        return Finding(
            rule=self.id,
            severity=self.severity,
            file=file,
            line=line,
            column=column,
            message=redact(problem),
            fix=redact(fix),
            stack=stack,
            region=region,
        )
