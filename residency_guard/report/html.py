"""The report as one self-contained page: inline CSS and SVG, no script, nothing to fetch.

The markup is polyglot (HTML5 that is also well-formed XHTML), so that an XML parser can check
it; a Content-Security-Policy forbids the page every fetch, should a value ever try one.
Only ``http(s)`` catalog sources become links.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import Any

from residency_guard.redact import redact
from residency_guard.report import rows
from residency_guard.report.rows import Cell, Matrix, Row, Table, scope, value
from residency_guard.report.svg import eligibility_svg, overview_svg

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
_SLUG = re.compile(r"[^a-z0-9]+")
_CSS = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#212121;
margin:0;padding:24px 32px;background:#fff}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:28px 0 8px;border-bottom:2px solid
#e0e0e0;padding-bottom:4px}h3{font-size:16px;margin:18px 0 6px}h4{font-size:14px;margin:12px 0 4px}
table{border-collapse:collapse;margin:4px 0 10px;width:100%}th,td{border:1px solid #e0e0e0;
padding:3px 7px;text-align:left;vertical-align:top}th{background:#f5f5f5;font-weight:600}
code{font:12px ui-monospace,Menlo,Consolas,monospace;background:#f5f5f5;padding:0 3px;
overflow-wrap:anywhere}.badge{display:inline-block;padding:2px 10px;border-radius:10px;
font-weight:700;color:#fff}.pass{background:#2e7d32}.fail{background:#c62828}
.error{background:#6a1b9a}.muted{color:#757575}.stack{border:1px solid #e0e0e0;
border-radius:6px;padding:4px 16px 10px;margin:14px 0}.stack.failing{border-left:6px solid
#c62828}.stack.passing{border-left:6px solid #2e7d32}tr.failing td{background:#ffebee}
tr.suppressed td{background:#f1f8e9;color:#555}tr.expired td{background:#fff3e0}
.picture{overflow-x:auto;margin:6px 0}dl.facts{display:grid;grid-template-columns:max-content
auto;gap:2px 14px;margin:6px 0}dl.facts dt{font-weight:600}dl.facts dd{margin:0}
"""


def _e(value: Any) -> str:
    """Text for an element or an attribute: redacted (again) and escaped."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list | tuple):
        return escape(redact(", ".join(str(v) for v in value)), quote=True)
    if isinstance(value, Mapping):
        return "; ".join(f"{_e(k)}: {_e(v)}" for k, v in value.items())
    return escape(redact(str(value)), quote=True)


def _slug(text: str) -> str:
    return _SLUG.sub("-", text.lower()).strip("-") or "stack"


def _link(url: Any, label: Any = None) -> str:
    text = _e(label if label is not None else url)
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        return f'<a href="{_e(url)}">{text}</a>'
    return text


def _where(item: Mapping[str, Any]) -> str:
    line = item.get("line") or 0
    where = f"{item.get('file', '')}:{line}" if line else str(item.get("file", ""))
    return f"<code>{_e(where)}</code>"


def _catalog(entry: Mapping[str, Any] | None) -> str:
    if not entry:
        return '<span class="muted">none</span>'
    return f'{_link(entry.get("source"))} <span class="muted">as of {_e(entry.get("as_of"))}</span>'


def _allowed_by(item: Mapping[str, Any]) -> str:
    """The catalog entry that allows a value, or the rules whose findings forbid it."""
    if item.get("forbidden_by"):
        return f"<strong>forbidden by {_e(item['forbidden_by'])}</strong>"
    return _catalog(item.get("catalog"))


def _findings_cell(rules: Sequence[str]) -> str:
    return _e(", ".join(rules)) if rules else '<span class="muted">none</span>'


def _rule_cell(finding: Row) -> str:
    return (f'{_link(finding["source_url"], finding["rule"])}<br/><span class="muted">'
            f'{_e(finding["name"])}</span>')  # fmt: skip


def _suppression_cell(finding: Mapping[str, Any]) -> str:
    suppression = finding.get("suppression")
    if suppression:
        until = f" until {_e(suppression['until'])}" if suppression.get("until") else ""
        return (f"suppressed: {_e(suppression['reason'])}{until} "
                f"<code>{_e(suppression['source'])}</code>")  # fmt: skip
    lapsed = finding.get("expired_suppression")
    if lapsed:
        return (f"<strong>expired</strong> {_e(lapsed['until'])}: {_e(lapsed['reason'])} "
                f"<code>{_e(lapsed['source'])}</code>")  # fmt: skip
    return '<span class="muted">none</span>'


def _state_cell(suppression: Row) -> str:
    problem = f" \u2014 {_e(suppression['problem'])}" if suppression.get("problem") else ""
    return f"<strong>{_e(suppression['state'])}</strong>{problem}"


_CELLS: Mapping[Cell, Callable[[Any], str]] = {
    Cell.TEXT: _e,
    Cell.CODE: lambda v: f"<code>{_e(v)}</code>",
    Cell.WHERE: _where,
    Cell.ALLOWED_BY: _allowed_by,
    Cell.RULES: _findings_cell,
    Cell.RULE: _rule_cell,
    Cell.SUPPRESSION: _suppression_cell,
    Cell.SCOPE: lambda row: _e(scope(row)),
    Cell.REASON: lambda reason: _e(reason) or "<em>none</em>",
    Cell.UNTIL: lambda until: _e(until) or "no end",
    Cell.STATE: _state_cell,
    Cell.MARKS: _e,
}


def _table(
    table: Table | Matrix, items: Sequence[Row], attributes: Callable[[Row], str]
) -> str:
    """A table of ``items`` (each row's ``<tr>`` attributes from ``attributes``), or the
    table's empty text when there are none."""
    if not items:
        return f'<p class="muted">{_e(table.empty)}</p>'
    columns = table.columns_for(page=True)
    head = "".join(f"<th>{_e(c.header)}</th>" for c in columns)
    body = "".join(
        f"<tr{attributes(row)}>"
        + "".join(f"<td>{_CELLS[c.cell](value(c, row))}</td>" for c in columns)
        + "</tr>"
        for row in items
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _provenance(data: Mapping[str, Any]) -> str:
    p = data["provenance"]
    facts = [
        ("Tool", f"{p['tool']['name']} {p['tool']['version']}"),
        ("Catalog", f"{p['catalog']['version']} (as of {p['catalog']['as_of']})"),
        ("Catalog overlays", ", ".join(p["catalog"]["overlays"]) or "none"),
        ("Policy pack", p["policy_pack"]["version"]),
        ("Git commit", p["git_commit"]),
        ("Generated (UTC)", p["generated_at"]),
        ("Suppressions judged on", p["suppressions_judged_on"]),
        ("Repo config", p["repo_config"]),
        ("Inputs SHA-256", p["inputs"]["sha256"]),
    ]
    items = "".join(f"<dt>{_e(k)}</dt><dd><code>{_e(v)}</code></dd>" for k, v in facts)
    table = _table(rows.INPUT_FILES, p["inputs"]["files"],
                   lambda f: f' data-input="{_e(f["path"])}"')  # fmt: skip
    facts_list = f'<dl class="facts">{items}</dl>'
    return f'<section id="provenance"><h2>Provenance</h2>{facts_list}{table}</section>'


def _matrix(section: str, matrix: Matrix, picture: str, key: str, note: str = "") -> str:
    """A matrix's section: its picture above its table, rows marked by their ``key`` field."""
    table = _table(matrix, matrix.rows, lambda row: f' data-{key}="{_e(row[key])}"')
    note = f'<p class="muted">{note}</p>' if note else ""
    return (
        f'<section id="{section}"><h2>{_e(matrix.table.title)}</h2>{note}'
        f'<div class="picture">{picture}</div>{table}</section>'
    )


def _overview(data: Mapping[str, Any]) -> str:
    overview = rows.overview(data)
    return _matrix("overview", overview, overview_svg(overview), "stack")


def _eligibility(data: Mapping[str, Any]) -> str:
    eligibility = rows.eligibility(data)
    note = (
        "Eligibility of every model a stack names, in every region that promises residency "
        "(framed: a stack in that region uses it)."
    )
    return _matrix("eligibility", eligibility, eligibility_svg(eligibility), "model", note)


def _region_facts(stack: Mapping[str, Any]) -> str:
    region = stack["region"]
    if region is None:
        return "<p><strong>No region declared.</strong></p>"
    facts = [
        ("Declared region", f"{region['id']} ({region['title']})"),
        ("Declared in", stack["region_source"]),
        ("Host", region["host"] or "none"),
        ("Base URL", region["base_url"] or "none"),
        ("Residency", region["residency"]),
        ("Processing", region["processing"] or "unknown"),
        ("Stores at rest", region["stores_at_rest"]),
        ("Preconditions", "; ".join(region.get("preconditions", [])) or "none"),
    ]
    items = "".join(f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in facts)
    items += f"<dt>Catalog entry</dt><dd>{_catalog(region['catalog'])}</dd>"
    return f'<dl class="facts" data-region="{_e(region["id"])}">{items}</dl>'


def _declarations(stack: Mapping[str, Any]) -> str:
    table = rows.DECLARATIONS
    return f"<h4>{_e(table.title)}</h4>" + _table(
        table, stack[table.rows], lambda d: f' data-declared="{_e(d["region"])}"'
    )


def _values(stack: Mapping[str, Any], table: Table) -> str:
    """One of a stack's tables of values (endpoints, models, surfaces, deployed summaries)."""
    marks = f' data-stack="{_e(stack["name"])}" data-kind="{table.kind}"'

    def attributes(row: Row) -> str:
        css = f' class="{_row_class(row)}"' if table.judged else ""
        key = f' data-{table.key}="{_e(row[table.key])}"' if table.key else ""
        return f"{css}{marks}{key}"

    return f"<h4>{_e(table.title)}</h4>" + _table(table, stack[table.rows], attributes)


def _row_class(item: Mapping[str, Any]) -> str:
    verdict = str(item.get("verdict", ""))
    return (
        "failing" if verdict == "forbidden" else ("suppressed" if "suppressed" in verdict else "ok")
    )


def findings_table(findings: Sequence[Mapping[str, Any]], stack: str = "") -> str:
    def attributes(f: Row) -> str:
        status = str(f["status"])
        css = "suppressed" if status == "suppressed" else (
            "expired" if "expired" in status else ("failing" if status == "failing" else "ok")
        )  # fmt: skip
        return (f' class="{css} finding" data-stack="{_e(stack)}" data-rule="{_e(f["rule"])}" '
                f'data-line="{_e(f["line"])}" data-status="{_e(status)}"')  # fmt: skip

    return _table(rows.FINDINGS, findings, attributes)


def _stack(stack: Mapping[str, Any]) -> str:
    name = str(stack["name"])
    failing = stack["result"] != "pass"
    files = ", ".join(f"{f['file']} ({f['kind']})" for f in stack["files"])
    badge = (
        '<span class="badge fail">FAIL</span>'
        if failing
        else '<span class="badge pass">PASS</span>'
    )
    values = "".join(_values(stack, table) for table in (rows.DEPLOYED, *rows.STACK_VALUES))
    return (
        f'<section class="stack {"failing" if failing else "passing"}" id="stack-{_slug(name)}" '
        f'data-stack="{_e(name)}"><h3>{badge} Stack <code>{_e(name)}</code></h3>'
        f'<p class="muted">{_e(files)}</p>{_region_facts(stack)}{_declarations(stack)}{values}'
        f"<h4>{_e(rows.FINDINGS.title)}</h4>{findings_table(stack['findings'], name)}</section>"
    )


def _suppressions(data: Mapping[str, Any]) -> str:
    def attributes(s: Row) -> str:
        state = str(s["state"])
        css = {"active": "suppressed", "expired": "expired"}.get(state, "failing")
        return f' class="{css}" data-suppression="{_e(s["source"])}" data-state="{_e(state)}"'

    table = _table(rows.SUPPRESSIONS, data[rows.SUPPRESSIONS.rows], attributes)
    run_level = ""
    if data["run_findings"]:
        run_level = "<h3>Findings about the repo config</h3>" + findings_table(data["run_findings"])
    title = _e(rows.SUPPRESSIONS.title)
    return f'<section id="suppressions"><h2>{title}</h2>{table}{run_level}</section>'


def render_html(data: Mapping[str, Any]) -> str:
    """The page, from the report data (see ``model.build_report``)."""
    summary = data["summary"]
    result = str(summary["result"])
    badge = {"pass": "pass", "fail": "fail"}.get(result, "error")
    line = (
        f"{summary['stacks']} stacks, {summary['files']} files: {summary['failing']} failing "
        f"(at or above {summary['fail_on']}), {summary['findings']} findings, "
        f"{summary['suppressed']} suppressed, {summary['expired_suppressions']} expired "
        f"suppressions, {summary['invalid_suppressions']} invalid suppressions, "
        f"{summary['errors']} input errors"
    )
    errors = "".join(f"<li><code>{_e(e)}</code></li>" for e in data["errors"])
    limits = "".join(f"<li>{_e(text)}</li>" for text in data["limits"])
    stacks = "".join(_stack(s) for s in data["stacks"]) or '<p class="muted">no stacks found</p>'
    p = data["provenance"]
    page = (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en"><head><meta charset="utf-8"/>'
        f'<meta http-equiv="Content-Security-Policy" content="{_e(_CSP)}"/>'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>'
        "<title>OpenAI residency report</title>"
        f"<style>{_CSS}</style></head><body>"
        f'<header><h1>OpenAI residency report <span class="badge {badge}" id="result">'
        f"{_e(result.upper())}</span></h1>"
        f'<p id="summary">{_e(line)}</p><p class="muted">Generated {_e(p["generated_at"])} by '
        f"residency-guard {_e(p['tool']['version'])} at commit <code>{_e(p['git_commit'])}</code>; "
        f"catalog {_e(p['catalog']['version'])} as of {_e(p['catalog']['as_of'])}.</p></header>"
        f"{_overview(data)}{_eligibility(data)}"
        f'<section id="stacks"><h2>Stacks</h2>{stacks}</section>'
        f"{_suppressions(data)}"
        + (
            f'<section id="errors"><h2>Input errors</h2><ul>{errors}</ul></section>'
            if errors
            else ""
        )
        + f"{_provenance(data)}"
        f'<section id="limits"><h2>What this report cannot show</h2><ul>{limits}</ul></section>'
        "</body></html>\n"
    )
    return redact(page)
