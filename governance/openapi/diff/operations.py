"""Pairs of parameters, request bodies, responses and media types of one operation."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from ..pointers import join_pointer
from .schema import SchemaDiff

if TYPE_CHECKING:
    from ..jsontypes import JSON, JSONObject
    from ..load import Spec
    from .walk import OperationDiff, SpecDiff


@dataclass
class ParamRef:
    in_: str
    name: str
    param: JSONObject  # resolved parameter object
    location: str


@dataclass
class ParamDiff:
    base: ParamRef
    revision: ParamRef
    changed: set[str]  # parameter keywords (not the schema) whose value differs
    owner: OperationDiff  # to reach the schema differ

    @cached_property
    def schema(self) -> SchemaDiff | None:
        """The value's schema diff: ``schema``, or the schema of its one ``content`` media type."""
        b, b_loc = value_schema(self.base.param, self.base.location)
        r, r_loc = value_schema(self.revision.param, self.revision.location)
        if b is None or r is None:
            return None
        return self.owner.spec_diff.schemas.diff(b, b_loc, r, r_loc)


def value_schema(holder: JSONObject, location: str) -> tuple[JSON, str]:
    """The schema of a parameter's or header's value and its pointer: its ``schema``, else the schema
    of the (first) media type of its ``content`` (the spec allows exactly one); (None, "") if none."""
    schema = holder.get("schema")
    if schema is not None:
        return schema, join_pointer(location, "schema")
    content = holder.get("content")
    if isinstance(content, dict):
        for name, media in content.items():
            if isinstance(media, dict) and media.get("schema") is not None:
                return media["schema"], join_pointer(location, "content", name, "schema")
            break
    return None, ""


@dataclass
class ParametersDiff:
    added: list[ParamRef] = field(default_factory=list)
    removed: list[ParamRef] = field(default_factory=list)
    modified: list[ParamDiff] = field(default_factory=list)


@dataclass
class MediaTypeDiff:
    name: str
    base: JSONObject
    revision: JSONObject
    base_pointer: str
    revision_pointer: str
    schema: SchemaDiff | None
    schema_added: bool = False
    schema_removed: bool = False
    base_name: str | None = None  # set when paired with an equivalent name (json -> json; charset=...)
    # OpenAPI 3.2 ``itemSchema``: the schema of each item of a streamed body (application/jsonl,
    # text/event-stream, ...); diffed like ``schema``, with the same direction
    item_schema: SchemaDiff | None = None


@dataclass
class ContentDiff:
    """Media types of a request body, response or parameter ``content``."""

    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, MediaTypeDiff] = field(default_factory=dict)

    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.modified)


@dataclass
class RequestBodyDiff:
    base: JSONObject | None
    revision: JSONObject | None
    base_pointer: str | None
    revision_pointer: str | None
    content: ContentDiff

    @property
    def added(self) -> bool:
        return self.base is None and self.revision is not None

    @property
    def removed(self) -> bool:
        return self.base is not None and self.revision is None


@dataclass
class HeaderDiff:
    name: str
    base: JSONObject
    revision: JSONObject
    base_pointer: str
    revision_pointer: str
    changed: set[str]
    schema: SchemaDiff | None


@dataclass
class ResponseDiff:
    status: str
    base: JSONObject
    revision: JSONObject
    base_pointer: str
    revision_pointer: str
    content: ContentDiff
    headers_added: list[str] = field(default_factory=list)
    headers_removed: list[str] = field(default_factory=list)
    headers_modified: dict[str, HeaderDiff] = field(default_factory=dict)


@dataclass
class ResponsesDiff:
    added: list[str] = field(default_factory=list)  # status codes (strings: "200", "4XX", "default")
    removed: list[str] = field(default_factory=list)
    modified: dict[str, ResponseDiff] = field(default_factory=dict)


def content_diff(
    spec_diff: SpecDiff, base_content: JSON, base_loc: str, rev_content: JSON, rev_loc: str
) -> ContentDiff:
    result = ContentDiff()
    base_content = base_content if isinstance(base_content, dict) else {}
    rev_content = rev_content if isinstance(rev_content, dict) else {}
    for name, base_media in base_content.items():
        if name not in rev_content:
            result.removed.append(name)
            continue
        b_loc, r_loc = join_pointer(base_loc, name), join_pointer(rev_loc, name)
        if spec_diff.equivalence.unchanged(base_media, rev_content[name], b_loc):
            continue
        result.modified[name] = _media_diff(spec_diff, name, name, base_media, rev_content[name], b_loc, r_loc)
    result.added.extend(name for name in rev_content if name not in base_content)
    if result.added and result.removed:
        # oasdiff pairs an added and a removed media type whose names are equivalent
        # (application/json -> application/json; charset=utf-8, or -> application/problem+json).
        still_added: list[str] = []
        for rev_name in result.added:
            base_name = next((b for b in result.removed if media_type_names_equivalent(str(b), str(rev_name))), None)
            if base_name is None:
                still_added.append(rev_name)
                continue
            result.removed.remove(base_name)
            result.modified[rev_name] = _media_diff(
                spec_diff,
                base_name,
                rev_name,
                base_content[base_name],
                rev_content[rev_name],
                join_pointer(base_loc, base_name),
                join_pointer(rev_loc, rev_name),
            )
        result.added = still_added
    return result


def _media_diff(
    spec_diff: SpecDiff, base_name: str, rev_name: str, base_media: JSON, rev_media: JSON, b_loc: str, r_loc: str
) -> MediaTypeDiff:
    base_media, b_loc, _ = spec_diff.base.deref(base_media, b_loc)
    rev_media, r_loc, _ = spec_diff.revision.deref(rev_media, r_loc)
    base_media = base_media if isinstance(base_media, dict) else {}
    rev_media = rev_media if isinstance(rev_media, dict) else {}
    b_schema, r_schema = base_media.get("schema"), rev_media.get("schema")
    schema = None
    if b_schema is not None and r_schema is not None:
        schema = spec_diff.schemas.diff(
            b_schema, join_pointer(b_loc, "schema"), r_schema, join_pointer(r_loc, "schema")
        )
    b_items, r_items = base_media.get("itemSchema"), rev_media.get("itemSchema")
    item_schema = None
    if b_items is not None and r_items is not None:
        item_schema = spec_diff.schemas.diff(
            b_items, join_pointer(b_loc, "itemSchema"), r_items, join_pointer(r_loc, "itemSchema")
        )
    return MediaTypeDiff(
        rev_name,
        base_media,
        rev_media,
        b_loc,
        r_loc,
        schema,
        schema_added=b_schema is None and r_schema is not None,
        schema_removed=b_schema is not None and r_schema is None,
        base_name=None if base_name == rev_name else base_name,
        item_schema=item_schema,
    )


def parse_media_type(name: str) -> tuple[str, str, list[str], dict[str, str]] | None:
    """(type, subtype, suffixes, parameters) of a media type name, None when unparseable."""
    head, *params = name.split(";")
    type_, sep, subtype = head.strip().lower().partition("/")
    if not sep or not type_ or not subtype or "/" in subtype:
        return None
    parameters: dict[str, str] = {}
    for param in params:
        key, eq, value = param.strip().partition("=")
        if not param.strip():
            continue
        if not eq or not key.strip():
            return None
        parameters[key.strip().lower()] = value.strip().strip('"')
    base, *suffixes = subtype.split("+")
    if not base.strip() or any(not s.strip() for s in suffixes):
        return None
    return type_.strip(), base.strip(), [s.strip() for s in suffixes], parameters


def media_type_name_contained(name1: str, name2: str) -> bool:
    """oasdiff's IsMediaTypeNameContained: can name2 be used where name1 was expected?"""
    parts1, parts2 = parse_media_type(name1), parse_media_type(name2)
    if parts1 is None or parts2 is None or parts1[0] != parts2[0]:
        return False
    if not parts1[2] and parts2[2] and parts2[2][-1] == parts1[1]:
        return True  # application/json contains application/problem+json
    if parts1[1] != parts2[1] or len(parts2[2]) < len(parts1[2]):
        return False
    return parts2[2][: len(parts1[2])] == parts1[2]


def media_type_names_equivalent(name1: str, name2: str) -> bool:
    return media_type_name_contained(name1, name2) or media_type_name_contained(name2, name1)


def parameters_diff(op: OperationDiff) -> ParametersDiff:
    """Match parameters by (in, name); path parameters by position in the path template."""
    spec_diff = op.spec_diff
    base_params = _params(spec_diff.base, op.base.get("parameters"), join_pointer(op.base_pointer, "parameters"))
    rev_params = _params(
        spec_diff.revision, op.revision.get("parameters"), join_pointer(op.revision_pointer, "parameters")
    )
    renamed = op.path_param_map  # base path param name -> revision path param name
    rev_index = {(p.in_, p.name): p for p in rev_params}
    result = ParametersDiff()
    matched_rev: set[tuple[str, str]] = set()
    for base in base_params:
        name = renamed.get(base.name, base.name) if base.in_ == "path" else base.name
        partner = rev_index.get((base.in_, name))
        if partner is None:
            result.removed.append(base)
            continue
        matched_rev.add((partner.in_, partner.name))
        if spec_diff.equivalence.unchanged(base.param, partner.param, base.location):
            continue
        changed = {
            k
            for k in base.param.keys() | partner.param.keys()
            if k not in ("schema", "name") and base.param.get(k) != partner.param.get(k)
        }
        param_diff = ParamDiff(base, partner, changed, op)
        if changed or param_diff.schema is not None:
            result.modified.append(param_diff)
    result.added.extend(p for p in rev_params if (p.in_, p.name) not in matched_rev)
    return result


def _params(spec: Spec, params: JSON, location: str) -> list[ParamRef]:
    result: list[ParamRef] = []
    if not isinstance(params, list):
        return result
    for index, node in enumerate(params):
        param, param_loc, _ = spec.deref(node, join_pointer(location, index))
        if isinstance(param, dict) and isinstance(param.get("name"), str):
            result.append(ParamRef(str(param.get("in", "")), param["name"], param, param_loc))
    return result


def request_body_diff(op: OperationDiff) -> RequestBodyDiff | None:
    spec_diff = op.spec_diff
    b_node, r_node = op.base.get("requestBody"), op.revision.get("requestBody")
    if b_node is None and r_node is None:
        return None
    b_loc = join_pointer(op.base_pointer, "requestBody")
    r_loc = join_pointer(op.revision_pointer, "requestBody")
    base: JSONObject | None = None
    rev: JSONObject | None = None
    if b_node is not None:
        target, b_loc, _ = spec_diff.base.deref(b_node, b_loc)
        base = _object_or_none(target)
    if r_node is not None:
        target, r_loc, _ = spec_diff.revision.deref(r_node, r_loc)
        rev = _object_or_none(target)
    if base is not None and rev is not None and spec_diff.equivalence.unchanged(base, rev, b_loc):
        return None
    content = (
        content_diff(
            spec_diff,
            (base or {}).get("content"),
            join_pointer(b_loc, "content"),
            (rev or {}).get("content"),
            join_pointer(r_loc, "content"),
        )
        if base is not None and rev is not None
        else ContentDiff()
    )
    return RequestBodyDiff(base, rev, b_loc if base is not None else None, r_loc if rev is not None else None, content)


def _object_or_none(node: JSON) -> JSONObject | None:
    """A request body as read: None when absent, {} when it is junk (a scalar or a list: no body
    object to read, as for a media type or a response), else the object itself."""
    return node if node is None or isinstance(node, dict) else {}


def responses_diff(op: OperationDiff) -> ResponsesDiff:
    spec_diff = op.spec_diff
    base_responses = found if isinstance(found := op.base.get("responses"), dict) else {}
    rev_responses = found if isinstance(found := op.revision.get("responses"), dict) else {}
    base_by_status = {str(k): v for k, v in base_responses.items()}
    rev_by_status = {str(k): v for k, v in rev_responses.items()}
    b_loc0 = join_pointer(op.base_pointer, "responses")
    r_loc0 = join_pointer(op.revision_pointer, "responses")
    result = ResponsesDiff()
    for status, b_node in base_by_status.items():
        if status not in rev_by_status:
            result.removed.append(status)
            continue
        b_loc, r_loc = join_pointer(b_loc0, status), join_pointer(r_loc0, status)
        r_node = rev_by_status[status]
        if spec_diff.equivalence.unchanged(b_node, r_node, b_loc):
            continue
        base, b_loc, _ = spec_diff.base.deref(b_node, b_loc)
        rev, r_loc, _ = spec_diff.revision.deref(r_node, r_loc)
        base = base if isinstance(base, dict) else {}
        rev = rev if isinstance(rev, dict) else {}
        response = ResponseDiff(
            status,
            base,
            rev,
            b_loc,
            r_loc,
            content_diff(
                spec_diff,
                base.get("content"),
                join_pointer(b_loc, "content"),
                rev.get("content"),
                join_pointer(r_loc, "content"),
            ),
        )
        _headers_diff(spec_diff, response)
        result.modified[status] = response
    result.added.extend(s for s in rev_by_status if s not in base_by_status)
    return result


def _headers_diff(spec_diff: SpecDiff, response: ResponseDiff) -> None:
    base_headers = found if isinstance(found := response.base.get("headers"), dict) else {}
    rev_headers = found if isinstance(found := response.revision.get("headers"), dict) else {}
    for name, b_node in base_headers.items():
        if name not in rev_headers:
            response.headers_removed.append(name)
            continue
        b_loc = join_pointer(response.base_pointer, "headers", name)
        r_loc = join_pointer(response.revision_pointer, "headers", name)
        r_node = rev_headers[name]
        if spec_diff.equivalence.unchanged(b_node, r_node, b_loc):
            continue
        base, b_loc, _ = spec_diff.base.deref(b_node, b_loc)
        rev, r_loc, _ = spec_diff.revision.deref(r_node, r_loc)
        base = base if isinstance(base, dict) else {}
        rev = rev if isinstance(rev, dict) else {}
        changed = {k for k in base.keys() | rev.keys() if k != "schema" and base.get(k) != rev.get(k)}
        schema = None
        b_schema, b_schema_loc = value_schema(base, b_loc)
        r_schema, r_schema_loc = value_schema(rev, r_loc)
        if b_schema is not None and r_schema is not None:
            schema = spec_diff.schemas.diff(b_schema, b_schema_loc, r_schema, r_schema_loc)
        response.headers_modified[name] = HeaderDiff(name, base, rev, b_loc, r_loc, changed, schema)
    response.headers_added.extend(n for n in rev_headers if n not in base_headers)
