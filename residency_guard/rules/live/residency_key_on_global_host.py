from __future__ import annotations

from residency_guard.findings import Severity
from residency_guard.rules.live.base import VerifyRule


class ResidencyKeyOnGlobalHost(VerifyRule):
    """
    ## What it does
    Finds the global endpoint `api.openai.com` refusing the key with `incorrect_hostname`:
    the key belongs to a data-residency project, which must call its region's host.

    ## Why is this bad?
    OpenAI answers "Attempted to access resource with incorrect regional hostname. Please
    make your request to us.api.openai.com": the stack is declared global but its key is
    bound to a region, so every request fails. Declaring the stack global also hides the
    residency promise the project makes.

    ## Example
    ```yaml
    config:
      residency-guard:region: global   # but OPENAI_API_KEY is a key of a US project
    ```

    ## Use instead
    ```yaml
    config:
      residency-guard:region: us       # and send to https://us.api.openai.com/v1
    ```

    ## References
    - [OpenAI: data residency](https://developers.openai.com/api/docs/guides/data-residency)
    """

    id = "RG102"
    name = "residency-key-on-global-host"
    title = "A data-residency project's key is sent to the global host"
    severity = Severity.ERROR
    source_url = "https://developers.openai.com/api/docs/guides/data-residency"
