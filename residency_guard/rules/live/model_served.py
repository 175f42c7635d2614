from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class ModelServed(VerifyRule):
    """
    ## What it does
    Records, as a note, that the region's live endpoint serves a model the stack declares:
    `models.list` names it, or a `--probe` request with it was answered.

    ## Why is this bad?
    It is not: the note is the evidence. A report that only lists failures cannot tell a
    model that was checked and served from one that was never checked; SARIF and JUnit
    keep this note as the passing result.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      residency-guard:models:
        chat: [gpt-4.1-2025-04-14]
    ```
    `residency-guard verify --stack prod-eu` reports
    `RG100 [note] eu.api.openai.com serves model 'gpt-4.1-2025-04-14' (chat)`.

    ## Use instead
    Nothing to change.

    ## References
    - [OpenAI API: list models](https://platform.openai.com/docs/api-reference/models/list)
    """

    id = "RG100"
    name = "model-served"
    title = "The live endpoint serves the declared model"
    severity = Severity.NOTE
    source_url = "https://platform.openai.com/docs/api-reference/models/list"
