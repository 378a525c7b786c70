"""Enums: values added / removed, schemas that became enums, x-extensible-enum values removed.

oasdiff: check_request_parameter_enum_value_updated.go, check_request_parameter_became_enum.go,
check_request_header_property_became_enum.go, check_request_body_became_enum.go,
check_request_property_became_enum.go, check_request_body_enum_deleted.go,
check_request_property_enum_value_updated.go, check_response_property_enum_value_added.go,
check_response_property_enum_value_removed.go (ResponseParameterEnumValueRemovedCheck),
check_response_mediatype_enum_value_removed.go, check_request_parameter_x_extensible_enum_value_removed.go,
check_request_property_x_extensible_enum_value_removed.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..rules import go_value
from ._values import (
    changed_properties,
    enum_diff,
    flag,
    media_details,
    parameter,
    pointers,
    request_body,
    response_body,
)
from .registry import schema_check
from .sites import stamp

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON
    from .sites import SchemaSite, Stamp

X_EXTENSIBLE_ENUM = "x-extensible-enum"


@schema_check("RequestParameterEnumValueUpdatedCheck", kinds=("parameter",))
def request_parameter_enum_value_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    where = (site.param_in, site.param_name)
    enum = enum_diff(site.diff)
    if enum is not None:
        _, added, deleted = enum
        for value in deleted:
            site.emit("request-parameter-enum-value-removed", value, *where, **pointers(site.diff, "enum"))
        for value in added:
            site.emit("request-parameter-enum-value-added", value, *where, **pointers(site.diff, "enum"))
    for name, _short, diff in changed_properties(site, "enum"):
        enum = enum_diff(diff)
        if enum is None:
            continue
        _, added, deleted = enum
        for value in deleted:
            site.emit("request-parameter-property-enum-value-removed", value, name, *where, **pointers(diff, "enum"))
        for value in added:
            site.emit("request-parameter-property-enum-value-added", value, name, *where, **pointers(diff, "enum"))


@schema_check("RequestParameterBecameEnumCheck", kinds=("parameter",))
def request_parameter_became_enum(site: SchemaSite) -> None:
    if not parameter(site):
        return
    enum = enum_diff(site.diff)
    if enum is not None and enum[0]:
        site.emit("request-parameter-became-enum", site.param_in, site.param_name, **pointers(site.diff, "enum"))


@schema_check("RequestHeaderPropertyBecameEnumCheck", kinds=("parameter",))
def request_header_property_became_enum(site: SchemaSite) -> None:
    if not parameter(site) or site.param_in != "header":
        return
    enum = enum_diff(site.diff)
    if enum is not None and enum[0]:
        # oasdiff passes only the header name here (its message then lacks the property)
        site.emit("request-header-property-became-enum", site.param_name, **pointers(site.diff, "enum"))
    for name, _short, diff in changed_properties(site, "enum"):
        enum = enum_diff(diff)
        if enum is not None and enum[0]:
            site.emit("request-header-property-became-enum", site.param_name, name, **pointers(diff, "enum"))


@schema_check("RequestBodyBecameEnumCheck", kinds=("request-body",))
def request_body_became_enum(site: SchemaSite) -> None:
    if not request_body(site):
        return
    enum = enum_diff(site.diff)
    if enum is not None and enum[0]:
        site.emit("request-body-became-enum", details=media_details(site), **pointers(site.diff, "enum"))


@schema_check("RequestPropertyBecameEnumCheck", kinds=("request-body",))
def request_property_became_enum(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "enum"):
        enum = enum_diff(diff)
        if enum is not None and enum[0]:
            site.emit("request-property-became-enum", name, details=details, **pointers(diff, "enum"))


@schema_check("RequestBodyEnumValueRemovedCheck", kinds=("request-body",))
def request_body_enum_value_removed(site: SchemaSite) -> None:
    if not request_body(site):
        return
    enum = enum_diff(site.diff)
    if enum is None:
        return
    details = media_details(site)
    for value in enum[2]:
        site.emit("request-body-enum-value-removed", value, details=details, **pointers(site.diff, "enum"))


@schema_check("RequestPropertyEnumValueUpdatedCheck", kinds=("request-body",))
def request_property_enum_value_updated(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "enum"):
        enum = enum_diff(diff)
        if enum is None:
            continue
        _, added, deleted = enum
        removed_rule = (
            "request-read-only-property-enum-value-removed"
            if flag(diff, "readOnly")
            else "request-property-enum-value-removed"
        )
        for value in deleted:
            site.emit(removed_rule, value, name, details=details, **pointers(diff, "enum"))
        for value in added:
            site.emit("request-property-enum-value-added", value, name, details=details, **pointers(diff, "enum"))


@schema_check("ResponsePropertyEnumValueAddedCheck", kinds=("response-body",))
def response_property_enum_value_added(site: SchemaSite) -> None:
    if response_body(site):
        stamp(site, _response_enum_findings(site, added=True), site.status, details=media_details(site))


@schema_check("ResponseParameterEnumValueRemovedCheck", kinds=("response-body",))
def response_property_enum_value_removed(site: SchemaSite) -> None:
    if response_body(site):
        stamp(site, _response_enum_findings(site, added=False), site.status, details=media_details(site))


def _response_enum_findings(site: SchemaSite, added: bool) -> list[Stamp]:
    """(rule, (value, property), pointers...) per response property enum value added / removed.

    Depends on the schema diff only: computed once per diff and stamped on every operation using it
    (Stripe: ~35k enum-value-added findings over a few hundred schema diffs)."""
    key = "enum-response-added" if added else "enum-response-removed"
    cached: list[Stamp] | None = site.diff.walks.get(key)
    if cached is None:
        cached = site.diff.walks[key] = []
        for name, _short, diff in changed_properties(site, "enum"):
            enum = enum_diff(diff)
            if enum is None:
                continue
            where = pointers(diff, "enum")
            if added:
                rule = (
                    "response-write-only-property-enum-value-added"
                    if flag(diff, "writeOnly")
                    else "response-property-enum-value-added"
                )
                values = enum[1]
            else:
                rule, values = "response-property-enum-value-removed", enum[2]
            cached.extend((rule, (value, name), where["base_pointer"], where["revision_pointer"]) for value in values)
    return cached


@schema_check("ResponseMediaTypeEnumValueRemovedCheck", kinds=("response-body",))
def response_media_type_enum_value_removed(site: SchemaSite) -> None:
    if not response_body(site):
        return
    enum = enum_diff(site.diff)
    if enum is None:
        return
    details = media_details(site)
    for value in enum[2]:
        site.emit(
            "response-mediatype-enum-value-removed",
            site.media_type,
            value,
            details=details,
            **pointers(site.diff, "enum"),
        )


def _extensible_enum_removed(diff: SchemaDiff | None) -> list[str]:
    """x-extensible-enum values of the base missing from the revision (both sides must list them)."""
    if diff is None or X_EXTENSIBLE_ENUM not in diff.changed:
        return []
    old, new = diff.old(X_EXTENSIBLE_ENUM), diff.new(X_EXTENSIBLE_ENUM)
    if not isinstance(old, list) or not isinstance(new, list):
        return []
    new_values = {_text(v) for v in new}
    return [value for value in (_text(v) for v in old) if value not in new_values]


def _text(value: JSON) -> str:
    return value if isinstance(value, str) else go_value(value)


@schema_check("RequestParameterXExtensibleEnumValueRemovedCheck", kinds=("parameter",))
def request_parameter_x_extensible_enum_value_removed(site: SchemaSite) -> None:
    if not parameter(site):
        return
    for value in _extensible_enum_removed(site.diff):
        site.emit(
            "request-parameter-x-extensible-enum-value-removed",
            value,
            site.param_in,
            site.param_name,
            **pointers(site.diff, X_EXTENSIBLE_ENUM),
        )


@schema_check("RequestPropertyXExtensibleEnumValueRemovedCheck", kinds=("request-body",))
def request_property_x_extensible_enum_value_removed(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, X_EXTENSIBLE_ENUM):
        for value in _extensible_enum_removed(diff):
            site.emit(
                "request-property-x-extensible-enum-value-removed",
                value,
                name,
                details=details,
                **pointers(diff, X_EXTENSIBLE_ENUM),
            )
