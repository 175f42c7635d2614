from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class KeyNotAuthorized(VerifyRule):
    """
    ## What it does
    Finds the endpoint refusing the key with HTTP 401 (an unknown, revoked or mistyped key)
    or 403 (a key without the scopes or role the request needs, or a project the key may
    not use), for any reason other than `incorrect_hostname` (RG101, RG102).

    ## Why is this bad?
    Nothing the stack declares can be verified, and the workload that uses the same key
    fails the same way.

    ## Example
    ```console
    $ OPENAI_API_KEY=sk-...revoked residency-guard verify --stack prod-eu
    RG104 [error] eu.api.openai.com refused the key: 401 invalid_api_key ...
    ```

    ## Use instead
    A current key of the region's project with the `model.read` and `model.request` scopes
    (restricted keys), and `OPENAI_PROJECT_ID`/`OPENAI_ORG_ID` matching it.

    ## References
    - [OpenAI: error codes](https://developers.openai.com/api/docs/guides/error-codes)
    """

    id = "RG104"
    name = "key-not-authorized"
    title = "The endpoint refuses the key (401/403)"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/error-codes"
