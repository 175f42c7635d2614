"""Each rule: a stack that breaks it and the same stack fixed."""

from __future__ import annotations

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.repoconfig import RepoConfig, Unresolved
from residency_guard.rules import RULES
from tests.core.helpers import FAKE_KEY, rules_of, scan_yaml, stack

EU_URL = "https://eu.api.openai.com/v1"

# (rule, a stack file that breaks it, the same stack fixed)
CASES = [
    ("RG001", stack("eu", app__url="https://api.openai.com/v1"), stack("eu", app__url=EU_URL)),
    ("RG001", stack("eu", app__url="https://us.api.openai.com/v1"), stack("eu", app__url=EU_URL)),
    ("RG001", stack("us", app__url="https://api.openai.com/v1"),
     stack("us", app__url="https://us.api.openai.com/v1")),
    ("RG002", stack("eu", app__url="https://api.openai.eu/v1"), stack("eu", app__url=EU_URL)),
    ("RG002", stack("eu", app__url="https://eu.api.openai.com.attacker.io/v1"),
     stack("eu", app__url=EU_URL)),
    ("RG002", stack("eu", app__openaiBaseUrl="https://llm-proxy.internal/v1"),
     stack("eu", app__openaiBaseUrl=EU_URL)),
    ("RG003", stack("gb", app__realtimeModel="gpt-realtime"),
     stack("eu", app__realtimeModel="gpt-realtime")),
    ("RG003", stack("eu", app__chatModel="gpt-unknown-9"),
     stack("eu", app__chatModel="gpt-4.1-2025-04-14")),
    ("RG004", stack("eu", app__chatModel="gpt-4o"), stack("eu", app__chatModel="gpt-4o-2024-11-20")),
    ("RG005", stack("eu", **{"residency-guard__surfaces": "[chat, assistants]"}),
     stack("eu", **{"residency-guard__surfaces": "[chat, responses]"})),
    ("RG005", stack("eu", app__url="https://eu.api.openai.com/v1/assistants"),
     stack("eu", app__url="https://eu.api.openai.com/v1/responses")),
    ("RG005", stack("jp", **{"residency-guard__surfaces": "[realtime]"}),
     stack("jp", **{"residency-guard__surfaces": "[chat]"})),
    ("RG006", stack("eu", OPENAI_API_BASE=EU_URL), stack("eu", OPENAI_BASE_URL=EU_URL)),
    ("RG007", stack("eu", app__key=FAKE_KEY), stack("eu", app__key="{secure: v1:abc}")),
    ("RG008", stack(None, app__url=EU_URL), stack("eu", app__url=EU_URL)),
    ("RG010", stack("eu", app__url="http://eu.api.openai.com/v1"), stack("eu", app__url=EU_URL)),
    ("RG010", stack("eu", app__url="https://eu.api.openai.com:8443/v1"),
     stack("eu", app__url=EU_URL)),
    ("RG010", stack("eu", OPENAI_BASE_URL="eu.api.openai.com"), stack("eu", OPENAI_BASE_URL=EU_URL)),
    ("RG011", stack("eu", OPENAI_BASE_URL="'https://${OPENAI_HOST}/v1'"),
     stack("eu", OPENAI_BASE_URL=EU_URL)),
    ("RG011", stack("eu", app__openaiBaseUrl="{secure: v1:abc}"),
     stack("eu", app__openaiBaseUrl=EU_URL)),
    ("RG015", "config:\n  residency-guard:region: eu\n  a:url: https://eu.api.openai.com/v1\n"
     "  a:url: https://eu.api.openai.com/v1\n", stack("eu", a__url=EU_URL)),
    ("RG017", stack("europe"), stack("eu")),
    ("RG019", stack("ae", app__chatModel="gpt-4.1-2025-04-14"),
     stack("ae", app__chatModel="gpt-5.5-2026-04-23")),
    ("RG021", "environment: [shop/prod-eu]\n" + stack("eu"), stack("eu")),
    ("RG018", stack("eu", app__env="{OPENAI_API_KEY: {secure: v1:abc}}"),
     stack("eu", app__env="{OPENAI_API_KEY: {secure: v1:abc}, "
                          "OPENAI_BASE_URL: 'https://eu.api.openai.com/v1'}")),
    ("RG020", stack("eu", OPENAI_BASE_URL=EU_URL, OPENAI_API_TYPE="amazon-bedrock",
                    AWS_REGION="us-east-1"), stack("eu", OPENAI_BASE_URL=EU_URL)),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "bad", "good"), CASES)
def test_rule_fails_the_bad_stack_and_passes_the_fixed_one(rule: str, bad: str, good: str) -> None:
    assert rule in rules_of(scan_yaml(bad))
    assert rule not in rules_of(scan_yaml(good))


def test_every_rule_has_a_case() -> None:
    covered = {case[0] for case in CASES} | {"RG009", "RG012", "RG013", "RG014", "RG016"}
    assert set(RULES) <= covered


def test_region_conflict_between_stack_file_and_repo_mapping() -> None:
    repo = RepoConfig(stacks=(("prod-eu-*", "eu", 2),))
    findings = scan_yaml(stack("us"), stack="prod-eu-1", repo=repo)
    (conflict,) = [f for f in findings if f.rule == "RG009"]
    assert "stack config says 'us'" in conflict.message
    assert "residency-guard.yaml says 'eu'" in conflict.message
    assert rules_of(scan_yaml(stack("eu"), stack="prod-eu-1", repo=repo)) == []


def test_repo_mapping_alone_declares_the_region() -> None:
    repo = RepoConfig(stacks=(("prod-eu-*", "eu", 2),))
    findings = scan_yaml(stack(None, app__url="https://api.openai.com/v1"), "prod-eu-2", repo)
    assert rules_of(findings) == ["RG001"]


def test_unresolved_warn_downgrades_to_a_warning() -> None:
    repo = RepoConfig(unresolved=Unresolved.WARN)
    (finding,) = scan_yaml(stack("eu", OPENAI_BASE_URL="'${HOST}'"), repo=repo)
    assert (finding.rule, finding.severity.value) == ("RG011", "warning")


def test_global_stack_may_use_the_global_host_and_any_model() -> None:
    text = stack("global", app__url="https://api.openai.com/v1", app__chatModel="gpt-4o")
    assert scan_yaml(text) == []


def test_message_names_region_host_and_fix() -> None:
    (finding,) = scan_yaml(stack("eu", app__url="https://api.openai.com/v1"))
    assert finding.message == "EU stack 'prod-eu' sends to api.openai.com (global, no residency)"
    assert finding.fix == "use https://eu.api.openai.com/v1"
    assert (finding.line, finding.column) == (3, 12)


def test_alias_fix_names_the_snapshot() -> None:
    (finding,) = scan_yaml(stack("eu", app__chatModel="gpt-4o"))
    assert finding.fix == "pin gpt-4o-2024-11-20 instead of the alias gpt-4o"


def test_plaintext_key_is_redacted_in_the_finding() -> None:
    (finding,) = scan_yaml(stack("eu", app__key=FAKE_KEY))
    assert FAKE_KEY not in finding.message + finding.fix
    assert "sk-...WXYZ" in finding.message


def test_kubernetes_style_env_entry_is_read_by_its_name() -> None:
    text = """\
    config:
      residency-guard:region: eu
      app:env:
        - name: OPENAI_API_BASE
          value: https://eu.api.openai.com/v1
    """
    (finding,) = scan_yaml(text)
    assert (finding.rule, finding.line) == ("RG006", 5)


def test_nested_json_and_base64_values_are_decoded() -> None:
    text = """\
    config:
      residency-guard:region: eu
      app:ecs: '[{"environment":[{"name":"OPENAI_BASE_URL","value":"https://us.api.openai.com/v1"}]}]'
      app:b64: aHR0cHM6Ly9hcGkub3BlbmFpLmNvbS92MQ==
    """
    findings = scan_yaml(text)
    assert [(f.rule, f.line) for f in findings] == [("RG001", 3), ("RG001", 4)]


def test_merge_keys_follow_the_engine_first_source_wins() -> None:
    text = """\
    common_eu: &eu {app:url: "https://eu.api.openai.com/v1"}
    common_us: &us {app:url: "https://us.api.openai.com/v1"}
    config:
      residency-guard:region: eu
      <<: [*eu, *us]
    """
    findings = scan_yaml(text)
    # The engine reads eu (first source); PyYAML 6.0.4 would read us: that disagreement is RG015.
    assert "RG015" in rules_of(findings)


@pytest.mark.parametrize("region", sorted(shipped_catalog().regions))
def test_each_region_accepts_its_own_host(region: str) -> None:
    host = shipped_catalog().region(region).host
    assert scan_yaml(stack(region, app__url=f"https://{host}/v1")) == []


@pytest.mark.parametrize(
    "region", sorted(r.id for r in shipped_catalog().regions.values() if r.residency)
)
def test_each_residency_region_refuses_the_global_host(region: str) -> None:
    findings = scan_yaml(stack(region, app__url="https://api.openai.com/v1"))
    assert rules_of(findings) == ["RG001"]


def test_an_encrypted_base_url_does_not_hide_an_empty_one() -> None:
    text = "config:\n  residency-guard:region: eu\n  a:openaiBaseUrl: {secure: v1:abc}\n  OPENAI_BASE_URL: ''\n"
    findings = scan_yaml(text)
    assert ("RG001", 4) in [(f.rule, f.line) for f in findings]
    assert ("RG001", 3) not in [(f.rule, f.line) for f in findings]


@pytest.mark.parametrize(
    "text",
    [
        "encryptionsalt: v1:abc=\nresidency-guard:region: eu\n",  # no config: at all
        "residency-guard:region: eu\nconfig:\n  app:url: https://eu.api.openai.com/v1\n",
    ],
    ids=["no-config", "beside-config"],
)
def test_a_region_key_beside_config_declares_nothing(text: str) -> None:
    # `pulumi config get residency-guard:region` (engine 3.274): "configuration key ... not
    # found" for both files; only keys under `config:` are stack config.
    assert "RG008" in rules_of(scan_yaml(text))
