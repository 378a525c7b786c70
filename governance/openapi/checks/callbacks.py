"""Callbacks of an operation and links of its responses (beyond oasdiff, which walks neither).

A callback is a request the *server* sends to the client: its request body is what clients receive
and its responses what they send back, the reverse of an operation. Rather than run every schema
check in reverse, a changed callback operation is one WARN naming the parts that changed; a
callback or one of its operations removed is ERR (clients wait for calls that no longer come),
added is INFO. Links: added INFO, removed or changed WARN (clients following them must adapt).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..diff import HTTP_METHODS
from ..pointers import join_pointer
from .registry import operation_check

if TYPE_CHECKING:
    from ..diff import OperationDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec

_ANNOTATIONS = frozenset(("summary", "description", "externalDocs", "tags", "operationId"))


def _mapping(value: JSON) -> JSONObject:
    return value if isinstance(value, dict) else {}


def _resolved(spec: Spec, node: JSON, location: str) -> tuple[JSONObject, str]:
    target, location, _ = spec.deref(node, location)
    return _mapping(target), location


def _operations(spec: Spec, callback: JSONObject, location: str) -> dict[tuple[str, str], tuple[JSONObject, str]]:
    """(expression, METHOD) -> (operation, pointer) of one callback object."""
    found: dict[tuple[str, str], tuple[JSONObject, str]] = {}
    for expression, node in callback.items():
        item, item_loc = _resolved(spec, node, join_pointer(location, expression))
        for method in HTTP_METHODS:
            if isinstance(item.get(method), dict):
                found[(str(expression), method.upper())] = (item[method], join_pointer(item_loc, method))
    return found


@operation_check("ConsoleCallbacksCheck")
def callbacks_changed(op: OperationDiff) -> None:
    before, after = _mapping(op.base.get("callbacks")), _mapping(op.revision.get("callbacks"))
    if before == after and op.spec_diff.equivalence.unchanged(before, after, op.base_pointer):
        return
    spec_diff = op.spec_diff
    b_loc0, r_loc0 = join_pointer(op.base_pointer, "callbacks"), join_pointer(op.revision_pointer, "callbacks")
    for name in after:
        if name not in before:
            op.emit("callback-added", name, base_pointer=None, revision_pointer=join_pointer(r_loc0, name))
    for name, node in before.items():
        if name not in after:
            op.emit("callback-removed", name, base_pointer=join_pointer(b_loc0, name), revision_pointer=None)
            continue
        base, b_loc = _resolved(spec_diff.base, node, join_pointer(b_loc0, name))
        rev, r_loc = _resolved(spec_diff.revision, after[name], join_pointer(r_loc0, name))
        if spec_diff.equivalence.unchanged(base, rev, b_loc):
            continue
        old_ops, new_ops = _operations(spec_diff.base, base, b_loc), _operations(spec_diff.revision, rev, r_loc)
        for key, (_operation, pointer) in new_ops.items():
            if key not in old_ops:
                op.emit("callback-operation-added", name, key[1], key[0], base_pointer=None, revision_pointer=pointer)
        for key, (old_op, pointer) in old_ops.items():
            if key not in new_ops:
                op.emit("callback-operation-removed", name, key[1], key[0], base_pointer=pointer, revision_pointer=None)
                continue
            new_op, rev_pointer = new_ops[key]
            parts = [
                k
                for k in dict.fromkeys([*old_op, *new_op])
                if k not in _ANNOTATIONS
                and not str(k).startswith("x-")
                and not spec_diff.equivalence.unchanged(old_op.get(k), new_op.get(k), join_pointer(pointer, k))
            ]
            if parts:
                op.emit(
                    "callback-operation-changed",
                    name,
                    key[1],
                    key[0],
                    base_pointer=pointer,
                    revision_pointer=rev_pointer,
                    details="(" + ", ".join(str(p) for p in parts) + ")",
                )


@operation_check("ConsoleLinksCheck")
def response_links_changed(op: OperationDiff) -> None:
    spec_diff = op.spec_diff
    for status, response in op.responses.modified.items():
        before, after = _mapping(response.base.get("links")), _mapping(response.revision.get("links"))
        if before == after:
            continue
        b_loc0 = join_pointer(response.base_pointer, "links")
        r_loc0 = join_pointer(response.revision_pointer, "links")
        for name in after:
            if name not in before:
                op.emit(
                    "response-link-added", name, status, base_pointer=None, revision_pointer=join_pointer(r_loc0, name)
                )
        for name, node in before.items():
            if name not in after:
                op.emit(
                    "response-link-removed",
                    name,
                    status,
                    base_pointer=join_pointer(b_loc0, name),
                    revision_pointer=None,
                )
                continue
            old, b_loc = _resolved(spec_diff.base, node, join_pointer(b_loc0, name))
            new, r_loc = _resolved(spec_diff.revision, after[name], join_pointer(r_loc0, name))
            parts = [k for k in dict.fromkeys([*old, *new]) if k != "description" and old.get(k) != new.get(k)]
            if parts:
                op.emit(
                    "response-link-changed",
                    name,
                    status,
                    base_pointer=b_loc,
                    revision_pointer=r_loc,
                    details="(" + ", ".join(str(p) for p in parts) + ")",
                )
