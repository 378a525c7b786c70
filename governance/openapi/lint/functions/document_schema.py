"""oasDocumentSchema (oas2-schema / oas3-schema): the document against the OpenAPI JSON Schemas
Spectral ships (schemas/, Apache-2.0, from @stoplight/spectral-rulesets), with ajv-style messages."""

from __future__ import annotations

import functools
import json
import os
from collections.abc import Callable
from typing import Any

from .base import Context, FunctionResult

_SCHEMA_DIR = os.path.join(os.path.dirname(os.path.dirname(__file__)), "schemas")


@functools.lru_cache(maxsize=4)
def _document_validator(name: str) -> Any:
    """The OpenAPI document schemas Spectral ships (schemas/), validated with jsonschema-rs:
    the whole document is checked at Rust speed (the pure-Python validator takes ~15 s on a
    4 MB spec)."""
    import jsonschema_rs

    resources = []
    for file in sorted(os.listdir(_SCHEMA_DIR)):
        with open(os.path.join(_SCHEMA_DIR, file), encoding="utf-8") as handle:
            contents = json.load(handle)
        if isinstance(contents.get("$id"), str):
            resources.append((contents["$id"].rstrip("#"), contents))
    with open(os.path.join(_SCHEMA_DIR, name), encoding="utf-8") as handle:
        schema = json.load(handle)
    registry = jsonschema_rs.Registry(resources)
    return jsonschema_rs.validator_for(schema, registry=registry, validate_formats=False)


def _kind(error: Any) -> str:
    return type(error.kind).__name__


def _rs_leaves(errors: Any) -> Any:
    """ajv reports a failed oneOf/anyOf through its branches' errors: keep the deepest ones."""
    for error in errors:
        if _kind(error) in ("OneOfNotValid", "AnyOf"):
            branches = [list(branch) for branch in error.kind.context]
            flat = [e for branch in branches for e in branch]
            if flat:
                deepest = max(len(e.instance_path) for e in flat)
                if deepest > len(error.instance_path):
                    yield from _rs_leaves([next(e for e in flat if len(e.instance_path) == deepest)])
                    continue
        yield error


def _rs_message(error: Any) -> tuple[str, list[Any]] | list[tuple[str, list[Any]]]:
    kind = _kind(error)
    path = list(error.instance_path)
    prop = str(path[-1]) if path else None
    lead = f'"{prop}" property ' if prop is not None else ""
    details = error.kind.as_dict() if hasattr(error.kind, "as_dict") else {}
    if kind == "AdditionalProperties":
        return [
            (f'Property "{extra}" is not expected to be here', [*path, extra])
            for extra in details.get("unexpected", [])
        ]
    if kind == "Type":
        types = details.get("types") or [details.get("type")]
        return f"{lead}must be {','.join(str(t) for t in types)}", path
    if kind == "Required":
        return f'{lead}must have required property "{details.get("property")}"', path
    if kind == "Enum":
        options = details.get("options") or []
        return f"{lead}must be equal to one of the allowed values: {', '.join(json.dumps(o) for o in options)}", path
    if kind == "UniqueItems":
        seen: dict[str, int] = {}
        for j, item in enumerate(error.instance if isinstance(error.instance, list) else []):
            key = json.dumps(item, sort_keys=True)
            if key in seen:
                return f"{lead}must not have duplicate items (items ## {j} and {seen[key]} are identical)", path
            seen[key] = j
        return f"{lead}must not have duplicate items", path
    simple: dict[str, Callable[[dict[str, Any]], str]] = {
        "Minimum": lambda d: f"must be >= {d.get('limit')}",
        "Maximum": lambda d: f"must be <= {d.get('limit')}",
        "ExclusiveMinimum": lambda d: f"must be > {d.get('limit')}",
        "ExclusiveMaximum": lambda d: f"must be < {d.get('limit')}",
        "MinLength": lambda d: f"must not have fewer than {d.get('limit')} characters",
        "MaxLength": lambda d: f"must not have more than {d.get('limit')} characters",
        "MinItems": lambda d: f"must not have fewer than {d.get('limit')} items",
        "MaxItems": lambda d: f"must not have more than {d.get('limit')} items",
        "MinProperties": lambda d: f"must not have fewer than {d.get('limit')} properties",
        "Pattern": lambda d: f'must match pattern "{d.get("pattern")}"',
        "Constant": lambda d: "must be equal to constant",
        "Not": lambda d: "must not be valid",
        "OneOfMultipleValid": lambda d: "must match exactly one schema in oneOf",
        "OneOfNotValid": lambda d: "must match exactly one schema in oneOf",
        "AnyOf": lambda d: "must match a schema in anyOf",
        "FalseSchema": lambda d: "boolean schema is false",
        "Format": lambda d: f'must match format "{d.get("format")}"',
    }
    if kind in simple:
        return lead + simple[kind](details), path
    return lead + str(error.message), path


def document_schema(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    formats = context.document.formats
    if not formats:
        return None
    name = (
        "oas2.0.json"
        if "oas2" in formats
        else ("oas3.1.json" if "oas3_1" in formats or "oas3_2" in formats else "oas3.0.json")
    )
    validator = _document_validator(name)
    results: list[FunctionResult] = []
    for error in _rs_leaves(validator.iter_errors(target)):
        converted = _rs_message(error)
        for message, path in converted if isinstance(converted, list) else [converted]:
            results.append({"message": message, "path": path})
    return results
