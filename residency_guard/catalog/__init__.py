"""The region catalog: typed values (``model``) loaded from YAML data (``loader``).

``schema`` (cerberus) and ``parse`` read a file; ``compose`` makes the shipped files one
catalog; ``overlay`` layers a team's choices (overlay files, the pack's settings) on it;
``index`` remembers lookups per catalog object; ``openai_page`` imports OpenAI's tables.
"""

from residency_guard.catalog.loader import load_catalog, shipped_catalog
from residency_guard.catalog.model import (
    AzureRegion,
    AzureScope,
    Catalog,
    Coverage,
    Gateway,
    MisconfiguredHost,
    ModelAlias,
    Processing,
    Provenance,
    Region,
    Surface,
)
from residency_guard.catalog.overlay import Overlay, apply_overlay
from residency_guard.ownyaml import format_key_path

__all__ = [
    "AzureRegion",
    "AzureScope",
    "Catalog",
    "Coverage",
    "Gateway",
    "MisconfiguredHost",
    "ModelAlias",
    "Overlay",
    "Processing",
    "Provenance",
    "Region",
    "Surface",
    "apply_overlay",
    "format_key_path",
    "load_catalog",
    "shipped_catalog",
]
