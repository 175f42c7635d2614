"""Residency labels as each target accepts them.

The core's labels (``residency_guard.api.LABEL_*``) are Kubernetes label keys
(``residency-guard/region``) and AWS tag keys as they are. Azure tag names refuse ``/``, and
GCP label keys allow only lowercase letters, digits, ``_`` and ``-``, with values of the same
characters: there ``/`` becomes ``_`` and every other character becomes ``-``
(``eu.api.openai.com`` -> ``eu-api-openai-com``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_GCP_REFUSED = re.compile(r"[^a-z0-9_-]")
_GCP_MAX = 63  # characters of a GCP label key or value


def merged(labels: Mapping[str, str], extra: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's own labels plus the residency labels; the residency labels win."""
    return {**(extra or {}), **labels}


def azure_tags(labels: Mapping[str, str]) -> dict[str, str]:
    return {key.replace("/", "_"): value for key, value in labels.items()}


def gcp_label(text: str) -> str:
    return _GCP_REFUSED.sub("-", text.lower().replace("/", "_"))[:_GCP_MAX]


def gcp_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {gcp_label(key): gcp_label(value) for key, value in labels.items()}
