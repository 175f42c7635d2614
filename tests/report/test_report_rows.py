"""The report's tables are declared once (report/rows.py): each renderer can draw every cell."""

from __future__ import annotations

import pytest

from residency_guard.report import html, markdown, rows
from residency_guard.report.rows import Cell


@pytest.mark.parametrize("renderer", [html, markdown], ids=["html", "markdown"])
def test_every_kind_of_cell_has_a_rendering(renderer: object) -> None:
    # A kind without one would fail `report` with a KeyError on the first such row.
    assert set(renderer._CELLS) == set(Cell)  # type: ignore[attr-defined]


def test_the_comment_leaves_out_only_page_only_columns() -> None:
    headers = [c.header for c in rows.SUPPRESSIONS.columns_for(page=False)]
    assert headers == ["Rules", "Written at", "Reason", "Until", "State", "Findings"]
    assert "Applies to" in [c.header for c in rows.SUPPRESSIONS.columns_for(page=True)]
