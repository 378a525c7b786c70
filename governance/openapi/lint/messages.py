"""Spectral's message templates: ``{{error}}``, ``{{path}}``, ``{{property}}``, ``{{value}}``,
``{{description}}`` and the functions' ``#{{print("property")}}`` / ``#{{print("value")}}``."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from .filters import UNDEFINED

_TEMPLATE = re.compile(r"#?\{\{([^}\n]+)\}\}")
_PRINT = re.compile(r"""print\(\s*['"]([^'"]+)['"]\s*\)""")


def print_value(value: Any) -> str:
    """spectral-runtime's printValue."""
    if value is UNDEFINED:
        return "undefined"
    if isinstance(value, list):
        return "Array[]"
    if isinstance(value, dict):
        return "Object{}"
    if isinstance(value, re.Pattern):
        return str(value.pattern)
    return js_stringify(value)


def js_stringify(value: Any) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _numeric(segment: str | int) -> bool:
    if isinstance(segment, int):
        return True
    try:
        float(segment)
        return segment.strip() != ""
    except ValueError:
        return False


def print_path_dot(path: Sequence[str | int]) -> str:
    out = ""
    for index, segment in enumerate(path):
        if isinstance(segment, int):
            out += f"[{segment}]"
        elif segment == "":
            out += "['']"
        elif re.search(r"\s", segment):
            out += f"['{segment}']"
        elif _numeric(segment):
            out += f"[{segment}]"
        else:
            out += ("" if index == 0 else ".") + segment
    return out


def print_path_pointer(path: Sequence[str | int]) -> str:
    """@stoplight/json pathToPointer: ``#/a/b`` with ~0 ~1 and URI-encoding."""
    if not path:
        return "#"
    tokens = [quote(str(p).replace("~", "~0").replace("/", "~1"), safe="~!$&'()*+,;=:@") for p in path]
    return "#/" + "/".join(tokens)


def render(template: str, values: dict[str, Any]) -> str:
    def replace(match: re.Match[str]) -> str:
        identifier = match.group(1)
        if match.group(0).startswith("#"):
            printed = _PRINT.fullmatch(identifier.strip())
            if printed is None:
                return ""
            what = printed.group(1)
            if what == "property":
                prop = values.get("property")
                return f'"{prop}" property ' if prop not in (None, "", UNDEFINED) else "The document "
            if what == "value":
                return print_value(values.get("value", UNDEFINED))
            value = values.get(what)
            return "" if value is None else str(value)
        if identifier not in values:
            return ""
        value = values[identifier]
        if value is UNDEFINED:
            return "undefined"
        if value is None:
            return "null"
        if isinstance(value, bool):
            return "true" if value else "false"
        if isinstance(value, (dict, list)):
            return "[object Object]" if isinstance(value, dict) else ",".join(str(v) for v in value)
        return js_stringify(value) if isinstance(value, float) else str(value)

    return _TEMPLATE.sub(replace, template)
