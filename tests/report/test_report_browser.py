"""The page in headless Chromium: the rendered DOM holds the expected rows; a screenshot."""

from __future__ import annotations

import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.report.conftest import run_chromium

pytestmark = pytest.mark.browser
Run = tuple[Path, subprocess.CompletedProcess[str]]
SCREENSHOT_SIZE = (1280, 2000)


class _Rows(HTMLParser):
    """The data-* attributes of every table row of a DOM dump."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append(
                {k: v or "" for k, v in attrs if k.startswith("data-") or k == "class"}
            )


def dump_dom(chromium: Path, page: Path, profile: Path) -> str:
    result = run_chromium(chromium, profile, "--dump-dom", page.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


def rendered_rows(dom: str) -> list[dict[str, str]]:
    parser = _Rows()
    parser.feed(dom)
    return parser.rows


def test_rendered_dom_holds_the_example_rows(
    chromium: Path, example_report: Run, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, example_report[0] / "report.html", tmp_path / "profile")
    rows = rendered_rows(dom)
    assert {"data-stack": "prod-eu", "data-kind": "endpoint", "data-host": "eu.api.openai.com",
            "class": "ok"} in rows  # fmt: skip
    stacks = [r["data-stack"] for r in rows if set(r) == {"data-stack"}]
    assert stacks == ["dev-us", "prod-eu", "prod-eu-k8s", "prod-gb"]  # the overview table
    assert '<span class="badge pass" id="result">PASS</span>' in dom
    assert dom.count("<svg") == 2


def test_rendered_dom_holds_the_fixture_rows(
    chromium: Path, fixture_report: Run, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, fixture_report[0] / "report.html", tmp_path / "profile")
    findings = {(r["data-stack"], r["data-rule"], r["data-line"]): r["data-status"]
                for r in rendered_rows(dom) if "data-rule" in r}  # fmt: skip
    assert findings[("prod-eu", "RG001", "5")] == "failing (suppression expired)"
    assert findings[("prod-eu", "RG004", "6")] == "suppressed"
    assert findings[("prod-eu", "RG016", "7")] == "failing"
    assert findings[("", "RG016", "12")] == "failing"  # residency-guard.yaml's own finding
    assert '<span class="badge fail" id="result">FAIL</span>' in dom


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


@pytest.mark.parametrize("which", ["example_report", "fixture_report"])
def test_screenshot(
    chromium: Path, which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    out, _ = request.getfixturevalue(which)
    shot = tmp_path / f"{which}.png"
    result = run_chromium(
        chromium, tmp_path / "profile", f"--screenshot={shot}",
        f"--window-size={SCREENSHOT_SIZE[0]},{SCREENSHOT_SIZE[1]}", (out / "report.html").as_uri(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert png_size(shot) == SCREENSHOT_SIZE
    assert shot.stat().st_size > 50_000  # a rendered page, not a blank one (about 10 kB)
