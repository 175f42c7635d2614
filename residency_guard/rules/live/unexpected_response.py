from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class UnexpectedResponse(VerifyRule):
    """
    ## What it does
    Finds an answer the check cannot read as OpenAI's API: another 4xx (a 404 for
    `/models` when the base URL lacks `/v1`, a 400 for a probe), a body that is not
    OpenAI's JSON, or a redirect to a host outside the region (refused, never followed).

    ## Why is this bad?
    The check could not complete. A base URL without `/v1` reaches an HTML page instead
    of the API; a redirect to another host would carry the request out of the region.

    ## Example
    ```console
    $ residency-guard verify --base-url https://eu.api.openai.com --region eu
    RG109 [error] eu.api.openai.com answered 404 to models.list ...
    ```

    ## Use instead
    ```console
    $ residency-guard verify --base-url https://eu.api.openai.com/v1 --region eu
    ```

    ## References
    - [OpenAI: error codes](https://developers.openai.com/api/docs/guides/error-codes)
    """

    id = "RG109"
    name = "unexpected-response"
    title = "The endpoint's answer is not OpenAI's API"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/error-codes"
