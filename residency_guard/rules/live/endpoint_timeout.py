from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class EndpointTimeout(VerifyRule):
    """
    ## What it does
    Finds the endpoint not answering within `--timeout` seconds, on every attempt the
    client made (`--max-retries`).

    ## Why is this bad?
    The check could not complete: what the endpoint serves is unknown, and an unknown is
    never a pass. A regional host that times out from where the workload runs often means
    an egress rule or proxy that only lets `api.openai.com` through.

    ## Example
    ```console
    $ residency-guard verify --stack prod-eu --timeout 5
    RG107 [error] eu.api.openai.com did not answer models.list within 5 s ...
    ```

    ## Use instead
    A longer `--timeout`, or an egress rule that allows the region's host.

    ## References
    - [openai-python: timeouts](https://github.com/openai/openai-python#timeouts)
    """

    id = "RG107"
    name = "endpoint-timeout"
    title = "The endpoint does not answer in time"
    severity = Severity.ERROR
    source_url = "https://github.com/openai/openai-python#timeouts"
