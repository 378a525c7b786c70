"""Schema types and formats (incl. 3.1 type lists) and nullability of parameters and bodies.

oasdiff: check_request_parameter_type_changed.go, check_request_property_type_changed.go,
check_response_property_type_changed.go, type_change.go / type_format.go (the verdict lattice and
the message rendering), check_*_list_of_types_changed.go, check_request_parameter_became_nullable.go,
check_request_property_became_not_nullable.go, check_response_property_became_nullable.go.
The node facts and the transition claims they consult live in transitions.py.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ..pointers import join_pointer
from .registry import schema_check
from .transitions import (
    NodeInfo,
    _strip,
    _without_null,
    both_dicts,
    claimed,
    fact_properties,
    format_of,
    media_type_details,
    node_info,
    types_of,
)

if TYPE_CHECKING:
    from ..diff import SchemaDiff, SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from ..model import Pointers
    from .sites import SchemaSite

# (added, deleted) type names and (from, to) formats, each None when that axis did not change
TypeDiff: TypeAlias = tuple[list[str], list[str]] | None
FormatDiff: TypeAlias = tuple[str, str] | None


# --------------------------------------------------------------------------------------
# message rendering (type_format.go)


def _dimension(info: NodeInfo) -> str:
    if info.type_changed and info.format_changed:
        return "type/format"
    if info.type_changed:
        return "type"
    if info.format_changed:
        return "format"
    return ""


def _type_string(schema: JSON, location: str, spec: Spec, depth: int = 0) -> str:
    if not isinstance(schema, dict):
        return "any"
    parts = []
    for t in types_of(schema):
        items = schema.get("items")
        if t == "array" and isinstance(items, dict) and depth < 8:
            target, target_location, _ = spec.deref(items, join_pointer(location, "items"))
            parts.append(f"array<{_type_format_string(target, target_location, spec, depth + 1)}>")
        else:
            parts.append(t)
    return ", ".join(parts) if parts else "any"


def _type_format_string(schema: JSON, location: str, spec: Spec, depth: int = 0) -> str:
    if not isinstance(schema, dict):
        return ""
    text = _type_string(schema, location, spec, depth)
    fmt = format_of(schema)
    if not fmt:
        return text
    return fmt if text == "any" else f"{text}/{fmt}"


def _side_value(schema: JSON, location: str, spec: Spec, dimension: str) -> str:
    if dimension == "format":
        return format_of(schema) or "none"
    if dimension == "type":
        return _type_string(schema, location, spec)
    return _type_format_string(schema, location, spec)


def _type_args(d: SchemaDiff, info: NodeInfo, spec_diff: SpecDiff) -> list[str]:
    dimension = _dimension(info)
    return [
        dimension,
        _side_value(d.base, d.base_pointer, spec_diff.base, dimension),
        _side_value(d.revision, d.revision_pointer, spec_diff.revision, dimension),
    ]


# --------------------------------------------------------------------------------------
# verdicts (type_change.go)


def _is_subtype(sub: str, sup: str) -> bool:
    return sub == sup or (sub == "integer" and sup == "number")


def _subset(sub: list[str], sup: list[str]) -> bool:
    return bool(sub) and all(any(_is_subtype(t, s) for s in sup) for t in sub)


def _type_contained(to: list[str], frm: list[str], strongly_typed: bool) -> bool:
    if len(to) == 1 and len(frm) == 1 and _is_subtype(frm[0], to[0]):
        return True
    if not strongly_typed:
        return not to or (len(to) == 1 and to[0] == "string")
    return False


def _format_contained(to_types: list[str], to: str, frm: str) -> bool:
    if to == "":
        return True
    if len(to_types) != 1:
        return False
    single = to_types[0]
    if single == "number":
        return to == "double" and frm == "float"
    if single == "integer":
        return (to, frm) in (("int64", "int32"), ("bigint", "int32"), ("bigint", "int64"))
    if single == "string":
        return to == "date-time" and frm in ("date", "time")
    return False


def _type_or_format_breaking(
    type_diff: TypeDiff, format_diff: FormatDiff, strongly_typed: bool, to_types: list[str]
) -> bool:
    type_breaking = type_diff is not None and not _type_contained(type_diff[0], type_diff[1], strongly_typed)
    format_breaking = format_diff is not None and not _format_contained(to_types, format_diff[1], format_diff[0])
    return type_breaking or format_breaking


def _type_format_breaking(
    type_diff: TypeDiff, format_diff: FormatDiff, strongly_typed: bool, to_types: list[str]
) -> bool:
    if type_diff is not None and not to_types:
        return False
    return _type_or_format_breaking(type_diff, format_diff, strongly_typed, to_types)


def _diffs(info: NodeInfo) -> tuple[TypeDiff, FormatDiff]:
    """(added, deleted) and (from, to), each None when that axis did not change."""
    type_diff = (info.type_added, info.type_deleted) if info.type_changed else None
    format_diff = (info.base_format, info.revision_format) if info.format_changed else None
    return type_diff, format_diff


def _widened(info: NodeInfo) -> bool:
    return info.type_changed and _subset(info.base_types, info.revision_types)


def _narrowed(info: NodeInfo) -> bool:
    return info.type_changed and _subset(info.revision_types, info.base_types)


def request_breaking(info: NodeInfo, strongly_typed: bool) -> bool:
    type_diff, format_diff = _diffs(info)
    if _widened(info):
        type_diff = None
    return _type_format_breaking(type_diff, format_diff, strongly_typed, info.revision_types)


def response_breaking(info: NodeInfo, strongly_typed: bool) -> bool:
    type_diff, format_diff = _diffs(info)
    if _narrowed(info):
        type_diff = None
    reversed_type = (type_diff[1], type_diff[0]) if type_diff else None
    reversed_format = (format_diff[1], format_diff[0]) if format_diff else None
    return _type_format_breaking(reversed_type, reversed_format, strongly_typed, info.base_types)


def _both_concrete(info: NodeInfo) -> bool:
    return bool(info.base_types) and bool(info.revision_types)


def request_type_verdict(info: NodeInfo, strongly_typed: bool) -> str:
    if request_breaking(info, strongly_typed):
        return "changed"
    if info.type_changed and _both_concrete(info) and not _widened(info):
        return "compatible"
    return "generalized"


def response_type_verdict(info: NodeInfo, strongly_typed: bool) -> str:
    if response_breaking(info, strongly_typed):
        return "generalized" if _widened(info) else "changed"
    if info.type_changed and _both_concrete(info) and not _narrowed(info):
        return "compatible"
    return "specialized"


def is_strongly_typed(media_type: str | None) -> bool:
    if not media_type:
        return False
    return media_type == "application/json" or media_type.endswith("+json")


def _type_pointers(d: SchemaDiff) -> tuple[str, str]:
    base, revision = d.pointer_of("type")
    if base is None and revision is None:
        base, revision = d.pointer_of("format")
    return base or d.base_pointer, revision or d.revision_pointer


def _emit_unclaimed(
    site: SchemaSite,
    info: NodeInfo,
    rule_id: str,
    *args: object,
    pointers: tuple[str, str] | None = None,
    details: str = "",
) -> None:
    if claimed(info, rule_id):
        return
    base_pointer, revision_pointer = pointers if pointers else (site.diff.base_pointer, site.diff.revision_pointer)
    site.emit(rule_id, *args, base_pointer=base_pointer, revision_pointer=revision_pointer, details=details)


# --------------------------------------------------------------------------------------
# type changed


@schema_check("RequestPropertyTypeChangedCheck", kinds=("request-body",))
def request_property_type_changed(site: SchemaSite) -> None:
    if site.kind != "request-body" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    strongly = is_strongly_typed(site.media_type)
    details = media_type_details(site)
    info = node_info(site.diff, spec_diff)
    if info.type_changed or info.format_changed:
        verdict = request_type_verdict(info, strongly)
        _emit_unclaimed(
            site,
            info,
            f"request-body-type-{verdict}",
            *_type_args(site.diff, info, spec_diff),
            pointers=_type_pointers(site.diff),
            details=details,
        )
    for name, d, _parent, info in fact_properties(site):
        if (info.type_changed or info.format_changed) and not d.new("readOnly"):
            # a read-only property is not sent in requests (oasdiff skips it)
            verdict = request_type_verdict(info, strongly)
            _emit_unclaimed(
                site,
                info,
                f"request-property-type-{verdict}",
                name,
                *_type_args(d, info, spec_diff),
                pointers=_type_pointers(d),
                details=details,
            )


@schema_check("ResponsePropertyTypeChangedCheck", kinds=("response-body",))
def response_property_type_changed(site: SchemaSite) -> None:
    if site.kind != "response-body" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    strongly = is_strongly_typed(site.media_type)
    details = media_type_details(site)
    info = node_info(site.diff, spec_diff)
    if info.type_changed or info.format_changed:
        verdict = response_type_verdict(info, strongly)
        _emit_unclaimed(
            site,
            info,
            f"response-body-type-{verdict}",
            *_type_args(site.diff, info, spec_diff),
            site.status,
            pointers=_type_pointers(site.diff),
            details=details,
        )
    for name, d, _parent, info in fact_properties(site):
        if info.type_changed or info.format_changed:
            verdict = response_type_verdict(info, strongly)
            _emit_unclaimed(
                site,
                info,
                f"response-property-type-{verdict}",
                name,
                *_type_args(d, info, spec_diff),
                site.status,
                pointers=_type_pointers(d),
                details=details,
            )


def _serialization(param: JSONObject) -> tuple[str, bool]:
    where = param.get("in")
    style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
    explode = param.get("explode")
    if explode is None:
        explode = style == "form"
    return style, bool(explode)


def _scalar_to_form_explode_array(site: SchemaSite, info: NodeInfo) -> bool:
    """A scalar (or multi-type scalar) parameter became a form/explode array whose items accept
    every value the scalar did: a single value is still a valid one-element array."""
    added, deleted = _without_null(info.type_added), _without_null(info.type_deleted)
    if added != ["array"] or not deleted or "array" in deleted:
        return False
    revision_param = next((p.revision.param for p in site.op.parameters.modified if p.schema is site.diff), None)
    if revision_param is None:
        return False
    style, explode = _serialization(revision_param)
    if style != "form" or not explode:
        return False
    items = site.diff.new("items")  # both sides are objects here (the caller checks both_dicts)
    if not isinstance(items, dict):
        return False
    items, _loc, _ = site.op.spec_diff.revision.deref(items, join_pointer(site.diff.revision_pointer, "items"))
    if not isinstance(items, dict):
        return False
    item_types = _without_null(types_of(items))
    if len(item_types) != 1:
        return False
    item = item_types[0]
    base_scalars = _without_null(info.base_types)
    if not all(t == item or item == "string" or _is_subtype(t, item) for t in base_scalars):
        return False
    base = site.diff.base
    return isinstance(base, dict) and _validation_surface(base) == _validation_surface(items)


def _validation_surface(schema: JSONObject) -> JSONObject:
    stripped = _strip(schema)
    stripped.pop("type", None)
    stripped.pop("nullable", None)
    return stripped


@schema_check("RequestParameterTypeChangedCheck", kinds=("parameter",))
def request_parameter_type_changed(site: SchemaSite) -> None:
    if site.kind != "parameter" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    where, name = site.param_in, site.param_name
    if info.type_changed or info.format_changed:
        type_diff, format_diff = _diffs(info)
        breaking = _type_or_format_breaking(
            type_diff, format_diff, False, info.revision_types
        ) and not _scalar_to_form_explode_array(site, info)
        rule = "request-parameter-type-changed" if breaking else "request-parameter-type-generalized"
        _emit_unclaimed(
            site, info, rule, where, name, *_type_args(site.diff, info, spec_diff), pointers=_type_pointers(site.diff)
        )
    for prop, d, _parent, info in fact_properties(site):
        if not (info.type_changed or info.format_changed):
            continue
        strong, loose = request_breaking(info, True), request_breaking(info, False)
        if strong != loose:
            rule = "request-parameter-property-type-changed"
        elif strong:
            rule = "request-parameter-property-type-specialized"
        else:
            rule = "request-parameter-property-type-generalized"
        dimension, base_value, revision_value = _type_args(d, info, spec_diff)
        _emit_unclaimed(
            site, info, rule, where, name, dimension, prop, base_value, revision_value, pointers=_type_pointers(d)
        )


# --------------------------------------------------------------------------------------
# list of types (3.1 / oneOf-anyOf of scalar types)


def _join_types(types: list[str]) -> str:
    if len(types) <= 1:
        return "".join(types)
    return ", ".join(types[:-1]) + " and " + types[-1]


@schema_check("RequestPropertyListOfTypesChangedCheck", kinds=("request-body",))
def request_property_list_of_types(site: SchemaSite) -> None:
    if site.kind != "request-body" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    if info.list_of_types:
        if info.list_deleted:
            site.emit("request-body-list-of-types-narrowed", _join_types(info.list_deleted), site.media_type)
        else:
            site.emit("request-body-list-of-types-widened", _join_types(info.list_added), site.media_type)
    for name, d, _parent, info in fact_properties(site):
        if not info.list_of_types:
            continue
        where: Pointers = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_deleted:
            site.emit(
                "request-property-list-of-types-narrowed",
                name,
                _join_types(info.list_deleted),
                site.media_type,
                **where,
            )
        else:
            site.emit(
                "request-property-list-of-types-widened", name, _join_types(info.list_added), site.media_type, **where
            )


@schema_check("ResponsePropertyListOfTypesChangedCheck", kinds=("response-body",))
def response_property_list_of_types(site: SchemaSite) -> None:
    if site.kind != "response-body" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    if info.list_of_types:
        if info.list_added:
            site.emit("response-body-list-of-types-widened", _join_types(info.list_added), site.media_type, site.status)
        else:
            site.emit(
                "response-body-list-of-types-narrowed", _join_types(info.list_deleted), site.media_type, site.status
            )
    for name, d, _parent, info in fact_properties(site):
        if not info.list_of_types:
            continue
        where: Pointers = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_added:
            site.emit(
                "response-property-list-of-types-widened",
                name,
                _join_types(info.list_added),
                site.media_type,
                site.status,
                **where,
            )
        else:
            site.emit(
                "response-property-list-of-types-narrowed",
                name,
                _join_types(info.list_deleted),
                site.media_type,
                site.status,
                **where,
            )


@schema_check("RequestParameterListOfTypesChangedCheck", kinds=("parameter",))
def request_parameter_list_of_types(site: SchemaSite) -> None:
    if site.kind != "parameter" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    where, name = site.param_in, site.param_name
    # at the corpus commit, a nullable wrapping of a parameter is reported as
    # request-parameter-became-nullable, which claims the list-of-types echo
    if info.list_of_types and not info.wrap:
        if info.list_deleted:
            site.emit("request-parameter-list-of-types-narrowed", where, name, _join_types(info.list_deleted))
        else:
            site.emit("request-parameter-list-of-types-widened", where, name, _join_types(info.list_added))
    for prop, d, _parent, info in fact_properties(site):
        if not info.list_of_types or info.wrap:
            continue
        pointers: Pointers = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_deleted:
            site.emit(
                "request-parameter-property-list-of-types-narrowed",
                prop,
                where,
                name,
                _join_types(info.list_deleted),
                **pointers,
            )
        else:
            site.emit(
                "request-parameter-property-list-of-types-widened",
                prop,
                where,
                name,
                _join_types(info.list_added),
                **pointers,
            )


# --------------------------------------------------------------------------------------
# nullability


def _nullable_pointers(d: SchemaDiff) -> tuple[str, str]:
    for keyword in ("nullable", "type", "oneOf"):
        base, revision = d.pointer_of(keyword)
        if base is not None or revision is not None:
            return base or d.base_pointer, revision or d.revision_pointer
    return d.base_pointer, d.revision_pointer


@schema_check("RequestParameterBecameNullableCheck", kinds=("parameter",))
def request_parameter_became_nullable(site: SchemaSite) -> None:
    if site.kind != "parameter" or not both_dicts(site.diff):
        return
    spec_diff = site.op.spec_diff
    where, name = site.param_in, site.param_name
    change = node_info(site.diff, spec_diff).nullability
    if change:
        b, r = _nullable_pointers(site.diff)
        site.emit(f"request-parameter-became-{change}", where, name, base_pointer=b, revision_pointer=r)
    for prop, d, _parent, info in fact_properties(site):
        change = info.nullability
        if change:
            b, r = _nullable_pointers(d)
            site.emit(
                f"request-parameter-property-became-{change}", prop, where, name, base_pointer=b, revision_pointer=r
            )


def _nullability_changes(site: SchemaSite, direction: str, *property_args: object) -> None:
    """Body and property nullability flips of one request or response body site (3.0 `nullable`,
    3.1 `type: [.., "null"]` and `oneOf: [{type: null}, X]` all count)."""
    if site.kind != f"{direction}-body" or not both_dicts(site.diff):
        return
    details = media_type_details(site)
    change = node_info(site.diff, site.op.spec_diff).nullability
    if change:
        b, r = _nullable_pointers(site.diff)
        site.emit(f"{direction}-body-became-{change}", base_pointer=b, revision_pointer=r, details=details)
    for name, d, _parent, info in fact_properties(site):
        change = info.nullability
        if change:
            b, r = _nullable_pointers(d)
            site.emit(
                f"{direction}-property-became-{change}",
                name,
                *property_args,
                base_pointer=b,
                revision_pointer=r,
                details=details,
            )


@schema_check("RequestPropertyBecameNotNullableCheck", kinds=("request-body",))
def request_property_became_not_nullable(site: SchemaSite) -> None:
    _nullability_changes(site, "request")


@schema_check("ResponsePropertyBecameNullableCheck", kinds=("response-body",))
def response_property_became_nullable(site: SchemaSite) -> None:
    _nullability_changes(site, "response", site.status)
