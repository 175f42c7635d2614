"""report.json: every field the issue asks for, with values a reader can check against the files."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
from pathlib import Path
from typing import Any

import yaml

from residency_guard import __version__
from residency_guard.catalog import shipped_catalog
from tests.report.conftest import CANARY, ROOT

# The catalog records the page copy it was imported from (regions.yaml `source`).
YOUR_DATA = (
    "https://github.com/llms-txt-archive/openai-platform/blob/"
    "09d7fb59880dff7696425065a62f9e81168d79d6/api/docs/guides/your-data.md"
)
Run = tuple[Path, subprocess.CompletedProcess[str]]


def load(run: Run) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((run[0] / "report.json").read_text())
    return data


def stack(data: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [s for s in data["stacks"] if s["name"] == name]
    return found


def finding(entry: dict[str, Any], rule: str) -> dict[str, Any]:
    (found,) = [f for f in entry["findings"] if f["rule"] == rule]
    return found


# --- the repository's own example stacks -------------------------------------------------


def test_example_stacks_pass_and_exit_0(example_report: Run) -> None:
    out, result = example_report
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.json", "report.md"]
    data = load(example_report)
    assert data["schema"] == "residency-guard-report/1"
    assert data["summary"]["result"] == "pass"
    assert [s["name"] for s in data["stacks"]] == ["dev-us", "prod-eu", "prod-eu-k8s", "prod-gb"]


def test_eu_stack_region_host_and_where_it_was_declared(example_report: Run) -> None:
    eu = stack(load(example_report), "prod-eu")
    assert eu["region"]["id"] == "eu"
    assert eu["region"]["host"] == "eu.api.openai.com"
    assert eu["region"]["base_url"] == "https://eu.api.openai.com/v1"
    assert eu["region"]["processing"] == "in-region"
    assert eu["region"]["catalog"] == {"region": "eu", "source": YOUR_DATA, "as_of": "2026-12-04"}
    # The region table's conditions on the EU: MAM or ZDR, image approval, retention controls.
    preconditions = " ".join(eu["region"]["preconditions"])
    assert "Modified Abuse Monitoring or Zero Data Retention" in preconditions
    assert "image support" in preconditions and "Safety Retention" in preconditions
    assert eu["region_source"] == "stack config"
    assert eu["declared_in"] == "stacks/Pulumi.prod-eu.yaml:3"
    assert [(d["region"], d["source"], d["line"]) for d in eu["declarations"]] == [
        ("eu", "stack config", 3),
        ("eu", "residency-guard.yaml", 4),  # "prod-eu*": eu in residency-guard.yaml
    ]


def test_eu_stack_endpoint_models_and_surfaces_with_file_and_line(example_report: Run) -> None:
    eu = stack(load(example_report), "prod-eu")
    (endpoint,) = eu["endpoints"]
    assert (endpoint["url"], endpoint["origin"], endpoint["file"], endpoint["line"]) == (
        "https://eu.api.openai.com/v1", "declared region", "stacks/Pulumi.prod-eu.yaml", 3,
    )  # fmt: skip
    assert endpoint["handling"] == "stored and processed in region"
    models = [(m["model"], m["surface"], m["line"], m["eligibility"], m["verdict"])
              for m in eu["models"]]  # fmt: skip
    assert models == [
        ("gpt-4o-2024-11-20", "chat", 6, "eligible", "allowed"),
        ("gpt-4.1-2025-04-14", "chat", 7, "eligible", "allowed"),
        ("gpt-5-2025-08-07", "responses", 9, "eligible", "allowed"),
        ("text-embedding-3-large", "embeddings", 11, "eligible", "allowed"),
    ]
    assert {m["catalog"]["source"] for m in eu["models"]} == {YOUR_DATA}
    surfaces = {s["surface"]: (s["line"], s["handling"]) for s in eu["surfaces"]}
    assert surfaces == {
        "chat": (12, "stored and processed in region"),
        "responses": (12, "stored and processed in region"),
        "embeddings": (12, "stored and processed in region"),
        "files": (12, "stored in region; processed outside"),  # files: [stored] in the catalog
    }


def test_storage_only_region_says_it_only_stores(example_report: Run) -> None:
    gb = stack(load(example_report), "prod-gb")
    assert gb["region"]["host"] == "gb.api.openai.com"
    assert gb["region"]["processing"] == "not-in-region"
    assert {m["handling"] for m in gb["models"]} == {"stored in region; processed outside"}


def test_matrices(example_report: Run) -> None:
    data = load(example_report)
    rows = {r["stack"]: r["cells"] for r in data["overview"]["rows"]}
    assert data["overview"]["regions"] == list(shipped_catalog().regions)
    assert rows["prod-gb"]["gb"] == ["declared"]
    assert rows["prod-gb"]["eu"] == []
    eligibility = {r["model"]: r for r in data["eligibility"]["rows"]}
    assert "global" not in data["eligibility"]["regions"]
    small = eligibility["text-embedding-3-small"]
    # ae stores it; only text-embedding-3-large is processed there (RG019 says so)
    assert small["cells"]["ae"] == "eligible"
    assert small["cells"]["eu"] == "eligible"
    assert small["used_in"] == ["eu", "us"]


def test_provenance(example_report: Run) -> None:
    provenance = load(example_report)["provenance"]
    catalog = shipped_catalog()
    assert provenance["tool"] == {"name": "residency-guard", "version": __version__}
    assert provenance["catalog"]["version"] == catalog.version
    assert provenance["catalog"]["as_of"] == catalog.as_of
    assert provenance["generated_at"] == "2026-11-01T12:00:00Z"  # SOURCE_DATE_EPOCH=1793534400
    policy = ROOT / "policies" / "PulumiPolicy.yaml"
    expected = "n/a"
    if policy.is_file():
        expected = str((yaml.safe_load(policy.read_text()) or {}).get("version") or "n/a")
    assert provenance["policy_pack"]["version"] == expected
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                          check=False)  # fmt: skip
    assert provenance["git_commit"] == (head.stdout.strip() if head.returncode == 0 else "n/a")


def test_inputs_digest_can_be_recomputed(example_report: Run) -> None:
    inputs = load(example_report)["provenance"]["inputs"]
    paths = [f["path"] for f in inputs["files"]]
    assert paths == sorted(paths)
    assert "stacks/Pulumi.prod-eu.yaml" in paths and "residency-guard.yaml" in paths
    total = hashlib.sha256()
    for path in paths:
        content = (ROOT / path).read_bytes()
        total.update(path.encode() + b"\0" + str(len(content)).encode() + b"\0" + content)
        assert hashlib.sha256(content).hexdigest() == next(
            f["sha256"] for f in inputs["files"] if f["path"] == path
        )
    assert inputs["sha256"] == total.hexdigest()


# --- the fixture with findings, suppressions, state exports and a canary key --------------


def test_fixture_fails_the_gate(fixture_report: Run) -> None:
    _, result = fixture_report
    assert result.returncode == 1, result.stderr
    summary = load(fixture_report)["summary"]
    assert summary == {
        "stacks": 4, "files": 6, "findings": 10, "failing": 10, "suppressed": 2,
        "expired_suppressions": 1, "invalid_suppressions": 2, "errors": 0, "fail_on": "error",
        "result": "fail",
    }  # fmt: skip


def test_expired_suppression_is_marked_and_the_finding_fails(fixture_report: Run) -> None:
    rg001 = finding(stack(load(fixture_report), "prod-eu"), "RG001")
    assert (rg001["file"], rg001["line"]) == ("stacks/Pulumi.prod-eu.yaml", 5)
    assert rg001["status"] == "failing (suppression expired)"
    assert "suppression" not in rg001
    assert rg001["expired_suppression"] == {
        "reason": "legacy batch job, moves with INC-7", "until": "2020-01-01",
        "source": "stacks/Pulumi.prod-eu.yaml:4",
    }  # fmt: skip
    assert rg001["fix"] == "use https://eu.api.openai.com/v1"


def test_active_suppressions_inline_and_repo_level(fixture_report: Run) -> None:
    eu = stack(load(fixture_report), "prod-eu")
    assert finding(eu, "RG004")["suppression"] == {
        "reason": "gateway pins the snapshot", "until": "2099-12-31",
        "source": "stacks/Pulumi.prod-eu.yaml:6",
    }  # fmt: skip
    rg005 = finding(eu, "RG005")
    assert rg005["line"] == 10
    assert rg005["suppression"]["source"] == "residency-guard.yaml:7"
    assert rg005["status"] == "suppressed"


def test_reasonless_suppressions_are_rg016(fixture_report: Run) -> None:
    data = load(fixture_report)
    inline = finding(stack(data, "prod-eu"), "RG016")
    assert (inline["line"], inline["message"]) == (7, "suppression of RG003 gives no reason")
    (repo_level,) = data["run_findings"]
    assert (repo_level["rule"], repo_level["file"], repo_level["line"]) == (
        "RG016", "residency-guard.yaml", 12,
    )  # fmt: skip
    states = {(tuple(s["rules"]), s["source"]): s["state"] for s in data["suppressions"]}
    assert states == {
        (("RG001",), "stacks/Pulumi.prod-eu.yaml:4"): "expired",
        (("RG004",), "stacks/Pulumi.prod-eu.yaml:6"): "active",
        (("RG003",), "stacks/Pulumi.prod-eu.yaml:7"): "invalid",
        (("RG005",), "residency-guard.yaml:7"): "active",
        (("RG002",), "residency-guard.yaml:12"): "invalid",
    }


def test_forbidden_endpoint_names_the_rule(fixture_report: Run) -> None:
    eu = stack(load(fixture_report), "prod-eu")
    (global_host,) = [e for e in eu["endpoints"] if e["host"] == "api.openai.com"]
    assert (global_host["line"], global_host["verdict"], global_host["forbidden_by"]) == (
        5, "forbidden", ["RG001"],
    )  # fmt: skip
    assert global_host["handling"] == "no residency (global)"
    alias = next(m for m in eu["models"] if m["model"] == "gpt-4o")
    assert (alias["eligibility"], alias["verdict"]) == ("alias", "accepted (suppressed)")


def test_region_conflict_and_deployed_state(fixture_report: Run) -> None:
    data = load(fixture_report)
    staging = stack(data, "staging-eu")
    assert staging["region_source"] == "conflict"
    assert [(d["region"], d["source"]) for d in staging["declarations"]] == [
        ("us", "stack config"), ("eu", "residency-guard.yaml"),
    ]  # fmt: skip
    assert [f["file"] for f in staging["files"]] == [
        "stacks/Pulumi.staging-eu.yaml", "state/staging-eu.json",
    ]  # fmt: skip
    eu = stack(data, "prod-eu")
    (deployed,) = eu["deployed"]
    assert deployed == {
        "file": "state/prod-eu.json", "output": "stack output summary", "region": "eu",
        "host": "eu.api.openai.com", "base_url": "https://eu.api.openai.com/v1",
        "models": {"chat": ["gpt-4o-2024-11-20"]}, "catalog_as_of": "2026-10-31",
        "matches_declared": {"region": True, "host": True},
    }  # fmt: skip
    overview = {r["stack"]: r["cells"] for r in data["overview"]["rows"]}
    assert overview["prod-eu"]["global"] == ["endpoint outside region"]
    assert overview["prod-eu"]["eu"] == ["declared", "deployed"]
    assert overview["staging-eu"]["eu"] == ["conflicting claim"]


def test_dotenv_file_is_a_stack_of_its_own(fixture_report: Run) -> None:
    dotenv = stack(load(fixture_report), ".env.prod-eu")
    assert dotenv["region"]["id"] == "eu"
    assert dotenv["declarations"][0]["where"] == ".env.prod-eu:1"
    assert [(e["origin"], e["line"]) for e in dotenv["endpoints"]] == [
        ("declared region", 1), ("config value", 2),
    ]  # fmt: skip


def test_canary_key_is_in_no_output(fixture_report: Run) -> None:
    out, result = fixture_report
    body = CANARY.removeprefix("sk-proj-")
    for name in ("report.html", "report.json", "report.md"):
        text = (out / name).read_text()
        assert CANARY not in text and body[:20] not in text and body[-20:] not in text, name
        assert "sk-...nary" in text, name  # the detector saw it: the redacted form is there
    assert CANARY not in result.stdout + result.stderr
    assert re.search(r"sk-(proj-)?[A-Za-z0-9_\-]{20,}", (out / "report.json").read_text()) is None


def test_a_model_outside_the_uae_subset_is_handled_as_processed_outside() -> None:
    from residency_guard.catalog import shipped_catalog
    from residency_guard.report.model import _handling

    ae = shipped_catalog().region("ae")
    assert _handling(ae, "chat", "gpt-5.6-luna") == "stored and processed in region"
    assert _handling(ae, "chat", "gpt-4.1-2025-04-14") == "stored in region; processed outside"
    assert _handling(ae, "batches", "gpt-5.6-luna") == "stored in region; processed outside"
