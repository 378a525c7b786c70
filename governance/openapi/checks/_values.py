"""Value-keyword helpers shared by the enum and constraint families (not a family: not auto-loaded).

They reproduce how oasdiff's schema diff sees a keyword's value on each side:

* kin-openapi loads every number as a float64 and tells booleans from numbers, so values are
  compared by ``go_equal`` (``1 == 1.0``, ``True != 1``), like Go's ``reflect.DeepEqual``;
* pointer keywords (``maximum``, ``maxLength``, ``const``, ``default``...) are ``None`` when absent;
* ``minLength`` / ``minItems`` / ``minProperties`` are plain uint64s: absent reads as 0;
* string keywords (``pattern``, ``contentMediaType``, ``contentEncoding``) are "" when absent;
* ``exclusiveMinimum`` / ``exclusiveMaximum`` are a number (3.1) or a boolean (3.0), ``None`` when absent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeAlias, TypeGuard

from .sites import SchemaSite, full_name, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON
    from ..model import Pointers

# go_equal's normal form of a value: (tag, payload), hashable, where 1 == 1.0 but True != 1
Normal: TypeAlias = tuple[str, object]
# enum_diff: (enum_added, added values, deleted values)
EnumDiff: TypeAlias = tuple[bool, list["JSON"], list["JSON"]]
# properties(site): (full property name, property name, diff)
Property: TypeAlias = tuple[str, str, "SchemaDiff"]

ZERO_IS_ABSENT = frozenset(("minLength", "minItems", "minProperties"))
STRING_KEYWORDS = frozenset(("pattern", "contentMediaType", "contentEncoding"))
EXCLUSIVE_BOUNDS = frozenset(("exclusiveMinimum", "exclusiveMaximum"))


def _norm(value: JSON) -> Normal:
    if isinstance(value, bool):
        return ("b", value)
    if isinstance(value, (int, float)):
        return ("n", float(value))
    if isinstance(value, list):
        return ("l", tuple(_norm(v) for v in value))
    if isinstance(value, dict):
        return ("d", tuple(sorted((str(k), _norm(v)) for k, v in value.items())))
    return ("v", value)


def go_equal(a: JSON, b: JSON) -> bool:
    if a is b:
        return True
    try:
        return _norm(a) == _norm(b)
    except TypeError:  # unorderable junk: fall back to Python equality
        return a == b


def is_number(value: object) -> TypeGuard[int | float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def increased(old: JSON, new: JSON) -> bool:
    """oasdiff's IsIncreased: only numbers compare (a boolean exclusive bound never does)."""
    return is_number(old) and is_number(new) and old < new


def decreased(old: JSON, new: JSON) -> bool:
    return is_number(old) and is_number(new) and old > new


def _side(schema: JSON, keyword: str) -> JSON:
    value: JSON = schema.get(keyword) if isinstance(schema, dict) else None
    if keyword in ZERO_IS_ABSENT:
        return 0 if value is None else value
    if keyword in STRING_KEYWORDS:
        return "" if value is None else value
    return value


def value_diff(diff: SchemaDiff | None, keyword: str) -> tuple[JSON, JSON] | None:
    """(from, to) when the keyword's value differs between the sides (oasdiff's ValueDiff), else None."""
    if diff is None:
        return None
    if keyword not in diff.changed:  # same raw value (or absent) on both sides
        return None
    old, new = _side(diff.base, keyword), _side(diff.revision, keyword)
    if go_equal(old, new):
        return None
    if keyword in EXCLUSIVE_BOUNDS and (isinstance(old, bool) or isinstance(new, bool)):
        return None  # the 3.0 boolean form: the bound beside it became exclusive / inclusive (keywords.py)
    return old, new


def enum_diff(diff: SchemaDiff | None) -> EnumDiff | None:
    """(enum_added, added values, deleted values) as oasdiff's EnumDiff; None when no value changed.

    Cached on the diff node (shared by every operation using it): Stripe-sized enums are
    compared once, by hashed normal forms.
    """
    if diff is None or "enum" not in diff.changed:
        return None
    cache = diff.walks
    if "enum-diff" not in cache:
        cache["enum-diff"] = _enum_diff(diff.old("enum"), diff.new("enum"))
    cached: EnumDiff | None = cache["enum-diff"]
    return cached


def _enum_diff(old: JSON, new: JSON) -> EnumDiff | None:
    old_values = old if isinstance(old, list) else []
    new_values = new if isinstance(new, list) else []
    try:
        old_keys = {_norm(v) for v in old_values}
        new_keys = {_norm(v) for v in new_values}
        deleted = [v for v in old_values if _norm(v) not in new_keys]
        added = [v for v in new_values if _norm(v) not in old_keys]
    except TypeError:  # unhashable / unorderable junk: pairwise comparison
        deleted = [v for v in old_values if not any(go_equal(v, w) for w in new_values)]
        added = [v for v in new_values if not any(go_equal(v, w) for w in old_values)]
    if not added and not deleted:
        return None
    return old is None and new is not None, added, deleted


def flag(diff: SchemaDiff, keyword: str) -> bool:
    """A boolean keyword of the revision schema (readOnly, writeOnly)."""
    return bool(diff.new(keyword))


def pointers(diff: SchemaDiff, keyword: str) -> Pointers:
    """The keyword's pointers on each side, as emit() keywords (cached: a node emits once per operation)."""
    key = ("pointers", keyword)
    cached: Pointers | None = diff.walks.get(key)
    if cached is None:
        base, revision = diff.pointer_of(keyword)
        cached = {"base_pointer": base, "revision_pointer": revision}
        diff.walks[key] = cached
    return cached


def media_details(site: SchemaSite) -> str:
    """oasdiff's formatMediaTypeDetails: names the media type when several of the content changed
    (computed once per site: ``SchemaSite.media_details``)."""
    return site.media_details


def properties(site: SchemaSite) -> list[Property]:
    """(full property name, property name, diff) for each changed property below the site's root
    (both sides schema objects); cached on the root diff, like the walk itself."""
    cache = site.diff.walks
    cached: list[Property] | None = cache.get("value-properties")
    if cached is None:
        cached = cache["value-properties"] = [
            (full_name(path, name), name, diff)
            for path, name, diff, _parent in walk_modified(site.diff)
            if isinstance(diff.base, dict) and isinstance(diff.revision, dict)
        ]
    return cached


def changed_properties(site: SchemaSite, keyword: str) -> list[Property]:
    """``properties(site)`` restricted to the nodes where ``keyword`` changed (indexed once per root)."""
    cache = site.diff.walks
    index: dict[str, list[Property]] | None = cache.get("value-index")
    if index is None:
        index = cache["value-index"] = {}
        for entry in properties(site):
            for changed in entry[2].changed:
                index.setdefault(changed, []).append(entry)
    return index.get(keyword, [])


def request_body(site: SchemaSite) -> bool:
    return site.kind == "request-body"


def response_body(site: SchemaSite) -> bool:
    return site.kind == "response-body"


def parameter(site: SchemaSite) -> bool:
    return site.kind == "parameter"


# --- a keyword's values and pointers on both sides (the constraint checks read these) ----------


def value_on_both_sides(diff: SchemaDiff | None, keyword: str) -> tuple[JSON, JSON] | None:
    """The (from, to) of a keyword present, with different values, on both sides."""
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is not None and vd[1] is not None else None


def value_set(diff: SchemaDiff | None, keyword: str) -> tuple[JSON, JSON] | None:
    """(None, to) when the keyword went from absent to present."""
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is None and vd[1] is not None else None


def value_unset(diff: SchemaDiff | None, keyword: str) -> tuple[JSON, JSON] | None:
    vd = value_diff(diff, keyword)
    return vd if vd is not None and vd[0] is not None and vd[1] is None else None


def keyword_pointers(diff: SchemaDiff, keyword: str, base: bool = True, revision: bool = True) -> Pointers:
    """Pointers of the keyword; ``base=False`` / ``revision=False``: that side counts as absent."""
    where = pointers(diff, keyword)  # cached: never mutate it
    if base and revision:
        return where
    return {
        "base_pointer": where["base_pointer"] if base else None,
        "revision_pointer": where["revision_pointer"] if revision else None,
    }
