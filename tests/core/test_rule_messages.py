"""What a user reads: each rule's message and fix, word for word, where they are the rule's own
text. (Lists the catalog fills in, such as covered surfaces or eligible models, are checked by
their frame: the catalog changes, the rule's wording should not silently.)"""

from __future__ import annotations

import datetime
import json
import re
from pathlib import Path

import pytest

from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.findings import Severity
from residency_guard.repoconfig import RepoConfig, Unresolved
from residency_guard.rules import RULES, Rule, get_rule
from residency_guard.rules.base import build_registry, quote
from residency_guard.scan import scan_paths
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from residency_guard.scanners.stackfile import scan_stack_file
from residency_guard.values import UNKNOWN_SENTINEL
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
    # A region in the global host's path (third-party guides): the openai client sends to
    # api.openai.com/eu/chat/completions; the host is OpenAI's, so "not an OpenAI host" misled.
    ("RG002", stack("eu", app__url="https://api.openai.com/eu"),
     "'https://api.openai.com/eu' writes a region in the path, which selects none: "
     "api.openai.com is the global host (no residency); did you mean eu.api.openai.com?",
     "use https://eu.api.openai.com/v1"),
    ("RG002", stack("eu", app__url="https://api.openai.com/us/v1"),
     "'https://api.openai.com/us/v1' writes a region in the path, which selects none: "
     "api.openai.com is the global host (no residency); did you mean us.api.openai.com?",
     "use https://eu.api.openai.com/v1"),
    ("RG002", stack(None, app__url="https://api.openai.com/jp"),
     "'https://api.openai.com/jp' writes a region in the path, which selects none: "
     "api.openai.com is the global host (no residency); did you mean jp.api.openai.com?",
     "use https://jp.api.openai.com/v1"),
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
    assert len(listed) >= 2 and all(re.fullmatch(r"[a-z0-9][a-z0-9._-]*", i) for i in listed), (
        finding.fix
    )


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


def test_a_key_in_an_esc_definition_is_told_to_be_set_with_esc(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    definition = tmp_path / "esc" / "shop" / "prod-eu.yaml"
    definition.parent.mkdir(parents=True)
    definition.write_text(
        f"values:\n  environmentVariables:\n    BACKUP_KEY:\n      fn::secret: {FAKE_KEY}\n",
        encoding="utf-8",
    )
    found = sorted((f.message, f.fix) for f in scan_paths([tmp_path]).findings if f.rule == "RG007")
    assert found == [
        ("plaintext OpenAI API key sk-...WXYZ in 'BACKUP_KEY'",
         "keep only its ciphertext in the repository: set it with `esc env set <env> "
         "environmentVariables.BACKUP_KEY --secret` and export the definition without "
         "--show-secrets"),
    ]  # fmt: skip


# (rule, stack file, line, column): a finding points at the value a user must change
LOCATED = [
    ("RG001", stack("eu", app__url="https://us.api.openai.com/v1"), 3, 12),
    ("RG003", stack("eu", app__embeddingModel="gpt-4.1-2025-04-14"), 3, 23),
    ("RG004", stack("eu", app__chatModel="gpt-4o"), 3, 18),
    ("RG005", stack("eu", app__url="https://eu.api.openai.com/v1/assistants"), 3, 12),
    ("RG005", stack("eu", app__url="https://eu.api.openai.com/v1/unknownthing"), 3, 12),
    ("RG006", stack("eu", OPENAI_API_BASE=EU_URL), 3, 20),
    ("RG007", stack("eu", app__key=FAKE_KEY), 3, 12),
    ("RG002", stack("eu", app__url="https://api.openai.com/eu"), 3, 12),
    ("RG002", stack("eu", app__url="https://api.openai.eu/v1"), 3, 12),
    ("RG002", stack("eu", app__url="https://eu.api.openai.com.attacker.io/v1"), 3, 12),
    ("RG010", stack("eu", app__url="http://eu.api.openai.com/v1"), 3, 12),
    ("RG011", stack("eu", OPENAI_BASE_URL="'https://${OPENAI_HOST}/v1'"), 3, 20),
]  # fmt: skip


@pytest.mark.parametrize(("rule", "text", "line", "column"), LOCATED)
def test_a_finding_points_at_the_value(rule: str, text: str, line: int, column: int) -> None:
    found = [(f.line, f.column, f.severity) for f in scan_yaml(text) if f.rule == rule]
    assert found == [(line, column, Severity.ERROR)]


def test_a_model_is_judged_on_the_surface_its_key_names() -> None:
    """`embeddingModel` names embeddings: a chat model there is not eligible, an alias there
    has no snapshot to pin."""
    (wrong,) = scan_yaml(stack("eu", app__embeddingModel="gpt-4.1-2025-04-14"))
    assert wrong.message == (
        "EU stack 'prod-eu' uses model 'gpt-4.1-2025-04-14', not eligible for embeddings in "
        "Europe (EEA + Switzerland)"
    )
    assert wrong.fix.startswith("use one of: text-embedding-")
    (alias,) = scan_yaml(stack("eu", app__embeddingModel="gpt-4o"))
    assert (alias.rule, alias.fix) == (
        "RG004",
        "pin a dated snapshot eligible for embeddings in eu",
    )


@pytest.mark.parametrize("key", ["app__chatModel", "app__embeddingModel", "OPENAI_MODEL"])
def test_an_encrypted_model_is_no_model_finding(key: str) -> None:
    assert scan_yaml(stack("eu", **{key: "{secure: v1:abc}"})) == []


def test_an_unknown_api_path_says_how_to_refresh_the_catalog() -> None:
    (finding,) = scan_yaml(stack("eu", app__url="https://eu.api.openai.com/v1/unknownthing"))
    assert finding.message == (
        "EU stack 'prod-eu' reaches the API path '/v1/unknownthing', which no residency table "
        "lists; unknown API paths are denied"
    )
    assert finding.fix == (
        "use an endpoint the catalog lists for eu (`residency-guard catalog --region eu`); if "
        "OpenAI's tables now list it, refresh the catalog (`residency-guard catalog import`)"
    )


def test_a_banned_model_names_the_teams_reason(tmp_path: Path) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text(
        'banned_models:\n  gpt-4.1-2025-04-14: "too costly for our evals"\n', encoding="utf-8"
    )
    catalog = load_catalog([overlay])
    scan = scan_stack_file(
        Path("stacks/Pulumi.prod-eu.yaml"), catalog, RepoConfig(),
        text=stack("eu", app__chatModel="gpt-4.1-2025-04-14"),
    )  # fmt: skip
    found = [(f.rule, f.fix, f.line, f.column) for f in scan.findings if f.rule == "RG014"]
    assert found == [("RG014", "pick a model the team catalog allows", 3, 18)]
    assert "too costly for our evals" in scan.findings[0].message


@pytest.mark.parametrize(("base", "how"), [(None, "no"), ("''", "an empty")])
def test_a_key_without_a_base_url_says_which(base: str | None, how: str) -> None:
    env = "{OPENAI_API_KEY: {secure: v1:abc}" + (f", OPENAI_BASE_URL: {base}" if base else "") + "}"
    found = [f for f in scan_yaml(stack("eu", app__env=env)) if f.rule == "RG018"]
    assert [(f.message, f.fix) for f in found] == [(
        f"EU stack 'prod-eu' delivers OPENAI_API_KEY with {how} OPENAI_BASE_URL: the openai "
        "client then sends to api.openai.com (global, no residency)",
        "set OPENAI_BASE_URL=https://eu.api.openai.com/v1 beside the key",
    )]  # fmt: skip


def test_a_registry_holds_an_instance_of_each_class_by_id() -> None:
    first, second = type(RULES["RG002"]), type(RULES["RG001"])
    built = build_registry([first, second])
    assert list(built) == ["RG001", "RG002"]
    assert isinstance(built["RG001"], second) and isinstance(built["RG002"], first)


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("https://api.openai.com/v1", "https://api.openai.com/v1"),
        ("a\n  b\t c", "a b c"),  # one line
        ("x" * 80, "x" * 80),  # up to the limit as written
        ("x" * 81, "x" * 77 + "..."),  # then cut to the limit, "..." included
        (f"key {FAKE_KEY}", "key sk-...WXYZ"),  # redacted first
    ],
)
def test_a_quoted_value_is_one_redacted_line_of_at_most_80_characters(
    text: str, quoted: str
) -> None:
    assert quote(text) == quoted


def test_an_invalid_suppression_is_an_error_at_its_comment_of_that_stack(tmp_path: Path) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: p\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "config:\n  residency-guard:region: eu\n  # residency-guard: ignore RG001\n"
        "  app:url: https://api.openai.com/v1\n",
        encoding="utf-8",
    )
    run = scan_paths([tmp_path], today=datetime.date(2026, 11, 1))
    (invalid,) = [f for f in run.findings if f.rule == "RG016"]
    assert (invalid.severity, invalid.line, invalid.column) == (Severity.ERROR, 3, 3)
    assert (invalid.stack, invalid.region) == ("prod-eu", "eu")
    assert (invalid.message, invalid.fix) == (
        "suppression of RG001 gives no reason", 'say why it is accepted: reason="..."'
    )  # fmt: skip


def test_a_key_under_no_name_is_in_a_value() -> None:
    text = f"config:\n  residency-guard:region: eu\n  '': {FAKE_KEY}\n"
    assert [f.message for f in scan_yaml(text)] == [
        "plaintext OpenAI API key sk-...WXYZ in a value"
    ]


def test_a_resource_input_named_like_an_esc_section_is_no_esc_definition(tmp_path: Path) -> None:
    inputs = {"environmentVariables": {"OPENAI_API_KEY": FAKE_KEY}}
    data = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{
            "op": "create", "urn": "urn:pulumi:prod-eu::shop::azure-native:app:Job::job",
            "newState": {"type": "azure-native:app:Job", "inputs": inputs},
        }],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    findings = scan_pulumi_json(path, shipped_catalog(), RepoConfig()).findings
    (finding,) = [f for f in findings if f.rule == "RG007"]
    assert finding.fix.startswith("pass it as a secret: ")


def test_a_model_known_only_at_up_is_no_model_finding(tmp_path: Path) -> None:
    env = {"variables": {"OPENAI_MODEL": UNKNOWN_SENTINEL, "CHAT_MODEL": UNKNOWN_SENTINEL}}
    data = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{
            "op": "create", "urn": "urn:pulumi:prod-eu::shop::aws:lambda/function:Function::fn",
            "newState": {"type": "aws:lambda/function:Function", "inputs": {"environment": env}},
        }],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    findings = scan_pulumi_json(path, shipped_catalog(), RepoConfig()).findings
    assert [f.rule for f in findings if f.rule in ("RG003", "RG004", "RG014")] == []


def esc_project(folder: Path, config: str | None) -> Path:
    (folder / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (folder / "Pulumi.prod-eu.yaml").write_text(
        "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    if config is not None:
        (folder / "residency-guard.yaml").write_text(config, encoding="utf-8")
    return folder


def test_a_missing_esc_environment_says_how_to_export_it(tmp_path: Path) -> None:
    (missing,) = scan_paths([esc_project(tmp_path, None)]).findings
    assert (missing.rule, missing.severity, missing.line, missing.column) == (
        "RG021", Severity.ERROR, 2, 1,
    )  # fmt: skip
    assert missing.file == str(tmp_path / "Pulumi.prod-eu.yaml")
    assert missing.message == (
        "EU stack 'prod-eu' imports the ESC environment 'shop/prod-eu', which is not in the "
        "scanned input, so its values cannot be checked"
    )
    assert missing.fix == (
        "export it: esc env get shop/prod-eu --definition > esc/shop/prod-eu.yaml (or set "
        "`esc:` in residency-guard.yaml to the folder that holds it)"
    )


def test_a_missing_esc_environment_names_the_file_looked_for_and_obeys_unresolved(
    tmp_path: Path,
) -> None:
    (missing,) = scan_paths([esc_project(tmp_path, "esc: envs\nunresolved: warn\n")]).findings
    expected = tmp_path / "envs" / "shop" / "prod-eu.yaml"
    assert missing.severity is Severity.WARNING
    assert f"not in the scanned input (looked for {expected}), so" in missing.message
    assert missing.fix.startswith(f"export it: esc env get shop/prod-eu --definition > {expected} ")
    (tmp_path / "residency-guard.yaml").write_text("unresolved: allow\n", encoding="utf-8")
    assert scan_paths([tmp_path]).findings == []


def test_a_gateway_of_another_region_is_rg001_through_a_team_gateway(tmp_path: Path) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text("gateways:\n  - host: us-gw.internal\n    region: us\n", encoding="utf-8")
    scan = scan_stack_file(
        Path("stacks/Pulumi.prod-eu.yaml"), load_catalog([overlay]), RepoConfig(),
        text=stack("eu", app__openaiBaseUrl="https://us-gw.internal/v1"),
    )  # fmt: skip
    assert [(f.rule, f.message) for f in scan.findings] == [
        ("RG001", "EU stack 'prod-eu' sends to us-gw.internal (United States) through a team gateway"),
    ]  # fmt: skip


def test_an_unknown_surface_name_lists_the_known_ones() -> None:
    (finding,) = scan_yaml(stack("eu", **{"residency-guard__surfaces": "[chat, teleport]"}))
    assert (finding.rule, finding.line, finding.column) == ("RG005", 3, 36)
    assert finding.message == "EU stack 'prod-eu' lists the unknown API surface 'teleport'"
    known = finding.fix.removeprefix("use one of: ").split(", ")
    assert finding.fix.startswith("use one of: ") and {"chat", "fine_tuning"} <= set(known)
    assert known == sorted(known)


@pytest.mark.parametrize(
    "surfaces", ["[fine-tuning, chat]", '\'["fine_tuning", "chat"]\'', "[Fine-Tuning]"]
)
def test_surface_names_are_read_as_written_in_lists_and_json(surfaces: str) -> None:
    assert scan_yaml(stack("eu", **{"residency-guard__surfaces": surfaces})) == []


def test_a_json_list_of_surfaces_is_judged_item_by_item() -> None:
    text = stack("eu", **{"residency-guard__surfaces": '\'["chat", "assistants"]\''})
    assert [(f.rule, f.line) for f in scan_yaml(text)] == [("RG005", 3)]


def test_a_misspelt_host_in_a_stack_without_region_says_which_host() -> None:
    findings = scan_yaml(stack(None, app__url="https://api.openai.eu/v1"))
    assert [(f.rule, f.fix) for f in findings if f.rule == "RG002"] == [
        ("RG002", "use https://eu.api.openai.com/v1")
    ]
    lookalike = scan_yaml(stack(None, app__url="https://eu.api.openai.com.attacker.io/v1"))
    assert [(f.rule, f.fix) for f in lookalike if f.rule == "RG002"] == [
        ("RG002", "use an OpenAI API host")
    ]


@pytest.mark.parametrize(("unresolved", "severity"), [(Unresolved.DENY, Severity.ERROR),
                                                     (Unresolved.WARN, Severity.WARNING)])  # fmt: skip
def test_an_azure_host_of_no_scanned_account_is_rg011(
    unresolved: Unresolved, severity: Severity
) -> None:
    text = stack("eu", OPENAI_BASE_URL="https://shop.openai.azure.com/openai/v1")
    (finding,) = scan_yaml(text, repo=RepoConfig(unresolved=unresolved))
    assert (finding.rule, finding.severity, finding.line, finding.column) == (
        "RG011", severity, 3, 20,
    )  # fmt: skip
    assert finding.message == (
        "EU stack 'prod-eu' sends to the Azure OpenAI endpoint shop.openai.azure.com, whose "
        "account is not in the scanned input, so its region cannot be checked"
    )
    assert finding.fix == (
        "scan the preview or state export that declares the account, use "
        "https://eu.api.openai.com/v1, or set `unresolved: warn` in residency-guard.yaml"
    )
    assert scan_yaml(text, repo=RepoConfig(unresolved=Unresolved.ALLOW)) == []


def test_an_endpoint_with_several_hazards_names_each() -> None:
    (finding,) = scan_yaml(stack("eu", OPENAI_BASE_URL="'http://user@eu.api.openai.com:8443/v1'"))
    assert finding.message == (
        "EU stack 'prod-eu' endpoint 'http://user@eu.api.openai.com:8443/v1' reaches "
        "eu.api.openai.com in an unsafe form (userinfo, plain-http, port)"
    )


def test_an_endpoint_the_client_cannot_parse_says_why() -> None:
    (finding,) = scan_yaml(stack("eu", OPENAI_BASE_URL="'https://eu.api.openai.com:abc/v1'"))
    assert (finding.rule, finding.line, finding.column) == ("RG010", 3, 20)
    assert finding.message == (
        "EU stack 'prod-eu' has an endpoint the HTTP client cannot use: "
        "'https://eu.api.openai.com:abc/v1' (Invalid port: 'abc')"
    )
    assert finding.fix == "use https://eu.api.openai.com/v1"


@pytest.mark.parametrize(
    "text",
    [
        "'see https://eu.api.openai.com:abc/v1 or http://eu.api.openai.com/v1'",  # unusable first
        "'https://llm-proxy.internal:8443/v1 http://eu.api.openai.com/v1'",  # not OpenAI's first
    ],
)
def test_every_endpoint_of_a_text_is_judged_after_one_that_is_skipped(text: str) -> None:
    messages = [f.message for f in scan_yaml(stack("eu", app__notes=text))]
    assert (
        "EU stack 'prod-eu' endpoint 'http://eu.api.openai.com/v1' reaches eu.api.openai.com in "
        "an unsafe form (plain-http)"
    ) in messages
    assert not any("llm-proxy" in m for m in messages)  # free text naming another host: not ours


@pytest.mark.parametrize(
    ("env", "line", "column", "key_path"),
    [
        ("\n    LOG_LEVEL: info\n    OPENAI_API_KEY:\n      secure: v1:abc\n", 5, 5, ()),
        ("{LOG_LEVEL: info, OPENAI_API_KEY: {secure: v1:abc}}", 3, 30, ()),
        ("\n    - LOG_LEVEL=info\n    - OPENAI_API_KEY=sk-test-not-a-key\n", 5, 7, (1,)),
    ],
)  # fmt: skip
def test_a_key_without_a_base_url_points_at_the_key(
    env: str, line: int, column: int, key_path: tuple[int, ...]
) -> None:
    # The key's own line and column (a `{secure: ...}` key had line 0), in the stack file,
    # with the path of the variables' mapping (or list item) the base URL belongs beside.
    (found,) = [f for f in scan_yaml(stack("eu", app__env=env)) if f.rule == "RG018"]
    assert (found.file, found.line, found.column) == ("stacks/Pulumi.prod-eu.yaml", line, column)
    assert found.key_path == ("config", "app:env", *key_path)


def test_a_key_without_a_base_url_in_an_esc_environment_is_reported_there(
    tmp_path: Path,
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    definition = tmp_path / "esc" / "shop" / "prod-eu.yaml"
    definition.parent.mkdir(parents=True)
    definition.write_text(
        "values:\n  environmentVariables:\n    LOG_LEVEL: info\n"
        "    OPENAI_API_KEY: {fn::secret: {ciphertext: ZXNjeAAAAAEAAAEAexample}}\n",
        encoding="utf-8",
    )
    (found,) = [f for f in scan_paths([tmp_path]).findings if f.rule == "RG018"]
    assert (found.file, found.line, found.column) == (str(definition), 4, 21)
    assert found.key_path == ("values", "environmentVariables", "OPENAI_API_KEY")
    assert (found.stack, found.region) == ("prod-eu", "eu")


PLAIN_HTTP = (
    "EU stack 'prod-eu' endpoint 'http://eu.api.openai.com/v1/models' reaches eu.api.openai.com "
    "in an unsafe form (plain-http)"
)


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # A URL the client cannot read, then an unsafe one: both are said.
        ("curl https://eu.api.openai.com:99x/v1 ; curl http://eu.api.openai.com/v1/models",
         ["EU stack 'prod-eu' has an endpoint the HTTP client cannot use: "
          "'https://eu.api.openai.com:99x/v1' (Invalid port: '99x')", PLAIN_HTTP]),
        # A clean URL, then an unsafe one; a host without a scheme in prose is no hazard.
        ("curl https://eu.api.openai.com/v1/models ; curl http://eu.api.openai.com/v1/models",
         [PLAIN_HTTP]),
        ("curl https://[eu.api.openai.com]/v1 ; curl http://eu.api.openai.com/v1/models",
         [PLAIN_HTTP]),
    ],
)  # fmt: skip
def test_every_endpoint_of_a_value_is_judged(command: str, expected: list[str]) -> None:
    found = scan_yaml(stack("eu", app__startCommand=json.dumps(command)))
    assert sorted(f.message for f in found if f.rule == "RG010") == sorted(expected)


def test_an_interpolated_endpoint_the_client_cannot_read_is_rg011_alone() -> None:
    # `${PORT}` is no port until the workload runs: RG011 says so, RG010 does not.
    found = scan_yaml(stack("eu", OPENAI_BASE_URL='"https://eu.api.openai.com:${PORT}/v1"'))
    assert [f.rule for f in found] == ["RG011"]


def test_an_interpolated_endpoint_with_a_literal_host_the_client_cannot_read_is_rg011_alone() -> (
    None
):
    # The port cannot be read, but the path is only known where it runs: RG011's case.
    found = scan_yaml(stack("eu", OPENAI_BASE_URL='"https://eu.api.openai.com:99x/${P}"'))
    assert [f.rule for f in found] == ["RG011"]


def test_an_endpoint_setting_with_another_host_in_an_unsafe_form_is_rg010_too() -> None:
    found = scan_yaml(stack("eu", OPENAI_BASE_URL="http://llm-proxy.internal/v1"))
    assert [(f.rule, f.message) for f in found if f.rule == "RG010"] == [(
        "RG010",
        "EU stack 'prod-eu' endpoint 'http://llm-proxy.internal/v1' reaches llm-proxy.internal "
        "in an unsafe form (plain-http)",
    )]  # fmt: skip


@pytest.mark.parametrize(
    ("command", "expected"),
    [
        # An in-region endpoint, or a look-alike (RG002's), before the one that breaks a rule.
        ("curl https://eu.api.openai.com/v1/models; curl https://us.api.openai.com/v1/models",
         ["RG001"]),
        ("curl https://eu.api.openai.com.evil.io/x; curl https://us.api.openai.com/v1/models",
         ["RG001", "RG002"]),
        ("curl https://eu.api.openai.com/v1/chat/completions; "
         "curl https://eu.api.openai.com/v1/assistants", ["RG005"]),
        ("curl https://eu.api.openai.com.evil.io/x; curl https://eu.api.openai.com/v1/assistants",
         ["RG002", "RG005"]),
    ],
)  # fmt: skip
def test_the_region_rules_judge_every_endpoint_of_a_value(
    command: str, expected: list[str]
) -> None:
    found = scan_yaml(stack("eu", app__startCommand=json.dumps(command)))
    assert sorted(f.rule for f in found) == expected


RG011_FIX = (
    "set it to the literal https://eu.api.openai.com/v1, or set `unresolved: warn` in "
    "residency-guard.yaml"
)


@pytest.mark.parametrize(
    ("unresolved", "severity"), [(Unresolved.DENY, Severity.ERROR), (Unresolved.WARN, Severity.WARNING)]
)  # fmt: skip
def test_an_interpolated_endpoint_in_a_list_item_is_rg011_at_the_item(
    unresolved: Unresolved, severity: Severity
) -> None:
    text = (
        "config:\n  residency-guard:region: eu\n  app:environment:\n    - LOG_LEVEL=info\n"
        "    - OPENAI_BASE_URL=${OPENAI_HOST}\n"
    )
    found = [f for f in scan_yaml(text, repo=RepoConfig(unresolved=unresolved)) if f.rule == "RG011"]
    assert [(f.line, f.column, f.severity, f.message, f.fix) for f in found] == [(
        5, 7, severity,
        "EU stack 'prod-eu': the OpenAI endpoint 'OPENAI_BASE_URL' is interpolated "
        "('OPENAI_BASE_URL=${OPENAI_HOST}'), so only the workload sees its value",
        RG011_FIX,
    )]  # fmt: skip


def test_an_endpoint_unknown_in_a_preview_is_checked_at_up(tmp_path: Path) -> None:
    env = [{"name": "OPENAI_BASE_URL", "value": UNKNOWN_SENTINEL}]
    kind = "kubernetes:apps/v1:Deployment"
    inputs = {"spec": {"template": {"spec": {"containers": [{"name": "w", "env": env}]}}}}
    data = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{"op": "create", "urn": f"urn:pulumi:prod-eu::shop::{kind}::w",
                   "newState": {"type": kind, "inputs": inputs}}],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    found = scan_pulumi_json(path, shipped_catalog(), RepoConfig()).findings
    assert [(f.rule, f.message, f.fix) for f in found] == [(
        "RG011",
        "EU stack 'prod-eu': the OpenAI endpoint 'OPENAI_BASE_URL' is only known at `pulumi up` "
        "(the policy pack checks it then)",
        RG011_FIX,
    )]  # fmt: skip


def test_a_missing_import_of_an_environment_is_reported_where_it_is_imported(
    tmp_path: Path,
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.prod-eu.yaml").write_text(
        "environment:\n  - shop/prod-eu\nconfig:\n  residency-guard:region: eu\n", encoding="utf-8"
    )
    definition = tmp_path / "esc" / "shop" / "prod-eu.yaml"
    definition.parent.mkdir(parents=True)
    definition.write_text("imports:\n  - shop/base\nvalues: {}\n", encoding="utf-8")
    found = [f for f in scan_paths([tmp_path]).findings if f.rule == "RG021"]
    assert [(f.file, f.line) for f in found] == [(str(definition), 2)]


# -- from the rules shard's third-session run --------------------------------------------------


def test_explain_names_the_front_end_a_rule_is_exempt_from(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """RG016 has no checkov check by design; `explain` says so and names the documented
    difference (docs/rules.md), not "a live rule of verify"."""
    from residency_guard.cli import main

    assert main(["explain", "RG016"]) == 0
    out = capsys.readouterr().out
    assert "checkov: none (by design: checkov-no-rg016, see docs/rules.md)." in out
    assert main(["explain", "RG021"]) == 0  # exempt from the pack only: checkov has its check
    assert f"checkov: {get_rule('RG021').checkov_id}." in capsys.readouterr().out  # type: ignore[union-attr]


def test_an_unknown_region_on_the_command_line_is_reported_at_the_file_s_start(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--region zz` is written on no line of the file: RG017 points at its start (1:1)."""
    from residency_guard.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text(
        "OPENAI_BASE_URL=https://eu.api.openai.com/v1\n", encoding="utf-8"
    )
    assert main(["check", ".env", "--region", "zz", "--format", "json"]) == 1
    (found,) = json.loads(capsys.readouterr().out)["findings"]
    assert (found["rule"], found["line"], found["column"]) == ("RG017", 1, 1)


def test_a_finding_of_a_stack_without_a_region_names_no_region(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """JSON's `region` is empty for a stack that declares none (RG008), not a made-up id."""
    from residency_guard.cli import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n", encoding="utf-8")
    (tmp_path / "Pulumi.dev.yaml").write_text(
        "config:\n  shop:openaiBaseUrl: https://api.openai.com/v1\n", encoding="utf-8"
    )
    assert main(["check", ".", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert [(f["rule"], f["stack"], f["region"]) for f in findings] == [("RG008", "dev", "")]


def test_a_duplicate_key_is_reported_at_its_second_spelling_s_column() -> None:
    """RG015 points at the key the engine refuses (line and column), where an editor jumps."""
    text = (
        "config:\n  residency-guard:region: eu\n"
        "  app:openaiBaseUrl: https://eu.api.openai.com/v1\n"
        "  app:openaiBaseUrl: https://eu.api.openai.com/v1\n"
    )
    (found,) = [f for f in scan_yaml(text) if f.rule == "RG015"]
    assert (found.line, found.column) == (4, 3)
