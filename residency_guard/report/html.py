"""The report as one self-contained page: inline CSS and SVG, no script, nothing to fetch.

The markup is polyglot (HTML5 that is also well-formed XHTML), so that an XML parser can check
it; a Content-Security-Policy forbids the page every fetch, should a value ever try one.
Only ``http(s)`` catalog sources become links.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

from residency_guard.redact import redact
from residency_guard.report.svg import eligibility_svg, overview_svg

_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; form-action 'none'"
_ALLOWED = "Allowed / forbidden by"
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


def _table(headers: Sequence[str], rows: Iterable[str], empty: str) -> str:
    body = "".join(rows)
    if not body:
        return f'<p class="muted">{_e(empty)}</p>'
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
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
    files = "".join(
        f'<tr data-input="{_e(f["path"])}"><td><code>{_e(f["path"])}</code></td>'
        f"<td><code>{_e(f['sha256'])}</code></td><td>{_e(f['bytes'])}</td></tr>"
        for f in p["inputs"]["files"]
    )
    table = _table(("Input file", "SHA-256", "Bytes"), [files], "no input files")
    facts_list = f'<dl class="facts">{items}</dl>'
    return f'<section id="provenance"><h2>Provenance</h2>{facts_list}{table}</section>'


def _overview(data: Mapping[str, Any]) -> str:
    overview = data["overview"]
    regions: list[str] = overview["regions"]
    head = ("Stack", "Result", *regions)
    rows = []
    for row in overview["rows"]:
        cells = "".join(f"<td>{_e(', '.join(row['cells'][r]))}</td>" for r in regions)
        rows.append(f'<tr data-stack="{_e(row["stack"])}"><td><code>{_e(row["stack"])}</code>'
                    f"</td><td>{_e(row['result'])}</td>{cells}</tr>")  # fmt: skip
    return (
        '<section id="overview"><h2>Stacks \u00d7 regions</h2>'
        f'<div class="picture">{overview_svg(overview)}</div>'
        f"{_table(head, rows, 'no stacks found')}</section>"
    )


def _eligibility(data: Mapping[str, Any]) -> str:
    eligibility = data["eligibility"]
    regions: list[str] = eligibility["regions"]
    head = ("Model", "Surface", "Used in", *regions)
    rows = []
    for row in eligibility["rows"]:
        cells = "".join(f"<td>{_e(row['cells'][r])}</td>" for r in regions)
        rows.append(f'<tr data-model="{_e(row["model"])}"><td><code>{_e(row["model"])}</code>'
                    f"</td><td>{_e(row['surface'])}</td><td>{_e(row['used_in'])}</td>{cells}"
                    "</tr>")  # fmt: skip
    return (
        '<section id="eligibility"><h2>Models \u00d7 regions</h2>'
        '<p class="muted">Eligibility of every model a stack names, in every region that '
        "promises residency (framed: a stack in that region uses it).</p>"
        f'<div class="picture">{eligibility_svg(eligibility)}</div>'
        f"{_table(head, rows, 'no models named')}</section>"
    )


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
    rows = [
        f'<tr data-declared="{_e(d["region"])}"><td>{_e(d["region"])}</td><td>{_e(d["source"])}'
        f"</td><td><code>{_e(d['where'])}</code></td></tr>"
        for d in stack["declarations"]
    ]
    return _table(("Region", "Source", "Where"), rows, "no declaration")


def _endpoints(stack: Mapping[str, Any]) -> str:
    rows = [
        f'<tr class="{_row_class(x)}" data-stack="{_e(stack["name"])}" data-kind="endpoint" '
        f'data-host="{_e(x["host"])}"><td><code>{_e(x["url"])}</code></td><td>{_e(x["host"])}</td>'
        f"<td>{_e(x['origin'])}</td><td>{_where(x)}</td><td>{_e(x['handling'])}</td>"
        f"<td>{_e(x['verdict'])}</td><td>{_allowed_by(x)}</td>"
        f"<td>{_findings_cell(x['findings'])}</td></tr>"
        for x in stack["endpoints"]
    ]
    head = ("Endpoint", "Host", "From", "Where", "Region does", "Verdict", _ALLOWED, "Findings")
    return "<h4>Endpoints</h4>" + _table(head, rows, "no OpenAI endpoint referenced")


def _models(stack: Mapping[str, Any]) -> str:
    rows = [
        f'<tr class="{_row_class(x)}" data-stack="{_e(stack["name"])}" data-kind="model" '
        f'data-model="{_e(x["model"])}"><td><code>{_e(x["model"])}</code></td>'
        f"<td>{_e(x['surface'])}</td><td>{_where(x)}</td><td>{_e(x['eligibility'])}</td>"
        f"<td>{_e(x['handling'])}</td><td>{_e(x['verdict'])}</td><td>{_allowed_by(x)}</td>"
        f"<td>{_findings_cell(x['findings'])}</td></tr>"
        for x in stack["models"]
    ]
    head = ("Model", "Surface", "Where", "Eligibility", "Region does", "Verdict", _ALLOWED,
            "Findings")  # fmt: skip
    return "<h4>Models</h4>" + _table(head, rows, "no model named")


def _surfaces(stack: Mapping[str, Any]) -> str:
    rows = [
        f'<tr class="{_row_class(x)}" data-stack="{_e(stack["name"])}" data-kind="surface" '
        f'data-surface="{_e(x["surface"])}"><td>{_e(x["surface"])}</td><td>{_e(x["title"])}</td>'
        f"<td>{_e(x['origin'])}</td><td>{_where(x)}</td><td>{_e(x['handling'])}</td>"
        f"<td>{_e(x['verdict'])}</td><td>{_allowed_by(x)}</td>"
        f"<td>{_findings_cell(x['findings'])}</td></tr>"
        for x in stack["surfaces"]
    ]
    head = ("Surface", "Title", "From", "Where", "Region does", "Verdict", _ALLOWED, "Findings")
    return "<h4>API surfaces</h4>" + _table(head, rows, "no API surface listed")


def _deployed(stack: Mapping[str, Any]) -> str:
    rows = [
        f'<tr data-stack="{_e(stack["name"])}" data-kind="deployed"><td>{_where(d)}</td>'
        f"<td>{_e(d['output'])}</td><td>{_e(d['region'])}</td><td><code>{_e(d['host'])}</code></td>"
        f"<td>{_e(d['models'])}</td><td>{_e(d['catalog_as_of'])}</td>"
        f"<td>{_e(d['matches_declared'])}</td></tr>"
        for d in stack["deployed"]
    ]
    head = ("State export", "Output", "Region", "Host", "Models", "Catalog as of",
            "Matches declared")  # fmt: skip
    return "<h4>Deployed (stack outputs)</h4>" + _table(head, rows, "no state export given")


def _row_class(item: Mapping[str, Any]) -> str:
    verdict = str(item.get("verdict", ""))
    return (
        "failing" if verdict == "forbidden" else ("suppressed" if "suppressed" in verdict else "ok")
    )


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


def findings_table(findings: Sequence[Mapping[str, Any]], stack: str = "") -> str:
    rows = []
    for f in findings:
        status = str(f["status"])
        css = "suppressed" if status == "suppressed" else (
            "expired" if "expired" in status else ("failing" if status == "failing" else "ok")
        )  # fmt: skip
        rows.append(
            f'<tr class="{css} finding" data-stack="{_e(stack)}" data-rule="{_e(f["rule"])}" '
            f'data-line="{_e(f["line"])}" data-status="{_e(status)}">'
            f'<td>{_link(f["source_url"], f["rule"])}<br/><span class="muted">{_e(f["name"])}'
            f"</span></td><td>{_e(f['severity'])}</td><td>{_where(f)}</td>"
            f"<td>{_e(f['message'])}</td><td>{_e(f['fix'])}</td><td>{_e(status)}</td>"
            f"<td>{_suppression_cell(f)}</td></tr>"
        )
    head = ("Rule", "Severity", "Where", "Finding", "Fix", "Status", "Suppression")
    return _table(head, rows, "no findings")


def _stack(stack: Mapping[str, Any]) -> str:
    name = str(stack["name"])
    failing = stack["result"] != "pass"
    files = ", ".join(f"{f['file']} ({f['kind']})" for f in stack["files"])
    badge = (
        '<span class="badge fail">FAIL</span>'
        if failing
        else '<span class="badge pass">PASS</span>'
    )
    return (
        f'<section class="stack {"failing" if failing else "passing"}" id="stack-{_slug(name)}" '
        f'data-stack="{_e(name)}"><h3>{badge} Stack <code>{_e(name)}</code></h3>'
        f'<p class="muted">{_e(files)}</p>{_region_facts(stack)}'
        f"<h4>Region declarations</h4>{_declarations(stack)}{_deployed(stack)}"
        f"{_endpoints(stack)}{_models(stack)}{_surfaces(stack)}"
        f"<h4>Findings</h4>{findings_table(stack['findings'], name)}</section>"
    )


def _suppressions(data: Mapping[str, Any]) -> str:
    rows = []
    for s in data["suppressions"]:
        scope = (f"stack {s['stack']}, file {s['file']}" if s["kind"] == "repo"
                 else f"lines {', '.join(map(str, s['lines']))}")  # fmt: skip
        state = str(s["state"])
        css = {"active": "suppressed", "expired": "expired"}.get(state, "failing")
        problem = f" \u2014 {_e(s['problem'])}" if s.get("problem") else ""
        rows.append(
            f'<tr class="{css}" data-suppression="{_e(s["source"])}" data-state="{_e(state)}">'
            f"<td>{_e(s['rules'])}</td><td><code>{_e(s['source'])}</code></td><td>{_e(scope)}</td>"
            f"<td>{_e(s['reason']) or '<em>none</em>'}</td><td>{_e(s['until']) or 'no end'}</td>"
            f"<td><strong>{_e(state)}</strong>{problem}</td><td>{_e(s['findings'])}</td></tr>"
        )
    head = ("Rules", "Written at", "Applies to", "Reason", "Until", "State", "Findings")
    table = _table(head, rows, "no suppressions")
    run_level = ""
    if data["run_findings"]:
        run_level = "<h3>Findings about the repo config</h3>" + findings_table(data["run_findings"])
    return f'<section id="suppressions"><h2>Suppressions</h2>{table}{run_level}</section>'


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
