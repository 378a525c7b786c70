"""Schema types, formats, 3.1 type lists, nullability, and the "transition claims" table.

oasdiff: check_request_parameter_type_changed.go, check_request_property_type_changed.go,
check_response_property_type_changed.go, type_change.go / type_format.go (the verdict lattice and
the message rendering), check_*_list_of_types_changed.go + diff/list_of_types.go,
check_request_parameter_became_nullable.go, check_request_property_became_not_nullable.go,
check_response_property_became_nullable.go, nullability.go, diff/nullable_wrapping.go and
transition_claims.go.

Per schema-diff node we derive (once, cached on the node) what oasdiff's SchemaDiff carries for this
family: TypeDiff (added/deleted type names), FormatDiff, NullableDiff (3.0 keyword),
ListOfTypesDiff (single type <-> oneOf/anyOf of scalar types) and NullableWrappingDiff
(X <-> oneOf: [{type: "null"}, X']).

Transition claims: a nullable wrapping, a list-of-types change or a null-only type change is ONE
change that shows up as several raw diffs (type changed, enum removed, oneOf added...). oasdiff drops
the echoes by rule *kind* at the node where the transition happened. The checks of this module
consult ``claimed`` directly; the echoes other families emit are dropped by ``drop_claimed_echoes``
(a postprocessor) using the node's locations (see ``_Claim``).
"""
from __future__ import annotations

import contextvars
import json
import pathlib
from dataclasses import dataclass, field
from typing import Any, Optional

from ..load import join_pointer
from .registry import postprocessor, schema_check
from .sites import full_name, walk_modified

# --------------------------------------------------------------------------------------
# rule kinds (oasdiff checker/rules.go Kind), used by the transition claims
_KINDS_FILE = pathlib.Path(__file__).with_name("_rule_kinds.json")
_RULE_KIND: dict[str, str] = {}


def rule_kind(rule_id: str) -> Optional[str]:
    if not _RULE_KIND:
        for kind, ids in json.loads(_KINDS_FILE.read_text(encoding="utf-8")).items():
            for rule_id_ in ids:
                _RULE_KIND[rule_id_] = kind
    return _RULE_KIND.get(rule_id)


# JSON Schema keywords that never reject a value (compared away by "validation equivalence")
_ANNOTATIONS = frozenset({
    "title", "description", "example", "examples", "externalDocs", "deprecated", "default", "xml",
    "$comment", "readOnly", "writeOnly", "discriminator", "$id", "$anchor", "$schema", "$defs",
    "$dynamicAnchor", "definitions",
})


def _strip(node: Any) -> Any:
    """A schema with its annotations removed (recursively), for validation-equivalence tests."""
    if isinstance(node, dict):
        return {k: (_strip_map(v) if k in ("properties", "patternProperties", "dependentSchemas") else _strip(v))
                for k, v in node.items()
                if k not in _ANNOTATIONS and not (isinstance(k, str) and k.startswith("x-"))}
    if isinstance(node, list):
        return [_strip(v) for v in node]
    return node


def _strip_map(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _strip(v) for k, v in node.items()}
    return node


def types_of(schema: Any) -> list[str]:
    """kin-openapi's Type.Slice(): the type names ([] when no type constraint)."""
    if not isinstance(schema, dict):
        return []
    value = schema.get("type")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [str(v) for v in value]
    return []


def format_of(schema: Any) -> str:
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
    nullable_from: Optional[bool] = None  # set only when the 3.0 nullable keyword differs
    nullable_to: Optional[bool] = None
    wrap: Optional[str] = None  # "added" | "removed": nullable oneOf wrapping
    wrap_payload_location: Optional[str] = None
    list_added: list[str] = field(default_factory=list)
    list_deleted: list[str] = field(default_factory=list)

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
        return (self.type_changed and _is_null_only(self.type_added) and _is_null_only(self.type_deleted)
                and not self.format_changed)

    @property
    def nullability(self) -> Optional[str]:
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


def node_info(d, spec_diff) -> NodeInfo:
    cached = d.walks.get("types:info")
    if cached is None:
        cached = d.walks["types:info"] = _analyse(d, spec_diff)
    return cached


def _analyse(d, spec_diff) -> NodeInfo:
    base, revision = d.base, d.revision
    base_types, revision_types = types_of(base), types_of(revision)
    info = NodeInfo(base_types, revision_types,
                    [t for t in revision_types if t not in base_types],
                    [t for t in base_types if t not in revision_types],
                    format_of(base), format_of(revision))
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
        if (base_pattern is not None and revision_pattern is not None
                and "list" in (base_pattern[1], revision_pattern[1])
                and set(base_pattern[0]) != set(revision_pattern[0])):
            info.list_added = sorted(set(revision_pattern[0]) - set(base_pattern[0]))
            info.list_deleted = sorted(set(base_pattern[0]) - set(revision_pattern[0]))
    return info


def _accepts_null(schema: dict) -> bool:
    return bool(schema.get("nullable")) or "null" in types_of(schema)


def _only(schema: dict, allowed: set) -> bool:
    """True when the schema has no validating keyword outside ``allowed``."""
    return all(k in allowed or k in _ANNOTATIONS or (isinstance(k, str) and k.startswith("x-")) for k in schema)


def _nullable_wrap(plain: dict, wrapped: dict, wrapped_location: str, wrapped_spec, spec_diff) -> Optional[str]:
    """diff/nullable_wrapping.go isNullableWrap; returns the payload branch's location, or None."""
    if any(k in plain for k in ("oneOf", "anyOf", "allOf", "not")) or _accepts_null(plain):
        return None
    branches = wrapped.get("oneOf")
    if not isinstance(branches, list) or len(branches) != 2 or not _only(wrapped, {"oneOf"}):
        return None
    payload = None
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


def _type_pattern(schema: dict, location: str, spec) -> Optional[tuple[list[str], str]]:
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
        found = []
        for index, raw in enumerate(items):
            target, _loc, _ref = spec.deref(raw, join_pointer(location, keyword, index))
            item_types = types_of(target)
            if (len(item_types) != 1 or target.get("properties") or target.get("oneOf") or target.get("anyOf")
                    or target.get("allOf")):
                found = None
                break
            found.append(item_types[0])
        if found:
            return found, "list"
    return None


# --------------------------------------------------------------------------------------
# transition claims (transition_claims.go)

_WRAP_REPORTERS = frozenset({
    "request-body-became-nullable", "request-body-became-not-nullable",
    "request-property-became-nullable", "request-property-became-not-nullable",
    "response-body-became-nullable", "response-body-became-not-nullable",
    "response-property-became-nullable", "response-property-became-not-nullable",
    "request-parameter-became-nullable", "request-parameter-became-not-nullable",
    "request-parameter-property-became-nullable", "request-parameter-property-became-not-nullable",
})
_LIST_REPORTERS = frozenset(
    f"{prefix}-list-of-types-{verb}"
    for prefix in ("request-body", "request-property", "response-body", "response-property",
                   "request-parameter", "request-parameter-property")
    for verb in ("widened", "narrowed"))
# The wrap's branch is proven validation-equivalent to the other side, so every raw finding at
# the node is an echo: besides oasdiff's type/values/constraints/structure, the property
# added/removed and required echoes of moving an object's properties into the branch.
_WRAP_KINDS = frozenset({"type", "values", "constraints", "structure", "existence", "requiredness"})
_LIST_KINDS = frozenset({"type", "structure"})


def claimed(info: NodeInfo, rule_id: str) -> bool:
    """oasdiff claimedByTransition for a finding of ``rule_id`` computed at a node."""
    kind = rule_kind(rule_id)
    if kind is None:
        return False
    if info.wrap and kind in _WRAP_KINDS and rule_id not in _WRAP_REPORTERS:
        return True
    if info.list_of_types and kind in _LIST_KINDS and rule_id not in _LIST_REPORTERS:
        return True
    if info.null_only_type_change and kind == "type":
        return True
    return False


@dataclass(frozen=True)
class _Claim:
    operation: str
    path: str
    kinds: frozenset
    exempt: frozenset
    base_locations: tuple
    revision_locations: tuple


_CLAIMS: contextvars.ContextVar = contextvars.ContextVar("openapi_transition_claims", default=None)


def _claims_of(spec_diff) -> list:
    """The claim list of the running diff (held by the spec diff; the context var finds it again)."""
    claims = spec_diff.__dict__.get("_transition_claims")
    if claims is None:
        claims = spec_diff.__dict__["_transition_claims"] = []
        spec_diff.__dict__["_transition_claims_seen"] = set()
        _CLAIMS.set(spec_diff)
    return claims


def _record_claims(site) -> None:
    """Record the transitions under this site, for the echoes emitted by other families."""
    spec_diff = site.op.spec_diff
    claims = _claims_of(spec_diff)
    seen = spec_diff.__dict__["_transition_claims_seen"]
    key = (site.op.method, site.op.path, id(site.diff))
    if key in seen:
        return
    seen.add(key)
    nodes = [site.diff] + [d for _p, _n, d, _parent in walk_modified(site.diff)]
    for d in nodes:
        if not (isinstance(d.base, dict) and isinstance(d.revision, dict)):
            continue
        info = node_info(d, spec_diff)
        if info.wrap:
            extra = (info.wrap_payload_location,) if info.wrap_payload_location else ()
            base_locations = (d.base_pointer,) + (extra if info.wrap == "removed" else ())
            revision_locations = (d.revision_pointer,) + (extra if info.wrap == "added" else ())
            claims.append(_Claim(site.op.method, site.op.path, _WRAP_KINDS, _WRAP_REPORTERS,
                                 base_locations, revision_locations))
        if info.list_of_types:
            claims.append(_Claim(site.op.method, site.op.path, _LIST_KINDS, _LIST_REPORTERS,
                                 (d.base_pointer,), (d.revision_pointer,)))


def _under(pointer: Optional[str], locations: tuple) -> bool:
    return any(pointer == loc or pointer.startswith(loc + "/") for loc in locations if loc)


def _matches(claim: _Claim, finding) -> bool:
    if finding.operation != claim.operation or finding.path != claim.path or finding.id in claim.exempt:
        return False
    if rule_kind(finding.id) not in claim.kinds:
        return False
    base, revision = finding.base_pointer, finding.revision_pointer
    if base is None and revision is None:
        return False
    return ((base is None or _under(base, claim.base_locations))
            and (revision is None or _under(revision, claim.revision_locations)))


def _all_check_names() -> tuple:
    from ..rules import all_rules
    return tuple(sorted({r.check for r in all_rules().values() if r.check}))


@schema_check(*_all_check_names())
def record_transition_claims(site):
    """Runs whatever checks are selected: oasdiff's claims apply to every check's findings."""
    if _both_dicts(site.diff):
        _record_claims(site)


@postprocessor
def drop_claimed_echoes(findings):
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
    return [f for f in findings if not any(_matches(c, f) for c in claims)]


# --------------------------------------------------------------------------------------
# message rendering (type_format.go)

def _dimension(info: NodeInfo) -> str:
    if info.type_changed and info.format_changed:
        return "type/format"
    if info.type_changed:
        return "type"
    if info.format_changed:
        return "format"
    return ""


def _type_string(schema: Any, location: str, spec, depth: int = 0) -> str:
    if not isinstance(schema, dict):
        return "any"
    parts = []
    for t in types_of(schema):
        items = schema.get("items")
        if t == "array" and isinstance(items, dict) and depth < 8:
            target, target_location, _ = spec.deref(items, join_pointer(location, "items"))
            parts.append(f"array<{_type_format_string(target, target_location, spec, depth + 1)}>")
        else:
            parts.append(t)
    return ", ".join(parts) if parts else "any"


def _type_format_string(schema: Any, location: str, spec, depth: int = 0) -> str:
    if not isinstance(schema, dict):
        return ""
    text = _type_string(schema, location, spec, depth)
    fmt = format_of(schema)
    if not fmt:
        return text
    return fmt if text == "any" else f"{text}/{fmt}"


def _side_value(schema, location, spec, dimension: str) -> str:
    if dimension == "format":
        return format_of(schema) or "none"
    if dimension == "type":
        return _type_string(schema, location, spec)
    return _type_format_string(schema, location, spec)


def _type_args(d, info: NodeInfo, spec_diff) -> list:
    dimension = _dimension(info)
    return [dimension, _side_value(d.base, d.base_pointer, spec_diff.base, dimension),
            _side_value(d.revision, d.revision_pointer, spec_diff.revision, dimension)]


# --------------------------------------------------------------------------------------
# verdicts (type_change.go)

def _is_subtype(sub: str, sup: str) -> bool:
    return sub == sup or (sub == "integer" and sup == "number")


def _subset(sub: list[str], sup: list[str]) -> bool:
    return bool(sub) and all(any(_is_subtype(t, s) for s in sup) for t in sub)


def _type_contained(to: list[str], frm: list[str], strongly_typed: bool) -> bool:
    if len(to) == 1 and len(frm) == 1 and _is_subtype(frm[0], to[0]):
        return True
    if not strongly_typed:
        return not to or (len(to) == 1 and to[0] == "string")
    return False


def _format_contained(to_types: list[str], to: str, frm: str) -> bool:
    if to == "":
        return True
    if len(to_types) != 1:
        return False
    single = to_types[0]
    if single == "number":
        return to == "double" and frm == "float"
    if single == "integer":
        return (to, frm) in (("int64", "int32"), ("bigint", "int32"), ("bigint", "int64"))
    if single == "string":
        return to == "date-time" and frm in ("date", "time")
    return False


def _type_or_format_breaking(type_diff, format_diff, strongly_typed, to_types) -> bool:
    type_breaking = type_diff is not None and not _type_contained(type_diff[0], type_diff[1], strongly_typed)
    format_breaking = format_diff is not None and not _format_contained(to_types, format_diff[1], format_diff[0])
    return type_breaking or format_breaking


def _type_format_breaking(type_diff, format_diff, strongly_typed, to_types) -> bool:
    if type_diff is not None and not to_types:
        return False
    return _type_or_format_breaking(type_diff, format_diff, strongly_typed, to_types)


def _diffs(info: NodeInfo):
    """(added, deleted) and (from, to), each None when that axis did not change."""
    type_diff = (info.type_added, info.type_deleted) if info.type_changed else None
    format_diff = (info.base_format, info.revision_format) if info.format_changed else None
    return type_diff, format_diff


def _widened(info: NodeInfo) -> bool:
    return info.type_changed and _subset(info.base_types, info.revision_types)


def _narrowed(info: NodeInfo) -> bool:
    return info.type_changed and _subset(info.revision_types, info.base_types)


def request_breaking(info: NodeInfo, strongly_typed: bool) -> bool:
    type_diff, format_diff = _diffs(info)
    if _widened(info):
        type_diff = None
    return _type_format_breaking(type_diff, format_diff, strongly_typed, info.revision_types)


def response_breaking(info: NodeInfo, strongly_typed: bool) -> bool:
    type_diff, format_diff = _diffs(info)
    if _narrowed(info):
        type_diff = None
    reversed_type = (type_diff[1], type_diff[0]) if type_diff else None
    reversed_format = (format_diff[1], format_diff[0]) if format_diff else None
    return _type_format_breaking(reversed_type, reversed_format, strongly_typed, info.base_types)


def _both_concrete(info: NodeInfo) -> bool:
    return bool(info.base_types) and bool(info.revision_types)


def request_type_verdict(info: NodeInfo, strongly_typed: bool) -> str:
    if request_breaking(info, strongly_typed):
        return "changed"
    if info.type_changed and _both_concrete(info) and not _widened(info):
        return "compatible"
    return "generalized"


def response_type_verdict(info: NodeInfo, strongly_typed: bool) -> str:
    if response_breaking(info, strongly_typed):
        return "generalized" if _widened(info) else "changed"
    if info.type_changed and _both_concrete(info) and not _narrowed(info):
        return "compatible"
    return "specialized"


def is_strongly_typed(media_type: Optional[str]) -> bool:
    return bool(media_type) and (media_type == "application/json" or media_type.endswith("+json"))


# --------------------------------------------------------------------------------------
# shared plumbing

def media_type_details(site) -> str:
    """oasdiff formatMediaTypeDetails: "(media type: X)" when several media types changed."""
    if site.kind == "request-body":
        body = site.op.request_body
        count = len(body.content.modified) if body is not None else 0
    elif site.kind == "response-body":
        response = site.op.responses.modified.get(site.status)
        count = len(response.content.modified) if response is not None else 0
    else:
        return ""
    return f"(media type: {site.media_type})" if count > 1 else ""


def properties_of(site):
    """(property name, diff, parent) for the modified nodes below the site root with both sides present."""
    for path, name, d, parent in walk_modified(site.diff):
        if isinstance(d.base, dict) and isinstance(d.revision, dict):
            yield full_name(path, name), d, parent


def _type_pointers(d):
    base, revision = d.pointer_of("type")
    if base is None and revision is None:
        base, revision = d.pointer_of("format")
    return base or d.base_pointer, revision or d.revision_pointer


def _both_dicts(d) -> bool:
    return isinstance(d.base, dict) and isinstance(d.revision, dict)


def _emit_unclaimed(site, info, rule_id, *args, pointers=None, details=""):
    if claimed(info, rule_id):
        return
    base_pointer, revision_pointer = pointers if pointers else (site.diff.base_pointer, site.diff.revision_pointer)
    site.emit(rule_id, *args, base_pointer=base_pointer, revision_pointer=revision_pointer, details=details)


# --------------------------------------------------------------------------------------
# type changed

@schema_check("RequestPropertyTypeChangedCheck")
def request_property_type_changed(site):
    if site.kind != "request-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    strongly = is_strongly_typed(site.media_type)
    details = media_type_details(site)
    info = node_info(site.diff, spec_diff)
    if info.type_changed or info.format_changed:
        verdict = request_type_verdict(info, strongly)
        _emit_unclaimed(site, info, f"request-body-type-{verdict}", *_type_args(site.diff, info, spec_diff),
                        pointers=_type_pointers(site.diff), details=details)
    for name, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if info.type_changed or info.format_changed:
            verdict = request_type_verdict(info, strongly)
            rule = f"request-property-type-{verdict}"
            if d.revision.get("readOnly") and verdict == "changed":
                rule = "request-property-type-generalized"  # read-only: not in requests (oasdiff guards)
            _emit_unclaimed(site, info, rule, name, *_type_args(d, info, spec_diff),
                            pointers=_type_pointers(d), details=details)


@schema_check("ResponsePropertyTypeChangedCheck")
def response_property_type_changed(site):
    if site.kind != "response-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    strongly = is_strongly_typed(site.media_type)
    details = media_type_details(site)
    info = node_info(site.diff, spec_diff)
    if info.type_changed or info.format_changed:
        verdict = response_type_verdict(info, strongly)
        _emit_unclaimed(site, info, f"response-body-type-{verdict}", *_type_args(site.diff, info, spec_diff),
                        site.status, pointers=_type_pointers(site.diff), details=details)
    for name, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if info.type_changed or info.format_changed:
            verdict = response_type_verdict(info, strongly)
            _emit_unclaimed(site, info, f"response-property-type-{verdict}", name,
                            *_type_args(d, info, spec_diff), site.status, pointers=_type_pointers(d),
                            details=details)


def _serialization(param: dict) -> tuple[str, bool]:
    where = param.get("in")
    style = param.get("style") or ("form" if where in ("query", "cookie") else "simple")
    explode = param.get("explode")
    if explode is None:
        explode = style == "form"
    return style, bool(explode)


def _scalar_to_form_explode_array(site, info: NodeInfo) -> bool:
    """A scalar (or multi-type scalar) parameter became a form/explode array whose items accept
    every value the scalar did: a single value is still a valid one-element array."""
    added, deleted = _without_null(info.type_added), _without_null(info.type_deleted)
    if added != ["array"] or not deleted or "array" in deleted:
        return False
    revision_param = next((p.revision.param for p in site.op.parameters.modified if p.schema is site.diff), None)
    if revision_param is None:
        return False
    style, explode = _serialization(revision_param)
    if style != "form" or not explode:
        return False
    items = site.diff.revision.get("items")
    if not isinstance(items, dict):
        return False
    items, _loc, _ = site.op.spec_diff.revision.deref(items, join_pointer(site.diff.revision_pointer, "items"))
    if not isinstance(items, dict):
        return False
    item_types = _without_null(types_of(items))
    if len(item_types) != 1:
        return False
    item = item_types[0]
    base_scalars = _without_null(info.base_types)
    if not all(t == item or item == "string" or _is_subtype(t, item) for t in base_scalars):
        return False
    return _validation_surface(site.diff.base) == _validation_surface(items)


def _validation_surface(schema: dict) -> Any:
    stripped = _strip(schema)
    stripped.pop("type", None)
    stripped.pop("nullable", None)
    return stripped


@schema_check("RequestParameterTypeChangedCheck")
def request_parameter_type_changed(site):
    if site.kind != "parameter" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    where, name = site.param_in, site.param_name
    if info.type_changed or info.format_changed:
        type_diff, format_diff = _diffs(info)
        breaking = (_type_or_format_breaking(type_diff, format_diff, False, info.revision_types)
                    and not _scalar_to_form_explode_array(site, info))
        rule = "request-parameter-type-changed" if breaking else "request-parameter-type-generalized"
        _emit_unclaimed(site, info, rule, where, name, *_type_args(site.diff, info, spec_diff),
                        pointers=_type_pointers(site.diff))
    for prop, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if not (info.type_changed or info.format_changed):
            continue
        strong, loose = request_breaking(info, True), request_breaking(info, False)
        if strong != loose:
            rule = "request-parameter-property-type-changed"
        elif strong:
            rule = "request-parameter-property-type-specialized"
        else:
            rule = "request-parameter-property-type-generalized"
        dimension, base_value, revision_value = _type_args(d, info, spec_diff)
        _emit_unclaimed(site, info, rule, where, name, dimension, prop, base_value, revision_value,
                        pointers=_type_pointers(d))


# --------------------------------------------------------------------------------------
# list of types (3.1 / oneOf-anyOf of scalar types)

def _join_types(types: list[str]) -> str:
    if len(types) <= 1:
        return "".join(types)
    return ", ".join(types[:-1]) + " and " + types[-1]


@schema_check("RequestPropertyListOfTypesChangedCheck")
def request_property_list_of_types(site):
    if site.kind != "request-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    if info.list_of_types:
        if info.list_deleted:
            site.emit("request-body-list-of-types-narrowed", _join_types(info.list_deleted), site.media_type)
        else:
            site.emit("request-body-list-of-types-widened", _join_types(info.list_added), site.media_type)
    for name, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if not info.list_of_types:
            continue
        where = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_deleted:
            site.emit("request-property-list-of-types-narrowed", name, _join_types(info.list_deleted),
                      site.media_type, **where)
        else:
            site.emit("request-property-list-of-types-widened", name, _join_types(info.list_added),
                      site.media_type, **where)


@schema_check("ResponsePropertyListOfTypesChangedCheck")
def response_property_list_of_types(site):
    if site.kind != "response-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    if info.list_of_types:
        if info.list_added:
            site.emit("response-body-list-of-types-widened", _join_types(info.list_added), site.media_type,
                      site.status)
        else:
            site.emit("response-body-list-of-types-narrowed", _join_types(info.list_deleted), site.media_type,
                      site.status)
    for name, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if not info.list_of_types:
            continue
        where = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_added:
            site.emit("response-property-list-of-types-widened", name, _join_types(info.list_added),
                      site.media_type, site.status, **where)
        else:
            site.emit("response-property-list-of-types-narrowed", name, _join_types(info.list_deleted),
                      site.media_type, site.status, **where)


@schema_check("RequestParameterListOfTypesChangedCheck")
def request_parameter_list_of_types(site):
    if site.kind != "parameter" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    info = node_info(site.diff, spec_diff)
    where, name = site.param_in, site.param_name
    # at the corpus commit, a nullable wrapping of a parameter is reported as
    # request-parameter-became-nullable, which claims the list-of-types echo
    if info.list_of_types and not info.wrap:
        if info.list_deleted:
            site.emit("request-parameter-list-of-types-narrowed", where, name, _join_types(info.list_deleted))
        else:
            site.emit("request-parameter-list-of-types-widened", where, name, _join_types(info.list_added))
    for prop, d, _parent in properties_of(site):
        info = node_info(d, spec_diff)
        if not info.list_of_types or info.wrap:
            continue
        pointers = dict(base_pointer=d.base_pointer, revision_pointer=d.revision_pointer)
        if info.list_deleted:
            site.emit("request-parameter-property-list-of-types-narrowed", prop, where, name,
                      _join_types(info.list_deleted), **pointers)
        else:
            site.emit("request-parameter-property-list-of-types-widened", prop, where, name,
                      _join_types(info.list_added), **pointers)


# --------------------------------------------------------------------------------------
# nullability

def _nullable_pointers(d):
    for keyword in ("nullable", "type", "oneOf"):
        base, revision = d.pointer_of(keyword)
        if base is not None or revision is not None:
            return base or d.base_pointer, revision or d.revision_pointer
    return d.base_pointer, d.revision_pointer


@schema_check("RequestParameterBecameNullableCheck")
def request_parameter_became_nullable(site):
    if site.kind != "parameter" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    where, name = site.param_in, site.param_name
    change = node_info(site.diff, spec_diff).nullability
    if change:
        b, r = _nullable_pointers(site.diff)
        site.emit(f"request-parameter-became-{change}", where, name, base_pointer=b, revision_pointer=r)
    for prop, d, _parent in properties_of(site):
        change = node_info(d, spec_diff).nullability
        if change:
            b, r = _nullable_pointers(d)
            site.emit(f"request-parameter-property-became-{change}", prop, where, name,
                      base_pointer=b, revision_pointer=r)


@schema_check("RequestPropertyBecameNotNullableCheck")
def request_property_became_not_nullable(site):
    if site.kind != "request-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    details = media_type_details(site)
    change = node_info(site.diff, spec_diff).nullability
    if change:
        b, r = _nullable_pointers(site.diff)
        site.emit(f"request-body-became-{change}", base_pointer=b, revision_pointer=r, details=details)
    for name, d, _parent in properties_of(site):
        change = node_info(d, spec_diff).nullability
        if change:
            b, r = _nullable_pointers(d)
            site.emit(f"request-property-became-{change}", name, base_pointer=b, revision_pointer=r,
                      details=details)


@schema_check("ResponsePropertyBecameNullableCheck")
def response_property_became_nullable(site):
    if site.kind != "response-body" or not _both_dicts(site.diff):
        return
    _record_claims(site)
    spec_diff = site.op.spec_diff
    details = media_type_details(site)
    change = node_info(site.diff, spec_diff).nullability
    if change:
        b, r = _nullable_pointers(site.diff)
        site.emit(f"response-body-became-{change}", base_pointer=b, revision_pointer=r, details=details)
    for name, d, _parent in properties_of(site):
        change = node_info(d, spec_diff).nullability
        if change:
            b, r = _nullable_pointers(d)
            site.emit(f"response-property-became-{change}", name, site.status, base_pointer=b,
                      revision_pointer=r, details=details)
