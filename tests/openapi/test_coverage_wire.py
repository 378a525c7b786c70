"""Coverage: how values are written on the wire (checks/serialization.py): parameter style,
explode, allowReserved, allowEmptyValue and content, response header serialisation, multipart
encodings. Compared as effective values: a default written out is no change."""

import json

import pytest

from governance.openapi import Options, diff_specs, load_spec

ARRAY = {"type": "array", "items": {"type": "string"}}
OBJECT = {"type": "object", "properties": {"a": {"type": "string"}}}
OK = {"200": {"description": "ok"}}


def _doc(operation, version="3.0.3"):
    return {"openapi": version, "info": {"title": "t", "version": "1"}, "paths": {"/a/{p}": {"get": operation}}}


def _param(where="query", schema=None, **fields):
    param = {"name": "p" if where == "path" else "q", "in": where, **fields}
    if "content" not in fields:
        param["schema"] = ARRAY if schema is None else schema
    if where == "path":
        param["required"] = True
    return _doc({"parameters": [param], "responses": OK})


def _findings(base, revision):
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "base.json"),
        load_spec(json.dumps(revision).encode(), "revision.json"),
        Options(min_level="INFO"),
    )
    return [(f.id, f.level, f.text) for f in report.findings]


def _ids(base, revision):
    return [(i, level) for i, level, _ in _findings(base, revision)]


@pytest.mark.parametrize(
    ("where", "before", "after", "expected"),
    [
        ("query", {}, {"style": "pipeDelimited"}, ("request-parameter-style-changed", "ERR")),
        ("query", {}, {"explode": False}, ("request-parameter-explode-changed", "ERR")),
        ("header", {}, {"explode": True}, ("request-parameter-explode-changed", "ERR")),
        ("cookie", {}, {"explode": False}, ("request-parameter-explode-changed", "ERR")),
        ("path", {}, {"style": "label"}, ("request-parameter-style-changed", "ERR")),
        ("query", {}, {"allowReserved": True}, ("request-parameter-allow-reserved-added", "INFO")),
        ("query", {"allowReserved": True}, {}, ("request-parameter-allow-reserved-removed", "ERR")),
        ("query", {}, {"allowEmptyValue": True}, ("request-parameter-allow-empty-value-added", "INFO")),
        ("query", {"allowEmptyValue": True}, {}, ("request-parameter-allow-empty-value-removed", "ERR")),
    ],
)
def test_parameter_serialisation_of_arrays_and_objects_in_each_location(where, before, after, expected):
    assert _ids(_param(where, **before), _param(where, **after)) == [expected]
    schema = OBJECT if where != "path" else ARRAY
    assert expected in _ids(_param(where, schema, **before), _param(where, schema, **after))


def test_the_message_says_from_what_to_what():
    assert _findings(_param(), _param(style="spaceDelimited")) == [
        (
            "request-parameter-style-changed",
            "ERR",
            "the `query` request parameter `q` style changed from `form` to `spaceDelimited`",
        )
    ]


@pytest.mark.parametrize(
    ("where", "fields"),
    [
        ("query", {"style": "form", "explode": True, "allowReserved": False, "allowEmptyValue": False}),
        ("header", {"style": "simple", "explode": False}),
        ("path", {"style": "simple", "explode": False}),
        ("cookie", {"style": "form", "explode": True}),
    ],
)
def test_defaults_written_out_are_no_change(where, fields):
    assert _findings(_param(where), _param(where, **fields)) == []


def test_explode_on_a_scalar_is_no_change_but_a_prefixed_style_is():
    scalar = {"type": "integer"}
    assert _findings(_param("query", scalar), _param("query", scalar, explode=False)) == []
    assert _findings(_param("query", scalar), _param("query", scalar, style="spaceDelimited")) == []
    assert _ids(_param("path", scalar), _param("path", scalar, style="matrix")) == [
        ("request-parameter-style-changed", "ERR")
    ]


def test_parameter_content_media_type_and_its_schema():
    def content(media, schema):
        return {"content": {media: {"schema": schema}}}

    base = _param(**content("application/json", OBJECT))
    assert ("request-parameter-content-changed", "ERR") in _ids(base, _param(**content("text/plain", OBJECT)))
    assert ("request-parameter-content-changed", "ERR") in _ids(base, _param())
    required = {**OBJECT, "required": ["a"]}
    assert _ids(base, _param(**content("application/json", required))) == [
        ("request-parameter-property-became-required", "ERR")
    ]
    narrowed = {**OBJECT, "properties": {"a": {"type": "string", "maxLength": 3}}}
    assert _ids(base, _param(**content("application/json", narrowed))) == [
        ("request-parameter-property-max-length-set", "WARN")
    ]


def _header(**fields):
    return _doc({"responses": {"200": {"description": "ok", "headers": {"X-Next": {"schema": ARRAY, **fields}}}}})


def test_response_header_required_explode_style_and_content():
    assert _ids(_header(), _header(required=True)) == [("response-header-became-required", "INFO")]
    assert _ids(_header(), _header(explode=True)) == [("response-header-explode-changed", "ERR")]
    assert _ids(_header(), _header(explode=False, style="simple")) == []
    as_content = {
        "responses": {
            "200": {"description": "ok", "headers": {"X-Next": {"content": {"application/json": {"schema": ARRAY}}}}}
        }
    }
    assert ("response-header-content-changed", "ERR") in _ids(_header(), _doc(as_content))


def _multipart(encoding, schema=None, response=False):
    media = {
        "multipart/form-data": {
            "schema": schema or {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}},
            "encoding": encoding,
        }
    }
    if response:
        return _doc({"responses": {"200": {"description": "ok", "content": media}}})
    return _doc({"requestBody": {"content": media}, "responses": OK})


def test_multipart_part_encoding():
    png, jpeg = {"file": {"contentType": "image/png"}}, {"file": {"contentType": "image/jpeg"}}
    found = _findings(_multipart(png), _multipart(jpeg))
    assert found == [
        (
            "request-body-encoding-changed",
            "ERR",
            "the encoding of the part `file` of the request body media type `multipart/form-data` changed"
            " (contentType image/png -> image/jpeg)",
        )
    ]
    assert _ids(_multipart(png, response=True), _multipart(jpeg, response=True)) == [
        ("response-body-encoding-changed", "WARN")
    ]
    # the default content type of a binary string written out: no change
    assert _findings(_multipart({}), _multipart({"file": {"contentType": "application/octet-stream"}})) == []
