"""The two pictures of the report, as inline SVG: stacks by region and models by region.

Plain SVG 1.1 with the system's sans-serif font: no fonts, scripts or images to fetch, and
well-formed XML, so that the page is valid XHTML too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape

from residency_guard.report.rows import Matrix, Row

_FONT = "font-family:sans-serif"
_LABEL_WIDTH = 190
_CELL_W = 58
_CELL_H = 26
_HEAD_H = 34

# Overview marks, strongest first: the cell takes the colour of the first mark it has.
OVERVIEW_STYLE: tuple[tuple[str, str, str], ...] = (
    ("endpoint outside region", "#e57373", "outside"),
    ("conflicting claim", "#ffb74d", "conflict"),
    ("declared", "#81c784", "declared"),
    ("endpoint", "#81c784", "endpoint"),
    ("deployed", "#64b5f6", "deployed"),
)
ELIGIBILITY_STYLE: Mapping[str, tuple[str, str]] = {
    "eligible": ("#81c784", "yes"),
    "alias": ("#fff176", "alias"),
    "not-eligible": ("#e0e0e0", "no"),
    "unknown": ("#e57373", "unknown"),
    "banned": ("#b71c1c", "banned"),
}


def _text(x: float, y: float, text: str, *, size: int = 11, anchor: str = "start",
          weight: str = "normal", fill: str = "#212121") -> str:  # fmt: skip
    return (
        f'<text x="{x:g}" y="{y:g}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}" fill="{fill}" style="{_FONT}">{escape(text)}</text>'
    )


def _open(width: int, height: int, title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="#ffffff"/>'
    )


def _short(text: str, limit: int = 28) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _legend(y: int, items: Sequence[tuple[str, str]]) -> tuple[list[str], int]:
    parts, x = [], 8
    for colour, label in items:
        parts.append(f'<rect x="{x}" y="{y}" width="14" height="14" fill="{colour}" '
                     'stroke="#9e9e9e"/>')  # fmt: skip
        parts.append(_text(x + 19, y + 11, label, size=11))
        x += 26 + 7 * len(label)
    return parts, y + 22


def _picture(
    matrix: Matrix, title: str, left: int, legend: Sequence[tuple[str, str]],
    label: Callable[[Row, int], list[str]], cell: Callable[[Row, str, int, int], list[str]],
) -> str:  # fmt: skip
    """A matrix as a grid: its regions across the top, each row's ``label`` on the left, a
    ``cell`` per region (drawn at x, y), then the legend."""
    regions, rows = matrix.regions, matrix.rows
    width = left + _CELL_W * len(regions) + 10
    grid_h = _HEAD_H + _CELL_H * max(len(rows), 1)
    parts = [_open(width, grid_h + 58, title)]
    for index, region in enumerate(regions):
        x = left + index * _CELL_W + _CELL_W / 2
        parts.append(_text(x, _HEAD_H - 12, region, anchor="middle", weight="bold"))
    if not rows:
        parts.append(_text(8, _HEAD_H + 17, matrix.empty, fill="#757575"))
    for row_index, row in enumerate(rows):
        y = _HEAD_H + row_index * _CELL_H
        parts += label(row, y)
        for col_index, region in enumerate(regions):
            parts += cell(row, region, left + col_index * _CELL_W, y)
    parts += _legend(grid_h + 14, legend)[0]
    parts.append("</svg>")
    return "".join(parts)


def overview_svg(overview: Matrix) -> str:
    """Stacks by region: a coloured cell where a stack is declared, claimed, sends or runs."""

    def label(row: Row, y: int) -> list[str]:
        failed = row["result"] != "pass"
        text = ("✗ " if failed else "✓ ") + _short(str(row["stack"]), 24)
        return [_text(8, y + 17, text, weight="bold", fill="#c62828" if failed else "#1b5e20")]

    def cell(row: Row, region: str, x: int, y: int) -> list[str]:
        marks: list[str] = row["cells"].get(region, [])
        style = next((s for s in OVERVIEW_STYLE if s[0] in marks), None)
        fill = "#fafafa" if style is None else style[1]
        if style is not None and style[0] == "declared" and row["result"] != "pass":
            fill = "#e57373"
        parts = [f'<rect x="{x + 1}" y="{y + 1}" width="{_CELL_W - 2}" '
                 f'height="{_CELL_H - 2}" fill="{fill}" stroke="#bdbdbd">'
                 f"<title>{escape(str(row['stack']))} / {escape(region)}: "
                 f"{escape(', '.join(marks) or 'nothing')}</title></rect>"]  # fmt: skip
        if style is not None:
            parts.append(_text(x + _CELL_W / 2, y + 17, style[2], size=10, anchor="middle"))
        if "deployed" in marks and style is not None and style[0] != "deployed":
            parts.append(f'<circle cx="{x + _CELL_W - 7}" cy="{y + 7}" r="4" '
                         'fill="#1565c0"/>')  # fmt: skip
        return parts

    return _picture(
        overview, "Stacks by region: declared, conflicting, endpoints, deployed", _LABEL_WIDTH,
        [("#81c784", "declared (passing)"), ("#e57373", "failing / endpoint outside"),
         ("#ffb74d", "conflicting claim"), ("#64b5f6", "deployed (state export)")],
        label, cell,
    )  # fmt: skip


def eligibility_svg(eligibility: Matrix) -> str:
    """Models by region: eligible, alias, not eligible, unknown; framed where a stack uses it."""

    def label(row: Row, y: int) -> list[str]:
        return [
            _text(8, y + 17, _short(str(row["model"]), 30)),
            _text(_LABEL_WIDTH + 4, y + 17, str(row["surface"]), size=10, fill="#616161"),
        ]

    def cell(row: Row, region: str, x: int, y: int) -> list[str]:
        used = region in row["used_in"]
        verdict = str(row["cells"].get(region, "unknown"))
        fill, label = ELIGIBILITY_STYLE.get(verdict, ("#fafafa", verdict))
        stroke = ('stroke="#212121" stroke-width="3"' if used
                  else 'stroke="#bdbdbd" stroke-width="1"')  # fmt: skip
        colour = "#ffffff" if verdict == "banned" else "#212121"
        return [
            f'<rect x="{x + 2}" y="{y + 2}" width="{_CELL_W - 4}" height="{_CELL_H - 4}" '
            f"fill=\"{fill}\" {stroke}><title>{escape(str(row['model']))} in {escape(region)}: "
            f"{escape(verdict)}{' (used here)' if used else ''}</title></rect>",
            _text(x + _CELL_W / 2, y + 17, label, size=10, anchor="middle", fill=colour),
        ]

    return _picture(
        eligibility, "Model eligibility by region", _LABEL_WIDTH + 60,
        [(ELIGIBILITY_STYLE["eligible"][0], "eligible"), (ELIGIBILITY_STYLE["alias"][0], "alias"),
         (ELIGIBILITY_STYLE["not-eligible"][0], "not eligible"),
         (ELIGIBILITY_STYLE["unknown"][0], "unknown"), ("#ffffff", "framed: a stack uses it here")],
        label, cell,
    )  # fmt: skip
