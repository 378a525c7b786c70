"""Render a Report as text, JSON, Markdown or HTML.

Grouped (the default, ``grouping="origin"``): each change once, with the operations it reaches
(``groups.py``); HTML lists each occurrence behind a ``<details>`` toggle, JSON keeps every
occurrence in ``changes`` and adds ``groups``. ``grouping="none"``: one entry per finding.

Spec values (paths, property names, enum values, media types) reach every format, so each escapes
them for where it is read: HTML escaped; Markdown with `<`, `>`, `&` as entities and every value in
a code span no backtick of its own can close; text with terminal control characters as ``\\xNN``.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable

from .groups import Group
from .model import Report

FORMATS = ("text", "json", "markdown", "html")
GROUPINGS = ("origin", "none")  # one entry per (rule, origin, direction) / per finding


def render(report: Report, fmt: str, grouping: str = "origin") -> str:
    if grouping not in GROUPINGS:
        raise ValueError(f"unknown grouping {grouping!r}; use one of {', '.join(GROUPINGS)}")
    try:
        renderer = _RENDERERS[fmt]
    except KeyError:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}") from None
    return renderer(report, grouping == "origin")


def to_json(report: Report, grouped: bool = True) -> str:
    document: dict[str, object] = {"changes": [f.as_dict() for f in report.findings], "summary": report.summary}
    if grouped:
        index = {id(f): i for i, f in enumerate(report.findings)}
        document["groups"] = [g.as_dict(index) for g in report.groups]
        document["group_summary"] = report.group_summary()
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def to_text(report: Report, grouped: bool = True) -> str:
    if not report.findings:
        return "No changes found.\n"
    if grouped:
        lines = [_group_headline(report), ""]
        for g in report.groups:
            lines.append(printable(f"{g.level:<4} [{g.rule}] {g.text}"))
            lines.append(printable(f"     at {g.origin or '(document)'}  (group {g.id})"))
        return "\n".join(lines) + "\n"
    lines = [_headline(report), ""]
    for f in report.findings:
        where = f"{f.operation} {f.path}".strip() or "(document)"
        lines.append(printable(f"{f.level:<4} [{f.id}] at {where}"))
        lines.append(printable(f"     {f.text}"))
    return "\n".join(lines) + "\n"


def to_markdown(report: Report, grouped: bool = True) -> str:
    if grouped:
        lines = ["# API changes", "", _md_text(_group_headline(report)), ""]
        if report.groups:
            lines += ["| Level | Rule | Change | Origin |", "|---|---|---|---|"]
            for g in report.groups:
                cells = [
                    _md_text(g.level),
                    _md_code(g.rule),
                    g.text_as(quote=_md_code, words=_md_words, text=_md_text),
                    _md_code(g.origin),
                ]
                lines.append("| " + " | ".join(cells) + " |")
        return "\n".join(lines) + "\n"
    lines = ["# API changes", "", _headline(report), ""]
    if report.findings:
        lines += ["| Level | Rule | Operation | Path | Change |", "|---|---|---|---|---|"]
        for f in report.findings:
            cells = [
                _md_text(f.level),
                _md_code(f.id),
                _md_text(f.operation),
                _md_code(f.path),
                f.text_as(quote=_md_code, words=_md_words, text=_md_text),
            ]
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def to_html(report: Report, grouped: bool = True) -> str:
    e = html.escape
    if grouped:
        sections = "\n".join(_html_group(g) for g in report.groups)
        return (
            '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>API changes</title></head>\n'
            f"<body><h1>API changes</h1><p>{e(_group_headline(report))}</p>\n{sections}\n</body></html>\n"
        )
    rows = "\n".join(
        f'<tr class="{e(f.level.lower())}"><td>{e(f.level)}</td><td><code>{e(f.id)}</code></td>'
        f"<td>{e(f.operation)}</td><td><code>{e(f.path)}</code></td><td>{e(f.text)}</td></tr>"
        for f in report.findings
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>API changes</title></head>\n'
        f"<body><h1>API changes</h1><p>{e(_headline(report))}</p>\n"
        "<table><thead><tr><th>Level</th><th>Rule</th><th>Operation</th><th>Path</th><th>Change</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table></body></html>\n"
    )


def _html_group(g: Group) -> str:
    """One change: its text as the toggle's summary, each occurrence in the table it opens."""
    e = html.escape
    rows = "\n".join(
        f"<tr><td>{e(f.operation)}</td><td><code>{e(f.path)}</code></td><td>{e(f.via)}</td><td>{e(f.text)}</td></tr>"
        for f in g.findings
    )
    return (
        f'<section class="group {e(g.level.lower())}" id="group-{e(g.id)}"><details><summary>'
        f"<strong>{e(g.level)}</strong> <code>{e(g.rule)}</code> {e(g.text)}</summary>\n"
        f"<p>Origin <code>{e(g.origin)}</code>, {g.occurrences} occurrence{'s' if g.occurrences != 1 else ''}</p>\n"
        "<table><thead><tr><th>Operation</th><th>Path</th><th>In</th><th>Change</th></tr></thead>\n"
        f"<tbody>\n{rows}\n</tbody></table></details></section>"
    )


def _headline(report: Report) -> str:
    s = report.summary
    return f"{s['total']} changes: {s['ERR']} error, {s['WARN']} warning, {s['INFO']} info"


def _group_headline(report: Report) -> str:
    s, g = report.summary, report.group_summary()
    return f"{g['total']} changes ({s['total']} occurrences): {g['ERR']} error, {g['WARN']} warning, {g['INFO']} info"


# --- text: what a terminal would act on ------------------------------------------------------------

# C0 controls but the tab, DEL and C1: ESC / CSI sequences recolour, retitle or rewrite the terminal
# (or a CI log viewer). The newline too: every value is printed within one line, and one of its own
# could forge a finding line.
_CONTROLS = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f]")


def printable(value: object) -> str:
    """``value`` with terminal control characters shown as ``\\xNN`` (the text report, and
    ``manage.py submit_spec``, print spec values)."""
    return _CONTROLS.sub(_hex_escape, str(value))


def _hex_escape(match: re.Match[str]) -> str:
    return f"\\x{ord(match[0]):02x}"


# --- Markdown: one table row per finding (GFM) -----------------------------------------------------

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
_ONE_LINE = {"\r": " ", "\n": " "}  # a line break would end the table row
# The rule's own words: backslash and pipe escaped (`|` splits the cell); their back-quoted
# keywords (`allOf`) stay code spans.
_MD_WORDS = str.maketrans({**_ENTITIES, **_ONE_LINE, "\\": "\\\\", "|": "\\|"})
# Spec text outside a code span: also every character that would start inline markup (code span,
# emphasis, link / image, strikethrough).
_MD_TEXT = str.maketrans({**_ENTITIES, **_ONE_LINE, **{c: "\\" + c for c in "\\|`*_[]~"}})
# Inside a code span backslash escapes don't exist; the entities stay: renderers split the table
# cells before they see code spans, so the span alone is not what keeps a value from being HTML.
_MD_CODE = str.maketrans({**_ENTITIES, **_ONE_LINE})
_BACKTICK_RUN = re.compile("`+")
_PIPE = re.compile(r"(\\*)\|")


def _md_words(value: str) -> str:
    return value.translate(_MD_WORDS)


def _md_text(value: object) -> str:
    return str(value).translate(_MD_TEXT)


def _md_code(value: object) -> str:
    """``value`` as a code span in a table cell (CommonMark): fenced by a backtick run longer than
    any in the value, so none of them closes it, with a space inside each fence when the value
    starts or ends with a backtick (or starts and ends with a space, which the renderer strips)."""
    value = str(value).translate(_MD_CODE)
    if not value:
        return ""
    fence = "`" * (max(map(len, _BACKTICK_RUN.findall(value)), default=0) + 1)
    pad = " " if value[0] == "`" or value[-1] == "`" or (value[0] == value[-1] == " " and value.strip()) else ""
    return f"{fence}{pad}{_PIPE.sub(_md_pipe, value)}{pad}{fence}"


def _md_pipe(match: re.Match[str]) -> str:
    """A pipe in a code span is ``\\|`` (GFM); the backslashes before it are made an even run, or
    cmark-gfm would read the last of them as escaping ours and split the cell there."""
    backslashes = match[1]
    return backslashes + "\\" * (len(backslashes) % 2) + "\\|"


_RENDERERS: dict[str, Callable[[Report, bool], str]] = {
    "text": to_text,
    "json": to_json,
    "markdown": to_markdown,
    "html": to_html,
}
