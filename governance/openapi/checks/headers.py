"""Headers: response headers added / became optional / nullability / type, and request
header parameters gaining a required property.

oasdiff: check_response_header_added.go, check_response_header_became_optional.go,
check_response_header_became_nullable.go, check_response_header_type_changed.go,
check_new_requried_request_header_property.go. (Removed headers: bodies.py.)

A header value is text on the wire, so oasdiff classifies header type changes as
"not strongly typed" (like a scalar parameter): a swap to ``string`` is compatible.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, TypedDict

from ..pointers import join_pointer
from .registry import operation_check
from .sites import full_name, property_pointers, walk_added, walk_modified

if TYPE_CHECKING:
    from ..diff import HeaderDiff, OperationDiff, ResponseDiff, SchemaDiff, SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec

# --- helpers shared by the header checks ----------------------------------------------------------

_ANNOTATIONS = frozenset(
    {"title", "description", "example", "examples", "deprecated", "$comment", "externalDocs", "xml", "default"}
)


def types_of(schema: JSON) -> list[str]:
    """kin-openapi's Type slice: ``type`` as a list (3.0 string or 3.1 array), [] when absent."""
    value = schema.get("type") if isinstance(schema, dict) else None
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def _format(schema: JSON) -> str:
    value = schema.get("format") if isinstance(schema, dict) else None
    return value if isinstance(value, str) else ""


def _strings_diff(before: list[str], after: list[str]) -> tuple[list[str], list[str]] | None:
    """(added, deleted) like oasdiff's StringsDiff, None when the sets are equal."""
    added = [t for t in after if t not in before]
    deleted = [t for t in before if t not in after]
    return (added, deleted) if added or deleted else None


def _is_subtype(sub: str, sup: str) -> bool:
    return sub == sup or (sub == "integer" and sup == "number")


def _subset(sub: list[str], sup: list[str]) -> bool:
    return bool(sub) and all(any(_is_subtype(t, s) for s in sup) for t in sub)


def _type_contained(to: list[str], frm: list[str], strongly_typed: bool) -> bool:
    if len(to) == 1 and len(frm) == 1 and _is_subtype(frm[0], to[0]):
        return True
    if not strongly_typed:
        return len(to) == 0 or (len(to) == 1 and to[0] == "string")
    return False


def _format_contained(types: list[str], to: str, frm: str) -> bool:
    if to == "":
        return True
    if len(types) != 1:
        return False
    single = types[0]
    if single == "number":
        return to == "double" and frm == "float"
    if single == "integer":
        return (to, frm) in (("int64", "int32"), ("bigint", "int32"), ("bigint", "int64"))
    if single == "string":
        return to == "date-time" and frm in ("date", "time")
    return False


class TypeChangeIds(TypedDict):
    """The rule ids of one family's type-change verdicts (oasdiff's responseTypeChangeId)."""

    specialized: str
    compatible: str
    generalized: str
    changed: str


def response_type_rule(base: JSONObject, revision: JSONObject, strongly_typed: bool, ids: TypeChangeIds) -> str | None:
    """oasdiff's responseTypeChangeId: ids has keys specialized/compatible/generalized/changed."""
    base_types, rev_types = types_of(base), types_of(revision)
    type_diff = _strings_diff(base_types, rev_types)
    format_changed = _format(base) != _format(revision)
    if type_diff is None and not format_changed:
        return None
    narrowed = type_diff is not None and _subset(rev_types, base_types)
    widened = type_diff is not None and _subset(base_types, rev_types)
    # responseTypeFormatBreaking: drop a narrowing, then evaluate reversed (toward the base type)
    effective = None if narrowed else type_diff
    if effective is not None and not base_types:
        breaking = False
    else:
        type_breaking = effective is not None and not _type_contained(effective[1], effective[0], strongly_typed)
        format_breaking = format_changed and not _format_contained(base_types, _format(base), _format(revision))
        breaking = type_breaking or format_breaking
    if breaking:
        return ids["generalized"] if widened else ids["changed"]
    if type_diff is not None and base_types and rev_types and not narrowed:
        return ids["compatible"]
    return ids["specialized"]


def dimension(base: JSONObject, revision: JSONObject) -> str:
    type_changed = _strings_diff(types_of(base), types_of(revision)) is not None
    format_changed = _format(base) != _format(revision)
    return "type/format" if type_changed and format_changed else "type" if type_changed else "format"


def type_text(spec: Spec, schema: JSON, location: str) -> str:
    """oasdiff's typeString: ``string, null``, ``array<integer/int64>``, ``any`` when untyped."""
    parts: list[str] = []
    for t in types_of(schema):  # a type means an object: types_of of anything else is []
        items = schema.get("items") if t == "array" and isinstance(schema, dict) else None
        if isinstance(items, dict):
            resolved, item_loc, _ = spec.deref(items, join_pointer(location, "items"))
            parts.append(f"array<{type_format_text(spec, resolved, item_loc)}>")
        else:
            parts.append(t)
    return ", ".join(parts) if parts else "any"


def type_format_text(spec: Spec, schema: JSON, location: str) -> str:
    text, fmt = type_text(spec, schema, location), _format(schema)
    if not fmt:
        return text
    return fmt if text == "any" else f"{text}/{fmt}"


def side_text(spec: Spec, schema: JSON, location: str, dim: str) -> str:
    if dim == "format":
        return _format(schema) or "none"
    if dim == "type":
        return type_text(spec, schema, location)
    return type_format_text(spec, schema, location)


def _accepts_null(schema: JSONObject) -> bool:
    return schema.get("nullable") is True or "null" in types_of(schema)


def _bare(schema: JSONObject, drop: tuple[str, ...] = ()) -> JSONObject:
    return {k: v for k, v in schema.items() if k not in _ANNOTATIONS and k not in drop and not str(k).startswith("x-")}


def _nullable_wrapping(spec_diff: SpecDiff, base: JSONObject, revision: JSONObject, rev_loc: str) -> bool:
    """base X -> oneOf: [{type: null}, X'] with X' equivalent to X (annotations aside)."""
    if any(k in base for k in ("oneOf", "anyOf", "allOf", "not")) or _accepts_null(base):
        return False
    branches = revision.get("oneOf")
    if not isinstance(branches, list) or len(branches) != 2 or _bare(revision, ("oneOf",)):
        return False
    payload: JSON = None
    nulls = 0
    for index, node in enumerate(branches):
        branch, _loc, _ = spec_diff.revision.deref(node, join_pointer(rev_loc, "oneOf", index))
        if isinstance(branch, dict) and types_of(branch) == ["null"] and not _bare(branch, ("type",)):
            nulls += 1
        else:
            payload = branch
    return nulls == 1 and isinstance(payload, dict) and _bare(payload) == _bare(base)


def nullability_change(spec_diff: SpecDiff, schema_diff: SchemaDiff) -> str | None:
    """ "nullable" / "not-nullable" / None, oasdiff's nullabilityChange for one schema diff."""
    base, rev = schema_diff.base, schema_diff.revision
    if not isinstance(base, dict) or not isinstance(rev, dict):
        return None
    before, after = base.get("nullable") is True, rev.get("nullable") is True
    if before != after:
        return "not-nullable" if before else "nullable"
    type_diff = _strings_diff(types_of(base), types_of(rev))
    if type_diff is not None:
        if types_of(rev) and "null" in type_diff[1]:
            return "not-nullable"
        if types_of(base) and "null" in type_diff[0]:
            return "nullable"
    if _nullable_wrapping(spec_diff, base, rev, schema_diff.revision_pointer):
        return "nullable"
    if _nullable_wrapping(spec_diff, rev, base, schema_diff.base_pointer):
        return "not-nullable"
    return None


def _modified_headers(op: OperationDiff) -> Iterator[tuple[str, ResponseDiff, str, HeaderDiff]]:
    for status, response in op.responses.modified.items():
        for name, header in response.headers_modified.items():
            yield status, response, name, header


# --- checks -------------------------------------------------------------------------------------


@operation_check("ResponseHeaderAddedCheck")
def response_header_added(op: OperationDiff) -> None:
    for status, response in op.responses.modified.items():
        headers = response.revision.get("headers") or {}
        for name in response.headers_added:
            if headers.get(name) is None:
                continue
            op.emit(
                "response-header-added",
                name,
                status,
                base_pointer=None,
                revision_pointer=join_pointer(response.revision_pointer, "headers", name),
            )


@operation_check("ResponseHeaderBecameOptionalCheck")
def response_header_became_optional(op: OperationDiff) -> None:
    for status, _response, name, header in _modified_headers(op):
        if header.base.get("required") is True and header.revision.get("required") is not True:
            op.emit(
                "response-header-became-optional",
                name,
                status,
                base_pointer=join_pointer(header.base_pointer, "required"),
                revision_pointer=header.revision_pointer,
            )


@operation_check("ResponseHeaderBecameNullableCheck")
def response_header_became_nullable(op: OperationDiff) -> None:
    for status, _response, name, header in _modified_headers(op):
        if header.schema is None:
            continue
        change = nullability_change(op.spec_diff, header.schema)
        if change:
            op.emit(
                f"response-header-became-{change}",
                name,
                status,
                base_pointer=header.schema.base_pointer,
                revision_pointer=header.schema.revision_pointer,
            )


_HEADER_TYPE_IDS: TypeChangeIds = {
    "specialized": "response-header-type-specialized",
    "compatible": "response-header-type-compatible",
    "generalized": "response-header-type-generalized",
    "changed": "response-header-type-changed",
}


@operation_check("ResponseHeaderTypeChangedCheck")
def response_header_type_changed(op: OperationDiff) -> None:
    for status, _response, name, header in _modified_headers(op):
        d = header.schema
        if d is None or not isinstance(d.base, dict) or not isinstance(d.revision, dict):
            continue
        rule = response_type_rule(d.base, d.revision, False, _HEADER_TYPE_IDS)
        if rule is None:
            continue
        dim = dimension(d.base, d.revision)
        op.emit(
            rule,
            name,
            dim,
            side_text(op.spec_diff.base, d.base, d.base_pointer, dim),
            side_text(op.spec_diff.revision, d.revision, d.revision_pointer, dim),
            status,
            base_pointer=d.base_pointer,
            revision_pointer=d.revision_pointer,
        )


@operation_check("NewRequiredRequestHeaderPropertyCheck")
def new_required_request_header_property(op: OperationDiff) -> None:
    for param in op.parameters.modified:
        if param.base.in_ != "header" or param.schema is None:
            continue
        for path, name, schema, parent in walk_added(param.schema):
            _, rev_ptr = property_pointers(parent, name)
            resolved, _loc, _ = op.spec_diff.revision.deref(schema, rev_ptr or "")
            if isinstance(resolved, dict) and resolved.get("readOnly"):
                continue
            required = parent.new("required")
            if not isinstance(required, list) or name not in required:
                continue
            op.emit(
                "new-required-request-header-property",
                param.base.name,
                full_name(path, name),
                base_pointer=None,
                revision_pointer=rev_ptr,
            )


def _required_added(d: SchemaDiff) -> list[JSON]:
    before, after = d.old("required"), d.new("required")
    before = before if isinstance(before, list) else []
    return [n for n in (after if isinstance(after, list) else []) if n not in before]


def _read_only_property(spec: Spec, d: SchemaDiff, name: JSON) -> bool:
    props = d.new("properties")
    node = props.get(name) if isinstance(props, dict) else None
    resolved, _loc, _ = spec.deref(node, join_pointer(d.revision_pointer, "properties", name))
    return isinstance(resolved, dict) and resolved.get("readOnly") is True


@operation_check("RequestHeaderPropertyBecameRequiredCheck")
def request_header_property_became_required(op: OperationDiff) -> None:
    """oasdiff: check_request_header_property_became_required.go (a property of an object-valued
    header parameter became required; newly added required properties are reported by
    new-required-request-header-property at the root level only, as oasdiff does)."""
    spec = op.spec_diff.revision
    for param in op.parameters.modified:
        if param.base.in_ != "header" or param.schema is None:
            continue
        root = param.schema
        nodes = [(None, root)] + [(full_name(path, name), d) for path, name, d, _p in walk_modified(root)]
        for prefix, d in nodes:
            if not isinstance(d.base, dict) or not isinstance(d.revision, dict):
                continue
            rev_props = d.new("properties") if isinstance(d.new("properties"), dict) else {}
            base_props = d.old("properties") if isinstance(d.old("properties"), dict) else {}
            for name in _required_added(d):
                if rev_props.get(name) is None or _read_only_property(spec, d, name):
                    continue
                if prefix is None and base_props.get(name) is None:
                    continue  # a new required property: new-required-request-header-property
                op.emit(
                    "request-header-property-became-required",
                    param.base.name,
                    name if prefix is None else f"{prefix}/{name}",
                    base_pointer=d.pointer_of("required")[0] or d.base_pointer,
                    revision_pointer=join_pointer(d.revision_pointer, "required"),
                )
