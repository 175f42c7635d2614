from __future__ import annotations

from collections.abc import Iterator

from residency_guard.context import StackContext
from residency_guard.findings import Finding, Severity
from residency_guard.rules.base import Exemption, FrontEnd, InputKind, Rule


class YamlAmbiguity(Rule):
    """
    ## What it does
    Finds places where the Pulumi engine (Go's yaml.v3) and PyYAML-based tools read a stack
    file differently: duplicate keys, merge keys (`<<: [*a, *b]`) whose sources disagree, a
    `!!merge` tag on a key other than `<<` (a plain key to the engine, a merge to PyYAML), and
    a config key written twice in the spellings the engine reads as one (`region` and
    `<project>:region`, `<ns>:config:<key>` and `<ns>:<key>`), where Go's map order picks.

    ## Why is this bad?
    The engine refuses duplicate keys; PyYAML keeps the last one silently, so a duplicate can
    hide a value from one reader and show it to another. yaml.v3 lets the first merge source
    win, PyYAML 6.0.4 the last (yaml/pyyaml#953): two tools, two regions.

    ## Example
    ```yaml
    config:
      app:openaiBaseUrl: https://eu.api.openai.com/v1
      app:openaiBaseUrl: https://api.openai.com/v1
    ```

    ## Use instead
    Keep each key once; set merged keys explicitly.

    ## References
    - [yaml/pyyaml#953](https://github.com/yaml/pyyaml/issues/953)
    """

    id = "RG015"
    name = "yaml-ambiguity"
    title = "YAML that the engine and other tools read differently"
    severity = Severity.ERROR
    source_url = "https://github.com/yaml/pyyaml/issues/953"
    tags = ("yaml", "bypass")
    checkov_name = "Ensure the stack's YAML reads the same in the Pulumi engine and other tools"
    inputs = frozenset({InputKind.STACK_FILE})
    exemptions = (Exemption(FrontEnd.PACK, "stack-file-values"),)  # the pack sees no file

    def check_stack(self, ctx: StackContext) -> Iterator[Finding]:
        for ambiguity in ctx.ambiguities:
            yield self.finding(
                ctx, ambiguity.message, ambiguity.fix, line=ambiguity.line, column=ambiguity.column
            )
