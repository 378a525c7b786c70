"""Output formats of the lint command: json (Spectral's), stylish/text, sarif, junit,
github-actions, markdown."""

from __future__ import annotations

import json
from collections.abc import Sequence
from xml.sax.saxutils import escape, quoteattr

from .messages import print_path_pointer
from .ruleset import SEVERITY_NAMES
from .runner import LintResult
from .score import score

FORMATS = ("json", "stylish", "text", "sarif", "junit", "github-actions", "markdown")
_SARIF_LEVEL = {0: "error", 1: "warning", 2: "note", 3: "note"}
_GITHUB_LEVEL = {0: "error", 1: "warning", 2: "notice", 3: "notice"}


def render(results: Sequence[LintResult], fmt: str, source: str, descriptions: dict[str, str] | None = None) -> str:
    if fmt == "json":
        return json.dumps([r.as_spectral() for r in results], indent=2, ensure_ascii=False) + "\n"
    if fmt in ("stylish", "text"):
        return _stylish(results, source)
    if fmt == "sarif":
        return _sarif(results, descriptions or {})
    if fmt == "junit":
        return _junit(results, source)
    if fmt == "github-actions":
        return _github(results)
    if fmt == "markdown":
        return _markdown(results, source)
    raise ValueError(f"unknown format {fmt!r}")


def _position(result: LintResult) -> str:
    (line, character), _ = result.range
    return f"{line + 1}:{character + 1}"


def _printable(text: str) -> str:
    """One line, no terminal control characters (messages quote the document)."""
    return "".join(c if c.isprintable() else " " for c in text.replace("\n", " "))


def summary(results: Sequence[LintResult]) -> str:
    counts = {name: sum(1 for r in results if r.severity == s) for s, name in SEVERITY_NAMES.items()}
    total = len(results)
    parts = ", ".join(f"{counts[n]} {n}{'s' if counts[n] != 1 else ''}" for n in ("error", "warn", "info", "hint"))
    return f"{total} problem{'s' if total != 1 else ''} ({parts}); score {score(results)}/100"


def _stylish(results: Sequence[LintResult], source: str) -> str:
    if not results:
        return f"No results with a severity of 'hint' or higher found! (score {score(results)}/100)\n"
    lines = [_printable(source)]
    for r in results:
        path = ".".join(str(p) for p in r.path)
        lines.append(
            f" {_position(r):>9}  {SEVERITY_NAMES[r.severity]:<5}  {r.code}  {_printable(r.message)}  {_printable(path)}"
        )
    lines += ["", summary(results)]
    return "\n".join(lines) + "\n"


def _sarif(results: Sequence[LintResult], descriptions: dict[str, str]) -> str:
    codes = sorted({r.code for r in results})
    rules = [{"id": c, "shortDescription": {"text": descriptions.get(c, c)}} for c in codes]
    document = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "governance-openapi-lint", "rules": rules}},
                "results": [
                    {
                        "ruleId": r.code,
                        "ruleIndex": codes.index(r.code),
                        "level": _SARIF_LEVEL[r.severity],
                        "message": {"text": r.message},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": r.source},
                                    "region": {
                                        "startLine": r.range[0][0] + 1,
                                        "startColumn": r.range[0][1] + 1,
                                        "endLine": r.range[1][0] + 1,
                                        "endColumn": r.range[1][1] + 1,
                                    },
                                },
                                "logicalLocations": [{"fullyQualifiedName": "/".join(str(p) for p in r.path)}],
                            }
                        ],
                    }
                    for r in results
                ],
            }
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def _junit(results: Sequence[LintResult], source: str) -> str:
    failures = [r for r in results if r.severity == 0]
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<testsuites><testsuite name={quoteattr(source)} tests="{max(len(results), 1)}" failures="{len(failures)}" errors="0">',
    ]
    if not results:
        lines.append(f'<testcase classname={quoteattr(source)} name="lint"/>')
    for r in results:
        name = quoteattr(f"{r.code} #/{'/'.join(str(p) for p in r.path)}")
        lines.append(f"<testcase classname={quoteattr(source)} name={name}>")
        tag = "failure" if r.severity == 0 else "system-out"
        detail = escape(f"line {_position(r)}: {r.message}")
        if tag == "failure":
            lines.append(f"<failure message={quoteattr(r.message)} type={quoteattr(r.code)}>{detail}</failure>")
        else:
            lines.append(f"<system-out>{SEVERITY_NAMES[r.severity]}: {detail}</system-out>")
        lines.append("</testcase>")
    lines.append("</testsuite></testsuites>")
    return "\n".join(lines) + "\n"


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def _github(results: Sequence[LintResult]) -> str:
    lines = []
    for r in results:
        (sl, sc), (el, ec) = r.range
        props = f"file={_gh_escape(r.source, True)},line={sl + 1},col={sc + 1},endLine={el + 1},endColumn={ec + 1},title={_gh_escape(r.code, True)}"
        lines.append(f"::{_GITHUB_LEVEL[r.severity]} {props}::{_gh_escape(r.message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _md(text: str) -> str:
    return _printable(text).replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def _markdown(results: Sequence[LintResult], source: str) -> str:
    lines = [f"## Lint: {_md(source)}", "", summary(results), ""]
    if results:
        lines += ["| severity | code | line | path | message |", "|---|---|---:|---|---|"]
        for r in results:
            path = print_path_pointer(list(r.path))
            lines.append(
                f"| {SEVERITY_NAMES[r.severity]} | {_md(r.code)} | {r.range[0][0] + 1} | `{_md(path)}` | {_md(r.message)} |"
            )
    return "\n".join(lines) + "\n"
