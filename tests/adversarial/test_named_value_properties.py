"""Property tests for values that a name before them makes endpoints (issue 15, class 1).

``NAME=value`` written into free text (a Compose list item, a Dockerfile's ``ENV``, a systemd
``Environment=``) hands the workload everything after ``=``; its host must be judged like an
``OPENAI_BASE_URL`` key's, whatever the host is. The oracle is the openai client itself
(``oracle.openai_target``), as in ``test_host_properties``.
"""

from __future__ import annotations

import json

from hypothesis import example, given
from hypothesis import strategies as st

from tests.adversarial.strategies import FOREIGN_HOSTS, Generated, eu_stack, urls
from tests.adversarial.test_host_properties import safe, scan

# Endpoint settings as workloads name them (openai-python, Azure OpenAI, app conventions).
ENDPOINT_NAMES = ("OPENAI_BASE_URL", "AZURE_OPENAI_ENDPOINT", "openai_api_url", "OpenAI__BaseUrl")
# Hosts no OpenAI name is in: a Bedrock endpoint, a proxy, the strategies' foreign hosts.
OTHER_HOSTS = ("bedrock-runtime.us-east-1.amazonaws.com", "llm-proxy.us.example", *FOREIGN_HOSTS)


def placed(form: str, name: str, value: str) -> str:
    line = f"{name}={value}"
    body = {
        "compose-list-item": f"  app:environment:\n    - {json.dumps(line)}\n",
        "json-list-string": f"  app:envs: {json.dumps(json.dumps([line, 'DEBUG=1']))}\n",
        "dockerfile-env": f"  app:dockerfile: {json.dumps(f'FROM python{chr(10)}ENV {line}')}\n",
        "dockerfile-env-space": (
            f"  app:dockerfile: {json.dumps(f'FROM python{chr(10)}ENV {name} {value}')}\n"
        ),
        "systemd": f"  app:unit: {json.dumps(f'[Service]{chr(10)}Environment={line}')}\n",
    }[form]
    return eu_stack(body)


FORMS = st.sampled_from(
    ("compose-list-item", "json-list-string", "dockerfile-env", "dockerfile-env-space", "systemd")
)


@st.composite
def named_urls(draw: st.DrawFn) -> Generated:
    """A URL to a host without OpenAI in its name, or any generated URL."""
    if draw(st.booleans()):
        host = draw(st.sampled_from(OTHER_HOSTS))
        path = draw(st.sampled_from(("", "/v1", "/openai/v1")))
        return Generated(f"https://{host}{path}", False)
    return draw(urls())


@given(named_urls(), st.sampled_from(ENDPOINT_NAMES), FORMS)
@example(Generated('https://eu.api.openai.com"@evil.io/v1', True), "OPENAI_BASE_URL", "systemd")
@example(Generated("https://bedrock-runtime.us-east-1.amazonaws.com", False),
         "OPENAI_BASE_URL", "dockerfile-env-space")  # fmt: skip
def test_a_named_value_that_is_not_exactly_the_eu_endpoint_is_a_finding(
    generated: Generated, name: str, form: str
) -> None:
    value = generated.text
    # The forms take the value to the end of its line; one without a line break stands alone.
    if "\n" in value or "\r" in value or value != value.strip() or safe(value):
        return
    assert scan(placed(form, name, value)), (form, name, value)


@given(st.sampled_from(ENDPOINT_NAMES), FORMS)
def test_the_exact_eu_endpoint_is_clean_in_every_form(name: str, form: str) -> None:
    assert scan(placed(form, name, "https://eu.api.openai.com/v1")) == []
