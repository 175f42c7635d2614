"""The report's data, built from a ScanRun: JSON-ready mappings, redacted and cleaned once here.

Everything the renderers show comes from :func:`build_report`'s result, so the one pass of
:func:`residency_guard.redact.redact_data` at its end is the guarantee that no key reaches the
HTML, the Markdown or the JSON. Values are never quoted whole where a URL could carry a
password: user info in a URL is replaced by ``***``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from residency_guard.catalog.model import Catalog, Region
from residency_guard.catalog.preconditions import text as precondition_text
from residency_guard.endpoints import endpoints_of
from residency_guard.findings import Finding, Severity
from residency_guard.hosts import Endpoint, EndpointKind
from residency_guard.keys import lists_surfaces, names_model, surface_hint
from residency_guard.modelcheck import base_model, model_verdict, surface_for_model
from residency_guard.pipeline import StackScan
from residency_guard.redact import clean_data
from residency_guard.rules import RULES
from residency_guard.scan import ScanRun
from residency_guard.stackregion import RegionResolution
from residency_guard.suppressions import SuppressionAudit
from residency_guard.values import Value

SCHEMA = "residency-guard-report/1"
GATEWAY_KEY = "residency-guard:gatewayHost"
Data = dict[str, Any]

_USERINFO = re.compile(r"(?<=://)[^/@\s]*@")
# Which group of a stack the JSON states and previews belong to: the stack file's.
_STACK_KINDS = ("stack-file", "preview", "state", "dotenv")
_LIMITS = (
    "It shows what the scanned files declare and what the given state exports say was "
    "deployed; it does not observe traffic.",
    "Traffic that no scanned config declares is not in it: endpoints and models hard-coded "
    "in application code, set at run time, read from secrets it cannot decrypt, or used by "
    "workloads these stacks do not deploy.",
    "Residency is a property of the OpenAI project an API key belongs to; the report cannot "
    "see which project a key was created in.",
    "The catalog's facts are as of its date; OpenAI's region tables may have changed since.",
    "A preview or state export is judged on its resources; the report lists endpoints, "
    "models and surfaces from stack files, dotenv files and preview config only.",
)


@dataclass(frozen=True)
class InputFile:
    path: str
    sha256: str
    size: int


@dataclass(frozen=True)
class ReportInputs:
    """What the report states that a ScanRun does not know: provenance and deployed state."""

    tool_version: str
    generated_at: str  # ISO 8601, UTC ("2026-11-01T12:00:00Z")
    git_commit: str  # "n/a" outside git
    policy_pack_version: str  # "n/a" without policies/PulumiPolicy.yaml
    inputs_sha256: str
    input_files: tuple[InputFile, ...] = ()
    fail_on: Severity = Severity.ERROR
    # state export file -> the residency summaries its outputs hold (see deployed.py)
    deployed: Mapping[str, Sequence[Mapping[str, Any]]] = field(default_factory=dict)


def build_report(run: ScanRun, inputs: ReportInputs) -> Data:
    """The whole report as JSON-ready data, redacted."""
    catalog = run.catalog
    findings = run.findings
    groups = _group(run.scans)
    stacks = [_stack(group, run, inputs) for group in groups]
    audit = run.suppressions
    failing = [f for f in findings if _fails(f, inputs.fail_on)]
    errors = [e.one_line() for e in run.errors]
    data: Data = {
        "schema": SCHEMA,
        "provenance": _provenance(run, inputs),
        "summary": {
            "stacks": len(stacks),
            "files": len(run.files),
            "findings": len([f for f in findings if not f.suppressed]),
            "failing": len(failing),
            "suppressed": len([f for f in findings if f.suppressed]),
            "expired_suppressions": len(audit.expired),
            "invalid_suppressions": len([e for e in audit.entries if not e.valid]),
            "errors": len(errors),
            "fail_on": inputs.fail_on.value,
            "result": "error" if errors else ("fail" if failing else "pass"),
        },
        "regions": [_region_row(r) for r in catalog.regions.values()],
        "stacks": stacks,
        "overview": _overview(stacks, catalog),
        "eligibility": _eligibility(stacks, catalog),
        "suppressions": _suppressions(audit),
        "run_findings": [_finding(f, audit, inputs.fail_on) for f in audit.findings],
        "errors": errors,
        "limits": list(_LIMITS),
    }
    cleaned: Data = clean_data(data)
    return cleaned


def display_url(text: str) -> str:
    """A URL as the report shows it: user info (a password, a key) replaced by ``***``."""
    return _USERINFO.sub("***@", text.strip())


def _fails(finding: Finding, fail_on: Severity) -> bool:
    return finding.suppression is None and finding.severity.at_least(fail_on)


def _provenance(run: ScanRun, inputs: ReportInputs) -> Data:
    catalog = run.catalog
    return {
        "tool": {"name": "residency-guard", "version": inputs.tool_version},
        "catalog": {
            "version": catalog.version,
            "as_of": catalog.as_of,
            "overlays": [str(p) for p in run.repo.catalog_files],
        },
        "policy_pack": {"version": inputs.policy_pack_version},
        "git_commit": inputs.git_commit,
        "generated_at": inputs.generated_at,
        "suppressions_judged_on": (
            run.suppressions.today.isoformat() if run.suppressions.today else "n/a"
        ),
        "repo_config": str(run.repo.path) if run.repo.path else "n/a",
        "inputs": {
            "sha256": inputs.inputs_sha256,
            "files": [
                {"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in inputs.input_files
            ],
        },
    }


def _region_row(region: Region) -> Data:
    return {
        "id": region.id,
        "title": region.title,
        "host": region.host,
        "residency": region.residency,
        "stores_at_rest": region.stores_at_rest,
        "processing": region.processing.value,
        "preconditions": [precondition_text(p) for p in region.preconditions],
        "source": region.provenance.source,
        "as_of": region.provenance.as_of,
    }


def _group(scans: Sequence[StackScan]) -> list[list[StackScan]]:
    """One group per stack file (or other file); a preview or state export joins the stack file
    of its stack when exactly one has that name."""
    groups: list[list[StackScan]] = []
    by_stack: dict[str, list[list[StackScan]]] = {}
    ordered = sorted(scans, key=lambda s: (_STACK_KINDS.index(s.kind) if s.kind in _STACK_KINDS
                                           else len(_STACK_KINDS), s.stack, s.file))  # fmt: skip
    for scan in ordered:
        if scan.kind in ("preview", "state"):
            owners = by_stack.get(scan.stack, [])
            if len(owners) == 1 and owners[0][0].kind == "stack-file":
                owners[0].append(scan)
                continue
        group = [scan]
        groups.append(group)
        if scan.kind == "stack-file":
            by_stack.setdefault(scan.stack, []).append(group)
    return sorted(groups, key=lambda g: (g[0].stack, g[0].file))


def _catalog_entry(region: Region | None) -> Data | None:
    if region is None:
        return None
    return {"region": region.id, "source": region.provenance.source,
            "as_of": region.provenance.as_of}  # fmt: skip


def _handling(region: Region | None, surface: str | None = None, model: str = "") -> str:
    """What the region does with a request: processes it, only stores it, or neither (a model
    outside a region's in-region subset, as in ae, is stored there and processed outside)."""
    if region is None:
        return "unknown region"
    if not region.residency:
        return "no residency (global)"
    if surface is None:
        return {
            "in-region": "stored and processed in region",
            "partial": "stored in region; processed in region for some models",
            "not-in-region": "stored in region; processed outside",
        }[region.processing.value]
    coverage = region.coverage.get(surface)
    if coverage is None or not (coverage.stored or coverage.processed):
        return "not covered"
    subset = region.processed_models.get(surface)
    if coverage.processed and not (model and subset is not None and model not in subset):
        return "stored and processed in region" if coverage.stored else "processed in region"
    return "stored in region; processed outside"


def _region_of(catalog: Catalog, resolution: RegionResolution) -> Region | None:
    return catalog.regions.get(resolution.region) if resolution.region else None


def _region_source(resolution: RegionResolution) -> str:
    if resolution.conflicting:
        return "conflict"
    return resolution.source.value if resolution.source is not None else "none"


def _linked(findings: Sequence[Finding], file: str, value: Value) -> list[Finding]:
    """The findings about one value: same file, same line, same key path."""
    path = value.dotted_path()
    return [f for f in findings if f.file == file and f.line == value.line
            and f.line and (f.path == path or not f.path)]  # fmt: skip


def _judged(linked: Sequence[Finding], catalog: Data | None) -> Data:
    """The closing fields of every endpoint, model and surface row: the verdict on the value,
    the catalog entry that allows it, its findings' rules and those that forbid it."""
    return {
        "verdict": _verdict(linked),
        "catalog": catalog,
        "findings": sorted({f.rule for f in linked}),
        "forbidden_by": _forbidding(linked),
    }


def _forbidding(linked: Sequence[Finding]) -> list[str]:
    """The rules whose unsuppressed findings forbid a value."""
    return sorted({f.rule for f in linked if f.suppression is None})


def _verdict(linked: Sequence[Finding]) -> str:
    if any(f.suppression is None for f in linked):
        return "forbidden"
    return "accepted (suppressed)" if linked else "allowed"


def _place(scan: StackScan, value: Value) -> Data:
    return {"file": scan.file, "line": value.line, "column": value.column,
            "key": value.dotted_path()}  # fmt: skip


def _endpoint_row(scan: StackScan, value: Value, endpoint: Endpoint, catalog: Catalog) -> Data:
    target = catalog.regions.get(endpoint.region or "")
    linked = _linked(scan.findings, scan.file, value)
    if endpoint.kind is EndpointKind.GATEWAY:
        gateway = catalog.gateways.get(endpoint.host)
        entry: Data | None = {
            "region": endpoint.region, "source": gateway.note if gateway else "team catalog",
            "as_of": catalog.as_of,
        }  # fmt: skip
    else:
        entry = _catalog_entry(target)
    return {
        "url": display_url(endpoint.text),
        "host": endpoint.host,
        "kind": endpoint.kind.value,
        "endpoint_region": endpoint.region,
        "origin": "config value",
        **_place(scan, value),
        "handling": _handling(target) if target is not None else "not an OpenAI region host",
        **_judged(linked, entry),
    }


def _scan_items(scan: StackScan, catalog: Catalog) -> tuple[list[Data], list[Data], list[Data]]:
    """(endpoints, models, surfaces) a scan's values reference, each with its place."""
    region = _region_of(catalog, scan.resolution)
    judged = region if region is not None and region.residency else None
    endpoints: list[Data] = []
    models: list[Data] = []
    surfaces: list[Data] = []
    seen: set[tuple[Any, ...]] = set()
    for value in scan.values:
        if value.unknown:
            continue
        for endpoint in endpoints_of(value, catalog):  # the rules' reading (issue 15, class 10)
            mark: tuple[Any, ...] = ("endpoint", value.line, value.column, endpoint.text)
            if mark in seen:
                continue
            seen.add(mark)
            endpoints.append(_endpoint_row(scan, value, endpoint, catalog))
            reached = catalog.surface_for_path(endpoint.path) if endpoint.path else None
            if reached is not None and endpoint.kind in (EndpointKind.OPENAI, EndpointKind.GATEWAY):
                surfaces.append(
                    _surface_row(scan, value, reached, region, catalog, "endpoint path")
                )
        if lists_surfaces(value) and value.text.strip():
            name = value.text.strip().lower().replace("-", "_")
            mark = ("surface", value.line, value.column, name)
            if mark not in seen:
                seen.add(mark)
                surfaces.append(_surface_row(scan, value, name, region, catalog, "surface list"))
        elif names_model(value):
            mark = ("model", value.line, value.column, value.text.strip())
            if mark in seen:
                continue
            seen.add(mark)
            model = value.text.strip()
            hint = surface_hint(value)
            linked = _linked(scan.findings, scan.file, value)
            if judged is not None:
                verdict = model_verdict(catalog, judged, model, hint)
                surface, eligibility = verdict.surface, verdict.eligibility.value
            else:
                surface = hint or "chat"
                eligibility = "not judged (no residency)" if region else "unknown region"
            models.append({
                "model": model, "surface": surface, **_place(scan, value),
                "eligibility": eligibility,
                "handling": _handling(region, surface, base_model(model)),
                **_judged(linked, _catalog_entry(region)),
            })  # fmt: skip
    return endpoints, models, surfaces


def _surface_row(
    scan: StackScan, value: Value, surface: str, region: Region | None, catalog: Catalog,
    origin: str,
) -> Data:  # fmt: skip
    linked = _linked(scan.findings, scan.file, value)
    known = catalog.surfaces.get(surface)
    return {
        "surface": surface,
        "title": known.title if known else "unknown surface",
        "origin": origin,
        **_place(scan, value),
        "handling": _handling(region, surface) if known else "unknown surface",
        **_judged(linked, _catalog_entry(region)),
    }


def _implied_endpoint(scan: StackScan, region: Region | None, gateway: str | None) -> Data | None:
    """The endpoint the components configure for the declared region (or the team gateway)."""
    if region is None:
        return None
    winner = scan.resolution.declarations[0] if scan.resolution.declarations else None
    host = gateway or region.host
    return {
        "url": f"https://{host}/v1", "host": host,
        "kind": "gateway" if gateway else "openai", "endpoint_region": region.id,
        "origin": "declared region", "file": winner.file if winner else scan.file,
        "line": winner.line if winner else 0, "column": 0, "key": "residency-guard:region",
        "handling": _handling(region), **_judged((), _catalog_entry(region)),
    }  # fmt: skip


def _finding(finding: Finding, audit: SuppressionAudit, fail_on: Severity) -> Data:
    data = finding.to_dict()
    rule = RULES.get(finding.rule)
    data["title"] = rule.title if rule else ""
    data["name"] = rule.name if rule else ""
    data["source_url"] = rule.source_url if rule else ""
    lapsed = audit.expired_for(finding) if finding.suppression is None else None
    if lapsed is not None:
        data["expired_suppression"] = {"reason": lapsed.reason, "until": lapsed.until,
                                       "source": lapsed.source}  # fmt: skip
    if finding.suppression is not None:
        data["status"] = "suppressed"
    elif lapsed is not None:
        data["status"] = "failing (suppression expired)" if _fails(finding, fail_on) else (
            "reported (suppression expired)"
        )  # fmt: skip
    else:
        data["status"] = "failing" if _fails(finding, fail_on) else "reported"
    return data


def _deployed_rows(
    scans: Iterable[StackScan], inputs: ReportInputs, region: Region | None, gateway: str | None
) -> list[Data]:
    rows = []
    for scan in scans:
        for summary in inputs.deployed.get(scan.file, ()):
            host = str(summary.get("host") or "")
            expected_host = gateway or (region.host if region else "")
            rows.append({
                "file": scan.file,
                "output": summary.get("output", ""),
                "region": summary.get("region"),
                "host": host,
                "base_url": summary.get("base_url"),
                "models": summary.get("models"),
                "catalog_as_of": summary.get("catalog_as_of"),
                "matches_declared": {
                    "region": region is not None and summary.get("region") == region.id,
                    "host": bool(expected_host) and host == expected_host,
                },
            })  # fmt: skip
    return rows


def _stack_region(
    resolution: RegionResolution, region: Region | None, gateway: str | None
) -> Data | None:
    """The declared region as the stack is held to it; the team gateway's host where one is set."""
    if resolution.region is None:
        return None
    host = gateway or (region.host if region else None)
    return {
        "id": resolution.region,
        "known": region is not None,
        "title": region.title if region else "unknown to the catalog",
        "host": host,
        "base_url": f"https://{host}/v1" if host else None,
        "residency": region.residency if region else None,
        "stores_at_rest": region.stores_at_rest if region else None,
        "processing": region.processing.value if region else None,
        "preconditions": [precondition_text(p) for p in region.preconditions] if region else [],
        "catalog": _catalog_entry(region),
    }


def _stack(group: Sequence[StackScan], run: ScanRun, inputs: ReportInputs) -> Data:
    catalog = run.catalog
    primary = group[0]
    resolution = primary.resolution
    region = _region_of(catalog, resolution)
    gateway = next(
        (
            v.text.strip()
            for s in group
            for v in s.values
            if v.name == GATEWAY_KEY and v.text.strip()
        ),
        None,
    )
    endpoints: list[Data] = []
    models: list[Data] = []
    surfaces: list[Data] = []
    implied = _implied_endpoint(primary, region, gateway)
    if implied is not None:
        endpoints.append(implied)
    for scan in group:
        found = _scan_items(scan, catalog)
        endpoints += found[0]
        models += found[1]
        surfaces += found[2]
    findings = [f for scan in group for f in scan.findings]
    failing = [f for f in findings if _fails(f, inputs.fail_on)]
    return {
        "name": primary.stack,
        "files": [{"file": s.file, "kind": s.kind} for s in group],
        "region": _stack_region(resolution, region, gateway),
        "region_source": _region_source(resolution),
        "declared_in": resolution.declarations[0].where if resolution.declarations else None,
        "declarations": [
            {
                "region": d.region,
                "source": d.source.value,
                "where": d.where,
                "file": d.file,
                "line": d.line,
            }
            for d in resolution.declarations
        ],
        "endpoints": endpoints,
        "models": models,
        "surfaces": surfaces,
        "deployed": _deployed_rows(group, inputs, region, gateway),
        "findings": [_finding(f, run.suppressions, inputs.fail_on) for f in findings],
        "result": "fail" if failing else "pass",
    }


def _overview(stacks: Sequence[Data], catalog: Catalog) -> Data:
    """Stacks by region: where each stack is declared, claimed, sends to and was deployed."""
    regions = list(catalog.regions)
    rows = []
    for stack in stacks:
        cells: dict[str, list[str]] = {r: [] for r in regions}
        region = stack["region"]["id"] if stack["region"] else None
        for declaration in stack["declarations"]:
            mark = "declared" if declaration["region"] == region else "conflicting claim"
            if declaration["region"] in cells and mark not in cells[declaration["region"]]:
                cells[declaration["region"]].append(mark)
        for endpoint in stack["endpoints"]:
            target = endpoint["endpoint_region"]
            if target in cells and endpoint["origin"] == "config value":
                mark = "endpoint" if target == region else "endpoint outside region"
                if mark not in cells[target]:
                    cells[target].append(mark)
        for deployed in stack["deployed"]:
            if deployed["region"] in cells and "deployed" not in cells[deployed["region"]]:
                cells[deployed["region"]].append("deployed")
        rows.append({"stack": stack["name"], "file": stack["files"][0]["file"],
                     "result": stack["result"], "cells": cells})  # fmt: skip
    return {"regions": regions, "rows": rows}


def _eligibility(stacks: Sequence[Data], catalog: Catalog) -> Data:
    """Models by region: the eligibility of every model a stack names, in every region."""
    regions = [r for r in catalog.regions.values() if r.residency]
    used: dict[tuple[str, str], set[str]] = {}
    for stack in stacks:
        region = stack["region"]["id"] if stack["region"] else ""
        for model in stack["models"]:
            used.setdefault((model["model"], model["surface"]), set()).add(region)
        for deployed in stack["deployed"]:
            for model, surface in _deployed_models(deployed["models"], catalog):
                used.setdefault((model, surface), set()).add(str(deployed["region"]))
    rows = []
    for (model, surface), used_in in sorted(used.items()):
        cells = {r.id: model_verdict(catalog, r, model, surface).eligibility.value for r in regions}
        rows.append({"model": model, "surface": surface, "used_in": sorted(used_in & set(cells)),
                     "cells": cells})  # fmt: skip
    return {"regions": [r.id for r in regions], "rows": rows}


def _deployed_models(models: Any, catalog: Catalog) -> list[tuple[str, str]]:
    """(model, surface) pairs of a summary's ``models``: {surface: [model]} or [model]."""
    if isinstance(models, Mapping):
        return [(str(m), str(surface)) for surface, names in models.items()
                if isinstance(names, list) for m in names]  # fmt: skip
    if isinstance(models, list):
        return [(str(m), surface_for_model(catalog, str(m), None)) for m in models]
    return []


def _suppressions(audit: SuppressionAudit) -> list[Data]:
    rows = []
    for entry in audit.entries:
        row = entry.to_dict()
        row["state"] = entry.state(audit.today).value if audit.today else "not judged"
        row["findings"] = audit.uses(entry)
        rows.append(row)
    return rows
