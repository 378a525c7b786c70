"""Coverage: schema keywords oasdiff does not compare (checks/keywords.py), at every place a schema
can sit, with direction-aware levels (tightened on what clients send = breaking, on what they
receive = not, and the reverse)."""

import copy
import json

import pytest

from governance.openapi import Options, diff_specs, load_spec
from governance.openapi.rules import all_rules

OK = {"200": {"description": "ok"}}


def _doc(operation, schemas=None, version="3.0.3"):
    return {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"post": operation}},
        "components": {"schemas": schemas or {}},
    }


def _body(schema):
    return {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": OK}


def _response(schema):
    return {"responses": {"200": {"description": "ok", "content": {"application/json": {"schema": schema}}}}}


# place -> (how the schema is placed, the rule id prefix, the name the message gives it or None)
PLACES = {
    "parameter schema": (
        lambda s: _doc({"parameters": [{"name": "q", "in": "query", "schema": s}], "responses": OK}),
        "request-parameter",
    ),
    "request body": (lambda s: _doc(_body(s)), "request-body"),
    "response body": (lambda s: _doc(_response(s)), "response-body"),
    "nested property": (lambda s: _doc(_body({"type": "object", "properties": {"p": s}})), "request-property"),
    "array items": (lambda s: _doc(_response({"type": "array", "items": s})), "response-property"),
    "composition branch": (lambda s: _doc(_body({"oneOf": [s, {"type": "boolean"}]})), "request-property"),
    "behind a $ref": (lambda s: _doc(_response({"$ref": "#/components/schemas/X"}), {"X": s}), "response-body"),
    "behind a cycle": (
        lambda s: _doc(
            _body({"$ref": "#/components/schemas/N"}),
            {"N": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/N"}, "v": s}}},
        ),
        "request-property",
    ),
}

NUMBER, OBJECT, ARRAY = {"type": "number"}, {"type": "object"}, {"type": "array", "items": {"type": "string"}}

# (change, base schema, revision schema, rule id suffix, level in requests, level in responses)
CHANGES = [
    ("minProperties set", OBJECT, {**OBJECT, "minProperties": 1}, "min-properties-increased", "ERR", "INFO"),
    ("minProperties lowered", {**OBJECT, "minProperties": 2}, OBJECT, "min-properties-decreased", "INFO", "ERR"),
    ("maxProperties set", OBJECT, {**OBJECT, "maxProperties": 3}, "max-properties-set", "WARN", "INFO"),
    (
        "maxProperties lowered",
        {**OBJECT, "maxProperties": 5},
        {**OBJECT, "maxProperties": 3},
        "max-properties-decreased",
        "ERR",
        "INFO",
    ),
    ("maxProperties removed", {**OBJECT, "maxProperties": 5}, OBJECT, "max-properties-unset", "INFO", "ERR"),
    ("maxItems removed", {**ARRAY, "maxItems": 5}, ARRAY, "max-items-unset", "INFO", "ERR"),
    ("multipleOf set", NUMBER, {**NUMBER, "multipleOf": 2}, "multiple-of-set", "WARN", "INFO"),
    (
        "multipleOf 2 -> 4",
        {**NUMBER, "multipleOf": 2},
        {**NUMBER, "multipleOf": 4},
        "multiple-of-narrowed",
        "ERR",
        "INFO",
    ),
    (
        "multipleOf 4 -> 2",
        {**NUMBER, "multipleOf": 4},
        {**NUMBER, "multipleOf": 2},
        "multiple-of-widened",
        "INFO",
        "ERR",
    ),
    (
        "multipleOf 2 -> 3",
        {**NUMBER, "multipleOf": 2},
        {**NUMBER, "multipleOf": 3},
        "multiple-of-changed",
        "ERR",
        "ERR",
    ),
    ("uniqueItems on", ARRAY, {**ARRAY, "uniqueItems": True}, "unique-items-set", "WARN", "INFO"),
    ("uniqueItems off", {**ARRAY, "uniqueItems": True}, ARRAY, "unique-items-unset", "INFO", "ERR"),
    (
        "3.0 exclusiveMinimum on",
        {**NUMBER, "minimum": 1},
        {**NUMBER, "minimum": 1, "exclusiveMinimum": True},
        "min-became-exclusive",
        "ERR",
        "INFO",
    ),
    (
        "3.0 exclusiveMaximum off",
        {**NUMBER, "maximum": 9, "exclusiveMaximum": True},
        {**NUMBER, "maximum": 9},
        "max-became-inclusive",
        "INFO",
        "ERR",
    ),
    ("not added", NUMBER, {**NUMBER, "not": {"enum": [0]}}, "not-schema-added", "ERR", "INFO"),
    (
        "additionalProperties false",
        OBJECT,
        {**OBJECT, "additionalProperties": False},
        "additional-properties-narrowed",
        "ERR",
        "INFO",
    ),
    (
        "additionalProperties opened",
        {**OBJECT, "additionalProperties": False},
        OBJECT,
        "additional-properties-widened",
        "INFO",
        "ERR",
    ),
]


def _findings(base, revision, version="3.0.3"):
    for doc in (base, revision):
        doc["openapi"] = version
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "base.json"),
        load_spec(json.dumps(revision).encode(), "revision.json"),
        Options(min_level="INFO"),
    )
    return [(f.id, f.level) for f in report.findings], report


def _level(prefix, request_level, response_level):
    return request_level if prefix.startswith("request") else response_level


@pytest.mark.parametrize("place", list(PLACES))
@pytest.mark.parametrize(
    ("change", "before", "after", "suffix", "request_level", "response_level"), CHANGES, ids=[c[0] for c in CHANGES]
)
def test_a_keyword_change_is_reported_at_every_place_with_its_direction_aware_level(
    place, change, before, after, suffix, request_level, response_level
):
    build, prefix = PLACES[place]
    found, _ = _findings(build(copy.deepcopy(before)), build(copy.deepcopy(after)))
    rule_id = f"{prefix}-{suffix}"
    assert (rule_id, _level(prefix, request_level, response_level)) in found
    assert all_rules()[rule_id].source == "console"


def test_the_message_names_the_place_and_both_values():
    build, _ = PLACES["nested property"]
    _, report = _findings(build({**OBJECT, "maxProperties": 5}), build({**OBJECT, "maxProperties": 3}))
    (finding,) = [f for f in report.findings if f.id == "request-property-max-properties-decreased"]
    assert finding.text == "the maxProperties of the request property `p` was decreased from `5` to `3`"
    assert finding.base_pointer.endswith("/properties/p/maxProperties")
    assert finding.revision_pointer.endswith("/properties/p/maxProperties")


@pytest.mark.parametrize(
    ("written_out", "keyword"),
    [
        ({"uniqueItems": False}, "uniqueItems"),
        ({"minProperties": 0}, "minProperties"),
        ({"exclusiveMinimum": False, "minimum": 1}, "exclusiveMinimum"),
        ({"additionalProperties": True}, "additionalProperties"),
        ({"additionalProperties": {}}, "additionalProperties"),
        ({"pattern": ""}, "pattern"),
    ],
)
def test_a_keyword_written_out_at_its_default_is_no_change(written_out, keyword):
    base_schema = {"type": "object", "minimum": 1} if keyword == "exclusiveMinimum" else {"type": "object"}
    for build, _prefix in PLACES.values():
        found, _ = _findings(build(copy.deepcopy(base_schema)), build({**base_schema, **written_out}))
        assert found == [], (keyword, found)


def test_a_30_exclusive_bound_rewritten_in_the_31_form_is_no_change():
    before = {**NUMBER, "minimum": 1, "exclusiveMinimum": True, "maximum": 9, "exclusiveMaximum": True}
    after = {**NUMBER, "exclusiveMinimum": 1, "exclusiveMaximum": 9}
    for build, _prefix in PLACES.values():
        assert _findings(build(copy.deepcopy(before)), build(copy.deepcopy(after)), "3.1.0")[0] == []


def test_a_property_clients_never_send_or_never_receive_is_skipped():
    read_only = {"type": "object", "readOnly": True}
    base = _doc(_body({"type": "object", "properties": {"p": {**read_only, "maxProperties": 5}}}))
    revision = _doc(_body({"type": "object", "properties": {"p": {**read_only, "maxProperties": 1}}}))
    assert _findings(base, revision)[0] == []
    write_only = {"type": "object", "writeOnly": True}
    base = _doc(_response({"type": "object", "properties": {"p": {**write_only, "maxProperties": 1}}}))
    revision = _doc(_response({"type": "object", "properties": {"p": write_only}}))
    assert _findings(base, revision)[0] == []


@pytest.mark.parametrize(
    ("before", "after", "request_rule", "response_rule"),
    [
        # oasdiff reports a bound removed only for maxLength in responses, a bound set only in requests
        ({**NUMBER, "maximum": 5}, NUMBER, ("request-body-max-unset", "INFO"), ("response-body-max-unset", "ERR")),
        ({**NUMBER, "minimum": 5}, NUMBER, ("request-body-min-unset", "INFO"), ("response-body-min-unset", "ERR")),
        (NUMBER, {**NUMBER, "maximum": 5}, ("request-body-max-set", "WARN"), ("response-body-max-set", "INFO")),
        (
            {**NUMBER, "maximum": 9},
            {**NUMBER, "maximum": 5},
            ("request-body-max-decreased", "ERR"),
            ("response-body-max-decreased", "INFO"),
        ),
        (
            {"type": "string", "maxLength": 5},
            {"type": "string"},
            ("request-body-max-length-unset", "INFO"),
            ("response-body-max-length-unset", "ERR"),
        ),
        (
            {"type": "string"},
            {"type": "string", "pattern": "^a"},
            ("request-body-pattern-added", "ERR"),
            ("response-body-pattern-added", "INFO"),
        ),
        (
            ARRAY,
            {**ARRAY, "minItems": 2},
            ("request-body-min-items-increased", "ERR"),
            ("response-body-min-items-increased", "INFO"),
        ),
        (
            {"type": "string", "enum": ["a"]},
            {"type": "string", "enum": ["a", "b"]},
            ("request-body-enum-value-added", "INFO"),
            ("response-body-enum-value-added", "WARN"),
        ),
    ],
)
def test_request_and_response_read_the_same_change_in_opposite_ways(before, after, request_rule, response_rule):
    assert request_rule in _findings(_doc(_body(before)), _doc(_body(after)))[0]
    assert response_rule in _findings(_doc(_response(before)), _doc(_response(after)))[0]


def test_31_subschemas_and_contains_bounds_on_a_parameter():
    def param(schema):
        return _doc({"parameters": [{"name": "q", "in": "query", "schema": schema}], "responses": OK})

    array = {"type": "array", "items": {"type": "string"}}
    cases = [
        ({**array, "contains": {"const": "x"}}, "request-parameter-contains-added", "ERR"),
        ({**array, "prefixItems": [{"type": "string"}]}, "request-parameter-prefix-items-added", "ERR"),
        (
            {"type": "object", "propertyNames": {"pattern": "^a"}},
            "request-parameter-property-names-added",
            "ERR",
        ),
        ({"type": "string", "const": "x"}, "request-parameter-const-added", "ERR"),
    ]
    for revision, rule_id, level in cases:
        base = {k: v for k, v in revision.items() if k in ("type", "items")}
        assert (rule_id, level) in _findings(param(base), param(revision), "3.1.0")[0], rule_id
        assert (rule_id.replace("added", "removed"), "INFO") in _findings(param(revision), param(base), "3.1.0")[0]
    with_contains = {**array, "contains": {"const": "x"}}
    found = _findings(_doc(_body(with_contains)), _doc(_body({**with_contains, "minContains": 2})), "3.1.0")[0]
    assert ("request-body-min-contains-set", "WARN") in found


def test_a_boolean_schema_that_becomes_false_refuses_everything():
    base = _doc(_body({"type": "object", "properties": {"p": True}}))
    revision = _doc(_body({"type": "object", "properties": {"p": False}}))
    assert ("request-property-schema-became-false", "ERR") in _findings(base, revision, "3.1.0")[0]
    assert ("request-property-schema-became-true", "INFO") in _findings(revision, base, "3.1.0")[0]


def test_a_response_header_schema_is_checked_like_a_body():
    def header(schema):
        return _doc({"responses": {"200": {"description": "ok", "headers": {"X-Rate": {"schema": schema}}}}})

    found, report = _findings(header({"type": "integer", "maximum": 10}), header({"type": "integer"}))
    assert found == [("response-header-max-unset", "ERR")]
    assert (
        report.findings[0].text
        == "the maximum of the response header `X-Rate` was removed (it was `10`) for the status `200`"
    )
    found, _ = _findings(header({"type": "string", "enum": ["a"]}), header({"type": "string", "enum": ["a", "b"]}))
    assert found == [("response-header-enum-value-added", "WARN")]


def test_a_component_renamed_with_the_same_content_is_no_breaking_change():
    """Same content under a new name, every $ref following it (a oneOf member too: oasdiff matches
    members by component name and reports a breaking member removed)."""
    pet = {"type": "object", "properties": {"name": {"type": "string"}}}

    def doc(name):
        ref = {"$ref": f"#/components/schemas/{name}"}
        operation = {
            "requestBody": {"content": {"application/json": {"schema": {"oneOf": [ref, {"type": "string"}]}}}},
            "responses": {"200": {"description": "ok", "content": {"application/json": {"schema": ref}}}},
        }
        return _doc(operation, {name: pet})

    found, _ = _findings(doc("Pet"), doc("Animal"))
    assert [f for f in found if f[1] != "INFO"] == []
    changed = doc("Animal")
    changed["components"]["schemas"]["Animal"] = {**pet, "required": ["name"]}
    assert ("request-body-one-of-removed", "ERR") in _findings(doc("Pet"), changed)[0]
