from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class KeyRefusedForRegionalHost(VerifyRule):
    """
    ## What it does
    Finds a regional endpoint (`eu.api.openai.com`, a gateway bound to a region) that refuses
    the key with error code `incorrect_hostname`.

    ## Why is this bad?
    A project's data-residency region is fixed when the project is created; its keys are
    accepted on that region's host only. A key of a *global* project is refused on a
    regional host unless the project was created with "Enable per-request data residency",
    and a key of another region's project is refused too. Every request of the workload
    fails with HTTP 401 until the key and the host agree.

    ## Example
    ```console
    $ OPENAI_API_KEY=<key of a global project> residency-guard verify --stack prod-eu
    RG101 [error] eu.api.openai.com refused the key: incorrect_hostname ...
    ```

    ## Use instead
    A key of a project created with residency region `eu`, or of a global project with
    per-request data residency enabled (`residency-guard:perRequestResidency: true`).

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG101"
    name = "key-refused-for-regional-host"
    title = "The regional endpoint refuses the key (incorrect_hostname)"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
