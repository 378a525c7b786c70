"""Render a Report as text, JSON, Markdown or HTML (HTML-escaped)."""
from __future__ import annotations

import html
import json

from .model import Report

FORMATS = ("text", "json", "markdown", "html")


def render(report: Report, fmt: str) -> str:
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return renderer(report)


def to_json(report: Report) -> str:
    return json.dumps({"changes": [f.as_dict() for f in report.findings], "summary": report.summary},
                      indent=2, ensure_ascii=False) + "\n"


def to_text(report: Report) -> str:
    if not report.findings:
        return "No changes found.\n"
    lines = [_headline(report), ""]
    for f in report.findings:
        where = f"{f.operation} {f.path}".strip() or "(document)"
        lines.append(f"{f.level:<4} [{f.id}] at {where}")
        lines.append(f"     {f.text}")
    return "\n".join(lines) + "\n"


def to_markdown(report: Report) -> str:
    lines = ["# API changes", "", _headline(report), ""]
    if report.findings:
        lines += ["| Level | Rule | Operation | Path | Change |", "|---|---|---|---|---|"]
        for f in report.findings:
            cells = [f.level, f"`{f.id}`", f.operation, f"`{f.path}`" if f.path else "", f.text]
            lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def to_html(report: Report) -> str:
    e = html.escape
    rows = "\n".join(
        f"<tr class=\"{e(f.level.lower())}\"><td>{e(f.level)}</td><td><code>{e(f.id)}</code></td>"
        f"<td>{e(f.operation)}</td><td><code>{e(f.path)}</code></td><td>{e(f.text)}</td></tr>"
        for f in report.findings)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>API changes</title></head>\n"
        f"<body><h1>API changes</h1><p>{e(_headline(report))}</p>\n"
        "<table><thead><tr><th>Level</th><th>Rule</th><th>Operation</th><th>Path</th><th>Change</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table></body></html>\n")


def _headline(report: Report) -> str:
    s = report.summary
    return f"{s['total']} changes: {s['ERR']} error, {s['WARN']} warning, {s['INFO']} info"


def _md_cell(value: str) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


_RENDERERS = {"text": to_text, "json": to_json, "markdown": to_markdown, "html": to_html}
