"""Request parameters: removed (with deprecation / sunset), added, required changed.

oasdiff: check_request_parameter_removed.go, check_new_request_path_parameter.go,
check_new_request_non_path_parameter.go, check_request_parameter_required_value_updated.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lifecycle import LifecycleError, has_sunset, sunset_date, today
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import OperationDiff
    from ..model import Pointers


@operation_check("RequestParameterRemovedCheck")
def request_parameter_removed(op: OperationDiff) -> None:
    for param in op.parameters.removed:
        where: Pointers = dict(base_pointer=param.location, revision_pointer=None)
        spec = param.param
        if not spec.get("deprecated"):
            op.emit("request-parameter-removed", param.in_, param.name, **where)
            continue
        if not has_sunset(spec):
            op.emit("request-parameter-removed-with-deprecation", param.in_, param.name, **where)
            continue
        try:
            date = sunset_date(spec["x-sunset"])
        except LifecycleError as exc:
            op.emit("request-parameter-sunset-parse", param.in_, param.name, str(exc), **where)
            continue
        if today() < date:
            op.emit("request-parameter-removed-before-sunset", param.in_, param.name, date.isoformat(), **where)


@operation_check("NewRequestPathParameterCheck")
def new_request_path_parameter(op: OperationDiff) -> None:
    for param in op.parameters.added:
        if param.in_ == "path":
            op.emit("new-request-path-parameter", param.name, base_pointer=None, revision_pointer=param.location)


@operation_check("NewRequestNonPathParameterCheck")
def new_request_non_path_parameter(op: OperationDiff) -> None:
    for param in op.parameters.added:
        if param.in_ == "path":
            continue
        rule = "new-required-request-parameter" if param.param.get("required") else "new-optional-request-parameter"
        op.emit(rule, param.in_, param.name, base_pointer=None, revision_pointer=param.location)


@operation_check("RequestParameterRequiredValueUpdatedCheck")
def request_parameter_required_updated(op: OperationDiff) -> None:
    for param in op.parameters.modified:
        if param.base.in_ == "path":
            continue  # path parameters are always required
        before = bool(param.base.param.get("required"))
        after = bool(param.revision.param.get("required"))
        if before == after:
            continue
        rule = "request-parameter-became-required" if after else "request-parameter-became-optional"
        op.emit(
            rule,
            param.base.in_,
            param.base.name,
            base_pointer=param.base.location + "/required" if "required" in param.base.param else param.base.location,
            revision_pointer=param.revision.location + "/required"
            if "required" in param.revision.param
            else param.revision.location,
        )
