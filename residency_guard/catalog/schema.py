"""Cerberus schemas for the shipped catalog files and for a team's overlay file.

The schemas check shape and spelling. References between entries (a region's surfaces,
a gateway's region, an overlay's models) depend on the shipped catalog and are checked
by ``compose`` (shipped files) and ``overlay`` (a team's file), which report them the same
way: file, line, key path.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

# Lower-case DNS names; a single label is allowed for internal gateway hosts.
HOST = r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
# Model ids as OpenAI spells them, including fine-tuned ids ("ft:gpt-4o-mini:org::id").
MODEL = r"[A-Za-z0-9][A-Za-z0-9._:/-]*"
ID = r"[a-z][a-z0-9_-]*"
URL = r"https://\S+"
ISO_DATE = r"\d{4}-\d{2}-\d{2}"
ENDPOINT_PATH = r"/v1(/[a-z0-9_.-]+)+"

PROCESSING = ("in-region", "partial", "not-in-region")
COVERAGE_FLAGS = ("stored", "processed")
AZURE_SCOPES = ("region", "data-zone", "global")
DATA_ZONES = ("eu", "us")


def _text(**extra: Any) -> Schema:
    return {"type": "string", "empty": False, **extra}


def _list_of(item: Schema, **extra: Any) -> Schema:
    return {"type": "list", "schema": item, **extra}


def _mapping(keys: Schema, values: Schema, **extra: Any) -> Schema:
    return {"type": "dict", "keysrules": keys, "valuesrules": values, **extra}


# YAML reads an unquoted 2026-10-31 as a date; accept it as well as the quoted string.
DATE: Schema = {"type": ["date", "string"], "regex": ISO_DATE}

PROVENANCE: Schema = {
    "type": "dict",
    "required": True,
    "schema": {"as_of": {**DATE, "required": True}, "source": _text(regex=URL, required=True)},
}

SURFACE: Schema = {
    "title": _text(required=True),
    # Exact endpoint paths: no trailing "/" (no prefix of a family).
    "paths": _list_of(_text(regex=ENDPOINT_PATH), required=True),
    "takes_model": {"type": "boolean", "default": True},
    "system_data": {"type": "boolean", "default": False},
}

SURFACES: Schema = {
    "provenance": PROVENANCE,
    "surfaces": _mapping(_text(regex=ID), {"type": "dict", "schema": SURFACE}, required=True),
}

MODEL_SETS: Schema = _mapping(_text(regex=ID), _list_of(_text(regex=MODEL), empty=False))

MODELS: Schema = {
    "provenance": PROVENANCE,
    "sets": {**MODEL_SETS, "required": True},
}

# What the region tables say a region needs before it may be used; the words are ours
# (residency_guard.catalog.preconditions), the ids come from the tables' columns and footnotes.
PRECONDITIONS = (
    "mam-or-zdr",  # "MAM or ZDR required": Yes
    "retention-controls",  # ZDR, MAM, Private Retention with PSP or Safety Retention
    "image-approval",  # image support needs enhanced ZDR or MAM approval
    "processing-outside",  # storage only: processed (and briefly stored) outside the region
    "processing-partial",  # only some snapshots are processed in region
)

REGION: Schema = {
    "title": _text(required=True),
    "host": _text(regex=HOST, required=True),
    "residency": {"type": "boolean", "required": True},
    "stores_at_rest": {"type": "boolean", "required": True},
    "processing": _text(allowed=list(PROCESSING), required=True),
    # value of the SDKs' data_residency option (hand-kept: the page does not say)
    "sdk_data_residency": _text(nullable=True, default=None),
    "mam_or_zdr_required": {"type": "boolean", "default": False},
    "preconditions": _list_of(_text(allowed=list(PRECONDITIONS)), default=[]),
    # surface id -> [stored] or [stored, processed]
    "coverage": _mapping(
        _text(), _list_of(_text(allowed=list(COVERAGE_FLAGS)), empty=False), default={}
    ),
    # surface id -> names of model sets (models.yaml) whose union is eligible
    "models": _mapping(_text(), _list_of(_text()), default={}),
    # surface id -> the sets whose union is processed in region, where only some are
    "processed_models": _mapping(_text(), _list_of(_text()), default={}),
    # surface id -> model -> a limit the tables put on it here ("Standard processing only")
    "limits": _mapping(_text(), _mapping(_text(regex=MODEL), _text()), default={}),
    "as_of": {**DATE, "required": True},
    "source": _text(regex=URL, required=True),
    "note": _text(),
    "unconfirmed": _list_of(_text(), default=[]),
}

# Page-derived (written by `residency-guard catalog import`).
REGIONS: Schema = {
    "as_of": {**DATE, "required": True},
    "source": _text(regex=URL, required=True),
    "regions": _mapping(
        _text(regex=ID), {"type": "dict", "schema": REGION}, required=True, empty=False
    ),
}


def _partial(rules: Schema) -> Schema:
    """``rules`` with nothing required and no defaults: a hand-kept entry adds to the page's."""
    return {
        key: {k: v for k, v in rule.items() if k not in ("required", "default")}
        for key, rule in rules.items()
    }


# Hand-kept facts, layered on the page-derived files by the loader (never by the import):
# regions the page does not have (global) and what the page does not say of its regions
# (SDK options, notes), surfaces in no residency table, model aliases, facts newer than
# the page copy, and the import's names for the page's rows.
HANDKEPT: Schema = {
    "version": _text(regex=r"\d{4}\.\d{1,2}\.\d{1,2}", required=True),
    "provenance": PROVENANCE,
    "rows": _mapping(
        _text(),
        {
            "type": "dict",
            "schema": {
                "surface": _text(regex=ID, nullable=True, required=True),
                "title": _text(),
            },
        },
        default={},
    ),
    "regions": _mapping(_text(regex=ID), {"type": "dict", "schema": _partial(REGION)}, default={}),
    "surfaces": _mapping(_text(regex=ID), {"type": "dict", "schema": SURFACE}, default={}),
    "sets": {**MODEL_SETS, "default": {}},
    "aliases": _mapping(_text(regex=MODEL), _text(regex=MODEL), default={}),
}

MISCONFIGURED_HOSTS: Schema = _mapping(
    _text(regex=HOST),
    {
        "type": "dict",
        "schema": {
            "correction": _text(regex=HOST, required=True),
            "why": _text(required=True),
        },
    },
)

HOSTS: Schema = {
    "provenance": PROVENANCE,
    "misconfigured_hosts": {**MISCONFIGURED_HOSTS, "required": True},
}

AZURE: Schema = {
    "provenance": PROVENANCE,
    "host_suffixes": _list_of(_text(regex=r"\.[a-z0-9.-]+"), required=True, empty=False),
    "skus": _mapping(_text(regex=r"[A-Za-z]+"), _text(allowed=list(AZURE_SCOPES)), required=True),
    "regions": _mapping(
        _text(regex=r"[a-z0-9]+"),
        {
            "type": "dict",
            "schema": {
                "country": _text(regex=r"[A-Z]{2}", required=True),
                "eu_member": {"type": "boolean", "required": True},
                "data_zone": _text(allowed=list(DATA_ZONES), nullable=True, required=True),
                "residency_region": _text(nullable=True, required=True),
            },
        },
        required=True,
    ),
}

# A team's overlay: it may bind gateways, narrow model lists, ban models and add
# misconfigured hosts. It can never widen what OpenAI allows (checked by ``overlay``).
OVERLAY: Schema = {
    "gateways": _list_of(
        {
            "type": "dict",
            "schema": {
                "host": _text(regex=HOST, required=True),
                "region": _text(required=True),
                "note": _text(),
            },
        }
    ),
    # region id -> surface id -> the models the team allows (a subset of the shipped list)
    "models": _mapping(_text(), _mapping(_text(), _list_of(_text(regex=MODEL)))),
    "banned_models": _mapping(_text(regex=MODEL), _text()),
    "misconfigured_hosts": MISCONFIGURED_HOSTS,
}

# The files written by `catalog import`, then the hand-kept ones.
PAGE_FILES = ("surfaces.yaml", "models.yaml", "regions.yaml")
SHIPPED: dict[str, Schema] = {
    "surfaces.yaml": SURFACES,
    "models.yaml": MODELS,
    "regions.yaml": REGIONS,
    "handkept.yaml": HANDKEPT,
    "hosts.yaml": HOSTS,
    "azure.yaml": AZURE,
}
