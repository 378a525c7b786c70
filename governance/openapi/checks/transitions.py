"""What a schema-diff node says about types and nullability, and the "transition claims" table.

oasdiff: diff/list_of_types.go, diff/nullable_wrapping.go, checker/nullability.go,
checker/transition_claims.go.

Per schema-diff node we derive (once, cached on the node) what oasdiff's SchemaDiff carries for the
type family: TypeDiff (added/deleted type names), FormatDiff, NullableDiff (3.0 keyword),
ListOfTypesDiff (single type <-> oneOf/anyOf of scalar types) and NullableWrappingDiff
(X <-> oneOf: [{type: "null"}, X']).

Transition claims: a nullable wrapping, a list-of-types change or a null-only type change is ONE
change that shows up as several raw diffs (type changed, enum removed, oneOf added...). oasdiff drops
the echoes by rule *kind* at the node where the transition happened. The type/nullability checks
consult ``claimed`` directly; the echoes other families emit are dropped by ``drop_claimed_echoes``
(a postprocessor) using the node's locations (see ``_Claim``).
"""

from __future__ import annotations

import contextvars
import json
import pathlib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, overload

from ..pointers import join_pointer
from .registry import postprocessor, schema_check
from .shapes import one_of_wrapping
from .sites import full_name, walk_modified

if TYPE_CHECKING:
    from ..diff import SchemaDiff, SpecDiff
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from ..model import Finding
    from .sites import Changed, SchemaSite

# --------------------------------------------------------------------------------------
# rule kinds (oasdiff checker/rules.go Kind), used by the transition claims
_KINDS_FILE = pathlib.Path(__file__).with_name("_rule_kinds.json")
_RULE_KIND: dict[str, str] = {}


def rule_kind(rule_id: str) -> str | None:
    if not _RULE_KIND:
        for kind, ids in json.loads(_KINDS_FILE.read_text(encoding="utf-8")).items():
            for rule_id_ in ids:
                _RULE_KIND[rule_id_] = kind
    return _RULE_KIND.get(rule_id)


# JSON Schema keywords that never reject a value (compared away by "validation equivalence")
_ANNOTATIONS = frozenset(
    {
        "title",
        "description",
        "example",
        "examples",
        "externalDocs",
        "deprecated",
        "default",
        "xml",
        "$comment",
        "readOnly",
        "writeOnly",
        "discriminator",
        "$id",
        "$anchor",
        "$schema",
        "$defs",
        "$dynamicAnchor",
        "definitions",
    }
)


@overload
def _strip(node: JSONObject) -> JSONObject: ...
@overload
def _strip(node: JSON) -> JSON: ...


def _strip(node: JSON) -> JSON:
    """A schema with its annotations removed (recursively), for validation-equivalence tests."""
    if isinstance(node, dict):
        return {
            k: (_strip_map(v) if k in ("properties", "patternProperties", "dependentSchemas") else _strip(v))
            for k, v in node.items()
            if k not in _ANNOTATIONS and not (isinstance(k, str) and k.startswith("x-"))
        }
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _strip_map(node: JSON) -> JSON:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items()}
    return node


def types_of(schema: JSON) -> list[str]:
    """kin-openapi's Type.Slice(): the type names ([] when no type constraint)."""
    if not isinstance(schema, dict):
        return []
    value = schema.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def format_of(schema: JSON) -> str:
    value = schema.get("format") if isinstance(schema, dict) else None
    return value if isinstance(value, str) else ("" if value is None else str(value))


def _is_null_only(types: list[str]) -> bool:
    return all(t == "null" for t in types)


def _without_null(types: list[str]) -> list[str]:
    return [t for t in types if t != "null"]


# --------------------------------------------------------------------------------------
@dataclass
class NodeInfo:
    """What oasdiff's SchemaDiff says about types and nullability at one node."""

    base_types: list[str]
    revision_types: list[str]
    type_added: list[str]
    type_deleted: list[str]
    base_format: str
    revision_format: str
    nullable_from: bool | None = None  # set only when the 3.0 nullable keyword differs
    nullable_to: bool | None = None
    wrap: str | None = None  # "added" | "removed": nullable oneOf wrapping
    wrap_payload_location: str | None = None
    list_added: list[str] = field(default_factory=list)
    list_deleted: list[str] = field(default_factory=list)
    one_of_wrap: bool = False  # oasdiff OneOfWrappingDiff: an object became oneOf: [that object, ...]

    @property
    def type_changed(self) -> bool:
        return bool(self.type_added or self.type_deleted)

    @property
    def format_changed(self) -> bool:
        return self.base_format != self.revision_format

    @property
    def list_of_types(self) -> bool:
        return bool(self.list_added or self.list_deleted)

    @property
    def null_only_type_change(self) -> bool:
        return (
            self.type_changed
            and _is_null_only(self.type_added)
            and _is_null_only(self.type_deleted)
            and not self.format_changed
        )

    @property
    def nullability(self) -> str | None:
        """oasdiff nullabilityChange: "nullable", "not-nullable" or None."""
        if self.nullable_from is not None:
            if self.nullable_from:
                return "not-nullable"
            if self.nullable_to:
                return "nullable"
            return None
        if "null" in self.type_deleted and self.revision_types:
            return "not-nullable"
        if "null" in self.type_added and self.base_types:
            return "nullable"
        if self.wrap == "added":
            return "nullable"
        if self.wrap == "removed":
            return "not-nullable"
        return None


# a node whose changed keywords miss all of these has no type/nullability fact to report
_FACT_KEYWORDS = frozenset({"type", "format", "nullable", "oneOf", "anyOf", "allOf", "not", "properties"})
_NO_FACTS = NodeInfo([], [], [], [], "", "")


def node_info(d: SchemaDiff, spec_diff: SpecDiff) -> NodeInfo:
    cached: NodeInfo | None = d.walks.get("types:info")
    if cached is None:
        if d.changed.isdisjoint(_FACT_KEYWORDS) and "oneOf" not in d.subschemas and "anyOf" not in d.subschemas:
            cached = _NO_FACTS
        else:
            cached = _analyse(d, spec_diff)
        d.walks["types:info"] = cached
    return cached


def has_facts(info: NodeInfo) -> bool:
    return info is not _NO_FACTS and (
        info.type_changed
        or info.format_changed
        or info.list_of_types
        or info.wrap is not None
        or info.nullability is not None
    )


# fact_properties: (property name, diff, parent diff, what the node says)
Fact: TypeAlias = tuple[str, "SchemaDiff", "SchemaDiff", NodeInfo]


def fact_properties(site: SchemaSite) -> list[Fact]:
    """(property name, diff, parent, NodeInfo) for the nodes below the root that have a type or
    nullability fact: what the type/nullability checks iterate (cached on the root diff)."""
    root = site.diff
    cached: list[Fact] | None = root.walks.get("types:facts")
    if cached is None:
        spec_diff = site.op.spec_diff
        cached = root.walks["types:facts"] = [
            (name, d, parent, info)
            for name, d, parent in properties_of(site)
            for info in (node_info(d, spec_diff),)
            if has_facts(info)
        ]
    return cached


def _analyse(d: SchemaDiff, spec_diff: SpecDiff) -> NodeInfo:
    base, revision = d.base, d.revision
    base_types, revision_types = types_of(base), types_of(revision)
    info = NodeInfo(
        base_types,
        revision_types,
        [t for t in revision_types if t not in base_types],
        [t for t in base_types if t not in revision_types],
        format_of(base),
        format_of(revision),
    )
    if isinstance(base, dict) and isinstance(revision, dict):
        if bool(base.get("nullable")) != bool(revision.get("nullable")):
            info.nullable_from, info.nullable_to = bool(base.get("nullable")), bool(revision.get("nullable"))
        payload = _nullable_wrap(base, revision, d.revision_pointer, spec_diff.revision, spec_diff)
        if payload is not None:
            info.wrap, info.wrap_payload_location = "added", payload
        else:
            payload = _nullable_wrap(revision, base, d.base_pointer, spec_diff.base, spec_diff)
            if payload is not None:
                info.wrap, info.wrap_payload_location = "removed", payload
        base_pattern = _type_pattern(base, d.base_pointer, spec_diff.base)
        revision_pattern = _type_pattern(revision, d.revision_pointer, spec_diff.revision)
        if (
            base_pattern is not None
            and revision_pattern is not None
            and "list" in (base_pattern[1], revision_pattern[1])
            and set(base_pattern[0]) != set(revision_pattern[0])
        ):
            info.list_added = sorted(set(revision_pattern[0]) - set(base_pattern[0]))
            info.list_deleted = sorted(set(base_pattern[0]) - set(revision_pattern[0]))
        if "oneOf" in revision and "properties" in base:
            info.one_of_wrap = one_of_wrapping(d, spec_diff)
    return info


def _accepts_null(schema: JSONObject) -> bool:
    return bool(schema.get("nullable")) or "null" in types_of(schema)


def _only(schema: JSONObject, allowed: set[str]) -> bool:
    """True when the schema has no validating keyword outside ``allowed``."""
    return all(k in allowed or k in _ANNOTATIONS or (isinstance(k, str) and k.startswith("x-")) for k in schema)


def _nullable_wrap(
    plain: JSONObject, wrapped: JSONObject, wrapped_location: str, wrapped_spec: Spec, spec_diff: SpecDiff
) -> str | None:
    """diff/nullable_wrapping.go isNullableWrap; returns the payload branch's location, or None."""
    if any(k in plain for k in ("oneOf", "anyOf", "allOf", "not")) or _accepts_null(plain):
        return None
    branches = wrapped.get("oneOf")
    if not isinstance(branches, list) or len(branches) != 2 or not _only(wrapped, {"oneOf"}):
        return None
    payload: tuple[JSON, str] | None = None
    nulls = 0
    for index, raw in enumerate(branches):
        location = join_pointer(wrapped_location, "oneOf", index)
        target, target_location, _ref = wrapped_spec.deref(raw, location)
        if isinstance(target, dict) and types_of(target) == ["null"] and _only(target, {"type"}):
            nulls += 1
            continue
        payload = (target, target_location)
    if nulls != 1 or payload is None:
        return None
    target, target_location = payload
    if target is plain or _strip(target) == _strip(plain):
        return target_location
    return None


def _type_pattern(schema: JSONObject, location: str, spec: Spec) -> tuple[list[str], str] | None:
    """diff/list_of_types.go detectTypePattern: (types, "single"|"list") or None."""
    if "not" in schema or schema.get("allOf") or schema.get("properties"):
        return None
    types = types_of(schema)
    if types:
        return [types[0]], "single"
    for keyword in ("oneOf", "anyOf"):
        items = schema.get(keyword)
        if not isinstance(items, list) or not items:
            continue
        found: list[str] = []
        for index, raw in enumerate(items):
            target, _loc, _ref = spec.deref(raw, join_pointer(location, keyword, index))
            item_types = types_of(target)
            # one type implies an object (types_of of anything else is []): the isinstance only says so
            if (
                len(item_types) != 1
                or not isinstance(target, dict)
                or target.get("properties")
                or target.get("oneOf")
                or target.get("anyOf")
                or target.get("allOf")
            ):
                break  # not a list of scalar types
            found.append(item_types[0])
        else:
            if found:
                return found, "list"
    return None


# --------------------------------------------------------------------------------------
# transition claims (transition_claims.go)

_WRAP_REPORTERS = frozenset(
    {
        "request-body-became-nullable",
        "request-body-became-not-nullable",
        "request-property-became-nullable",
        "request-property-became-not-nullable",
        "response-body-became-nullable",
        "response-body-became-not-nullable",
        "response-property-became-nullable",
        "response-property-became-not-nullable",
        "request-parameter-became-nullable",
        "request-parameter-became-not-nullable",
        "request-parameter-property-became-nullable",
        "request-parameter-property-became-not-nullable",
    }
)
_LIST_REPORTERS = frozenset(
    f"{prefix}-list-of-types-{verb}"
    for prefix in (
        "request-body",
        "request-property",
        "response-body",
        "response-property",
        "request-parameter",
        "request-parameter-property",
    )
    for verb in ("widened", "narrowed")
)
# The wrap's branch is proven validation-equivalent to the other side, so every raw finding at
# the node is an echo: besides oasdiff's type/values/constraints/structure, the property
# added/removed and required echoes of moving an object's properties into the branch.
_WRAP_KINDS = frozenset({"type", "values", "constraints", "structure", "existence", "requiredness"})
_LIST_KINDS = frozenset({"type", "structure"})
# oneOf wrapping (an object became oneOf: [that object, ...]): claims the type echo (the wrapper reads
# as "any") and the oneOf membership; reported by *-body-wrapped-in-one-of (checks/wrapping.py) at the
# body and by the property one-of-added finding below it. The moved properties' "removed" echoes are
# skipped by checks/properties.py (oasdiff: MovedProperties in the property-updated checks).
_ONE_OF_WRAP_REPORTERS = frozenset(
    {
        "request-body-wrapped-in-one-of",
        "response-body-wrapped-in-one-of",
        "request-property-one-of-added",
        "response-property-one-of-added",
    }
)
_ONE_OF_WRAP_KINDS = frozenset({"type", "structure"})


def claimed(info: NodeInfo, rule_id: str) -> bool:
    """oasdiff claimedByTransition for a finding of ``rule_id`` computed at a node."""
    kind = rule_kind(rule_id)
    if kind is None:
        return False
    if info.wrap and kind in _WRAP_KINDS and rule_id not in _WRAP_REPORTERS:
        return True
    if info.list_of_types and kind in _LIST_KINDS and rule_id not in _LIST_REPORTERS:
        return True
    if info.one_of_wrap and kind in _ONE_OF_WRAP_KINDS and rule_id not in _ONE_OF_WRAP_REPORTERS:
        return True
    return info.null_only_type_change and kind == "type"


@dataclass(frozen=True)
class _Claim:
    operation: str
    path: str
    kinds: frozenset[str]
    exempt: frozenset[str]
    base_locations: tuple[str, ...]
    revision_locations: tuple[str, ...]


_CLAIMS: contextvars.ContextVar[SpecDiff | None] = contextvars.ContextVar("openapi_transition_claims", default=None)


def _claims_of(spec_diff: SpecDiff) -> list[_Claim]:
    """The claim list of the running diff (held by the spec diff; the context var finds it again)."""
    claims: list[_Claim] | None = spec_diff.__dict__.get("_transition_claims")
    if claims is None:
        claims = spec_diff.__dict__["_transition_claims"] = []
        spec_diff.__dict__["_transition_claims_seen"] = set()
        _CLAIMS.set(spec_diff)
    return claims


def _record_claims(site: SchemaSite) -> None:
    """Record the transitions under this site, for the echoes emitted by other families."""
    spec_diff = site.op.spec_diff
    claims = _claims_of(spec_diff)
    seen: set[tuple[str, str, int]] = spec_diff.__dict__["_transition_claims_seen"]
    key = (site.op.method, site.op.path, id(site.diff))
    if key in seen:
        return
    seen.add(key)
    nodes = [(site.diff, node_info(site.diff, spec_diff))] + [(d, info) for _n, d, _p, info in fact_properties(site)]
    for d, info in nodes:
        if info.wrap:
            extra = (info.wrap_payload_location,) if info.wrap_payload_location else ()
            base_locations = (d.base_pointer,) + (extra if info.wrap == "removed" else ())
            revision_locations = (d.revision_pointer,) + (extra if info.wrap == "added" else ())
            claims.append(
                _Claim(site.op.method, site.op.path, _WRAP_KINDS, _WRAP_REPORTERS, base_locations, revision_locations)
            )
        if info.list_of_types:
            claims.append(
                _Claim(
                    site.op.method, site.op.path, _LIST_KINDS, _LIST_REPORTERS, (d.base_pointer,), (d.revision_pointer,)
                )
            )
        if info.one_of_wrap:
            claims.append(
                _Claim(
                    site.op.method,
                    site.op.path,
                    _ONE_OF_WRAP_KINDS,
                    _ONE_OF_WRAP_REPORTERS,
                    (d.base_pointer,),
                    (d.revision_pointer,),
                )
            )


def _under(pointer: str, locations: tuple[str, ...]) -> bool:
    return any(pointer == loc or pointer.startswith(loc + "/") for loc in locations if loc)


def _matches(claim: _Claim, finding: Finding) -> bool:
    if finding.operation != claim.operation or finding.path != claim.path or finding.id in claim.exempt:
        return False
    if finding.id.startswith("response-header-"):
        return False  # oasdiff's response-header checks never consult the transition claims
    if rule_kind(finding.id) not in claim.kinds:
        return False
    base, revision = finding.base_pointer, finding.revision_pointer
    if base is None and revision is None:
        return False
    return (base is None or _under(base, claim.base_locations)) and (
        revision is None or _under(revision, claim.revision_locations)
    )


def _all_check_names() -> tuple[str, ...]:
    from ..rules import all_rules

    return tuple(sorted({r.check for r in all_rules().values() if r.check}))


@schema_check(*_all_check_names())
def record_transition_claims(site: SchemaSite) -> None:
    """Runs whatever checks are selected: oasdiff's claims apply to every check's findings."""
    if both_dicts(site.diff):
        _record_claims(site)


@postprocessor
def drop_claimed_echoes(findings: list[Finding]) -> list[Finding]:
    spec_diff = _CLAIMS.get()
    _CLAIMS.set(None)
    if spec_diff is None:
        return findings
    claims = spec_diff.__dict__.get("_transition_claims") or []
    emitted = getattr(spec_diff.emit, "findings", None)
    if not claims or emitted is None:
        return findings
    ours = {id(f) for f in emitted}
    if findings and not any(id(f) in ours for f in findings):
        return findings  # stale claims of an earlier diff
    by_operation: dict[tuple[str, str], list[_Claim]] = {}
    for claim in claims:
        by_operation.setdefault((claim.operation, claim.path), []).append(claim)
    return [f for f in findings if not any(_matches(c, f) for c in by_operation.get((f.operation, f.path), ()))]


# --------------------------------------------------------------------------------------
# shared plumbing


def media_type_details(site: SchemaSite) -> str:
    """oasdiff formatMediaTypeDetails: "(media type: X)" when several media types changed
    (computed once per site: ``SchemaSite.media_details``)."""
    return site.media_details


def properties_of(site: SchemaSite) -> list[Changed]:
    """(property name, diff, parent) for the modified nodes below the site root with both sides present.

    oasdiff's walkProperties (CheckModifiedPropertiesDiff, skipping one-sided sub-schemas); the list
    is cached on the root diff, shared by every check and every operation using that schema.
    """
    root = site.diff
    cached: list[Changed] | None = root.walks.get("types:properties")
    if cached is None:
        cached = root.walks["types:properties"] = [
            (full_name(path, name), d, parent)
            for path, name, d, parent in walk_modified(root)
            if isinstance(d.base, dict) and isinstance(d.revision, dict)
        ]
    return cached


def both_dicts(d: SchemaDiff) -> bool:
    return isinstance(d.base, dict) and isinstance(d.revision, dict)
