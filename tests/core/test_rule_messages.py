"""What a user reads: each rule's message and fix, word for word, where they are the rule's own
text. (Lists the catalog fills in, such as covered surfaces or eligible models, are checked by
their frame: the catalog changes, the rule's wording should not silently.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.findings import Severity
from residency_guard.repoconfig import RepoConfig
from residency_guard.rules import RULES, Rule, get_rule
from residency_guard.rules.base import build_registry
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from tests.core.helpers import FAKE_KEY, scan_yaml, stack

EU_URL = "https://eu.api.openai.com/v1"

# (rule, stack file, message, fix)
MESSAGES = [
    ("RG001", stack("eu", app__url="https://us.api.openai.com/v1"),
     "EU stack 'prod-eu' sends to us.api.openai.com (United States)",
     "use https://eu.api.openai.com/v1"),
    ("RG002", stack("eu", app__url="https://api.openai.eu/v1"),
     "api.openai.eu is not an OpenAI API host; did you mean eu.api.openai.com?",
     "use https://eu.api.openai.com/v1"),
    ("RG002", stack("eu", app__url="https://eu.api.openai.com.attacker.io/v1"),
     "eu.api.openai.com.attacker.io looks like an OpenAI host but is not one",
     "use https://eu.api.openai.com/v1"),
    ("RG002", stack("eu", app__openaiBaseUrl="https://llm-proxy.internal/v1"),
     "EU stack 'prod-eu' sends OpenAI traffic to llm-proxy.internal, which is neither an OpenAI "
     "host nor a gateway of the team catalog",
     "use https://eu.api.openai.com/v1, or add llm-proxy.internal as a gateway bound to 'eu' in "
     "a team catalog"),
    ("RG004", stack("eu", app__chatModel="gpt-4o"),
     "EU stack 'prod-eu' uses the alias 'gpt-4o'; Europe (EEA + Switzerland) lists only dated "
     "snapshots for chat",
     "pin gpt-4o-2024-11-20 instead of the alias gpt-4o"),
    ("RG006", stack("eu", OPENAI_API_BASE=EU_URL),
     "OPENAI_API_BASE is ignored by openai>=1, which then sends to the global host api.openai.com",
     "rename it to OPENAI_BASE_URL (value https://eu.api.openai.com/v1)"),
    ("RG007", stack("eu", app__key=FAKE_KEY),
     "plaintext OpenAI API key sk-...WXYZ in 'app:key'",
     "store it as a secret: pulumi config set --secret app:key"),
    ("RG008", stack(None, app__url=EU_URL),
     "stack 'prod-eu' declares no region",
     "add `residency-guard:region: <region>` to its config (use `global` where no residency is "
     "needed), or map the stack name in residency-guard.yaml"),
    ("RG010", stack("eu", app__url="http://eu.api.openai.com/v1"),
     "EU stack 'prod-eu' endpoint 'http://eu.api.openai.com/v1' reaches eu.api.openai.com in an "
     "unsafe form (plain-http)",
     "write it exactly as https://eu.api.openai.com/v1"),
    ("RG011", stack("eu", OPENAI_BASE_URL="'https://${OPENAI_HOST}/v1'"),
     "EU stack 'prod-eu': the OpenAI endpoint 'OPENAI_BASE_URL' is interpolated "
     "('https://${OPENAI_HOST}/v1'), so only the workload sees its value",
     "set it to the literal https://eu.api.openai.com/v1, or set `unresolved: warn` in "
     "residency-guard.yaml"),
    ("RG011", stack("eu", app__openaiBaseUrl="{secure: v1:abc}"),
     "EU stack 'prod-eu': the OpenAI endpoint 'app:openaiBaseUrl' is encrypted, so it cannot be "
     "checked before it is used",
     "set it to the literal https://eu.api.openai.com/v1, or set `unresolved: warn` in "
     "residency-guard.yaml"),
    ("RG015", "config:\n  residency-guard:region: eu\n  a:url: " + EU_URL + "\n  a:url: " + EU_URL
     + "\n",
     "duplicate key 'a:url' (first at line 3): the Pulumi engine refuses the file, PyYAML-based "
     "tools silently keep the last",
     "keep one 'a:url'"),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "message", "fix"), MESSAGES)
def test_message_and_fix_read_as_written(rule: str, text: str, message: str, fix: str) -> None:
    found = [(f.message, f.fix) for f in scan_yaml(text) if f.rule == rule]
    assert found == [(message, fix)]


# (rule, stack file, message, the fix's own words before and after the catalog's list)
FRAMED = [
    ("RG003", stack("eu", app__chatModel="gpt-unknown-9"),
     "EU stack 'prod-eu' uses model 'gpt-unknown-9', which the catalog does not know; unknown "
     "models are denied",
     "use one of: ", " (or update the catalog if OpenAI lists it for the region)"),
    ("RG005", stack("eu", **{"residency-guard__surfaces": "[chat, assistants]"}),
     "EU stack 'prod-eu' uses Assistants (assistants), which Europe (EEA + Switzerland) does not "
     "cover",
     "drop assistants; covered in eu: ", ""),
    ("RG017", stack("europe"),
     "stack 'prod-eu' declares the unknown region 'europe' (stack config, "
     "stacks/Pulumi.prod-eu.yaml:2); nothing is allowed",
     "use one of: global, ", ""),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "message", "before", "after"), FRAMED)
def test_message_and_the_frame_of_a_listed_fix(
    rule: str, text: str, message: str, before: str, after: str
) -> None:
    (finding,) = [f for f in scan_yaml(text) if f.rule == rule]
    assert finding.message == message
    assert finding.fix.startswith(before) and finding.fix.endswith(after)
    listed = finding.fix.removeprefix(before).removesuffix(after).split(", ")
    assert len(listed) >= 2 and all(item and " " not in item for item in listed), finding.fix


def test_a_key_in_a_resource_input_is_told_to_be_a_pulumi_secret(tmp_path: Path) -> None:
    data = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{
            "op": "create", "urn": "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn",
            "newState": {"type": "aws:lambda/function:Function", "inputs": {"key": FAKE_KEY}},
        }],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    (finding,) = scan_pulumi_json(path, shipped_catalog(), RepoConfig()).findings
    assert (finding.rule, finding.message, finding.fix) == (
        "RG007", "plaintext OpenAI API key sk-...WXYZ in 'key'",
        "pass it as a secret: read it with config.require_secret(...) or wrap it in "
        "pulumi.Output.secret(...)",
    )  # fmt: skip


def test_the_legacy_variable_in_a_global_stack_is_a_warning_with_no_regional_url() -> None:
    (finding,) = scan_yaml(stack("global", OPENAI_API_BASE="https://api.openai.com/v1"))
    assert (finding.rule, finding.severity) == ("RG006", Severity.WARNING)
    assert finding.fix == "rename it to OPENAI_BASE_URL (value the endpoint)"
    (regional,) = scan_yaml(stack("eu", OPENAI_API_BASE=EU_URL))
    assert regional.severity is Severity.ERROR


# -- the registry ---------------------------------------------------------------------------------


def test_the_registry_holds_one_rule_per_id_in_id_order() -> None:
    assert list(RULES) == sorted(RULES)
    assert all(rule.id == rule_id for rule_id, rule in RULES.items())
    with pytest.raises(TypeError):
        RULES["RG999"] = RULES["RG001"]  # type: ignore[index]


def test_a_second_rule_under_one_id_is_refused() -> None:
    class Twin(Rule):
        id = "RG001"

    with pytest.raises(RuntimeError, match="duplicate rule id RG001: Twin"):
        build_registry([type(RULES["RG001"]), Twin])


@pytest.mark.parametrize("rule_id", ["RG001", "rg001"])
def test_a_rule_is_found_by_its_id_in_any_case(rule_id: str) -> None:
    assert get_rule(rule_id) is RULES["RG001"]


def test_a_live_rule_is_found_too_and_an_unknown_id_is_none() -> None:
    live = get_rule("RG101")
    assert live is not None and live.id == "RG101"
    assert get_rule("RG999") is None


def test_a_rules_summary_is_its_first_paragraph_on_one_line() -> None:
    assert RULES["RG006"].summary() == (
        "Finds `OPENAI_API_BASE` set anywhere: a config key, an env var of a container, a dotenv "
        "file."
    )
