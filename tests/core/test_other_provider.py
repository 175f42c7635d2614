"""RG020 as a user reads it: which variable, where the traffic goes instead, and the fix, at
the variable that chooses it. Hosts from openai-python's own choice (tests/adversarial/
test_bypasses.py runs the real module client for the verdicts): `OPENAI_API_TYPE=amazon-bedrock`
builds a Bedrock client for `AWS_BEDROCK_BASE_URL` or `bedrock-mantle.<AWS_REGION>.api.aws`;
`BedrockOpenAI()` reads `AWS_BEDROCK_BASE_URL` and ignores `OPENAI_BASE_URL`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from residency_guard.catalog import load_catalog
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import scan_stack_file
from tests.core.helpers import scan_yaml

EU_URL = "https://eu.api.openai.com/v1"
EU = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": EU_URL}
PROXY = "http://proxy.us.example:3128"
SECRETS = ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY")


def eu_stack(env: dict[str, str]) -> str:
    """An EU stack file with ``env`` as config keys (keys as `secure:` values)."""
    return "config:\n  residency-guard:region: eu\n" + "".join(
        f"  app:{k}:\n    secure: v1:abc\n" if k in SECRETS else f"  app:{k}: {json.dumps(v)}\n"
        for k, v in env.items()
    )


def rg020(findings: list[Finding]) -> list[tuple[int, str, str, str]]:
    return [(f.line, f.path, f.message, f.fix) for f in findings if f.rule == "RG020"]


def bedrock(what: str, reaches: str, bind: str) -> tuple[str, str]:
    return (
        f"EU stack 'prod-eu': {what} sends openai's traffic to {reaches}, which is no OpenAI "
        "'eu' residency host (OPENAI_BASE_URL is ignored)",
        f"remove {what.split('=')[0]} and use {EU_URL}, or bind {bind} to 'eu' as a gateway "
        "in a team catalog",
    )


def azure(what: str) -> tuple[str, str]:
    return (
        f"EU stack 'prod-eu': {what} makes openai's module client an Azure OpenAI client, which "
        "ignores OPENAI_BASE_URL, and no AZURE_OPENAI_ENDPOINT beside it shows where it sends",
        f"set AZURE_OPENAI_ENDPOINT to an account in 'eu' beside it, or remove "
        f"{what.split('=')[0]} and use {EU_URL}",
    )


def proxied(line: int, bypass: str = "eu.api.openai.com") -> tuple[int, str, str, str]:
    return (
        line, "config.app:HTTPS_PROXY",
        f"EU stack 'prod-eu' sends OpenAI traffic through the proxy '{PROXY}' (https_proxy), "
        "which no team catalog binds to 'eu'",
        f"add {bypass} to NO_PROXY, or bind proxy.us.example to 'eu' as a gateway in a team "
        "catalog",
    )  # fmt: skip


MANTLE_WEST = "https://bedrock-mantle.us-west-2.api.aws/v1"
CASES = [
    ("bedrock by AWS_REGION",
     {**EU, "OPENAI_API_TYPE": "amazon-bedrock", "AWS_REGION": "us-east-1"},
     [(6, "config.app:OPENAI_API_TYPE", *bedrock(
         "OPENAI_API_TYPE=amazon-bedrock", "Amazon Bedrock at bedrock-mantle.us-east-1.api.aws",
         "bedrock-mantle.us-east-1.api.aws"))]),
    ("bedrock, no region written",
     {**EU, "OPENAI_API_TYPE": "amazon-bedrock"},
     [(6, "config.app:OPENAI_API_TYPE", *bedrock(
         "OPENAI_API_TYPE=amazon-bedrock", "Amazon Bedrock in a region not shown",
         "the Bedrock host"))]),
    # A Bedrock base URL alone: the module client keeps OPENAI_BASE_URL, BedrockOpenAI() uses it.
    ("bedrock base URL alone",
     {**EU, "AWS_BEDROCK_BASE_URL": MANTLE_WEST},
     [(6, "config.app:AWS_BEDROCK_BASE_URL", *bedrock(
         "AWS_BEDROCK_BASE_URL", "Amazon Bedrock at bedrock-mantle.us-west-2.api.aws",
         "bedrock-mantle.us-west-2.api.aws"))]),
    # Both: one finding, at the variable that picks Bedrock, with the host the URL names.
    ("bedrock type and base URL",
     {**EU, "OPENAI_API_TYPE": "amazon-bedrock", "AWS_BEDROCK_BASE_URL": MANTLE_WEST},
     [(6, "config.app:OPENAI_API_TYPE", *bedrock(
         "OPENAI_API_TYPE=amazon-bedrock", "Amazon Bedrock at bedrock-mantle.us-west-2.api.aws",
         "bedrock-mantle.us-west-2.api.aws"))]),
    ("azure by type",
     {"OPENAI_BASE_URL": EU_URL, "OPENAI_API_TYPE": "azure"},
     [(4, "config.app:OPENAI_API_TYPE", *azure("OPENAI_API_TYPE=azure"))]),
    ("azure by credential",
     {"OPENAI_BASE_URL": EU_URL, "AZURE_OPENAI_API_KEY": "x"},
     [(5, "config.app:AZURE_OPENAI_API_KEY", *azure("AZURE_OPENAI_API_KEY"))]),
    ("proxy", {**EU, "HTTPS_PROXY": PROXY}, [proxied(6)]),
    # No base URL: the client's host is the region's default, which NO_PROXY must name.
    ("proxy, default host", {"OPENAI_API_KEY": "k", "HTTPS_PROXY": PROXY}, [proxied(5)]),
    ("proxy, default host exempted",
     {"OPENAI_API_KEY": "k", "HTTPS_PROXY": PROXY, "NO_PROXY": "eu.api.openai.com"}, []),
    # An Azure OpenAI client configured by AZURE_OPENAI_* alone goes through the proxy too.
    ("proxy, azure variables only",
     {"AZURE_OPENAI_API_KEY": "k", "HTTPS_PROXY": PROXY}, [proxied(5)]),
    ("proxy, no openai client", {"AWS_REGION": "eu-west-1", "HTTPS_PROXY": PROXY}, []),
]  # fmt: skip


@pytest.mark.parametrize(("case", "env", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_finding_names_the_variable_where_traffic_goes_and_the_fix(
    case: str, env: dict[str, str], expected: list[tuple[int, str, str, str]]
) -> None:
    assert rg020(scan_yaml(eu_stack(env))) == expected


def test_the_proxy_exemption_is_for_the_base_url_the_stack_sets(tmp_path: Path) -> None:
    """Through a team gateway, NO_PROXY must name the gateway: the client's host, not the
    region's default host."""
    team = tmp_path / "team.yaml"
    team.write_text("gateways:\n  - host: llm-gw.corp.example\n    region: eu\n", encoding="utf-8")
    catalog = load_catalog([team])
    env = {"OPENAI_API_KEY": "k", "OPENAI_BASE_URL": "https://llm-gw.corp.example/v1",
           "HTTPS_PROXY": PROXY}  # fmt: skip

    def judged(extra: dict[str, str]) -> list[tuple[int, str, str, str]]:
        text = eu_stack({**env, **extra})
        path = Path("stacks/Pulumi.prod-eu.yaml")
        return rg020(scan_stack_file(path, catalog, RepoConfig(), text=text).findings)

    assert judged({"NO_PROXY": "llm-gw.corp.example"}) == []
    assert judged({"NO_PROXY": "eu.api.openai.com"}) == [proxied(6, "llm-gw.corp.example")]


def test_a_variable_written_as_name_equals_value_is_reported_at_its_item() -> None:
    text = (
        "config:\n  residency-guard:region: eu\n  app:environment:\n"
        "    - OPENAI_BASE_URL=https://eu.api.openai.com/v1\n"
        "    - OPENAI_API_TYPE=amazon-bedrock\n    - AWS_REGION=us-east-1\n"
    )
    found = [(f.line, f.column, f.key_path) for f in scan_yaml(text) if f.rule == "RG020"]
    assert found == [(5, 7, ("config", "app:environment", 1))]


@pytest.mark.parametrize(
    ("endpoint", "rules"),
    [('"${AZURE_ENDPOINT_FROM_VAULT}"', ["RG011"]), ("https://llm.corp.example", ["RG002"])],
)  # fmt: skip
def test_an_azure_endpoint_beside_the_type_is_for_the_endpoint_rules(
    endpoint: str, rules: list[str]
) -> None:
    """AZURE_OPENAI_ENDPOINT shows where the Azure client sends, whatever it holds: an
    interpolated one is RG011's, another host RG002's, and no RG020 says it is missing."""
    text = (
        "config:\n  residency-guard:region: eu\n  app:OPENAI_API_TYPE: azure\n"
        f"  app:OPENAI_BASE_URL: {EU_URL}\n  app:AZURE_OPENAI_ENDPOINT: {endpoint}\n"
    )
    assert sorted({f.rule for f in scan_yaml(text)}) == rules


def test_a_proxy_bound_to_the_region_in_a_team_catalog_passes(tmp_path: Path) -> None:
    team = tmp_path / "team.yaml"
    team.write_text("gateways:\n  - host: proxy.us.example\n    region: eu\n", encoding="utf-8")
    text = eu_stack({**EU, "HTTPS_PROXY": PROXY})
    path = Path("stacks/Pulumi.prod-eu.yaml")
    bound = scan_stack_file(path, load_catalog([team]), RepoConfig(), text=text).findings
    assert rg020(bound) == []
    assert rg020(scan_yaml(text)) == [proxied(6)]


def test_a_proxy_known_only_at_deployment_is_said_so(tmp_path: Path) -> None:
    from residency_guard.scanners.pulumi_json import scan_pulumi_json
    from residency_guard.values import UNKNOWN_SENTINEL

    env = [{"name": "OPENAI_BASE_URL", "value": EU_URL},
           {"name": "HTTPS_PROXY", "value": UNKNOWN_SENTINEL}]  # fmt: skip
    containers = [{"name": "worker", "env": env}]
    inputs = {"spec": {"template": {"spec": {"containers": containers}}}}
    kind = "kubernetes:apps/v1:Deployment"
    data = {
        "config": {"residency-guard:region": "eu"},
        "steps": [{"op": "create", "urn": f"urn:pulumi:prod-eu::shop::{kind}::worker",
                   "newState": {"type": kind, "inputs": inputs}}],
    }  # fmt: skip
    path = tmp_path / "preview.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    found = [(f.message, f.fix) for f in scan_pulumi_json(path, load_catalog([]), RepoConfig())
             .findings if f.rule == "RG020"]  # fmt: skip
    assert found == [(
        "EU stack 'prod-eu' sends OpenAI traffic through a proxy not shown here (https_proxy), "
        "which no team catalog binds to 'eu'",
        "add eu.api.openai.com to NO_PROXY, or bind the proxy to 'eu' as a gateway in a team "
        "catalog",
    )]  # fmt: skip
