"""The ``schema`` function: JSON Schema (draft 4/6/7/2019-09/2020-12) via ``jsonschema``, with
ajv's first-error behaviour and Spectral's (better-ajv-errors) messages and paths.

ajv (what Spectral uses) stops at the first failing keyword (``allErrors: false``) and checks
keywords in a fixed order (type, then the type-independent ones, then number, string, array,
object keywords); the validators here walk keywords in that order and keep the first error, plus
the per-branch errors of a failing ``anyOf``/``oneOf`` as ajv does.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterator
from typing import Any

import jsonschema
import jsonschema.validators
from jsonschema.exceptions import ValidationError, _RefResolutionError

from ..messages import print_path_dot
from .base import Context, FunctionResult, RulesetFunction
from .formats import format_checker

_KEYWORD_ORDER = [
    "type", "nullable", "$ref", "$dynamicRef", "$recursiveRef", "const", "enum", "not", "anyOf", "oneOf", "allOf",
    "if", "then", "else", "maximum", "minimum", "exclusiveMaximum", "exclusiveMinimum", "multipleOf",
    "maxLength", "minLength", "pattern", "format", "maxItems", "minItems", "items", "prefixItems",
    "additionalItems", "uniqueItems", "contains", "maxProperties", "minProperties", "required",
    "dependentRequired", "propertyNames", "additionalProperties", "dependencies", "dependentSchemas",
    "properties", "patternProperties", "unevaluatedItems", "unevaluatedProperties",
]  # fmt: skip
_RANK = {k: i for i, k in enumerate(_KEYWORD_ORDER)}

DIALECTS = {
    "draft4": jsonschema.Draft4Validator,
    "draft6": jsonschema.Draft6Validator,
    "draft7": jsonschema.Draft7Validator,
    "draft2019-09": jsonschema.Draft201909Validator,
    "draft2020-12": jsonschema.Draft202012Validator,
}
_DIALECT_URIS = {
    "http://json-schema.org/draft-04/schema": "draft4",
    "http://json-schema.org/draft-06/schema": "draft6",
    "http://json-schema.org/draft-07/schema": "draft7",
    "https://json-schema.org/draft/2019-09/schema": "draft2019-09",
    "https://json-schema.org/draft/2020-12/schema": "draft2020-12",
}


_FORMATS = format_checker()


class SchemaCompileError(Exception):
    """What ajv throws while compiling (Spectral reports the message at the target)."""


def detect_dialect(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$schema"), str):
        return _DIALECT_URIS.get(schema["$schema"].rstrip("#"))
    return None


def _ordered(schema: Any) -> Iterator[tuple[str, Any]]:
    if not isinstance(schema, dict):
        return iter(())
    return iter(sorted(schema.items(), key=lambda kv: _RANK.get(kv[0], len(_RANK))))


def _nullable_type(base_type: Any) -> Any:
    def check(validator: Any, types: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        if instance is None and isinstance(schema, dict) and schema.get("nullable") is True:
            return
        yield from base_type(validator, types, instance, schema)

    return check


def _first_only(keyword_fn: Any) -> Any:
    """ajv without allErrors stops at the first failing item/property."""

    def check(validator: Any, value: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        for error in keyword_fn(validator, value, instance, schema):
            yield error
            return

    return check


@functools.lru_cache(maxsize=16)
def validator_class(dialect: str, nullable: bool) -> Any:
    base = DIALECTS[dialect]
    validators = dict(base.VALIDATORS)
    if nullable:
        validators["type"] = _nullable_type(validators["type"])
    for keyword in ("required", "properties", "items", "prefixItems", "additionalProperties", "patternProperties"):
        if keyword in validators:
            validators[keyword] = _first_only(validators[keyword])
    return jsonschema.validators.create(
        meta_schema=base.META_SCHEMA,
        validators=validators,
        type_checker=base.TYPE_CHECKER,
        format_checker=format_checker(),
        id_of=base.ID_OF,
        applicable_validators=_ordered,
    )


def check_nullable(schema: Any) -> None:
    """ajv refuses ``nullable: true`` without ``type`` in any subschema it compiles."""
    stack = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not isinstance(node, dict) or id(node) in seen:
            continue
        seen.add(id(node))
        if node.get("nullable") is True and "type" not in node:
            raise SchemaCompileError('"nullable" cannot be used without "type"')
        for key, value in node.items():
            if key in ("properties", "patternProperties", "definitions", "$defs", "dependentSchemas"):
                if isinstance(value, dict):
                    stack.extend(value.values())
            elif key in ("items", "prefixItems", "allOf", "anyOf", "oneOf"):
                stack.extend(value if isinstance(value, list) else [value])
            elif (
                key in ("not", "additionalProperties", "additionalItems", "if", "then", "else", "contains")
                or key == "propertyNames"
            ):
                stack.append(value)


# --- ajv-style errors -----------------------------------------------------------------------
def _fmt(n: Any) -> str:
    return json.dumps(n) if not isinstance(n, float) or not n.is_integer() else str(int(n))


def _ajv_message(error: ValidationError) -> tuple[str, dict[str, Any]]:
    keyword, value, instance = error.validator, error.validator_value, error.instance
    if keyword == "type":
        types = value if isinstance(value, list) else [value]
        if isinstance(error.schema, dict) and error.schema.get("nullable") is True:
            types = [*types, "null"]
        return "must be " + ",".join(str(t) for t in types), {}
    if keyword == "required":
        missing = next((p for p in value if isinstance(instance, dict) and p not in instance), "")
        return f"must have required property '{missing}'", {"missingProperty": missing}
    if keyword == "format":
        return f'must match format "{value}"', {}
    if keyword == "enum":
        return "must be equal to one of the allowed values", {"allowedValues": value}
    if keyword == "const":
        return "must be equal to constant", {}
    if keyword in ("minLength", "maxLength"):
        return f"must NOT have {'fewer' if keyword == 'minLength' else 'more'} than {_fmt(value)} characters", {}
    if keyword in ("minItems", "maxItems"):
        return f"must NOT have {'fewer' if keyword == 'minItems' else 'more'} than {_fmt(value)} items", {}
    if keyword in ("minProperties", "maxProperties"):
        word = "fewer" if keyword == "minProperties" else "more"
        return f"must NOT have {word} than {_fmt(value)} properties", {}
    if keyword in ("minimum", "maximum"):
        exclusive = isinstance(error.schema, dict) and error.schema.get(f"exclusive{keyword.capitalize()}") is True
        op = (">" if keyword == "minimum" else "<") + ("" if exclusive else "=")
        return f"must be {op} {_fmt(value)}", {}
    if keyword in ("exclusiveMinimum", "exclusiveMaximum"):
        return f"must be {'>' if keyword == 'exclusiveMinimum' else '<'} {_fmt(value)}", {}
    if keyword == "multipleOf":
        return f"must be multiple of {_fmt(value)}", {}
    if keyword == "pattern":
        return f'must match pattern "{value}"', {}
    if keyword == "uniqueItems":
        seen: dict[str, int] = {}
        for j, item in enumerate(instance if isinstance(instance, list) else []):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                return f"must NOT have duplicate items (items ## {j} and {seen[key]} are identical)", {}
            seen[key] = j
        return "must NOT have duplicate items", {}
    if keyword == "additionalProperties":
        extra = next(iter(_extras(error)), "")
        return "must NOT have additional properties", {"additionalProperty": extra}
    if keyword == "oneOf":
        return "must match exactly one schema in oneOf", {}
    if keyword == "anyOf":
        return "must match a schema in anyOf", {}
    if keyword == "not":
        return "must NOT be valid", {}
    if keyword == "contains":
        return "must contain at least 1 valid item(s)", {}
    if keyword in ("dependencies", "dependentRequired"):
        return error.message, {}
    if keyword is None or keyword == "false":
        return "boolean schema is false", {}
    return error.message, {}


def _extras(error: ValidationError) -> list[str]:
    instance, schema = error.instance, error.schema
    if not isinstance(instance, dict) or not isinstance(schema, dict):
        return []
    props = schema.get("properties", {}) or {}
    patterns = list((schema.get("patternProperties") or {}).keys())
    import re

    return [k for k in instance if k not in props and not any(re.search(p, k) for p in patterns)]


def _instance_path(error: ValidationError) -> list[str | int]:
    return list(error.absolute_path)


def _ajv_errors(error: ValidationError) -> list[tuple[str, list[str | int], str, dict[str, Any]]]:
    """The errors ajv would report for a first failure: branch errors of anyOf/oneOf first."""
    out: list[tuple[str, list[str | int], str, dict[str, Any]]] = []
    if error.validator in ("anyOf", "oneOf") and error.context:
        by_branch: dict[Any, ValidationError] = {}
        for sub in error.context:
            branch = sub.schema_path[0] if sub.schema_path else None
            if branch not in by_branch:
                by_branch[branch] = sub
        for sub in by_branch.values():
            out.extend(_ajv_errors(sub))
    message, params = _ajv_message(error)
    out.append((str(error.validator), _instance_path(error), message, params))
    return out


def _pretty(
    errors: list[tuple[str, list[str | int], str, dict[str, Any]]], target: Any, base_path: list[str | int]
) -> list[tuple[str, list[str | int]]]:
    """better-ajv-errors: drop an anyOf/oneOf node's own errors when deeper errors exist, merge
    enum errors, and word each message with its property."""
    deeper = {tuple(p) for _, p, _, _ in errors}
    results: list[tuple[str, list[str | int]]] = []
    for keyword, path, message, params in errors:
        if keyword == "anyOf" and any(len(d) > len(path) and list(d[: len(path)]) == path for d in deeper):
            continue
        if keyword == "anyOf":
            same_level = [e for e in errors if e[1] == path and e[0] != "anyOf"]
            if same_level:
                continue
        full = [*base_path, *path]
        prop = str(path[-1]) if path else (str(base_path[-1]) if base_path else None)
        pretty_prop = f'"{prop}" property' if prop is not None else _type_word(_value_at(target, path))
        cleaned = message.replace("'", '"').replace("NOT", "not")
        if keyword == "type":
            text = f'"{prop}" property type {message}' if prop is not None else f"Value type {message}"
        elif keyword == "additionalProperties":
            text = f'Property "{params["additionalProperty"]}" is not expected to be here'
        elif keyword == "enum":
            allowed = ", ".join(f'"{v}"' if isinstance(v, str) else json.dumps(v) for v in params["allowedValues"])
            text = f"{pretty_prop} {message}: {allowed}"
            best = _best_match(_value_at(target, path), params["allowedValues"])
            if best is not None:
                text += f'. Did you mean "{best}"?'
        else:
            text = f"{pretty_prop} {cleaned}"
        results.append((text, full))
    return results


def _type_word(value: Any) -> str:
    from ..jsonpath import js_type

    word = js_type(value)
    return word[:1].upper() + word[1:]


def _value_at(target: Any, path: list[str | int]) -> Any:
    node = target
    for p in path:
        try:
            node = node[p]
        except (KeyError, IndexError, TypeError):
            return None
    return node


def _best_match(value: Any, allowed: list[Any]) -> str | None:
    if not isinstance(value, str):
        return None
    candidates = sorted(((_leven(value, a), a) for a in allowed if isinstance(a, str)), key=lambda x: x[0])
    if not candidates:
        return None
    weight, best = candidates[0]
    return best if len(allowed) == 1 or weight < len(best) else None


def _leven(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i]
        for j, cb in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _describe_array_item(message: str, path: list[str | int]) -> str:
    if not path or not str(path[-1]).isdigit():
        return message
    index = str(path[-1])
    for prefix in (f'"{index}" property type', f'"{index}" property'):
        if message.startswith(prefix):
            return f"Item at index {index}{message[len(prefix) :]}"
    return message


def validate(
    target: Any, schema: Any, dialect: str, base_path: list[str | int], nullable: bool = False
) -> list[tuple[str, list[str | int]]]:
    """(message, path) pairs for the first failure of ``target`` against ``schema``."""
    if nullable:
        check_nullable(schema)
    if _fast_valid(target, schema, dialect):
        return []
    validator = validator_class(dialect, nullable)(schema, format_checker=_FORMATS)
    try:
        first = next(iter(validator.iter_errors(target)), None)
    except _RefResolutionError:
        return []
    if first is None:
        return []
    errors = _ajv_errors(first)
    combinators = {tuple(p): k for k, p, _, params in errors if k in ("anyOf", "oneOf")}
    out = []
    for message, path in _pretty(errors, target, base_path):
        relative = path[len(base_path) :]
        message = _describe_array_item(message, relative)
        keyword = combinators.get(tuple(relative))
        if keyword is not None and message.endswith(f" in {keyword}"):
            message += ". None of the schemas matched, see the other errors reported for this value"
        out.append((message, path))
    return out


_RS_CLASSES = {
    "draft4": "Draft4Validator",
    "draft6": "Draft6Validator",
    "draft7": "Draft7Validator",
    "draft2019-09": "Draft201909Validator",
    "draft2020-12": "Draft202012Validator",
}
_fast_cache: dict[int, tuple[Any, Any]] = {}


def _fast_valid(target: Any, schema: Any, dialect: str) -> bool:
    """Most instances are valid: jsonschema-rs says so at Rust speed, and only the invalid ones
    go through the ordered pure-Python validator that picks ajv's first error. Any doubt
    (a schema jsonschema-rs refuses, ``nullable`` it does not know) means "not known valid"."""
    try:
        import jsonschema_rs
    except ImportError:  # pragma: no cover - pinned in requirements.txt
        return False
    entry = _fast_cache.get(id(schema))
    if entry is None or entry[0] is not schema:
        try:
            validator = getattr(jsonschema_rs, _RS_CLASSES[dialect])(schema, validate_formats=True)
        except (ValueError, TypeError, jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError):
            validator = None
        if len(_fast_cache) > 4096:
            _fast_cache.clear()
        entry = _fast_cache[id(schema)] = (schema, validator)
    validator = entry[1]
    if validator is None:
        return False
    try:
        return bool(validator.is_valid(target))
    except (ValueError, TypeError, OverflowError):
        return False


def _check_schema_options(options: Any) -> str | None:
    if not isinstance(options, dict) or "schema" not in options:
        return '"schema" function has invalid options specified. Example valid options: { "schema": { /* any JSON Schema can be defined here */ } , { "schema": { "type": "object" }, "dialect": "auto" }'
    schema = options["schema"]
    if not isinstance(schema, (dict, bool)):
        return '"schema" function and its "schema" option accepts only object or boolean'
    dialect = options.get("dialect", "auto")
    if dialect != "auto" and dialect not in DIALECTS:
        return (
            f'"schema" function and its "dialect" option accepts only the following values: auto, {", ".join(DIALECTS)}'
        )
    extra = set(options) - {"schema", "dialect", "allErrors"}
    if extra:
        return f'"schema" function does not support "{sorted(extra)[0]}" option'
    try:
        DIALECTS[_dialect(options)].check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f'invalid JSON Schema in the "schema" option: {exc.message} at {print_path_dot(list(exc.path)) or "the root"}'
    return None


def _dialect(options: dict[str, Any]) -> str:
    dialect = options.get("dialect", "auto")
    if dialect in (None, "auto"):
        return detect_dialect(options["schema"]) or "draft7"
    return str(dialect)


def schema(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    from ..jsonpath import UNDEFINED

    path = list(context.path)
    if target is UNDEFINED:
        return [{"message": '#{{print("property")}}must exist', "path": path}]
    if context.resolved:
        target = context.document.resolve_deep(target)
    try:
        found = validate(target, options["schema"], _dialect(options), path, options.get("nullable", False))
    except SchemaCompileError as exc:
        return [{"message": str(exc), "path": path}]
    return [{"message": message, "path": p} for message, p in found]


SCHEMA = RulesetFunction("schema", schema, None, _check_schema_options)
