"""Value constraints of request parameters: numeric bounds, lengths, item counts, patterns and
defaults (the request-body and response-body constraints are in constraints.py, which owns the
shared bound tables).

oasdiff: check_request_parameters_{min,max}_updated.go, check_request_parameters_{min,max}_set.go,
check_request_parameters_{max,min}_length_updated.go, check_request_parameters_max_length_set.go,
check_request_parameters_{max,min}_items_updated.go, check_request_parameters_min_items_set.go,
check_request_parameter_pattern_added_or_changed.go, check_request_parameters_default_value_changed.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._values import (
    decreased,
    increased,
    keyword_pointers,
    parameter,
    value_diff,
    value_on_both_sides,
    value_set,
)
from .constraints import MAXIMUMS, MINIMUMS, Bounds
from .registry import schema_check

if TYPE_CHECKING:
    from .sites import SchemaSite


def _param(site: SchemaSite) -> tuple[str | None, str | None]:
    return site.param_in, site.param_name


@schema_check("RequestParameterMinUpdatedCheck", kinds=("parameter",))
def request_parameter_min_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    for keyword, segment in MINIMUMS:
        vd = value_on_both_sides(site.diff, keyword)
        if vd is not None:
            change = "increased" if increased(*vd) else "decreased"
            site.emit(
                f"request-parameter-{segment}-{change}", *_param(site), *vd, **keyword_pointers(site.diff, keyword)
            )


@schema_check("RequestParameterMaxUpdatedCheck", kinds=("parameter",))
def request_parameter_max_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    for keyword, segment in MAXIMUMS:
        vd = value_on_both_sides(site.diff, keyword)
        if vd is not None:
            change = "decreased" if decreased(*vd) else "increased"
            site.emit(
                f"request-parameter-{segment}-{change}", *_param(site), *vd, **keyword_pointers(site.diff, keyword)
            )


def _parameter_set(site: SchemaSite, bounds: Bounds) -> None:
    if not parameter(site):
        return
    for keyword, segment in bounds:
        vd = value_set(site.diff, keyword)
        if vd is not None:
            site.emit(
                f"request-parameter-{segment}-set",
                *_param(site),
                vd[1],
                **keyword_pointers(site.diff, keyword, base=False),
            )


@schema_check("RequestParameterMinSetCheck", kinds=("parameter",))
def request_parameter_min_set(site: SchemaSite) -> None:
    _parameter_set(site, MINIMUMS)


@schema_check("RequestParameterMaxSetCheck", kinds=("parameter",))
def request_parameter_max_set(site: SchemaSite) -> None:
    _parameter_set(site, MAXIMUMS)


@schema_check("RequestParameterMaxLengthUpdatedCheck", kinds=("parameter",))
def request_parameter_max_length_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_on_both_sides(site.diff, "maxLength")
    if vd is not None:
        change = "decreased" if decreased(*vd) else "increased"
        site.emit(
            f"request-parameter-max-length-{change}", *_param(site), *vd, **keyword_pointers(site.diff, "maxLength")
        )


@schema_check("RequestParameterMaxLengthSetCheck", kinds=("parameter",))
def request_parameter_max_length_set(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_set(site.diff, "maxLength")
    if vd is not None:
        site.emit(
            "request-parameter-max-length-set",
            *_param(site),
            vd[1],
            **keyword_pointers(site.diff, "maxLength", base=False),
        )


@schema_check("RequestParameterMinLengthUpdatedCheck", kinds=("parameter",))
def request_parameter_min_length_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minLength")  # absent reads as 0 (uint64)
    if vd is not None:
        change = "decreased" if decreased(*vd) else "increased"
        site.emit(
            f"request-parameter-min-length-{change}", *_param(site), *vd, **keyword_pointers(site.diff, "minLength")
        )


@schema_check("RequestParameterMaxItemsUpdatedCheck", kinds=("parameter",))
def request_parameter_max_items_updated(site: SchemaSite) -> None:
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
    site.emit(f"request-parameter-max-items-{change}", *_param(site), *vd, **keyword_pointers(diff, "maxItems"))


@schema_check("RequestParameterMinItemsUpdatedCheck", kinds=("parameter",))
def request_parameter_min_items_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minItems")
    if vd is None or vd[0] == 0:  # 0 -> n is request-parameter-min-items-set
        return
    change = "increased" if increased(*vd) else "decreased"
    site.emit(f"request-parameter-min-items-{change}", *_param(site), *vd, **keyword_pointers(site.diff, "minItems"))


@schema_check("RequestParameterMinItemsSetCheck", kinds=("parameter",))
def request_parameter_min_items_set(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_diff(site.diff, "minItems")
    if vd is not None and vd[0] == 0:
        site.emit(
            "request-parameter-min-items-set",
            *_param(site),
            vd[1],
            **keyword_pointers(site.diff, "minItems", base=False),
        )


@schema_check("RequestParameterPatternAddedOrChangedCheck", kinds=("parameter",))
def request_parameter_pattern_updated(site: SchemaSite) -> None:
    if not parameter(site):
        return
    vd = value_diff(site.diff, "pattern")  # "" when absent
    if vd is None:
        return
    old, new = vd
    if old == "":
        site.emit(
            "request-parameter-pattern-added", new, *_param(site), **keyword_pointers(site.diff, "pattern", base=False)
        )
    elif new == "":
        site.emit(
            "request-parameter-pattern-removed",
            old,
            *_param(site),
            **keyword_pointers(site.diff, "pattern", revision=False),
        )
    else:
        rule = "request-parameter-pattern-generalized" if new == ".*" else "request-parameter-pattern-changed"
        site.emit(rule, *_param(site), old, new, **keyword_pointers(site.diff, "pattern"))


@schema_check("RequestParameterDefaultValueChangedCheck", kinds=("parameter",))
def request_parameter_default_value_changed(site: SchemaSite) -> None:
    if not parameter(site):
        return
    param = next(
        (
            p
            for p in site.op.parameters.modified
            if p.schema is site.diff and p.base.in_ == site.param_in and p.base.name == site.param_name
        ),
        None,
    )
    if param is None or param.base.param.get("required") or param.revision.param.get("required"):
        return
    vd = value_diff(site.diff, "default")
    if vd is None:
        return
    old, new = vd
    where = keyword_pointers(site.diff, "default")
    if old is None:
        site.emit("request-parameter-default-value-added", *_param(site), new, **where)
    elif new is None:
        site.emit("request-parameter-default-value-removed", *_param(site), old, **where)
    else:
        site.emit("request-parameter-default-value-changed", *_param(site), old, new, **where)
