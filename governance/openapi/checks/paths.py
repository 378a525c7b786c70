"""Paths and operations: added, removed (with deprecation / sunset), operationId, tags.

oasdiff: check_api_added.go, check_api_removed.go, check_api_operation_id_updated.go,
check_api_tag_updated.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from ..lifecycle import LifecycleError, has_sunset, safe_stability, sunset_date, today
from .registry import operation_check, spec_check

if TYPE_CHECKING:
    from ..diff import OperationDiff, OperationRef, SpecDiff
    from ..model import Emit


@spec_check("APIAddedCheck")
def endpoint_added(spec_diff: SpecDiff) -> None:
    for item in spec_diff.paths_added:
        for op in item.operations:
            spec_diff.emit("endpoint-added", operation=op.method, path=op.path, revision_pointer=op.location)
    for pair in spec_diff.paths_modified:
        for op in pair.added:
            spec_diff.emit("endpoint-added", operation=op.method, path=pair.path, revision_pointer=op.location)


@spec_check("APIRemovedCheck")
def api_removed(spec_diff: SpecDiff) -> None:
    for item in spec_diff.paths_removed:
        for op in item.operations:
            if safe_stability(op.operation) in (None, "alpha", "draft"):
                continue  # oasdiff skips alpha/draft (and invalid) operations of a removed path
            _report_removal(spec_diff.emit, op, op.path, whole_path=True)
    for pair in spec_diff.paths_modified:
        for op in pair.removed:
            _report_removal(spec_diff.emit, op, pair.path, whole_path=False)


class _Where(TypedDict):
    operation: str
    path: str
    base_pointer: str


def _report_removal(emit: Emit, op: OperationRef, path: str, *, whole_path: bool) -> None:
    prefix = "api-path-removed" if whole_path else "api-removed"
    where: _Where = {"operation": op.method, "path": path, "base_pointer": op.location}
    if not op.operation.get("deprecated"):
        emit(f"{prefix}-without-deprecation", **where)
        return
    if not has_sunset(op.operation):
        emit(f"{prefix}-with-deprecation", **where)
        return
    try:
        date = sunset_date(op.operation["x-sunset"])
    except LifecycleError as exc:
        emit("api-path-sunset-parse", str(exc), **where)  # oasdiff uses the path id for both cases
        return
    if today() < date:
        emit(f"{prefix}-before-sunset", date.isoformat(), **where)
    # sunset reached: removal is allowed, nothing reported


@operation_check("APIOperationIdUpdatedCheck")
def operation_id_updated(op: OperationDiff) -> None:
    before, after = op.base.get("operationId"), op.revision.get("operationId")
    if before == after:
        return
    base_ptr, rev_ptr = op.field_pointers("operationId")
    if not before:
        op.emit("api-operation-id-added", after, base_pointer=None, revision_pointer=rev_ptr)
    else:
        op.emit(
            "api-operation-id-removed",
            before,
            after,
            base_pointer=base_ptr,
            revision_pointer=rev_ptr or op.revision_pointer,
        )


@operation_check("APITagUpdatedCheck")
def tags_updated(op: OperationDiff) -> None:
    before = op.base.get("tags") or []
    after = op.revision.get("tags") or []
    if before == after:
        return
    base_ptr, rev_ptr = op.field_pointers("tags")
    for tag in before:
        if tag not in after:
            op.emit("api-tag-removed", tag, base_pointer=base_ptr, revision_pointer=rev_ptr)
    for tag in after:
        if tag not in before:
            op.emit("api-tag-added", tag, base_pointer=base_ptr, revision_pointer=rev_ptr)
