"""The report as Markdown, for a pull-request comment: the same data, in tables."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from residency_guard.redact import redact

_ALLOWED = "Allowed / forbidden by"


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


def _table(headers: Sequence[str], rows: Sequence[Sequence[str]], empty: str) -> list[str]:
    if not rows:
        return [f"_{empty}_", ""]
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
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


def _findings(findings: Sequence[Mapping[str, Any]]) -> list[str]:
    rows = [
        [_cell(f["rule"]), _cell(f["severity"]), _where(f), _cell(f["message"]), _cell(f["fix"]),
         _cell(f["status"]), _suppression(f)]
        for f in findings
    ]  # fmt: skip
    return _table(("Rule", "Severity", "Where", "Finding", "Fix", "Status", "Suppression"), rows,
                  "no findings")  # fmt: skip


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
    if stack["deployed"]:
        rows = [[_where(d), _cell(d["output"]), _cell(d["region"]), _code(d["host"]),
                 _cell(d["models"]), _cell(d["catalog_as_of"]), _cell(d["matches_declared"])]
                for d in stack["deployed"]]  # fmt: skip
        lines += ["Deployed (stack outputs):", ""]
        lines += _table(("State export", "Output", "Region", "Host", "Models", "Catalog as of",
                         "Matches declared"), rows, "")  # fmt: skip
    endpoints = [[_code(x["url"]), _cell(x["origin"]), _where(x), _cell(x["handling"]),
                  _cell(x["verdict"]), _allowed_by(x), _cell(x["findings"])]
                 for x in stack["endpoints"]]  # fmt: skip
    lines += _table(("Endpoint", "From", "Where", "Region does", "Verdict", _ALLOWED,
                     "Findings"), endpoints, "no OpenAI endpoint referenced")  # fmt: skip
    models = [[_code(x["model"]), _cell(x["surface"]), _where(x), _cell(x["eligibility"]),
               _cell(x["handling"]), _cell(x["verdict"]), _allowed_by(x), _cell(x["findings"])]
              for x in stack["models"]]  # fmt: skip
    lines += _table(("Model", "Surface", "Where", "Eligibility", "Region does", "Verdict",
                     _ALLOWED, "Findings"), models, "no model named")  # fmt: skip
    surfaces = [[_cell(x["surface"]), _cell(x["origin"]), _where(x), _cell(x["handling"]),
                 _cell(x["verdict"]), _allowed_by(x), _cell(x["findings"])]
                for x in stack["surfaces"]]  # fmt: skip
    lines += _table(("Surface", "From", "Where", "Region does", "Verdict", _ALLOWED, "Findings"),
                    surfaces, "no API surface listed")  # fmt: skip
    return lines + _findings(stack["findings"])


def _state(suppression: Mapping[str, Any]) -> str:
    return f"**{_cell(suppression['state'])}** {_cell(suppression.get('problem'))}".strip()


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
        "### Stacks \u00d7 regions",
        "",
    ]
    regions = data["overview"]["regions"]
    rows = [[_code(r["stack"]), _cell(r["result"]), *(_cell(r["cells"][g]) for g in regions)]
            for r in data["overview"]["rows"]]  # fmt: skip
    lines += _table(("Stack", "Result", *regions), rows, "no stacks found")
    lines += ["### Models \u00d7 regions", ""]
    regions = data["eligibility"]["regions"]
    rows = [
        [_code(r["model"]), _cell(r["surface"]), _cell(r["used_in"]),
         *(_cell(r["cells"][g]) for g in regions)]
        for r in data["eligibility"]["rows"]
    ]  # fmt: skip
    lines += _table(("Model", "Surface", "Used in", *regions), rows, "no models named")
    for stack in data["stacks"]:
        lines += _stack(stack)
    lines += ["### Suppressions", ""]
    rows = [
        [_cell(s["rules"]), _code(s["source"]), _cell(s["reason"]) or "_none_",
         _cell(s["until"]) or "no end", _state(s), _cell(s["findings"])]
        for s in data["suppressions"]
    ]  # fmt: skip
    lines += _table(("Rules", "Written at", "Reason", "Until", "State", "Findings"), rows,
                    "no suppressions")  # fmt: skip
    if data["run_findings"]:
        lines += ["Findings about the repo config:", "", *_findings(data["run_findings"])]
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
