"""Schema properties added / removed in request and response bodies.

oasdiff: check_request_property_updated.go, check_response_required_property_updated.go,
check_response_optional_property_updated.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias

from .registry import schema_check
from .shapes import one_of_wrapping_moved
from .sites import full_name, property_pointers, stamp, walk_added, walk_removed

if TYPE_CHECKING:
    from ..diff import SchemaDiff, SpecDiff
    from ..jsontypes import JSON, JSONArray
    from .sites import SchemaSite, Stamp

# (required, rule id, property name, base ptr, rev ptr) per response property added / removed
_Change: TypeAlias = tuple[bool, str, str, "str | None", "str | None"]


def _required(schema: JSON) -> JSONArray:
    required = schema.get("required") if isinstance(schema, dict) else None
    return required if isinstance(required, list) else []


def _flag(schema: JSON, name: str) -> bool:
    return isinstance(schema, dict) and bool(schema.get(name))


@schema_check("RequestPropertyUpdatedCheck", kinds=("request-body",))
def request_property_updated(site: SchemaSite) -> None:
    if site.kind != "request-body":
        return
    spec_diff = site.op.spec_diff
    for path, name, schema, parent in walk_removed(site.diff):
        if _flag(schema, "readOnly") or name in one_of_wrapping_moved(parent, spec_diff):
            continue  # a property moved into a oneOf wrapping is not removed (wrapping.py reports it)
        base_ptr, _ = property_pointers(parent, name)
        site.emit("request-property-removed", full_name(path, name), base_pointer=base_ptr, revision_pointer=None)
    for path, name, schema, parent in walk_added(site.diff):
        if _flag(schema, "readOnly"):
            continue
        _, rev_ptr = property_pointers(parent, name)
        if name in _required(parent.revision):
            rule = (
                "new-required-request-property-with-default"
                if isinstance(schema, dict) and "default" in schema
                else "new-required-request-property"
            )
        else:
            rule = "new-optional-request-property"
        site.emit(rule, full_name(path, name), base_pointer=None, revision_pointer=rev_ptr)


@schema_check("ResponseRequiredPropertyUpdatedCheck", "ResponseOptionalPropertyUpdatedCheck", kinds=("response-body",))
def response_property_updated(site: SchemaSite) -> None:
    if site.kind != "response-body":
        return
    wanted = site.op.spec_diff.options.selected_checks
    changes = _response_changes(site.diff, site.op.spec_diff)
    if wanted is None:  # the usual case: every change, in the per-diff form stamp() takes
        stamps: list[Stamp] | None = site.diff.walks.get("response-property-stamps")
        if stamps is None:
            stamps = site.diff.walks["response-property-stamps"] = [
                (rule, (name,), base_ptr, rev_ptr) for _required, rule, name, base_ptr, rev_ptr in changes
            ]
        stamp(site, stamps, site.status)
        return
    emit, status = site.emit, site.status
    for required, rule, name, base_ptr, rev_ptr in changes:
        if (
            "ResponseRequiredPropertyUpdatedCheck" if required else "ResponseOptionalPropertyUpdatedCheck"
        ) not in wanted:
            continue
        emit(rule, name, status, base_pointer=base_ptr, revision_pointer=rev_ptr)


def _response_changes(root: SchemaDiff, spec_diff: SpecDiff) -> list[_Change]:
    """(required, rule id, property name, base ptr, rev ptr) per response property added/removed.

    Depends on the schema diff only: cached on it (Stripe: ~20k findings over ~900 operations
    sharing a few hundred schema diffs).
    """
    cached: list[_Change] | None = root.walks.get("response-property-changes")
    if cached is not None:
        return cached
    cached = root.walks["response-property-changes"] = []
    for path, name, schema, parent in walk_removed(root):
        if name in one_of_wrapping_moved(parent, spec_diff):
            continue  # moved into a oneOf wrapping, not removed (wrapping.py reports it)
        required = name in _required(parent.base)
        kind = "required" if required else "optional"
        write_only = "-write-only" if _flag(schema, "writeOnly") else ""
        base_ptr, _ = property_pointers(parent, name)
        cached.append(
            (required, f"response-{kind}{write_only}-property-removed", full_name(path, name), base_ptr, None)
        )
    for path, name, schema, parent in walk_added(root):
        # what depends on (parent, name) only is cached on the parent: a shared diff's added properties
        # are listed under every root reaching it (GitHub: ~10k entries, ~2k distinct)
        facts: dict[str, tuple[bool, str, str | None]] | None = parent.walks.get("response-property-added")
        if facts is None:
            facts = parent.walks["response-property-added"] = {}
        fact = facts.get(name)
        if fact is None:
            required = name in _required(parent.revision)
            kind = "required" if required else "optional"
            write_only = "-write-only" if _flag(schema, "writeOnly") else ""
            fact = facts[name] = (
                required,
                f"response-{kind}{write_only}-property-added",
                property_pointers(parent, name)[1],
            )
        cached.append((fact[0], fact[1], full_name(path, name), None, fact[2]))
    return cached
