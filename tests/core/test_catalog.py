"""The shipped catalog against /work/shared/reference/openai-residency-facts.md, and overlays."""

from __future__ import annotations

import pathlib

import pytest

from residency_guard.catalog import (
    AzureScope,
    Catalog,
    Processing,
    format_key_path,
    load_catalog,
    shipped_catalog,
)
from residency_guard.errors import CatalogError, UnknownRegionError


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return shipped_catalog()


def write(tmp_path: pathlib.Path, text: str, name: str = "team-catalog.yaml") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --- hosts ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "host"),
    [
        ("global", "api.openai.com"),
        ("us", "us.api.openai.com"),
        ("eu", "eu.api.openai.com"),
        ("gb", "gb.api.openai.com"),
        ("ca", "ca.api.openai.com"),
        ("jp", "jp.api.openai.com"),
        ("in", "in.api.openai.com"),
        ("au", "au.api.openai.com"),
        ("sg", "sg.api.openai.com"),
        ("kr", "kr.api.openai.com"),
        ("ae", "ae.api.openai.com"),
    ],
)
def test_each_region_has_its_host(catalog: Catalog, region: str, host: str) -> None:
    assert catalog.region(region).host == host
    assert catalog.region_by_host(host) == catalog.region(region)


def test_catalog_has_exactly_the_eleven_regions(catalog: Catalog) -> None:
    assert list(catalog.regions) == [
        "global", "us", "eu", "gb", "ca", "jp", "in", "au", "sg", "kr", "ae",
    ]  # fmt: skip


def test_api_openai_com_is_the_global_host_without_residency(catalog: Catalog) -> None:
    region = catalog.region_by_host("API.OpenAI.com")
    assert region is not None
    assert (region.id, region.residency, region.coverage, region.models) == (
        "global",
        False,
        {},
        {},
    )
    assert "api.openai.com" not in catalog.residency_hosts()
    assert "us.api.openai.com" in catalog.residency_hosts()


def test_unknown_region_names_the_known_ids(catalog: Catalog) -> None:
    with pytest.raises(
        UnknownRegionError, match=r"unknown region 'europe'; use one of: global, us"
    ):
        catalog.region("europe")


@pytest.mark.parametrize(
    ("host", "correction"),
    [
        ("api.openai.eu", "eu.api.openai.com"),
        ("api.eu.openai.com", "eu.api.openai.com"),
        ("uk.api.openai.com", "gb.api.openai.com"),
    ],
)
def test_misconfigured_host_suggests_the_real_one(
    catalog: Catalog, host: str, correction: str
) -> None:
    assert catalog.misconfigured_hosts[host].correction == correction
    assert catalog.region_by_host(host) is None


@pytest.mark.parametrize(
    ("region", "sdk_value"),
    [("global", "global"), ("us", "us"), ("eu", "eu"), ("ae", "ae"), ("gb", None), ("jp", None)],
)
def test_sdk_data_residency_exists_for_global_us_eu_ae_only(
    catalog: Catalog, region: str, sdk_value: str | None
) -> None:
    assert catalog.region(region).sdk_data_residency == sdk_value


@pytest.mark.parametrize(
    ("region", "processing"),
    [
        ("us", Processing.IN_REGION),
        ("eu", Processing.IN_REGION),
        ("ae", Processing.PARTIAL),
        ("gb", Processing.NOT_IN_REGION),
        ("jp", Processing.NOT_IN_REGION),  # newer page hints yes; unconfirmed
        ("kr", Processing.NOT_IN_REGION),
    ],
)
def test_region_processing(catalog: Catalog, region: str, processing: Processing) -> None:
    assert catalog.region(region).processing is processing


# --- models --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "surface", "model", "eligible"),
    [
        ("eu", "chat", "gpt-4o-2024-11-20", True),
        ("eu", "chat", "gpt-4o", False),  # aliases are not listed, snapshots are
        ("eu", "chat", "gpt-5.6-luna", True),
        ("eu", "responses", "gpt-5.6-luna", True),
        ("eu", "responses", "o1-pro-2025-03-19", True),
        ("eu", "batches", "o1-pro-2025-03-19", True),
        ("eu", "chat", "o1-pro-2025-03-19", False),
        ("eu", "embeddings", "text-embedding-3-small", True),
        ("eu", "fine_tuning", "gpt-4o-mini-2024-07-18", True),
        ("eu", "audio", "whisper-1", True),
        ("eu", "images", "gpt-image-2", True),
        ("eu", "moderations", "omni-moderation-latest", True),
        ("us", "chat", "gpt-4o-2024-11-20", True),  # copied from the EU table
        ("gb", "chat", "gpt-4o-2024-11-20", True),  # assumed: EU's list for stored surfaces
        ("ae", "chat", "gpt-5.5-2026-04-23", True),
        ("ae", "responses", "gpt-5.2-2025-12-11", True),
        # ae stores every listed model (processed outside unless in its processing subset)
        ("ae", "chat", "gpt-4o-2024-11-20", True),
        ("ae", "embeddings", "text-embedding-3-large", True),
        ("ae", "embeddings", "text-embedding-3-small", True),
        ("ae", "realtime", "gpt-realtime", False),
    ],
)
def test_model_eligibility(
    catalog: Catalog, region: str, surface: str, model: str, eligible: bool
) -> None:
    assert (model in catalog.region(region).models.get(surface, frozenset())) is eligible


def test_ae_processes_only_text_embedding_3_large(catalog: Catalog) -> None:
    assert catalog.region("ae").processed_models["embeddings"] == {"text-embedding-3-large"}


@pytest.mark.parametrize(
    ("alias", "snapshot"),
    [
        ("gpt-4o", "gpt-4o-2024-11-20"),
        ("gpt-4o-mini", "gpt-4o-mini-2024-07-18"),
        ("gpt-4.1", "gpt-4.1-2025-04-14"),
        ("gpt-5", "gpt-5-2025-08-07"),
        ("gpt-5.5-pro", "gpt-5.5-pro-2026-04-23"),
    ],
)
def test_alias_points_to_a_dated_snapshot(catalog: Catalog, alias: str, snapshot: str) -> None:
    assert catalog.aliases[alias].snapshot == snapshot


# --- coverage ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("region", "surface", "stored", "processed"),
    [
        ("eu", "chat", True, True),
        ("ae", "embeddings", True, True),
        ("gb", "chat", True, False),
        ("gb", "files", True, False),
        ("eu", "files", True, False),
        ("eu", "vector_stores", True, False),
        ("ae", "batches", True, False),
        ("us", "web_search", True, True),
        ("eu", "realtime", True, True),
        ("us", "evals", True, True),
    ],
)
def test_coverage(
    catalog: Catalog, region: str, surface: str, stored: bool, processed: bool
) -> None:
    coverage = catalog.region(region).coverage[surface]
    assert (coverage.stored, coverage.processed) == (stored, processed)


@pytest.mark.parametrize(
    "surface",
    ["assistants", "threads", "conversations", "videos", "completions", "image_variations"],
)
def test_uncovered_surface_is_covered_in_no_region(catalog: Catalog, surface: str) -> None:
    assert [r.id for r in catalog.regions.values() if r.covers(surface)] == []


@pytest.mark.parametrize(("region", "surface"), [("jp", "realtime"), ("ae", "evals")])
def test_realtime_and_evals_are_not_covered_outside_us_and_eu(
    catalog: Catalog, region: str, surface: str
) -> None:
    assert not catalog.region(region).covers(surface)


@pytest.mark.parametrize(
    ("surface", "paths", "takes_model"),
    [
        ("chat", ("/v1/chat/completions",), True),
        ("images", ("/v1/images/edits", "/v1/images/generations"), True),
        ("fine_tuning", ("/v1/fine_tuning/jobs",), True),
        ("audio", ("/v1/audio/transcriptions", "/v1/audio/translations", "/v1/audio/speech"), True),
        ("files", ("/v1/files",), False),
        ("file_search", (), False),
    ],
)
def test_surface_paths(
    catalog: Catalog, surface: str, paths: tuple[str, ...], takes_model: bool
) -> None:
    assert (catalog.surfaces[surface].paths, catalog.surfaces[surface].takes_model) == (
        paths,
        takes_model,
    )


# --- provenance ----------------------------------------------------------------------


def test_every_region_entry_has_as_of_and_source(catalog: Catalog) -> None:
    missing = [
        r.id
        for r in catalog.regions.values()
        if not r.provenance.as_of or not r.provenance.source.startswith("https://")
    ]
    assert missing == []
    assert (catalog.version, catalog.as_of) == ("2026.12.4", "2026-12-04")


@pytest.mark.parametrize("region", ["jp", "in", "au"])
def test_hinted_processing_is_recorded_as_unconfirmed(catalog: Catalog, region: str) -> None:
    assert any("hinted" in note for note in catalog.region(region).unconfirmed)


# --- Azure ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data_zone", "residency_region"),
    [
        ("swedencentral", "eu", "eu"),
        ("westeurope", "eu", "eu"),
        ("northeurope", None, "eu"),
        ("uksouth", None, "gb"),
        ("switzerlandnorth", "eu", "eu"),  # in the EU data zone (EU Data Boundary)
        ("norwayeast", "eu", "eu"),
        ("eastus2", "us", "us"),
    ],
)
def test_azure_region(
    catalog: Catalog, name: str, data_zone: str | None, residency_region: str | None
) -> None:
    region = catalog.azure_regions[name]
    assert (region.data_zone, region.residency_region) == (data_zone, residency_region)


@pytest.mark.parametrize(
    ("sku", "scope"),
    [
        ("Standard", AzureScope.REGION),
        ("ProvisionedManaged", AzureScope.REGION),
        ("DataZoneStandard", AzureScope.DATA_ZONE),
        ("DataZoneBatch", AzureScope.DATA_ZONE),
        ("GlobalStandard", AzureScope.GLOBAL),
        ("DeveloperTier", AzureScope.GLOBAL),
    ],
)
def test_azure_sku_scope(catalog: Catalog, sku: str, scope: AzureScope) -> None:
    assert catalog.azure_skus[sku] is scope


# --- overlays ------------------------------------------------------------------------


def test_no_overlay_is_the_shipped_catalog(catalog: Catalog) -> None:
    assert load_catalog() is catalog


def test_overlay_narrows_and_never_widens(tmp_path: pathlib.Path) -> None:
    overlay = write(
        tmp_path,
        "models:\n  eu:\n    chat: [gpt-4o-2024-11-20, gpt-4.1-2025-04-14]\n",
    )
    narrowed = load_catalog([overlay])
    assert narrowed.region("eu").models["chat"] == {"gpt-4o-2024-11-20", "gpt-4.1-2025-04-14"}
    assert (
        narrowed.region("eu").models["responses"]
        == shipped_catalog().region("eu").models["responses"]
    )
    assert narrowed.sources[-1] == str(overlay)


def test_second_overlay_cannot_restore_a_model_the_first_removed(tmp_path: pathlib.Path) -> None:
    first = write(tmp_path, "models: {eu: {chat: [gpt-4o-2024-11-20]}}\n", "a.yaml")
    second = write(tmp_path, "models: {eu: {chat: [gpt-4.1-2025-04-14]}}\n", "b.yaml")
    assert load_catalog([first, second]).region("eu").models["chat"] == frozenset()


def test_overlay_binds_a_gateway_and_bans_a_model(tmp_path: pathlib.Path) -> None:
    overlay = write(
        tmp_path,
        "gateways:\n"
        "  - host: llm-gw.corp.example\n"
        "    region: eu\n"
        "    note: forwards to eu.api.openai.com\n"
        "banned_models:\n"
        "  gpt-4-0613: too old for our evals\n",
    )
    result = load_catalog([overlay])
    gateway = result.gateways["llm-gw.corp.example"]
    assert (gateway.region, gateway.note) == ("eu", "forwards to eu.api.openai.com")
    assert result.banned_models == {"gpt-4-0613": "too old for our evals"}
    assert shipped_catalog().gateways == {}  # the shipped catalog is untouched


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "gateway:\n  - host: gw\n",
            "team-catalog.yaml:1: gateway: unknown field; expected one of: gateways, models,",
        ),
        (
            "# team\ngateways:\n  - host: gw.internal\n    region: europe\n",
            "team-catalog.yaml:4: gateways[0].region: unknown region 'europe'; "
            "use one of: global, us, eu,",
        ),
        (
            "models:\n  eu:\n    chat:\n      - gpt-4o-2024-11-20\n      - gpt-4o\n",
            "team-catalog.yaml:5: models.eu.chat[1]: model 'gpt-4o' is not eligible for chat "
            "in region 'eu'; did you mean 'gpt-4o-2024-11-20'",
        ),
        (
            "models:\n  eu:\n    chat: [o1-pro-2025-03-19]\n",
            "team-catalog.yaml:3: models.eu.chat[0]: model 'o1-pro-2025-03-19' is not eligible "
            "for chat in region 'eu'; an overlay can only narrow the shipped list",
        ),
        (
            "models:\n  eu:\n    chats: [gpt-4o-2024-11-20]\n",
            "team-catalog.yaml:3: models.eu.chats: unknown surface 'chats'; use one of: audio, batches, chat,",
        ),
        (
            "gateways:\n  - {host: eu.api.openai.com, region: eu}\n",
            "team-catalog.yaml:2: gateways[0].host: 'eu.api.openai.com' is OpenAI's host for "
            "region 'eu'",
        ),
        (
            "gateways:\n  - {region: eu}\n",
            "team-catalog.yaml:2: gateways[0].host: required field",
        ),
        (
            "misconfigured_hosts:\n  api.openai.de: {correction: eu.openai.com, why: typo}\n",
            'team-catalog.yaml:2: misconfigured_hosts["api.openai.de"].correction: unknown '
            "host 'eu.openai.com'; use one of:",
        ),
        (
            "banned_models:\n  gpt-4.1: x\n  gpt-4.1: y\n",
            'team-catalog.yaml:3: banned_models["gpt-4.1"]: duplicate key (lines 2 and 3; YAML readers '
            "keep the last silently); keep one",
        ),
        (
            "gateways:\n  - host: gw\n   region: eu\n",
            "team-catalog.yaml:3: invalid YAML: expected <block end>",
        ),
        (
            "- gateways\n",
            "team-catalog.yaml:1: expected a mapping at the top level, found a list",
        ),
        ("", "team-catalog.yaml: empty document; expected a mapping"),
    ],
)
def test_malformed_overlay_is_one_line_naming_file_line_and_key_path(
    tmp_path: pathlib.Path, text: str, expected: str
) -> None:
    overlay = write(tmp_path, text)
    with pytest.raises(CatalogError) as caught:
        load_catalog([overlay])
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(tmp_path) + "/")
    assert message.removeprefix(str(tmp_path) + "/").startswith(expected)


def test_missing_overlay_names_the_file(tmp_path: pathlib.Path) -> None:
    missing = tmp_path / "absent.yaml"
    with pytest.raises(CatalogError, match=r"absent\.yaml: catalog overlay not found"):
        load_catalog([missing])


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("regions", "eu", "models", "chat", 3), "regions.eu.models.chat[3]"),
        (("gateways", 0, "region"), "gateways[0].region"),
        (("misconfigured_hosts", "api.openai.eu"), 'misconfigured_hosts["api.openai.eu"]'),
    ],
)
def test_format_key_path(path: tuple[str | int, ...], text: str) -> None:
    assert format_key_path(path) == text
