"""Spectral's core functions (spectral-functions 1.x), same inputs, options and messages."""

from __future__ import annotations

import functools
import math
import re
from typing import Any

from ..jsonpath import UNDEFINED
from ..messages import print_value
from .base import Context, FunctionResult, RulesetFunction


def _result(message: str, path: Any = None) -> list[FunctionResult]:
    return [{"message": message} if path is None else {"message": message, "path": path}]


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _js_truthy(v: Any) -> bool:
    if v is UNDEFINED or v is None or v is False or v == "":
        return False
    if _is_number(v):
        return v != 0 and not (isinstance(v, float) and math.isnan(v))
    return True


def truthy(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    return None if _js_truthy(target) else _result('#{{print("property")}}must be truthy')


def falsy(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    return _result('#{{print("property")}}must be falsy') if _js_truthy(target) else None


def defined(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    return _result('#{{print("property")}}must be defined') if target is UNDEFINED else None


def undefined(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    return None if target is UNDEFINED else _result('#{{print("property")}}must be undefined')


# --- pattern and casing -------------------------------------------------------------------
_REGEXP_LITERAL = re.compile(r"^/(.+)/([a-z]*)$")


@functools.lru_cache(maxsize=512)
def js_regex(pattern: str) -> re.Pattern[str]:
    """A JavaScript ``new RegExp(pattern)`` (or ``/body/flags``) as a Python pattern."""
    flags = 0
    literal = _REGEXP_LITERAL.match(pattern)
    if literal:
        pattern, js_flags = literal.group(1), literal.group(2)
        flags |= re.I if "i" in js_flags else 0
        flags |= re.M if "m" in js_flags else 0
        flags |= re.S if "s" in js_flags else 0
    pattern = pattern.replace("(?<", "(?P<").replace("(?P<=", "(?<=").replace("(?P<!", "(?<!")
    pattern = re.sub(r"(?<!\\)\$(?=\)|$)", r"(?!\\n)\\Z" if not flags & re.M else "$", pattern)
    pattern = re.sub(r"\\d", "[0-9]", pattern)
    return re.compile(pattern, flags)


def _check_pattern_options(options: Any) -> str | None:
    if not isinstance(options, dict) or not ({"match", "notMatch"} & set(options)):
        return '"pattern" function has invalid options specified. Example valid options: { "match": "^Stoplight" }, { "notMatch": "Swagger" }, { "match": "Stoplight", "notMatch": "Swagger" }'
    for key in ("match", "notMatch"):
        if key in options:
            if not isinstance(options[key], str):
                return f'"pattern" function and its "{key}" option must be string or RegExp instance'
            try:
                js_regex(options[key])
            except re.error as exc:
                return f'"pattern" function and its "{key}" option is not a valid regular expression: {exc}'
    extra = set(options) - {"match", "notMatch"}
    return f'"pattern" function does not support "{sorted(extra)[0]}" option' if extra else None


def pattern(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    results: list[FunctionResult] = []
    if "match" in options and not js_regex(options["match"]).search(target):
        results.append({"message": f'#{{{{print("value")}}}} must match the pattern {print_value(options["match"])}'})
    if "notMatch" in options and js_regex(options["notMatch"]).search(target):
        results.append(
            {"message": f'#{{{{print("value")}}}} must not match the pattern {print_value(options["notMatch"])}'}
        )
    return results or None


_CASES = {
    "flat": "[a-z][a-z{D}]*",
    "camel": "[a-z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "pascal": "[A-Z][a-z{D}]*(?:[A-Z{D}](?:[a-z{D}]+|$))*",
    "kebab": "[a-z][a-z{D}]*(?:-[a-z{D}]+)*",
    "cobol": "[A-Z][A-Z{D}]*(?:-[A-Z{D}]+)*",
    "snake": "[a-z][a-z{D}]*(?:_[a-z{D}]+)*",
    "macro": "[A-Z][A-Z{D}]*(?:_[A-Z{D}]+)*",
}


def _check_casing_options(options: Any) -> str | None:
    example = '"casing" function has invalid options specified. Example valid options: { "type": "camel" }, { "type": "pascal", "disallowDigits": true }'
    if not isinstance(options, dict) or "type" not in options:
        return example
    if options["type"] not in _CASES:
        return f'"casing" function and its "type" option accept the following values: {", ".join(_CASES)}'
    separator = options.get("separator")
    if separator is not None and (
        not isinstance(separator, dict) or not isinstance(separator.get("char"), str) or len(separator["char"]) > 1
    ):
        return '"casing" function and its "separator.char" option accepts only char, i.e. "I" or "/"'
    extra = set(options) - {"type", "disallowDigits", "separator"}
    return example if extra else None


@functools.lru_cache(maxsize=128)
def _casing_regex(case: str, disallow_digits: bool, separator: str | None, allow_leading: bool) -> re.Pattern[str]:
    base = _CASES[case].replace("{D}", "" if disallow_digits else "0-9").replace("$", r"(?!.)")
    if separator is None:
        return re.compile(f"^{base}$")
    sep = f"[{re.escape(separator)}]"
    leading = f"{sep}?" if allow_leading else ""
    return re.compile(f"^{leading}{base}(?:{sep}{base})*$")


def casing(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    separator = options.get("separator") or {}
    char = separator.get("char")
    if len(target) == 1 and char is not None and separator.get("allowLeading") is True and target == char:
        return None
    regex = _casing_regex(
        options["type"], options.get("disallowDigits") is True, char, separator.get("allowLeading") is True
    )
    return None if regex.match(target) else _result(f"must be {options['type']} case")


# --- collections ---------------------------------------------------------------------------
def _check_length_options(options: Any) -> str | None:
    if (
        not isinstance(options, dict)
        or not options
        or set(options) - {"min", "max"}
        or any(not _is_number(v) for v in options.values())
    ):
        return '"length" function has invalid options specified. Example valid options: { "min": 2 }, { "max": 5 }, { "min": 0, "max": 10 }'
    return None


def length(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    value = len(target) if isinstance(target, (dict, list, str)) else target
    results: list[FunctionResult] = []
    if "min" in options and value < options["min"]:
        results.append({"message": f'#{{{{print("property")}}}}must be longer than {print_value(options["min"])}'})
    if "max" in options and value > options["max"]:
        results.append({"message": f'#{{{{print("property")}}}}must be shorter than {print_value(options["max"])}'})
    return results or None


def _check_enumeration_options(options: Any) -> str | None:
    if not isinstance(options, dict) or "values" not in options or set(options) != {"values"}:
        return '"enumeration" function has invalid options specified. Example valid options: { "values": ["Berlin", "London", "Paris"] }, { "values": [2, 3, 5, 8, 13, 21] }'
    if not isinstance(options["values"], list) or any(isinstance(v, (dict, list)) for v in options["values"]):
        return '"enumeration" and its "values" option support only arrays of primitive values, i.e. ["Berlin", "London", "Paris"]'
    return None


def enumeration(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    values = options["values"]
    if any(type(v) is type(target) and v == target for v in values):
        return None
    allowed = ", ".join(print_value(v) for v in values)
    return _result(f'#{{{{print("value")}}}} must be equal to one of the allowed values: {allowed}')


def _check_properties_options(name: str) -> Any:
    def check(options: Any) -> str | None:
        props = options.get("properties") if isinstance(options, dict) else None
        if not isinstance(options, dict) or set(options) != {"properties"}:
            return f'"{name}" function has invalid options specified. Example valid options: {{ "properties": ["id", "name"] }}, {{ "properties": ["country", "street"] }}'
        if not isinstance(props, list) or len(props) < 2 or not all(isinstance(p, str) for p in props):
            return f'"{name}" requires at least two enumerated "properties", i.e. ["id", "name"], ["country", "street"], ["email", "e-mail"]'
        return None

    return check


def _present(target: dict[str, Any], properties: list[str]) -> list[str]:
    return [k for k in target if k in properties]


def _none_defined(properties: list[str]) -> str:
    if len(properties) > 4:
        return (
            'At least one of "'
            + '" or "'.join(properties[:3])
            + f'" or {len(properties) - 3} other properties must be defined'
        )
    return 'At least one of "' + '" or "'.join(properties) + '" must be defined'


def xor(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    properties = options["properties"]
    present = _present(target, properties)
    results: list[FunctionResult] = []
    if not present:
        results.append({"message": _none_defined(properties)})
    if len(present) > 1:
        results.append({"message": 'Just one of "' + '" and "'.join(present) + '" must be defined'})
    return results


def or_(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    properties = options["properties"]
    return [] if _present(target, properties) else [{"message": _none_defined(properties)}]


def _compare(a: Any, b: Any) -> float:
    def num(x: Any) -> float:
        if _is_number(x):
            return float(x)
        try:
            return float(x) if str(x).strip() else 0.0
        except ValueError:
            return math.nan

    if (_is_number(a) or math.isnan(num(a))) and (_is_number(b) or not math.isnan(num(b))):
        d = num(a) - num(b)
        return 0 if math.isnan(d) else max(-1.0, min(1.0, d))
    if not isinstance(a, str) or not isinstance(b, str):
        return 0
    ka, kb = a.lower(), b.lower()  # an approximation of String.prototype.localeCompare
    return (ka > kb) - (ka < kb) or (a < b) - (a > b)


def _check_alphabetical_options(options: Any) -> str | None:
    if options is None:
        return None
    if not isinstance(options, dict) or set(options) - {"keyedBy"} or not isinstance(options.get("keyedBy", ""), str):
        return '"alphabetical" function has invalid options specified. Example valid options: null (no options), { "keyedBy": "my-key" }'
    return None


def alphabetical(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    items = target if isinstance(target, list) else list(target.keys())
    if len(items) < 2:
        return None
    keyed_by = (options or {}).get("keyedBy")
    if keyed_by is not None:
        keyed = []
        for item in items:
            if not isinstance(item, (dict, list)):
                return _result('#{{print("property")}}must be an object')
            keyed.append(item.get(keyed_by, UNDEFINED) if isinstance(item, dict) else UNDEFINED)
        items = keyed
    if not all(isinstance(i, str) or _is_number(i) for i in items):
        return _result('#{{print("property")}}must be one of the allowed types: number, string')
    for i in range(len(items) - 1):
        if _compare(items[i], items[i + 1]) >= 1:
            if keyed_by is not None:
                return _result("properties must follow the alphabetical order")
            segment = i if isinstance(target, list) else items[i]
            return _result(
                f"{print_value(items[i])} must be placed after {print_value(items[i + 1])}", [*context.path, segment]
            )
    return None


# --- typedEnum and unreferencedReusableObject --------------------------------------------
def _data_type(value: Any, integer: bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if _is_number(value):
        return "integer" if integer and float(value).is_integer() else "number"
    if value is None:
        return "null"
    return "array" if isinstance(value, list) else "object"


def _typed_enum_accepts(target: Any) -> bool:
    if not isinstance(target, dict) or "enum" not in target or "type" not in target:
        return False
    kind = target["type"]
    type_ok = isinstance(kind, str) or (isinstance(kind, list) and all(isinstance(t, str) for t in kind))
    return isinstance(target["enum"], list) and type_ok


def typed_enum(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    kind: Any = target["type"]
    formats = context.document.formats
    if (target.get("nullable") is True and "oas3_0" in formats) or (
        target.get("x-nullable") is True and "oas2" in formats
    ):
        kind = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    integer = kind == "integer" or (isinstance(kind, list) and "integer" in kind)
    results: list[FunctionResult] = []
    for i, value in enumerate(target["enum"]):
        value_type = _data_type(value, integer)
        if value_type == kind or (isinstance(kind, list) and value_type in kind):
            continue
        printed_type = ",".join(kind) if isinstance(kind, list) else str(kind)
        results.append(
            {
                "message": f'Enum value {print_value(value)} must be "{printed_type}".',
                "path": [*context.path, "enum", i],
            }
        )
    return results or None


def _check_reusable_options(options: Any) -> str | None:
    location = options.get("reusableObjectsLocation") if isinstance(options, dict) else None
    if not isinstance(location, str) or not location.startswith("#"):
        return '"unreferencedReusableObject" and its "reusableObjectsLocation" option support only valid JSON Pointer fragments, i.e. "#", "#/foo", "#/paths/~1user"'
    return None


def unreferenced_reusable_object(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    location = options["reusableObjectsLocation"]
    base = [t.replace("~1", "/").replace("~0", "~") for t in location[2:].split("/")] if location != "#" else []
    referenced = context.document_refs()
    return [
        {"message": "Potential orphaned reusable object has been detected", "path": [*base, name]}
        for name in target
        if (*base, name) not in referenced
    ]


def _is_object(v: Any) -> bool:
    return isinstance(v, dict)


FUNCTIONS: dict[str, RulesetFunction] = {
    "truthy": RulesetFunction("truthy", truthy),
    "falsy": RulesetFunction("falsy", falsy),
    "defined": RulesetFunction("defined", defined),
    "undefined": RulesetFunction("undefined", undefined),
    "pattern": RulesetFunction("pattern", pattern, lambda v: isinstance(v, str), _check_pattern_options),
    "casing": RulesetFunction("casing", casing, lambda v: isinstance(v, str) and v != "", _check_casing_options),
    "length": RulesetFunction(
        "length", length, lambda v: isinstance(v, (dict, list, str)) or _is_number(v), _check_length_options
    ),
    "enumeration": RulesetFunction(
        "enumeration",
        enumeration,
        lambda v: v is None or isinstance(v, (str, bool)) or _is_number(v),
        _check_enumeration_options,
    ),
    "xor": RulesetFunction("xor", xor, _is_object, _check_properties_options("xor")),
    "or": RulesetFunction("or", or_, _is_object, _check_properties_options("or")),
    "alphabetical": RulesetFunction(
        "alphabetical", alphabetical, lambda v: isinstance(v, (dict, list)), _check_alphabetical_options
    ),
    "typedEnum": RulesetFunction("typedEnum", typed_enum, _typed_enum_accepts),
    "unreferencedReusableObject": RulesetFunction(
        "unreferencedReusableObject", unreferenced_reusable_object, _is_object, _check_reusable_options
    ),
}
