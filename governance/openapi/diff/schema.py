"""Structural schema diff: memoised per (base location, revision location), cycle-safe.

A ``SchemaDiff`` exists only where the two schemas differ (``None`` means
unchanged). It keeps the resolved schemas of both sides and their locations
(JSON pointers), the names of changed keywords, and child diffs for the
structural keywords (properties, items, additionalProperties, not, allOf/anyOf/oneOf).
Direction (request/response) does not change the structure, so one diff serves
every operation and both directions; only the checks interpret it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

from ..errors import SpecError
from ..pointers import join_pointer

if TYPE_CHECKING:
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from .equality import Equivalence

# Keywords whose values are schemas / lists / maps of schemas: compared structurally, not by value.
_SINGLE_SCHEMA = ("items", "additionalProperties", "not")
_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
# JSON Schema 2020-12 (OpenAPI 3.1) sub-schemas, walked like oasdiff (segment names as it prints them)
_EXTRA_SINGLE = (
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "if",
    "then",
    "else",
    "contentSchema",
)
_EXTRA_MAPS = ("patternProperties", "dependentSchemas")
_SUBSCHEMA_LIST_KEYWORDS = _SCHEMA_LISTS + ("prefixItems",)  # matched like oasdiff's getSubschemasDiff
_STRUCTURAL = frozenset(
    _SINGLE_SCHEMA + _SCHEMA_LISTS + _EXTRA_SINGLE + _EXTRA_MAPS + ("properties", "prefixItems", "$ref")
)
MAX_SCHEMA_DEPTH = 200
# SchemaDiff.walks: what the checks derive from one diff node, cached on it by key (a name, or a tuple
# of names for a parametrised result). The entries differ in shape; each reader names its own.
WalkCache: TypeAlias = dict[str | tuple[str, ...], Any]


@dataclass
class Subschema:
    index: int
    schema: JSON  # resolved
    location: str  # of the resolved schema
    ref: str | None
    raw: JSON = None  # the list item as written (maybe a $ref): what the differ must see,
    raw_location: str = ""  # so that its cycle guard knows the ref

    def label(self, with_title: bool = True) -> str:
        """oasdiff's Subschema.String: by title (1-based position), else component ref, else position.

        oasdiff leaves the title out of the $ref subschemas it lists as added/removed
        (``with_title=False``), but uses it for modified pairs and inline subschemas.
        """
        title = self.schema.get("title") if isinstance(self.schema, dict) and (with_title or not self.ref) else None
        if title and isinstance(title, str):
            return f"subschema #{self.index + 1}: {title}"
        if self.ref:
            return f"#/components/schemas/{_ref_name(self.ref)}"
        return f"subschema #{self.index + 1}"


@dataclass
class SubschemaListDiff:
    added: list[Subschema] = field(default_factory=list)
    removed: list[Subschema] = field(default_factory=list)
    modified: list[tuple[Subschema, Subschema, SchemaDiff]] = field(default_factory=list)


@dataclass(eq=False)
class SchemaDiff:
    base: JSON  # the resolved schemas: objects, or booleans (3.1) or junk
    revision: JSON
    base_pointer: str
    revision_pointer: str
    base_ref: str | None = None
    revision_ref: str | None = None
    changed: set[str] = field(default_factory=set)  # keywords whose value (or presence) differs
    properties: dict[str, SchemaDiff] = field(default_factory=dict)
    properties_added: list[str] = field(default_factory=list)
    properties_removed: list[str] = field(default_factory=list)
    items: SchemaDiff | None = None
    additional_properties: SchemaDiff | None = None
    not_: SchemaDiff | None = None
    subschemas: dict[str, SubschemaListDiff] = field(default_factory=dict)  # allOf/anyOf/oneOf/prefixItems
    # 3.1 sub-schemas: segment ("contains", "patternProperties[^x-]") -> diff
    others: dict[str, SchemaDiff] = field(default_factory=dict)
    circular: bool = False  # a $ref cycle was met on one side only: compared no further
    walks: WalkCache = field(default_factory=dict, repr=False)  # cached property walks (checks/sites.py)

    def old(self, keyword: str, default: JSON = None) -> Any:
        """The base schema's value of ``keyword`` (``default`` when absent or not an object)."""
        return self.base.get(keyword, default) if isinstance(self.base, dict) else default

    def new(self, keyword: str, default: JSON = None) -> Any:
        return self.revision.get(keyword, default) if isinstance(self.revision, dict) else default

    def pointer_of(self, keyword: str) -> tuple[str | None, str | None]:
        """Pointers of ``keyword`` in each side, None where that side lacks it."""
        base = join_pointer(self.base_pointer, keyword) if keyword in _keys(self.base) else None
        revision = join_pointer(self.revision_pointer, keyword) if keyword in _keys(self.revision) else None
        return base, revision

    def is_empty(self) -> bool:
        return not (
            self.changed
            or self.properties
            or self.properties_added
            or self.properties_removed
            or self.items
            or self.additional_properties
            or self.not_
            or self.subschemas
            or self.others
            or self.circular
        )


def _keys(node: JSON) -> Iterable[str]:
    return node if isinstance(node, dict) else ()


def _ref_name(location: str | None) -> str | None:
    return location.rpartition("/")[2] if location else None


def _title(schema: JSON) -> str:
    title = schema.get("title") if isinstance(schema, dict) else None
    return title if isinstance(title, str) else ""


# Keywords with no effect on validation (oasdiff's schemaDiffWithoutAnnotationChanges)
ANNOTATION_KEYWORDS = frozenset(("title", "description", "default", "example", "examples", "externalDocs", "$comment"))


def has_validation_changes(diff: SchemaDiff | None) -> bool:
    """True when a schema diff changes more than annotations (title, description, examples...)."""
    if diff is None:
        return False
    seen: set[int] = set()
    stack = [diff]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if node.circular or node.properties_added or node.properties_removed or (node.changed - ANNOTATION_KEYWORDS):
            return True
        for lists in node.subschemas.values():
            if lists.added or lists.removed:
                return True
            stack.extend(child for _b, _r, child in lists.modified)
        stack.extend(node.properties.values())
        stack.extend(node.others.values())
        stack.extend(c for c in (node.items, node.additional_properties, node.not_) if c is not None)
    return False


class SchemaDiffer:
    """Computes schema diffs between two specs; one instance per ``diff_specs`` call."""

    def __init__(self, base_spec: Spec, revision_spec: Spec, equivalence: Equivalence):
        self.base = base_spec
        self.revision = revision_spec
        self.equivalence = equivalence
        self._memo: dict[tuple[str, str], SchemaDiff | None] = {}
        self.match_inline_refs = True  # oasdiff's diff.Config.MatchInlineRefs (set from Options)
        self._base_stack: list[str] = []  # ref locations being visited, per side (cycle guard)
        self._revision_stack: list[str] = []

    def diff(
        self, base_node: JSON, base_location: str, revision_node: JSON, revision_location: str
    ) -> SchemaDiff | None:
        base, base_loc, base_ref = self.base.deref(base_node, base_location)
        revision, rev_loc, rev_ref = self.revision.deref(revision_node, revision_location)
        base_cycle = base_ref is not None and base_ref in self._base_stack
        rev_cycle = rev_ref is not None and rev_ref in self._revision_stack
        if base_cycle or rev_cycle:
            if base_cycle and rev_cycle and _ref_name(base_ref) == _ref_name(rev_ref):
                return None  # both sides loop back to the same schema: treated as equal (as oasdiff)
            return SchemaDiff(base, revision, base_loc, rev_loc, base_ref, rev_ref, circular=True)
        key = (base_loc, rev_loc)
        if key in self._memo:
            return self._memo[key]
        if self.equivalence.unchanged(base, revision, base_loc):
            self._memo[key] = None
            return None
        if len(self._base_stack) + len(self._revision_stack) > 2 * MAX_SCHEMA_DEPTH:
            raise SpecError(f"schema nested too deeply at {base_loc}")
        if base_ref:
            self._base_stack.append(base_ref)
        if rev_ref:
            self._revision_stack.append(rev_ref)
        try:
            result = self._compare(base, revision, base_loc, rev_loc, base_ref, rev_ref)
        finally:
            if base_ref:
                self._base_stack.pop()
            if rev_ref:
                self._revision_stack.pop()
        self._memo[key] = result
        return result

    # ----------------------------------------------------------------------------------
    def _compare(
        self, base: JSON, revision: JSON, base_loc: str, rev_loc: str, base_ref: str | None, rev_ref: str | None
    ) -> SchemaDiff | None:
        result = SchemaDiff(base, revision, base_loc, rev_loc, base_ref, rev_ref)
        if not isinstance(base, dict) or not isinstance(revision, dict):
            if base != revision:  # boolean schemas (3.1) or junk
                result.changed.add("$schema-value")
            return None if result.is_empty() else result
        for keyword in base.keys() | revision.keys():
            in_base, in_rev = keyword in base, keyword in revision
            if keyword in _STRUCTURAL:
                if in_base != in_rev and keyword not in ("properties", "$ref"):
                    result.changed.add(keyword)
                continue
            if not (in_base and in_rev) or base[keyword] != revision[keyword]:
                result.changed.add(keyword)
        self._compare_properties(result, base, revision, base_loc, rev_loc)
        for keyword, attribute in (
            ("items", "items"),
            ("additionalProperties", "additional_properties"),
            ("not", "not_"),
        ):
            if keyword in base and keyword in revision:
                b, r = base[keyword], revision[keyword]
                if isinstance(b, dict) and isinstance(r, dict):
                    setattr(
                        result,
                        attribute,
                        self.diff(b, join_pointer(base_loc, keyword), r, join_pointer(rev_loc, keyword)),
                    )
                elif b != r:
                    result.changed.add(keyword)
        self._compare_extra(result, base, revision, base_loc, rev_loc)
        for keyword in _SUBSCHEMA_LIST_KEYWORDS:
            if isinstance(base.get(keyword), list) or isinstance(revision.get(keyword), list):
                lists = self._compare_subschemas(keyword, base, revision, base_loc, rev_loc)
                if lists.added or lists.removed or lists.modified:
                    result.subschemas[keyword] = lists
        return None if result.is_empty() else result

    def _compare_extra(
        self, result: SchemaDiff, base: JSONObject, revision: JSONObject, base_loc: str, rev_loc: str
    ) -> None:
        pairs: list[tuple[str, tuple[str, ...], JSON, JSON]] = []  # (segment, pointer tokens, base, revision)
        for keyword in _EXTRA_SINGLE:
            if keyword in base and keyword in revision:
                pairs.append((keyword, (keyword,), base[keyword], revision[keyword]))
        # prefixItems is a subschema list in oasdiff (PrefixItemsDiff is a SubschemasDiff): see
        # _SUBSCHEMA_LIST_KEYWORDS; its presence change is recorded in ``changed`` like the others.
        for keyword in _EXTRA_MAPS:
            b_map, r_map = base.get(keyword), revision.get(keyword)
            if isinstance(b_map, dict) and isinstance(r_map, dict):
                if b_map.keys() != r_map.keys():
                    result.changed.add(keyword)
                pairs += [(f"{keyword}[{k}]", (keyword, k), b_map[k], r_map[k]) for k in b_map if k in r_map]
        for segment, tokens, b, r in pairs:
            if isinstance(b, dict) and isinstance(r, dict):
                child = self.diff(b, join_pointer(base_loc, *tokens), r, join_pointer(rev_loc, *tokens))
                if child is not None:
                    result.others[segment] = child
            elif b != r:
                result.changed.add(tokens[0])

    def _compare_properties(
        self, result: SchemaDiff, base: JSONObject, revision: JSONObject, base_loc: str, rev_loc: str
    ) -> None:
        base_props = base.get("properties") or {}
        rev_props = revision.get("properties") or {}
        if not isinstance(base_props, dict) or not isinstance(rev_props, dict):
            if base_props != rev_props:
                result.changed.add("properties")
            return
        if base_props is rev_props:
            return
        base_props_loc = join_pointer(base_loc, "properties")
        rev_props_loc = join_pointer(rev_loc, "properties")
        for name, schema in base_props.items():
            if name not in rev_props:
                result.properties_removed.append(name)
                continue
            child = self.diff(
                schema, join_pointer(base_props_loc, name), rev_props[name], join_pointer(rev_props_loc, name)
            )
            if child is not None:
                result.properties[name] = child
        result.properties_added.extend(name for name in rev_props if name not in base_props)

    def _compare_subschemas(
        self, keyword: str, base: JSONObject, revision: JSONObject, base_loc: str, rev_loc: str
    ) -> SubschemaListDiff:
        """Pair subschemas as oasdiff's getSubschemasDiff does.

        1. $ref subschemas by ref (modified when the targets differ), the rest added/removed;
        2. inline subschemas: identical ones are unchanged; the others pair by (non-empty)
           title; when exactly one unmatched inline subschema without a title is left on
           each side, they are one modified subschema;
        3. with match_inline_refs, an unmatched removed/added pair across the inline/$ref
           boundary that validates the same (annotations aside) is dropped from both lists.
        """
        base_items = self._subschemas(self.base, base.get(keyword), join_pointer(base_loc, keyword))
        rev_items = self._subschemas(self.revision, revision.get(keyword), join_pointer(rev_loc, keyword))
        lists = SubschemaListDiff()
        # 1. by $ref
        unmatched_rev_refs = [r for r in rev_items if r.ref]
        for item in (b for b in base_items if b.ref):
            partner = next((r for r in unmatched_rev_refs if r.ref == item.ref), None)
            if partner is None:
                lists.removed.append(item)
                continue
            unmatched_rev_refs.remove(partner)
            self._add_modified(lists, item, partner)
        if lists.removed and unmatched_rev_refs:  # 1b. a component renamed, its content the same
            self._drop_renamed(lists, unmatched_rev_refs)
        lists.added.extend(unmatched_rev_refs)
        # 2. inline
        base_inline = [b for b in base_items if not b.ref]
        rev_inline = [r for r in rev_items if not r.ref]
        added = self._not_contained(rev_inline, base_inline, revision_side=True)
        removed = self._not_contained(base_inline, rev_inline, revision_side=False)
        matched_titles: set[str] = set()
        for partner in list(added):
            title = _title(partner.schema)
            if not title or title in matched_titles:
                continue
            same_title = next((b for b in removed if _title(b.schema) == title), None)
            if same_title is not None:
                matched_titles.add(title)
                added.remove(partner)
                removed.remove(same_title)
                self._add_modified(lists, same_title, partner)
        if len(added) == 1 and len(removed) == 1 and not _title(added[0].schema) and not _title(removed[0].schema):
            self._add_modified(lists, removed.pop(), added.pop())
        lists.removed.extend(removed)
        lists.added.extend(added)
        # 3. inline <-> $ref refactors
        if self.match_inline_refs and lists.removed and lists.added:
            self._reconcile_inline_refs(lists)
        return lists

    def _drop_renamed(self, lists: SubschemaListDiff, added: list[Subschema]) -> None:
        """Drop each removed $ref member whose target is unchanged under another name among the added
        ones (``#/components/schemas/Pet`` -> ``.../Animal``, same content): clients cannot tell the
        difference, so it is neither a member removed nor one added (oasdiff reports both)."""
        kept: list[Subschema] = []
        for item in lists.removed:
            partner = next(
                (a for a in added if self.diff(item.raw, item.raw_location, a.raw, a.raw_location) is None), None
            )
            if partner is None:
                kept.append(item)
            else:
                added.remove(partner)
        lists.removed = kept

    def _add_modified(self, lists: SubschemaListDiff, item: Subschema, partner: Subschema) -> None:
        child = self.diff(item.raw, item.raw_location, partner.raw, partner.raw_location)
        if child is not None:
            lists.modified.append((item, partner, child))

    def _not_contained(self, items: list[Subschema], others: list[Subschema], revision_side: bool) -> list[Subschema]:
        """Items with no identical counterpart among ``others`` (each counterpart used once)."""
        result: list[Subschema] = []
        used: set[int] = set()
        for item in items:
            found = None
            for index, other in enumerate(others):
                if index in used:
                    continue
                b, r = (other, item) if revision_side else (item, other)
                if self.equivalence.unchanged(b.schema, r.schema, b.location):
                    found = index
                    break
            if found is None:
                result.append(item)
            else:
                used.add(found)
        return result

    def _reconcile_inline_refs(self, lists: SubschemaListDiff) -> None:
        matched_added: set[int] = set()
        kept_removed: list[Subschema] = []
        for item in lists.removed:
            partner = next(
                (
                    a
                    for i, a in enumerate(lists.added)
                    if i not in matched_added
                    and bool(a.ref) != bool(item.ref)
                    and self.validation_equivalent(item.raw, item.raw_location, a.raw, a.raw_location)
                ),
                None,
            )
            if partner is None:
                kept_removed.append(item)
            else:
                matched_added.add(next(i for i, a in enumerate(lists.added) if a is partner))
        lists.removed = kept_removed
        lists.added = [a for i, a in enumerate(lists.added) if i not in matched_added]

    def validation_equivalent(
        self, base_node: JSON, base_location: str, revision_node: JSON, revision_location: str
    ) -> bool:
        """oasdiff's SchemaRefsValidationEquivalent: no difference but annotations (fresh cycle state)."""
        fresh = SchemaDiffer(self.base, self.revision, self.equivalence)
        fresh.match_inline_refs = self.match_inline_refs
        return not has_validation_changes(fresh.diff(base_node, base_location, revision_node, revision_location))

    @staticmethod
    def _subschemas(spec: Spec, items: JSON, location: str) -> list[Subschema]:
        if not isinstance(items, list):
            return []
        result: list[Subschema] = []
        for index, node in enumerate(items):
            item_loc = join_pointer(location, index)
            target, target_loc, ref = spec.deref(node, item_loc)
            result.append(Subschema(index, target, target_loc, ref, node, item_loc))
        return result
