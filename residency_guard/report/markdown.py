"""The report as Markdown, for a pull-request comment: the same data, in tables."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from residency_guard.redact import redact
from residency_guard.report import rows
from residency_guard.report.rows import Cell, Matrix, Row, Table, scope, value


def _cell(value: Any) -> str:
    """One table cell: one line, pipes escaped, no HTML a comment would render."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    elif isinstance(value, Mapping):
        return "; ".join(f"{_cell(k)}: {_cell(v)}" for k, v in value.items())
    text = " ".join(str(value).split())
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")


def _code(value: Any) -> str:
    text = _cell(value)
    if not text:
        return ""
    return f"`` {text} ``" if "`" in text else f"`{text}`"


def _table(table: Table | Matrix, items: Sequence[Row]) -> list[str]:
    """The table's rows without its page-only columns, or its empty text."""
    if not items:
        return [f"_{table.empty}_", ""]
    columns = table.columns_for(page=False)
    lines = ["| " + " | ".join(c.header for c in columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(_CELLS[c.cell](value(c, row)) for c in columns) + " |"
              for row in items]  # fmt: skip
    return [*lines, ""]


def _where(item: Mapping[str, Any]) -> str:
    line = item.get("line") or 0
    return _code(f"{item.get('file', '')}:{line}" if line else item.get("file", ""))


def _catalog(entry: Mapping[str, Any] | None) -> str:
    if not entry:
        return "none"
    return f"{_cell(entry.get('source'))} (as of {_cell(entry.get('as_of'))})"


def _allowed_by(item: Mapping[str, Any]) -> str:
    if item.get("forbidden_by"):
        return f"**forbidden by {_cell(item['forbidden_by'])}**"
    return _catalog(item.get("catalog"))


def _suppression(finding: Mapping[str, Any]) -> str:
    suppression = finding.get("suppression")
    if suppression:
        until = f" until {_cell(suppression['until'])}" if suppression.get("until") else ""
        source = _code(suppression["source"])
        return f"suppressed: {_cell(suppression['reason'])}{until} ({source})"
    lapsed = finding.get("expired_suppression")
    if lapsed:
        source = _code(lapsed["source"])
        return f"**expired** {_cell(lapsed['until'])}: {_cell(lapsed['reason'])} ({source})"
    return ""


def _state(suppression: Mapping[str, Any]) -> str:
    return f"**{_cell(suppression['state'])}** {_cell(suppression.get('problem'))}".strip()


_CELLS: Mapping[Cell, Callable[[Any], str]] = {
    Cell.TEXT: _cell,
    Cell.CODE: _code,
    Cell.WHERE: _where,
    Cell.ALLOWED_BY: _allowed_by,
    Cell.RULES: _cell,
    Cell.RULE: lambda finding: _cell(finding["rule"]),
    Cell.SUPPRESSION: _suppression,
    Cell.SCOPE: lambda row: _cell(scope(row)),
    Cell.REASON: lambda reason: _cell(reason) or "_none_",
    Cell.UNTIL: lambda until: _cell(until) or "no end",
    Cell.STATE: _state,
    Cell.MARKS: _cell,
}


def _stack(stack: Mapping[str, Any]) -> list[str]:
    mark = "✅" if stack["result"] == "pass" else "❌"
    lines = [f"### {mark} Stack {_code(stack['name'])}", ""]
    region = stack["region"]
    if region is None:
        lines += ["**No region declared.**", ""]
    else:
        lines += [
            f"- Declared region: **{_cell(region['id'])}** ({_cell(region['title'])}), from "
            f"{_cell(stack['region_source'])}",
            f"- Host: {_code(region['host'])}; processing: {_cell(region['processing'])}; stores "
            f"at rest: {_cell(region['stores_at_rest'])}",
            f"- Catalog entry: {_catalog(region['catalog'])}",
        ]
        lines += [f"- Precondition: {_cell(text)}" for text in region.get("preconditions", [])]
        lines += [f"- Declared by {_cell(d['source'])}: {_cell(d['region'])} ({_code(d['where'])})"
                  for d in stack["declarations"]]  # fmt: skip
        lines.append("")
    if stack[rows.DEPLOYED.rows]:
        lines += [f"{rows.DEPLOYED.title}:", "", *_table(rows.DEPLOYED, stack[rows.DEPLOYED.rows])]
    for table in rows.STACK_VALUES:
        lines += _table(table, stack[table.rows])
    return lines + _table(rows.FINDINGS, stack[rows.FINDINGS.rows])


def render_markdown(data: Mapping[str, Any]) -> str:
    """``report.md``, from the report data (see ``model.build_report``)."""
    summary = data["summary"]
    p = data["provenance"]
    result = {"pass": "✅ PASS", "fail": "❌ FAIL"}.get(summary["result"], "⚠️ ERROR")
    lines = [
        f"## OpenAI residency report: {result}",
        "",
        f"{summary['stacks']} stacks, {summary['files']} files: **{summary['failing']} failing** "
        f"(at or above {summary['fail_on']}), {summary['findings']} findings, "
        f"{summary['suppressed']} suppressed, {summary['expired_suppressions']} expired "
        f"suppressions, {summary['invalid_suppressions']} invalid suppressions, "
        f"{summary['errors']} input errors.",
        "",
    ]
    for matrix in (rows.overview(data), rows.eligibility(data)):
        lines += [f"### {matrix.table.title}", "", *_table(matrix, matrix.rows)]
    for stack in data["stacks"]:
        lines += _stack(stack)
    lines += [f"### {rows.SUPPRESSIONS.title}", ""]
    lines += _table(rows.SUPPRESSIONS, data[rows.SUPPRESSIONS.rows])
    if data["run_findings"]:
        lines += ["Findings about the repo config:", ""]
        lines += _table(rows.FINDINGS, data["run_findings"])
    if data["errors"]:
        lines += ["### Input errors", "", *[f"- {_code(e)}" for e in data["errors"]], ""]
    lines += [
        "### Provenance",
        "",
        f"- Tool: residency-guard {_cell(p['tool']['version'])}",
        f"- Catalog: {_cell(p['catalog']['version'])} (as of {_cell(p['catalog']['as_of'])})",
        f"- Policy pack: {_cell(p['policy_pack']['version'])}",
        f"- Git commit: {_code(p['git_commit'])}",
        f"- Generated (UTC): {_cell(p['generated_at'])}; suppressions judged on "
        f"{_cell(p['suppressions_judged_on'])}",
        f"- Inputs SHA-256: {_code(p['inputs']['sha256'])} ({len(p['inputs']['files'])} files)",
        "",
        "### What this report cannot show",
        "",
        *[f"- {_cell(text)}" for text in data["limits"]],
    ]
    return redact("\n".join(lines).rstrip() + "\n")
