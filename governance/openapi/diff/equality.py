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
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import SpecError

if TYPE_CHECKING:
    from ..jsontypes import JSON
    from ..load import Spec

_REF_RE = re.compile(r'"\$ref": "((?:[^"\\]|\\.)*)"')
# Built once: json.dumps with non-default options builds a new encoder per call (~25 % of a small
# dump). No circular check: a cycle then ends in RecursionError instead of ValueError, handled alike.
_ENCODER = json.JSONEncoder(ensure_ascii=False, default=str, check_circular=False)


def refs_in(node: JSON) -> set[str]:
    """Every string value of a ``$ref`` key anywhere inside ``node`` (examples included)."""
    if not isinstance(node, (dict, list)):
        return set()
    if isinstance(node, dict) and not any(isinstance(v, (dict, list)) for v in node.values()):
        # a flat mapping (a lone {"$ref": ...}, a scalar-only schema): over half of the calls on GitHub,
        # where the encoder call itself would cost more than this look at the values
        ref = node.get("$ref")
        return {ref} if isinstance(ref, str) else set()
    try:
        text = _ENCODER.encode(node)
    except (TypeError, ValueError, RecursionError):
        return _refs_slow(node)
    found: set[str] = set()
    for raw in _REF_RE.findall(text):
        found.add(json.loads(f'"{raw}"') if "\\" in raw else raw)
    return found


def _refs_slow(node: JSON) -> set[str]:
    found: set[str] = set()
    stack: list[JSON] = [node]
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

    def __init__(self, base_spec: Spec, revision_spec: Spec):
        self.base = base_spec
        self.revision = revision_spec
        self._stable: dict[str, bool] = {}
        # id(node) -> (node, its refs): the same node (a shared response, parameter or media type)
        # is compared once per operation using it; the node is kept so that its id stays its own
        self._refs: dict[int, tuple[JSON, set[str]]] = {}

    def unchanged(self, base_node: JSON, revision_node: JSON, base_location: str = "") -> bool:
        if base_node is revision_node:
            return True
        if base_node != revision_node:
            return False
        return all(self._ref_stable(ref, base_location) for ref in self._refs_in(base_node))

    def _refs_in(self, node: JSON) -> set[str]:
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
        if cached is None:
            self._settle(location)
            cached = self._stable[location]
        return cached

    def _edges(self, location: str) -> tuple[bool, list[str]]:
        """(changed itself, the components it references) for one component."""
        try:
            base_target = self.base.node_at(location)
            revision_target = self.revision.node_at(location)
        except SpecError:
            return True, []
        if base_target != revision_target:
            return True, []  # changed: what it references no longer matters
        targets: list[str] = []
        for inner in sorted(self._refs_in(base_target)):
            try:
                targets.append(self.base.ref_location(inner, location))
            except SpecError:
                continue  # a URL inside an example, say: data, not a reference
        return False, targets

    def _settle(self, start: str) -> None:
        """Decide every component reachable from ``start`` through ``$ref``s.

        A component is unchanged when it is ``==`` on both sides and nothing it reaches changed,
        cycles included (Stripe has a 71-schema one). Tarjan's strongly-connected-components walk,
        iterative so a long chain of references can't exhaust the stack: every member of a cycle
        reaches every other, so a cycle is decided as one, when its root is popped. The answer is
        therefore the same whatever order sets and dicts iterate in.
        """
        index: dict[str, int] = {}
        low: dict[str, int] = {}
        changed: dict[str, bool] = {}
        stack: list[str] = []
        on_stack: set[str] = set()
        frames: list[tuple[str, Iterator[str]]] = []

        def enter(location: str) -> None:
            index[location] = low[location] = len(index)
            stack.append(location)
            on_stack.add(location)
            changed[location], targets = self._edges(location)
            frames.append((location, iter(targets)))

        enter(start)
        while frames:
            location, targets = frames[-1]
            for target in targets:
                settled = self._stable.get(target)
                if settled is not None:  # decided earlier (in this walk or a previous one)
                    changed[location] = changed[location] or not settled
                elif target not in index:
                    enter(target)
                    break
                elif target in on_stack:  # a cycle back into the current path
                    low[location] = min(low[location], index[target])
            else:
                frames.pop()
                if low[location] == index[location]:  # the root of a cycle (or a lone component)
                    members: list[str] = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        members.append(member)
                        if member == location:
                            break
                    unchanged = not any(changed[m] for m in members)
                    for member in members:
                        self._stable[member] = unchanged
                if frames:
                    parent = frames[-1][0]
                    low[parent] = min(low[parent], low[location])
                    changed[parent] = changed[parent] or changed[location]
