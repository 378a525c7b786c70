"""How values are written on the wire: parameter and response header serialisation, and the encoding
of multipart / form request and response parts (beyond oasdiff, which compares none of it).

Compared as *effective* values, so writing a default out (``style: form`` on a query parameter,
``explode: true`` beside it, ``allowReserved: false``) is no change, and ``style`` / ``explode``
on a scalar are compared only where they change its text (``label`` / ``matrix`` add a prefix;
``explode`` never changes a scalar). OpenAPI 3.x "Style Values" / "Style Examples".
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diff.operations import value_schema
from ..pointers import join_pointer
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import MediaTypeDiff, OperationDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec

_DEFAULT_STYLE = {"query": "form", "cookie": "form", "path": "simple", "header": "simple"}
_SCALAR_TYPES = frozenset(("string", "number", "integer", "boolean", "null"))
_PREFIXED_STYLES = frozenset(("label", "matrix"))  # the only styles that change a scalar's text


def effective_style(holder: JSONObject, location: str) -> str:
    style = holder.get("style")
    return style if isinstance(style, str) else _DEFAULT_STYLE.get(location, "simple")


def effective_explode(holder: JSONObject, style: str) -> bool:
    explode = holder.get("explode")
    return explode if isinstance(explode, bool) else style == "form"


def is_scalar(spec: Spec, schema: JSON, location: str) -> bool:
    """True when the value is a scalar (its style / explode matter less); an untyped schema without
    properties or items counts as one: nothing says it is an array or an object."""
    resolved, _loc, _ref = spec.deref(schema, location)
    if not isinstance(resolved, dict):
        return True
    types = resolved.get("type")
    names = [types] if isinstance(types, str) else types if isinstance(types, list) else []
    if names:
        return all(isinstance(t, str) and t in _SCALAR_TYPES for t in names)
    return not any(k in resolved for k in ("properties", "items", "additionalProperties", "prefixItems"))


def written_as(holder: JSONObject) -> str:
    """How the value is written: by ``schema`` (the style rules) or as one media type of ``content``."""
    content = holder.get("content")
    if holder.get("schema") is None and isinstance(content, dict) and content:
        return str(next(iter(content)))
    return "schema"


def _scalar_on_both_sides(op: OperationDiff, base: JSONObject, b_loc: str, rev: JSONObject, r_loc: str) -> bool:
    b_schema, b_schema_loc = value_schema(base, b_loc)
    r_schema, r_schema_loc = value_schema(rev, r_loc)
    return is_scalar(op.spec_diff.base, b_schema, b_schema_loc) and is_scalar(
        op.spec_diff.revision, r_schema, r_schema_loc
    )


def _pointers(base: JSONObject, b_loc: str, rev: JSONObject, r_loc: str, key: str) -> dict[str, str]:
    return {
        "base_pointer": join_pointer(b_loc, key) if key in base else b_loc,
        "revision_pointer": join_pointer(r_loc, key) if key in rev else r_loc,
    }


@operation_check("RequestParameterSerializationCheck")
def request_parameter_serialization(op: OperationDiff) -> None:
    for param in op.parameters.modified:
        if not param.changed:
            continue
        base, rev = param.base.param, param.revision.param
        b_loc, r_loc = param.base.location, param.revision.location
        where, name = param.base.in_, param.base.name
        before, after = written_as(base), written_as(rev)
        if before != after:
            op.emit(
                "request-parameter-content-changed",
                where,
                name,
                after,
                before,
                **_pointers(base, b_loc, rev, r_loc, "content"),
            )
            continue
        if before != "schema":
            continue  # a media type: its schema is compared as the parameter's schema
        scalar = _scalar_on_both_sides(op, base, b_loc, rev, r_loc)
        old_style, new_style = effective_style(base, where), effective_style(rev, where)
        if old_style != new_style and (not scalar or {old_style, new_style} & _PREFIXED_STYLES):
            op.emit(
                "request-parameter-style-changed",
                where,
                name,
                old_style,
                new_style,
                **_pointers(base, b_loc, rev, r_loc, "style"),
            )
        old_explode, new_explode = effective_explode(base, old_style), effective_explode(rev, new_style)
        if old_explode != new_explode and not scalar and old_style == new_style:
            op.emit(
                "request-parameter-explode-changed",
                where,
                name,
                old_explode,
                new_explode,
                **_pointers(base, b_loc, rev, r_loc, "explode"),
            )
        if where == "query":  # allowReserved / allowEmptyValue apply to query parameters only
            for key, segment in (("allowReserved", "allow-reserved"), ("allowEmptyValue", "allow-empty-value")):
                old, new = base.get(key) is True, rev.get(key) is True
                if old != new:
                    rule = f"request-parameter-{segment}-{'added' if new else 'removed'}"
                    op.emit(rule, where, name, **_pointers(base, b_loc, rev, r_loc, key))


@operation_check("ResponseHeaderSerializationCheck")
def response_header_serialization(op: OperationDiff) -> None:
    for status, response in op.responses.modified.items():
        for name, header in response.headers_modified.items():
            if not header.changed:
                continue
            base, rev = header.base, header.revision
            b_loc, r_loc = header.base_pointer, header.revision_pointer
            if base.get("required") is not True and rev.get("required") is True:
                op.emit(
                    "response-header-became-required", name, status, **_pointers(base, b_loc, rev, r_loc, "required")
                )
            before, after = written_as(base), written_as(rev)
            if before != after:
                op.emit(
                    "response-header-content-changed",
                    name,
                    after,
                    before,
                    status,
                    **_pointers(base, b_loc, rev, r_loc, "content"),
                )
                continue
            if before != "schema":
                continue
            scalar = _scalar_on_both_sides(op, base, b_loc, rev, r_loc)
            old_style, new_style = effective_style(base, "header"), effective_style(rev, "header")
            if old_style != new_style and (not scalar or {old_style, new_style} & _PREFIXED_STYLES):
                op.emit(
                    "response-header-style-changed",
                    name,
                    old_style,
                    new_style,
                    status,
                    **_pointers(base, b_loc, rev, r_loc, "style"),
                )
            old_explode, new_explode = effective_explode(base, old_style), effective_explode(rev, new_style)
            if old_explode != new_explode and not scalar and old_style == new_style:
                op.emit(
                    "response-header-explode-changed",
                    name,
                    old_explode,
                    new_explode,
                    status,
                    **_pointers(base, b_loc, rev, r_loc, "explode"),
                )


# ---- multipart / form encodings ------------------------------------------------------------------


def _default_content_type(spec: Spec, media: JSONObject, media_loc: str, part: str) -> str:
    """The spec's default ``contentType`` of a part: from the property's type."""
    schema, schema_loc, _ = spec.deref(media.get("schema"), join_pointer(media_loc, "schema"))
    props = schema.get("properties") if isinstance(schema, dict) else None
    node = props.get(part) if isinstance(props, dict) else None
    prop, _loc, _ = spec.deref(node, join_pointer(schema_loc, "properties", part))
    if not isinstance(prop, dict):
        return "application/octet-stream"
    kind = prop.get("type")
    if kind == "array":
        items, _l, _ = spec.deref(prop.get("items"), join_pointer(schema_loc, "properties", part, "items"))
        kind = items.get("type") if isinstance(items, dict) else None
        prop = items if isinstance(items, dict) else {}
    if kind == "object":
        return "application/json"
    if kind == "string" and (prop.get("format") in ("binary", "base64") or "contentEncoding" in prop):
        return "application/octet-stream"
    return "text/plain" if kind in ("string", "number", "integer", "boolean") else "application/octet-stream"


def _written_content_type(media: JSONObject, part: str) -> bool:
    encodings = media.get("encoding")
    raw = encodings.get(part) if isinstance(encodings, dict) else None
    return isinstance(raw, dict) and "contentType" in raw


def _has_part(spec: Spec, media: JSONObject, media_loc: str, part: str) -> bool:
    encodings = media.get("encoding")
    if isinstance(encodings, dict) and part in encodings:
        return True
    schema, _loc, _ = spec.deref(media.get("schema"), join_pointer(media_loc, "schema"))
    props = schema.get("properties") if isinstance(schema, dict) else None
    return isinstance(props, dict) and part in props


def _part(spec: Spec, media: JSONObject, media_loc: str, part: str) -> dict[str, JSON]:
    """A part's encoding with every default filled in (what the client must do)."""
    encodings = media.get("encoding")
    raw = encodings.get(part) if isinstance(encodings, dict) else None
    raw = raw if isinstance(raw, dict) else {}
    style = raw.get("style") if isinstance(raw.get("style"), str) else "form"
    content_type = raw.get("contentType")
    return {
        "contentType": content_type
        if isinstance(content_type, str)
        else _default_content_type(spec, media, media_loc, part),
        "style": style,
        "explode": raw["explode"] if isinstance(raw.get("explode"), bool) else style == "form",
        "allowReserved": raw.get("allowReserved") is True,
        "headers": sorted(raw["headers"]) if isinstance(raw.get("headers"), dict) else [],
    }


def _encoding_changes(op: OperationDiff, media: MediaTypeDiff) -> list[tuple[str, str]]:
    """(part, what changed) for each part whose effective encoding differs."""
    base_enc, rev_enc = media.base.get("encoding"), media.revision.get("encoding")
    if base_enc == rev_enc:
        return []
    parts = (
        list(dict.fromkeys([*(base_enc or {}), *(rev_enc or {})]))
        if isinstance(base_enc or {}, dict) and isinstance(rev_enc or {}, dict)
        else []
    )
    changes: list[tuple[str, str]] = []
    for part in parts:
        if not (
            _has_part(op.spec_diff.base, media.base, media.base_pointer, str(part))
            and _has_part(op.spec_diff.revision, media.revision, media.revision_pointer, str(part))
        ):
            continue  # a part added or removed: its property is reported as such
        before = _part(op.spec_diff.base, media.base, media.base_pointer, str(part))
        after = _part(op.spec_diff.revision, media.revision, media.revision_pointer, str(part))
        written = _written_content_type(media.base, str(part)) or _written_content_type(media.revision, str(part))
        # both defaults: the type-derived default moving with the schema is the schema's change, not the part's
        diffs = [
            f"{k} {before[k]} -> {after[k]}"
            for k in before
            if before[k] != after[k] and (k != "contentType" or written)
        ]
        if diffs:
            changes.append((str(part), "(" + "; ".join(diffs) + ")"))
    return changes


@operation_check("MediaTypeEncodingCheck")
def media_type_encoding_changed(op: OperationDiff) -> None:
    body = op.request_body
    if body is not None:
        for name, media in body.content.modified.items():
            for part, what in _encoding_changes(op, media):
                op.emit(
                    "request-body-encoding-changed",
                    part,
                    name,
                    base_pointer=join_pointer(media.base_pointer, "encoding"),
                    revision_pointer=join_pointer(media.revision_pointer, "encoding"),
                    details=what,
                )
    for status, response in op.responses.modified.items():
        for name, media in response.content.modified.items():
            for part, what in _encoding_changes(op, media):
                op.emit(
                    "response-body-encoding-changed",
                    part,
                    name,
                    status,
                    base_pointer=join_pointer(media.base_pointer, "encoding"),
                    revision_pointer=join_pointer(media.revision_pointer, "encoding"),
                    details=what,
                )
