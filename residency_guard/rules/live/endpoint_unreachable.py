from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class EndpointUnreachable(VerifyRule):
    """
    ## What it does
    Finds an endpoint that cannot be reached at all: its host name does not resolve (DNS),
    the connection is refused, or the TLS handshake fails.

    ## Why is this bad?
    Nothing can be verified, and the workload cannot reach the endpoint either. A host
    that does not resolve is usually a misspelt regional host (`uk.api.openai.com` does
    not exist; the UK host is `gb.api.openai.com`) or a gateway missing from internal DNS.

    ## Example
    ```console
    $ residency-guard verify --base-url https://gw.example.invalid/v1 --region eu
    RG108 [error] cannot resolve gw.example.invalid (DNS) ...
    ```

    ## Use instead
    The region's host from `residency-guard catalog --region eu`, or a gateway that
    resolves where the check runs.

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG108"
    name = "endpoint-unreachable"
    title = "The endpoint cannot be reached (DNS, connection, TLS)"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
