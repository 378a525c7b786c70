"""Stage 2: match paths, operations and their parts between base and revision.

Paths are matched by shape (``/a/{id}`` matches ``/a/{key}``: parameter names are
normalised, as oasdiff does), operations by HTTP method. Only pairs whose content
differs become ``OperationDiff``s; unchanged subtrees are skipped by ``Equivalence``.
Everything below the operation level is computed lazily, on first use by a check.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..options import Options
from ..pointers import join_pointer
from . import operations
from .equality import Equivalence
from .schema import SchemaDiffer

if TYPE_CHECKING:
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from ..model import Emit, PointerArg

# "query": OpenAPI 3.2's QUERY method (a safe request with a body); an invalid key before 3.2, so harmless there
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace", "query")
_TEMPLATE = re.compile(r"\{[^}/]*\}")


def path_operations(item: JSONObject, location: str) -> dict[str, tuple[JSONObject, str]]:
    """METHOD -> (operation, pointer) of a path item: the fixed fields, then OpenAPI 3.2's
    ``additionalOperations`` (custom methods, ``COPY``; a fixed method spelled there is ignored, as the
    spec forbids it)."""
    found: dict[str, tuple[JSONObject, str]] = {}
    for method in HTTP_METHODS:
        operation = item.get(method)
        if isinstance(operation, dict):
            found[method.upper()] = (operation, join_pointer(location, method))
    extra = item.get("additionalOperations")
    if isinstance(extra, dict):
        for method, operation in extra.items():
            name = str(method).upper()
            if isinstance(operation, dict) and name not in found and str(method).lower() not in HTTP_METHODS:
                found[name] = (operation, join_pointer(location, "additionalOperations", method))
    return found


def path_shape(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def path_params(path: str) -> list[str]:
    return [m.group(0)[1:-1] for m in _TEMPLATE.finditer(path)]


@dataclass
class OperationRef:
    """An operation present on one side only (added or removed)."""

    method: str  # upper-case
    path: str
    operation: JSONObject
    location: str


@dataclass
class PathItemRef:
    path: str
    item: JSONObject
    location: str
    operations: list[OperationRef]


class OperationDiff:
    """A pair of operations (same path shape and method) whose content differs."""

    def __init__(
        self,
        spec_diff: SpecDiff,
        method: str,
        path: str,
        revision_path: str,
        base: JSONObject,
        revision: JSONObject,
        base_pointer: str,
        revision_pointer: str,
        path_param_map: dict[str, str],
    ):
        self.spec_diff = spec_diff
        self.method = method  # upper-case, as findings report it
        self.path = path  # the base path: oasdiff keys matched paths by the base name
        self.revision_path = revision_path
        self.base = base
        self.revision = revision
        self.base_pointer = base_pointer
        self.revision_pointer = revision_pointer
        self.path_param_map = path_param_map

    @cached_property
    def parameters(self) -> operations.ParametersDiff:
        return operations.parameters_diff(self)

    @cached_property
    def request_body(self) -> operations.RequestBodyDiff | None:
        return operations.request_body_diff(self)

    @cached_property
    def responses(self) -> operations.ResponsesDiff:
        return operations.responses_diff(self)

    def field_pointers(self, keyword: str) -> tuple[str | None, str | None]:
        """Pointers of an operation field in each side, None where absent."""
        return (
            join_pointer(self.base_pointer, keyword) if keyword in self.base else None,
            join_pointer(self.revision_pointer, keyword) if keyword in self.revision else None,
        )

    def emit(
        self,
        rule_id: str,
        *args: object,
        base_pointer: PointerArg = ...,
        revision_pointer: PointerArg = ...,
        details: str = "",
    ) -> None:
        """Emit a finding on this operation. Pointers default to the operations'; pass None for "absent"."""
        self.spec_diff.emit(
            rule_id,
            *args,
            operation=self.method,
            path=self.path,
            base_pointer=self.base_pointer if base_pointer is ... else base_pointer,
            revision_pointer=self.revision_pointer if revision_pointer is ... else revision_pointer,
            details=details,
        )


@dataclass
class PathPair:
    path: str  # base path name
    revision_path: str
    base: JSONObject
    revision: JSONObject
    base_pointer: str
    revision_pointer: str
    added: list[OperationRef] = field(default_factory=list)
    removed: list[OperationRef] = field(default_factory=list)
    modified: list[OperationDiff] = field(default_factory=list)


class SpecDiff:
    """The whole structural diff: what checks read. ``emit`` is bound by the engine."""

    def __init__(self, base_spec: Spec, revision_spec: Spec, emit: Emit, options: Options | None = None):
        self.base = base_spec
        self.revision = revision_spec
        self.emit = emit
        self.options = options if options is not None else Options()
        self.equivalence = Equivalence(base_spec, revision_spec)
        self.schemas = SchemaDiffer(base_spec, revision_spec, self.equivalence)
        self.schemas.match_inline_refs = self.options.match_inline_refs
        self.paths_added: list[PathItemRef] = []
        self.paths_removed: list[PathItemRef] = []
        self.paths_modified: list[PathPair] = []
        self.webhooks_added: list[PathItemRef] = []
        self.webhooks_removed: list[PathItemRef] = []
        self._match("paths", "", self.paths_added, self.paths_removed, self.paths_modified)
        if base_spec.is_31 or revision_spec.is_31:
            # oasdiff merges modified webhooks into the paths as "webhook:<name>"
            self._match("webhooks", "webhook:", self.webhooks_added, self.webhooks_removed, self.paths_modified)

    def modified_operations(self) -> Iterator[OperationDiff]:
        for pair in self.paths_modified:
            yield from pair.modified

    # ----------------------------------------------------------------------------------
    def _match(
        self, section: str, prefix: str, added: list[PathItemRef], removed: list[PathItemRef], modified: list[PathPair]
    ) -> None:
        base_paths = _mapping(self.base.root.get(section))
        rev_paths = _mapping(self.revision.root.get(section))
        if base_paths is rev_paths or (
            base_paths == rev_paths and self.equivalence.unchanged(base_paths, rev_paths, "/" + section)
        ):
            return
        by_shape: dict[str, list[str]] = {}
        for path in rev_paths:
            by_shape.setdefault(path_shape(str(path)), []).append(path)
        matched_rev: set[str] = set()
        for path, base_item in base_paths.items():
            partner = path if path in rev_paths else None
            if partner is None and section == "paths":
                candidates = [
                    p for p in by_shape.get(path_shape(str(path)), ()) if p not in matched_rev and p not in base_paths
                ]
                partner = candidates[0] if candidates else None
            b_loc = join_pointer("/" + section, path)
            if partner is None:
                removed.append(self._item_ref(self.base, prefix + str(path), base_item, b_loc))
                continue
            matched_rev.add(partner)
            r_loc = join_pointer("/" + section, partner)
            rev_item = rev_paths[partner]
            if self.equivalence.unchanged(base_item, rev_item, b_loc):
                continue
            modified.append(self._pair(prefix + str(path), prefix + str(partner), base_item, rev_item, b_loc, r_loc))
        for path, rev_item in rev_paths.items():
            if path not in matched_rev:
                added.append(
                    self._item_ref(self.revision, prefix + str(path), rev_item, join_pointer("/" + section, path))
                )

    def _item_ref(self, spec: Spec, path: str, node: JSON, location: str) -> PathItemRef:
        item, location, _ = spec.deref(node, location)
        item = item if isinstance(item, dict) else {}
        ops = [OperationRef(m, path, op, loc) for m, (op, loc) in path_operations(item, location).items()]
        return PathItemRef(path, item, location, ops)

    def _pair(self, path: str, revision_path: str, base_node: JSON, rev_node: JSON, b_loc: str, r_loc: str) -> PathPair:
        base, b_loc, _ = self.base.deref(base_node, b_loc)
        rev, r_loc, _ = self.revision.deref(rev_node, r_loc)
        base = base if isinstance(base, dict) else {}
        rev = rev if isinstance(rev, dict) else {}
        pair = PathPair(path, revision_path, base, rev, b_loc, r_loc)
        param_map = dict(zip(path_params(path), path_params(revision_path), strict=False))
        base_ops, rev_ops = path_operations(base, b_loc), path_operations(rev, r_loc)
        for method, (b_op, b_op_loc) in base_ops.items():
            if method not in rev_ops:
                pair.removed.append(OperationRef(method, path, b_op, b_op_loc))
                continue
            r_op, r_op_loc = rev_ops[method]
            if not self.equivalence.unchanged(b_op, r_op, b_op_loc):
                pair.modified.append(
                    OperationDiff(self, method, path, revision_path, b_op, r_op, b_op_loc, r_op_loc, param_map)
                )
        for method, (r_op, r_op_loc) in rev_ops.items():
            if method not in base_ops:
                pair.added.append(OperationRef(method, path, r_op, r_op_loc))
        return pair


def _mapping(value: JSON) -> JSONObject:
    return value if isinstance(value, dict) else {}
