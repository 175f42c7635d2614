"""report.html is well-formed XHTML, self-contained, escaped; report.md holds the same rows."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from residency_guard.report.html import render_html
from tests.report.conftest import copy_fixture, run_cli

XHTML = "{http://www.w3.org/1999/xhtml}"
SVG = "{http://www.w3.org/2000/svg}"
Run = tuple[Path, subprocess.CompletedProcess[str]]


def parse(out: Path) -> ET.Element:
    """The page through a strict XML parser: an unclosed tag or a bad entity fails here."""
    return ET.fromstring((out / "report.html").read_text())


def rows(root: ET.Element, **attributes: str) -> list[ET.Element]:
    return [
        row for row in root.iter(f"{XHTML}tr")
        if all(row.get(f"data-{k.replace('_', '-')}") == v for k, v in attributes.items())
    ]  # fmt: skip


def text(element: ET.Element) -> str:
    return " ".join("".join(element.itertext()).split())


@pytest.mark.parametrize("which", ["example_report", "fixture_report"])
def test_page_is_wellformed_and_self_contained(which: str, request: pytest.FixtureRequest) -> None:
    out, _ = request.getfixturevalue(which)
    root = parse(out)
    assert root.tag == f"{XHTML}html"
    tags = {element.tag for element in root.iter()}
    for fetching in ("script", "link", "img", "iframe", "object", "embed", "audio", "video"):
        assert f"{XHTML}{fetching}" not in tags
    assert not [e for e in root.iter() if e.get("src") is not None]
    links = [e.get("href") for e in root.iter() if e.get("href") is not None]
    assert links and all(str(h).startswith("https://") for h in links)  # catalog sources only
    assert {e.tag for e in root.iter() if e.get("href") is not None} == {f"{XHTML}a"}
    (style,) = root.iter(f"{XHTML}style")
    assert "url(" not in (style.text or "") and "@import" not in (style.text or "")
    csp = [m.get("content") for m in root.iter(f"{XHTML}meta")
           if m.get("http-equiv") == "Content-Security-Policy"]  # fmt: skip
    assert csp and str(csp[0]).startswith("default-src 'none'")
    assert len(list(root.iter(f"{SVG}svg"))) == 2  # stacks x regions, models x regions


def test_example_rows(example_report: Run) -> None:
    root = parse(example_report[0])
    (endpoint,) = rows(root, stack="prod-eu", kind="endpoint")
    assert endpoint.get("data-host") == "eu.api.openai.com"
    assert "stacks/Pulumi.prod-eu.yaml:3" in text(endpoint)
    models = [row.get("data-model") for row in rows(root, stack="prod-eu", kind="model")]
    assert models == ["gpt-4o-2024-11-20", "gpt-4.1-2025-04-14", "gpt-5-2025-08-07",
                      "text-embedding-3-large"]  # fmt: skip
    (overview,) = [r for r in rows(root, stack="prod-gb")
                   if r.get("data-kind") is None and r.get("data-rule") is None]  # fmt: skip
    assert "declared" in text(overview)
    result = root.find(f".//{XHTML}span[@id='result']")
    assert result is not None and result.text == "PASS"


def test_fixture_rows(fixture_report: Run) -> None:
    root = parse(fixture_report[0])
    (expired,) = rows(root, stack="prod-eu", rule="RG001")
    assert expired.get("data-line") == "5"
    assert expired.get("data-status") == "failing (suppression expired)"
    assert "expired 2020-01-01: legacy batch job, moves with INC-7" in text(expired)
    (accepted,) = rows(root, stack="prod-eu", rule="RG004")
    assert "suppressed: gateway pins the snapshot until 2099-12-31" in text(accepted)
    (invalid,) = rows(root, stack="prod-eu", rule="RG016")
    assert "suppression of RG003 gives no reason" in text(invalid)
    states = {r.get("data-suppression"): r.get("data-state") for r in root.iter(f"{XHTML}tr")
              if r.get("data-suppression")}  # fmt: skip
    assert states["stacks/Pulumi.prod-eu.yaml:4"] == "expired"
    assert states["residency-guard.yaml:12"] == "invalid"
    (deployed,) = rows(root, stack="prod-eu", kind="deployed")
    assert "eu.api.openai.com" in text(deployed)


def test_markdown_has_the_same_facts(fixture_report: Run) -> None:
    markdown = (fixture_report[0] / "report.md").read_text()
    assert markdown.startswith("## OpenAI residency report: ❌ FAIL\n")
    assert "| `prod-eu` | fail |" in markdown
    assert ("| RG001 | error | `stacks/Pulumi.prod-eu.yaml:5` | EU stack 'prod-eu' sends to "
            "api.openai.com (global, no residency) |") in markdown  # fmt: skip
    assert "**expired** 2020-01-01: legacy batch job, moves with INC-7" in markdown
    assert "- Declared region: **eu** (Europe (EEA + Switzerland)), from stack config" in markdown


def test_names_are_escaped(tmp_path: Path) -> None:
    """A stack file named with markup stays text: the page still parses and shows the name."""
    project = copy_fixture(tmp_path / "shop")
    name = "dev-<b>&amp;\"'"
    (project / "stacks" / f"Pulumi.{name}.yaml").write_text(
        "config:\n  residency-guard:region: us\n"
    )
    result = run_cli("report", ".", "--out", str(tmp_path / "out"), cwd=project)
    assert result.returncode == 1, result.stderr
    root = parse(tmp_path / "out")
    assert [
        r.get("data-stack") for r in rows(root, kind="endpoint") if "<" in str(r.get("data-stack"))
    ] == [name]
    assert not list(root.iter(f"{XHTML}b"))
    markdown = (tmp_path / "out" / "report.md").read_text()
    assert "dev-&lt;b&gt;&amp;amp;" in markdown


def test_only_web_catalog_sources_become_links() -> None:
    """A team catalog's ``source`` of ``javascript:...`` is shown as text, never linked."""
    data = {
        "summary": {"stacks": 0, "files": 0, "failing": 0, "fail_on": "error", "findings": 0,
                    "suppressed": 0, "expired_suppressions": 0, "invalid_suppressions": 0,
                    "errors": 0, "result": "pass"},
        "provenance": {"tool": {"name": "residency-guard", "version": "0"},
                       "catalog": {"version": "1", "as_of": "2026-01-01", "overlays": []},
                       "policy_pack": {"version": "n/a"}, "git_commit": "n/a",
                       "generated_at": "2026-01-01T00:00:00Z", "suppressions_judged_on": "n/a",
                       "repo_config": "n/a", "inputs": {"sha256": "0", "files": []}},
        "overview": {"regions": [], "rows": []}, "eligibility": {"regions": [], "rows": []},
        "stacks": [{"name": "s", "files": [{"file": "f", "kind": "stack-file"}], "result": "pass",
                    "region": {"id": "eu", "title": "EU", "host": "h", "base_url": "b",
                               "residency": True, "processing": "in-region",
                               "stores_at_rest": True,
                               "catalog": {"source": "javascript:alert(1)", "as_of": "x"}},
                    "region_source": "stack config", "declarations": [], "endpoints": [],
                    "models": [], "surfaces": [], "deployed": [], "findings": []}],
        "suppressions": [], "run_findings": [], "errors": [], "limits": [],
    }  # fmt: skip
    page = render_html(data)
    root = ET.fromstring(page)
    assert [e.get("href") for e in root.iter() if e.get("href")] == []
    assert "javascript:alert(1)" in page
