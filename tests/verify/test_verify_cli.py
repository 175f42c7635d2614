"""``residency-guard verify`` against a real loopback HTTP server, with the real openai client."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tests.verify.helpers import CANARY_KEY, EU_MODELS, run_cli, write_project
from tests.verify.openai_stub import OpenAIStub, Reply

PROD_EU = """
config:
  residency-guard:region: eu
  residency-guard:models:
    chat:
      - gpt-4.1-2025-04-14
      - gpt-4o
    responses: [gpt-5-2025-08-07]
    embeddings:
      - text-embedding-3-large
  residency-guard:surfaces: [chat, responses, embeddings, files]
"""


def verify_json(
    capsys: pytest.CaptureFixture[str], *argv: str
) -> tuple[int, list[tuple[str, int, str]]]:
    code, out, err = run_cli(capsys, "verify", *argv, "--format", "json")
    assert CANARY_KEY[8:16] not in out + err
    findings = json.loads(out)["findings"]
    return code, [(f["rule"], f["line"], f["message"]) for f in findings]


def endpoint_args(stub: OpenAIStub, *extra: str) -> list[str]:
    return ["--region", "eu", "--base-url", stub.base_url, "--model", "gpt-4.1-2025-04-14", *extra]


def test_stack_models_are_served_or_not(
    stub: OpenAIStub, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = write_project(tmp_path, "prod-eu", PROD_EU)
    code, out, err = run_cli(
        capsys,
        "verify",
        "--stack",
        "prod-eu",
        "--project",
        str(tmp_path),
        "--base-url",
        stub.base_url,
    )
    here = f"{stack_file}"
    host = f"127.0.0.1:{stub.port}/v1"
    assert (code, err) == (1, "")
    assert out.splitlines() == [
        f"{here}:5:9: RG100 [note] {host} serves model 'gpt-4.1-2025-04-14' (chat)",
        f"{here}:6:9: RG103 [error] {host} does not serve model 'gpt-4o' (chat): models.list "
        "names 4 models, not this one (fix: pin a model the endpoint serves for chat, e.g. "
        "gpt-5-2025-08-07, gpt-4o-2024-11-20, gpt-4.1-2025-04-14)",
        f"{here}:7:17: RG100 [note] {host} serves model 'gpt-5-2025-08-07' (responses)",
        f"{here}:9:9: RG100 [note] {host} serves model 'text-embedding-3-large' (embeddings)",
        "4 findings (1 error, 3 notes) in 1 file",
    ]
    # One request, to the endpoint given, with the key of the environment.
    assert stub.paths() == ["/v1/models"]
    assert stub.log[0].headers["authorization"] == f"Bearer {key}"


def test_each_verdict_names_its_stack_region_and_setting(
    stub: OpenAIStub, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """What a JSON or SARIF consumer groups live verdicts by: the stack, its region and the
    model's place under `residency-guard:models`, as static findings carry them."""
    write_project(tmp_path, "prod-eu", PROD_EU)
    code, out, _err = run_cli(
        capsys, "verify", "--stack", "prod-eu", "--project", str(tmp_path),
        "--base-url", stub.base_url, "--format", "json",
    )  # fmt: skip
    assert code == 1
    placed = [(f["rule"], f["stack"], f["region"], f["path"]) for f in json.loads(out)["findings"]]
    models = "config.residency-guard:models"
    assert placed == [
        ("RG100", "prod-eu", "eu", f"{models}.chat[0]"),
        ("RG103", "prod-eu", "eu", f"{models}.chat[1]"),
        ("RG100", "prod-eu", "eu", f"{models}.responses[0]"),
        ("RG100", "prod-eu", "eu", f"{models}.embeddings[0]"),
    ]


def test_probe_sends_one_minimal_request_per_surface(
    stub: OpenAIStub, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, "prod-eu", PROD_EU)
    code, found = verify_json(
        capsys, "--stack", "prod-eu", "--project", str(tmp_path), "--base-url", stub.base_url,
        "--probe",
    )  # fmt: skip
    assert code == 1  # gpt-4o is still not served
    assert [(rule, line) for rule, line, _ in found] == [
        ("RG100", 5), ("RG100", 5), ("RG103", 6), ("RG100", 7), ("RG100", 7), ("RG100", 9),
        ("RG100", 9),
    ]  # fmt: skip
    # files has no probe; the first declared model stands for its surface.
    assert stub.paths() == ["/v1/models", "/v1/chat/completions", "/v1/responses", "/v1/embeddings"]
    chat, responses, embeddings = (entry.body for entry in stub.log[1:])
    assert chat["model"] == "gpt-4.1-2025-04-14"
    assert (chat["max_completion_tokens"], chat["store"]) == (1, False)
    assert (responses["model"], responses["store"], responses["max_output_tokens"]) == (
        "gpt-5-2025-08-07", False, 16,
    )  # fmt: skip
    assert embeddings["model"] == "text-embedding-3-large"


def test_probe_model_not_found_points_at_the_model(
    stub: OpenAIStub, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, "prod-eu", PROD_EU)
    stub.script("/v1/embeddings", Reply.model_not_found("text-embedding-3-large"))
    code, found = verify_json(
        capsys, "--stack", "prod-eu", "--project", str(tmp_path), "--base-url", stub.base_url,
        "--probe",
    )  # fmt: skip
    assert code == 1
    assert ("RG103", 9, f"127.0.0.1:{stub.port}/v1 does not serve model 'text-embedding-3-large': "
            "probe of embeddings with 'text-embedding-3-large' answered 404 model_not_found (The "
            "model `text-embedding-3-large` does not exist or you do not have access to it.)"
            ) in found  # fmt: skip


@pytest.mark.parametrize(
    ("region", "reply", "rule", "says"),
    [
        # A global project's key on a regional host, without per-request residency.
        ("eu", Reply.incorrect_hostname("api.openai.com"), "RG101",
         "refused the key: incorrect_hostname; a key of a global project sent to a regional host"),
        # A key of another region's project.
        ("eu", Reply.incorrect_hostname("us.api.openai.com"), "RG101",
         "refused the key: incorrect_hostname; the key belongs to a project of region us"),
        # A residency project's key on the global host.
        ("global", Reply.incorrect_hostname("us.api.openai.com"), "RG102",
         "(global, no residency) refused the key: incorrect_hostname; the key belongs to a "
         "data-residency project of region us"),
        ("eu", Reply.invalid_key("sk-proj-" + "*" * 20 + CANARY_KEY[-4:]), "RG104",
         "refused the key: 401 invalid_api_key (Incorrect API key provided: sk-...***."),
        ("eu", Reply.forbidden(), "RG104",
         "refused the key: 403 invalid_request_error (You have insufficient permissions"),
        ("eu", Reply.error(404, "Invalid URL (GET /models)", "invalid_request_error", None),
         "RG109", "answered models.list with 404 invalid_request_error (Invalid URL"),
    ],
)  # fmt: skip
def test_each_refusal_is_its_own_rule(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str],
    region: str, reply: Reply, rule: str, says: str,
) -> None:  # fmt: skip
    stub.script("/v1/models", reply)
    code, found = verify_json(
        capsys, "--region", region, "--base-url", stub.base_url, "--model", "gpt-4.1-2025-04-14"
    )
    assert code == 1
    assert len(found) == 1  # nothing is known about the models: no RG100, no RG103
    assert found[0][0] == rule
    assert says in found[0][2]
    assert stub.paths() == ["/v1/models"]  # refusals are not retried


def test_residency_key_on_global_host_names_the_fix(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stub.script("/v1/models", Reply.incorrect_hostname("us.api.openai.com"))
    code, out, _ = run_cli(capsys, "verify", "--region", "global", "--base-url", stub.base_url)
    assert code == 1
    assert out.endswith(
        "(fix: declare region us and send to https://us.api.openai.com/v1)\n"
        "1 finding (1 error) in 1 file\n"
    )


@pytest.mark.parametrize(
    ("reply", "rule", "says"),
    [
        (Reply.rate_limited(), "RG105", "models.list with 429 rate_limit_exceeded after 2 retries"),
        (Reply.server_error(500), "RG106", "models.list with 500 server_error after 2 retries"),
        (Reply.server_error(503), "RG106", "models.list with 503 server_error after 2 retries"),
    ],
)  # fmt: skip
def test_429_and_5xx_fail_after_the_retries(
    stub: OpenAIStub,
    key: str,
    capsys: pytest.CaptureFixture[str],
    reply: Reply,
    rule: str,
    says: str,
) -> None:
    stub.script("/v1/models", reply, reply, reply)
    code, found = verify_json(capsys, *endpoint_args(stub, "--max-retries", "2"))
    assert code == 1
    assert [(r, says in m) for r, _, m in found] == [(rule, True)]
    assert stub.paths() == ["/v1/models"] * 3  # the first try and two retries


@pytest.mark.parametrize("reply", [Reply.rate_limited(), Reply.server_error(502)])
def test_429_and_5xx_then_success_is_served(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str], reply: Reply
) -> None:
    stub.script("/v1/models", reply, reply)
    code, found = verify_json(capsys, *endpoint_args(stub, "--max-retries", "2"))
    assert code == 0
    assert [r for r, _, _ in found] == ["RG100"]
    assert len(stub.log) == 3
    assert [e.headers.get("x-stainless-retry-count") for e in stub.log] == ["0", "1", "2"]


def test_timeout(stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    stub.script("/v1/models", Reply.slow(2.0))
    started = time.monotonic()
    code, found = verify_json(
        capsys, *endpoint_args(stub, "--timeout", "0.5", "--max-retries", "0")
    )
    assert time.monotonic() - started < 2.0
    assert code == 1
    assert found == [("RG107", 0, f"127.0.0.1:{stub.port}/v1 did not answer models.list within "
                      "0.5 s (no retries)")]  # fmt: skip


def test_connection_refused(key: str, closed_port: int, capsys: pytest.CaptureFixture[str]) -> None:
    base_url = f"http://127.0.0.1:{closed_port}/v1"
    code, found = verify_json(
        capsys, "--region", "eu", "--base-url", base_url, "--max-retries", "0"
    )
    assert code == 1
    assert [(r, "refused the connection" in m) for r, _, m in found] == [("RG108", True)]


def test_dns_failure(key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # .invalid never resolves (RFC 6761): the local resolver answers, nothing else is sent.
    overlay = tmp_path / "team.yaml"
    overlay.write_text("gateways:\n  - host: gw.residency-guard.invalid\n    region: eu\n")
    code, found = verify_json(
        capsys, "--region", "eu", "--base-url", "https://gw.residency-guard.invalid/v1",
        "--catalog", str(overlay), "--max-retries", "0",
    )  # fmt: skip
    assert code == 1
    assert [
        (r, m.startswith("cannot resolve gw.residency-guard.invalid (DNS)")) for r, _, m in found
    ] == [("RG108", True)]


def test_redirect_out_of_the_region_is_refused(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    other = OpenAIStub(EU_MODELS).start()
    try:
        # Same machine, another host name: not the endpoint verify was given.
        stub.script("/v1/models", Reply.redirect(f"http://localhost:{other.port}/v1/models"))
        code, found = verify_json(capsys, *endpoint_args(stub))
        assert code == 1
        assert [r for r, _, _ in found] == ["RG109"]
        assert (
            "redirected models.list out of region eu: refused GET http://localhost:" in found[0][2]
        )
        assert other.log == []
    finally:
        other.stop()
    stub.script("/v1/models", Reply.redirect("https://us.api.openai.com/v1/models"))
    _, found = verify_json(capsys, *endpoint_args(stub))
    assert "us.api.openai.com is not a host of region eu; nothing was sent" in found[0][2]


@pytest.mark.parametrize(
    ("base_url", "says"),
    [
        ("https://api.openai.com/v1",
         "api.openai.com is the host of region global, not of region eu; the key is not sent "
         "outside the region; use https://eu.api.openai.com/v1"),
        ("https://us.api.openai.com/v1", "is the host of region us, not of region eu"),
        ("http://eu.api.openai.com/v1",
         "the base URL for eu.api.openai.com is not in the safe form (https, port 443, no "
         "userinfo): plain-http"),
        ("https://eu.api.openai.com:8443/v1", "(https, port 443, no userinfo): port"),
        ("https://api.openai.eu/v1",
         "api.openai.eu is not an OpenAI host; did you mean https://eu.api.openai.com/v1"),
        ("http://localhost:8080/v1", "localhost is neither region eu's host (eu.api.openai.com)"),
        ("eu.api.openai.com", "the base URL eu.api.openai.com has no scheme"),
    ],
)  # fmt: skip
def test_the_key_is_never_sent_outside_the_region(
    key: str, capsys: pytest.CaptureFixture[str], base_url: str, says: str
) -> None:
    code, out, err = run_cli(capsys, "verify", "--region", "eu", "--base-url", base_url)
    assert (code, out) == (2, "")
    assert err.startswith("residency-guard: error: ")
    assert says in err
    assert err.count("\n") == 1


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "junit"])
def test_the_key_never_appears_in_any_output(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    # Worst cases: the server echoes the whole key, a prefix of it, and its own masked form.
    echo = f"Incorrect API key provided: {key}, {key[:20]}***{key[-4:]}, {key[8:30]}"
    stub.script("/v1/models", Reply.error(401, echo, "invalid_request_error", "invalid_api_key"))
    code, out, err = run_cli(capsys, "verify", *endpoint_args(stub), "--format", fmt)
    assert code == 1
    assert "RG104" in out
    assert "CANARY" not in out + err


def test_api_key_env_names_the_variable(
    stub: OpenAIStub, key: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY_EU", "sk-proj-" + "EUKEY" * 8)
    code, _ = verify_json(capsys, *endpoint_args(stub, "--api-key-env", "OPENAI_API_KEY_EU"))
    assert code == 0
    assert stub.log[0].headers["authorization"] == "Bearer sk-proj-" + "EUKEY" * 8


@pytest.mark.parametrize(
    ("argv", "says"),
    [
        (["--api-key-env", "OPENAI_KEY_MISSING"], "OPENAI_KEY_MISSING is not set"),
        (["--api-key-env", CANARY_KEY], "--api-key-env takes the name of an environment variable"),
        (["--max-retries", "-1"], "--max-retries -1 is negative"),
        (["--timeout", "0"], "--timeout 0 is not positive"),
    ],
)
def test_bad_settings_exit_2_before_anything_is_sent(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str], argv: list[str], says: str
) -> None:
    code, out, err = run_cli(capsys, "verify", *endpoint_args(stub, *argv))
    assert (code, out) == (2, "")
    assert says in err
    assert "CANARY" not in err
    assert stub.log == []


def test_stack_region_must_match_region_flag(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, "prod-eu", PROD_EU)
    code, _, err = run_cli(
        capsys, "verify", "--stack", "prod-eu", "--project", str(tmp_path), "--region", "us"
    )
    assert code == 2
    assert "--region us disagrees with stack 'prod-eu', declared eu" in err


def test_unknown_stack_lists_the_known_ones(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_project(tmp_path, "prod-eu", PROD_EU)
    code, _, err = run_cli(capsys, "verify", "--stack", "prod-us", "--project", str(tmp_path))
    assert code == 2
    assert "no stack file for stack 'prod-us'; stacks in this project: prod-eu" in err


def test_explain_finds_the_live_rules(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "explain", "RG101")
    assert code == 0
    assert out.startswith(
        "# RG101 key-refused-for-regional-host: The regional endpoint refuses the key "
        "(incorrect_hostname)\n"
    )


@pytest.mark.parametrize("path", ["/v1/models", "/v1/chat/completions"])
def test_a_web_page_does_not_pass_for_the_api(
    stub: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str], path: str
) -> None:
    stub.script(path, Reply.html())
    code, found = verify_json(capsys, *endpoint_args(stub, "--probe"))
    assert code == 1
    action = "models.list" if path == "/v1/models" else "probe of chat with 'gpt-4.1-2025-04-14'"
    assert (
        "RG109",
        0,
        f"127.0.0.1:{stub.port}/v1 answered {action} with 200 text/html, not OpenAI's JSON",
    ) in found


GATEWAY_STACK = """
config:
  residency-guard:region: eu
  residency-guard:gatewayHost: gw.residency-guard.invalid
  residency-guard:models:
    chat: [gpt-4.1-2025-04-14]
"""


def test_the_stack_gateway_is_the_endpoint(
    key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    stack_file = write_project(tmp_path, "prod-eu", GATEWAY_STACK)
    overlay = tmp_path / "team.yaml"
    overlay.write_text("gateways:\n  - host: gw.residency-guard.invalid\n    region: eu\n")
    argv = ["--stack", "prod-eu", "--project", str(tmp_path), "--max-retries", "0"]
    code, _, err = run_cli(capsys, "verify", *argv)
    assert code == 2  # a gateway the catalog does not bind to eu: the key is not sent there
    assert "gw.residency-guard.invalid is neither region eu's host" in err
    code, out, _ = run_cli(capsys, "verify", *argv, "--catalog", str(overlay))
    assert code == 1
    assert out.startswith(
        f"{stack_file}:2:0: RG108 [error] cannot resolve gw.residency-guard.invalid (DNS)"
    )


def test_keys_beside_config_are_no_declared_models(
    stub: OpenAIStub, key: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`encryptionsalt:` (every passphrase stack file has one) sits beside `config:`: with no
    residency-guard:models, verify has no model to check, never the salt as a model."""
    body = "encryptionsalt: v1:abc=\nconfig:\n  residency-guard:region: eu\n"
    write_project(tmp_path, "prod-eu", body)
    argv = ["--stack", "prod-eu", "--project", str(tmp_path), "--base-url", stub.base_url]
    code, findings = verify_json(capsys, *argv)
    assert [m for _, _, m in findings if "v1:abc=" in m or "encryptionsalt" in m] == []
    assert code == 0
