"""Security requirements (root and operation) and security schemes: oasdiff's
APISecurityUpdatedCheck and APIComponentsSecurityUpdatedCheck."""

import json

import pytest

from governance.openapi import Options, diff_specs, load_spec
from governance.openapi.checks.security import alternative_text, requirements_diff


def spec(security=None, op_security=None, schemes=None):
    doc = {
        "openapi": "3.0.3",
        "info": {"title": "t", "version": "1"},
        "paths": {"/pets": {"get": {"responses": {"200": {"description": "ok"}}}}},
    }
    if security is not None:
        doc["security"] = security
    if op_security is not None:
        doc["paths"]["/pets"]["get"]["security"] = op_security
    if schemes is not None:
        doc["components"] = {"securitySchemes": schemes}
    return load_spec(json.dumps(doc).encode(), "s.json")


def findings(base, revision, **options):
    return [
        (f.id, f.operation, f.path, f.text)
        for f in diff_specs(base, revision, Options(min_level="INFO", **options)).findings
    ]


def test_alternative_text_sorts_schemes_and_scopes():
    assert alternative_text({"oauth": ["write", "read"], "apiKey": []}) == "apiKey AND oauth: [read, write]"
    assert alternative_text({}) == "{}"


def test_operation_security_added_removed_and_scopes():
    oauth = [{"oauth": ["read"]}]
    assert findings(spec(op_security=[]), spec(op_security=oauth)) == [
        ("api-security-added", "GET", "/pets", "the endpoint scheme security `oauth: [read]` was added to the API")
    ]
    assert findings(spec(op_security=oauth), spec()) == [
        (
            "api-security-removed",
            "GET",
            "/pets",
            "the endpoint scheme security `oauth: [read]` was removed from the API",
        )
    ]
    got = findings(spec(op_security=[{"oauth": ["read", "write"]}]), spec(op_security=[{"oauth": ["read", "admin"]}]))
    assert sorted(got) == [
        (
            "api-security-scope-added",
            "GET",
            "/pets",
            "the security scope `admin` was added to the endpoint's security scheme `oauth`",
        ),
        (
            "api-security-scope-removed",
            "GET",
            "/pets",
            "the security scope `write` was removed from the endpoint's security scheme `oauth`",
        ),
    ]


def test_anonymous_alternative_is_not_reported_on_operations():
    assert findings(spec(op_security=[{"key": []}]), spec(op_security=[{"key": []}, {}])) == []


def test_global_security():
    assert findings(spec(), spec(security=[{"key": []}])) == [
        ("api-global-security-added", "", "", "the security scheme `key` was added to the API")
    ]
    got = findings(spec(security=[{"oauth": ["a"]}]), spec(security=[{"oauth": ["b"]}]))
    assert sorted(i for i, *_ in got) == ["api-global-security-scope-added", "api-global-security-scope-removed"]
    # an empty alternative is reported at the root (oasdiff only skips it per operation)
    assert [i for i, *_ in findings(spec(security=[{"key": []}]), spec(security=[{"key": []}, {}]))] == [
        "api-global-security-added"
    ]


def test_repeated_scheme_alternatives_are_matched_as_units():
    # "read OR write" written as two alternatives: reordering must not invent scope changes (oasdiff #1041)
    base = [{"oauth": ["read"]}, {"oauth": ["write"]}]
    assert requirements_diff(base, list(reversed(base))) == ([], [], [])
    # the unmatched leftovers are unambiguous (one per side): a scope change
    assert requirements_diff(base, [{"oauth": ["read"]}, {"oauth": ["admin"]}]) == (
        [],
        [],
        [{"oauth": (["admin"], ["write"])}],
    )
    # two leftovers with the same scheme set on one side: any pairing would be arbitrary
    assert requirements_diff([{"oauth": ["a"]}, {"oauth": ["b"]}], [{"oauth": ["c"]}]) == (
        [{"oauth": ["c"]}],
        [{"oauth": ["a"]}, {"oauth": ["b"]}],
        [],
    )


def test_and_of_schemes():
    added, deleted, modified = requirements_diff([{"a": [], "b": ["x"]}], [{"a": [], "b": ["x", "y"]}])
    assert (added, deleted) == ([], []) and modified == [{"b": (["y"], [])}]


OAUTH = {
    "type": "oauth2",
    "flows": {"implicit": {"authorizationUrl": "https://a/auth", "scopes": {"read": "Read", "write": "Write"}}},
}


def test_security_schemes_added_removed_type_changed():
    basic = {"type": "http", "scheme": "basic"}
    assert findings(spec(schemes={}), spec(schemes={"Basic": basic})) == [
        ("api-security-component-added", "", "", "the component security scheme `Basic` was added")
    ]
    assert findings(spec(schemes={"Basic": basic}), spec(schemes={})) == [
        ("api-security-component-removed", "", "", "the component security scheme `Basic` was removed")
    ]
    assert findings(
        spec(schemes={"K": basic}), spec(schemes={"K": {"type": "apiKey", "in": "header", "name": "k"}})
    ) == [
        # beyond oasdiff (checks/security_schemes.py): at ERR, since clients must send another credential
        (
            "api-security-component-authentication-changed",
            "",
            "",
            "the security scheme `K` now authenticates by `apiKey` instead of `http`",
        ),
        (
            "api-security-component-type-changed",
            "",
            "",
            "the component security scheme `K` type changed from `http` to `apiKey`",
        ),
    ]


def test_implicit_oauth_flow_changes():
    revision = json.loads(json.dumps(OAUTH))
    flow = revision["flows"]["implicit"]
    flow["authorizationUrl"] = "https://b/auth"
    flow["scopes"] = {"read": "Read all", "admin": "Admin"}
    got = sorted(findings(spec(schemes={"O": OAUTH}), spec(schemes={"O": revision})))
    assert [(i, t) for i, _o, _p, t in got] == [
        ("api-security-component-oauth-scope-added", "the component security scheme `O` oauth scope `admin` was added"),
        (
            "api-security-component-oauth-scope-changed",
            "the component security scheme `O` oauth scope `read` was updated from `Read` to `Read all`",
        ),
        (
            "api-security-component-oauth-scope-removed",
            "the component security scheme `O` oauth scope `write` was removed",
        ),
        (
            "api-security-component-oauth-url-changed",
            "the component security scheme `O` oauth url changed from `https://a/auth` to `https://b/auth`",
        ),
    ]


@pytest.mark.parametrize("checks", [["APISecurityUpdatedCheck"], ["APITagUpdatedCheck"]])
def test_check_selection(checks):
    got = findings(spec(op_security=[]), spec(op_security=[{"k": []}]), checks=checks)
    assert bool(got) == (checks == ["APISecurityUpdatedCheck"])
