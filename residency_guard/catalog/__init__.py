"""The region catalog: typed values (``model``) loaded from YAML data (``loader``)."""

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
from residency_guard.ownyaml import format_key_path

__all__ = [
    "AzureRegion",
    "AzureScope",
    "Catalog",
    "Coverage",
    "Gateway",
    "MisconfiguredHost",
    "ModelAlias",
    "Processing",
    "Provenance",
    "Region",
    "Surface",
    "format_key_path",
    "load_catalog",
    "shipped_catalog",
]
