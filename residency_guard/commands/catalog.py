"""``residency-guard catalog [--region eu]``: what a region allows."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from residency_guard.catalog import Region, load_catalog
from residency_guard.catalog.loader import catalog_from_dir
from residency_guard.catalog.model import Catalog
from residency_guard.catalog.preconditions import text as precondition_text
from residency_guard.writing import json_text


def region_data(catalog: Catalog, region: Region) -> dict[str, Any]:
    return {
        "id": region.id,
        "title": region.title,
        "host": region.host,
        "base_url": region.base_url,
        "residency": region.residency,
        "stores_at_rest": region.stores_at_rest,
        "processing": region.processing.value,
        "sdk_data_residency": region.sdk_data_residency,
        "surfaces": {
            s: {"stored": c.stored, "processed": c.processed} for s, c in region.coverage.items()
        },
        "models": {s: sorted(m) for s, m in region.models.items()},
        "processed_models": {s: sorted(m) for s, m in region.processed_models.items()},
        "limits": {s: dict(by_model) for s, by_model in region.limits.items()},
        "mam_or_zdr_required": region.mam_or_zdr_required,
        "preconditions": [
            {"id": p, "text": precondition_text(p)} for p in region.preconditions
        ],
        "as_of": region.provenance.as_of,
        "source": region.provenance.source,
        "note": region.provenance.note,
        "unconfirmed": list(region.unconfirmed),
    }


def render_text(catalog: Catalog, region: Region) -> str:
    lines = [
        f"{region.id}: {region.title}",
        f"  host: {region.host}  (base URL {region.base_url})",
        f"  residency: {'yes' if region.residency else 'no'}; stores at rest: "
        f"{'yes' if region.stores_at_rest else 'no'}; processing: {region.processing.value}",
    ]
    if region.coverage:
        lines.append("  surfaces:")
        for surface in sorted(region.coverage):
            coverage = region.coverage[surface]
            what = "stored and processed" if coverage.processed and coverage.stored else (
                "processed" if coverage.processed else "stored only"
            )  # fmt: skip
            lines.append(f"    {surface:22} {what}")
        uncovered = sorted(
            s for s, known in catalog.surfaces.items()
            if not region.covers(s) and not known.system_data
        )  # fmt: skip
        lines.append(f"  not covered: {', '.join(uncovered)}")
    for surface in sorted(region.models):
        models = sorted(region.models[surface])
        if models:
            lines.append(f"  models for {surface}: {', '.join(models)}")
        processed = sorted(region.processed_models.get(surface, ()))
        if processed:
            lines.append(f"    processed in region: {', '.join(processed)}")
        for model, limit in sorted(region.limits.get(surface, {}).items()):
            lines.append(f"    limit: {model}: {limit}")
    if region.residency:
        lines.append(
            f"  MAM or ZDR required: {'yes' if region.mam_or_zdr_required else 'no'}"
        )
    for precondition in region.preconditions:
        lines.append(f"  precondition: {precondition_text(precondition)}")
    if region.provenance.note:
        lines.append(f"  note: {region.provenance.note}")
    for note in region.unconfirmed:
        lines.append(f"  unconfirmed: {note}")
    lines.append(f"  as of {region.provenance.as_of}: {region.provenance.source}")
    return "\n".join(lines)


def run(args: argparse.Namespace) -> int:
    base = catalog_from_dir(Path(args.data)) if getattr(args, "data", None) else None
    catalog = load_catalog([Path(c) for c in args.catalog], base)
    regions = [catalog.region(args.region)] if args.region else list(catalog.regions.values())
    if args.format == "json":
        data = {
            "version": catalog.version,
            "as_of": catalog.as_of,
            "source": catalog.source,
            "regions": [region_data(catalog, r) for r in regions],
        }
        sys.stdout.write(json_text(data))
        return 0
    sys.stdout.write(
        f"residency-guard catalog {catalog.version} (tables as of {catalog.as_of}: "
        f"{catalog.source})\n\n"
    )
    sys.stdout.write("\n\n".join(render_text(catalog, r) for r in regions) + "\n")
    return 0
