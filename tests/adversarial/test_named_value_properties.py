"""Property tests for values a name before them makes endpoints (issue 15, class 1), and for
dotenv files read as python-dotenv reads them (class 2).

``NAME=value`` written into free text (a Compose list item, a Dockerfile's ``ENV``, a systemd
``Environment=``) hands the workload everything after ``=``; its host must be judged like an
``OPENAI_BASE_URL`` key's, whatever the host is. The oracle is the openai client itself
(``oracle.openai_target``), as in ``test_host_properties``.
"""

from __future__ import annotations

import io
import json
import re

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


# -- issue 15, class 2: a dotenv file is read as python-dotenv reads it --------------------------

_BREAKS = ("\u2028", "\u2029", "\u0085", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e")  # splitlines' too
_VALUE_CHARS = st.sampled_from(
    (*"abz019:/.@ =#$-_", "\t", "\u00a0", "\u3000", *_BREAKS)
)  # fmt: skip
_NEWLINES = st.sampled_from(("\n", "\r\n", "\r"))


@st.composite
def dotenv_texts(draw: st.DrawFn) -> str:
    """A dotenv file of bindings (bare, single- or double-quoted, `export`ed, indented),
    comments and blank lines, with the line breaks python-dotenv counts and those it does not."""
    parts = []
    for index in range(draw(st.integers(1, 6))):
        kind = draw(st.sampled_from(("binding", "binding", "binding", "comment", "blank")))
        if kind == "comment":
            parts.append("# " + draw(st.text(_VALUE_CHARS, max_size=12)))
        elif kind == "blank":
            parts.append(draw(st.sampled_from(("", "  ", "\u2028"))))
        else:
            value = draw(st.text(_VALUE_CHARS, max_size=16))
            quote = draw(st.sampled_from(("", "'", '"')))
            if quote == "" and value.strip() != value:
                value = value.strip() or "x"
            lead = draw(st.sampled_from(("", "  ", "export ")))
            parts.append(f"{lead}K{index}={quote}{value}{quote}")
        parts.append(draw(_NEWLINES))
    return "".join(parts)


@given(dotenv_texts())
@example("K0=https://eu.api.openai.com\u2028@evil.io/v1\n")
@example("# note\u2028K9=hidden\nK1=a\u0085b\r\nK2='c\u2029d'\n")
def test_the_dotenv_reader_reads_what_python_dotenv_loads(text: str) -> None:
    from dotenv import dotenv_values

    from residency_guard.scanners.dotenv import parse_dotenv

    values, _ = parse_dotenv(text)
    loaded = {k: v for k, v in dotenv_values(stream=io.StringIO(text), interpolate=False).items()}
    assert {v.name: v.text for v in values} == {k: v for k, v in loaded.items() if v is not None}
    lines = re.split(r"\r\n|\n|\r", text)  # python-dotenv's line breaks, and no others
    for value in values:
        line = lines[value.line - 1]
        assert line.lstrip().removeprefix("export ").startswith(f"{value.name}="), (value, line)
        assert line[value.column - 2] == "=", (value, line)


@given(urls(), st.sampled_from(("\u2028", "\u2029", "\u0085")), st.integers(0, 40))
@example(Generated("https://eu.api.openai.com/v1", True), "\u2028", 25)  # -> "...com\u2028/v1"
@example(Generated("https://eu.api.openai.com@evil.io/v1", True), "\u2029", 25)
def test_a_dotenv_value_that_leaks_with_a_unicode_break_inside_is_a_finding(
    generated: Generated, brk: str, at: int
) -> None:
    from dotenv import dotenv_values

    from tests.adversarial.test_host_properties import leaks

    value = generated.text.strip()
    value = value[:at] + brk + value[at:]
    if any(c in value for c in "\r\n'\"#") or not value.strip():
        return  # an unquoted value: no line break, quote or comment of its own
    text = f"# residency-guard:region: eu\nOPENAI_BASE_URL={value}\n"
    loaded = dotenv_values(stream=io.StringIO(text), interpolate=False)["OPENAI_BASE_URL"]
    if loaded is None or not leaks(loaded):
        return
    assert scan_dotenv_text(text), (value, loaded)


def scan_dotenv_text(text: str) -> list[str]:
    import tempfile
    from pathlib import Path

    from residency_guard.catalog import shipped_catalog
    from residency_guard.repoconfig import RepoConfig
    from residency_guard.scanners.dotenv import scan_dotenv

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / ".env"
        path.write_text(text, encoding="utf-8")
        return sorted({f.rule for f in scan_dotenv(path, shipped_catalog(), RepoConfig()).findings})
