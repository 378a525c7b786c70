"""Coverage outside the schemas: security schemes whose content changed under the same name,
servers at every level, callbacks, links and 3.1 webhooks (checks/security_schemes.py,
servers.py, callbacks.py)."""

import copy
import json

import pytest

from governance.openapi import Options, diff_specs, load_spec

OK = {"200": {"description": "ok"}}


def _doc(operation=None, schemes=None, version="3.0.3", **top):
    doc = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {"/a": {"get": operation or {"responses": OK}}},
        **top,
    }
    if schemes is not None:
        doc["components"] = {"securitySchemes": schemes}
    return doc


def _findings(base, revision):
    report = diff_specs(
        load_spec(json.dumps(base).encode(), "base.json"),
        load_spec(json.dumps(revision).encode(), "revision.json"),
        Options(min_level="INFO"),
    )
    return [(f.id, f.level, f.operation, f.path, f.text) for f in report.findings]


def _ids(base, revision):
    return [(f[0], f[1]) for f in _findings(base, revision)]


def _flow(name, **fields):
    flow = {"tokenUrl": "https://a/token", "scopes": {"read": "r"}, **fields}
    if name in ("authorizationCode", "implicit"):
        flow.setdefault("authorizationUrl", "https://a/auth")
    return {"type": "oauth2", "flows": {name: flow}}


API_KEY = {"type": "apiKey", "in": "header", "name": "X-Key"}


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (API_KEY, {**API_KEY, "in": "query"}, ("api-security-component-in-changed", "ERR")),
        (API_KEY, {**API_KEY, "name": "X-Api-Key"}, ("api-security-component-name-changed", "ERR")),
        (
            {"type": "http", "scheme": "basic"},
            {"type": "http", "scheme": "bearer"},
            ("api-security-component-scheme-changed", "ERR"),
        ),
        (
            {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
            {"type": "http", "scheme": "bearer", "bearerFormat": "opaque"},
            ("api-security-component-bearer-format-changed", "WARN"),
        ),
        (
            {"type": "openIdConnect", "openIdConnectUrl": "https://a/.well-known/openid-configuration"},
            {"type": "openIdConnect", "openIdConnectUrl": "https://b/.well-known/openid-configuration"},
            ("api-security-component-open-id-connect-url-changed", "WARN"),
        ),
        (
            _flow("authorizationCode"),
            _flow("authorizationCode", tokenUrl="https://b/token"),
            ("api-security-component-oauth-flow-url-changed", "WARN"),
        ),
        (
            _flow("authorizationCode"),
            _flow("authorizationCode", authorizationUrl="https://b/auth"),
            ("api-security-component-oauth-flow-url-changed", "WARN"),
        ),
        (
            _flow("clientCredentials"),
            _flow("clientCredentials", refreshUrl="https://a/refresh"),
            ("api-security-component-oauth-flow-url-changed", "WARN"),
        ),
        (
            _flow("implicit"),
            _flow("implicit", refreshUrl="https://a/refresh"),
            ("api-security-component-oauth-flow-url-changed", "WARN"),
        ),
        (_flow("password"), _flow("password", scopes={}), ("api-security-component-oauth-flow-scope-removed", "ERR")),
        (_flow("password", scopes={}), _flow("password"), ("api-security-component-oauth-flow-scope-added", "INFO")),
        (_flow("password"), _flow("clientCredentials"), ("api-security-component-oauth-flow-removed", "ERR")),
    ],
)
def test_a_security_scheme_changed_under_the_same_name(before, after, expected):
    used = {"security": [{"k": []}], "responses": OK}
    assert expected in _ids(_doc(used, {"k": before}), _doc(used, {"k": after}))


def test_the_scheme_name_is_case_insensitive_and_oasdiffs_implicit_flow_is_not_repeated():
    assert (
        _findings(
            _doc(schemes={"k": {"type": "http", "scheme": "Bearer"}}),
            _doc(schemes={"k": {"type": "http", "scheme": "bearer"}}),
        )
        == []
    )
    found = _ids(_doc(schemes={"k": _flow("implicit")}), _doc(schemes={"k": _flow("implicit", tokenUrl="https://b/t")}))
    assert found == [("api-security-component-oauth-token-url-changed", "INFO")]  # oasdiff's id and level
    messages = _findings(_doc(schemes={"k": API_KEY}), _doc(schemes={"k": {**API_KEY, "in": "cookie"}}))
    assert messages[0][4] == "the security scheme `k` now expects its credential in `cookie` instead of `header`"


def _servers(*urls, **variables):
    return [{"url": url, **({"variables": variables} if variables else {})} for url in urls]


def test_document_servers_removed_added_and_their_variables():
    assert _ids(_doc(servers=_servers("https://a/v1")), _doc(servers=_servers("https://b/v1"))) == [
        ("api-server-removed", "ERR"),
        ("api-server-added", "INFO"),
    ]
    assert _findings(_doc(servers=_servers("https://a/v1/")), _doc(servers=_servers("https://a/v1"))) == []
    region = {"default": "eu", "enum": ["eu", "us"]}
    base = _doc(servers=_servers("https://{region}.a", region=region))
    narrowed = _doc(servers=_servers("https://{region}.a", region={"default": "eu", "enum": ["eu"]}))
    assert _ids(base, narrowed) == [("api-server-variable-enum-value-removed", "ERR")]
    assert _ids(narrowed, base) == [("api-server-variable-enum-value-added", "INFO")]
    moved = _doc(servers=_servers("https://{region}.a", region={"default": "us", "enum": ["eu", "us"]}))
    assert _ids(base, moved) == [("api-server-variable-default-changed", "WARN")]


def test_path_and_operation_servers_are_reported_where_they_are_written():
    base, revision = _doc(), _doc()
    base["paths"]["/a"]["servers"] = _servers("https://a")
    revision["paths"]["/a"]["servers"] = _servers("https://b")
    assert [(i, o, p) for i, _l, o, p, _t in _findings(base, revision)] == [
        ("api-server-removed", "", "/a"),
        ("api-server-added", "", "/a"),
    ]
    base = _doc({"servers": _servers("https://a"), "responses": OK})
    revision = _doc({"responses": OK})  # now inherits the document's default "/"
    assert [(i, o, p) for i, _l, o, p, _t in _findings(base, revision)] == [
        ("api-server-removed", "GET", "/a"),
        ("api-server-added", "GET", "/a"),
    ]


def _callback(schema):
    operation = {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": OK}
    return {"onEvent": {"{$request.body#/callbackUrl}": {"post": operation}}}


def test_callbacks_added_removed_and_changed():
    plain = {"responses": OK}
    with_callback = {"callbacks": _callback({"type": "object"}), "responses": OK}
    assert _ids(_doc(plain), _doc(with_callback)) == [("callback-added", "INFO")]
    assert _ids(_doc(with_callback), _doc(plain)) == [("callback-removed", "ERR")]
    changed = {"callbacks": _callback({"type": "object", "required": ["id"]}), "responses": OK}
    assert _findings(_doc(with_callback), _doc(changed)) == [
        (
            "callback-operation-changed",
            "WARN",
            "GET",
            "/a",
            "the callback `onEvent` operation `POST` `{$request.body#/callbackUrl}` changed (requestBody)",
        )
    ]
    described = copy.deepcopy(with_callback)
    described["callbacks"]["onEvent"]["{$request.body#/callbackUrl}"]["post"]["description"] = "prose"
    assert _findings(_doc(with_callback), _doc(described)) == []


def _links(**links):
    return {"responses": {"200": {"description": "ok", "links": links}}}


def test_response_links():
    by_id = {"operationId": "getA", "parameters": {"id": "$response.body#/id"}}
    assert _ids(_doc(_links()), _doc(_links(next=by_id))) == [("response-link-added", "INFO")]
    assert _ids(_doc(_links(next=by_id)), _doc(_links())) == [("response-link-removed", "WARN")]
    renamed = {**by_id, "parameters": {"id": "$response.body#/key"}}
    assert _ids(_doc(_links(next=by_id)), _doc(_links(next=renamed))) == [("response-link-changed", "WARN")]
    assert _findings(_doc(_links(next=by_id)), _doc(_links(next={**by_id, "description": "prose"}))) == []


def test_a_31_webhook_whose_payload_changed_is_reported():
    def hooks(schema):
        operation = {"requestBody": {"content": {"application/json": {"schema": schema}}}, "responses": OK}
        return {"webhooks": {"orderPaid": {"post": operation}}}

    before = hooks({"type": "object", "maxProperties": 9})
    after = hooks({"type": "object", "maxProperties": 3})
    found = _findings(_doc(version="3.1.0", **before), _doc(version="3.1.0", **after))
    assert [(i, p) for i, _l, _o, p, _t in found] == [("request-body-max-properties-decreased", "webhook:orderPaid")]
