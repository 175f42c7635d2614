"""The Azure rules on previews as Pulumi's azure-native and azure (classic) providers write
them: where an account is (its own location, else its resource group's), which account a
deployment uses, and which Azure host an account declares."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from residency_guard.catalog import shipped_catalog
from residency_guard.findings import Finding, Severity
from residency_guard.repoconfig import RepoConfig, Unresolved
from residency_guard.scanners.pulumi_json import scan_pulumi_json
from residency_guard.values import UNKNOWN_SENTINEL

ACCOUNT = "azure-native:cognitiveservices:Account"
CLASSIC_ACCOUNT = "azure:cognitive/account:Account"
DEPLOYMENT = "azure-native:cognitiveservices:Deployment"
GROUP = "azure-native:resources:ResourceGroup"
FUNCTION = "aws:lambda/function:Function"
OUTSIDE_EU = "EU stack 'prod-eu': Azure OpenAI account 'oai' is in eastus (US), outside Europe (EEA + Switzerland)"

Resource = tuple[str, str, dict[str, Any]]


def judge(tmp_path: Path, *resources: Resource, repo: RepoConfig | None = None) -> list[Finding]:
    steps = []
    for rtype, name, inputs in resources:
        urn = f"urn:pulumi:prod-eu::shop::{rtype}::{name}"
        steps.append({"op": "create", "urn": urn, "newState": {"type": rtype, "inputs": inputs}})
    path = tmp_path / "preview.json"
    data = {"config": {"residency-guard:region": "eu"}, "steps": steps}
    path.write_text(json.dumps(data), encoding="utf-8")
    return scan_pulumi_json(path, shipped_catalog(), repo or RepoConfig()).findings


def of(findings: list[Finding], rule: str) -> list[str]:
    return [f.message for f in findings if f.rule == rule]


@pytest.mark.parametrize("location", ["East US", "east-us", "EastUS", "eastus"])
def test_a_location_is_read_as_azure_writes_it(tmp_path: Path, location: str) -> None:
    findings = judge(tmp_path, (ACCOUNT, "oai", {"kind": "OpenAI", "location": location}))
    assert of(findings, "RG012") == [OUTSIDE_EU]


@pytest.mark.parametrize("location", ["Sweden Central", "sweden-central", "swedencentral"])
def test_an_eu_location_in_any_spelling_passes(tmp_path: Path, location: str) -> None:
    assert judge(tmp_path, (ACCOUNT, "oai", {"kind": "OpenAI", "location": location})) == []


@pytest.mark.parametrize(
    "group",
    [
        (GROUP, "rg", {"location": "eastus"}),  # by its Pulumi name
        (GROUP, "group", {"location": "eastus", "resourceGroupName": "rg"}),  # azure-native
        (GROUP, "group", {"location": "eastus", "name": "rg"}),  # classic provider
    ],
)
def test_an_account_without_location_is_where_its_group_is(tmp_path: Path, group: Resource) -> None:
    account = (ACCOUNT, "oai", {"kind": "OpenAI", "resourceGroupName": "rg"})
    assert of(judge(tmp_path, group, account), "RG012") == [OUTSIDE_EU]
    eu_group = (group[0], group[1], {**group[2], "location": "swedencentral"})
    assert of(judge(tmp_path, eu_group, account), "RG012") == []


@pytest.mark.parametrize("group_name", ["", "other", UNKNOWN_SENTINEL])
def test_an_account_whose_group_is_not_known_here_is_no_rg012(
    tmp_path: Path, group_name: str
) -> None:
    group = (GROUP, "rg", {"location": "eastus"})
    account = (ACCOUNT, "oai", {"kind": "OpenAI", "resourceGroupName": group_name})
    assert of(judge(tmp_path, group, account), "RG012") == []


@pytest.mark.parametrize(("kind", "judged"), [("AIServices", True), ("openai", True),
                                              ("TextAnalytics", False), (None, False)])  # fmt: skip
def test_only_openai_kinds_are_judged(tmp_path: Path, kind: str | None, judged: bool) -> None:
    props = {"location": "eastus", **({"kind": kind} if kind else {})}
    assert bool(of(judge(tmp_path, (ACCOUNT, "oai", props)), "RG012")) is judged


@pytest.mark.parametrize(
    "account",
    [
        (ACCOUNT, "acct", {"kind": "OpenAI", "location": "eastus"}),  # by its Pulumi name
        (ACCOUNT, "oai", {"kind": "OpenAI", "location": "eastus", "accountName": "acct"}),
        (CLASSIC_ACCOUNT, "oai", {"kind": "OpenAI", "location": "eastus", "name": "acct"}),
    ],
)
def test_a_data_zone_deployment_is_judged_by_the_account_it_names(
    tmp_path: Path, account: Resource
) -> None:
    deployment = (DEPLOYMENT, "chat", {"accountName": "acct", "sku": {"name": "DataZoneStandard"}})
    assert of(judge(tmp_path, account, deployment), "RG013") == [
        f"EU stack 'prod-eu': deployment 'chat' uses DataZoneStandard on account '{account[1]}' "
        "in eastus, whose data zone is us"
    ]
    eu_account = (account[0], account[1], {**account[2], "location": "swedencentral"})
    assert of(judge(tmp_path, eu_account, deployment), "RG013") == []


@pytest.mark.parametrize("sku", ["Standard", None, {"capacity": 10}, {"name": ""}])
def test_a_deployment_without_a_sku_name_is_not_judged(tmp_path: Path, sku: object) -> None:
    deployment = (DEPLOYMENT, "chat", {"accountName": "acct", "sku": sku})
    assert of(judge(tmp_path, deployment), "RG013") == []


def test_an_unknown_sku_is_a_finding(tmp_path: Path) -> None:
    deployment = (DEPLOYMENT, "chat", {"accountName": "acct", "sku": {"name": "Fancy"}})
    (finding,) = judge(tmp_path, deployment)
    assert finding.message == "EU stack 'prod-eu': deployment 'chat' has the unknown SKU 'Fancy'"
    assert finding.fix.startswith("use one of: ")
    assert {"DataZoneStandard", "GlobalStandard", "Standard"} <= set(finding.fix[12:].split(", "))


AZURE_URL = "https://shop-eu.openai.azure.com/openai/v1"
APP = (FUNCTION, "fn", {"environment": {"variables": {"OPENAI_BASE_URL": AZURE_URL}}})


@pytest.mark.parametrize(
    "account",
    [
        (CLASSIC_ACCOUNT, "oai", {"kind": "OpenAI", "location": "swedencentral",
                                  "customSubdomainName": "Shop-EU"}),
        (ACCOUNT, "oai", {"kind": "OpenAI", "location": "swedencentral",
                          "properties": {"customSubDomainName": "shop-eu"}}),
    ],
)  # fmt: skip
def test_an_azure_host_is_checked_through_the_account_that_declares_it(
    tmp_path: Path, account: Resource
) -> None:
    assert judge(tmp_path, account, APP) == []
    assert of(judge(tmp_path, APP), "RG011") == [
        "EU stack 'prod-eu' sends to the Azure OpenAI endpoint shop-eu.openai.azure.com, whose "
        "account is not in the scanned input, so its region cannot be checked"
    ]


@pytest.mark.parametrize("subdomain", [None, 7, "", "other"])
def test_an_account_with_another_or_no_subdomain_does_not_declare_the_host(
    tmp_path: Path, subdomain: object
) -> None:
    account = (ACCOUNT, "oai", {"kind": "OpenAI", "location": "swedencentral",
                                "properties": {"customSubDomainName": subdomain}})  # fmt: skip
    classic = (CLASSIC_ACCOUNT, "c", {"kind": "OpenAI", "location": "swedencentral",
                                      "customSubdomainName": subdomain, "properties": "x"})  # fmt: skip
    assert of(judge(tmp_path, account, classic, APP), "RG011") != []


def test_a_deployment_naming_no_account_is_not_judged_by_another_accounts_place(
    tmp_path: Path,
) -> None:
    """Two accounts, one outside the EU; a data-zone deployment that names neither must not be
    pinned on the first account that happens to have no accountName."""
    us = (ACCOUNT, "us-oai", {"kind": "OpenAI", "location": "eastus"})
    eu = (ACCOUNT, "eu-oai", {"kind": "OpenAI", "location": "swedencentral"})
    deployment = (DEPLOYMENT, "chat", {"sku": {"name": "DataZoneStandard"}})
    assert of(judge(tmp_path, us, eu, deployment), "RG013") == []
    named = (DEPLOYMENT, "chat", {"accountName": "eu-oai", "sku": {"name": "DataZoneStandard"}})
    assert of(judge(tmp_path, us, eu, named), "RG013") == []
    wrong = (DEPLOYMENT, "chat", {"accountName": "us-oai", "sku": {"name": "DataZoneStandard"}})
    assert len(of(judge(tmp_path, us, eu, wrong), "RG013")) == 1


def test_an_account_outside_says_where_to_put_it_and_points_at_its_location(
    tmp_path: Path,
) -> None:
    (finding,) = judge(tmp_path, (ACCOUNT, "oai", {"kind": "OpenAI", "location": "eastus"}))
    assert finding.fix.startswith("locate it in one of: ")
    places = finding.fix.removeprefix("locate it in one of: ").split(", ")
    assert places == sorted(places) and "swedencentral" in places and "westeurope" in places
    assert "eastus" not in places and "uksouth" not in places
    assert (finding.file, finding.path) == (str(tmp_path / "preview.json"), "oai.location")
    assert finding.line > 0


def test_an_account_in_a_location_the_catalog_does_not_know_is_rg012(tmp_path: Path) -> None:
    (finding,) = judge(tmp_path, (ACCOUNT, "oai", {"kind": "OpenAI", "location": "Mars Central"}))
    assert finding.rule == "RG012"
    assert finding.message == (
        "EU stack 'prod-eu': Azure OpenAI account 'oai' is in 'marscentral', an Azure region the "
        "catalog does not know"
    )
    assert finding.fix.startswith("locate it in one of: francecentral, ")
    assert (finding.file, finding.path) == (str(tmp_path / "preview.json"), "oai.location")
    assert finding.line > 0


@pytest.mark.parametrize(
    ("unresolved", "severities"),
    [(Unresolved.DENY, [Severity.ERROR]), (Unresolved.WARN, [Severity.WARNING]),
     (Unresolved.ALLOW, [])],
)  # fmt: skip
def test_an_account_whose_location_cannot_be_known_is_rg011(
    tmp_path: Path, unresolved: Unresolved, severities: list[Severity]
) -> None:
    account = (ACCOUNT, "oai", {"kind": "OpenAI", "resourceGroupName": "rg-elsewhere"})
    findings = judge(tmp_path, account, repo=RepoConfig(unresolved=unresolved))
    assert [f.severity for f in findings if f.rule == "RG011"] == severities
    for finding in findings:
        assert finding.message == (
            "EU stack 'prod-eu': Azure OpenAI account 'oai' has no location and its resource "
            "group's is not in the scanned input, so its region cannot be checked"
        )
        assert finding.fix == (
            "set its location, scan the input that declares its resource group, use "
            "https://eu.api.openai.com/v1, or set `unresolved: warn` in residency-guard.yaml"
        )
        assert (finding.file, finding.path) == (str(tmp_path / "preview.json"), "oai.location")
        assert finding.line > 0


def test_a_sku_finding_points_at_the_sku_name(tmp_path: Path) -> None:
    deployment = (DEPLOYMENT, "chat", {"accountName": "acct", "sku": {"name": "GlobalStandard"}})
    (finding,) = judge(tmp_path, deployment)
    assert finding.message == (
        "EU stack 'prod-eu': deployment 'chat' uses GlobalStandard, which may process data in any "
        "Azure region"
    )
    assert finding.fix == "use DataZoneStandard (account in the region's data zone) or Standard"
    assert (finding.file, finding.path) == (str(tmp_path / "preview.json"), "chat.sku.name")
    assert finding.line > 0
    (unknown,) = judge(tmp_path, (DEPLOYMENT, "d", {"sku": {"name": "Fancy"}}))
    assert (unknown.file, unknown.path, unknown.line > 0) == (
        str(tmp_path / "preview.json"), "d.sku.name", True,
    )  # fmt: skip


def test_a_data_zone_deployment_on_an_account_of_no_known_place(tmp_path: Path) -> None:
    account = (ACCOUNT, "acct", {"kind": "OpenAI", "location": "Mars Central"})
    nowhere = (ACCOUNT, "acct2", {"kind": "OpenAI"})
    for acct, place in ((account, "marscentral"), (nowhere, "an unknown location")):
        deployment = (
            DEPLOYMENT,
            "chat",
            {"accountName": acct[1], "sku": {"name": "DataZoneStandard"}},
        )
        assert of(judge(tmp_path, acct, deployment), "RG013") == [
            f"EU stack 'prod-eu': deployment 'chat' uses DataZoneStandard on account '{acct[1]}' "
            f"in {place}, whose data zone is none"
        ]
