"""The published OpenAPI document: valid OpenAPI 3, and every operation states its scope and errors.
(The docs pages and their assets: tests/test_docs_pages.py.)"""

import pytest
from django.conf import settings
from openapi_spec_validator import validate

from config.api.problems import PROBLEM_CONTENT_TYPE

pytestmark = pytest.mark.django_db

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(anon_client):
    response = anon_client.get("/api/v1/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method in METHODS:
                yield path, method, operation


def test_schema_is_valid_openapi_3(schema):
    assert schema["openapi"].startswith("3.")
    validate(schema)


def test_schema_is_served_as_json_by_accept_header(anon_client):
    response = anon_client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == settings.SPECTACULAR_SETTINGS["TITLE"]


def test_every_tenant_endpoint_is_documented(schema):
    documented = {(path, method) for path, method, _ in _operations(schema)}
    expected = {
        ("/api/v1/tenant/", "get"),
        ("/api/v1/tenant/", "patch"),
        ("/api/v1/members/", "get"),
        ("/api/v1/members/{id}/", "get"),
        ("/api/v1/members/{id}/", "patch"),
        ("/api/v1/members/{id}/", "delete"),
        ("/api/v1/invitations/", "get"),
        ("/api/v1/invitations/", "post"),
        ("/api/v1/invitations/{id}/", "get"),
        ("/api/v1/invitations/{id}/", "delete"),
        ("/api/v1/invitations/{id}/revoke/", "post"),
        ("/api/v1/oauth-clients/", "get"),
        ("/api/v1/oauth-clients/", "post"),
        ("/api/v1/oauth-clients/{id}/", "get"),
        ("/api/v1/oauth-clients/{id}/", "patch"),
        ("/api/v1/oauth-clients/{id}/", "delete"),
        ("/api/v1/oauth-clients/{id}/rotate-secret/", "post"),
        ("/api/v1/audit-events/", "get"),
        ("/api/v1/audit-events/{id}/", "get"),
    }
    assert expected <= documented


def test_every_operation_requires_a_scope_and_documents_problems(schema):
    for path, method, operation in _operations(schema):
        where = f"{method.upper()} {path}"
        problems = {
            code
            for code, response in operation["responses"].items()
            if PROBLEM_CONTENT_TYPE in response.get("content", {})
        }
        if operation.get("security") == []:
            # Explicitly public (no credentials at all): it must still document its errors.
            assert problems, f"{where}: public, but documents no problem response"
            continue
        oauth = [req["oauth2"] for req in operation.get("security", []) if "oauth2" in req]
        assert oauth and all(scopes for scopes in oauth), f"{where}: no OAuth scope requirement"
        assert all(scope in settings.API_SCOPES for scopes in oauth for scope in scopes), where
        assert operation.get("x-required-scope") == oauth[0][0], where
        assert {"401", "403"} <= problems, f"{where}: problem responses {sorted(problems)}"
        if "{" in path:
            assert "404" in problems, f"{where}: another tenant's object answers 404"


# Operations that take no credentials at all, each on purpose. Adding one here is a decision.
PUBLIC_OPERATIONS = {("/api/v1/keys/leaks/", "post")}  # secret scanners report leaked keys


def test_only_the_listed_operations_are_public(schema):
    public = {(path, method) for path, method, operation in _operations(schema) if operation.get("security") == []}
    assert public <= PUBLIC_OPERATIONS


def test_documented_scopes_match_what_is_enforced(schema):
    # Spot checks of the table the permission class reads; the harness enforces it for real.
    def scope(path, method):
        return next(s["oauth2"] for s in schema["paths"][path][method]["security"] if "oauth2" in s)

    assert scope("/api/v1/members/", "get") == ["members:read"]
    assert scope("/api/v1/members/{id}/", "patch") == ["members:write"]
    assert scope("/api/v1/oauth-clients/{id}/rotate-secret/", "post") == ["clients:write"]
    assert scope("/api/v1/audit-events/", "get") == ["audit:read"]
    assert scope("/api/v1/tenant/", "patch") == ["tenant:write"]
    assert schema["paths"]["/api/v1/members/{id}/"]["patch"]["x-required-permission"] == "members.manage"


def test_security_schemes_offer_both_grants_and_every_scope(schema):
    schemes = schema["components"]["securitySchemes"]
    flows = schemes["oauth2"]["flows"]
    assert set(flows) == {"clientCredentials", "authorizationCode"}
    assert flows["clientCredentials"]["tokenUrl"] == "/o/token/"
    assert flows["authorizationCode"]["tokenUrl"] == "/o/token/"
    assert flows["authorizationCode"]["authorizationUrl"] == "/o/authorize/"
    for flow in flows.values():
        assert set(flow["scopes"]) == set(settings.API_SCOPES)
    assert schemes["sessionAuth"] == {"type": "apiKey", "in": "cookie", "name": settings.SESSION_COOKIE_NAME}


def test_the_create_response_alone_documents_the_client_secret(schema):
    components = schema["components"]["schemas"]
    created = schema["paths"]["/api/v1/oauth-clients/"]["post"]["responses"]["201"]
    ref = created["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "client_secret" in components[ref]["properties"]
    listed = schema["paths"]["/api/v1/oauth-clients/{id}/"]["get"]["responses"]["200"]
    ref = listed["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert "client_secret" not in components[ref]["properties"]
