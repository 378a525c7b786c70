"""keys:verify tells its holder which tenant owns a key, so only platform gateway clients — made so
by staff — may carry it. A tenant can't grant it to its own clients, by any route."""

import pytest
from django.core.exceptions import ValidationError

from tenants.principal import Principal
from tenants.services import create_oauth_client, update_oauth_client
from tests.factories import ApplicationFactory
from tests.tenants.test_oauth_flows import _client, _token_request

pytestmark = pytest.mark.django_db

VERIFY_BODY = {"key": "gvk_live_000000000000_0000000000000000000000aaaaaa"}


def test_a_tenant_cannot_create_a_client_with_the_gateway_scope(acme, owner):
    actor = Principal.for_member(owner, acme, "owner")
    with pytest.raises(ValidationError) as exc:
        create_oauth_client(
            actor=actor, name="sneaky", authorization_grant_type="client-credentials", allowed_scopes=["keys:verify"]
        )
    assert "reserved for platform gateway" in str(exc.value)


def test_the_api_refuses_the_gateway_scope_with_a_field_error(acme, owner, session_client):
    response = session_client(owner).post(
        "/api/v1/oauth-clients/",
        {"name": "sneaky", "authorization_grant_type": "client-credentials", "allowed_scopes": ["keys:verify"]},
        format="json",
    )
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    assert "allowed_scopes" in response.json()["errors"]


def test_only_staff_make_a_client_a_gateway(acme, owner):
    app, _ = _client(acme)
    with pytest.raises(ValidationError):
        update_oauth_client(actor=Principal.for_member(owner, acme, "owner"), application=app, is_gateway=True)
    staff = Principal.for_staff(None, tenant=acme)
    app = update_oauth_client(
        actor=staff, application=app, is_gateway=True, allowed_scopes=["tenant:read", "keys:verify"]
    )
    assert app.is_gateway and "keys:verify" in app.allowed_scopes


def test_the_token_endpoint_gives_keys_verify_only_to_gateways(acme):
    app, secret = _client(acme)
    app = update_oauth_client(
        actor=Principal.system(acme), application=app, is_gateway=True, allowed_scopes=["keys:verify"]
    )
    ok = _token_request({"grant_type": "client_credentials", "scope": "keys:verify"}, app.client_id, secret)
    assert ok.status_code == 200, ok.content

    app = update_oauth_client(actor=Principal.system(acme), application=app, is_gateway=False)
    assert app.allowed_scopes == []  # un-gatewaying drops the reserved scope
    refused = _token_request({"grant_type": "client_credentials", "scope": "keys:verify"}, app.client_id, secret)
    assert refused.status_code == 400 and refused.json()["error"] == "invalid_scope"


def test_a_non_gateway_token_with_keys_verify_is_refused_by_the_verify_endpoint(acme, token_client):
    # A token row carrying the scope (e.g. issued before the client stopped being a gateway).
    client = token_client(acme, scopes=["keys:verify"], gateway=False)
    response = client.post("/api/v1/keys/verify/", VERIFY_BODY, format="json")
    assert response.status_code == 403
    assert response.json()["type"] == "/problems/permission-denied"

    gateway = token_client(acme, scopes=["keys:verify"], gateway=True)
    assert gateway.post("/api/v1/keys/verify/", VERIFY_BODY, format="json").status_code == 200


def test_factories_default_to_non_gateway_clients(acme):
    assert ApplicationFactory(tenant=acme).is_gateway is False
