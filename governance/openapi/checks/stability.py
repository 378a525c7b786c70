"""x-stability-level changes on request and response body properties (always on).

oasdiff: check_property_stability_level.go. Like the endpoint-level policy (policy.py), these
ids have no owning check in rules.json and are emitted whatever checks are selected; the
change is gated on the base level (the level the property is leaving).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from ..lifecycle import STABILITY_EXTENSION, LifecycleError, stability_of
from .registry import schema_check
from .sites import full_name, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from .sites import SchemaSite

_ORDER = {"draft": 0, "alpha": 1, "beta": 2, "stable": 3}


@schema_check(
    "RequestPropertyStabilityUpdatedCheck",
    "ResponsePropertyStabilityUpdatedCheck",
    kinds=("request-body", "response-body"),
)
def property_stability_updated(site: SchemaSite) -> None:
    if site.kind not in ("request-body", "response-body"):
        return
    direction = "request" if site.kind == "request-body" else "response"
    options = site.op.spec_diff.options
    for name, base_label, rev_label, error, base_ptr, rev_ptr in _changes(site.diff):
        if error is not None:
            site.emit("api-invalid-stability-level", error, base_pointer=base_ptr, revision_pointer=rev_ptr)
            continue
        if not options.stability_included(base_label):
            continue
        change = "decreased" if _ORDER[rev_label] < _ORDER[base_label] else "increased"
        site.emit(
            f"{direction}-property-stability-{change}",
            name,
            base_label,
            rev_label,
            base_pointer=base_ptr,
            revision_pointer=rev_ptr,
        )


property_stability_updated.always_on = True


# (property name, base label, revision label, invalid-level error, base ptr, rev ptr): the error is set
# (and the labels are "") when a side's level is invalid
_Change: TypeAlias = tuple[str, str, str, "str | None", "str | None", "str | None"]


def _changes(root: SchemaDiff) -> list[_Change]:
    """(name, base label, revision label, invalid-level error, base ptr, rev ptr) per changed level.

    Depends on the schema diff only: cached on it (shared by every operation using the schema).
    """
    cached: list[_Change] | None = root.walks.get("stability-changes")
    if cached is not None:
        return cached
    cached = root.walks["stability-changes"] = []
    for path, name, d, _parent in walk_modified(root):
        if not name or not any(isinstance(k, str) and k.startswith("x-") for k in d.changed):
            continue  # oasdiff: no ExtensionsDiff, nothing to report
        base_ptr, rev_ptr = d.pointer_of(STABILITY_EXTENSION)
        try:
            base_label = stability_of(d.base) or "stable"
        except LifecycleError as exc:
            cached.append((name, "", "", str(exc), base_ptr, None))
            continue
        try:
            rev_label = stability_of(d.revision) or "stable"
        except LifecycleError as exc:
            cached.append((name, "", "", str(exc), None, rev_ptr))
            continue
        if base_label != rev_label:
            cached.append(
                (
                    full_name(path, name),
                    base_label,
                    rev_label,
                    None,
                    base_ptr or d.base_pointer,
                    rev_ptr or d.revision_pointer,
                )
            )
    return cached
