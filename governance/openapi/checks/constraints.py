"""Schema value constraints: numeric bounds, lengths, item counts, patterns, defaults, const,
3.1 content keywords (NewRequestNonPathDefaultParameterCheck lives in components.py).

oasdiff: check_request_parameters_{min,max}_updated.go, check_request_parameters_{min,max}_set.go,
check_request_parameters_{max,min}_length_updated.go, check_request_parameters_max_length_set.go,
check_request_parameters_{max,min}_items_updated.go, check_request_parameters_min_items_set.go,
check_request_parameter_pattern_added_or_changed.go, check_request_parameters_default_value_changed.go,
check_request_property_{min,max}_updated.go (RequestPropertyMinIncreasedCheck / MaxDecreasedCheck),
check_request_property_{min,max}_set.go, check_request_property_max_length_{updated,set}.go,
check_request_property_min_length_updated.go, check_request_property_min_items_{increased,set}.go,
check_request_property_pattern_updated.go, check_request_property_default_value_changed.go,
check_request_property_const_changed.go, check_request_property_content_updated.go,
check_response_property_{min_decreased,max_increased,max_length_increased,max_length_unset,
min_items_decreased,min_items_unset,min_length_decreased}.go, check_response_pattern_added_or_changed.go,
check_response_property_default_value_changed.go, check_response_property_const_changed.go,
check_response_property_content_updated.go.

How oasdiff reads the values (see _values.py): ``minLength``/``minItems`` are uint64s, so an
absent one is 0 and "from 0" is an ordinary increase; the bound ``*-set`` rules fire only when the
keyword goes from absent to present, the ``*-increased``/``*-decreased`` ones only when both sides
have it. Exclusive bounds are the 3.1 number or the 3.0 boolean.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeAlias

from ._values import (
    changed_properties,
    decreased,
    flag,
    increased,
    keyword_pointers,
    media_details,
    request_body,
    response_body,
    value_diff,
    value_on_both_sides,
    value_set,
    value_unset,
)
from .registry import schema_check

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON
    from ._values import Property
    from .sites import SchemaSite

# (keyword, id segment) pairs, e.g. MINIMUMS; a comparison of (from, to) values, e.g. increased
Bounds: TypeAlias = tuple[tuple[str, str], ...]
Comparison: TypeAlias = Callable[["JSON", "JSON"], bool]

# (keyword, id segment) of the numeric bounds: each check handles the inclusive and exclusive one
MINIMUMS = (("minimum", "min"), ("exclusiveMinimum", "exclusive-min"))
MAXIMUMS = (("maximum", "max"), ("exclusiveMaximum", "exclusive-max"))


# ---- request bodies and their properties --------------------------------------------------------


def _request_bound_updated(site: SchemaSite, bounds: Bounds, tightened: Comparison, tight: str, loose: str) -> None:
    """A bound on the request body or a property moved. Tightening (a minimum up, a maximum down)
    refuses values clients used to send: its finding names the new value; loosening names both.
    A read-only property's tightening has its own id (clients don't send it)."""
    if not request_body(site):
        return
    details = media_details(site)
    for keyword, segment in bounds:
        vd = value_on_both_sides(site.diff, keyword)
        if vd is not None:
            if tightened(*vd):
                site.emit(
                    f"request-body-{segment}-{tight}", vd[1], details=details, **keyword_pointers(site.diff, keyword)
                )
            else:
                site.emit(
                    f"request-body-{segment}-{loose}", *vd, details=details, **keyword_pointers(site.diff, keyword)
                )
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = value_on_both_sides(diff, keyword)
            if vd is None:
                continue
            if tightened(*vd):
                kind = "read-only-property" if flag(diff, "readOnly") else "property"
                site.emit(
                    f"request-{kind}-{segment}-{tight}", name, vd[1], details=details, **keyword_pointers(diff, keyword)
                )
            else:
                site.emit(
                    f"request-property-{segment}-{loose}", name, *vd, details=details, **keyword_pointers(diff, keyword)
                )


@schema_check("RequestPropertyMinIncreasedCheck", kinds=("request-body",))
def request_property_min_updated(site: SchemaSite) -> None:
    _request_bound_updated(site, MINIMUMS, increased, "increased", "decreased")


@schema_check("RequestPropertyMaxDecreasedCheck", kinds=("request-body",))
def request_property_max_updated(site: SchemaSite) -> None:
    _request_bound_updated(site, MAXIMUMS, decreased, "decreased", "increased")


def _request_set(site: SchemaSite, bounds: Bounds) -> None:
    """Bounds set on the body or on a (not read-only) property: request-{body,property}-X-set."""
    if not request_body(site):
        return
    details = media_details(site)
    for keyword, segment in bounds:
        vd = value_set(site.diff, keyword)
        if vd is not None:
            site.emit(
                f"request-body-{segment}-set",
                vd[1],
                details=details,
                **keyword_pointers(site.diff, keyword, base=False),
            )
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = value_set(diff, keyword)
            if vd is not None and not flag(diff, "readOnly"):
                site.emit(
                    f"request-property-{segment}-set",
                    name,
                    vd[1],
                    details=details,
                    **keyword_pointers(diff, keyword, base=False),
                )


@schema_check("RequestPropertyMinSetCheck", kinds=("request-body",))
def request_property_min_set(site: SchemaSite) -> None:
    _request_set(site, MINIMUMS)


@schema_check("RequestPropertyMaxSetCheck", kinds=("request-body",))
def request_property_max_set(site: SchemaSite) -> None:
    _request_set(site, MAXIMUMS)


@schema_check("RequestPropertyMaxLengthSetCheck", kinds=("request-body",))
def request_property_max_length_set(site: SchemaSite) -> None:
    _request_set(site, (("maxLength", "max-length"),))


@schema_check("RequestPropertyMaxLengthUpdatedCheck", kinds=("request-body",))
def request_property_max_length_updated(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    vd = value_on_both_sides(site.diff, "maxLength")
    if vd is not None:
        if decreased(*vd):
            site.emit(
                "request-body-max-length-decreased", vd[1], details=details, **keyword_pointers(site.diff, "maxLength")
            )
        else:
            site.emit(
                "request-body-max-length-increased", *vd, details=details, **keyword_pointers(site.diff, "maxLength")
            )
    for name, _short, diff in changed_properties(site, "maxLength"):
        vd = value_on_both_sides(diff, "maxLength")
        if vd is None:
            continue
        if decreased(*vd):
            kind = "read-only-property" if flag(diff, "readOnly") else "property"
            site.emit(
                f"request-{kind}-max-length-decreased",
                name,
                vd[1],
                details=details,
                **keyword_pointers(diff, "maxLength"),
            )
        else:
            site.emit(
                "request-property-max-length-increased",
                name,
                *vd,
                details=details,
                **keyword_pointers(diff, "maxLength"),
            )


@schema_check("RequestPropertyMinLengthUpdatedCheck", kinds=("request-body",))
def request_property_min_length_updated(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    vd = value_diff(site.diff, "minLength")
    if vd is not None:
        change = "increased" if increased(*vd) else "decreased"
        site.emit(f"request-body-min-length-{change}", *vd, details=details, **keyword_pointers(site.diff, "minLength"))
    for name, _short, diff in changed_properties(site, "minLength"):
        vd = value_diff(diff, "minLength")
        if vd is not None:
            change = "decreased" if decreased(*vd) else "increased"
            site.emit(
                f"request-property-min-length-{change}",
                name,
                *vd,
                details=details,
                **keyword_pointers(diff, "minLength"),
            )


@schema_check("RequestPropertyMinItemsIncreasedCheck", kinds=("request-body",))
def request_property_min_items_increased(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    vd = value_diff(site.diff, "minItems")  # absent reads as 0, so 0 -> n is an increase here
    if vd is not None and increased(*vd):
        site.emit("request-body-min-items-increased", vd[1], details=details, **keyword_pointers(site.diff, "minItems"))
    for name, _short, diff in changed_properties(site, "minItems"):
        vd = value_diff(diff, "minItems")
        if vd is not None and increased(*vd) and not flag(diff, "readOnly"):
            site.emit(
                "request-property-min-items-increased",
                name,
                vd[1],
                details=details,
                **keyword_pointers(diff, "minItems"),
            )


@schema_check("RequestPropertyMinItemsSetCheck", kinds=())
def request_property_min_items_set(site: SchemaSite) -> None:
    """Never fires, as in oasdiff: it waits for minItems to go from nil, but minItems is a
    uint64 there (absent = 0), so adding it is reported as request-*-min-items-increased."""


@schema_check("RequestPropertyPatternUpdatedCheck", kinds=("request-body",))
def request_property_pattern_updated(site: SchemaSite) -> None:
    if not request_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "pattern"):
        vd = value_diff(diff, "pattern")
        if vd is None:
            continue
        old, new = vd
        if new == "":
            site.emit(
                "request-property-pattern-removed", old, name, details=details, **keyword_pointers(diff, "pattern")
            )
        elif old == "":
            site.emit("request-property-pattern-added", new, name, details=details, **keyword_pointers(diff, "pattern"))
        else:
            rule = "request-property-pattern-generalized" if new == ".*" else "request-property-pattern-changed"
            site.emit(rule, name, old, new, details=details, **keyword_pointers(diff, "pattern"))


def _added_removed_changed(
    site: SchemaSite, keyword: str, body_prefix: str, property_prefix: str, trailing: tuple[object, ...] = ()
) -> None:
    """default/const: {prefix}-{keyword}-value-added/removed/changed on the body (media type
    first) and on each property (oasdiff passes the property's own name, not its path)."""
    details = media_details(site)
    nodes: list[tuple[str, str | None, SchemaDiff]] = [(body_prefix, site.media_type, site.diff)]
    nodes += [(property_prefix, short, diff) for _name, short, diff in changed_properties(site, keyword)]
    for prefix, label, diff in nodes:
        vd = value_diff(diff, keyword)
        if vd is None:
            continue
        old, new = vd
        if old is None:
            site.emit(
                f"{prefix}-added", label, new, *trailing, details=details, **keyword_pointers(diff, keyword, base=False)
            )
        elif new is None:
            site.emit(
                f"{prefix}-removed",
                label,
                old,
                *trailing,
                details=details,
                **keyword_pointers(diff, keyword, revision=False),
            )
        else:
            site.emit(
                f"{prefix}-changed", label, old, new, *trailing, details=details, **keyword_pointers(diff, keyword)
            )


@schema_check("RequestPropertyDefaultValueChangedCheck", kinds=("request-body",))
def request_property_default_value_changed(site: SchemaSite) -> None:
    if request_body(site):
        _added_removed_changed(site, "default", "request-body-default-value", "request-property-default-value")


@schema_check("ResponsePropertyDefaultValueChangedCheck", kinds=("response-body",))
def response_property_default_value_changed(site: SchemaSite) -> None:
    if response_body(site):
        _added_removed_changed(
            site, "default", "response-body-default-value", "response-property-default-value", (site.status,)
        )


@schema_check("RequestPropertyConstChangedCheck", kinds=("request-body",))
def request_property_const_changed(site: SchemaSite) -> None:
    if request_body(site):
        _added_removed_changed(site, "const", "request-body-const", "request-property-const")


@schema_check("ResponsePropertyConstChangedCheck", kinds=("response-body",))
def response_property_const_changed(site: SchemaSite) -> None:
    if response_body(site):
        _added_removed_changed(site, "const", "response-body-const", "response-property-const", (site.status,))


def _content_properties(site: SchemaSite) -> list[Property]:
    seen: set[int] = set()
    result: list[Property] = []
    for keyword in ("contentSchema", "contentMediaType", "contentEncoding"):
        for entry in changed_properties(site, keyword):
            if id(entry[2]) not in seen:
                seen.add(id(entry[2]))
                result.append(entry)
    return result


def _content_updated(site: SchemaSite, direction: str, trailing: tuple[object, ...]) -> None:
    """3.1 contentSchema added/removed, contentMediaType / contentEncoding changed."""
    details = media_details(site)
    nodes: list[tuple[str, tuple[str, ...], SchemaDiff]] = [(f"{direction}-body", (), site.diff)]
    nodes += [(f"{direction}-property", (name,), diff) for name, _short, diff in _content_properties(site)]
    for prefix, label, diff in nodes:
        if "contentSchema" in diff.changed:
            in_base = isinstance(diff.base, dict) and "contentSchema" in diff.base
            in_revision = isinstance(diff.revision, dict) and "contentSchema" in diff.revision
            if in_revision and not in_base:
                site.emit(
                    f"{prefix}-content-schema-added",
                    *label,
                    *trailing,
                    details=details,
                    **keyword_pointers(diff, "contentSchema", base=False),
                )
            elif in_base and not in_revision:
                site.emit(
                    f"{prefix}-content-schema-removed",
                    *label,
                    *trailing,
                    details=details,
                    **keyword_pointers(diff, "contentSchema", revision=False),
                )
        for keyword, segment in (("contentMediaType", "content-media-type"), ("contentEncoding", "content-encoding")):
            vd = value_diff(diff, keyword)
            if vd is not None:
                site.emit(
                    f"{prefix}-{segment}-changed",
                    *label,
                    *vd,
                    *trailing,
                    details=details,
                    **keyword_pointers(diff, keyword),
                )


@schema_check("RequestPropertyContentUpdatedCheck", kinds=("request-body",))
def request_property_content_updated(site: SchemaSite) -> None:
    if request_body(site):
        _content_updated(site, "request", ())


@schema_check("ResponsePropertyContentUpdatedCheck", kinds=("response-body",))
def response_property_content_updated(site: SchemaSite) -> None:
    if response_body(site):
        _content_updated(site, "response", (site.status,))


# ---- response bodies and their properties --------------------------------------------------------


def _response_widened(site: SchemaSite, bounds: Bounds, widened: Comparison, both: bool = True) -> None:
    """Response bounds that now allow more values: the body, and each property not write-only."""
    if not response_body(site):
        return
    details = media_details(site)
    read = value_on_both_sides if both else value_diff
    for keyword, segment in bounds:
        vd = read(site.diff, keyword)
        if vd is not None and widened(*vd):
            site.emit(f"response-body-{segment}", *vd, details=details, **keyword_pointers(site.diff, keyword))
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = read(diff, keyword)
            if vd is not None and widened(*vd) and not flag(diff, "writeOnly"):
                site.emit(
                    f"response-property-{segment}",
                    name,
                    *vd,
                    site.status,
                    details=details,
                    **keyword_pointers(diff, keyword),
                )


@schema_check("ResponsePropertyMinDecreasedCheck", kinds=("response-body",))
def response_property_min_decreased(site: SchemaSite) -> None:
    _response_widened(site, (("minimum", "min-decreased"), ("exclusiveMinimum", "exclusive-min-decreased")), decreased)


@schema_check("ResponsePropertyMaxIncreasedCheck", kinds=("response-body",))
def response_property_max_increased(site: SchemaSite) -> None:
    _response_widened(site, (("maximum", "max-increased"), ("exclusiveMaximum", "exclusive-max-increased")), increased)


@schema_check("ResponsePropertyMaxLengthIncreasedCheck", kinds=("response-body",))
def response_property_max_length_increased(site: SchemaSite) -> None:
    _response_widened(site, (("maxLength", "max-length-increased"),), increased)


@schema_check("ResponsePropertyMinLengthDecreasedCheck", kinds=("response-body",))
def response_property_min_length_decreased(site: SchemaSite) -> None:
    # minLength is a uint64 (absent = 0): n -> absent is a decrease to 0
    _response_widened(site, (("minLength", "min-length-decreased"),), decreased, both=False)


@schema_check("ResponsePropertyMinItemsDecreasedCheck", kinds=("response-body",))
def response_property_min_items_decreased(site: SchemaSite) -> None:
    _response_widened(site, (("minItems", "min-items-decreased"),), decreased, both=False)


@schema_check("ResponsePropertyMinItemsUnsetCheck", kinds=())
def response_property_min_items_unset(site: SchemaSite) -> None:
    """Never fires, as in oasdiff: it waits for minItems to become nil, but minItems is a uint64
    there (absent = 0), so removing it is reported as response-*-min-items-decreased."""


@schema_check("ResponsePropertyMaxLengthUnsetCheck", kinds=("response-body",))
def response_property_max_length_unset(site: SchemaSite) -> None:
    if not response_body(site):
        return
    details = media_details(site)
    vd = value_unset(site.diff, "maxLength")
    if vd is not None:
        site.emit(
            "response-body-max-length-unset",
            vd[0],
            details=details,
            **keyword_pointers(site.diff, "maxLength", revision=False),
        )
    for name, _short, diff in changed_properties(site, "maxLength"):
        vd = value_unset(diff, "maxLength")
        if vd is not None and not flag(diff, "writeOnly"):
            site.emit(
                "response-property-max-length-unset",
                name,
                vd[0],
                site.status,
                details=details,
                **keyword_pointers(diff, "maxLength", revision=False),
            )


@schema_check("ResponsePatternAddedOrChangedCheck", kinds=("response-body",))
def response_pattern_updated(site: SchemaSite) -> None:
    if not response_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "pattern"):
        vd = value_diff(diff, "pattern")
        if vd is None:
            continue
        old, new = vd
        if new == "":
            site.emit(
                "response-property-pattern-removed",
                name,
                old,
                site.status,
                details=details,
                **keyword_pointers(diff, "pattern"),
            )
        elif old == "":
            site.emit(
                "response-property-pattern-added",
                name,
                new,
                site.status,
                details=details,
                **keyword_pointers(diff, "pattern"),
            )
        else:
            site.emit(
                "response-property-pattern-changed",
                name,
                old,
                new,
                site.status,
                details=details,
                **keyword_pointers(diff, "pattern"),
            )
