"""oasdiff's stability-level policy, applied before the checks run.

1. ``api-invalid-stability-level`` for unparseable x-stability-level values;
2. ``api-stability-decreased`` / ``-increased`` for changed levels (gated on the base level);
3. operations below the configured threshold leave the diff (default: beta, so draft and
   alpha operations are not checked). Emitted whatever checks are selected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .lifecycle import LifecycleError, stability_of

if TYPE_CHECKING:
    from .diff import OperationDiff, SpecDiff
    from .jsontypes import JSONObject
    from .model import Emit
    from .options import Options

_ORDER = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


def apply_stability_policy(spec_diff: SpecDiff, options: Options) -> None:
    emit = spec_diff.emit
    for pair in spec_diff.paths_modified:
        for op in pair.modified:
            _report_invalid(emit, op.base, op.method, op.path, op.base_pointer, is_base=True)
            _report_invalid(emit, op.revision, op.method, op.path, op.revision_pointer, is_base=False)
            _report_change(emit, op, options)
        for removed in pair.removed:
            _report_invalid(emit, removed.operation, removed.method, removed.path, removed.location, is_base=True)
    for item in spec_diff.paths_removed:
        for removed in item.operations:
            _report_invalid(emit, removed.operation, removed.method, removed.path, removed.location, is_base=True)
    _filter_below_threshold(spec_diff, options)


def _report_invalid(emit: Emit, operation: JSONObject, method: str, path: str, pointer: str, *, is_base: bool) -> None:
    try:
        stability_of(operation)
    except LifecycleError as exc:
        location = pointer + "/x-stability-level"
        emit(
            "api-invalid-stability-level",
            str(exc),
            operation=method,
            path=path,
            base_pointer=location if is_base else None,
            revision_pointer=None if is_base else location,
        )


def _report_change(emit: Emit, op: OperationDiff, options: Options) -> None:
    try:
        base_label = stability_of(op.base) or "stable"
        rev_label = stability_of(op.revision) or "stable"
    except LifecycleError:
        return  # reported as invalid
    if base_label == rev_label or not options.stability_included(base_label):
        return
    rule = "api-stability-decreased" if _ORDER[rev_label] < _ORDER[base_label] else "api-stability-increased"
    base_ptr, rev_ptr = op.field_pointers("x-stability-level")
    emit(
        rule,
        base_label,
        rev_label,
        operation=op.method,
        path=op.path,
        base_pointer=base_ptr or op.base_pointer,
        revision_pointer=rev_ptr or op.revision_pointer,
    )


def _included(operation: JSONObject, options: Options, side_invalid_keeps: bool) -> bool:
    try:
        return options.stability_included(stability_of(operation))
    except LifecycleError:
        return side_invalid_keeps


def _filter_below_threshold(spec_diff: SpecDiff, options: Options) -> None:
    # A removed path stays if one of its operations is in scope (invalid levels do not count).
    spec_diff.paths_removed = [
        item
        for item in spec_diff.paths_removed
        if any(_included(op.operation, options, False) for op in item.operations)
    ]
    for pair in spec_diff.paths_modified:
        pair.removed = [op for op in pair.removed if _included(op.operation, options, False)]
        # A changed operation leaves when its revision level is below the threshold; invalid stays.
        pair.modified = [op for op in pair.modified if _included(op.revision, options, True)]
