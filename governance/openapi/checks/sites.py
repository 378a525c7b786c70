"""Schema sites: where a changed schema sits in an operation, and walks over its diff tree."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

from ..diff import OperationDiff, SchemaDiff
from ..pointers import join_pointer

if TYPE_CHECKING:
    from ..jsontypes import JSON
    from ..model import AddFinding, PointerArg

REQUEST, RESPONSE = "request", "response"

# A finding computed once per schema diff, emitted on every site using it (``stamp``):
# (rule_id, args, base_pointer, revision_pointer)
Stamp: TypeAlias = tuple[str, tuple[object, ...], str | None, str | None]
# walk_modified: (property path, property name, diff, parent diff)
Modified: TypeAlias = tuple[str, str, SchemaDiff, SchemaDiff]
# changed_nodes: (full property name, diff, parent diff)
Changed: TypeAlias = tuple[str, SchemaDiff, SchemaDiff]
# walk_added / walk_removed: (property path, property name, the property's schema as written, parent diff)
Presence: TypeAlias = tuple[str, str, "JSON", SchemaDiff]


@dataclass
class SchemaSite:
    op: OperationDiff
    kind: str  # "parameter" | "request-body" | "response-body" | "response-header"
    diff: SchemaDiff  # the root schema diff at this site
    media_type: str | None = None
    status: str | None = None
    param_in: str | None = None
    param_name: str | None = None
    header: str | None = None
    direction: str = field(init=False)  # "request" | "response" (read by most checks: set once)
    _add: AddFinding | None = field(init=False, repr=False)  # the Emitter's positional fast path, if any
    # the operation's method and path, read on every emit()/stamp() (hot: one lookup, not two)
    _method: str = field(init=False, repr=False)
    _path: str = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.direction = RESPONSE if self.kind.startswith("response") else REQUEST
        self._add = getattr(self.op.spec_diff.emit, "add", None)
        self._method, self._path = self.op.method, self.op.path

    @cached_property
    def media_details(self) -> str:
        """oasdiff's formatMediaTypeDetails: "(media type: X)" when several media types of the
        request body / response changed, else "". Computed once per site: ~25 checks ask for it."""
        if self.media_type is None or self.kind not in ("request-body", "response-body"):
            return ""
        if self.kind == "request-body":
            body = self.op.request_body
            count = len(body.content.modified) if body is not None else 0
        else:
            response = self.op.responses.modified.get(self.status) if self.status is not None else None
            count = len(response.content.modified) if response is not None else 0
        return f"(media type: {self.media_type})" if count > 1 else ""

    def emit(
        self,
        rule_id: str,
        *args: object,
        base_pointer: PointerArg = ...,
        revision_pointer: PointerArg = ...,
        details: str = "",
    ) -> None:
        """Like OperationDiff.emit; pointers default to the site's root schemas."""
        if base_pointer is ...:
            base_pointer = self.diff.base_pointer
        if revision_pointer is ...:
            revision_pointer = self.diff.revision_pointer
        if self._add is not None:  # hot path (Stripe: ~70k findings): no keyword-argument re-packing
            self._add(rule_id, args, self._method, self._path, base_pointer, revision_pointer, details)
        else:
            op = self.op
            op.spec_diff.emit(
                rule_id,
                *args,
                operation=op.method,
                path=op.path,
                base_pointer=base_pointer,
                revision_pointer=revision_pointer,
                details=details,
            )


def stamp(site: SchemaSite, findings: list[Stamp], *suffix: object, details: str = "") -> None:
    """Emit findings that were computed once per schema diff (cached on it by the caller) on this site.

    ``findings``: (rule_id, args, base_pointer, revision_pointer) tuples; ``suffix`` (e.g. the response
    status) is appended to every ``args``. Stripe repeats the same schema findings on hundreds of
    operations, so this per-operation part is kept to one call per finding.
    """
    add = site._add
    if add is None:
        for rule_id, args, base_pointer, revision_pointer in findings:
            site.emit(
                rule_id, *args, *suffix, base_pointer=base_pointer, revision_pointer=revision_pointer, details=details
            )
        return
    method, path = site._method, site._path
    for rule_id, args, base_pointer, revision_pointer in findings:
        add(rule_id, args + suffix if suffix else args, method, path, base_pointer, revision_pointer, details)


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
            if media.item_schema is not None:  # 3.2 streamed items: the same checks, the same direction
                yield SchemaSite(op, "request-body", media.item_schema, media_type=name)
    for status, response in op.responses.modified.items():
        for name, media in response.content.modified.items():
            if media.schema is not None:
                yield SchemaSite(op, "response-body", media.schema, media_type=name, status=status)
            if media.item_schema is not None:
                yield SchemaSite(op, "response-body", media.item_schema, media_type=name, status=status)
        for name, header in response.headers_modified.items():
            if header.schema is not None:
                yield SchemaSite(op, "response-header", header.schema, status=status, header=name)


# --- walks over a schema diff tree, mirroring oasdiff's CheckModified/Added/DeletedPropertiesDiff ----

_JOIN, _SLASH, _PROPERTY = 0, 1, 2  # how a child's path is made from its parent's (see _shape)


def _shape(diff: SchemaDiff) -> list[tuple[int, str, SchemaDiff]]:
    """(how, segment or property name, child diff) for each changed child of a diff node.

    Depends on the node only, so it is cached on it: a shared component's diff is reached from
    hundreds of roots, and its subschema labels and segments are built once, not per walk.
    """
    shape: list[tuple[int, str, SchemaDiff]] | None = diff.walks.get("shape")
    if shape is not None:
        return shape
    shape = diff.walks["shape"] = []
    for kind, lists in diff.subschemas.items():
        for base_sub, rev_sub, child in lists.modified:
            label = base_sub.label()
            if rev_sub.label() != label:  # oasdiff's ModifiedSubschema.String
                label = f"{label} -> {rev_sub.label()}"
            # oasdiff: allOf/anyOf/oneOf via propertyFullName, prefixItems via "%s/prefixItems[%s]"
            shape.append((_SLASH if kind == "prefixItems" else _JOIN, f"{kind}[{label}]", child))
    if diff.items is not None:
        shape.append((_JOIN, "items", diff.items))
    for name, child in diff.properties.items():
        shape.append((_PROPERTY, name, child))
    if diff.additional_properties is not None:
        shape.append((_JOIN, "additionalProperties", diff.additional_properties))
    for segment, child in diff.others.items():  # 3.1 sub-schemas (oasdiff prints them after a "/")
        shape.append((_SLASH, segment, child))
    if diff.not_ is not None:  # oasdiff's schemawalk descends into `not` too ("%s/not")
        shape.append((_SLASH, "not", diff.not_))
    return shape


def _children(path: str, diff: SchemaDiff) -> list[tuple[str, str, SchemaDiff]]:
    """(property path, property name, child diff) for each changed child of a diff node."""
    children: list[tuple[str, str, SchemaDiff]] = []
    for how, segment, child in _shape(diff):
        if how == _PROPERTY:
            children.append((path, segment, child))
        elif how == _JOIN:
            children.append((f"{path}/{segment}" if path else segment, "", child))
        else:
            children.append((f"{path}/{segment}", "", child))
    return children


def _join(path: str, segment: str) -> str:
    return segment if not path else f"{path}/{segment}"


def full_name(path: str, name: str) -> str:
    """oasdiff's propertyFullName."""
    return _join(path, name) if name else path


def walk_modified(root: SchemaDiff) -> list[Modified]:
    """(property path, property name, diff, parent diff) for every changed property below the root.

    Each diff node is visited once per root, at the first property path that reaches it:
    memoised $ref diffs make the tree a DAG, and Stripe-like specs would otherwise fan out
    into hundreds of thousands of paths. The result is cached on the root (shared by all
    operations using that schema).
    """
    cached: list[Modified] | None = root.walks.get("modified")
    if cached is None:
        cached = root.walks["modified"] = _walk_modified(root)
    return cached


def _walk_modified(root: SchemaDiff) -> list[Modified]:
    result: list[Modified] = []
    seen = {id(root)}
    stack: list[tuple[str, str, SchemaDiff, SchemaDiff | None]] = [("", "", root, None)]
    while stack:
        path, name, diff, parent = stack.pop()
        if parent is not None:
            result.append((path, name, diff, parent))
        shape = diff.walks.get("shape") or _shape(diff)
        if not shape:
            continue
        child_path = (f"{path}/{name}" if path else name) if name else path
        # filtered against ``seen`` before adding them: a child listed twice by one node is kept twice
        children = [c for c in _children(child_path, diff) if id(c[2]) not in seen]
        seen.update(id(c[2]) for c in children)
        for sub_path, sub_name, child in reversed(children):
            stack.append((sub_path, sub_name, child, diff))
    return result


def changed_nodes(root: SchemaDiff, keyword: str) -> list[Changed]:
    """(full property name, diff, parent) for the nodes below the root (both sides schema objects)
    whose ``keyword`` changed, in ``walk_modified`` order.

    One pass over the walk indexes every changed keyword, cached on the root: a check that cares
    about one keyword (required, discriminator, deprecated...) then touches only those nodes
    instead of re-walking the whole tree for every operation that uses the schema.
    """
    index: dict[str, list[Changed]] | None = root.walks.get("changed-index")
    if index is None:
        index = root.walks["changed-index"] = {}
        for path, name, diff, parent in walk_modified(root):
            if isinstance(diff.base, dict) and isinstance(diff.revision, dict):
                entry = (full_name(path, name), diff, parent)
                for changed in diff.changed:
                    index.setdefault(changed, []).append(entry)
    return index.get(keyword, [])


def walk_added(root: SchemaDiff) -> list[Presence]:
    """(property path, property name, revision schema, parent diff) for each added property."""
    return _cached_presence(root, "properties_added", SchemaDiff.new)


def walk_removed(root: SchemaDiff) -> list[Presence]:
    """(property path, property name, base schema, parent diff) for each removed property."""
    return _cached_presence(root, "properties_removed", SchemaDiff.old)


def _cached_presence(root: SchemaDiff, attribute: str, side: Callable[[SchemaDiff, str], Any]) -> list[Presence]:
    """``side``: SchemaDiff.new or .old, the side where the listed properties are."""
    cached: list[Presence] | None = root.walks.get(attribute)
    if cached is None:
        cached = root.walks[attribute] = []
        nodes = [("", "", root)] + [(p, n, d) for p, n, d, _parent in walk_modified(root)]
        for path, name, diff in nodes:
            names: list[str] = getattr(diff, attribute)
            if names:  # most nodes have none: their path is not even joined
                props = side(diff, "properties") or {}
                path = _join(path, name) if name else path
                cached.extend((path, added, props.get(added), diff) for added in names)
    return cached


def property_pointers(parent: SchemaDiff, name: str) -> tuple[str | None, str | None]:
    """Pointers of property ``name`` of ``parent`` on each side (None where absent), cached on the
    parent: a shared diff's added property is listed under every root that reaches it (GitHub: ~10k
    entries for ~2k distinct properties)."""
    cache: dict[str, tuple[str | None, str | None]] | None = parent.walks.get("property-pointers")
    if cache is None:
        cache = parent.walks["property-pointers"] = {}
    pointers = cache.get(name)
    if pointers is None:
        base_props = parent.old("properties") or {}
        rev_props = parent.new("properties") or {}
        pointers = cache[name] = (
            join_pointer(parent.base_pointer, "properties", name) if name in base_props else None,
            join_pointer(parent.revision_pointer, "properties", name) if name in rev_props else None,
        )
    return pointers
