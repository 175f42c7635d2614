"""Whether a model may be used on a surface in a region."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

from residency_guard.catalog.model import Catalog, Region
from residency_guard.keys import names_model, surface_hint
from residency_guard.values import Value


class Eligibility(str, Enum):
    ELIGIBLE = "eligible"
    ALIAS = "alias"  # an undated alias where only dated snapshots are eligible
    NOT_ELIGIBLE = "not-eligible"  # known to OpenAI, not eligible here
    UNKNOWN = "unknown"  # not in the catalog at all: denied, never allowed silently
    BANNED = "banned"  # banned by the team's catalog


@dataclass(frozen=True)
class ModelVerdict:
    model: str
    surface: str
    eligibility: Eligibility
    snapshot: str | None = None  # the dated snapshot to pin, for an alias
    reason: str = ""  # why a team banned it
    base: str = ""  # the base model of a fine-tuned id

    @property
    def allowed(self) -> bool:
        return self.eligibility is Eligibility.ELIGIBLE


def known_models(catalog: Catalog) -> Mapping[str, frozenset[str]]:
    """Every model the catalog names, with the surfaces it is listed for in any region."""
    return catalog.index.models


def base_model(model: str) -> str:
    """``ft:gpt-4o-mini-2024-07-18:org::id`` -> ``gpt-4o-mini-2024-07-18``."""
    if model.startswith("ft:"):
        parts = model.split(":")
        return parts[1] if len(parts) > 1 else model
    return model


def surface_for_model(catalog: Catalog, model: str, hint: str | None) -> str:
    """The surface a model is used on: the key's hint, else where the catalog lists it."""
    if model.startswith("ft:"):
        return hint or "chat"
    if hint and hint in catalog.surfaces:
        return hint
    listed = known_models(catalog).get(model, frozenset())
    for preferred in ("chat", "responses", "embeddings", "audio", "images", "moderations"):
        if preferred in listed:
            return preferred
    return sorted(listed)[0] if listed else (hint or "chat")


def model_verdict(catalog: Catalog, region: Region, model: str, hint: str | None) -> ModelVerdict:
    """The verdict on one model id in one region (fine-tuned ids are judged by their base)."""
    if catalog.regions.get(region.id) is not region:
        return _verdict(catalog, region, model, hint)  # not this catalog's region to remember
    key = (region.id, model, hint)  # three rules ask about each model value; models repeat
    found: ModelVerdict | None = catalog.index.verdicts.get(key)
    if found is None:
        found = catalog.index.verdicts.remember(key, _verdict(catalog, region, model, hint))
    return found


def named_model_verdict(
    value: Value, catalog: Catalog, region: Region | None
) -> ModelVerdict | None:
    """The verdict in ``region`` on the model ``value`` names (its text, stripped, for the
    surface its name or path hints); None without a region, for an unknown value, or for a
    value that names no model. The model rules all start here."""
    if region is None or value.unknown or not names_model(value):
        return None
    return model_verdict(catalog, region, value.text.strip(), surface_hint(value))


def _verdict(catalog: Catalog, region: Region, model: str, hint: str | None) -> ModelVerdict:
    surface = surface_for_model(catalog, model, hint)
    base = base_model(model)
    if model in catalog.banned_models or base in catalog.banned_models:
        reason = catalog.banned_models.get(model) or catalog.banned_models.get(base, "")
        return ModelVerdict(model, surface, Eligibility.BANNED, reason=reason, base=base)
    judged_surface = "fine_tuning" if model.startswith("ft:") else surface
    eligible = region.models.get(judged_surface, frozenset())
    if base in eligible:
        return ModelVerdict(model, surface, Eligibility.ELIGIBLE, base=base)
    alias = catalog.aliases.get(base)
    if alias is not None:
        return ModelVerdict(model, surface, Eligibility.ALIAS, snapshot=alias.snapshot, base=base)
    if base in known_models(catalog):
        return ModelVerdict(model, surface, Eligibility.NOT_ELIGIBLE, base=base)
    return ModelVerdict(model, surface, Eligibility.UNKNOWN, base=base)


def eligible_examples(region: Region, surface: str, limit: int = 3) -> list[str]:
    return sorted(region.models.get(surface, frozenset()), reverse=True)[:limit]
