"""What a setting's name and value say: provider selectors, other providers' models, Azure
deployment settings, empty Azure endpoints, OpenAI web pages (the false-positive classes of
issue 16, each beside the finding that must stay)."""

from __future__ import annotations

import pytest

from tests.core.helpers import FAKE_KEY, rules_of, scan_yaml


def _eu(name: str, value: str) -> list[str]:
    return rules_of(scan_yaml(f"config:\n  residency-guard:region: eu\n  {name}: {value}\n"))


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("app:OPENAI_HOST", "azure"),
        ("app:openaiChatHost", "ollama"),
        ("app:openaiEmbedHost", "openai"),
        ("app:OPENAI_HOST", "azure_custom"),
        ("app:llmProvider", "foundry"),
        ("app:openaiEndpoint", "'Azure'"),
    ],
)
def test_provider_selector_under_an_endpoint_name_is_no_host(name: str, value: str) -> None:
    assert _eu(name, value) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("app:OPENAI_HOST", "openai-proxy", ["RG002", "RG010"]),  # an in-cluster host name
        ("app:OPENAI_BASE_URL", "https://api.openai.com/v1", ["RG001"]),
        ("app:openaiChatHost", "eu.api.openai.com", ["RG010"]),  # a host, without https
    ],
)
def test_hosts_under_the_same_names_stay_findings(
    name: str, value: str, expected: list[str]
) -> None:
    assert _eu(name, value) == expected


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("app:OLLAMA_MODEL", "llama3.1:8b"),
        ("app:OLLAMA_EMBEDDING_MODEL", "nomic-embed-text"),
        ("app:ollamaChatModel", "gpt-oss:20b"),  # OpenAI's open weights, served by Ollama
        ("app:chatModel", "llama3.2"),
        ("app:embeddingModel", "nomic-embed-text:latest"),
        ("app:chatModel", "mistral:7b-instruct"),
        ("app:chatModel", "qwen2.5-7b-instruct-q4_k_m.gguf"),
        ("app:fallbackModel", "claude-3-5-sonnet-20241022"),
        ("app:models", "[phi3, gemma2]"),
    ],
)
def test_other_providers_models_are_not_judged_as_openai_models(name: str, value: str) -> None:
    assert _eu(name, value) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("app:AZURE_OPENAI_CHATGPT_MODEL", "gpt-35-turbo"),
        ("app:azureOpenAiChatModel", "gpt-4o"),
        ("app:AZURE_OPENAI_EMB_MODEL_NAME", "text-embedding-ada-002"),
        ("app:deployments", "[{name: chat, model: gpt-4o-mini, version: '2024-07-18'}]"),
        ("app:azureOpenAi", "{chatModel: gpt-4o}"),
    ],
)
def test_models_under_azure_deployment_settings_are_azures(name: str, value: str) -> None:
    assert _eu(name, value) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("app:chatModel", "gpt-4o", ["RG004"]),  # an alias where the EU lists snapshots
        ("app:OPENAI_MODEL", "gpt-3.5-turbo-instruct", ["RG003"]),
        ("app:chatModel", "ft:gpt-4o-mini-2024-07-18:acme::abc123", []),  # ':' of ft: ids
        ("app:openaiModel", "my-own-model", ["RG003"]),  # unknown stays denied
    ],
)
def test_openai_models_stay_judged(name: str, value: str, expected: list[str]) -> None:
    assert _eu(name, value) == expected


@pytest.mark.parametrize("name", ["app:AZURE_OPENAI_ENDPOINT", "app:azureOpenAiEndpoint"])
def test_empty_azure_endpoint_is_unconfigured(name: str) -> None:
    assert _eu(name, '""') == []


def test_empty_openai_base_url_is_still_the_default_host() -> None:
    # openai-node falls back to api.openai.com on an empty OPENAI_BASE_URL (openai-python 3.57
    # sends nowhere: tests/realworld/test_client_oracle.py); the gate reads the leak.
    assert _eu("app:OPENAI_BASE_URL", '""') == ["RG001"]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("app:openaiKeysPage", "https://platform.openai.com/api-keys"),
        ("app:statusPageUrl", "https://status.openai.com"),
        ("app:helpLink", "https://help.openai.com/en/articles/9824962"),
        ("app:footer", "'Answers by OpenAI (https://openai.com/policies/row-terms-of-use)'"),
        ("app:note", "See platform.openai.com/docs/guides/data-residency first."),
    ],
)
def test_openai_web_pages_outside_endpoint_settings_are_links(name: str, value: str) -> None:
    assert _eu(name, value) == []


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("app:openaiBaseUrl", "https://platform.openai.com/v1", ["RG002"]),
        ("app:OPENAI_BASE_URL", "https://chat.openai.com", ["RG002"]),
        ("app:note", "https://api-eu.openai.com/v1", ["RG002"]),  # a misspelt API host
        ("app:note", "https://platform.openai.com@evil.example/v1", ["RG002", "RG010"]),
        ("app:note", "https://api.openai.com/v1", ["RG001"]),
    ],
)
def test_openai_web_hosts_set_as_endpoints_stay_findings(
    name: str, value: str, expected: list[str]
) -> None:
    assert _eu(name, value) == expected


def test_a_resource_named_like_a_deployment_keeps_its_models_judged() -> None:
    from residency_guard.api import check_resource, stack_context
    from residency_guard.stackregion import Declaration, RegionSource

    ctx = stack_context("prod-eu", [Declaration("eu", RegionSource.STACK_CONFIG, "test")])
    env = [{"name": "OPENAI_MODEL", "value": "gpt-4o"},
           {"name": "OPENAI_BASE_URL", "value": "https://eu.api.openai.com/v1"}]  # fmt: skip
    props = {"spec": {"template": {"spec": {"containers": [{"name": "api", "env": env}]}}}}
    for name in ("api-deployment", "llama-gateway", "chat"):
        found = check_resource("kubernetes:apps/v1:Deployment", name, props, ctx)
        assert sorted({f.rule for f in found}) == ["RG004"], name


@pytest.mark.parametrize(
    ("surface_key", "expected"),
    [("chat", []), ("audio", ["RG003"]), ("transcription", ["RG003"]), ("embedding", ["RG003"])],
)
def test_a_key_above_a_model_names_its_surface(surface_key: str, expected: list[str]) -> None:
    """`openai: {audio: {model: x}}`: the nearest key that names a surface decides where the
    model is judged, though the model's own key (`model`) names none."""
    body = f"  app:openai:\n    {surface_key}:\n      model: gpt-4-turbo-2024-04-09\n"
    findings = scan_yaml(f"config:\n  residency-guard:region: eu\n{body}")
    assert rules_of(findings) == expected
    surface = {"audio": "audio", "transcription": "audio", "embedding": "embeddings"}
    if expected:
        assert f"not eligible for {surface[surface_key]} in Europe" in findings[0].message


def test_a_surface_list_is_the_list_right_under_surfaces() -> None:
    """`surfaces: [realtime]` lists surfaces; a mapping of lists below (`surfaces: {sidebar:
    [realtime]}`, an app's own layout) does not."""
    jp = "config:\n  residency-guard:region: jp\n"
    assert rules_of(scan_yaml(jp + "  app:surfaces: [realtime]\n", stack="prod-jp")) == ["RG005"]
    assert rules_of(scan_yaml(jp + "  app:surfaces:\n    sidebar: [realtime]\n", "prod-jp")) == []


def test_models_listed_per_surface_under_a_models_key_are_judged() -> None:
    # `models: {chat: [x]}`: the name (`chat`) says nothing, the key above it does.
    assert _eu("app:models", "{chat: [gpt-4o]}") == ["RG004"]
    assert _eu("app:models", "{chat: [gpt-4o-2024-08-06]}") == []


def test_a_base64_model_is_judged_by_its_decoded_text_only() -> None:
    """A Kubernetes Secret's data: the decoded model is judged, not its base64 text (which
    would be an unknown model, RG003)."""
    import base64

    def secret(model: str) -> str:
        encoded = base64.b64encode(model.encode()).decode()
        return f"  app:secret:\n    kind: Secret\n    data:\n      OPENAI_MODEL: {encoded}\n"

    eu = "config:\n  residency-guard:region: eu\n"
    assert rules_of(scan_yaml(eu + secret("gpt-4.1-2025-04-14"))) == []  # no '=' padding
    assert rules_of(scan_yaml(eu + secret("gpt-4o"))) == ["RG004"]


@pytest.mark.parametrize("pick", ["openai", "\"'openai'\""])
def test_a_quoted_provider_pick_beside_a_key_still_leaves_the_key_without_a_base_url(
    pick: str,
) -> None:
    """`OPENAI_HOST: 'openai'` picks the default backend (no URL): the key beside it still
    goes to the global host (RG018), however the pick is quoted."""
    body = (
        f"  app:env:\n    - name: OPENAI_API_KEY\n      value: {FAKE_KEY}\n"
        f"    - name: OPENAI_HOST\n      value: {pick}\n"
    )
    assert rules_of(scan_yaml("config:\n  residency-guard:region: eu\n" + body)) == [
        "RG007", "RG018",
    ]  # fmt: skip


def test_a_value_with_several_facets_is_read_by_every_rule() -> None:
    """OPENAI_API_BASE (an env var current SDKs ignore: RG006) set to the global host names
    it too (RG001); a script that holds a key and the global base URL is both RG007's and
    RG001's."""
    eu = "config:\n  residency-guard:region: eu\n"
    env = "  app:env:\n    - name: OPENAI_API_BASE\n      value: https://api.openai.com/v1\n"
    assert rules_of(scan_yaml(eu + env)) == ["RG001", "RG006"]
    line = f"export OPENAI_API_KEY={FAKE_KEY} OPENAI_BASE_URL=https://api.openai.com/v1"
    script = f'  app:startupScript: "{line}"\n'
    assert rules_of(scan_yaml(eu + script)) == ["RG001", "RG007"]
