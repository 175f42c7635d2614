"""``residency-guard catalog diff`` against a loopback endpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from residency_guard.catalog import shipped_catalog
from tests.verify.helpers import run_cli
from tests.verify.openai_stub import OpenAIStub, Reply, serve

EU_LISTED = sorted(set().union(*shipped_catalog().region("eu").models.values()))


@pytest.fixture
def eu_endpoint() -> Iterator[OpenAIStub]:
    """An endpoint that serves exactly what the catalog lists for eu."""
    yield from serve(EU_LISTED)


def test_equal_exits_0(
    eu_endpoint: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run_cli(
        capsys, "catalog", "diff", "--region", "eu", "--base-url", eu_endpoint.base_url
    )
    version = shipped_catalog().version
    assert (code, err) == (0, "")
    assert out == (
        f"catalog {version} vs 127.0.0.1:{eu_endpoint.port}/v1 (region eu)\n"
        f"equal: the endpoint serves exactly the {len(EU_LISTED)} models listed\n"
    )
    assert eu_endpoint.paths() == ["/v1/models"]


def test_missing_and_extra_exit_1(
    eu_endpoint: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    eu_endpoint.models.remove("gpt-4-0613")
    eu_endpoint.models.remove("whisper-1")
    eu_endpoint.models.append("gpt-5.7-2026-11-02")
    code, out, _ = run_cli(
        capsys, "catalog", "diff", "--region", "eu", "--base-url", eu_endpoint.base_url
    )
    assert code == 1
    assert out.splitlines()[1:] == [
        "missing: 2 listed by the catalog for eu, not served by the endpoint",
        "  - gpt-4-0613 (batches, chat, responses)",
        "  - whisper-1 (audio)",
        "extra: 1 served by the endpoint, not listed by the catalog for eu",
        "  + gpt-5.7-2026-11-02",
    ]


def test_json(eu_endpoint: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]) -> None:
    eu_endpoint.models.remove("tts-1")
    code, out, _ = run_cli(
        capsys, "catalog", "diff", "--region", "eu", "--base-url", eu_endpoint.base_url,
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 1
    assert (data["equal"], data["missing"], data["extra"]) == (
        False, [{"model": "tts-1", "surfaces": ["audio"]}], [],
    )  # fmt: skip


def test_a_failed_listing_is_one_line_and_exit_2(
    eu_endpoint: OpenAIStub, key: str, capsys: pytest.CaptureFixture[str]
) -> None:
    eu_endpoint.script("/v1/models", Reply.incorrect_hostname("api.openai.com"))
    code, out, err = run_cli(
        capsys, "catalog", "diff", "--region", "eu", "--base-url", eu_endpoint.base_url
    )
    assert (code, out) == (2, "")
    assert err.startswith("residency-guard: error: RG101 127.0.0.1:")
    assert err.count("\n") == 1


def test_plain_catalog_still_prints_a_region(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run_cli(capsys, "catalog", "--region", "gb")
    assert code == 0
    assert out.splitlines()[2] == "gb: United Kingdom"
