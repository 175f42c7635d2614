"""The shipped catalog, fact by fact, against the facts file's "Update" section
(/work/shared/reference/openai-residency-facts.md, checked 2026-12-04).

Every expected value below is copied from that section, not from the catalog or the code:
a fact the catalog gets wrong fails here with its own name.
"""

from __future__ import annotations

import pytest

from residency_guard.catalog import Catalog, shipped_catalog
from tests.core.helpers import rules_of, scan_yaml, stack

US_EU = ("us", "eu")
STORAGE_ONLY = ("gb", "ca", "jp", "in", "au", "sg", "kr")
EVERY = (*US_EU, *STORAGE_ONLY, "ae")


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return shipped_catalog()


# (regions, surface, models): each model is listed for the surface in each region.
LISTED = [
    # Chat/Responses/Batches add GPT-6 and GPT-5.6 (gpt-5.6-luna for batches too).
    (EVERY, "chat", ("gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol", "gpt-5.6-terra",
                     "gpt-5.6-luna")),
    (EVERY, "responses", ("gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol",
                          "gpt-5.6-terra", "gpt-5.6-luna")),
    (EVERY, "batches", ("gpt-6-astra", "gpt-6-sol", "gpt-6-luna", "gpt-5.6-sol",
                        "gpt-5.6-terra", "gpt-5.6-luna")),
    # o1-pro is listed by name (and its snapshot) for responses and batches.
    (EVERY, "responses", ("o1-pro", "o1-pro-2025-03-19")),
    (EVERY, "batches", ("o1-pro", "o1-pro-2025-03-19")),
    # Realtime (us, eu) and its transcription and translation sessions.
    (US_EU, "realtime", ("gpt-realtime", "gpt-realtime-1.5", "gpt-realtime-mini",
                         "gpt-realtime-2", "gpt-realtime-2.1", "gpt-realtime-2.1-mini")),
    (US_EU, "realtime_transcription", ("gpt-realtime-whisper", "gpt-live-transcribe",
                                       "gpt-transcribe")),
    (US_EU, "realtime_translation", ("gpt-realtime-translate",)),
    # Audio models.
    (EVERY, "audio", ("tts-1", "whisper-1", "gpt-4o-tts", "gpt-4o-transcribe",
                      "gpt-4o-mini-transcribe", "gpt-transcribe")),
    # Images add gpt-image-2.5 models and their -2026-09-08 snapshots.
    (EVERY, "images", ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare",
                       "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.5-flare-2026-09-08")),
    # GPT-Live (us, eu only), model gpt-live-1.
    (US_EU, "live", ("gpt-live-1",)),
    # A newer copy: gpt-6.1-sol (us/eu only); /v1/decisions with gpt-6-luna.
    (US_EU, "chat", ("gpt-6.1-sol",)),
    (US_EU, "responses", ("gpt-6.1-sol",)),
    (EVERY, "decisions", ("gpt-6-luna",)),
    # For storage, ae lists the same endpoints as the other storage regions.
    (("ae",), "embeddings", ("text-embedding-3-small", "text-embedding-ada-002")),
    (("ae",), "fine_tuning", ("gpt-4o-2024-08-06",)),
    (("ae",), "moderations", ("omni-moderation-latest",)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("region", "surface", "model"),
    [(r, s, m) for regions, s, models in LISTED for r in regions for m in models],
)
def test_model_is_listed(catalog: Catalog, region: str, surface: str, model: str) -> None:
    assert model in catalog.region(region).models.get(surface, frozenset())


@pytest.mark.parametrize("region", STORAGE_ONLY + ("ae",))
def test_gpt_6_1_sol_is_us_and_eu_only(catalog: Catalog, region: str) -> None:
    assert "gpt-6.1-sol" not in catalog.region(region).models.get("chat", frozenset())


# UAE in-region processing, per surface.
AE_PROCESSED = {
    "chat": {"gpt-5.6-luna", "gpt-5.5-2026-04-23", "gpt-5.2-2025-12-11"},
    "embeddings": {"text-embedding-3-large"},
    "responses": {"gpt-5.5-pro-2026-04-23", "gpt-5.6-luna", "gpt-5.5-2026-04-23",
                  "gpt-5.2-2025-12-11"},
}  # fmt: skip


@pytest.mark.parametrize("surface", sorted(AE_PROCESSED))
def test_ae_processes_its_exceptions_in_region(catalog: Catalog, surface: str) -> None:
    assert catalog.region("ae").processed_models[surface] == AE_PROCESSED[surface]


@pytest.mark.parametrize(
    "surface", ["batches", "audio", "images", "fine_tuning", "moderations", "files",
                "vector_stores"],
)  # fmt: skip
def test_ae_stores_what_the_other_storage_regions_store(catalog: Catalog, surface: str) -> None:
    coverage = catalog.region("ae").coverage[surface]
    assert (coverage.stored, coverage.processed) == (True, False)


@pytest.mark.parametrize("surface", ["chat", "responses"])
@pytest.mark.parametrize("model", ["gpt-6-sol", "gpt-6-luna"])
def test_eu_gpt_6_sol_and_luna_are_standard_processing_only(
    catalog: Catalog, surface: str, model: str
) -> None:
    assert "standard processing only" in catalog.region("eu").limits[surface][model].lower()
    assert model not in catalog.region("us").limits.get(surface, {})


@pytest.mark.parametrize(
    ("surface", "stored_in", "processed_in"),
    [
        ("live", US_EU, US_EU),
        ("realtime", US_EU, US_EU),
        ("realtime_transcription", US_EU, US_EU),
        ("realtime_translation", US_EU, US_EU),
        ("decisions", EVERY, US_EU),
    ],
)
def test_where_a_surface_is_stored_and_processed(
    catalog: Catalog, surface: str, stored_in: tuple[str, ...], processed_in: tuple[str, ...]
) -> None:
    for region in EVERY:
        coverage = catalog.region(region).coverage.get(surface)
        stored = coverage is not None and coverage.stored
        processed = coverage is not None and coverage.processed
        assert (stored, processed) == (region in stored_in, region in processed_in), region


@pytest.mark.parametrize(
    ("path", "covered_in"),
    [
        ("/v1/audio/voices", ()),  # custom voices: in no residency table
        ("/v1/live/sessions", US_EU),
        ("/v1/agents", ()),
        ("/v1/chatkit/threads", ()),
        ("/v1/containers", ()),
        ("/v1/uploads", ()),
        ("/v1/conversations", ()),
        ("/v1/decisions", EVERY),
        ("/v1/realtime/transcription_sessions", US_EU),
    ],
)
def test_which_regions_cover_a_path(
    catalog: Catalog, path: str, covered_in: tuple[str, ...]
) -> None:
    surface = catalog.surface_for_path(path)
    assert surface is not None
    assert tuple(r for r in EVERY if catalog.region(r).covers(surface)) == covered_in


@pytest.mark.parametrize(
    ("region", "mam_or_zdr", "preconditions"),
    [
        ("us", False, set()),
        ("eu", True, {"mam-or-zdr", "retention-controls"}),
        *[(r, True, {"mam-or-zdr", "image-approval", "processing-outside"})
          for r in STORAGE_ONLY],
    ],
)  # fmt: skip
def test_region_preconditions(
    catalog: Catalog, region: str, mam_or_zdr: bool, preconditions: set[str]
) -> None:
    found = catalog.region(region)
    assert found.mam_or_zdr_required is mam_or_zdr
    assert preconditions <= set(found.preconditions)


@pytest.mark.parametrize("name", ["switzerlandnorth", "norwayeast"])
def test_switzerland_and_norway_are_in_azures_eu_data_zone(catalog: Catalog, name: str) -> None:
    assert catalog.azure_regions[name].data_zone == "eu"


def test_catalog_records_the_page_copy_it_was_imported_from(catalog: Catalog) -> None:
    assert "llms-txt-archive/openai-platform" in catalog.source
    assert "09d7fb59880dff7696425065a62f9e81168d79d6" in catalog.source
    assert catalog.as_of == "2026-12-04"


# --- whole stacks: what the tables list passes -----------------------------------------------


@pytest.mark.parametrize(
    ("region", "config"),
    [
        ("eu", {"app__chatModel": "gpt-6-astra"}),
        ("eu", {"app__responsesModel": "gpt-5.6-terra"}),
        ("eu", {"app__batchModel": "gpt-5.6-luna"}),
        ("eu", {"app__realtimeModel": "gpt-realtime-2.1-mini"}),
        ("us", {"app__transcriptionModel": "gpt-transcribe"}),
        ("eu", {"app__ttsModel": "gpt-4o-tts"}),
        ("eu", {"app__imageModel": "gpt-image-2.5-flare-2026-09-08"}),
        ("eu", {"app__responsesModel": "o1-pro"}),
        ("ae", {"app__chatModel": "gpt-5.6-luna"}),
        ("ae", {"app__batchModel": "gpt-5.4-2026-03-05"}),
        ("gb", {"app__imageModel": "gpt-image-2"}),
        ("eu", {"app__url": "https://eu.api.openai.com/v1/live/sessions"}),
        ("eu", {"app__url": "https://eu.api.openai.com/v1/decisions"}),
        ("us", {"app__chatModel": "gpt-6.1-sol"}),
    ],
)
def test_a_stack_using_what_the_tables_list_passes(region: str, config: dict[str, str]) -> None:
    found = rules_of(scan_yaml(stack(region, **config)))
    assert not {"RG003", "RG004", "RG005"} & set(found), found


# Verified in the 09d7fb5 copy's endpoint limitations (the facts file asked to check them).
@pytest.mark.parametrize(
    ("region", "words"),
    [("eu", ("store=true outside the US", "background=true in the EU", "tracing")),
     ("gb", ("store=true outside the US",)),
     ("ae", ("additional approval", "store=true outside the US"))],
)  # fmt: skip
def test_endpoint_limitations_are_noted(
    catalog: Catalog, region: str, words: tuple[str, ...]
) -> None:
    note = catalog.region(region).provenance.note
    assert all(word in note for word in words)
