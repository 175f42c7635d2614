from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class RateLimited(VerifyRule):
    """
    ## What it does
    Finds the endpoint still answering HTTP 429 (`rate_limit_exceeded`, or
    `insufficient_quota`) after the client's retries with backoff (`--max-retries`).

    ## Why is this bad?
    The check could not complete: what the endpoint serves is unknown, and an unknown is
    never a pass. `insufficient_quota` does not clear by waiting.

    ## Example
    ```console
    $ residency-guard verify --stack prod-eu --max-retries 2
    RG105 [error] eu.api.openai.com answered 429 rate_limit_exceeded after 2 retries ...
    ```

    ## Use instead
    Retry later or with more `--max-retries`; for `insufficient_quota`, add credit or raise
    the project's budget.

    ## References
    - [OpenAI: rate limits](https://developers.openai.com/api/docs/guides/rate-limits)
    """

    id = "RG105"
    name = "rate-limited"
    title = "The endpoint rate-limits the key (429) after retries"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/rate-limits"
