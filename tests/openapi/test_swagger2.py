"""Swagger / OpenAPI 2.0: read into the 3.x model (swagger2.py), diffed against 2.0 and 3.x, with
findings pointing into the original 2.0 documents."""

import copy
import json

import pytest

from governance.openapi import Options, SpecError, diff_specs, load_spec
from governance.openapi.load import Spec

SWAGGER = {
    "swagger": "2.0",
    "info": {"title": "Pets", "version": "1"},
    "host": "api.example.com",
    "basePath": "/v1",
    "schemes": ["https"],
    "consumes": ["application/json"],
    "produces": ["application/json"],
    "securityDefinitions": {
        "oauth": {
            "type": "oauth2",
            "flow": "accessCode",
            "authorizationUrl": "https://auth.example.com/authorize",
            "tokenUrl": "https://auth.example.com/token",
            "scopes": {"read": "read pets", "write": "write pets"},
        },
        "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
        "basic": {"type": "basic"},
    },
    "security": [{"key": []}],
    "paths": {
        "/pets": {
            "get": {
                "parameters": [
                    {"name": "tags", "in": "query", "type": "array", "items": {"type": "string"}},
                    {"name": "limit", "in": "query", "type": "integer", "maximum": 100},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Rate": {"type": "integer"}},
                        "schema": {"type": "array", "items": {"$ref": "#/definitions/Pet"}},
                    }
                },
            },
            "post": {
                "parameters": [
                    {"name": "X-Trace", "in": "header", "type": "string"},
                    {"name": "body", "in": "body", "required": True, "schema": {"$ref": "#/definitions/NewPet"}},
                ],
                "responses": {"201": {"description": "created", "schema": {"$ref": "#/definitions/Pet"}}},
            },
        },
        "/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "type": "string"}],
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
        "/pets/{id}/photo": {
            "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [
                    {"name": "id", "in": "path", "required": True, "type": "string"},
                    {"name": "file", "in": "formData", "type": "file", "required": True},
                    {"name": "caption", "in": "formData", "type": "string"},
                ],
                "responses": {"204": {"description": "ok"}},
            }
        },
    },
    "definitions": {
        "Pet": {
            "type": "object",
            "required": ["id"],
            "properties": {"id": {"type": "string"}, "name": {"type": "string", "x-nullable": True}},
        },
        "NewPet": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}},
    },
}

# The same API written as OpenAPI 3.0, as a team migrating by hand would.
OPENAPI3 = {
    "openapi": "3.0.3",
    "info": {"title": "Pets", "version": "1"},
    "servers": [{"url": "https://api.example.com/v1"}],
    "security": [{"key": []}],
    "paths": {
        "/pets": {
            "get": {
                "parameters": [
                    {
                        "name": "tags",
                        "in": "query",
                        "style": "form",
                        "explode": False,
                        "schema": {"type": "array", "items": {"type": "string"}},
                    },
                    {"name": "limit", "in": "query", "schema": {"type": "integer", "maximum": 100}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "headers": {"X-Rate": {"schema": {"type": "integer"}}},
                        "content": {
                            "application/json": {
                                "schema": {"type": "array", "items": {"$ref": "#/components/schemas/Pet"}}
                            }
                        },
                    }
                },
            },
            "post": {
                "parameters": [{"name": "X-Trace", "in": "header", "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}},
                },
                "responses": {
                    "201": {
                        "description": "created",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pet"}}},
                    }
                },
            },
        },
        "/pets/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "delete": {"responses": {"204": {"description": "gone"}}},
        },
        "/pets/{id}/photo": {
            "post": {
                "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "requestBody": {
                    "required": True,
                    "content": {
                        "multipart/form-data": {
                            "schema": {
                                "type": "object",
                                "required": ["file"],
                                "properties": {
                                    "file": {"type": "string", "format": "binary"},
                                    "caption": {"type": "string"},
                                },
                            }
                        }
                    },
                },
                "responses": {"204": {"description": "ok"}},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "oauth": {
                "type": "oauth2",
                "flows": {
                    "authorizationCode": {
                        "authorizationUrl": "https://auth.example.com/authorize",
                        "tokenUrl": "https://auth.example.com/token",
                        "scopes": {"read": "read pets", "write": "write pets"},
                    }
                },
            },
            "key": {"type": "apiKey", "name": "X-Key", "in": "header"},
            "basic": {"type": "http", "scheme": "basic"},
        },
        "schemas": {
            "Pet": {
                "type": "object",
                "required": ["id"],
                "properties": {"id": {"type": "string"}, "name": {"type": "string", "nullable": True}},
            },
            "NewPet": {"type": "object", "properties": {"name": {"type": "string"}, "age": {"type": "integer"}}},
        },
    },
}


def load(doc: dict) -> Spec:
    return load_spec(json.dumps(doc).encode(), "spec.json")


def changed(doc: dict, edit) -> dict:
    doc = copy.deepcopy(doc)
    edit(doc)
    return doc


def findings(base: dict, revision: dict) -> list[tuple[str, str, str, str | None, str | None]]:
    report = diff_specs(load(base), load(revision), Options(min_level="INFO"))
    return [(f.id, f.operation, f.path, f.base_pointer, f.revision_pointer) for f in report.findings]


def resolves(doc: dict, pointer: str) -> bool:
    """Does ``pointer`` name a node of ``doc`` (the original, unconverted document)?"""
    node = doc
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            if not token.isdigit() or int(token) >= len(node):
                return False
            node = node[int(token)]
        elif isinstance(node, dict) and token in node:
            node = node[token]
        else:
            return False
    return True


def assert_pointers_resolve(found, base: dict, revision: dict) -> None:
    for _, _, _, base_pointer, revision_pointer in found:
        assert base_pointer is None or resolves(base, base_pointer), base_pointer
        assert revision_pointer is None or resolves(revision, revision_pointer), revision_pointer


# --- reading 2.0 -----------------------------------------------------------------------------------


def test_a_2_0_document_reads_as_openapi_3():
    spec = load(SWAGGER)
    assert spec.swagger_version == "2.0" and spec.version == "3.0.3"
    root = spec.root
    assert root["servers"] == [{"url": "https://api.example.com/v1"}]
    post = root["paths"]["/pets"]["post"]
    assert post["requestBody"]["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/NewPet"}}}
    assert [p["name"] for p in post["parameters"]] == ["X-Trace"]
    photo = root["paths"]["/pets/{id}/photo"]["post"]["requestBody"]["content"]
    assert list(photo) == ["multipart/form-data"]
    assert photo["multipart/form-data"]["schema"]["properties"]["file"] == {"type": "string", "format": "binary"}
    assert photo["multipart/form-data"]["schema"]["required"] == ["file"]
    tags = root["paths"]["/pets"]["get"]["parameters"][0]
    assert (tags["style"], tags["explode"]) == ("form", False)  # csv, the 2.0 default
    schemes = root["components"]["securitySchemes"]
    assert schemes["basic"] == {"type": "http", "scheme": "basic"}
    assert list(schemes["oauth"]["flows"]) == ["authorizationCode"]
    assert root["components"]["schemas"]["Pet"]["properties"]["name"]["nullable"] is True


@pytest.mark.parametrize(
    "flow, name", [("implicit", "implicit"), ("password", "password"), ("application", "clientCredentials")]
)
def test_oauth2_flows_take_their_3_x_names(flow, name):
    doc = changed(SWAGGER, lambda d: d["securityDefinitions"]["oauth"].update(flow=flow))
    assert list(load(doc).root["components"]["securitySchemes"]["oauth"]["flows"]) == [name]


def test_form_data_without_files_is_url_encoded():
    doc = changed(SWAGGER, lambda d: d["paths"]["/pets/{id}/photo"]["post"].pop("consumes"))
    doc["paths"]["/pets/{id}/photo"]["post"]["parameters"][1]["type"] = "string"
    content = load(doc).root["paths"]["/pets/{id}/photo"]["post"]["requestBody"]["content"]
    assert list(content) == ["application/x-www-form-urlencoded"]


def test_other_swagger_versions_are_refused():
    with pytest.raises(SpecError, match="unsupported Swagger version '1.2'"):
        load({"swagger": "1.2", "info": {"title": "t", "version": "1"}})


# --- the same API written twice ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "base, revision", [(SWAGGER, SWAGGER), (SWAGGER, OPENAPI3), (OPENAPI3, SWAGGER)], ids=["2-2", "2-3", "3-2"]
)
def test_the_same_api_as_2_0_and_3_0_has_no_finding(base, revision):
    assert findings(base, revision) == []


# --- changes, 2.0 -> 2.0 and 2.0 -> 3.0 -----------------------------------------------------------------


def _remove_path(doc):
    paths = doc["paths"]
    del paths["/pets/{id}"]


def test_removed_path_points_at_the_2_0_operation():
    for revision in (changed(SWAGGER, _remove_path), changed(OPENAPI3, _remove_path)):
        found = findings(SWAGGER, revision)
        assert found == [
            ("api-path-removed-without-deprecation", "DELETE", "/pets/{id}", "/paths/~1pets~1{id}/delete", None)
        ]


def test_body_property_made_required_points_into_definitions():
    two = changed(SWAGGER, lambda d: d["definitions"]["NewPet"].update(required=["age"]))
    three = changed(OPENAPI3, lambda d: d["components"]["schemas"]["NewPet"].update(required=["age"]))
    assert findings(SWAGGER, two) == [
        ("request-property-became-required", "POST", "/pets", "/definitions/NewPet", "/definitions/NewPet/required/0")
    ]
    assert findings(SWAGGER, three) == [
        (
            "request-property-became-required",
            "POST",
            "/pets",
            "/definitions/NewPet",
            "/components/schemas/NewPet/required/0",
        )
    ]


def test_response_property_removed_points_into_definitions():
    two = changed(SWAGGER, lambda d: d["definitions"]["Pet"]["properties"].pop("name"))
    three = changed(OPENAPI3, lambda d: d["components"]["schemas"]["Pet"]["properties"].pop("name"))
    for revision in (two, three):
        found = findings(SWAGGER, revision)
        assert {(rule, op, path, base) for rule, op, path, base, _ in found} == {
            ("response-optional-property-removed", "GET", "/pets", "/definitions/Pet/properties/name"),
            ("response-optional-property-removed", "POST", "/pets", "/definitions/Pet/properties/name"),
        }
        assert_pointers_resolve(found, SWAGGER, revision)


def test_security_scheme_changes_point_into_security_definitions():
    two = changed(SWAGGER, lambda d: d["securityDefinitions"]["oauth"]["scopes"].pop("write"))
    found = findings(SWAGGER, two)
    assert found == [
        ("api-security-component-oauth-flow-scope-removed", "", "", "/securityDefinitions/oauth/scopes/write", None)
    ]
    # basic auth replaced by a bearer token: the scheme's content changed under the same name
    three = changed(
        OPENAPI3, lambda d: d["components"]["securitySchemes"].update(basic={"type": "http", "scheme": "bearer"})
    )
    found = findings(SWAGGER, three)
    assert found and all(base is not None and base.startswith("/securityDefinitions/basic") for *_, base, _ in found)
    assert_pointers_resolve(found, SWAGGER, three)


def test_form_data_parameter_made_required_points_at_the_2_0_parameter():
    two = changed(SWAGGER, lambda d: d["paths"]["/pets/{id}/photo"]["post"]["parameters"][2].update(required=True))
    found = findings(SWAGGER, two)
    assert found == [
        (
            "request-property-became-required",
            "POST",
            "/pets/{id}/photo",
            "/paths/~1pets~1{id}~1photo/post/parameters",
            "/paths/~1pets~1{id}~1photo/post/parameters/2/required",
        )
    ]
    assert_pointers_resolve(found, SWAGGER, two)


def test_form_data_parameter_removed_in_the_3_0_revision():
    def drop_caption(doc):
        media = doc["paths"]["/pets/{id}/photo"]["post"]["requestBody"]["content"]["multipart/form-data"]
        media["schema"]["properties"].pop("caption")

    three = changed(OPENAPI3, drop_caption)
    found = findings(SWAGGER, three)
    assert [rule for rule, *_ in found] == ["request-property-removed"]
    assert found[0][3] == "/paths/~1pets~1{id}~1photo/post/parameters/2"
    assert_pointers_resolve(found, SWAGGER, three)


def test_query_parameter_pointer_skips_the_removed_body_parameter():
    # the body parameter leaves the 3.x parameter list: later parameters must still point at their 2.0 index
    def tighten(doc):
        doc["paths"]["/pets"]["post"]["parameters"].reverse()
        doc["paths"]["/pets"]["post"]["parameters"][1]["enum"] = ["a", "b"]

    base = changed(SWAGGER, lambda d: d["paths"]["/pets"]["post"]["parameters"].reverse())
    found = findings(base, changed(SWAGGER, tighten))
    assert "request-parameter-became-enum" in {rule for rule, *_ in found}
    assert {revision for *_, revision in found} == {"/paths/~1pets/post/parameters/1/enum"}


def test_collection_format_change_is_a_serialization_change():
    revision = changed(SWAGGER, lambda d: d["paths"]["/pets"]["get"]["parameters"][0].update(collectionFormat="multi"))
    found = findings(SWAGGER, revision)
    assert found == [
        (
            "request-parameter-explode-changed",
            "GET",
            "/pets",
            "/paths/~1pets/get/parameters/0",  # csv by default: no collectionFormat written
            "/paths/~1pets/get/parameters/0/collectionFormat",
        )
    ]
