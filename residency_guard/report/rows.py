"""The report's tables, once for every renderer: which rows, which columns, what each cell holds.

The page (``html``), the pull-request comment (``markdown``) and the pictures (``svg``) draw
the same tables from the report data (``model.build_report``). A column names the field it
shows and the kind of cell it is; each renderer decides only how a kind of cell looks. The
comment leaves out the columns marked ``page_only``, detail a reviewer can open the page for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

Row = Mapping[str, Any]


class Cell(str, Enum):
    """What a column's cells hold; each renderer has one way to show each kind."""

    TEXT = "text"
    CODE = "code"  # quoted as written: a URL, a model, a host, a file
    WHERE = "where"  # the row's file and line
    ALLOWED_BY = "allowed-by"  # the catalog entry that allows a value, or the rules forbidding it
    RULES = "rules"  # the rules of a value's findings
    RULE = "rule"  # a finding's rule, with its name and documentation
    SUPPRESSION = "suppression"  # what suppresses a finding, or the suppression that lapsed
    SCOPE = "scope"  # what a suppression applies to: a stack and file, or lines
    REASON = "reason"  # a suppression's reason; "none" (emphasised) when it gives none
    UNTIL = "until"  # a suppression's end date; "no end" when it has none
    STATE = "state"  # a suppression's state and its problem
    MARKS = "marks"  # a matrix cell: a list of marks, or one verdict


@dataclass(frozen=True)
class Column:
    header: str
    field: str = ""  # the row's field the cell shows; "" when the cell reads the whole row
    cell: Cell = Cell.TEXT
    page_only: bool = False  # on the page, not in the pull-request comment


@dataclass(frozen=True)
class Table:
    """A table of a stack's (or the run's) rows."""

    title: str
    empty: str  # what stands instead of a table without rows
    rows: str  # the field of the report data (or of a stack) that holds the rows
    columns: tuple[Column, ...]
    kind: str = ""  # what one row is (the page marks rows with it)
    key: str = ""  # the field that names a row (the page marks rows with it)
    judged: bool = False  # rows carry a verdict: allowed, forbidden, accepted (suppressed)

    def columns_for(self, page: bool) -> tuple[Column, ...]:
        """Every column on the page; in the pull-request comment, those not ``page_only``."""
        return tuple(c for c in self.columns if page or not c.page_only)


@dataclass(frozen=True)
class Matrix:
    """Rows by region: the stacks x regions overview and the models x regions eligibility."""

    table: Table  # the leading columns, before one column per region
    regions: tuple[str, ...]
    rows: tuple[Row, ...]

    @property
    def empty(self) -> str:
        return self.table.empty

    @property
    def columns(self) -> tuple[Column, ...]:
        regions = tuple(Column(r, r, Cell.MARKS) for r in self.regions)
        return (*self.table.columns, *regions)

    def columns_for(self, page: bool) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if page or not c.page_only)


_WHERE = Column("Where", cell=Cell.WHERE)
_HANDLING = Column("Region does", "handling")
_VERDICT = Column("Verdict", "verdict")
_ALLOWED_BY = Column("Allowed / forbidden by", cell=Cell.ALLOWED_BY)
_RULES = Column("Findings", "findings", Cell.RULES)

ENDPOINTS = Table(
    "Endpoints", "no OpenAI endpoint referenced", "endpoints",
    (Column("Endpoint", "url", Cell.CODE), Column("Host", "host", page_only=True),
     Column("From", "origin"), _WHERE, _HANDLING, _VERDICT, _ALLOWED_BY, _RULES),
    kind="endpoint", key="host", judged=True,
)  # fmt: skip
MODELS = Table(
    "Models", "no model named", "models",
    (Column("Model", "model", Cell.CODE), Column("Surface", "surface"), _WHERE,
     Column("Eligibility", "eligibility"), _HANDLING, _VERDICT, _ALLOWED_BY, _RULES),
    kind="model", key="model", judged=True,
)  # fmt: skip
SURFACES = Table(
    "API surfaces", "no API surface listed", "surfaces",
    (Column("Surface", "surface"), Column("Title", "title", page_only=True),
     Column("From", "origin"), _WHERE, _HANDLING, _VERDICT, _ALLOWED_BY, _RULES),
    kind="surface", key="surface", judged=True,
)  # fmt: skip
DEPLOYED = Table(
    "Deployed (stack outputs)", "no state export given", "deployed",
    (Column("State export", cell=Cell.WHERE), Column("Output", "output"),
     Column("Region", "region"), Column("Host", "host", Cell.CODE), Column("Models", "models"),
     Column("Catalog as of", "catalog_as_of"), Column("Matches declared", "matches_declared")),
    kind="deployed",
)  # fmt: skip
DECLARATIONS = Table(
    "Region declarations", "no declaration", "declarations",
    (Column("Region", "region"), Column("Source", "source"), Column("Where", "where", Cell.CODE)),
)
FINDINGS = Table(
    "Findings", "no findings", "findings",
    (Column("Rule", cell=Cell.RULE), Column("Severity", "severity"), _WHERE,
     Column("Finding", "message"), Column("Fix", "fix"), Column("Status", "status"),
     Column("Suppression", cell=Cell.SUPPRESSION)),
)  # fmt: skip
SUPPRESSIONS = Table(
    "Suppressions", "no suppressions", "suppressions",
    (Column("Rules", "rules"), Column("Written at", "source", Cell.CODE),
     Column("Applies to", cell=Cell.SCOPE, page_only=True), Column("Reason", "reason", Cell.REASON),
     Column("Until", "until", Cell.UNTIL), Column("State", cell=Cell.STATE),
     Column("Findings", "findings")),
)  # fmt: skip
INPUT_FILES = Table(
    "Input files", "no input files", "files",
    (Column("Input file", "path", Cell.CODE), Column("SHA-256", "sha256", Cell.CODE),
     Column("Bytes", "bytes")),
)  # fmt: skip
OVERVIEW = Table(
    "Stacks \u00d7 regions", "no stacks found", "overview",
    (Column("Stack", "stack", Cell.CODE), Column("Result", "result")),
)
ELIGIBILITY = Table(
    "Models \u00d7 regions", "no models named", "eligibility",
    (Column("Model", "model", Cell.CODE), Column("Surface", "surface"),
     Column("Used in", "used_in")),
)  # fmt: skip

# A stack's tables of values, in the order both renderers show them.
STACK_VALUES = (ENDPOINTS, MODELS, SURFACES)


def overview(data: Row) -> Matrix:
    """Stacks by region: where each stack is declared, claimed, sends to and was deployed."""
    return _matrix(OVERVIEW, data)


def eligibility(data: Row) -> Matrix:
    """Models by region: the eligibility of every model a stack names, in every region."""
    return _matrix(ELIGIBILITY, data)


def _matrix(table: Table, data: Row) -> Matrix:
    part = data[table.rows]
    return Matrix(table, tuple(part["regions"]), tuple(part["rows"]))


def value(column: Column, row: Row) -> Any:
    """What a cell shows: the row's field, a region's cell of a matrix row, or the whole row
    for the kinds of cell that read several fields."""
    if column.cell is Cell.MARKS:
        return row["cells"][column.field]
    return row[column.field] if column.field else row


def scope(suppression: Row) -> str:
    """What a suppression applies to: a repo entry's stack and file, or a comment's lines."""
    if suppression["kind"] == "repo":
        return f"stack {suppression['stack']}, file {suppression['file']}"
    return f"lines {', '.join(map(str, suppression['lines']))}"
