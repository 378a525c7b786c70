"""OpenAPI 3.2: what it adds to 3.1, diffed with the same direction-aware levels."""

import copy
import json

from governance.openapi import Options, diff_specs, load_spec

STREAM = {"type": "object", "required": ["id"], "properties": {"id": {"type": "string"}, "note": {"type": "string"}}}

BASE = {
    "openapi": "3.2.0",
    "$self": "https://example.com/openapi.json",
    "info": {"title": "t", "version": "1"},
    "tags": [{"name": "pets", "kind": "nav"}, {"name": "cats", "parent": "pets"}],
    "paths": {
        "/search": {
            "query": {
                "requestBody": {"content": {"application/json": {"schema": {"type": "object"}}}},
                "responses": {"200": {"description": "ok"}},
            },
            "additionalOperations": {
                "COPY": {"responses": {"204": {"description": "copied"}}},
                "LINK": {"responses": {"204": {"description": "linked"}}},
            },
        },
        "/events": {
            "get": {
                "responses": {
                    "200": {
                        "description": "a stream",
                        "content": {"application/jsonl": {"itemSchema": copy.deepcopy(STREAM)}},
                    }
                }
            },
            "post": {
                "requestBody": {"content": {"application/jsonl": {"itemSchema": copy.deepcopy(STREAM)}}},
                "responses": {"202": {"description": "accepted"}},
            },
        },
    },
    "components": {
        "securitySchemes": {
            "tv": {
                "type": "oauth2",
                "oauth2MetadataUrl": "https://auth.example.com/.well-known/oauth-authorization-server",
                "flows": {
                    "deviceAuthorization": {
                        "deviceAuthorizationUrl": "https://auth.example.com/device",
                        "tokenUrl": "https://auth.example.com/token",
                        "scopes": {"read": "read", "write": "write"},
                    }
                },
            }
        }
    },
}


def changed(edit) -> dict:
    doc = copy.deepcopy(BASE)
    edit(doc)
    return doc


def findings(base: dict, revision: dict) -> list[tuple[str, str, str, str, str | None, str | None]]:
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "b.json"),
        load_spec(json.dumps(revision).encode(), "r.json"),
        Options(min_level="INFO"),
    )
    return [(f.id, f.level, f.operation, f.path, f.base_pointer, f.revision_pointer) for f in report.findings]


def test_a_3_2_document_diffed_with_itself_has_no_finding():
    assert load_spec(json.dumps(BASE).encode(), "b.json").version == "3.2.0"
    assert findings(BASE, BASE) == []


def test_removed_query_operation():
    revision = changed(lambda d: d["paths"]["/search"].pop("query"))
    assert findings(BASE, revision) == [
        ("api-removed-without-deprecation", "ERR", "QUERY", "/search", "/paths/~1search/query", None)
    ]


def test_query_request_body_change_is_a_request_change():
    def require(doc):
        doc["paths"]["/search"]["query"]["requestBody"]["content"]["application/json"]["schema"]["required"] = ["q"]
        doc["paths"]["/search"]["query"]["requestBody"]["content"]["application/json"]["schema"]["properties"] = {
            "q": {"type": "string"}
        }

    rules = {(rule, level, op) for rule, level, op, *_ in findings(BASE, changed(require))}
    assert ("new-required-request-property", "ERR", "QUERY") in rules


def test_additional_operations_removed_and_added():
    def swap(doc):
        extra = doc["paths"]["/search"]["additionalOperations"]
        extra.pop("LINK")
        extra["PURGE"] = {"responses": {"204": {"description": "purged"}}}

    found = findings(BASE, changed(swap))
    assert (
        "api-removed-without-deprecation",
        "ERR",
        "LINK",
        "/search",
        "/paths/~1search/additionalOperations/LINK",
        None,
    ) in found
    assert ("endpoint-added", "INFO", "PURGE", "/search", None, "/paths/~1search/additionalOperations/PURGE") in found
    assert len(found) == 2


def test_item_schema_is_diffed_in_the_direction_of_its_body():
    def drop_note_make_required(doc):
        response = doc["paths"]["/events"]["get"]["responses"]["200"]["content"]["application/jsonl"]["itemSchema"]
        response["properties"].pop("id")
        response["required"] = []
        request = doc["paths"]["/events"]["post"]["requestBody"]["content"]["application/jsonl"]["itemSchema"]
        request["required"] = ["id", "note"]

    found = findings(BASE, changed(drop_note_make_required))
    by_rule = {(rule, level, op): (b, r) for rule, level, op, _, b, r in found}
    assert ("response-required-property-removed", "ERR", "GET") in by_rule
    assert by_rule[("response-required-property-removed", "ERR", "GET")][0] == (
        "/paths/~1events/get/responses/200/content/application~1jsonl/itemSchema/properties/id"
    )
    assert ("request-property-became-required", "ERR", "POST") in by_rule


def test_item_schema_loosened_in_a_request_is_not_breaking():
    def loosen(doc):
        doc["paths"]["/events"]["post"]["requestBody"]["content"]["application/jsonl"]["itemSchema"]["required"] = []

    found = findings(BASE, changed(loosen))
    assert found and {level for _, level, *_ in found} == {"INFO"}


def test_device_authorization_flow_and_metadata_url():
    def move(doc):
        scheme = doc["components"]["securitySchemes"]["tv"]
        scheme["oauth2MetadataUrl"] = "https://login.example.com/.well-known/oauth-authorization-server"
        flow = scheme["flows"]["deviceAuthorization"]
        flow["deviceAuthorizationUrl"] = "https://login.example.com/device"
        flow["scopes"].pop("write")

    found = {(rule, level, b) for rule, level, _, _, b, _ in findings(BASE, changed(move))}
    scheme = "/components/securitySchemes/tv"
    assert found == {
        ("api-security-component-oauth2-metadata-url-changed", "WARN", f"{scheme}/oauth2MetadataUrl"),
        (
            "api-security-component-oauth-flow-url-changed",
            "WARN",
            f"{scheme}/flows/deviceAuthorization/deviceAuthorizationUrl",
        ),
        ("api-security-component-oauth-flow-scope-removed", "ERR", f"{scheme}/flows/deviceAuthorization/scopes/write"),
    }


def test_device_authorization_flow_removed():
    revision = changed(lambda d: d["components"]["securitySchemes"]["tv"]["flows"].pop("deviceAuthorization"))
    assert [(rule, b) for rule, _, _, _, b, _ in findings(BASE, revision)] == [
        ("api-security-component-oauth-flow-removed", "/components/securitySchemes/tv/flows/deviceAuthorization")
    ]


def test_tag_parent_kind_and_self_are_info():
    def regroup(doc):
        doc["$self"] = "https://example.com/v2/openapi.json"
        doc["tags"] = [{"name": "pets", "kind": "audience"}, {"name": "cats"}]

    assert sorted(findings(BASE, changed(regroup))) == [
        ("api-self-changed", "INFO", "", "", "/$self", "/$self"),
        ("api-tag-kind-changed", "INFO", "", "", "/tags/0/kind", "/tags/0/kind"),
        ("api-tag-parent-changed", "INFO", "", "", "/tags/1/parent", "/tags/1"),
    ]
