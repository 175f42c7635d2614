"""Deployed state: the residency summary that stack outputs carry in a ``pulumi stack export``.

The components export ``summary`` (region, host, base_url, models, catalog_as_of); the program
exports it as a stack output, which the state keeps in the ``outputs`` of its resource of type
``pulumi:pulumi:Stack``. A component's own ``summary`` output is read too, for programs that
do not re-export it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from residency_guard.errors import ResidencyGuardError
from residency_guard.sources.pulumi_json import json_kind, load_json
from residency_guard.stackregion import COMPONENT_TYPE
from residency_guard.values import SECRET_SIG_KEY, is_secret_wrapper

STACK_TYPE = "pulumi:pulumi:Stack"
SUMMARY_FIELDS = ("region", "host", "base_url", "models", "catalog_as_of")


def deployed_summaries(path: Path) -> list[dict[str, Any]]:
    """The residency summaries of a state export; [] for a preview or an unreadable file."""
    try:
        data = load_json(path)
    except ResidencyGuardError:
        return []  # the scan reported it already
    if json_kind(data) != "state":
        return []
    resources = data.get("deployment", data).get("resources")
    if not isinstance(resources, list):
        return []  # not the shape pulumi writes: the scan reported it already
    found: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for resource in resources:
        if not isinstance(resource, Mapping):
            continue
        rtype = resource.get("type")
        outputs = resource.get("outputs")
        if rtype not in (STACK_TYPE, COMPONENT_TYPE) or not isinstance(outputs, Mapping):
            continue
        where = "stack output" if rtype == STACK_TYPE else f"{_name(resource)} output"
        for key, summary in _summaries(outputs):
            entry = {"output": f"{where} {key}", **summary}
            identity = (str(summary.get("region")), str(summary.get("host")))
            if identity in seen:
                continue  # the stack output re-exports the component's summary
            seen.add(identity)
            found.append(entry)
    return found


def _name(resource: Mapping[str, Any]) -> str:
    urn = str(resource.get("urn") or "")
    return urn.rsplit("::", 1)[-1] if urn else "component"


def _summaries(outputs: Mapping[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """``summary``, and any other output that is a mapping with a region and a host."""
    for key in sorted(outputs, key=lambda k: (k != "summary", str(k))):
        value = _unwrap(outputs[key])
        if not isinstance(value, Mapping) or SECRET_SIG_KEY in value:
            continue
        if key == "summary" or ("region" in value and "host" in value):
            yield str(key), {name: _plain(_unwrap(value.get(name))) for name in SUMMARY_FIELDS}


def _unwrap(value: Any) -> Any:
    """A secret output shows as ``[secret]``: the report never prints a secret's value."""
    if isinstance(value, Mapping) and is_secret_wrapper(value):
        return "[secret]"
    return value


def _plain(value: Any) -> Any:
    """Strings, numbers, lists and mappings of them, nothing else (JSON-ready)."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, Mapping):
        return {str(k): _plain(_unwrap(v)) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(_unwrap(v)) for v in value]
    return str(value)
