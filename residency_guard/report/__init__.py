"""The residency evidence report: one ScanRun as JSON, Markdown and a self-contained HTML page.

``model`` builds the data (redacted once, there); ``jsonout``, ``markdown`` and ``html`` (with
``svg``) render only that data, so a secret that is not in it cannot reach any output. The
tables they draw (rows, columns, kinds of cell) are declared once, in ``rows``.
"""

from __future__ import annotations

from residency_guard.report.model import ReportInputs, build_report
from residency_guard.report.write import OUTPUT_FILES, render_all, write_report

__all__ = ["OUTPUT_FILES", "ReportInputs", "build_report", "render_all", "write_report"]
