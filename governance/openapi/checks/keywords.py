"""Schema keywords oasdiff does not compare, or compares only at some places (beyond oasdiff).

One check reads every changed node of a site's schema diff (the root and each node ``walk_modified``
reaches: properties, items, composition branches, 3.1 sub-schemas, behind ``$ref``s and cycles) and
reports each keyword change of ``console_rules.KEYWORDS`` by its direction-aware rule: the id is
``{place}-{keyword}-{change}`` (``request-property-max-properties-decreased``), the level is chosen
by ``console_rules.keyword_level``. Where oasdiff has the id, oasdiff's own family reports it and
this check stays silent (so nothing is said twice).

What a client cannot feel yields nothing: a keyword written out at its default value (``uniqueItems:
false``, ``minProperties: 0``, ``exclusiveMinimum: false``, ``additionalProperties: true``) reads as
absent; a property a client never sends (read-only, in requests) or never gets (write-only, in
responses) is skipped.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import TYPE_CHECKING, TypeAlias

from ..console_rules import KEYWORDS, KEYWORDS_CHECK, Keyword, keyword_rule_id
from ..rules import all_rules
from ._values import enum_diff, go_equal, is_number, pointers
from .registry import schema_check
from .sites import full_name, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff
    from ..jsontypes import JSON, JSONObject
    from .sites import SchemaSite

# One keyword change of one node, whatever the site: (property name or None at the root, keyword
# index in KEYWORDS, change word, values, base pointer, revision pointer, read-only, write-only)
Change: TypeAlias = tuple[str | None, int, str, tuple[object, ...], str | None, str | None, bool, bool]
# the same without the place (cached per diff node): (keyword index, word, values, base / revision pointer)
NodeChange: TypeAlias = tuple[int, str, tuple[object, ...], str | None, str | None]

_ROOT = {
    "parameter": "request-parameter",
    "request-body": "request-body",
    "response-body": "response-body",
    "response-header": "response-header",
}
_NESTED = {
    "parameter": "request-parameter-property",
    "request-body": "request-property",
    "response-body": "response-property",
    "response-header": "response-header-property",
}
_BY_KEYWORD: dict[str, list[int]] = {}
for _index, _entry in enumerate(KEYWORDS):
    _BY_KEYWORD.setdefault(_entry.keyword, []).append(_index)
_KEYWORD_SET = frozenset(_BY_KEYWORD)


@lru_cache(maxsize=1)
def _console_ids() -> frozenset[str]:
    return frozenset(r.id for r in all_rules().values() if r.check == KEYWORDS_CHECK)


@cache
def _rule(prefix: str, index: int, word: str) -> str | None:
    """The console rule id for this place, keyword and change; None where oasdiff has it."""
    rule_id = keyword_rule_id(prefix, KEYWORDS[index], word)
    return rule_id if rule_id in _console_ids() and prefix in KEYWORDS[index].prefixes else None


def _get(schema: JSON, keyword: str) -> JSON:
    return schema.get(keyword) if isinstance(schema, dict) else None


def _number(value: JSON) -> int | float | None:
    return value if is_number(value) else None


def _bound(entry: Keyword, old: JSON, new: JSON) -> tuple[str, tuple[object, ...]] | None:
    words = entry.words
    if "became-exclusive" in words:  # 3.0: exclusiveMinimum / exclusiveMaximum as a boolean
        if is_number(old) or is_number(new) or bool(old) == bool(new):
            return None
        return ("became-exclusive" if new else "became-inclusive"), ()
    zero_absent = "set" not in words  # minLength / minItems / minProperties: absent is 0 (as oasdiff)
    if zero_absent:
        old, new = (0 if old is None else old), (0 if new is None else new)
    before, after = _number(old), _number(new)
    if before is not None and after is not None:
        if go_equal(before, after):
            return None
        return ("increased" if after > before else "decreased"), (before, after)
    if zero_absent:
        return None
    if before is None and after is not None and old is None:
        return "set", (after,)
    if before is not None and after is None and new is None:
        return "unset", (before,)
    return None


def _migrated_to_31(keyword: str, base: JSONObject, revision: JSONObject) -> bool:
    """``minimum: 1, exclusiveMinimum: true`` (3.0) rewritten as ``exclusiveMinimum: 1`` (3.1): the same bound."""
    exclusive = {"minimum": "exclusiveMinimum", "maximum": "exclusiveMaximum"}.get(keyword)
    if exclusive is None or base.get(exclusive) is not True:
        return False
    moved = revision.get(exclusive)
    return is_number(moved) and go_equal(moved, base.get(keyword))


def _multiple(old: JSON, new: JSON) -> tuple[str, tuple[object, ...]] | None:
    before, after = _number(old), _number(new)
    if before is None and after is not None:
        return "set", (after,)
    if before is not None and after is None:
        return "unset", (before,)
    if before is None or after is None or go_equal(before, after) or not before or not after:
        return None
    if (after / before).is_integer():
        return "narrowed", (before, after)
    if (before / after).is_integer():
        return "widened", (before, after)
    return "changed", (before, after)


def _value(keyword: str, old: JSON, new: JSON) -> tuple[str, tuple[object, ...]] | None:
    if keyword == "pattern":
        old, new = (old or None), (new or None)  # an empty pattern restricts nothing
    if old is None and new is None or go_equal(old, new):
        return None
    if old is None:
        return "added", (new,)
    if new is None:
        return "removed", (old,)
    return "changed", (old, new)


def _openness(value: JSON) -> int:
    """additionalProperties: 2 anything (absent, true, {}), 1 a schema, 0 nothing (false)."""
    if value is None or value is True or value == {}:
        return 2
    return 0 if value is False else 1


_OPENNESS_TEXT = ("false", "a schema", "true")


def _node_changes(diff: SchemaDiff) -> list[NodeChange]:
    """The keyword changes of one diff node, cached on it: a shared component's node is reached from
    hundreds of roots (Stripe: ~25k node visits for a few thousand nodes)."""
    cached: list[NodeChange] | None = diff.walks.get("console-node")
    if cached is None:
        cached = diff.walks["console-node"] = _compute_node_changes(diff) if diff.changed & _KEYWORD_SET else []
    return cached


def _compute_node_changes(diff: SchemaDiff) -> list[NodeChange]:
    changes: list[NodeChange] = []
    base, revision = diff.base, diff.revision

    def add(index: int, word: str, values: tuple[object, ...], keyword: str) -> None:
        where = pointers(diff, keyword) if keyword != "$schema-value" else None
        bp = where["base_pointer"] if where else diff.base_pointer
        rp = where["revision_pointer"] if where else diff.revision_pointer
        changes.append((index, word, values, bp, rp))

    for keyword in diff.changed:
        indexes = _BY_KEYWORD.get(keyword)
        if indexes is None:
            continue
        if keyword == "$schema-value":
            if (revision is False) != (base is False):
                add(indexes[0], "became-false" if revision is False else "became-true", (), keyword)
            continue
        if not isinstance(base, dict) or not isinstance(revision, dict):
            continue
        old, new = base.get(keyword), revision.get(keyword)
        for index in indexes:
            entry = KEYWORDS[index]
            words = entry.words
            found: tuple[str, tuple[object, ...]] | None
            if "increased" in words or "became-exclusive" in words:
                found = _bound(entry, old, new)
                if found is not None and found[0] == "unset" and _migrated_to_31(keyword, base, revision):
                    found = None
                if found is not None and found[0].startswith("became-"):
                    bound = "minimum" if keyword == "exclusiveMinimum" else "maximum"
                    value = revision.get(bound, base.get(bound))
                    found = (found[0], (value,)) if is_number(value) else None  # no bound beside it: no effect
            elif keyword == "multipleOf":
                found = _multiple(old, new)
            elif keyword == "uniqueItems":
                found = None if bool(old) == bool(new) else ("set" if new else "unset", (True,))
            elif keyword == "enum":
                for value in _enum_changes(diff):
                    add(index, value[0], (value[1],), keyword)
                found = None
            elif keyword == "required":
                old_names = set(old) if isinstance(old, list) else set()
                new_names = set(new) if isinstance(new, list) else set()
                for added in sorted(map(str, new_names - old_names)):
                    add(index, "property-became-required", (added,), keyword)
                for dropped in sorted(map(str, old_names - new_names)):
                    add(index, "property-became-optional", (dropped,), keyword)
                found = None
            elif keyword == "xml":
                found = ("changed", (old, new))
            elif keyword == "additionalProperties":
                before, after = _openness(old), _openness(new)
                found = None
                if before != after:
                    word = "narrowed" if after < before else "widened"
                    found = (word, (_OPENNESS_TEXT[before], _OPENNESS_TEXT[after]))
            elif entry.presence:
                found = None if (old is None) == (new is None) else ("added" if old is None else "removed", ())
            else:
                found = _value(keyword, old, new)
            if found is not None:
                add(index, found[0], found[1], keyword)
    return changes


def _enum_changes(diff: SchemaDiff) -> list[tuple[str, JSON]]:
    """Values added to / removed from an enum present on both sides (a whole enum set or dropped is
    oasdiff's became-enum, or a loosening that lists nothing)."""
    if not isinstance(diff.old("enum"), list) or not isinstance(diff.new("enum"), list):
        return []
    found = enum_diff(diff)
    if found is None:
        return []
    _enum_added, added, deleted = found
    return [("enum-value-added", v) for v in added] + [("enum-value-removed", v) for v in deleted]


def changes_of(root: SchemaDiff) -> list[Change]:
    """Every keyword change below (and at) a root, cached on it: shared by every site using it."""
    cached: list[Change] | None = root.walks.get("console-keywords")
    if cached is None:
        cached = [(None, *change, False, False) for change in _node_changes(root)]
        for path, name, diff, _parent in walk_modified(root):
            node = diff.walks.get("console-node")
            if node is None:
                node = _node_changes(diff)
            if node:
                revision = diff.revision
                read_only, write_only = bool(_get(revision, "readOnly")), bool(_get(revision, "writeOnly"))
                prop = full_name(path, name)
                cached += [(prop, *change, read_only, write_only) for change in node]
        root.walks["console-keywords"] = cached
    return cached


@schema_check(KEYWORDS_CHECK)
def schema_keywords_changed(site: SchemaSite) -> None:
    changes = changes_of(site.diff)
    if not changes:
        return
    kind = site.kind
    root_prefix, nested_prefix = _ROOT[kind], _NESTED[kind]
    request = site.direction == "request"
    details = site.media_details
    for name, index, word, values, bp, rp, read_only, write_only in changes:
        if name is not None and (read_only if request else write_only):
            continue  # a property clients never send / never receive here
        rule_id = _rule(root_prefix if name is None else nested_prefix, index, word)
        if rule_id is None:
            continue
        place: tuple[object, ...] = () if name is None else (name,)
        if kind == "parameter":
            if site.param_in == "header" and word.startswith("property-became-"):
                continue  # oasdiff's request-header-property-became-required says it
            args = (site.param_in, site.param_name, *place, *values)
        elif kind == "request-body":
            args = (*place, *values)
        elif kind == "response-body":
            args = (*place, *values, site.status)
        else:
            args = (*place, site.header, *values, site.status)
        site.emit(rule_id, *args, base_pointer=bp, revision_pointer=rp, details=details)
