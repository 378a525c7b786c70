"""oneOf wrapping of a body (checks/wrapping.py) and the transition-claim exemption of header findings."""

import json

from governance.openapi import Options, diff_specs, load_spec

OBJECT = {
    "type": "object",
    "required": ["foo", "bar"],
    "properties": {"foo": {"type": "string"}, "bar": {"type": "string"}, "baz": {"type": "string"}},
}
VARIANT = {
    "type": "object",
    "required": ["bar"],
    "properties": {"foo": {"type": "string"}, "bar": {"type": "string"}, "baz": {"type": "string"}},
}


def spec(request_schema, response_schema=None, components=None, header_schema=None):
    response = {
        "description": "ok",
        "content": {"application/json": {"schema": response_schema if response_schema is not None else request_schema}},
    }
    if header_schema is not None:
        response["headers"] = {"X-Rate": {"schema": header_schema}}
    operation = {
        "requestBody": {"content": {"application/json": {"schema": request_schema}}},
        "responses": {"200": response},
    }
    doc = {
        "openapi": "3.1.0",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"post": operation}},
        "components": {"schemas": components or {}},
    }
    return load_spec(json.dumps(doc).encode(), filename="spec.json")


def findings(base, revision, **options):
    options.setdefault("min_level", "INFO")
    return diff_specs(base, revision, Options(**options)).findings


def ids(base, revision, **options):
    return sorted(f.id for f in findings(base, revision, **options))


def test_inline_wrapping_is_reported_once_per_body_and_nothing_else():
    got = findings(spec(OBJECT), spec({"oneOf": [OBJECT, VARIANT]}))
    assert sorted((f.id, f.level) for f in got) == [
        ("request-body-wrapped-in-one-of", "ERR"),
        ("response-body-wrapped-in-one-of", "ERR"),
    ]
    request = next(f for f in got if f.id == "request-body-wrapped-in-one-of")
    assert request.text == (
        "the request body was restructured into a oneOf, so a payload that was previously "
        "valid may no longer be accepted"
    )
    assert request.revision_pointer.endswith("/schema/oneOf")


def test_ref_alternative_wrapping_suppresses_removed_properties_and_type_change():
    components = {"Pet": OBJECT, "Other": {"type": "object", "properties": {"qux": {"type": "integer"}}}}
    base = spec({"$ref": "#/components/schemas/Pet"}, components=components)
    revision = spec(
        {"oneOf": [{"$ref": "#/components/schemas/Pet"}, {"$ref": "#/components/schemas/Other"}]}, components=components
    )
    assert ids(base, revision) == ["request-body-wrapped-in-one-of", "response-body-wrapped-in-one-of"]


def test_properties_not_carried_by_any_alternative_are_still_removed():
    other = {"type": "object", "properties": {"qux": {"type": "integer"}}}
    got = ids(spec(OBJECT), spec({"oneOf": [other, {"type": "object", "properties": {"foo": {"type": "string"}}}]}))
    # foo moved (a wrapping); bar and baz are gone from every alternative: still removed
    assert got.count("request-body-wrapped-in-one-of") == 1
    assert got.count("request-property-removed") == 2
    assert "response-required-property-removed" in got and "response-optional-property-removed" in got


def test_no_property_in_common_is_not_a_wrapping():
    other = {"type": "object", "properties": {"qux": {"type": "integer"}}}
    got = ids(spec(OBJECT), spec({"oneOf": [other]}))
    assert "request-body-wrapped-in-one-of" not in got and "response-body-wrapped-in-one-of" not in got
    assert got.count("request-property-removed") == 3


def test_nullable_wrapping_is_reported_as_became_nullable_not_wrapped():
    got = ids(spec(OBJECT), spec({"oneOf": [{"type": "null"}, OBJECT]}))
    assert "request-body-wrapped-in-one-of" not in got and "response-body-wrapped-in-one-of" not in got
    assert "response-body-became-nullable" in got


def test_property_level_wrapping_keeps_one_of_added_and_drops_echoes():
    base = spec({"type": "object", "properties": {"owner": OBJECT}})
    revision = spec({"type": "object", "properties": {"owner": {"oneOf": [OBJECT, VARIANT]}}})
    got = ids(base, revision)
    assert "request-property-one-of-added" in got and "response-property-one-of-added" in got
    assert not [i for i in got if "wrapped-in-one-of" in i]  # no dedicated property-level id
    assert not [i for i in got if i.endswith("-property-removed")]  # owner/foo... moved, not removed
    assert not [i for i in got if "-property-type-" in i]  # the wrapper reads as "any": claimed echo


def test_selected_check_alone_reports_the_wrapping():
    got = ids(
        spec(OBJECT),
        spec({"oneOf": [OBJECT, VARIANT]}),
        checks=["RequestPropertyUpdatedCheck", "ResponseRequiredPropertyUpdatedCheck"],
    )
    assert got == ["request-body-wrapped-in-one-of", "response-body-wrapped-in-one-of"]


def test_unwrapping_is_not_detected():
    got = ids(spec({"oneOf": [OBJECT, VARIANT]}), spec(OBJECT))
    assert not [i for i in got if "wrapped-in-one-of" in i]


def test_header_became_nullable_survives_a_nullable_oneof_wrap():
    body = {"type": "object", "properties": {"a": {"type": "string"}}}
    base = spec(body, header_schema={"type": "string"})
    revision = spec(body, header_schema={"oneOf": [{"type": "null"}, {"type": "string"}]})
    got = findings(base, revision)
    assert "response-header-became-nullable" in [f.id for f in got]


def test_header_finding_survives_a_body_wrap_claim_on_a_shared_schema():
    # the header and the response body share one component: the body's nullable-wrap claim covers the
    # component's location, but oasdiff's header check never consults transition claims
    components = {"Rate": {"type": "string", "enum": ["a", "b"]}}
    rate = {"$ref": "#/components/schemas/Rate"}
    wrapped = {"oneOf": [{"type": "null"}, {"type": "string", "enum": ["a", "b"]}]}
    base = spec(
        {"type": "object", "properties": {"a": {"type": "string"}}},
        response_schema=rate,
        components=components,
        header_schema=rate,
    )
    revision = spec(
        {"type": "object", "properties": {"a": {"type": "string"}}},
        response_schema=rate,
        components={"Rate": wrapped},
        header_schema=rate,
    )
    got = [f.id for f in findings(base, revision)]
    assert "response-body-became-nullable" in got
    assert "response-header-became-nullable" in got
