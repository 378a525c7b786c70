"""Schema sites: where a changed schema sits in an operation, and walks over its diff tree."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Iterator, Optional

from ..diff import OperationDiff, SchemaDiff
from ..load import join_pointer

REQUEST, RESPONSE = "request", "response"



@dataclass
class SchemaSite:
    op: OperationDiff
    kind: str  # "parameter" | "request-body" | "response-body" | "response-header"
    diff: SchemaDiff  # the root schema diff at this site
    media_type: Optional[str] = None
    status: Optional[str] = None
    param_in: Optional[str] = None
    param_name: Optional[str] = None
    header: Optional[str] = None

    @property
    def direction(self) -> str:
        return RESPONSE if self.kind.startswith("response") else REQUEST

    def emit(self, rule_id: str, *args, base_pointer=..., revision_pointer=..., details: str = "") -> None:
        """Like OperationDiff.emit; pointers default to the site's root schemas."""
        if base_pointer is ...:
            base_pointer = self.diff.base_pointer
        if revision_pointer is ...:
            revision_pointer = self.diff.revision_pointer
        op = self.op  # straight to the emitter (hot path), same as op.emit
        op.spec_diff.emit(rule_id, *args, operation=op.method, path=op.path, base_pointer=base_pointer,
                          revision_pointer=revision_pointer, details=details)


def sites_of(op: OperationDiff) -> Iterator[SchemaSite]:
    """Every changed schema root of an operation (computed lazily, schema diffs memoised)."""
    for param in op.parameters.modified:
        if param.schema is not None:
            yield SchemaSite(op, "parameter", param.schema, param_in=param.base.in_, param_name=param.base.name)
    body = op.request_body
    if body is not None:
        for name, media in body.content.modified.items():
            if media.schema is not None:
                yield SchemaSite(op, "request-body", media.schema, media_type=name)
    for status, response in op.responses.modified.items():
        for name, media in response.content.modified.items():
            if media.schema is not None:
                yield SchemaSite(op, "response-body", media.schema, media_type=name, status=status)
        for name, header in response.headers_modified.items():
            if header.schema is not None:
                yield SchemaSite(op, "response-header", header.schema, status=status, header=name)


# --- walks over a schema diff tree, mirroring oasdiff's CheckModified/Added/DeletedPropertiesDiff ----

def _children(path: str, diff: SchemaDiff) -> Iterator[tuple[str, str, SchemaDiff]]:
    """(property path, property name, child diff) for each changed child of a diff node."""
    for kind, lists in diff.subschemas.items():
        for base_sub, rev_sub, child in lists.modified:
            label = base_sub.label()
            if rev_sub.label() != label:  # oasdiff's ModifiedSubschema.String
                label = f"{label} -> {rev_sub.label()}"
            segment = f"{kind}[{label}]"
            # oasdiff: allOf/anyOf/oneOf via propertyFullName, prefixItems via "%s/prefixItems[%s]"
            yield (f"{path}/{segment}" if kind == "prefixItems" else _join(path, segment)), "", child
    if diff.items is not None:
        yield _join(path, "items"), "", diff.items
    for name, child in diff.properties.items():
        yield path, name, child
    if diff.additional_properties is not None:
        yield _join(path, "additionalProperties"), "", diff.additional_properties
    for segment, child in diff.others.items():  # 3.1 sub-schemas (oasdiff prints them after a "/")
        yield f"{path}/{segment}", "", child
    if diff.not_ is not None:  # oasdiff's schemawalk descends into `not` too ("%s/not")
        yield f"{path}/not", "", diff.not_


def _join(path: str, segment: str) -> str:
    return segment if not path else f"{path}/{segment}"


def full_name(path: str, name: str) -> str:
    """oasdiff's propertyFullName."""
    return _join(path, name) if name else path


def walk_modified(root: SchemaDiff) -> list[tuple[str, str, SchemaDiff, Optional[SchemaDiff]]]:
    """(property path, property name, diff, parent diff) for every changed property below the root.

    Each diff node is visited once per root, at the first property path that reaches it:
    memoised $ref diffs make the tree a DAG, and Stripe-like specs would otherwise fan out
    into hundreds of thousands of paths. The result is cached on the root (shared by all
    operations using that schema).
    """
    cached = root.walks.get("modified")
    if cached is None:
        cached = root.walks["modified"] = list(_walk_modified(root))
    return cached


def _walk_modified(root):
    seen = {id(root)}
    stack = [("", "", root, None)]
    while stack:
        path, name, diff, parent = stack.pop()
        if parent is not None:
            yield path, name, diff, parent
        child_path = _join(path, name) if name else path
        children = [c for c in _children(child_path, diff) if id(c[2]) not in seen]
        seen.update(id(c[2]) for c in children)
        for sub_path, sub_name, child in reversed(children):
            stack.append((sub_path, sub_name, child, diff))


def walk_added(root: SchemaDiff) -> list[tuple[str, str, Any, SchemaDiff]]:
    """(property path, property name, revision schema, parent diff) for each added property."""
    return _cached_presence(root, "properties_added", lambda d: d.revision)


def walk_removed(root: SchemaDiff) -> list[tuple[str, str, Any, SchemaDiff]]:
    """(property path, property name, base schema, parent diff) for each removed property."""
    return _cached_presence(root, "properties_removed", lambda d: d.base)


def _cached_presence(root: SchemaDiff, attribute: str, side: Callable) -> list:
    cached = root.walks.get(attribute)
    if cached is None:
        cached = root.walks[attribute] = []
        nodes = [("", root)] + [(_join(p, n) if n else p, d) for p, n, d, _parent in walk_modified(root)]
        for path, diff in nodes:
            for name in getattr(diff, attribute):
                cached.append((path, name, (side(diff).get("properties") or {}).get(name), diff))
    return cached


def property_pointers(parent: SchemaDiff, name: str) -> tuple[Optional[str], Optional[str]]:
    base_props = parent.old("properties") or {}
    rev_props = parent.new("properties") or {}
    return (join_pointer(parent.base_pointer, "properties", name) if name in base_props else None,
            join_pointer(parent.revision_pointer, "properties", name) if name in rev_props else None)
