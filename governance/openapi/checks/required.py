"""Required-ness, discriminators and property deprecation in bodies.

oasdiff: check_request_property_required_updated.go, check_response_property_became_required.go,
check_response_property_became_optional.go, check_request_discriminator_updated.go, check_response_discriminator_updated.go,
check_request_property_deprecation.go, check_response_property_deprecation.go.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..lifecycle import LifecycleError, deprecation_details, has_sunset, stability_of, sunset_date, today
from ..pointers import join_pointer
from .registry import schema_check
from .sites import changed_nodes, full_name, stamp
from .transitions import media_type_details

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from ..model import Pointers
    from .sites import SchemaSite, Stamp


def _required(schema: JSON) -> list[str]:
    value = schema.get("required") if isinstance(schema, dict) else None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _props(schema: JSON) -> JSONObject:
    value = schema.get("properties") if isinstance(schema, dict) else None
    return value if isinstance(value, dict) else {}


def _prop(spec: Spec, schema: JSON, location: str, name: str) -> JSONObject | None:
    """The resolved property schema ``name`` of ``schema`` (None when absent)."""
    node = _props(schema).get(name)
    if node is None:
        return None
    if not isinstance(node, dict):
        return {}
    if "$ref" not in node:
        return node  # not a reference: no location to build (hot: every required change of every schema)
    target, _loc, _ref = spec.deref(node, join_pointer(location, "properties", name))
    return target if isinstance(target, dict) else {}


def _nodes(site: SchemaSite, keyword: str) -> list[tuple[str, SchemaDiff]]:
    """(property path, diff) for the site root then every modified node below it where ``keyword``
    changed (the nodes where it did not have nothing to report: skipped through the root's index)."""
    root = site.diff
    head = (
        [("", root)]
        if keyword in root.changed and isinstance(root.base, dict) and isinstance(root.revision, dict)
        else []
    )
    return head + [(name, d) for name, d, _parent in changed_nodes(root, keyword)]


def _required_changes(d: SchemaDiff) -> tuple[list[str], list[str]]:
    base, revision = _required(d.base), _required(d.revision)
    return [n for n in revision if n not in base], [n for n in base if n not in revision]


def _required_pointers(d: SchemaDiff, name: str, added: bool) -> Pointers:
    base, revision = _required(d.base), _required(d.revision)
    b = join_pointer(d.base_pointer, "required", base.index(name)) if name in base else d.base_pointer
    r = join_pointer(d.revision_pointer, "required", revision.index(name)) if name in revision else d.revision_pointer
    return dict(base_pointer=b, revision_pointer=r)


# --------------------------------------------------------------------------------------
# required / optional


@schema_check("RequestPropertyRequiredUpdatedCheck", kinds=("request-body",))
def request_property_required_updated(site: SchemaSite) -> None:
    if site.kind != "request-body":
        return
    spec_diff = site.op.spec_diff
    details = media_type_details(site)
    for path, d in _nodes(site, "required"):
        added, deleted = _required_changes(d)
        for names, became_required in ((added, True), (deleted, False)):
            for name in names:
                base_prop = _prop(spec_diff.base, d.base, d.base_pointer, name)
                rev_prop = _prop(spec_diff.revision, d.revision, d.revision_pointer, name)
                if base_prop is None or rev_prop is None or rev_prop.get("readOnly"):
                    continue
                if not became_required:
                    rule = "request-property-became-optional"
                elif "default" in rev_prop:
                    rule = "request-property-became-required-with-default"
                else:
                    rule = "request-property-became-required"
                site.emit(rule, full_name(path, name), details=details, **_required_pointers(d, name, became_required))


@schema_check("ResponsePropertyBecameRequiredCheck", "ResponsePropertyBecameOptionalCheck", kinds=("response-body",))
def response_property_required_updated(site: SchemaSite) -> None:
    if site.kind != "response-body":
        return
    stamps: list[Stamp] | None = site.diff.walks.get("required-response")
    if stamps is None:  # depends on the schema diff only: computed once, stamped per operation
        stamps = site.diff.walks["required-response"] = _response_required_stamps(site)
    stamp(site, stamps, site.status, details=media_type_details(site))


def _response_required_stamps(site: SchemaSite) -> list[Stamp]:
    spec_diff = site.op.spec_diff
    wanted = spec_diff.options.selected_checks
    stamps: list[Stamp] = []
    for path, d in _nodes(site, "required"):
        added, deleted = _required_changes(d)
        base_props, rev_props = _props(d.base), _props(d.revision)
        for names, became_required in ((added, True), (deleted, False)):
            check = "ResponsePropertyBecameRequiredCheck" if became_required else "ResponsePropertyBecameOptionalCheck"
            if wanted is not None and check not in wanted:
                continue
            for name in names:
                if base_props.get(name) is None or rev_props.get(name) is None:
                    continue  # _prop would be None: most names on GitHub (required lists of added properties)
                base_prop = _prop(spec_diff.base, d.base, d.base_pointer, name)
                rev_prop = _prop(spec_diff.revision, d.revision, d.revision_pointer, name)
                if base_prop is None or rev_prop is None:
                    continue
                # oasdiff reads writeOnly from the revision at the body root, from the base below it
                write_only = (rev_prop if path == "" else base_prop).get("writeOnly")
                state = "required" if became_required else "optional"
                rule = (
                    f"response-write-only-property-became-{state}"
                    if write_only
                    else f"response-property-became-{state}"
                )
                pointers = _required_pointers(d, name, became_required)
                stamps.append((rule, (full_name(path, name),), pointers["base_pointer"], pointers["revision_pointer"]))
    return stamps


def _flag_pointers(d: SchemaDiff, keyword: str) -> Pointers:
    b, r = d.pointer_of(keyword)
    return dict(base_pointer=b or d.base_pointer, revision_pointer=r or d.revision_pointer)


# (readOnly / writeOnly flips: checks/mutability.py)


# --------------------------------------------------------------------------------------
# discriminator


def _discriminator(schema: JSON) -> JSONObject | None:
    value = schema.get("discriminator") if isinstance(schema, dict) else None
    return value if isinstance(value, dict) else None


def _discriminator_changes(d: SchemaDiff) -> list[tuple[str, tuple[object, ...]]]:
    """oasdiff DiscriminatorDiff as a list of (suffix, args) in its emission order."""
    if "discriminator" not in d.changed:
        return []
    base, revision = _discriminator(d.base), _discriminator(d.revision)
    if base is None and revision is None:
        return []
    if base is None:
        return [("added", ())]
    if revision is None:
        return [("removed", ())]
    changes: list[tuple[str, tuple[object, ...]]] = []
    if base.get("propertyName") != revision.get("propertyName"):
        changes.append(("property-name-changed", (base.get("propertyName", ""), revision.get("propertyName", ""))))
    base_map = found if isinstance(found := base.get("mapping"), dict) else {}
    rev_map = found if isinstance(found := revision.get("mapping"), dict) else {}
    added = sorted(k for k in rev_map if k not in base_map)
    deleted = sorted(k for k in base_map if k not in rev_map)
    if added:
        changes.append(("mapping-added", (added,)))
    if deleted:
        changes.append(("mapping-deleted", (deleted,)))
    for key in sorted(k for k in base_map if k in rev_map and base_map[k] != rev_map[k]):
        changes.append(("mapping-changed", (key, base_map[key], rev_map[key])))
    return changes


def _discriminator_check(site: SchemaSite, direction: str) -> None:
    details = media_type_details(site)
    status = (site.status,) if direction == "response" else ()
    for path, d in _nodes(site, "discriminator"):
        changes = _discriminator_changes(d)
        if not changes:
            continue
        pointers = _flag_pointers(d, "discriminator")
        for suffix, args in changes:
            if path == "":
                site.emit(f"{direction}-body-discriminator-{suffix}", *args, *status, details=details, **pointers)
                continue
            if suffix in ("added", "removed"):
                args = (path,)
            elif suffix == "property-name-changed":
                args = (path,) + args
            else:  # mapping changes: the property comes after the keys / values
                args = args + (path,)
            site.emit(f"{direction}-property-discriminator-{suffix}", *args, *status, details=details, **pointers)


@schema_check("RequestDiscriminatorUpdatedCheck", kinds=("request-body",))
def request_discriminator_updated(site: SchemaSite) -> None:
    if site.kind == "request-body":
        _discriminator_check(site, "request")


@schema_check("ResponseDiscriminatorUpdatedCheck", kinds=("response-body",))
def response_discriminator_updated(site: SchemaSite) -> None:
    if site.kind == "response-body":
        _discriminator_check(site, "response")


# --------------------------------------------------------------------------------------
# property deprecation


def _combine(*parts: str) -> str:
    return " ".join(p for p in parts if p)


def _deprecation_check(site: SchemaSite, direction: str) -> None:
    op = site.op
    try:
        stability = stability_of(op.revision)
    except LifecycleError:
        return  # reported by the stability policy
    days = op.spec_diff.options.deprecation_days(stability)
    media_details = media_type_details(site)
    for name, d, _parent in changed_nodes(site.diff, "deprecated"):
        if bool(d.old("deprecated")) == bool(d.new("deprecated")):
            continue
        pointers = _flag_pointers(d, "deprecated")
        if not d.new("deprecated"):
            site.emit(f"{direction}-property-reactivated", name, details=media_details, **pointers)
            continue
        if not has_sunset(d.revision):
            if days > 0:
                site.emit(f"{direction}-property-deprecated-sunset-missing", name, details=media_details, **pointers)
            else:
                site.emit(
                    f"{direction}-property-deprecated",
                    name,
                    details=_combine(deprecation_details(op.revision), media_details),
                    **pointers,
                )
            continue
        try:
            date = sunset_date(d.revision["x-sunset"])
        except LifecycleError as exc:
            site.emit(
                f"{direction}-property-deprecated-sunset-invalid", name, str(exc), details=media_details, **pointers
            )
            continue
        if (date - today()).days < days:
            site.emit(
                f"{direction}-property-sunset-date-too-small",
                name,
                date.isoformat(),
                days,
                details=media_details,
                **pointers,
            )
            continue
        site.emit(
            f"{direction}-property-deprecated-with-sunset",
            name,
            date.isoformat(),
            details=_combine(deprecation_details(op.revision), media_details),
            **pointers,
        )


@schema_check("RequestPropertyDeprecationCheck", kinds=("request-body",))
def request_property_deprecation(site: SchemaSite) -> None:
    if site.kind == "request-body":
        _deprecation_check(site, "request")


@schema_check("ResponsePropertyDeprecationCheck", kinds=("response-body",))
def response_property_deprecation(site: SchemaSite) -> None:
    if site.kind == "response-body":
        _deprecation_check(site, "response")
