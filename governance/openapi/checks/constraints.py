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

from typing import Any

from ._values import (
    changed_properties,
    decreased,
    flag,
    increased,
    media_details,
    parameter,
    pointers,
    request_body,
    response_body,
    value_diff,
)
from .registry import schema_check

# (keyword, id segment) of the numeric bounds: each check handles the inclusive and exclusive one
MINIMUMS = (("minimum", "min"), ("exclusiveMinimum", "exclusive-min"))
MAXIMUMS = (("maximum", "max"), ("exclusiveMaximum", "exclusive-max"))


def _both(diff, keyword) -> tuple[Any, Any] | None:
    """The (from, to) of a keyword present, with different values, on both sides."""
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is not None and vd[1] is not None else None


def _set(diff, keyword) -> tuple[Any, Any] | None:
    """(None, to) when the keyword went from absent to present."""
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is None and vd[1] is not None else None


def _unset(diff, keyword) -> tuple[Any, Any] | None:
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is not None and vd[1] is None else None


def _where(diff, keyword, base=True, revision=True) -> dict:
    """Pointers of the keyword; ``base=False`` / ``revision=False``: that side counts as absent."""
    where = pointers(diff, keyword)  # cached: never mutate it
    if base and revision:
        return where
    return {"base_pointer": where["base_pointer"] if base else None,
            "revision_pointer": where["revision_pointer"] if revision else None}


# ---- request parameters ----------------------------------------------------------------------

def _param(site):
    return site.param_in, site.param_name


@schema_check("RequestParameterMinUpdatedCheck", kinds=("parameter",))
def request_parameter_min_updated(site):
    if not parameter(site):
        return
    for keyword, segment in MINIMUMS:
        vd = _both(site.diff, keyword)
        if vd is not None:
            change = "increased" if increased(*vd) else "decreased"
            site.emit(f"request-parameter-{segment}-{change}", *_param(site), *vd, **_where(site.diff, keyword))


@schema_check("RequestParameterMaxUpdatedCheck", kinds=("parameter",))
def request_parameter_max_updated(site):
    if not parameter(site):
        return
    for keyword, segment in MAXIMUMS:
        vd = _both(site.diff, keyword)
        if vd is not None:
            change = "decreased" if decreased(*vd) else "increased"
            site.emit(f"request-parameter-{segment}-{change}", *_param(site), *vd, **_where(site.diff, keyword))


def _parameter_set(site, bounds):
    if not parameter(site):
        return
    for keyword, segment in bounds:
        vd = _set(site.diff, keyword)
        if vd is not None:
            site.emit(f"request-parameter-{segment}-set", *_param(site), vd[1],
                      **_where(site.diff, keyword, base=False))


@schema_check("RequestParameterMinSetCheck", kinds=("parameter",))
def request_parameter_min_set(site):
    _parameter_set(site, MINIMUMS)


@schema_check("RequestParameterMaxSetCheck", kinds=("parameter",))
def request_parameter_max_set(site):
    _parameter_set(site, MAXIMUMS)


@schema_check("RequestParameterMaxLengthUpdatedCheck", kinds=("parameter",))
def request_parameter_max_length_updated(site):
    if not parameter(site):
        return
    vd = _both(site.diff, "maxLength")
    if vd is not None:
        change = "decreased" if decreased(*vd) else "increased"
        site.emit(f"request-parameter-max-length-{change}", *_param(site), *vd, **_where(site.diff, "maxLength"))


@schema_check("RequestParameterMaxLengthSetCheck", kinds=("parameter",))
def request_parameter_max_length_set(site):
    if not parameter(site):
        return
    vd = _set(site.diff, "maxLength")
    if vd is not None:
        site.emit("request-parameter-max-length-set", *_param(site), vd[1],
                  **_where(site.diff, "maxLength", base=False))


@schema_check("RequestParameterMinLengthUpdatedCheck", kinds=("parameter",))
def request_parameter_min_length_updated(site):
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minLength")  # absent reads as 0 (uint64)
    if vd is not None:
        change = "decreased" if decreased(*vd) else "increased"
        site.emit(f"request-parameter-min-length-{change}", *_param(site), *vd, **_where(site.diff, "minLength"))


@schema_check("RequestParameterMaxItemsUpdatedCheck", kinds=("parameter",))
def request_parameter_max_items_updated(site):
    if not parameter(site):
        return
    diff = site.diff
    vd = value_diff(diff, "maxItems")
    if vd is None and diff.items is not None:
        diff = diff.items  # oasdiff's fallback: maxItems of the items schema (legacy behaviour)
        vd = value_diff(diff, "maxItems")
    if vd is None or vd[0] is None or vd[1] is None:
        return
    change = "increased" if increased(*vd) else "decreased"
    site.emit(f"request-parameter-max-items-{change}", *_param(site), *vd, **_where(diff, "maxItems"))


@schema_check("RequestParameterMinItemsUpdatedCheck", kinds=("parameter",))
def request_parameter_min_items_updated(site):
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minItems")
    if vd is None or vd[0] == 0:  # 0 -> n is request-parameter-min-items-set
        return
    change = "increased" if increased(*vd) else "decreased"
    site.emit(f"request-parameter-min-items-{change}", *_param(site), *vd, **_where(site.diff, "minItems"))


@schema_check("RequestParameterMinItemsSetCheck", kinds=("parameter",))
def request_parameter_min_items_set(site):
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minItems")
    if vd is not None and vd[0] == 0:
        site.emit("request-parameter-min-items-set", *_param(site), vd[1],
                  **_where(site.diff, "minItems", base=False))


@schema_check("RequestParameterPatternAddedOrChangedCheck", kinds=("parameter",))
def request_parameter_pattern_updated(site):
    if not parameter(site):
        return
    vd = value_diff(site.diff, "pattern")  # "" when absent
    if vd is None:
        return
    old, new = vd
    if old == "":
        site.emit("request-parameter-pattern-added", new, *_param(site), **_where(site.diff, "pattern", base=False))
    elif new == "":
        site.emit("request-parameter-pattern-removed", old, *_param(site),
                  **_where(site.diff, "pattern", revision=False))
    else:
        rule = "request-parameter-pattern-generalized" if new == ".*" else "request-parameter-pattern-changed"
        site.emit(rule, *_param(site), old, new, **_where(site.diff, "pattern"))


@schema_check("RequestParameterDefaultValueChangedCheck", kinds=("parameter",))
def request_parameter_default_value_changed(site):
    if not parameter(site):
        return
    param = next((p for p in site.op.parameters.modified if p.schema is site.diff
                  and p.base.in_ == site.param_in and p.base.name == site.param_name), None)
    if param is None or param.base.param.get("required") or param.revision.param.get("required"):
        return
    vd = value_diff(site.diff, "default")
    if vd is None:
        return
    old, new = vd
    where = _where(site.diff, "default")
    if old is None:
        site.emit("request-parameter-default-value-added", *_param(site), new, **where)
    elif new is None:
        site.emit("request-parameter-default-value-removed", *_param(site), old, **where)
    else:
        site.emit("request-parameter-default-value-changed", *_param(site), old, new, **where)


# ---- request bodies and their properties --------------------------------------------------------

def _request_bound_updated(site, bounds, tightened, tight: str, loose: str):
    """A bound on the request body or a property moved. Tightening (a minimum up, a maximum down)
    refuses values clients used to send: its finding names the new value; loosening names both.
    A read-only property's tightening has its own id (clients don't send it)."""
    if not request_body(site):
        return
    details = media_details(site)
    for keyword, segment in bounds:
        vd = _both(site.diff, keyword)
        if vd is not None:
            if tightened(*vd):
                site.emit(f"request-body-{segment}-{tight}", vd[1], details=details, **_where(site.diff, keyword))
            else:
                site.emit(f"request-body-{segment}-{loose}", *vd, details=details, **_where(site.diff, keyword))
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = _both(diff, keyword)
            if vd is None:
                continue
            if tightened(*vd):
                kind = "read-only-property" if flag(diff, "readOnly") else "property"
                site.emit(f"request-{kind}-{segment}-{tight}", name, vd[1], details=details,
                          **_where(diff, keyword))
            else:
                site.emit(f"request-property-{segment}-{loose}", name, *vd, details=details,
                          **_where(diff, keyword))


@schema_check("RequestPropertyMinIncreasedCheck", kinds=("request-body",))
def request_property_min_updated(site):
    _request_bound_updated(site, MINIMUMS, increased, "increased", "decreased")


@schema_check("RequestPropertyMaxDecreasedCheck", kinds=("request-body",))
def request_property_max_updated(site):
    _request_bound_updated(site, MAXIMUMS, decreased, "decreased", "increased")


def _request_set(site, bounds):
    """Bounds set on the body or on a (not read-only) property: request-{body,property}-X-set."""
    if not request_body(site):
        return
    details = media_details(site)
    for keyword, segment in bounds:
        vd = _set(site.diff, keyword)
        if vd is not None:
            site.emit(f"request-body-{segment}-set", vd[1], details=details,
                      **_where(site.diff, keyword, base=False))
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = _set(diff, keyword)
            if vd is not None and not flag(diff, "readOnly"):
                site.emit(f"request-property-{segment}-set", name, vd[1], details=details,
                          **_where(diff, keyword, base=False))


@schema_check("RequestPropertyMinSetCheck", kinds=("request-body",))
def request_property_min_set(site):
    _request_set(site, MINIMUMS)


@schema_check("RequestPropertyMaxSetCheck", kinds=("request-body",))
def request_property_max_set(site):
    _request_set(site, MAXIMUMS)


@schema_check("RequestPropertyMaxLengthSetCheck", kinds=("request-body",))
def request_property_max_length_set(site):
    _request_set(site, (("maxLength", "max-length"),))


@schema_check("RequestPropertyMaxLengthUpdatedCheck", kinds=("request-body",))
def request_property_max_length_updated(site):
    if not request_body(site):
        return
    details = media_details(site)
    vd = _both(site.diff, "maxLength")
    if vd is not None:
        if decreased(*vd):
            site.emit("request-body-max-length-decreased", vd[1], details=details, **_where(site.diff, "maxLength"))
        else:
            site.emit("request-body-max-length-increased", *vd, details=details, **_where(site.diff, "maxLength"))
    for name, _short, diff in changed_properties(site, "maxLength"):
        vd = _both(diff, "maxLength")
        if vd is None:
            continue
        if decreased(*vd):
            kind = "read-only-property" if flag(diff, "readOnly") else "property"
            site.emit(f"request-{kind}-max-length-decreased", name, vd[1], details=details,
                      **_where(diff, "maxLength"))
        else:
            site.emit("request-property-max-length-increased", name, *vd, details=details,
                      **_where(diff, "maxLength"))


@schema_check("RequestPropertyMinLengthUpdatedCheck", kinds=("request-body",))
def request_property_min_length_updated(site):
    if not request_body(site):
        return
    details = media_details(site)
    vd = value_diff(site.diff, "minLength")
    if vd is not None:
        change = "increased" if increased(*vd) else "decreased"
        site.emit(f"request-body-min-length-{change}", *vd, details=details, **_where(site.diff, "minLength"))
    for name, _short, diff in changed_properties(site, "minLength"):
        vd = value_diff(diff, "minLength")
        if vd is not None:
            change = "decreased" if decreased(*vd) else "increased"
            site.emit(f"request-property-min-length-{change}", name, *vd, details=details,
                      **_where(diff, "minLength"))


@schema_check("RequestPropertyMinItemsIncreasedCheck", kinds=("request-body",))
def request_property_min_items_increased(site):
    if not request_body(site):
        return
    details = media_details(site)
    vd = value_diff(site.diff, "minItems")  # absent reads as 0, so 0 -> n is an increase here
    if vd is not None and increased(*vd):
        site.emit("request-body-min-items-increased", vd[1], details=details, **_where(site.diff, "minItems"))
    for name, _short, diff in changed_properties(site, "minItems"):
        vd = value_diff(diff, "minItems")
        if vd is not None and increased(*vd) and not flag(diff, "readOnly"):
            site.emit("request-property-min-items-increased", name, vd[1], details=details,
                      **_where(diff, "minItems"))


@schema_check("RequestPropertyMinItemsSetCheck", kinds=())
def request_property_min_items_set(site):
    """Never fires, as in oasdiff: it waits for minItems to go from nil, but minItems is a
    uint64 there (absent = 0), so adding it is reported as request-*-min-items-increased."""


@schema_check("RequestPropertyPatternUpdatedCheck", kinds=("request-body",))
def request_property_pattern_updated(site):
    if not request_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "pattern"):
        vd = value_diff(diff, "pattern")
        if vd is None:
            continue
        old, new = vd
        if new == "":
            site.emit("request-property-pattern-removed", old, name, details=details, **_where(diff, "pattern"))
        elif old == "":
            site.emit("request-property-pattern-added", new, name, details=details, **_where(diff, "pattern"))
        else:
            rule = "request-property-pattern-generalized" if new == ".*" else "request-property-pattern-changed"
            site.emit(rule, name, old, new, details=details, **_where(diff, "pattern"))


def _added_removed_changed(site, keyword, body_prefix, property_prefix, trailing=()):
    """default/const: {prefix}-{keyword}-value-added/removed/changed on the body (media type
    first) and on each property (oasdiff passes the property's own name, not its path)."""
    details = media_details(site)
    nodes = [(body_prefix, site.media_type, site.diff)]
    nodes += [(property_prefix, short, diff) for _name, short, diff in changed_properties(site, keyword)]
    for prefix, label, diff in nodes:
        vd = value_diff(diff, keyword)
        if vd is None:
            continue
        old, new = vd
        if old is None:
            site.emit(f"{prefix}-added", label, new, *trailing, details=details, **_where(diff, keyword, base=False))
        elif new is None:
            site.emit(f"{prefix}-removed", label, old, *trailing, details=details,
                      **_where(diff, keyword, revision=False))
        else:
            site.emit(f"{prefix}-changed", label, old, new, *trailing, details=details, **_where(diff, keyword))


@schema_check("RequestPropertyDefaultValueChangedCheck", kinds=("request-body",))
def request_property_default_value_changed(site):
    if request_body(site):
        _added_removed_changed(site, "default", "request-body-default-value", "request-property-default-value")


@schema_check("ResponsePropertyDefaultValueChangedCheck", kinds=("response-body",))
def response_property_default_value_changed(site):
    if response_body(site):
        _added_removed_changed(site, "default", "response-body-default-value", "response-property-default-value",
                               (site.status,))


@schema_check("RequestPropertyConstChangedCheck", kinds=("request-body",))
def request_property_const_changed(site):
    if request_body(site):
        _added_removed_changed(site, "const", "request-body-const", "request-property-const")


@schema_check("ResponsePropertyConstChangedCheck", kinds=("response-body",))
def response_property_const_changed(site):
    if response_body(site):
        _added_removed_changed(site, "const", "response-body-const", "response-property-const", (site.status,))


def _content_properties(site):
    seen, result = set(), []
    for keyword in ("contentSchema", "contentMediaType", "contentEncoding"):
        for entry in changed_properties(site, keyword):
            if id(entry[2]) not in seen:
                seen.add(id(entry[2]))
                result.append(entry)
    return result


def _content_updated(site, direction, trailing):
    """3.1 contentSchema added/removed, contentMediaType / contentEncoding changed."""
    details = media_details(site)
    nodes = [(f"{direction}-body", (), site.diff)]
    nodes += [(f"{direction}-property", (name,), diff) for name, _short, diff in _content_properties(site)]
    for prefix, label, diff in nodes:
        if "contentSchema" in diff.changed:
            in_base = isinstance(diff.base, dict) and "contentSchema" in diff.base
            in_revision = isinstance(diff.revision, dict) and "contentSchema" in diff.revision
            if in_revision and not in_base:
                site.emit(f"{prefix}-content-schema-added", *label, *trailing, details=details,
                          **_where(diff, "contentSchema", base=False))
            elif in_base and not in_revision:
                site.emit(f"{prefix}-content-schema-removed", *label, *trailing, details=details,
                          **_where(diff, "contentSchema", revision=False))
        for keyword, segment in (("contentMediaType", "content-media-type"), ("contentEncoding", "content-encoding")):
            vd = value_diff(diff, keyword)
            if vd is not None:
                site.emit(f"{prefix}-{segment}-changed", *label, *vd, *trailing, details=details,
                          **_where(diff, keyword))


@schema_check("RequestPropertyContentUpdatedCheck", kinds=("request-body",))
def request_property_content_updated(site):
    if request_body(site):
        _content_updated(site, "request", ())


@schema_check("ResponsePropertyContentUpdatedCheck", kinds=("response-body",))
def response_property_content_updated(site):
    if response_body(site):
        _content_updated(site, "response", (site.status,))


# ---- response bodies and their properties --------------------------------------------------------

def _response_widened(site, bounds, widened, both=True):
    """Response bounds that now allow more values: the body, and each property not write-only."""
    if not response_body(site):
        return
    details = media_details(site)
    read = _both if both else value_diff
    for keyword, segment in bounds:
        vd = read(site.diff, keyword)
        if vd is not None and widened(*vd):
            site.emit(f"response-body-{segment}", *vd, details=details, **_where(site.diff, keyword))
    for keyword, segment in bounds:
        for name, _short, diff in changed_properties(site, keyword):
            vd = read(diff, keyword)
            if vd is not None and widened(*vd) and not flag(diff, "writeOnly"):
                site.emit(f"response-property-{segment}", name, *vd, site.status, details=details,
                          **_where(diff, keyword))


@schema_check("ResponsePropertyMinDecreasedCheck", kinds=("response-body",))
def response_property_min_decreased(site):
    _response_widened(site, (("minimum", "min-decreased"), ("exclusiveMinimum", "exclusive-min-decreased")),
                      decreased)


@schema_check("ResponsePropertyMaxIncreasedCheck", kinds=("response-body",))
def response_property_max_increased(site):
    _response_widened(site, (("maximum", "max-increased"), ("exclusiveMaximum", "exclusive-max-increased")),
                      increased)


@schema_check("ResponsePropertyMaxLengthIncreasedCheck", kinds=("response-body",))
def response_property_max_length_increased(site):
    _response_widened(site, (("maxLength", "max-length-increased"),), increased)


@schema_check("ResponsePropertyMinLengthDecreasedCheck", kinds=("response-body",))
def response_property_min_length_decreased(site):
    # minLength is a uint64 (absent = 0): n -> absent is a decrease to 0
    _response_widened(site, (("minLength", "min-length-decreased"),), decreased, both=False)


@schema_check("ResponsePropertyMinItemsDecreasedCheck", kinds=("response-body",))
def response_property_min_items_decreased(site):
    _response_widened(site, (("minItems", "min-items-decreased"),), decreased, both=False)


@schema_check("ResponsePropertyMinItemsUnsetCheck", kinds=())
def response_property_min_items_unset(site):
    """Never fires, as in oasdiff: it waits for minItems to become nil, but minItems is a uint64
    there (absent = 0), so removing it is reported as response-*-min-items-decreased."""


@schema_check("ResponsePropertyMaxLengthUnsetCheck", kinds=("response-body",))
def response_property_max_length_unset(site):
    if not response_body(site):
        return
    details = media_details(site)
    vd = _unset(site.diff, "maxLength")
    if vd is not None:
        site.emit("response-body-max-length-unset", vd[0], details=details,
                  **_where(site.diff, "maxLength", revision=False))
    for name, _short, diff in changed_properties(site, "maxLength"):
        vd = _unset(diff, "maxLength")
        if vd is not None and not flag(diff, "writeOnly"):
            site.emit("response-property-max-length-unset", name, vd[0], site.status, details=details,
                      **_where(diff, "maxLength", revision=False))


@schema_check("ResponsePatternAddedOrChangedCheck", kinds=("response-body",))
def response_pattern_updated(site):
    if not response_body(site):
        return
    details = media_details(site)
    for name, _short, diff in changed_properties(site, "pattern"):
        vd = value_diff(diff, "pattern")
        if vd is None:
            continue
        old, new = vd
        if new == "":
            site.emit("response-property-pattern-removed", name, old, site.status, details=details,
                      **_where(diff, "pattern"))
        elif old == "":
            site.emit("response-property-pattern-added", name, new, site.status, details=details,
                      **_where(diff, "pattern"))
        else:
            site.emit("response-property-pattern-changed", name, old, new, site.status, details=details,
                      **_where(diff, "pattern"))
