from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class ServerError(VerifyRule):
    """
    ## What it does
    Finds the endpoint answering HTTP 5xx (`server_error`, an overloaded engine, a gateway
    failure) after the client's retries with backoff (`--max-retries`).

    ## Why is this bad?
    The check could not complete: what the endpoint serves is unknown, and an unknown is
    never a pass.

    ## Example
    ```console
    $ residency-guard verify --stack prod-eu
    RG106 [error] eu.api.openai.com answered 500 server_error after 2 retries ...
    ```

    ## Use instead
    Retry later; check OpenAI's status page, or the team gateway's health when the base URL
    is a gateway.

    ## References
    - [OpenAI: error codes](https://developers.openai.com/api/docs/guides/error-codes)
    """

    id = "RG106"
    name = "server-error"
    title = "The endpoint fails with a server error (5xx) after retries"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/error-codes"
