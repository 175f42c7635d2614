"""RG019: the conditions OpenAI's region tables put on a stack's models and surfaces, said
where the stack touches them (expected values from the tables, facts file "Update")."""

from __future__ import annotations

import pathlib

import pytest

from residency_guard.checkov_support import judge
from residency_guard.findings import Finding
from tests.core.helpers import scan_yaml, stack


def notes(region: str, **config: str) -> list[tuple[str, str]]:
    found: list[Finding] = [f for f in scan_yaml(stack(region, **config)) if f.rule == "RG019"]
    return [(f.severity.value, f.message) for f in found]


@pytest.mark.parametrize(
    ("region", "config", "expected"),
    [
        # The UAE processes only some snapshots in region.
        ("ae", {"app__chatModel": "gpt-4.1-2025-04-14"},
         [("note", "AE stack 'prod-eu' uses 'gpt-4.1-2025-04-14' on chat: stored in ae, "
                   "processed outside it (ae processes only some snapshots for chat)")]),
        ("ae", {"app__chatModel": "gpt-5.6-luna"}, []),
        ("ae", {"app__embeddingModel": "text-embedding-3-large"}, []),
        # Batches are stored in ae but processed in us and eu only.
        ("ae", {"app__batchModel": "gpt-5.5-2026-04-23"},
         [("note", "AE stack 'prod-eu' uses 'gpt-5.5-2026-04-23' on batches: stored in ae, "
                   "processed outside it (United Arab Emirates is storage-only for batches)")]),
        # Storage-only regions.
        ("jp", {"app__chatModel": "gpt-5-2025-08-07"},
         [("note", "JP stack 'prod-eu' uses 'gpt-5-2025-08-07' on chat: stored in jp, processed "
                   "outside it (Japan is storage-only for chat)")]),
        # GPT-6 Sol and Luna: Standard processing only in the EU (a warning), none in the US.
        ("eu", {"app__chatModel": "gpt-6-sol"},
         [("warning", "EU stack 'prod-eu' uses 'gpt-6-sol' for chat, which Europe (EEA + "
                      "Switzerland) allows with a limit: Standard processing only")]),
        ("eu", {"app__responsesModel": "gpt-6-luna"},
         [("warning", "EU stack 'prod-eu' uses 'gpt-6-luna' for responses, which Europe (EEA + "
                      "Switzerland) allows with a limit: Standard processing only")]),
        ("us", {"app__chatModel": "gpt-6-sol"}, []),
        ("eu", {"app__chatModel": "gpt-6-astra"}, []),
        # Image support needs approval where the tables mark it (EU and the storage-only ones).
        ("eu", {"residency-guard__surfaces": "[chat, images]"},
         [("note", "EU stack 'prod-eu' uses Image generation and edits: image support here needs "
                   "approval for enhanced Zero Data Retention or enhanced Modified Abuse "
                   "Monitoring (Europe (EEA + Switzerland))")]),
        ("us", {"residency-guard__surfaces": "[chat, images]"}, []),
        ("gb", {"app__url": "https://gb.api.openai.com/v1/images/generations"},
         [("note", "GB stack 'prod-eu' uses Image generation and edits: image support here needs "
                   "approval for enhanced Zero Data Retention or enhanced Modified Abuse "
                   "Monitoring (United Kingdom)")]),
        # Nothing to say: no residency, or a model another rule already refuses.
        ("global", {"app__chatModel": "gpt-4.1-2025-04-14"}, []),
        ("gb", {"app__chatModel": "gpt-4o"}, []),  # RG004's
    ],
)  # fmt: skip
def test_precondition_notes(
    region: str, config: dict[str, str], expected: list[tuple[str, str]]
) -> None:
    assert notes(region, **config) == expected


def test_notes_never_fail_the_default_run() -> None:
    findings = scan_yaml(stack("ae", app__chatModel="gpt-4.1-2025-04-14"))
    assert [f.severity.value for f in findings] == ["note"]


@pytest.mark.parametrize(
    ("config", "status"),
    [({"app__chatModel": "gpt-4.1-2025-04-14"}, "FAILED"),
     ({"app__chatModel": "gpt-5.5-2026-04-23"}, "PASSED")],
)  # fmt: skip
def test_checkov_reports_the_note_as_the_cli_does(
    tmp_path: pathlib.Path, config: dict[str, str], status: str
) -> None:
    (tmp_path / "Pulumi.yaml").write_text("name: shop\nruntime: python\n")
    stack_file = tmp_path / "Pulumi.prod-ae.yaml"
    stack_file.write_text(stack("ae", **config))
    result = judge("RG019", stack_file, "yaml")
    assert result.status.value == status


APPROVAL = "confirm the organization's approval, or keep images out of this stack"


@pytest.mark.parametrize(
    ("region", "config", "expected"),
    [
        # Storage-only: the regions that process chat in full (facts: us, eu; ae only some
        # snapshots, so it is no answer for any model).
        ("jp", {"app__chatModel": "gpt-5-2025-08-07"},
         [(3, 18, "accept it, or use a region that processes chat (us, eu)")]),
        ("ae", {"app__batchModel": "gpt-5.5-2026-04-23"},
         [(3, 19, "accept it, or use a region that processes batches (us, eu)")]),
        # Partial processing (ae): the snapshots the tables process in region, for chat.
        ("ae", {"app__chatModel": "gpt-4.1-2025-04-14"},
         [(3, 18, "use one of gpt-5.2-2025-12-11, gpt-5.5-2026-04-23, gpt-5.6-luna to keep "
                  "processing in ae")]),
        ("eu", {"app__chatModel": "gpt-6-sol"},
         [(3, 18, "keep every request with 'gpt-6-sol' within the limit, or pick a model "
                  "without one")]),
        # An image model is an image surface: the approval, and where it is processed.
        ("eu", {"app__imageModel": "gpt-image-1"}, [(3, 19, APPROVAL)]),
        ("jp", {"app__imageModel": "gpt-image-1"},
         [(3, 19, "accept it, or use a region that processes images (us, eu)"),
          (3, 19, APPROVAL)]),
        ("us", {"app__imageModel": "gpt-image-1"}, []),
        ("eu", {"residency-guard__surfaces": "Images"}, [(3, 29, APPROVAL)]),
        ("eu", {"app__url": "https://eu.api.openai.com/v1/images/edits"}, [(3, 12, APPROVAL)]),
    ],
)  # fmt: skip
def test_each_note_says_what_keeps_the_promise_at_the_value(
    region: str, config: dict[str, str], expected: list[tuple[int, int, str]]
) -> None:
    found = [f for f in scan_yaml(stack(region, **config)) if f.rule == "RG019"]
    assert [(f.line, f.column, f.fix) for f in found] == expected
    assert all(f.file == "stacks/Pulumi.prod-eu.yaml" for f in found)


def test_an_image_model_in_a_storage_only_region_gets_both_notes() -> None:
    found = notes("jp", app__imageModel="gpt-image-1")
    assert found == [
        ("note", "JP stack 'prod-eu' uses 'gpt-image-1' on images: stored in jp, processed "
                 "outside it (Japan is storage-only for images)"),
        ("note", "JP stack 'prod-eu' uses Image generation and edits: image support here needs "
                 "approval for enhanced Zero Data Retention or enhanced Modified Abuse "
                 "Monitoring (Japan)"),
    ]  # fmt: skip


def test_every_endpoint_of_a_value_is_read_for_its_surface() -> None:
    # A look-alike first (RG002's), then the images endpoint: the note is still said.
    text = "https://eu.api.openai.com.evil.io/x and https://eu.api.openai.com/v1/images/generations"
    found = [(f.rule, f.fix) for f in scan_yaml(stack("eu", app__note=f'"{text}"'))]
    assert ("RG019", APPROVAL) in found and ("RG002", "use https://eu.api.openai.com/v1") in found
