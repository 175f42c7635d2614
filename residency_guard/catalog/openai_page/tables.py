"""Reads the two residency tables of OpenAI's "Data controls" page (its markdown form).

The page (``developers.openai.com/api/docs/guides/your-data``, markdown with ``.md``
appended) carries a region table ("Support by region") and an "API Endpoint, tool and model
support" table. This module finds both by their header rows and returns their cells as
typed rows; it knows nothing about the catalog's files (``openai_page.importer`` maps them).

Any shape it does not expect (a missing or renamed column, a row with a merged or split
cell, a value that is not Yes/No, an unknown footnote marker) is a :class:`CatalogError`
naming the page, the line and the row: never a half-read table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from residency_guard.errors import CatalogError

REGION_COLUMNS = (
    "Region",
    "Domain prefix",
    "Regional storage",
    "Regional processing",
    "MAM or ZDR required",
    "Supported modes",
    "Storage services",
    "Processing services",
)
ENDPOINT_COLUMNS = (
    "Endpoint or feature",
    "Service",
    "Storage regions",
    "Processing regions",
    "Supported models and snapshots",
    "Regional processing snapshot exceptions",
    "Notes",
)
ALL_REGIONS = "All listed regions"
NONE = "None"
SERVICE_LEVEL = "Service-level support"

_HOST = re.compile(r"([a-z]{2})\.api\.openai\.com")
_CODE = re.compile(r"`([^`]*)`")
_FOOTNOTE_MARK = re.compile(r"((?:\\\*)+)\s*$")
_FOOTNOTE = re.compile(r"^((?:\\\*)+)\s+(\S.*)$")
_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_RULE_CELL = re.compile(r":?-{3,}:?")


@dataclass(frozen=True)
class RegionRow:
    """One row of the region table."""

    line: int
    name: str  # "Europe (EEA + Switzerland)", footnote markers removed
    host: str  # "eu.api.openai.com"
    storage: bool
    processing: bool
    mam_or_zdr_required: bool
    modes: tuple[str, ...]  # "Text", "Audio", "Voice", "Image"
    storage_services: tuple[str, ...]  # the endpoint table's row keys
    processing_services: tuple[str, ...]
    processing_subsets: dict[str, tuple[str, ...]]  # row key -> the only models processed
    footnotes: tuple[str, ...]  # footnote texts the row points at

    @property
    def region_id(self) -> str:
        return self.host.split(".", 1)[0]


@dataclass(frozen=True)
class EndpointRow:
    """One row of the "API Endpoint, tool and model support" table."""

    line: int
    key: str  # the first cell's text: "/v1/batches", "/v1/responses File Search"
    paths: tuple[str, ...]  # endpoint paths in the first cell ("" for a tool or feature)
    service: str
    storage_regions: tuple[str, ...] | None  # region names; None for all listed regions
    processing_regions: tuple[str, ...] | None
    models: tuple[str, ...]  # empty for service-level support
    exceptions: dict[str, tuple[tuple[str, ...], str]]  # region name -> (models, limit or "")


@dataclass(frozen=True)
class PageTables:
    regions: tuple[RegionRow, ...]
    endpoints: tuple[EndpointRow, ...]


@dataclass(frozen=True)
class _Table:
    line: int  # of the header row
    header: tuple[str, ...]
    rows: tuple[tuple[int, tuple[str, ...]], ...]  # (line, cells)


def _cells(line: str) -> tuple[str, ...]:
    body = line.strip()
    body = body[1:] if body.startswith("|") else body
    body = body[:-1] if body.endswith("|") and not body.endswith("\\|") else body
    return tuple(cell.strip().replace("\\|", "|") for cell in re.split(r"(?<!\\)\|", body))


def _tables(text: str) -> list[_Table]:
    lines = text.splitlines()
    tables: list[_Table] = []
    index = 0
    while index < len(lines) - 1:
        line, rule = lines[index], lines[index + 1]
        if line.lstrip().startswith("|") and rule.lstrip().startswith("|"):
            rule_cells = _cells(rule)
            if rule_cells and all(_RULE_CELL.fullmatch(c.replace(" ", "")) for c in rule_cells):
                header = _cells(line)
                rows = []
                cursor = index + 2
                while cursor < len(lines) and lines[cursor].lstrip().startswith("|"):
                    rows.append((cursor + 1, _cells(lines[cursor])))
                    cursor += 1
                tables.append(_Table(index + 1, header, tuple(rows)))
                index = cursor
                continue
        index += 1
    return tables


def _footnotes(text: str, after_line: int) -> dict[str, str]:
    """The footnotes (``\\* text``) in the lines after a table, by marker (``*``, ``**``)."""
    notes: dict[str, str] = {}
    for line in text.splitlines()[after_line:]:
        if line.startswith("#"):
            break
        found = _FOOTNOTE.match(line.strip())
        if found:
            notes[found.group(1).replace("\\", "")] = found.group(2).strip()
    return notes


class _Reader:
    def __init__(self, page: str, text: str) -> None:
        self.page = page
        self.text = text

    def fail(self, line: int | None, message: str, fix: str = "") -> CatalogError:
        return CatalogError(message, file=self.page, line=line, fix=fix)

    def find(self, first: str, columns: tuple[str, ...], what: str) -> _Table:
        found = [t for t in _tables(self.text) if t.header and t.header[0] == first]
        if not found:
            raise self.fail(
                None,
                f"no {what} found (a table whose first column is '{first}')",
                "is this a saved copy of the Data controls page (your-data.md)?",
            )
        table = found[0]
        missing = [c for c in columns if c not in table.header]
        if missing:
            raise self.fail(
                table.line,
                f"{what}: missing column '{missing[0]}' (found: {', '.join(table.header)})",
                "the page's table shape changed; update residency_guard/catalog/page.py",
            )
        extra = [c for c in table.header if c not in columns]
        if extra:
            raise self.fail(
                table.line,
                f"{what}: unexpected column '{extra[0]}'",
                "the page's table shape changed; update residency_guard/catalog/page.py",
            )
        for line, cells in table.rows:
            if len(cells) != len(table.header):
                raise self.fail(
                    line,
                    f"{what} row '{_plain(cells[0]) if cells else ''}': {len(cells)} cells, "
                    f"expected {len(table.header)} (a merged or split cell)",
                    "the page's table shape changed; check the row",
                )
            if not cells[0].strip() or any(not cell.strip() for cell in cells):
                empty = table.header[[c.strip() for c in cells].index("")]
                raise self.fail(
                    line,
                    f"{what} row '{_plain(cells[0])}': empty cell under '{empty}' "
                    "(a merged cell)",
                    "the page's table shape changed; check the row",
                )
        return table


def _plain(cell: str) -> str:
    """A cell's text without code marks and footnote markers."""
    return _FOOTNOTE_MARK.sub("", cell.replace("`", "")).strip()


def _marks(cell: str) -> str:
    found = _FOOTNOTE_MARK.search(cell.replace("`", ""))
    return found.group(1).replace("\\", "") if found else ""


def _items(cell: str) -> list[str]:
    """``a<br />b`` -> [a, b], each item's text as written (code marks kept)."""
    return [item.strip() for item in _BREAK.split(cell) if item.strip()]


def _codes(text: str) -> tuple[str, ...]:
    return tuple(code.strip() for code in _CODE.findall(text))


def read_page(page: str, text: str) -> PageTables:
    """Both tables of the page; ``page`` names the file in errors."""
    reader = _Reader(page, text)
    region_table = reader.find("Region", REGION_COLUMNS, "region table")
    notes = _footnotes(text, region_table.rows[-1][0] if region_table.rows else 0)
    endpoint_table = reader.find("Endpoint or feature", ENDPOINT_COLUMNS, "endpoint table")
    regions = tuple(_region_row(reader, region_table, line, cells, notes)
                    for line, cells in region_table.rows)  # fmt: skip
    if not regions:
        raise reader.fail(region_table.line, "region table has no rows")
    endpoints = tuple(_endpoint_row(reader, endpoint_table, line, cells)
                      for line, cells in endpoint_table.rows)  # fmt: skip
    if not endpoints:
        raise reader.fail(endpoint_table.line, "endpoint table has no rows")
    return PageTables(regions, endpoints)


def _yes(reader: _Reader, line: int, row: str, column: str, cell: str) -> bool:
    value = _plain(cell)
    if value not in ("Yes", "No"):
        raise reader.fail(
            line, f"region table row '{row}': '{column}' is '{value}', expected Yes or No"
        )
    return value == "Yes"


def _region_row(
    reader: _Reader, table: _Table, line: int, cells: tuple[str, ...], notes: dict[str, str]
) -> RegionRow:
    cell = dict(zip(table.header, cells, strict=True))
    name = _plain(cell["Region"])
    host = _plain(cell["Domain prefix"])
    if not _HOST.fullmatch(host):
        raise reader.fail(
            line, f"region table row '{name}': domain prefix '{host}' is not <id>.api.openai.com"
        )
    marks = {_marks(cells_text) for cells_text in (cell["Region"], cell["MAM or ZDR required"])}
    marks |= {_marks(mode) for mode in cell["Supported modes"].split(",")}
    marks.discard("")
    unknown = sorted(m for m in marks if m not in notes)
    if unknown:
        raise reader.fail(
            line, f"region table row '{name}': footnote marker '{unknown[0]}' has no footnote"
        )
    storage_services = tuple(_service(item) for item in _items(cell["Storage services"]))
    subsets: dict[str, tuple[str, ...]] = {}
    processing_services: list[str] = []
    processing_cell = _plain(cell["Processing services"])
    if processing_cell != NONE:
        for item in _items(cell["Processing services"]):
            key = _service(item)
            rest = item.split("`", 2)[-1] if item.startswith("`") else ""
            models = _codes(rest)
            if models:
                subsets[key] = models
            processing_services.append(key)
    return RegionRow(
        line=line,
        name=name,
        host=host,
        storage=_yes(reader, line, name, "Regional storage", cell["Regional storage"]),
        processing=_yes(reader, line, name, "Regional processing", cell["Regional processing"]),
        mam_or_zdr_required=_yes(
            reader, line, name, "MAM or ZDR required", cell["MAM or ZDR required"]
        ),
        modes=tuple(_plain(mode) for mode in cell["Supported modes"].split(",")),
        storage_services=storage_services,
        processing_services=tuple(processing_services),
        processing_subsets=subsets,
        footnotes=tuple(notes[m] for m in sorted(marks)),
    )


def _service(item: str) -> str:
    """An item of a services cell: the endpoint table's row key it names."""
    codes = _codes(item)
    return codes[0] if codes else _plain(item)


def _region_names(reader: _Reader, line: int, key: str, column: str, cell: str) -> (
    tuple[str, ...] | None
):  # fmt: skip
    value = _plain(cell)
    if value == ALL_REGIONS:
        return None
    if value == NONE:
        return ()
    # "United States, Europe (EEA + Switzerland)": commas inside parentheses stay.
    names = [n.strip() for n in re.split(r",\s*(?![^()]*\))", value) if n.strip()]
    if not names:
        raise reader.fail(line, f"endpoint table row '{key}': '{column}' is empty")
    return tuple(names)


def _endpoint_row(
    reader: _Reader, table: _Table, line: int, cells: tuple[str, ...]
) -> EndpointRow:
    cell = dict(zip(table.header, cells, strict=True))
    key = _service(cell["Endpoint or feature"])
    paths = tuple(p.strip() for p in key.split(",") if re.fullmatch(r"/v1(/[a-z0-9_.-]+)+",
                                                                     p.strip()))  # fmt: skip
    models_cell = _plain(cell["Supported models and snapshots"])
    models = () if models_cell == SERVICE_LEVEL else _codes(cell["Supported models and snapshots"])
    if models_cell != SERVICE_LEVEL and not models:
        raise reader.fail(
            line,
            f"endpoint table row '{key}': 'Supported models and snapshots' lists no model "
            f"('{models_cell[:40]}')",
        )
    exceptions: dict[str, tuple[tuple[str, ...], str]] = {}
    if _plain(cell["Regional processing snapshot exceptions"]) != NONE:
        for item in _items(cell["Regional processing snapshot exceptions"]):
            region, sep, rest = item.partition(":")
            listed = _codes(rest)
            if not sep or not listed:
                raise reader.fail(
                    line,
                    f"endpoint table row '{key}': snapshot exception '{_plain(item)[:60]}' is "
                    "not '<region>: `model`, ...'",
                )
            limit = rest.rsplit("`", 1)[-1].strip().lstrip(":").strip()
            exceptions[region.strip()] = (listed, limit)
    return EndpointRow(
        line=line,
        key=key,
        paths=paths,
        service=_plain(cell["Service"]),
        storage_regions=_region_names(
            reader, line, key, "Storage regions", cell["Storage regions"]
        ),
        processing_regions=_region_names(
            reader, line, key, "Processing regions", cell["Processing regions"]
        ),
        models=models,
        exceptions=exceptions,
    )
