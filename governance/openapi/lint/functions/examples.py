"""oasExample and oasSchema: examples and defaults validated against their schemas, with the
document's dialect (draft 4 + ``nullable`` for OpenAPI 2/3.0, 2020-12 for 3.1)."""

from __future__ import annotations

import copy
import json
from typing import Any

from ..jsonpath import UNDEFINED
from .base import Context, FunctionResult
from .schema import SchemaCompileError, detect_dialect, validate


def _obj(v: Any) -> bool:
    return isinstance(v, dict)


def _schema_dialect(context: Context) -> tuple[str, bool]:
    formats = context.document.formats
    data = context.document.data
    if "oas3_1" in formats or "oas3_2" in formats:
        dialect = "draft2020-12"
        if _obj(data) and isinstance(data.get("jsonSchemaDialect"), str):
            dialect = detect_dialect({"$schema": data["jsonSchemaDialect"]}) or dialect
        return dialect, False
    return "draft4", "oas3_0" in formats or "oas2" in formats


def _relax_required(schema: Any, read_only: bool, write_only: bool) -> None:
    if not (read_only or write_only):
        return
    stack = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if not _obj(node) or id(node) in seen:
            continue
        seen.add(id(node))
        properties = node.get("properties")
        if _obj(properties) and isinstance(node.get("required", []), list):
            for name, sub in properties.items():
                relaxed = (sub.get("readOnly") is True and read_only) or (sub.get("writeOnly") is True and write_only)
                if _obj(sub) and relaxed and isinstance(node.get("required"), list):
                    node["required"] = [p for p in node["required"] if p != name]
                    if not node["required"]:
                        del node["required"]
        for key, value in node.items():
            if key == "not":
                continue
            if key in ("properties", "patternProperties", "definitions", "$defs"):
                if _obj(value):
                    stack.extend(value.values())
            elif key in ("items", "allOf", "anyOf", "oneOf", "prefixItems"):
                stack.extend(value if isinstance(value, list) else [value])
            elif key in ("additionalProperties", "additionalItems", "if", "then", "else", "contains"):
                stack.append(value)


def _subpath(path: Any, patterns: list[list[str]]) -> bool:
    return any(len(path) >= len(p) and all(s == "*" or s == path[i] for i, s in enumerate(p)) for p in patterns)


def example(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    version = options["oasVersion"]
    document = context.document
    schema_source = target if options["schemaField"] == "$" else target.get(options["schemaField"], UNDEFINED)
    if not _obj(schema_source):
        return None
    items: list[tuple[Any, list[Any]]] = []
    path = list(context.path)
    if options["type"] == "schema":
        for name in ("example", "x-example", "default") if version == 2 else ("example", "default"):
            if name in target:
                items.append((target[name], [*path, name]))
    else:
        fields = [("examples", True, False)] if version == 2 else [("example", False, False), ("examples", True, True)]
        for name, multiple, keyed in fields:
            if name not in target:
                continue
            value = target[name]
            if multiple:
                if _obj(value):
                    for key, example_value in value.items():
                        if context.resolved:
                            example_value = document.deref(example_value)[0]
                        if version == 3 and keyed and (not _obj(example_value) or "externalValue" in example_value):
                            continue
                        target_path = [*path, name, key] + (["value"] if keyed else [])
                        value_of = (
                            example_value.get("value", UNDEFINED) if keyed and _obj(example_value) else example_value
                        )
                        items.append((value_of, target_path))
            else:
                items.append((value, [*path, name]))
            break
    if not items:
        return None
    schema = document.resolve_deep(schema_source) if context.resolved else schema_source
    if "oas2" in document.formats and isinstance(schema.get("required"), bool):
        schema = {k: v for k, v in schema.items() if k != "required"}
    if options["type"] == "media":
        request = [["components", "requestBodies"], ["paths", "*", "*", "requestBody"]] if version == 3 else []
        response = (
            [["components", "responses"], ["paths", "*", "*", "responses"]]
            if version == 3
            else [["responses"], ["paths", "*", "*", "responses"]]
        )
        read_only, write_only = _subpath(path, request), _subpath(path, response)
        if (read_only or write_only) and _mentions(schema, ("readOnly", "writeOnly")):
            schema = copy.deepcopy(schema)  # the resolved schema is shared: relax a copy
            _relax_required(schema, read_only, write_only)
    dialect, nullable = _schema_dialect(context)
    results: list[FunctionResult] = []
    for value, item_path in items:
        if value is UNDEFINED:
            results.append({"message": '#{{print("property")}}must exist', "path": item_path})
            continue
        if context.resolved:
            value = document.resolve_deep(value)
        try:
            found = validate(value, schema, dialect, item_path, nullable)
        except SchemaCompileError as exc:
            results.append({"message": str(exc), "path": item_path})
            continue
        except (RecursionError, ValueError, TypeError) as exc:
            results.append({"message": str(exc), "path": item_path})
            continue
        results.extend({"message": message, "path": p} for message, p in found)
    return results or None


def _mentions(schema: Any, keys: tuple[str, ...]) -> bool:
    stack = [schema]
    seen: set[int] = set()
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if id(node) in seen:
                continue
            seen.add(id(node))
            if any(k in node for k in keys):
                return True
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return False


def _json_copy(schema: Any) -> Any:
    """JSON.parse(JSON.stringify(schema)): a circular (unresolvable) schema makes Spectral's
    function throw, reported as nothing here."""
    try:
        return json.loads(json.dumps(schema))
    except (ValueError, RecursionError):
        return None


def oas_schema(target: Any, options: Any, context: Context) -> list[FunctionResult] | None:
    """oasSchema: the schema function with the document's dialect (draft 4 + nullable for 3.0)."""
    dialect, nullable = _schema_dialect(context)
    path = list(context.path)
    if target is UNDEFINED:
        return [{"message": '#{{print("property")}}must exist', "path": path}]
    if context.resolved:
        target = context.document.resolve_deep(target)
    try:
        found = validate(target, options["schema"], dialect, path, nullable)
    except SchemaCompileError as exc:
        return [{"message": str(exc), "path": path}]
    return [{"message": message, "path": p} for message, p in found]
