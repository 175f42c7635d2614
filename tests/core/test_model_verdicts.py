"""The verdict on a model id in a region (``modelcheck``), which RG003, RG004 and RG016 all
read: which surface it is judged on, and whether the region's tables list it there
(/work/shared/reference/openai-residency-facts.md, "Models eligible for EU residency")."""

from __future__ import annotations

import pathlib

import pytest

from residency_guard.catalog import Catalog, load_catalog, shipped_catalog
from residency_guard.modelcheck import (
    Eligibility,
    ModelVerdict,
    base_model,
    eligible_examples,
    model_verdict,
    named_model_verdict,
)
from residency_guard.values import Value

ELIGIBLE, ALIAS, NOT_ELIGIBLE, UNKNOWN, BANNED = (
    Eligibility.ELIGIBLE, Eligibility.ALIAS, Eligibility.NOT_ELIGIBLE, Eligibility.UNKNOWN,
    Eligibility.BANNED,
)  # fmt: skip


def verdict(
    region: str, model: str, hint: str | None = None, catalog: Catalog | None = None
) -> ModelVerdict:
    catalog = catalog or shipped_catalog()
    return model_verdict(catalog, catalog.region(region), model, hint)


# (region, model, the key's surface hint, the verdict's surface and eligibility)
VERDICTS = [
    ("eu", "gpt-4o-2024-11-20", None, "chat", ELIGIBLE),
    ("eu", "gpt-4o-2024-11-20", "responses", "responses", ELIGIBLE),
    ("eu", "gpt-4o-2024-11-20", "embeddings", "embeddings", NOT_ELIGIBLE),  # named, not there
    ("eu", "gpt-4o-2024-11-20", "no-such-surface", "chat", ELIGIBLE),  # an unknown hint: listed
    ("eu", "o1-pro-2025-03-19", None, "responses", ELIGIBLE),  # Responses and Batches only
    ("eu", "o1-pro-2025-03-19", "chat", "chat", NOT_ELIGIBLE),
    ("eu", "text-embedding-3-large", None, "embeddings", ELIGIBLE),
    ("eu", "tts-1", None, "audio", ELIGIBLE),
    ("eu", "gpt-image-1", None, "images", ELIGIBLE),
    ("eu", "omni-moderation-latest", None, "moderations", ELIGIBLE),
    ("eu", "gpt-realtime", None, "realtime", ELIGIBLE),  # listed for realtime alone
    ("gb", "gpt-realtime", None, "realtime", NOT_ELIGIBLE),  # realtime: us and eu only
    ("ae", "text-embedding-3-large", None, "embeddings", ELIGIBLE),
    ("gb", "gpt-6.1-sol", None, "chat", NOT_ELIGIBLE),  # us/eu only
    ("eu", "gpt-unknown-9", None, "chat", UNKNOWN),
    ("eu", "gpt-unknown-9", "embeddings", "embeddings", UNKNOWN),
]


@pytest.mark.parametrize(("region", "model", "hint", "surface", "eligibility"), VERDICTS)
def test_a_model_is_judged_on_its_surface(
    region: str, model: str, hint: str | None, surface: str, eligibility: Eligibility
) -> None:
    assert verdict(region, model, hint) == ModelVerdict(model, surface, eligibility, base=model)


def test_an_undated_alias_names_the_snapshot_to_pin() -> None:
    assert verdict("eu", "gpt-4o") == ModelVerdict(
        "gpt-4o", "chat", ALIAS, snapshot="gpt-4o-2024-11-20", base="gpt-4o"
    )
    assert verdict("eu", "gpt-4o").allowed is False
    assert verdict("eu", "gpt-4o-2024-11-20").allowed is True


FINE_TUNED = "ft:gpt-4o-mini-2024-07-18:acme::abc123"


def test_a_fine_tuned_model_is_judged_by_its_base_on_fine_tuning() -> None:
    assert base_model(FINE_TUNED) == "gpt-4o-mini-2024-07-18"
    assert base_model("gpt-4o-mini-2024-07-18") == "gpt-4o-mini-2024-07-18"
    assert verdict("eu", FINE_TUNED) == ModelVerdict(
        FINE_TUNED, "chat", ELIGIBLE, base="gpt-4o-mini-2024-07-18"
    )
    assert verdict("eu", FINE_TUNED, "responses").surface == "responses"
    # o3 is no fine-tuning base model in the EU, though listed for chat there.
    tuned_o3 = "ft:o3-2025-04-16:acme::x"
    assert verdict("eu", tuned_o3) == ModelVerdict(
        tuned_o3, "chat", NOT_ELIGIBLE, base="o3-2025-04-16"
    )


def test_a_team_ban_names_its_reason_for_the_model_and_its_fine_tunes(
    tmp_path: pathlib.Path,
) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text(
        "banned_models:\n  gpt-4o-mini-2024-07-18: too small for our evals\n  gpt-4-0613: too old\n",
        encoding="utf-8",
    )
    catalog = load_catalog([overlay])
    assert verdict("eu", "gpt-4-0613", catalog=catalog) == ModelVerdict(
        "gpt-4-0613", "chat", BANNED, reason="too old", base="gpt-4-0613"
    )
    assert verdict("eu", FINE_TUNED, catalog=catalog) == ModelVerdict(
        FINE_TUNED, "chat", BANNED, reason="too small for our evals", base="gpt-4o-mini-2024-07-18"
    )
    assert verdict("eu", "gpt-4o-2024-11-20", catalog=catalog).eligibility is ELIGIBLE


def test_a_narrowed_region_judges_with_its_own_list(tmp_path: pathlib.Path) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text("models:\n  eu:\n    chat: [gpt-4.1-2025-04-14]\n", encoding="utf-8")
    catalog = load_catalog([overlay])
    assert verdict("eu", "gpt-4o-2024-11-20", catalog=catalog).eligibility is NOT_ELIGIBLE
    assert verdict("eu", "gpt-4o-2024-11-20").eligibility is ELIGIBLE  # the shipped list


def test_a_region_of_another_catalog_is_judged_as_given() -> None:
    """A region object the catalog does not hold (a pack's narrowed copy) is judged on its
    own lists, never from the catalog's remembered verdicts."""
    import dataclasses

    catalog = shipped_catalog()
    eu = catalog.region("eu")
    narrowed = dataclasses.replace(eu, models={**eu.models, "chat": frozenset()})
    assert model_verdict(catalog, eu, "gpt-4o-2024-11-20", None).eligibility is ELIGIBLE
    assert model_verdict(catalog, narrowed, "gpt-4o-2024-11-20", None).eligibility is NOT_ELIGIBLE
    assert model_verdict(catalog, eu, "gpt-4o-2024-11-20", None).eligibility is ELIGIBLE


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Value(("config", "app:chatModel"), " gpt-4o ", "app:chatModel"), ("gpt-4o", ALIAS)),
        (Value(("config", "app:embeddingModel"), "gpt-4o-2024-11-20", "app:embeddingModel"),
         ("gpt-4o-2024-11-20", NOT_ELIGIBLE)),
        (Value(("config", "app:chatModel"), "", "app:chatModel", unknown=True), None),
        (Value(("config", "app:greeting"), "gpt-4o", "app:greeting"), None),
    ],
)  # fmt: skip
def test_a_value_naming_a_model_gets_the_verdict_its_key_hints(
    value: Value, expected: tuple[str, Eligibility] | None
) -> None:
    catalog = shipped_catalog()
    found = named_model_verdict(value, catalog, catalog.region("eu"))
    assert (found and (found.model, found.eligibility)) == expected
    assert named_model_verdict(value, catalog, None) is None


def test_a_fix_shows_three_eligible_models_in_reverse_name_order() -> None:
    eu = shipped_catalog().region("eu")
    examples = eligible_examples(eu, "embeddings")
    assert examples == [
        "text-embedding-ada-002",
        "text-embedding-3-small",
        "text-embedding-3-large",
    ]
    assert eligible_examples(eu, "chat", limit=1) == [max(eu.models["chat"])]
    assert eligible_examples(eu, "files") == []


def test_a_fine_tuned_id_banned_by_its_full_name_gives_that_reason(tmp_path: pathlib.Path) -> None:
    overlay = tmp_path / "team.yaml"
    overlay.write_text(f"banned_models:\n  '{FINE_TUNED}': a leaked tune\n", encoding="utf-8")
    catalog = load_catalog([overlay])
    assert verdict("eu", FINE_TUNED, catalog=catalog).reason == "a leaked tune"
    assert verdict("eu", "gpt-4o-mini-2024-07-18", catalog=catalog).eligibility is ELIGIBLE


def test_a_fine_tuned_id_without_its_suffix_is_judged_by_its_base() -> None:
    assert base_model("ft:gpt-4o-mini-2024-07-18") == "gpt-4o-mini-2024-07-18"


def test_regions_of_another_catalog_are_never_answered_from_each_other() -> None:
    import dataclasses

    catalog = shipped_catalog()
    eu = catalog.region("eu")
    empty = dataclasses.replace(eu, models={**eu.models, "chat": frozenset()})
    full = dataclasses.replace(eu)
    assert model_verdict(catalog, empty, "gpt-4o-2024-11-20", None).eligibility is NOT_ELIGIBLE
    assert model_verdict(catalog, full, "gpt-4o-2024-11-20", None).eligibility is ELIGIBLE
    assert model_verdict(catalog, full, "gpt-4o-2024-11-20", "embeddings").surface == "embeddings"


def test_a_fix_shows_three_eligible_models_by_default() -> None:
    assert len(eligible_examples(shipped_catalog().region("eu"), "chat")) == 3
