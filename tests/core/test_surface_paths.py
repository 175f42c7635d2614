"""Surfaces are matched by the exact endpoint paths of OpenAI's residency tables.

Expected verdicts come from the tables (and the facts file's "Update" section): each URL
below is one a stack could name, with whether RG005 must be raised in the given region.
"""

from __future__ import annotations

import pathlib

import pytest

from residency_guard.catalog import load_catalog, shipped_catalog
from residency_guard.catalog.model import Catalog, is_api_path
from residency_guard.findings import Finding
from residency_guard.repoconfig import RepoConfig
from residency_guard.scanners.stackfile import scan_stack_file
from tests.core.helpers import rules_of, scan_yaml, stack

EU = "https://eu.api.openai.com"


def scan_with(text: str, catalog: Catalog) -> list[Finding]:
    path = pathlib.Path("stacks/Pulumi.prod-eu.yaml")
    return scan_stack_file(path, catalog, RepoConfig(), text=text).findings

GB = "https://gb.api.openai.com"


@pytest.mark.parametrize(
    ("path", "surface"),
    [
        ("/v1/audio/speech", "audio"),
        ("/v1/audio/transcriptions", "audio"),
        ("/v1/audio/voices", "audio_voices"),  # custom voices: in no residency table
        ("/v1/audio/voices/voice_123", "audio_voices"),
        ("/v1/audio/telepathy", None),  # no family prefix: unknown, not audio
        ("/v1/files/file-abc123/content", "files"),
        ("/v1/vector_stores/vs_123/files", "vector_stores"),
        ("/v1/vector_stores/vs_123/files/file-1", "vector_stores"),
        ("/v1/realtime", "realtime"),
        ("/v1/realtime/sessions", "realtime"),
        ("/v1/realtime/transcription_sessions", "realtime_transcription"),
        ("/v1/realtime/translations", "realtime_translation"),
        ("/v1/fine_tuning/jobs/ftjob-1/events", "fine_tuning"),
        ("/v1/fine_tuning/checkpoints", None),
        ("/v1/chat/completions/", "chat"),
        ("//v1//chat/completions", "chat"),
        ("/v1/live/sessions", "live"),
        ("/v1/chatkit/threads", "chatkit"),
        ("/v1/models/gpt-4.1-2025-04-14", "models_list"),
        ("/v1/telepathy", None),
    ],
)
def test_path_reaches_the_listed_endpoint_only(path: str, surface: str | None) -> None:
    assert shipped_catalog().surface_for_path(path) == surface


@pytest.mark.parametrize(
    ("path", "api"),
    [("/v1", False), ("/v1/", False), ("/", False), ("", False), ("/openai/v1/x", False),
     ("/v1/x", True), ("/v1/chat/completions", True)],
)  # fmt: skip
def test_only_paths_below_v1_are_api_paths(path: str, api: bool) -> None:
    assert is_api_path(path) is api


@pytest.mark.parametrize(
    ("region", "url", "fails"),
    [
        # The false passes the review found.
        ("eu", f"{EU}/v1/audio/voices", True),
        ("gb", f"{GB}/v1/live/sessions", True),
        ("eu", f"{EU}/v1/agents", True),
        ("eu", f"{EU}/v1/chatkit/threads", True),
        ("eu", f"{EU}/v1/containers", True),
        ("eu", f"{EU}/v1/uploads", True),
        ("eu", f"{EU}/v1/conversations/conv_1/items", True),
        ("eu", f"{EU}/v1/some-future-api", True),  # unknown: fails closed
        # Real paths with path parameters, and the base URL itself: no false alarm.
        ("eu", f"{EU}/v1", False),
        ("eu", f"{EU}/v1/", False),
        ("eu", f"{EU}/v1/audio/speech", False),
        ("eu", f"{EU}/v1/live/sessions", False),
        ("eu", f"{EU}/v1/files/file-abc123/content", False),
        ("gb", f"{GB}/v1/files/file-abc123/content", False),
        ("gb", f"{GB}/v1/vector_stores/vs_1/files", False),
        ("eu", "wss://eu.api.openai.com/v1/realtime/transcription_sessions", False),
        ("jp", "wss://jp.api.openai.com/v1/realtime/transcription_sessions", True),
        ("eu", f"{EU}/v1/models", False),  # system data: residency does not apply
        ("gb", f"{GB}/v1/models", False),
    ],
)
def test_surface_verdict_of_an_endpoint_path(region: str, url: str, fails: bool) -> None:
    assert ("RG005" in rules_of(scan_yaml(stack(region, app__url=url)))) is fails


def test_unknown_path_names_the_path_and_how_to_update_the_catalog() -> None:
    (finding,) = [
        f for f in scan_yaml(stack("gb", app__url=f"{GB}/v1/some-future-api")) if f.rule == "RG005"
    ]
    assert finding.message == (
        "GB stack 'prod-eu' reaches the API path '/v1/some-future-api', which no residency "
        "table lists; unknown API paths are denied"
    )
    assert "residency-guard catalog import" in finding.fix
    assert "residency-guard catalog --region gb" in finding.fix


def test_a_stack_without_residency_judges_no_path() -> None:
    text = stack("global", app__url="https://api.openai.com/v1/some-future-api")
    assert "RG005" not in rules_of(scan_yaml(text))


def test_a_gateway_path_is_the_gateways_own_api(tmp_path: pathlib.Path) -> None:
    overlay = tmp_path / "team-catalog.yaml"
    overlay.write_text("gateways:\n  - host: llm-gw.corp.example\n    region: eu\n")
    catalog = load_catalog([overlay])
    own = stack("eu", app__url="https://llm-gw.corp.example/v1/key/generate")
    assert "RG005" not in rules_of(scan_with(own, catalog))
    uncovered = stack("eu", app__url="https://llm-gw.corp.example/v1/assistants")
    assert "RG005" in rules_of(scan_with(uncovered, catalog))


def test_a_listed_system_surface_is_allowed_everywhere() -> None:
    text = stack("gb", **{"residency-guard__surfaces": "[chat, models_list]"})
    assert "RG005" not in rules_of(scan_yaml(text))


@pytest.mark.parametrize(
    ("url", "status"),
    [
        (f"{EU}/v1/audio/voices", "FAILED"),
        (f"{EU}/v1/some-future-api", "FAILED"),
        (f"{EU}/v1/files/file-abc123/content", "PASSED"),
    ],
)
def test_checkov_judges_paths_as_the_cli_does(tmp_path: pathlib.Path, url: str, status: str) -> None:
    from residency_guard.checkov_support import judge

    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    stack_file = tmp_path / "Pulumi.prod-eu.yaml"
    stack_file.write_text(stack("eu", app__url=url))
    assert judge("RG005", stack_file, "yaml").status.value == status
