"""Residency labels as each target accepts them, stamped by one helper for every sink.

The core's labels (``residency_guard.api.LABEL_*``) are Kubernetes label keys
(``residency-guard/region``) and AWS tag keys as they are. Azure tag names refuse ``/``, and
GCP label keys allow only lowercase letters, digits, ``_`` and ``-``, with values of the same
characters: there ``/`` becomes ``_`` and every other character becomes ``-``
(``eu.api.openai.com`` -> ``eu-api-openai-com``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from components.openai_residency import OpenAIResidency

Target = Literal["aws", "azure", "gcp", "kubernetes"]

_GCP_REFUSED = re.compile(r"[^a-z0-9_-]")
_GCP_MAX = 63  # characters of a GCP label key or value


def stamp(
    target: Target, residency: OpenAIResidency, own: Mapping[str, str] | None
) -> dict[str, str]:
    """The tags (labels) a sink's resources carry on ``target``: the team's ``own`` plus the
    residency labels of ``residency``, which win, spelt as the target accepts them."""
    return _SPELLINGS[target](_merged(residency.resolved.labels, own))


def _merged(labels: Mapping[str, str], extra: Mapping[str, str] | None) -> dict[str, str]:
    """The caller's own labels plus the residency labels; the residency labels win."""
    return {**(extra or {}), **labels}


def _azure_tags(labels: Mapping[str, str]) -> dict[str, str]:
    return {key.replace("/", "_"): value for key, value in labels.items()}


def _gcp_label(text: str) -> str:
    return _GCP_REFUSED.sub("-", text.lower().replace("/", "_"))[:_GCP_MAX]


def _gcp_labels(labels: Mapping[str, str]) -> dict[str, str]:
    return {_gcp_label(key): _gcp_label(value) for key, value in labels.items()}


_SPELLINGS: Mapping[Target, Callable[[Mapping[str, str]], dict[str, str]]] = {
    "aws": dict,  # tag keys accept "/"
    "kubernetes": dict,  # label keys take a "prefix/" as the core writes them
    "azure": _azure_tags,
    "gcp": _gcp_labels,
}
