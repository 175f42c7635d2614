"""``residency-guard catalog import``: OpenAI's two residency tables -> the page-derived files.

The page's tables (``openai_page.tables``) become ``regions.yaml``, ``surfaces.yaml`` and
``models.yaml``, in the shapes the loader validates; the hand-kept files (``handkept.yaml``,
``hosts.yaml``, ``azure.yaml``) are read for the rows' names and kept as they are. The new
files are written only once the whole catalog they make has loaded, each by an atomic
rename: a page the import cannot read leaves the old catalog whole.
"""

from __future__ import annotations

import datetime
import os
import pathlib
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import yaml

from residency_guard.catalog import schema
from residency_guard.catalog.loader import catalog_from_dir, shipped_data_dir
from residency_guard.catalog.model import Catalog, Processing
from residency_guard.catalog.openai_page.tables import EndpointRow, PageTables, RegionRow, read_page
from residency_guard.errors import CatalogError

PAGE_URL = "https://developers.openai.com/api/docs/guides/your-data.md"
HEADER = (
    "# Page-derived: written by `residency-guard catalog import` from the tables of OpenAI's\n"
    "# Data controls page ({source}, as of {as_of}).\n"
    "# Do not edit: import a newer copy of the page, or add a hand-kept fact to handkept.yaml.\n"
)
HANDKEPT_FILES = ("handkept.yaml", "hosts.yaml", "azure.yaml")


@dataclass(frozen=True)
class Imported:
    """What an import made: the files' texts, the catalog they load as, the row names made up."""

    files: Mapping[str, str]
    catalog: Catalog
    named: tuple[str, ...]  # "row '/v1/x' -> surface 'x'": rows handkept.yaml does not name


def import_page(
    page: pathlib.Path, out: pathlib.Path, *, source: str = PAGE_URL, as_of: str | None = None
) -> tuple[Imported, Catalog | None]:
    """Reads ``page``, writes the page-derived files into ``out`` (completing it with the
    shipped hand-kept files where it has none); returns the import and the catalog ``out``
    held before (the shipped one when ``out`` held none; None if that did not load)."""
    try:
        text = page.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CatalogError(f"cannot read the page: {exc}", file=str(page)) from None
    date = as_of or datetime.date.today().isoformat()
    if not re.fullmatch(schema.ISO_DATE, date):
        raise CatalogError(f"--as-of {date!r} is not a date", fix="use YYYY-MM-DD")
    if not re.fullmatch(schema.URL, source):
        raise CatalogError(f"--source {source!r} is not an https URL")
    kept_dir = out if (out / "handkept.yaml").is_file() else shipped_data_dir()
    before = _catalog_before(out)
    rows = _rows_named(kept_dir / "handkept.yaml")
    tables = read_page(str(page), text)
    try:
        documents, named = page_documents(tables, rows, source=source, as_of=date)
    except CatalogError as error:  # a row's error: name the page it is on
        raise CatalogError(error.message, file=str(page), line=error.line, fix=error.fix) from None
    files = {name: render(documents[name], source, date) for name in schema.PAGE_FILES}
    with tempfile.TemporaryDirectory(prefix=".catalog-import-", dir=_temp_parent(out)) as temp:
        staged = pathlib.Path(temp)
        for name in HANDKEPT_FILES:
            shutil.copyfile(_kept_file(out, name), staged / name)
        for name, body in files.items():
            (staged / name).write_text(body, encoding="utf-8")
        catalog = catalog_from_dir(staged)  # the whole catalog loads, or nothing is written
        out.mkdir(parents=True, exist_ok=True)
        _swap_in(staged, out, [name for name in (*HANDKEPT_FILES, *schema.PAGE_FILES)
                               if name in schema.PAGE_FILES or not (out / name).is_file()])
    return Imported(files, catalog, tuple(named)), before


def _swap_in(staged: pathlib.Path, out: pathlib.Path, names: list[str]) -> None:
    """Moves ``names`` from ``staged`` into ``out``, each by an atomic rename; if one fails,
    the files already moved are put back, so ``out`` holds the old catalog or the new one."""
    backup = staged / ".before"
    backup.mkdir()
    moved: list[str] = []
    try:
        for name in names:
            if (out / name).is_file():
                shutil.copy2(out / name, backup / name)
            os.replace(staged / name, out / name)
            moved.append(name)
    except OSError as exc:
        for name in moved:
            if (backup / name).is_file():
                os.replace(backup / name, out / name)
            else:
                (out / name).unlink(missing_ok=True)
        raise CatalogError(f"cannot write the catalog: {exc}", file=str(out)) from None


def _temp_parent(out: pathlib.Path) -> pathlib.Path:
    # Same file system as ``out``, so that each rename is atomic.
    return out if out.is_dir() else out.parent if out.parent.is_dir() else pathlib.Path(".")


def _kept_file(out: pathlib.Path, name: str) -> pathlib.Path:
    own = out / name
    return own if own.is_file() else shipped_data_dir() / name


def _catalog_before(out: pathlib.Path) -> Catalog | None:
    folder = out if all((out / name).is_file() for name in schema.SHIPPED) else shipped_data_dir()
    try:
        return catalog_from_dir(folder)
    except CatalogError:
        return None  # an older shape of the files: nothing to compare with


def _rows_named(handkept: pathlib.Path) -> Mapping[str, str | None]:
    data = yaml.safe_load(handkept.read_text(encoding="utf-8")) or {}
    rows = data.get("rows") or {}
    return {key: (entry or {}).get("surface") for key, entry in rows.items()} | {
        f"title:{key}": (entry or {}).get("title") for key, entry in rows.items()
    }


def _made_up_id(key: str) -> str:
    words = re.sub(r"^/?v1/", "", key.lower())
    made = re.sub(r"[^a-z0-9]+", "_", words).strip("_")
    return made if re.match(r"[a-z]", made) else f"surface_{made}"


# --- the tables -> the page-derived documents ------------------------------------------


def page_documents(
    tables: PageTables, rows: Mapping[str, str | None], *, source: str, as_of: str
) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """The page-derived documents (file name -> data) and the rows given a made-up name."""
    named: list[str] = []
    by_name = {row.name: row for row in tables.regions}
    grouped: dict[str, list[EndpointRow]] = {}
    key_owner: dict[str, str] = {}
    for row in tables.endpoints:
        if row.key in rows:
            sid = rows[row.key]
            if sid is None:
                continue
        else:
            sid = _made_up_id(row.key)
            named.append(f"row '{row.key}' -> surface '{sid}'")
        for names in (row.storage_regions, row.processing_regions, tuple(row.exceptions)):
            for name in names or ():
                if name not in by_name:
                    raise _row_error(row, f"names the region '{name}', which the region table "
                                          f"does not have ({', '.join(by_name)})")  # fmt: skip
        grouped.setdefault(sid, []).append(row)
        key_owner[row.key] = sid
    surfaces: dict[str, dict[str, Any]] = {}
    sets: dict[str, list[str]] = {}
    for sid, group in grouped.items():
        first = group[0]
        for other in group[1:]:
            if _facts(other) != _facts(first):
                raise _row_error(other, f"names surface '{sid}' like row '{first.key}' but "
                                        "says otherwise of it")  # fmt: skip
        paths = list(dict.fromkeys(path for row in group for path in row.paths))
        title = rows.get(f"title:{first.key}") or f"{first.service} ({first.key})"
        entry: dict[str, Any] = {"title": title, "paths": paths}
        if not first.models:
            entry["takes_model"] = False
        surfaces[sid] = entry
        if first.models:
            sets[sid] = list(first.models)
    regions = {
        region.region_id: _region(region, grouped, key_owner, sets, tables, source, as_of)
        for region in tables.regions
    }
    provenance = {"as_of": as_of, "source": source}
    documents: dict[str, dict[str, Any]] = {
        "surfaces.yaml": {"provenance": provenance, "surfaces": surfaces},
        "models.yaml": {"provenance": provenance, "sets": sets},
        "regions.yaml": {"as_of": as_of, "source": source, "regions": regions},
    }
    return documents, named


def _facts(row: EndpointRow) -> tuple[Any, ...]:
    return (row.storage_regions, row.processing_regions, row.models, row.exceptions)


def _row_error(row: EndpointRow | RegionRow, message: str) -> CatalogError:
    what = (f"endpoint table row '{row.key}'" if isinstance(row, EndpointRow)
            else f"region table row '{row.name}'")  # fmt: skip
    return CatalogError(
        f"{what}: {message}", line=row.line, fix="the page's tables disagree or changed shape"
    )


def _in(names: tuple[str, ...] | None, region: RegionRow) -> bool:
    return names is None or region.name in names


def _region(
    region: RegionRow,
    grouped: Mapping[str, list[EndpointRow]],
    key_owner: Mapping[str, str],
    sets: dict[str, list[str]],
    tables: PageTables,
    source: str,
    as_of: str,
) -> dict[str, Any]:
    rid = region.region_id
    for service in (*region.storage_services, *region.processing_services):
        if service not in key_owner and not any(row.key == service for row in tables.endpoints):
            raise _row_error(region, f"lists '{service}', which the endpoint table does not have")
    coverage: dict[str, list[str]] = {}
    models: dict[str, list[str]] = {}
    processed_models: dict[str, list[str]] = {}
    limits: dict[str, dict[str, str]] = {}
    for sid, group in grouped.items():
        row = group[0]
        stored = any(r.key in region.storage_services for r in group)
        processed = any(r.key in region.processing_services for r in group)
        if stored != _in(row.storage_regions, region) or processed != (
            region.processing and _in(row.processing_regions, region)
        ):
            raise _row_error(
                region,
                f"says {'' if stored else 'not '}stored, {'' if processed else 'not '}"
                f"processed for '{row.key}', which the endpoint table says otherwise",
            )
        if not (stored or processed):
            continue
        coverage[sid] = [flag for flag, on in (("stored", stored), ("processed", processed)) if on]
        if sid in sets:
            models[sid] = [sid]
        subset = next((region.processing_subsets[r.key] for r in group
                       if r.key in region.processing_subsets), None)  # fmt: skip
        listed, limit = row.exceptions.get(region.name, ((), ""))
        if subset is not None or (listed and not limit):
            if subset is None or tuple(listed) != tuple(subset) or limit:
                raise _row_error(
                    region,
                    f"processes only {list(subset or ())} of '{row.key}' in region, which the "
                    f"endpoint table gives as {list(listed)}",
                )
            name = f"{rid}-{sid}-processed"
            sets[name] = list(subset)
            processed_models[sid] = [name]
        elif listed:
            limits[sid] = {model: limit for model in listed}
    entry: dict[str, Any] = {
        "title": region.name,
        "host": region.host,
        "residency": True,
        "stores_at_rest": region.storage,
        "processing": _processing(region).value,
        "mam_or_zdr_required": region.mam_or_zdr_required,
        "preconditions": _preconditions(region),
        "coverage": coverage,
        "models": models,
    }
    if processed_models:
        entry["processed_models"] = processed_models
    if limits:
        entry["limits"] = limits
    entry["as_of"] = as_of
    entry["source"] = source
    return entry


def _processing(region: RegionRow) -> Processing:
    if not region.processing:
        return Processing.NOT_IN_REGION
    return Processing.PARTIAL if region.processing_subsets else Processing.IN_REGION


def _preconditions(region: RegionRow) -> list[str]:
    found: list[str] = []
    if region.mam_or_zdr_required:
        found.append("mam-or-zdr")
    for note in region.footnotes:
        if "image support" in note.lower():
            found.append("image-approval")
        elif "retention" in note.lower():
            found.append("retention-controls")
        else:
            raise _row_error(region, f"points at a footnote the import does not know: "
                                     f"'{note[:60]}'")  # fmt: skip
    if not region.processing:
        found.append("processing-outside")
    elif region.processing_subsets:
        found.append("processing-partial")
    return found


# --- files ----------------------------------------------------------------------------


class _Dumper(yaml.SafeDumper):
    """Block mappings; short lists on one line, longer ones (model sets) one item a line, so
    that a model added or removed is one line of the pull request's diff."""


def _flow_lists(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=len(data) <= 3)


_Dumper.add_representer(list, _flow_lists)


def render(document: Mapping[str, Any], source: str, as_of: str) -> str:
    """A page-derived document as the import writes it (the header says where it is from)."""
    body = yaml.dump(
        dict(document), Dumper=_Dumper, sort_keys=False, width=100, allow_unicode=True
    )
    return HEADER.format(source=source, as_of=as_of) + body


# --- the diff -------------------------------------------------------------------------


def diff_lines(before: Catalog, after: Catalog) -> list[str]:
    """What the import changed, for a reviewer: regions, surfaces, coverage and models."""
    lines: list[str] = []
    lines += _plus_minus("regions", before.regions, after.regions)
    lines += _plus_minus("surfaces", before.surfaces, after.surfaces)
    for sid in sorted(before.surfaces.keys() & after.surfaces.keys()):
        old, new = before.surfaces[sid].paths, after.surfaces[sid].paths
        if old != new:
            lines += _changes(f"surface {sid} paths", old, new)
    for rid in [r for r in after.regions if r in before.regions]:
        old_region, new_region = before.regions[rid], after.regions[rid]
        lines += _changes(f"{rid} preconditions", old_region.preconditions,
                          new_region.preconditions)  # fmt: skip
        if old_region.processing != new_region.processing:
            lines.append(f"{rid} processing: {old_region.processing.value} -> "
                         f"{new_region.processing.value}")  # fmt: skip
        old_cov = {s: _flags(c.stored, c.processed) for s, c in old_region.coverage.items()}
        new_cov = {s: _flags(c.stored, c.processed) for s, c in new_region.coverage.items()}
        for sid in sorted(old_cov.keys() | new_cov.keys()):
            if old_cov.get(sid) != new_cov.get(sid):
                lines.append(f"{rid} {sid}: {old_cov.get(sid, 'not covered')} -> "
                             f"{new_cov.get(sid, 'not covered')}")  # fmt: skip
        for label, old_map, new_map in (
            ("models", old_region.models, new_region.models),
            ("processed in region", old_region.processed_models, new_region.processed_models),
        ):
            for sid in sorted(old_map.keys() | new_map.keys()):
                lines += _changes(f"{rid} {sid} {label}", old_map.get(sid, frozenset()),
                                  new_map.get(sid, frozenset()))  # fmt: skip
        for sid in sorted(old_region.limits.keys() | new_region.limits.keys()):
            old_limits = dict(old_region.limits.get(sid, {}))
            new_limits = dict(new_region.limits.get(sid, {}))
            if old_limits != new_limits:
                lines.append(
                    f"{rid} {sid} limits: {old_limits or 'none'} -> {new_limits or 'none'}"
                )
    return lines


def _flags(stored: bool, processed: bool) -> str:
    return "stored and processed" if stored and processed else (
        "stored" if stored else "processed"
    )  # fmt: skip


def _plus_minus(label: str, old: Iterable[str], new: Iterable[str]) -> list[str]:
    return _changes(label, tuple(old), tuple(new))


def _changes(label: str, old: Iterable[str], new: Iterable[str]) -> list[str]:
    old_set, new_set = set(old), set(new)
    added, removed = sorted(new_set - old_set), sorted(old_set - new_set)
    parts = [f"+ {', '.join(added)}"] if added else []
    parts += [f"- {', '.join(removed)}"] if removed else []
    return [f"{label}: {'; '.join(parts)}"] if parts else []
