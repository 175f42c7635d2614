"""A catalog that cannot be built says so in one line: the file, the line, the key path and
what is wrong, whether it is a folder of catalog files (``catalog --data``, ``catalog import``)
or a team's overlay; and an overlay layers exactly what it says."""

from __future__ import annotations

import dataclasses
import pathlib
import shutil
from typing import Any

import pytest
import yaml

from residency_guard.catalog import load_catalog, loader, shipped_catalog
from residency_guard.catalog.loader import catalog_from_dir, shipped_data_dir
from residency_guard.catalog.model import Gateway, MisconfiguredHost
from residency_guard.catalog.overlay import Overlay, apply_overlay
from residency_guard.catalog.schema import SHIPPED
from residency_guard.errors import CatalogError


@pytest.fixture
def data(tmp_path: pathlib.Path) -> pathlib.Path:
    """A copy of the shipped catalog files, to break one at a time."""
    folder = tmp_path / "catalog"
    folder.mkdir()
    for name in SHIPPED:
        shutil.copy(shipped_data_dir() / name, folder / name)
    return folder


def edit(folder: pathlib.Path, name: str, old: str, new: str, at: str | None = None) -> int:
    """Replaces the first ``old`` in ``name`` by ``new``; the 1-based line where ``at`` (or,
    without it, ``new``) starts in the edited file."""
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    inside = new[: new.index(at)] if at is not None else ""
    return text[: text.index(old)].count("\n") + inside.count("\n") + 1


def error_of(folder: pathlib.Path) -> str:
    with pytest.raises(CatalogError) as caught:
        catalog_from_dir(folder)
    message = str(caught.value)
    assert "\n" not in message
    return message


def test_an_intact_folder_is_the_shipped_catalog(data: pathlib.Path) -> None:
    built = catalog_from_dir(data)
    assert built.sources == tuple(str(data / name) for name in SHIPPED)
    shipped = shipped_catalog()
    assert repr(dataclasses.replace(built, sources=shipped.sources)) == repr(shipped)


def test_a_missing_file_is_named(data: pathlib.Path) -> None:
    (data / "azure.yaml").unlink()
    assert (
        error_of(data)
        == f"{data / 'azure.yaml'}: cannot read catalog file: No such file or directory"
    )


def test_a_path_of_two_surfaces_names_the_first_owner(data: pathlib.Path) -> None:
    edit(
        data, "surfaces.yaml", "paths: [/v1/batches]", "paths: [/v1/batches, /v1/chat/completions]"
    )
    text = (data / "surfaces.yaml").read_text(encoding="utf-8")
    line = text[: text.index("    paths: [/v1/chat/completions]")].count("\n") + 1
    assert error_of(data) == (
        f"{data / 'surfaces.yaml'}:{line}: surfaces.chat.paths[0]: "
        "path '/v1/chat/completions' already belongs to surface 'batches'"
    )


def test_an_alias_to_no_known_snapshot(data: pathlib.Path) -> None:
    new = "aliases:\n  gpt-nope: gpt-nope-2020-01-01\n"
    line = edit(data, "handkept.yaml", "aliases:\n", new, at="  gpt-nope:")
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: aliases.gpt-nope: "
        "snapshot 'gpt-nope-2020-01-01' is in no model set"
    )


def test_two_regions_with_one_host(data: pathlib.Path) -> None:
    line = edit(
        data, "regions.yaml", "    host: eu.api.openai.com\n", "    host: us.api.openai.com\n"
    )
    assert error_of(data) == (
        f"{data / 'regions.yaml'}:{line}: regions.eu.host: "
        "host 'us.api.openai.com' already belongs to region 'us'"
    )


def test_a_region_without_residency_covers_nothing(data: pathlib.Path) -> None:
    edit(data, "regions.yaml", "    residency: true\n", "    residency: false\n")
    line = edit(data, "regions.yaml", "    coverage:\n", "    coverage:\n")
    assert error_of(data) == (
        f"{data / 'regions.yaml'}:{line}: regions.us.coverage: "
        "a region without residency covers no surface and lists no models"
    )


def test_coverage_of_an_unknown_surface_lists_the_known(data: pathlib.Path) -> None:
    line = edit(
        data,
        "regions.yaml",
        "      audio: [stored, processed]\n",
        "      audiox: [stored, processed]\n",
    )
    message = error_of(data)
    assert message.startswith(
        f"{data / 'regions.yaml'}:{line}: regions.us.coverage.audiox: unknown surface 'audiox'; "
        "use one of: audio, batches, chat, embeddings,"
    )


def test_models_of_an_unknown_surface_lists_the_known(data: pathlib.Path) -> None:
    line = edit(data, "regions.yaml", "      audio: [audio]\n", "      audiox: [audio]\n")
    assert error_of(data).startswith(
        f"{data / 'regions.yaml'}:{line}: regions.us.models.audiox: unknown surface 'audiox'; "
        "use one of: audio, batches,"
    )


def test_models_of_a_surface_the_region_does_not_cover(data: pathlib.Path) -> None:
    edit(data, "regions.yaml", "      audio: [stored, processed]\n", "")
    line = edit(data, "regions.yaml", "      audio: [audio]\n", "      audio: [audio]\n")
    assert error_of(data) == (
        f"{data / 'regions.yaml'}:{line}: regions.us.models.audio: "
        "lists models for 'audio', which the region does not cover"
    )


def test_an_unknown_model_set_lists_the_known(data: pathlib.Path) -> None:
    line = edit(data, "regions.yaml", "      audio: [audio]\n", "      audio: [audiox]\n")
    assert error_of(data).startswith(
        f"{data / 'regions.yaml'}:{line}: regions.us.models.audio[0]: unknown model set 'audiox'; "
        "use one of: audio, batches,"
    )


def test_processed_models_of_an_unknown_set(data: pathlib.Path) -> None:
    line = edit(data, "regions.yaml", "      chat: [ae-chat-processed]\n", "      chat: [nope]\n")
    assert error_of(data).startswith(
        f"{data / 'regions.yaml'}:{line}: regions.ae.processed_models.chat[0]: "
        "unknown model set 'nope'; use one of:"
    )


def test_a_limit_on_a_model_the_region_does_not_list(data: pathlib.Path) -> None:
    line = edit(data, "regions.yaml", "        gpt-6-sol: Standard processing only\n",
                "        gpt-0-nope: Standard processing only\n")  # fmt: skip
    assert error_of(data) == (
        f"{data / 'regions.yaml'}:{line}: regions.eu.limits.batches.gpt-0-nope: "
        "a limit on 'gpt-0-nope', which the region does not list for 'batches'"
    )


def test_a_hand_kept_region_not_on_the_page_needs_every_required_fact(data: pathlib.Path) -> None:
    edit(data, "handkept.yaml", "    host: api.openai.com\n", "")
    line = edit(data, "handkept.yaml", "  global:\n", "  global:\n")
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: regions.global: "
        "region 'global' is not on the page, so it needs 'host'"
    )


def test_a_hand_kept_fact_never_overrides_the_page(data: pathlib.Path) -> None:
    line = edit(data, "handkept.yaml", "  us:\n    sdk_data_residency: us\n",
                "  us:\n    processing: not-in-region\n    sdk_data_residency: us\n",
                at="    processing: not-in-region")  # fmt: skip
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: regions.us.processing: the page gives us.processing; "
        "a hand-kept fact cannot override the page; "
        "drop it from handkept.yaml, or import a newer copy of the page"
    )


def test_a_hand_kept_surface_the_page_has_now(data: pathlib.Path) -> None:
    line = edit(data, "handkept.yaml", "\nsurfaces:\n",
                "\nsurfaces:\n  chat:\n    title: Chat\n    paths: [/v1/chat/other]\n",
                at="  chat:\n    title: Chat\n")  # fmt: skip
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: surfaces.chat: surface 'chat' is on the page now; "
        "drop it from handkept.yaml (the page's entry is used)"
    )


def test_a_hand_kept_model_set_the_page_has(data: pathlib.Path) -> None:
    line = edit(
        data, "handkept.yaml", "\nsets:\n", "\nsets:\n  chat: [gpt-x]\n", at="  chat: [gpt-x]"
    )
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: sets.chat: model set 'chat' is on the page already"
    )


def test_a_misconfigured_host_that_is_a_regions_host(data: pathlib.Path) -> None:
    line = edit(data, "hosts.yaml", "misconfigured_hosts:\n",
                "misconfigured_hosts:\n  eu.api.openai.com: {correction: us.api.openai.com, why: x}\n",
                at="  eu.api.openai.com:")  # fmt: skip
    assert error_of(data) == (
        f'{data / "hosts.yaml"}:{line}: misconfigured_hosts["eu.api.openai.com"]: '
        "'eu.api.openai.com' is the host of region 'eu'"
    )


def test_a_correction_to_no_known_host_lists_the_hosts(data: pathlib.Path) -> None:
    line = edit(
        data, "hosts.yaml", "    correction: eu.api.openai.com\n", "    correction: eu.openai.com\n"
    )
    assert error_of(data).startswith(
        f'{data / "hosts.yaml"}:{line}: misconfigured_hosts["api.openai.eu"].correction: '
        "unknown host 'eu.openai.com'; use one of: ae.api.openai.com, api.openai.com,"
    )


def test_an_azure_region_counted_as_an_unknown_region(data: pathlib.Path) -> None:
    line = edit(data, "azure.yaml", "francecentral: {country: FR, eu_member: true, data_zone: eu, residency_region: eu}",
                "francecentral: {country: FR, eu_member: true, data_zone: eu, residency_region: europe}")  # fmt: skip
    assert error_of(data).startswith(
        f"{data / 'azure.yaml'}:{line}: regions.francecentral.residency_region: "
        "unknown region 'europe'; use one of: global, us, eu,"
    )


def test_the_first_schema_problem_in_the_file_is_the_one_reported(data: pathlib.Path) -> None:
    # Two problems: the later key path sorts first, the earlier line wins.
    edit(data, "azure.yaml", "  Standard: region\n", "  Standard: everywhere\n")
    line = edit(data, "azure.yaml", "  - .openai.azure.com\n", "  - openai.azure.com\n")
    message = error_of(data)
    assert message.startswith(
        f"{data / 'azure.yaml'}:{line}: host_suffixes[0]: value does not match"
    )


def test_an_unknown_top_level_key_lists_the_known(data: pathlib.Path) -> None:
    line = edit(data, "hosts.yaml", "misconfigured_hosts:\n", "misconfigured:\n  x: 1\nmisconfigured_hosts:\n",
                at="misconfigured:")  # fmt: skip
    assert error_of(data) == (
        f"{data / 'hosts.yaml'}:{line}: misconfigured: unknown field; "
        "expected one of: provenance, misconfigured_hosts"
    )


def test_a_nested_unknown_key_has_no_list_of_top_level_keys(data: pathlib.Path) -> None:
    line = edit(data, "hosts.yaml", "    why: appears in third-party guides only; no OpenAI source uses it\n",
                "    why: appears in third-party guides only; no OpenAI source uses it\n    typo: 1\n",
                at="    typo: 1")  # fmt: skip
    assert error_of(data) == (
        f'{data / "hosts.yaml"}:{line}: misconfigured_hosts["api.openai.eu"].typo: unknown field'
    )


# --- what a YAML reader refuses -----------------------------------------------------------


def overlay_error(tmp_path: pathlib.Path, text: str) -> str:
    path = tmp_path / "team.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CatalogError) as caught:
        load_catalog([path])
    message = str(caught.value)
    assert "\n" not in message
    return message.replace(str(path), "team.yaml")


def test_a_value_yaml_cannot_build_is_an_invalid_value(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "banned_models:\n  gpt-4: !!int many\n") == (
        "team.yaml: invalid value: invalid literal for int() with base 10: 'many'; fix the value"
    )


def test_a_deeply_nested_file_is_refused_in_one_line(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "models: " + "[" * 5000 + "]" * 5000 + "\n") == (
        "team.yaml: YAML nested too deeply; flatten it"
    )


def test_a_character_yaml_refuses_is_invalid_yaml(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "banned_models:\n  gpt-4: \x07\n").startswith(
        "team.yaml: invalid YAML: unacceptable character #x0007"
    )


def test_a_scalar_document_is_no_mapping(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "# team\ngateways\n") == (
        "team.yaml:2: expected a mapping at the top level, found a scalar"
    )


def test_a_folder_named_as_an_overlay_cannot_be_read(tmp_path: pathlib.Path) -> None:
    folder = tmp_path / "team.yaml"
    folder.mkdir()
    with pytest.raises(CatalogError) as caught:
        load_catalog([folder])
    assert str(caught.value).startswith(f"{folder}: cannot read catalog overlay: [Errno 21]")


# --- a team's overlay -----------------------------------------------------------------------


GATEWAY = "gateways:\n  - {host: llm-gw.corp.example, region: eu}\n"


def test_a_gateway_without_a_note_has_an_empty_one(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(GATEWAY, encoding="utf-8")
    assert load_catalog([path]).gateways["llm-gw.corp.example"] == Gateway(
        "llm-gw.corp.example", "eu", ""
    )


def test_a_gateway_bound_again_to_its_region_is_fine_to_another_an_error(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(GATEWAY + "  - {host: llm-gw.corp.example, region: eu, note: again}\n")
    assert load_catalog([path]).gateways["llm-gw.corp.example"].note == "again"
    assert overlay_error(tmp_path, GATEWAY + "  - {host: llm-gw.corp.example, region: us}\n") == (
        "team.yaml:3: gateways[1].host: gateway 'llm-gw.corp.example' is already bound to "
        "region 'eu'"
    )


def test_a_gateway_bound_by_an_earlier_overlay_cannot_move(tmp_path: pathlib.Path) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(GATEWAY, encoding="utf-8")
    second = tmp_path / "second.yaml"
    second.write_text("gateways:\n  - {host: llm-gw.corp.example, region: us}\n")
    with pytest.raises(CatalogError, match=r"second\.yaml:2: gateways\[0\]\.host: gateway "
                       r"'llm-gw.corp.example' is already bound to region 'eu'"):  # fmt: skip
        load_catalog([first, second])


def test_a_misconfigured_host_is_no_gateway(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "gateways:\n  - {host: api.openai.eu, region: eu}\n") == (
        "team.yaml:2: gateways[0].host: 'api.openai.eu' is a misconfigured OpenAI host"
    )


def test_a_gateway_host_is_no_misconfigured_host(tmp_path: pathlib.Path) -> None:
    text = GATEWAY + (
        "misconfigured_hosts:\n"
        "  llm-gw.corp.example: {correction: eu.api.openai.com, why: old name}\n"
    )
    assert overlay_error(tmp_path, text) == (
        'team.yaml:4: misconfigured_hosts["llm-gw.corp.example"]: '
        "'llm-gw.corp.example' is a gateway host"
    )


def test_models_of_an_unknown_region_list_the_regions(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "# narrow\nmodels:\n  europe: {chat: [gpt-4o]}\n") == (
        "team.yaml:3: models.europe: unknown region 'europe'; "
        "use one of: global, us, eu, gb, ca, jp, in, au, sg, kr, ae"
    )


def test_an_overlay_may_narrow_a_surface_the_region_lists_no_models_for(
    tmp_path: pathlib.Path,
) -> None:
    # `files` takes no model: the only list that narrows nothing is the empty one.
    path = tmp_path / "team.yaml"
    path.write_text("models:\n  eu: {files: []}\n", encoding="utf-8")
    assert load_catalog([path]).region("eu").models["files"] == frozenset()


def test_an_overlay_adds_misconfigured_hosts_beside_the_shipped_ones(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "team.yaml"
    path.write_text(
        "misconfigured_hosts:\n  openai.corp.example: {correction: eu.api.openai.com, why: old}\n"
    )
    result = load_catalog([path])
    assert result.misconfigured_hosts["openai.corp.example"] == MisconfiguredHost(
        "openai.corp.example", "eu.api.openai.com", "old"
    )
    assert set(shipped_catalog().misconfigured_hosts) < set(result.misconfigured_hosts)


def test_an_overlay_that_says_nothing_still_names_its_file(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "team.yaml"
    path.write_text("{}\n", encoding="utf-8")
    result = load_catalog([path])
    assert result.sources == (*shipped_catalog().sources, str(path))
    assert result.regions == shipped_catalog().regions


@pytest.mark.parametrize(
    "overlay",
    [
        Overlay(gateways=(Gateway("gw.corp.example", "eu"),)),
        Overlay(models={"eu": {"chat": frozenset({"gpt-4o-2024-11-20"})}}),
        Overlay(banned_models={"gpt-4-0613": "too old"}),
        Overlay(misconfigured_hosts=(MisconfiguredHost("openai.corp", "eu.api.openai.com", "x"),)),
    ],
)
def test_each_kind_of_setting_alone_is_layered(overlay: Overlay) -> None:
    """The pack's settings make overlays of one kind, with no file."""
    shipped = shipped_catalog()
    layered = apply_overlay(shipped, overlay)
    assert layered is not shipped
    assert layered.sources == shipped.sources
    assert (
        [g.host for g in overlay.gateways] == list(layered.gateways)
        and all(layered.banned_models[m] == r for m, r in overlay.banned_models.items())
        and all(layered.misconfigured_hosts[h.host] == h for h in overlay.misconfigured_hosts)
        and all(
            layered.regions[rid].models[sid] == models
            for rid, by_surface in overlay.models.items()
            for sid, models in by_surface.items()
        )
    )
    assert apply_overlay(shipped, Overlay()) is shipped


# --- what a folder of catalog files builds ----------------------------------------------------


def _raw(folder: pathlib.Path, name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
    return loaded


def test_each_page_region_carries_what_its_entry_says(data: pathlib.Path) -> None:
    """The page-derived entries, read by plain YAML, against the regions the folder builds."""
    built = catalog_from_dir(data)
    page = _raw(data, "regions.yaml")
    for rid, entry in page["regions"].items():
        region = built.regions[rid]
        assert (region.title, region.host, region.residency, region.stores_at_rest) == (
            entry["title"], entry["host"], entry["residency"], entry["stores_at_rest"],
        ), rid  # fmt: skip
        assert region.processing.value == entry["processing"], rid
        assert region.mam_or_zdr_required is entry.get("mam_or_zdr_required", False), rid
        assert region.preconditions == tuple(entry.get("preconditions", [])), rid
        for sid, flags in entry.get("coverage", {}).items():
            covered = region.coverage[sid]
            assert (covered.stored, covered.processed) == (
                "stored" in flags, "processed" in flags,
            ), (rid, sid)  # fmt: skip
        assert (region.provenance.as_of, region.provenance.source) == (
            str(entry["as_of"]), entry["source"],
        ), rid  # fmt: skip
        for sid, by_model in entry.get("limits", {}).items():
            assert dict(region.limits[sid]) == by_model, rid
    eu = built.regions["eu"]
    assert eu.covers("files") and not eu.coverage["files"].processed  # stored only
    assert eu.sdk_data_residency == "eu"  # hand-kept: the page does not say
    assert "store=true" in eu.provenance.note
    assert built.regions["global"].provenance.note.startswith("The global endpoint promises")
    # A hand-kept list adds to the page's; a hand-kept note of doubt is kept beside its own.
    assert "gpt-6.1-sol" in eu.models["chat"] and "gpt-4o-2024-11-20" in eu.models["chat"]
    assert any("hinted at in-region processing" in n for n in built.regions["jp"].unconfirmed)
    assert built.regions["ae"].processed_models["embeddings"] == {"text-embedding-3-large"}


def test_each_surface_carries_what_its_entry_says(data: pathlib.Path) -> None:
    built = catalog_from_dir(data)
    entries = {**_raw(data, "surfaces.yaml")["surfaces"], **_raw(data, "handkept.yaml")["surfaces"]}
    assert list(built.surfaces) == list(entries)
    for sid, entry in entries.items():
        surface = built.surfaces[sid]
        assert (surface.id, surface.title, surface.paths) == (
            sid,
            entry["title"],
            tuple(entry["paths"]),
        )
        assert surface.takes_model is entry.get("takes_model", True), sid
        assert surface.system_data is entry.get("system_data", False), sid
    assert not built.surfaces["files"].takes_model and built.surfaces["chat"].takes_model
    assert any(s.system_data for s in built.surfaces.values())


def test_the_catalogs_own_facts_come_from_their_files(data: pathlib.Path) -> None:
    built = catalog_from_dir(data)
    handkept, page = _raw(data, "handkept.yaml"), _raw(data, "regions.yaml")
    assert (built.version, built.as_of, built.source) == (
        handkept["version"], str(page["as_of"]), page["source"],
    )  # fmt: skip
    assert {a.alias: a.snapshot for a in built.aliases.values()} == handkept["aliases"]
    assert built.aliases["gpt-4o"].alias == "gpt-4o"
    hosts = _raw(data, "hosts.yaml")["misconfigured_hosts"]
    assert {h: (m.correction, m.why) for h, m in built.misconfigured_hosts.items()} == {
        h: (e["correction"], e["why"]) for h, e in hosts.items()
    }  # fmt: skip
    azure = _raw(data, "azure.yaml")
    assert {
        name: (r.name, r.country, r.eu_member, r.data_zone, r.residency_region)
        for name, r in built.azure_regions.items()
    } == {
        name: (name, e["country"], e["eu_member"], e["data_zone"], e["residency_region"])
        for name, e in azure["regions"].items()
    }  # fmt: skip
    assert {sku: scope.value for sku, scope in built.azure_skus.items()} == azure["skus"]
    assert built.azure_host_suffixes == tuple(azure["host_suffixes"])


def test_a_misconfigured_host_corrected_twice_must_agree(tmp_path: pathlib.Path) -> None:
    ok = "misconfigured_hosts:\n  api.openai.eu: {correction: eu.api.openai.com, why: again}\n"
    path = tmp_path / "team.yaml"
    path.write_text(ok, encoding="utf-8")
    assert load_catalog([path]).misconfigured_hosts["api.openai.eu"].why == "again"
    clash = "misconfigured_hosts:\n  api.openai.eu: {correction: us.api.openai.com, why: x}\n"
    assert overlay_error(tmp_path, clash) == (
        'team.yaml:2: misconfigured_hosts["api.openai.eu"].correction: '
        "'api.openai.eu' is already corrected to 'eu.api.openai.com'"
    )


def test_the_shipped_catalog_is_read_from_its_compiled_documents(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """At start the shipped files are not parsed nor validated again: compiled.json holds
    them, checked against their bytes (test_catalog_compiled keeps it current)."""

    def parsed(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"a shipped file was parsed again: {args[0]}")

    loader.shipped_catalog.cache_clear()
    monkeypatch.setattr(loader, "parse_file", parsed)
    try:
        assert loader.shipped_catalog().regions["eu"].host == "eu.api.openai.com"
    finally:
        loader.shipped_catalog.cache_clear()


# --- hand-kept facts and regions the page lacks --------------------------------------------

GLOBAL_NOTE = "    note: The global endpoint promises no region"


@pytest.mark.parametrize(
    ("added", "key"),
    [("    coverage: {chat: [stored]}\n", "coverage"), ("    models: {chat: [chat]}\n", "models")],
)
def test_a_hand_kept_region_without_residency_is_reported_in_handkept(
    data: pathlib.Path, added: str, key: str
) -> None:
    """The global region is hand-kept only: its problem is in handkept.yaml (it was reported
    at regions.yaml's `regions:` line)."""
    line = edit(data, "handkept.yaml", GLOBAL_NOTE, added + GLOBAL_NOTE, at=added)
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: regions.global.{key}: "
        "a region without residency covers no surface and lists no models"
    )


def test_a_page_region_without_hand_kept_facts_is_the_pages_alone(data: pathlib.Path) -> None:
    edit(data, "handkept.yaml", "  kr: *storage_only_newer\n", "")
    built = catalog_from_dir(data)
    kr, sg = built.regions["kr"], built.regions["sg"]
    assert list(built.regions)[-1] == "kr"  # the hand-kept file's order first, then the page's
    assert kr.host == "kr.api.openai.com" and kr.residency
    assert "decisions" not in kr.coverage and "decisions" in sg.coverage  # the hand-kept fact
    assert kr.provenance.note == "" and kr.sdk_data_residency is None


def test_a_hand_kept_limit_adds_to_the_pages_limits_of_a_surface(data: pathlib.Path) -> None:
    new = "  eu:\n    limits: {batches: {gpt-6-astra: Flex processing only}}\n"
    edit(data, "handkept.yaml", "  eu:\n", new)
    limits = catalog_from_dir(data).regions["eu"].limits["batches"]
    assert dict(limits) == {
        "gpt-6-sol": "Standard processing only",
        "gpt-6-luna": "Standard processing only",
        "gpt-6-astra": "Flex processing only",
    }


def test_a_hand_kept_fact_of_a_page_region_is_reported_where_it_is_written(
    data: pathlib.Path,
) -> None:
    """It was located at the page region's `limits:` in regions.yaml."""
    new = "  eu:\n    limits: {files: {gpt-6-sol: Standard processing only}}\n"
    line = edit(data, "handkept.yaml", "  eu:\n", new, at="    limits:")
    assert error_of(data) == (
        f"{data / 'handkept.yaml'}:{line}: regions.eu.limits.files.gpt-6-sol: "
        "a limit on 'gpt-6-sol', which the region does not list for 'files'"
    )


def test_an_unquoted_date_is_kept_as_the_iso_text(data: pathlib.Path) -> None:
    edit(data, "regions.yaml", "as_of: '2026-12-04'\n", "as_of: 2026-12-04\n")
    assert catalog_from_dir(data).as_of == "2026-12-04"


def test_of_two_problems_the_earlier_line_then_the_key_path_is_reported(
    data: pathlib.Path,
) -> None:
    # skus comes before regions in the file, though "regions" sorts first; on one line the
    # key paths decide (country before eu_member).
    edit(data, "azure.yaml", "  Standard: region\n", "  Standard: everywhere\n")
    edit(data, "azure.yaml", "francecentral: {country: FR, eu_member: true,",
         "francecentral: {country: fr, eu_member: maybe,")  # fmt: skip
    text = (data / "azure.yaml").read_text(encoding="utf-8")
    skus = text[: text.index("  Standard: everywhere")].count("\n") + 1
    france = text[: text.index("francecentral:")].count("\n") + 1
    assert error_of(data).startswith(
        f"{data / 'azure.yaml'}:{skus}: skus.Standard: unallowed value"
    )
    edit(data, "azure.yaml", "  Standard: everywhere\n", "  Standard: region\n")
    assert error_of(data).startswith(
        f"{data / 'azure.yaml'}:{france}: regions.francecentral.country: value does not match"
    )


def test_an_overlay_cannot_list_models_where_the_region_lists_none(tmp_path: pathlib.Path) -> None:
    assert overlay_error(tmp_path, "models:\n  eu:\n    files: [gpt-4o-2024-11-20]\n") == (
        "team.yaml:3: models.eu.files[0]: model 'gpt-4o-2024-11-20' is not eligible for files "
        "in region 'eu'; an overlay can only narrow the shipped list"
    )
