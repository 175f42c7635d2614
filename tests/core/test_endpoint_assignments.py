"""`NAME=value` endpoint settings written into free text (``residency_guard/endpoints.py``):
a Compose list item, a script's ``export``, a systemd unit's ``Environment=``, PowerShell's
``$env:NAME=``. The value is judged as the same setting's value under its own key, read the
way a shell (its first word) and Compose (the rest of the line) read it.
"""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from tests.adversarial.oracle import openai_target
from tests.core.helpers import rules_of, scan_yaml


def eu(body: str) -> list[str]:
    """The rules an EU stack file with ``body`` under ``config:`` breaks."""
    return rules_of(scan_yaml("config:\n  residency-guard:region: eu\n" + body))


def list_item(line: str) -> str:
    return f"  app:environment:\n    - {json.dumps(line)}\n"


def script(text: str) -> str:
    return f"  app:startupScript: {json.dumps(text)}\n"


def unit(line: str) -> str:
    return f"  app:unit: |\n    [Service]\n    {line}\n    ExecStart=/usr/bin/app\n"


def shell_exports(text: str, **env: str) -> str:
    """What a POSIX shell exports as OPENAI_BASE_URL after ``text`` (the oracle)."""
    out = subprocess.run(
        ["sh", "-c", f'{text}\nprintf %s "$OPENAI_BASE_URL"'],
        capture_output=True, text=True, check=True, env={"PATH": os.environ["PATH"], **env},
    )  # fmt: skip
    return out.stdout


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("OPENAI_BASE_URL", "https://api.openai.com/v1", ["RG001"]),
        ("OPENAI_BASE_URL", "", ["RG001"]),  # empty: the client's default host
        ("OPENAI_BASE_URL", "https://eu.api.openai.com:99999/v1", ["RG010"]),  # no such port
        ("OPENAI_BASE_URL", "https://eu.api.openai.com/v1", []),
        ("AZURE_OPENAI_ENDPOINT", "", []),  # empty: Azure left unconfigured
        ("AZURE_OPENAI_ENDPOINT", '""', []),  # no host at all (tests/realworld's oracle)
        # an Azure host whose account the stack does not declare: its region is unknown
        ("AZURE_OPENAI_ENDPOINT", "https://my-oai.openai.azure.com/", ["RG011"]),
    ],
)
def test_a_list_item_is_judged_as_the_setting_under_its_key(
    name: str, value: str, expected: list[str]
) -> None:
    assert eu(f"  app:{name}: {json.dumps(value)}\n") == expected
    assert eu(list_item(f"{name}={value}")) == expected


def test_the_rest_of_a_list_item_is_the_value_compose_hands_on() -> None:
    """The shell's word ends at `;` (the EU host); Compose passes the whole rest of the item,
    whose host is evil.io."""
    value = "https://eu.api.openai.com;@evil.io/v1"
    assert openai_target(value).host == "evil.io"  # type: ignore[union-attr]
    assert eu(list_item(f"OPENAI_BASE_URL={value}")) == ["RG002", "RG010"]


@pytest.mark.parametrize(
    "text",
    [
        "export OPENAI_BASE_URL=$PROXY && python app.py",
        "export OPENAI_BASE_URL=$PROXY/v1 && python app.py",
        "export OPENAI_BASE_URL=${PROXY}/v1 && python app.py",
        "export OPENAI_BASE_URL=https://$GATEWAY_HOST/v1 && python app.py",
    ],
)
def test_an_interpolated_assignment_is_unresolved_whatever_follows(text: str) -> None:
    """The shell hands on $PROXY's value: the host is only known where it runs (RG011). The
    rest of the line (`$PROXY && python app.py`) was read as a host too (RG002, RG010), and
    `$PROXY/v1` was no interpolation at all."""
    env = {"PROXY": "https://eu.api.openai.com/v1", "GATEWAY_HOST": "eu.api.openai.com"}
    here = shell_exports(text.replace(" python app.py", " true"), **env)
    env = {"PROXY": "https://api.openai.com/v1", "GATEWAY_HOST": "api.openai.com"}
    there = shell_exports(text.replace(" python app.py", " true"), **env)
    assert openai_target(here).host != openai_target(there).host  # type: ignore[union-attr]
    assert eu(script(text)) == ["RG011"]


@pytest.mark.parametrize("value", ["$PROXY/v1", "https://$GATEWAY_HOST/v1"])
def test_a_dollar_variable_in_an_endpoint_is_unresolved(value: str) -> None:
    """`$NAME` is expanded like `${NAME}` by a shell, Compose and a Dockerfile's ENV."""
    assert eu(list_item(f"OPENAI_BASE_URL={value}")) == ["RG011"]
    assert eu(f"  app:OPENAI_BASE_URL: {json.dumps(value)}\n") == ["RG011"]
    suffix = "https://eu.api.openai.com$SUFFIX/v1"  # a suffix can move the host anywhere
    assert eu(f"  app:OPENAI_BASE_URL: {json.dumps(suffix)}\n") == ["RG011"]


def test_a_url_found_twice_in_text_is_one_finding() -> None:
    """`OPENAI_BASE_URL=<url>` is both a URL in the text and a setting's value: one finding."""
    findings = scan_yaml(
        "config:\n  residency-guard:region: eu\n"
        + script("OPENAI_BASE_URL=https://api.openai.com/v1")
    )
    assert [f.rule for f in findings] == ["RG001"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        # Two quoted assignments on one line: the first value ends at its own closing quote.
        ('Environment="OPENAI_BASE_URL=https://eu.api.openai.com" "NOTE=a@evil.io"', []),
        ('Environment="OPENAI_BASE_URL=https://api.openai.com" "OPENAI_ORG_ID=org-1"', ["RG001"]),
        ('Environment="OPENAI_BASE_URL=" "OPENAI_ORG_ID=org-1"', ["RG001"]),  # empty: default
        ("Environment=\"AZURE_OPENAI_ENDPOINT=''\"", []),  # quoted empty: Azure unconfigured
        # A quote that never closes: the value runs to the end of the line.
        ('Environment="OPENAI_BASE_URL=https://api.openai.com', ["RG001"]),
    ],
)
def test_a_quoted_assignment_ends_at_its_closing_quote(line: str, expected: list[str]) -> None:
    assert eu(unit(line)) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('$env:OPENAI_BASE_URL="https://api.openai.com/v1"', ["RG001"]),  # PowerShell
        ('export OPENAI_BASE_URL="https://api.openai.com"/v1', ["RG001"]),  # quotes joined
        ("OPENAI_BASE_URL=https://api.openai.com;export OPENAI_BASE_URL", ["RG001"]),  # `;`
        ('export OPENAI_BASE_URL="" && python app.py', ["RG001"]),  # empty: the default host
        ('export AZURE_OPENAI_ENDPOINT="" && python app.py', []),  # empty: unconfigured
        # `#` is no comment inside a word; userinfo in front of the global host
        ("export OPENAI_BASE_URL=https://svc-XK2:pw@api.openai.com/v1#eu", ["RG001", "RG010"]),
    ],
)
def test_the_word_a_shell_reads_is_judged(text: str, expected: list[str]) -> None:
    """The rest of the command line (`&& python app.py`, `;export ...`) is no host: the
    shell hands on its first word."""
    if not text.startswith("$env:"):
        exported = shell_exports(text.replace(" python app.py", " true"))
        assert (openai_target(exported).host if exported else "") in ("api.openai.com", "")  # type: ignore[union-attr]
    assert eu(script(text)) == expected


@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\r"])
def test_a_later_line_is_no_part_of_the_value(line_break: str) -> None:
    """A value the shell cannot read (an unclosed quote) is read to the end of its line only
    (LF, CRLF or a lone CR): the Compose-style reading reaches evil.io, and the next line does
    not hide it."""
    text = f'OPENAI_BASE_URL=https://eu.api.openai.com"@evil.io/v1{line_break}echo a{line_break}b'
    assert eu(script(text)) == ["RG002", "RG010"]
