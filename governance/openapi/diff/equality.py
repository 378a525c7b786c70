"""Fast "nothing changed here" test between a base and a revision subtree.

Plain ``==`` on the parsed objects runs in C, so consecutive-commit pairs are
mostly skipped without a Python walk. But ``==`` alone is not enough: two
identical ``$ref: '#/components/schemas/X'`` strings hide a change if X itself
changed. So a subtree counts as unchanged when it is ``==`` *and* every local
``$ref`` it contains (transitively) points at a component that is unchanged too.
The refs inside a subtree are found by serialising it with the C json encoder
and scanning for ``"$ref": "..."`` — much faster than a Python walk.
"""
from __future__ import annotations

import json
import re
from typing import Any

from ..errors import SpecError

_REF_RE = re.compile(r'"\$ref": "((?:[^"\\]|\\.)*)"')


def refs_in(node: Any) -> set[str]:
    """Every string value of a ``$ref`` key anywhere inside ``node`` (examples included)."""
    if not isinstance(node, (dict, list)):
        return set()
    try:
        text = json.dumps(node, ensure_ascii=False, default=str)
    except (TypeError, ValueError, RecursionError):
        return _refs_slow(node)
    found = set()
    for raw in _REF_RE.findall(text):
        found.add(json.loads(f'"{raw}"') if "\\" in raw else raw)
    return found


def _refs_slow(node: Any) -> set[str]:
    found, stack = set(), [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str):
                found.add(ref)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return found


class Equivalence:
    """Memoised "unchanged" test for subtrees at the same place in both specs."""

    def __init__(self, base_spec, revision_spec):
        self.base = base_spec
        self.revision = revision_spec
        self._stable: dict[str, bool] = {}
        # id(node) -> (node, its refs): the same node (a shared response, parameter or media type)
        # is compared once per operation using it; the node is kept so that its id stays its own
        self._refs: dict[int, tuple[Any, set[str]]] = {}

    def unchanged(self, base_node: Any, revision_node: Any, base_location: str = "") -> bool:
        if base_node is revision_node:
            return True
        if base_node != revision_node:
            return False
        return all(self._ref_stable(ref, base_location) for ref in self._refs_in(base_node))

    def _refs_in(self, node: Any) -> set[str]:
        cached = self._refs.get(id(node))
        if cached is None or cached[0] is not node:
            cached = self._refs[id(node)] = (node, refs_in(node))
        return cached[1]

    def _ref_stable(self, ref: str, at: str) -> bool:
        try:
            location = self.base.ref_location(ref, at)
        except SpecError:
            return True  # not a resolvable local reference (e.g. a URL inside an example): plain data
        cached = self._stable.get(location)
        if cached is not None:
            return cached
        self._stable[location] = True  # optimistic while in progress: cycles settle as unchanged
        try:
            base_target = self.base.node_at(location)
            revision_target = self.revision.node_at(location)
        except SpecError:
            result = False
        else:
            result = base_target == revision_target and all(
                self._ref_stable(inner, location) for inner in self._refs_in(base_target))
        self._stable[location] = result
        return result
