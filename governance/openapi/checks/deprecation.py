"""Deprecation and sunset of operations and request parameters.

oasdiff: check_api_deprecation.go, check_api_sunset_changed.go,
check_request_parameter_deprecation.go, check_request_parameter_sunset_changed.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lifecycle import LifecycleError, deprecation_details, has_sunset, stability_of, sunset_date, today
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import OperationDiff
    from ..model import Pointers


@operation_check("APIDeprecationCheck")
def api_deprecation(op: OperationDiff) -> None:
    if bool(op.base.get("deprecated")) == bool(op.revision.get("deprecated")):
        return  # absent and false are the same (oasdiff compares Go bools)
    base_ptr, rev_ptr = op.field_pointers("deprecated")
    where: Pointers = dict(base_pointer=base_ptr, revision_pointer=rev_ptr)
    if not op.revision.get("deprecated"):
        op.emit("endpoint-reactivated", details=deprecation_details(op.revision), **where)
        return
    try:
        stability = stability_of(op.revision)
    except LifecycleError:
        return  # reported by the stability policy
    days = op.spec_diff.options.deprecation_days(stability)
    if not has_sunset(op.revision):
        if days > 0:
            op.emit("api-deprecated-sunset-missing", **where)
        else:
            op.emit("endpoint-deprecated", details=deprecation_details(op.revision), **where)
        return
    try:
        date = sunset_date(op.revision["x-sunset"])
    except LifecycleError as exc:
        op.emit("api-deprecated-sunset-parse", str(exc), **where)
        return
    if (date - today()).days < days:
        op.emit("api-sunset-date-too-small", date.isoformat(), days, **where)
        return
    # newer oasdiff names the sunset case separately, the stability still goes to the details
    op.emit("endpoint-deprecated-with-sunset", date.isoformat(), details=deprecation_details(op.revision), **where)


@operation_check("APISunsetChangedCheck")
def api_sunset_changed(op: OperationDiff) -> None:
    if not op.revision.get("deprecated"):
        return
    before, after = op.base.get("x-sunset"), op.revision.get("x-sunset")
    base_ptr, rev_ptr = op.field_pointers("x-sunset")
    where: Pointers = dict(base_pointer=base_ptr, revision_pointer=rev_ptr)
    if "x-sunset" in op.base and "x-sunset" not in op.revision:
        op.emit("sunset-deleted", **where)
        return
    if "x-sunset" not in op.base or "x-sunset" not in op.revision or before == after:
        return
    try:
        date = sunset_date(after)
        base_date = sunset_date(before)
    except LifecycleError as exc:
        op.emit("api-path-sunset-parse", str(exc), **where)
        return
    try:
        days = op.spec_diff.options.deprecation_days(stability_of(op.revision))
    except LifecycleError:
        return
    if base_date > date and (date - today()).days < days:
        op.emit(
            "api-sunset-date-changed-too-small",
            base_date.isoformat(),
            date.isoformat(),
            base_date.isoformat(),
            days,
            **where,
        )


@operation_check("RequestParameterDeprecationCheck")
def request_parameter_deprecation(op: OperationDiff) -> None:
    for param in op.parameters.modified:
        if bool(param.base.param.get("deprecated")) == bool(param.revision.param.get("deprecated")):
            continue
        base_ptr = param.base.location + "/deprecated" if "deprecated" in param.base.param else None
        rev_ptr = param.revision.location + "/deprecated" if "deprecated" in param.revision.param else None
        where: Pointers = dict(base_pointer=base_ptr, revision_pointer=rev_ptr)
        revision = param.revision.param
        in_, name = param.base.in_, param.base.name
        if not revision.get("deprecated"):
            op.emit("request-parameter-reactivated", in_, name, details=deprecation_details(op.revision), **where)
            continue
        try:
            stability = stability_of(op.revision)
        except LifecycleError:
            continue
        days = op.spec_diff.options.deprecation_days(stability)
        if not has_sunset(revision):
            if days > 0:
                op.emit("request-parameter-deprecated-sunset-missing", revision.get("in"), revision["name"], **where)
            else:
                op.emit("request-parameter-deprecated", in_, name, details=deprecation_details(op.revision), **where)
            continue
        try:
            date = sunset_date(revision["x-sunset"])
        except LifecycleError as exc:
            op.emit("request-parameter-sunset-parse", revision.get("in"), revision["name"], str(exc), **where)
            continue
        if (date - today()).days < days:
            op.emit(
                "request-parameter-sunset-date-too-small",
                revision.get("in"),
                revision["name"],
                date.isoformat(),
                days,
                **where,
            )
            continue
        op.emit("request-parameter-deprecated", in_, name, details=deprecation_details(op.revision, date), **where)


@operation_check("RequestParameterSunsetChangedCheck")
def request_parameter_sunset_changed(op: OperationDiff) -> None:
    for param in op.parameters.modified:
        base, revision = param.base.param, param.revision.param
        if not revision.get("deprecated") or "x-sunset" not in param.changed:
            continue
        in_, name = param.base.in_, param.base.name
        if "x-sunset" in base and "x-sunset" not in revision:
            op.emit("request-parameter-sunset-deleted", in_, name)
            continue
        if "x-sunset" not in base or "x-sunset" not in revision:
            continue
        try:
            date = sunset_date(revision["x-sunset"])
        except LifecycleError as exc:
            op.emit("request-parameter-sunset-parse", revision.get("in"), revision["name"], str(exc))
            continue
        try:
            base_date = sunset_date(base["x-sunset"])
        except LifecycleError as exc:
            op.emit("request-parameter-sunset-parse", base.get("in"), base["name"], str(exc))
            continue
        try:
            days = op.spec_diff.options.deprecation_days(stability_of(op.revision))
        except LifecycleError:
            continue
        if base_date > date and (date - today()).days < days:
            op.emit(
                "request-parameter-sunset-date-changed-too-small",
                revision.get("in"),
                revision["name"],
                base_date.isoformat(),
                date.isoformat(),
                base_date.isoformat(),
                days,
            )
