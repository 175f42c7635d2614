from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class ModelNotServed(VerifyRule):
    """
    ## What it does
    Finds a model the stack declares that the region's live endpoint does not serve:
    `models.list` does not name it, or a `--probe` request answers `model_not_found`.

    ## Why is this bad?
    Regional endpoints serve a subset of OpenAI's models, often as dated snapshots only
    (`gpt-4o-2024-11-20`, not the alias `gpt-4o`), and the subset changes. A workload
    that asks for a model its region does not serve fails at run time, or is "fixed" by
    someone switching it to the global host.

    ## Example
    ```yaml
    config:
      residency-guard:region: eu
      residency-guard:models:
        chat: [gpt-4o]
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: eu
      residency-guard:models:
        chat: [gpt-4o-2024-11-20]
    ```

    ## References
    - [OpenAI: your data, models by region](https://developers.openai.com/api/docs/guides/your-data)
    """

    id = "RG103"
    name = "model-not-served"
    title = "The live endpoint does not serve the declared model"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/your-data"
