"""Shape detections several check families read: computed once per diff node and cached on it.

They live here, not in one family's module, so that the families import them in one direction only
(composition.py, transitions.py, wrapping.py and properties.py all read the oneOf-wrapping answer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..pointers import join_pointer

if TYPE_CHECKING:
    from ..diff import SchemaDiff, SpecDiff
    from ..jsontypes import JSONObject


def types_list(schema: JSONObject) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, str):
        return [kind]
    return list(kind) if isinstance(kind, list) else []


def one_of_wrapping(diff: SchemaDiff, spec_diff: SpecDiff) -> bool:
    """oasdiff's OneOfWrappingDiff non-empty: a concrete object (properties, no oneOf) became a oneOf
    of alternatives (no top-level type or properties) that carry at least one of its properties."""
    return bool(one_of_wrapping_moved(diff, spec_diff))


def one_of_wrapping_moved(diff: SchemaDiff, spec_diff: SpecDiff) -> frozenset[str]:
    """OneOfWrappingDiff.MovedProperties: the base property names found in some oneOf alternative
    (empty when the node is no oneOf wrapping). Cached on the diff node."""
    moved: frozenset[str] | None = diff.walks.get("one-of-wrapping")
    if moved is None:
        moved = diff.walks["one-of-wrapping"] = _one_of_wrapping_moved(diff, spec_diff)
    return moved


def _one_of_wrapping_moved(diff: SchemaDiff, spec_diff: SpecDiff) -> frozenset[str]:
    base, revision = diff.base, diff.revision
    if not isinstance(base, dict) or not isinstance(revision, dict):
        return frozenset()
    if base.get("oneOf") or not isinstance(base.get("properties"), dict) or not base["properties"]:
        return frozenset()
    alternatives = revision.get("oneOf")
    if not isinstance(alternatives, list) or not alternatives or revision.get("properties") or types_list(revision):
        return frozenset()
    names: set[str] = set()
    for index, node in enumerate(alternatives):
        target, _loc, _ref = spec_diff.revision.deref(node, join_pointer(diff.revision_pointer, "oneOf", index))
        if isinstance(target, dict) and isinstance(target.get("properties"), dict):
            names.update(target["properties"])
    return frozenset(name for name in base["properties"] if name in names)
