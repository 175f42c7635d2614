"""The premises of the corpus's verdicts, asked of the real openai client (openai==3.57).

Each case builds a client from an environment, as a workload given that env would, in a fresh
interpreter (the module-level client reads the environment at import), and records the URL of
one request with a transport that answers it itself: nothing leaves the machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

_SCRIPT = r"""
import json, os, sys
import httpx2

class Recorder(httpx2.BaseTransport):
    urls = []
    def handle_request(self, request):
        self.urls.append(request.url)
        return httpx2.Response(200, json={"object": "list", "data": []}, request=request)

kind = sys.argv[1]
recorder = Recorder()
import openai
try:
    if kind == "module":  # openai.models.list(): the client OPENAI_API_TYPE steers
        openai.http_client = httpx2.Client(transport=recorder)
        openai.max_retries = 0
        client = openai
    else:
        cls = openai.AzureOpenAI if kind == "azure" else openai.OpenAI
        client = cls(http_client=httpx2.Client(transport=recorder), max_retries=0)
    client.models.list()
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__}))
else:
    url = recorder.urls[-1]
    print(json.dumps({"host": url.raw_host.decode("ascii")}))
"""

KEY = {"OPENAI_API_KEY": "sk-test-not-a-key"}


def _request(kind: str, env: dict[str, str]) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("OPENAI_", "AZURE_"))}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, kind], env={**clean, **env}, capture_output=True,
        text=True, timeout=120, check=True,
    )  # fmt: skip
    answer: dict[str, str] = json.loads(result.stdout)
    return answer


@pytest.mark.parametrize(
    ("kind", "env", "host"),
    [
        # RG018: a key delivered without a base URL goes to the global host.
        ("openai", KEY, "api.openai.com"),
        ("module", KEY, "api.openai.com"),
        # A provider selector is no base URL: the client never reads OPENAI_HOST.
        ("openai", {**KEY, "OPENAI_HOST": "azure"}, "api.openai.com"),
        # A web host set as the base URL is where the request goes: it stays a finding.
        ("openai", {**KEY, "OPENAI_BASE_URL": "https://platform.openai.com/v1"},
         "platform.openai.com"),
        ("openai", {**KEY, "OPENAI_BASE_URL": "https://eu.api.openai.com/v1"},
         "eu.api.openai.com"),
        # OPENAI_API_BASE (the 0.x name) is ignored: RG006, and the key goes global.
        ("openai", {**KEY, "OPENAI_API_BASE": "https://eu.api.openai.com/v1"}, "api.openai.com"),
    ],
)  # fmt: skip
def test_client_connects_to(kind: str, env: dict[str, str], host: str) -> None:
    assert _request(kind, env) == {"host": host}


def test_empty_azure_endpoint_never_reaches_the_global_host() -> None:
    env = {"AZURE_OPENAI_API_KEY": "k", "AZURE_OPENAI_ENDPOINT": "", "OPENAI_API_VERSION": "x"}
    assert _request("azure", env) == {"host": ""}  # a request without a host: refused


def test_empty_openai_base_url_sends_nowhere_in_python() -> None:
    # openai-python 3.57 keeps "" as its base URL (no host); openai-node reads it as unset and
    # uses api.openai.com: the gate reads an empty OPENAI_BASE_URL as the global host (RG001).
    assert _request("openai", {**KEY, "OPENAI_BASE_URL": ""}) == {"host": ""}


def test_openai_api_type_azure_steers_the_module_client_away_from_the_global_host() -> None:
    # Why a key next to OPENAI_API_TYPE=azure is no RG018: the variable's reader, the module
    # client, builds an Azure client (here refusing to start without Azure credentials).
    env = {**KEY, "OPENAI_API_TYPE": "azure", "AZURE_OPENAI_ENDPOINT": "https://x.openai.azure.com",
           "OPENAI_API_VERSION": "2024-10-21"}  # fmt: skip
    assert _request("module", env) != {"host": "api.openai.com"}
    assert _request("openai", env) == {"host": "api.openai.com"}  # OpenAI() ignores it
