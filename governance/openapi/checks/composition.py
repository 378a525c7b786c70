"""Schema composition (allOf / anyOf / oneOf) and JSON Schema 2020-12 keywords in bodies.

oasdiff: check_request_property_{all,any,one}_of_updated.go, check_response_property_*_of_updated.go,
check_{request,response}_property_{contains,dependent_required,dependent_schemas,if,pattern_properties,
prefix_items,property_names,unevaluated}_*.go.

All of them walk the modified request / response *body* schemas (not parameters or headers): the body
root gives ``*-body-*`` ids, every changed node below it (oasdiff's property walk: properties, items,
allOf[...], /contains, ...) gives ``*-property-*`` ids with the property path.

Subschema lists are matched in the structural diff (diff/schema.py ``_compare_subschemas``: by $ref,
identical inline, title, the single-inline special case, and the inline <-> $ref refactor when
``match_inline_refs``); the checks here only read ``added`` / ``removed``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeGuard

from ..pointers import join_pointer
from .registry import schema_check
from .shapes import one_of_wrapping
from .sites import full_name, stamp, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff, SpecDiff, Subschema
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from .sites import SchemaSite, Stamp

_BODY_KINDS = ("request-body", "response-body")

# Keywords that are no-ops when absent from ``{}`` (oasdiff compares a subschema with the empty
# schema to call it annotation-only): annotations, and flags whose false value is the default.
_ANNOTATIONS = frozenset(("title", "description", "default", "example", "examples", "externalDocs", "$comment"))
_FALSE_DEFAULTS = frozenset(("nullable", "readOnly", "writeOnly", "deprecated", "uniqueItems", "allowEmptyValue"))


# --- shared hooks (usable by other families) ------------------------------------------------------


def is_annotation_only(schema: JSON) -> bool:
    """True when a (resolved) schema validates like ``{}``: only annotations (title, description...)."""
    if not isinstance(schema, dict):
        return schema is True
    for key, value in schema.items():
        if key in _ANNOTATIONS:
            continue
        if key in _FALSE_DEFAULTS and value is False:
            continue
        if key in ("properties", "required", "allOf", "anyOf", "oneOf", "enum") and not value:
            continue
        return False
    return True


def list_of_types_changed(diff: SchemaDiff, spec_diff: SpecDiff) -> bool:
    """oasdiff's ListOfTypesDiff non-empty (shouldSuppress*OneOfSchemaChangedForListOfTypes): the
    types family detects it (checks/types.py node_info, cached per diff) and reports it as
    list-of-types widened/narrowed; the one-of/any-of checks then stay silent on that node."""
    from .transitions import node_info  # the types family owns the detection; one answer for both

    return node_info(diff, spec_diff).list_of_types


# --- walking ------------------------------------------------------------------------------------------

_KEYWORDS = frozenset(
    (
        "contains",
        "minContains",
        "maxContains",
        "if",
        "then",
        "else",
        "propertyNames",
        "unevaluatedItems",
        "unevaluatedProperties",
        "dependentRequired",
        "dependentSchemas",
        "patternProperties",
    )
)


def _nodes(site: SchemaSite, keys: str | Iterable[str]) -> list[tuple[str | None, SchemaDiff]]:
    """(property name or None for the body root, diff) for the nodes where one of ``keys`` changed.

    ``keys`` are keywords of ``changed`` or subschema lists ("allOf", "prefixItems"...). One pass
    over the root's property walk indexes every node of interest to this family; the index is cached
    on the root diff, so the ~20 checks here (and every operation sharing the schema) reuse it.
    """
    root = site.diff
    index: dict[str, list[tuple[str | None, SchemaDiff]]] | None = root.walks.get("composition")
    if index is None:
        index = root.walks["composition"] = {}

        def add(prop: str | None, diff: SchemaDiff) -> None:
            for key in diff.changed & _KEYWORDS:
                index.setdefault(key, []).append((prop, diff))
            for key in diff.subschemas:
                index.setdefault(key, []).append((prop, diff))

        add(None, root)
        for path, name, diff, _parent in walk_modified(root):
            if diff.subschemas or (diff.changed and not diff.changed.isdisjoint(_KEYWORDS)):
                add(full_name(path, name), diff)
    if isinstance(keys, str):
        return index.get(keys, [])
    found: list[tuple[str | None, SchemaDiff]] = []
    seen: set[int] = set()
    for key in keys:
        for prop, diff in index.get(key, ()):
            if id(diff) not in seen:
                seen.add(id(diff))
                found.append((prop, diff))
    return found


def _body_sites(site: SchemaSite, direction: str) -> bool:
    return site.kind in _BODY_KINDS and site.direction == direction


def _subschema_list(subschemas: Iterable[Subschema], with_title: bool = False) -> str:
    """oasdiff's Subschemas.String (added/removed $ref subschemas are listed without their title)."""
    return ", ".join(s.label(with_title=with_title) for s in subschemas)


def _emit(
    site: SchemaSite,
    prop: str | None,
    kind: str,
    what: str,
    args_body: tuple[object, ...],
    args_prop: tuple[object, ...],
    base_pointer: str | None,
    revision_pointer: str | None,
) -> None:
    direction = site.direction
    if prop is None:
        site.emit(f"{direction}-body-{what}", *args_body, base_pointer=base_pointer, revision_pointer=revision_pointer)
    else:
        site.emit(
            f"{direction}-property-{what}", *args_prop, base_pointer=base_pointer, revision_pointer=revision_pointer
        )


def _status(site: SchemaSite) -> tuple[str | None, ...]:
    return (site.status,) if site.direction == "response" else ()


# --- allOf / anyOf / oneOf ------------------------------------------------------------------------------


def _list_changes(
    site: SchemaSite,
    keyword: str,
    slug: str,
    annotation_split: bool = False,
    suppress_list_of_types: bool = False,
    suppress_wrapping: bool = False,
) -> None:
    # The findings depend on the schema diff and the direction only (keyword fixes the options):
    # computed once per diff, stamped on each operation with its status.
    key = ("composition-list", keyword, site.direction)
    stamps: list[Stamp] | None = site.diff.walks.get(key)
    if stamps is None:
        stamps = site.diff.walks[key] = _list_stamps(
            site, keyword, slug, annotation_split, suppress_list_of_types, suppress_wrapping
        )
    stamp(site, stamps, *_status(site))


def _list_stamps(
    site: SchemaSite,
    keyword: str,
    slug: str,
    annotation_split: bool,
    suppress_list_of_types: bool,
    suppress_wrapping: bool,
) -> list[Stamp]:
    """(rule, args without the status, base pointer, revision pointer) for _list_changes."""
    spec_diff = site.op.spec_diff
    direction = site.direction
    stamps: list[Stamp] = []
    if suppress_list_of_types and list_of_types_changed(site.diff, spec_diff):
        return stamps  # oasdiff skips the whole body (its property walk included)
    if suppress_wrapping and one_of_wrapping(site.diff, spec_diff):
        return stamps
    for prop, diff in _nodes(site, keyword):
        lists = diff.subschemas.get(keyword)
        if lists is None or not (lists.added or lists.removed):
            continue
        if prop is not None and suppress_list_of_types and list_of_types_changed(diff, spec_diff):
            continue
        for action, items, side in (("added", lists.added, "revision"), ("removed", lists.removed, "base")):
            if not items:
                continue
            groups = [(items, "")]
            if annotation_split:
                plain = [s for s in items if not is_annotation_only(s.schema)]
                notes = [s for s in items if is_annotation_only(s.schema)]
                groups = [(plain, ""), (notes, "-annotation-only")]
            for group, suffix in groups:
                if not group:
                    continue
                pointer = group[0].raw_location
                base_ptr, rev_ptr = (None, pointer) if side == "revision" else (pointer, None)
                label = _subschema_list(group)
                what = f"{slug}-{action}{suffix}"  # same ids and args as _emit
                if prop is None:
                    stamps.append((f"{direction}-body-{what}", (label,), base_ptr, rev_ptr))
                else:
                    stamps.append((f"{direction}-property-{what}", (label, prop), base_ptr, rev_ptr))
    return stamps


@schema_check("RequestPropertyAllOfUpdatedCheck", kinds=("request-body",))
def request_all_of(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _list_changes(site, "allOf", "all-of", annotation_split=True)


@schema_check("ResponsePropertyAllOfUpdatedCheck", kinds=("response-body",))
def response_all_of(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _list_changes(site, "allOf", "all-of", annotation_split=True)


@schema_check("RequestPropertyAnyOfUpdatedCheck", kinds=("request-body",))
def request_any_of(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _list_changes(site, "anyOf", "any-of", suppress_list_of_types=True)


@schema_check("ResponsePropertyAnyOfUpdatedCheck", kinds=("response-body",))
def response_any_of(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _list_changes(site, "anyOf", "any-of", suppress_list_of_types=True)


@schema_check("RequestPropertyOneOfUpdatedCheck", kinds=("request-body",))
def request_one_of(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _list_changes(site, "oneOf", "one-of", suppress_list_of_types=True, suppress_wrapping=True)


@schema_check("ResponsePropertyOneOfUpdated", kinds=("response-body",))
def response_one_of(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _list_changes(site, "oneOf", "one-of", suppress_list_of_types=True, suppress_wrapping=True)


# --- prefixItems ---------------------------------------------------------------------------------------


def _item_schema_at(spec: Spec, schema: JSONObject, location: str, index: int) -> tuple[JSON, str]:
    prefix = schema.get("prefixItems")
    if isinstance(prefix, list) and index < len(prefix):
        return prefix[index], join_pointer(location, "prefixItems", index)
    if "items" in schema:
        return schema["items"], join_pointer(location, "items")
    return {}, join_pointer(location, "items")


def _prefix_items_equivalent(diff: SchemaDiff, spec_diff: SpecDiff) -> bool:
    """oasdiff PrefixItemsValidationEquivalent: every position validated by the same contract."""
    base, revision = diff.base, diff.revision
    if not isinstance(base, dict) or not isinstance(revision, dict):
        return False
    length = max(len(base.get("prefixItems") or ()), len(revision.get("prefixItems") or ()))
    differ = spec_diff.schemas
    for index in range(length):
        b_node, b_loc = _item_schema_at(spec_diff.base, base, diff.base_pointer, index)
        r_node, r_loc = _item_schema_at(spec_diff.revision, revision, diff.revision_pointer, index)
        if not differ.validation_equivalent(b_node, b_loc, r_node, r_loc):
            return False
    return True


def _prefix_items(site: SchemaSite) -> None:
    spec_diff = site.op.spec_diff
    status = _status(site)
    for prop, diff in _nodes(site, "prefixItems"):
        lists = diff.subschemas.get("prefixItems")
        if lists is None or not (lists.added or lists.removed) or _prefix_items_equivalent(diff, spec_diff):
            continue
        base_ptr, rev_ptr = diff.pointer_of("prefixItems")
        for action, items, pointers in (
            ("added", lists.added, (None, rev_ptr)),
            ("removed", lists.removed, (base_ptr, None)),
        ):
            if items:
                label = _subschema_list(items)
                _emit(
                    site,
                    prop,
                    "prefixItems",
                    f"prefix-items-{action}",
                    (label, *status),
                    (label, prop, *status),
                    *pointers,
                )


@schema_check("RequestPropertyPrefixItemsUpdatedCheck", kinds=("request-body",))
def request_prefix_items(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _prefix_items(site)


@schema_check("ResponsePropertyPrefixItemsUpdatedCheck", kinds=("response-body",))
def response_prefix_items(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _prefix_items(site)


# --- single sub-schema keywords added / removed ---------------------------------------------------------


def _presence(site: SchemaSite, keywords: dict[str, str]) -> None:
    """``keyword -> id slug``: report a sub-schema keyword that appeared or disappeared."""
    status = _status(site)
    for prop, diff in _nodes(site, keywords):
        for keyword, slug in keywords.items():
            if keyword not in diff.changed:
                continue
            base_ptr, rev_ptr = diff.pointer_of(keyword)
            if base_ptr is None and rev_ptr is not None:
                _emit(site, prop, keyword, f"{slug}-added", status, (prop, *status), None, rev_ptr)
            elif base_ptr is not None and rev_ptr is None:
                _emit(site, prop, keyword, f"{slug}-removed", status, (prop, *status), base_ptr, None)


_CONDITIONALS = {"if": "if", "then": "then", "else": "else"}
_UNEVALUATED = {"unevaluatedItems": "unevaluated-items", "unevaluatedProperties": "unevaluated-properties"}


@schema_check("RequestPropertyIfUpdatedCheck", kinds=("request-body",))
def request_if(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _presence(site, _CONDITIONALS)


@schema_check("ResponsePropertyIfUpdatedCheck", kinds=("response-body",))
def response_if(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _presence(site, _CONDITIONALS)


@schema_check("RequestPropertyPropertyNamesUpdatedCheck", kinds=("request-body",))
def request_property_names(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _presence(site, {"propertyNames": "property-names"})


@schema_check("ResponsePropertyPropertyNamesUpdatedCheck", kinds=("response-body",))
def response_property_names(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _presence(site, {"propertyNames": "property-names"})


@schema_check("RequestPropertyUnevaluatedUpdatedCheck", kinds=("request-body",))
def request_unevaluated(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _presence(site, _UNEVALUATED)


@schema_check("ResponsePropertyUnevaluatedUpdatedCheck", kinds=("response-body",))
def response_unevaluated(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _presence(site, _UNEVALUATED)


# --- contains / minContains / maxContains ---------------------------------------------------------------


def _number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _contains(site: SchemaSite) -> None:
    _presence(site, {"contains": "contains"})
    status = _status(site)
    for prop, diff in _nodes(site, ("minContains", "maxContains")):
        for keyword, slug in (("minContains", "min-contains"), ("maxContains", "max-contains")):
            if keyword not in diff.changed:
                continue
            old, new = diff.old(keyword), diff.new(keyword)
            if not (_number(old) and _number(new)) or old == new:
                continue  # oasdiff compares only when both sides set it
            action = "increased" if new > old else "decreased"
            base_ptr, rev_ptr = diff.pointer_of(keyword)
            _emit(
                site,
                prop,
                keyword,
                f"{slug}-{action}",
                (old, new, *status),
                (prop, old, new, *status),
                base_ptr,
                rev_ptr,
            )


@schema_check("RequestPropertyContainsUpdatedCheck", kinds=("request-body",))
def request_contains(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _contains(site)


@schema_check("ResponsePropertyContainsUpdatedCheck", kinds=("response-body",))
def response_contains(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _contains(site)


# --- dependentRequired ------------------------------------------------------------------------------------


def _string_list(value: JSON) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else []


def _dependent_required(site: SchemaSite) -> None:
    status = _status(site)
    for prop, diff in _nodes(site, "dependentRequired"):
        if "dependentRequired" not in diff.changed:
            continue
        old = diff.old("dependentRequired") or {}
        new = diff.new("dependentRequired") or {}
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        base_ptr, rev_ptr = diff.pointer_of("dependentRequired")
        for key in sorted(new, key=str):
            if key not in old:
                values = ", ".join(_string_list(new[key]))
                _emit(
                    site,
                    prop,
                    "dependentRequired",
                    "dependent-required-added",
                    (*status, key, values),
                    (prop, *status, key, values),
                    None,
                    rev_ptr,
                )
        for key in sorted(old, key=str):
            if key not in new:
                values = ", ".join(_string_list(old[key]))
                _emit(
                    site,
                    prop,
                    "dependentRequired",
                    "dependent-required-removed",
                    (*status, key, values),
                    (prop, *status, key, values),
                    base_ptr,
                    None,
                )
        for key in sorted(old, key=str):
            if key not in new:
                continue
            before, after = set(_string_list(old[key])), set(_string_list(new[key]))
            parts = []
            if after - before:
                parts.append(", ".join(sorted(after - before)) + " added")
            if before - after:
                parts.append(", ".join(sorted(before - after)) + " removed")
            if parts:
                change = ", ".join(parts)
                _emit(
                    site,
                    prop,
                    "dependentRequired",
                    "dependent-required-changed",
                    (key, *status, change),
                    (prop, key, *status, change),
                    base_ptr,
                    rev_ptr,
                )


@schema_check("RequestPropertyDependentRequiredChangedCheck", kinds=("request-body",))
def request_dependent_required(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _dependent_required(site)


@schema_check("ResponsePropertyDependentRequiredChangedCheck", kinds=("response-body",))
def response_dependent_required(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _dependent_required(site)


# --- dependentSchemas / patternProperties (maps of schemas: names added / removed) ------------------------


def _schema_map(site: SchemaSite, keyword: str, slug: str) -> None:
    status = _status(site)
    for prop, diff in _nodes(site, keyword):
        if keyword not in diff.changed:
            continue
        old, new = diff.old(keyword), diff.new(keyword)
        old = old if isinstance(old, dict) else {}
        new = new if isinstance(new, dict) else {}
        base_ptr, rev_ptr = diff.pointer_of(keyword)
        for name in sorted((k for k in new if k not in old), key=str):
            _emit(
                site,
                prop,
                keyword,
                f"{slug}-added",
                (name, *status),
                (name, prop, *status),
                None,
                join_pointer(rev_ptr, name) if rev_ptr else None,
            )
        for name in sorted((k for k in old if k not in new), key=str):
            _emit(
                site,
                prop,
                keyword,
                f"{slug}-removed",
                (name, *status),
                (name, prop, *status),
                join_pointer(base_ptr, name) if base_ptr else None,
                None,
            )


@schema_check("RequestPropertyDependentSchemasUpdatedCheck", kinds=("request-body",))
def request_dependent_schemas(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _schema_map(site, "dependentSchemas", "dependent-schema")


@schema_check("ResponsePropertyDependentSchemasUpdatedCheck", kinds=("response-body",))
def response_dependent_schemas(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _schema_map(site, "dependentSchemas", "dependent-schema")


@schema_check("RequestPropertyPatternPropertiesUpdatedCheck", kinds=("request-body",))
def request_pattern_properties(site: SchemaSite) -> None:
    if _body_sites(site, "request"):
        _schema_map(site, "patternProperties", "pattern-property")


@schema_check("ResponsePropertyPatternPropertiesUpdatedCheck", kinds=("response-body",))
def response_pattern_properties(site: SchemaSite) -> None:
    if _body_sites(site, "response"):
        _schema_map(site, "patternProperties", "pattern-property")
