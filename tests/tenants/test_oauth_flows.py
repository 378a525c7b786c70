"""OAuth 2.0 end to end through the real /o/ endpoints: the grants partners use, the grants they
can't use, PKCE, introspection (RFC 7662) and revocation (RFC 7009) across tenants, suspension and
secret rotation."""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.test import Client
from rest_framework.test import APIClient

from tenants.models import Application
from tenants.principal import Principal
from tenants.roles import Role
from tenants.services import create_oauth_client, reactivate_tenant, suspend_tenant
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

REDIRECT_URI = "https://partner.example.test/callback"


def _basic(client_id, secret) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _client(
    tenant,
    grant=Application.GRANT_CLIENT_CREDENTIALS,
    client_type=Application.CLIENT_CONFIDENTIAL,
    scopes=("tenant:read", "members:read"),
):
    """A client made the way the API makes it: returns (application, plain secret or None)."""
    actor = Principal.system(tenant)
    return create_oauth_client(
        actor=actor,
        name=f"{tenant.slug} {grant}",
        authorization_grant_type=grant,
        client_type=client_type,
        redirect_uris=REDIRECT_URI if grant == Application.GRANT_AUTHORIZATION_CODE else "",
        allowed_scopes=list(scopes),
    )


def _token_request(data, client_id=None, secret=None):
    headers = {"HTTP_AUTHORIZATION": _basic(client_id, secret)} if secret else {}
    return Client().post("/o/token/", data, **headers)


def client_credentials_token(app, secret, scope="tenant:read") -> str:
    response = _token_request({"grant_type": "client_credentials", "scope": scope}, app.client_id, secret)
    assert response.status_code == 200, response.content
    return response.json()["access_token"]


def _api(token) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize_params(app, challenge, method="S256", scope="tenant:read members:read"):
    return {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": scope,
        "state": "xyz-state",
        "code_challenge": challenge,
        "code_challenge_method": method,
    }


def _signed_in(user) -> Client:
    browser = Client()
    browser.force_login(user)  # axes watches password sign-ins, which need a request
    return browser


def authorization_code(user, app, challenge, method="S256") -> str:
    """Sign in as `user`, see the consent page, approve; return the code from the redirect."""
    browser = _signed_in(user)
    params = _authorize_params(app, challenge, method)
    page = browser.get("/o/authorize/", params)
    assert page.status_code == 200, page.content
    approved = browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    assert approved.status_code == 302, approved.content
    location = urlparse(approved["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == REDIRECT_URI
    query = parse_qs(location.query)
    assert query["state"] == ["xyz-state"]
    return query["code"][0]


def _exchange(app, secret, code, verifier):
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": app.client_id}
    if verifier is not None:
        data["code_verifier"] = verifier
    return _token_request(data, app.client_id, secret)


# --- Client credentials ---------------------------------------------------------------------------


def test_client_credentials_token_calls_the_api(acme):
    app, secret = _client(acme)

    token = client_credentials_token(app, secret)
    response = _api(token).get("/api/v1/tenant/")

    assert response.status_code == 200
    assert response.json()["slug"] == "acme"


def test_a_token_carries_only_the_requested_scopes(acme):
    app, secret = _client(acme)
    token = client_credentials_token(app, secret, scope="tenant:read")

    response = _api(token).get("/api/v1/members/")

    assert response.status_code == 403
    assert response.json()["type"] == "/problems/insufficient-scope"


def test_a_scope_beyond_the_clients_allowed_scopes_is_refused(acme):
    app, secret = _client(acme, scopes=["tenant:read"])

    response = _token_request(
        {"grant_type": "client_credentials", "scope": "tenant:read audit:read"}, app.client_id, secret
    )

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_scope"


def test_a_wrong_client_secret_gets_no_token(acme):
    app, _ = _client(acme)

    response = _token_request({"grant_type": "client_credentials"}, app.client_id, "not-the-secret")

    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_the_password_grant_is_refused(acme, owner):
    app, secret = _client(acme)

    response = _token_request(
        {"grant_type": "password", "username": owner.email, "password": PASSWORD, "scope": "tenant:read"},
        app.client_id,
        secret,
    )

    assert response.status_code in (400, 401)
    assert response.json()["error"] in ("unsupported_grant_type", "unauthorized_client")
    assert "access_token" not in response.json()


def test_the_implicit_grant_is_refused(acme, owner):
    app, _ = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE)
    _, challenge = _pkce()
    params = {**_authorize_params(app, challenge), "response_type": "token"}

    browser = _signed_in(owner)
    page = browser.get("/o/authorize/", params)
    approved = browser.post("/o/authorize/", {**params, "allow": "Authorize"})

    for response in (page, approved):
        assert "access_token" not in response.get("Location", "")
        assert response.status_code in (302, 400)
        if response.status_code == 302:
            assert "error=" in response["Location"]


# --- Authorization code with PKCE -----------------------------------------------------------------


@pytest.mark.parametrize("client_type", [Application.CLIENT_CONFIDENTIAL, Application.CLIENT_PUBLIC])
def test_authorization_code_with_pkce_gives_a_members_token(acme, viewer, client_type):
    app, secret = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE, client_type=client_type)
    assert (secret is None) == (client_type == Application.CLIENT_PUBLIC)
    verifier, challenge = _pkce()

    code = authorization_code(viewer, app, challenge)
    response = _exchange(app, secret, code, verifier)

    assert response.status_code == 200, response.content
    api = _api(response.json()["access_token"])
    assert api.get("/api/v1/members/").status_code == 200
    # The person's role still applies to their token: a viewer can't change roles.
    someone = api.get("/api/v1/members/").json()["results"][0]["id"]
    refused = api.patch(f"/api/v1/members/{someone}/", {"role": Role.VIEWER}, format="json")
    assert refused.status_code == 403


@pytest.mark.parametrize("client_type", [Application.CLIENT_CONFIDENTIAL, Application.CLIENT_PUBLIC])
def test_a_missing_code_verifier_fails(acme, owner, client_type):
    app, secret = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE, client_type=client_type)
    _, challenge = _pkce()
    code = authorization_code(owner, app, challenge)

    response = _exchange(app, secret, code, verifier=None)

    assert response.status_code in (400, 401)
    assert "access_token" not in response.json()


@pytest.mark.parametrize("client_type", [Application.CLIENT_CONFIDENTIAL, Application.CLIENT_PUBLIC])
def test_a_wrong_code_verifier_fails(acme, owner, client_type):
    app, secret = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE, client_type=client_type)
    _, challenge = _pkce()
    code = authorization_code(owner, app, challenge)
    other_verifier, _ = _pkce()

    response = _exchange(app, secret, code, other_verifier)

    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_a_code_works_once(acme, owner):
    app, secret = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE)
    verifier, challenge = _pkce()
    code = authorization_code(owner, app, challenge)

    assert _exchange(app, secret, code, verifier).status_code == 200
    replay = _exchange(app, secret, code, verifier)

    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_the_plain_pkce_method_is_refused(acme, owner):
    app, _ = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE)
    verifier = secrets.token_urlsafe(48)
    params = _authorize_params(app, verifier, method="plain")

    approved = _signed_in(owner).post("/o/authorize/", {**params, "allow": "Authorize"})

    assert approved.status_code == 302
    query = parse_qs(urlparse(approved["Location"]).query)
    assert query["error"] == ["invalid_request"]
    assert "code" not in query
    assert app.grant_set.count() == 0


def test_a_non_member_cannot_authorize_a_tenants_client(acme, outsider):
    app, _ = _client(acme, grant=Application.GRANT_AUTHORIZATION_CODE)
    _, challenge = _pkce()
    params = _authorize_params(app, challenge)

    approved = _signed_in(outsider).post("/o/authorize/", {**params, "allow": "Authorize"})

    location = approved.get("Location", "")
    assert "code=" not in location
    assert "error=access_denied" in location
    assert app.grant_set.count() == 0


# --- Introspection (RFC 7662) ---------------------------------------------------------------------


def _introspect(app, secret, token):
    return Client().post("/o/introspect/", {"token": token}, HTTP_AUTHORIZATION=_basic(app.client_id, secret))


def test_introspection_answers_about_the_own_tenants_tokens(acme):
    app, secret = _client(acme)
    token = client_credentials_token(app, secret)

    body = _introspect(app, secret, token).json()

    assert body["active"] is True
    assert body["client_id"] == app.client_id
    assert body["scope"] == "tenant:read"
    assert body["tenant"] == "acme"


def test_introspection_of_another_tenants_token_is_inactive(acme, globex):
    acme_app, acme_secret = _client(acme)
    globex_app, globex_secret = _client(globex)
    acme_token = client_credentials_token(acme_app, acme_secret)

    response = _introspect(globex_app, globex_secret, acme_token)

    assert response.status_code == 200
    assert response.json() == {"active": False}


def test_introspection_needs_client_authentication(acme):
    app, secret = _client(acme)
    token = client_credentials_token(app, secret)

    assert Client().post("/o/introspect/", {"token": token}).status_code == 401
    assert _introspect(app, "wrong-secret", token).status_code == 401


# --- Revocation (RFC 7009) ------------------------------------------------------------------------


def _revoke(app, secret, token):
    return Client().post(
        "/o/revoke_token/",
        {"token": token, "token_type_hint": "access_token"},
        HTTP_AUTHORIZATION=_basic(app.client_id, secret),
    )


def test_another_tenants_client_cannot_revoke_a_token(acme, globex):
    acme_app, acme_secret = _client(acme)
    globex_app, globex_secret = _client(globex)
    token = client_credentials_token(acme_app, acme_secret)

    response = _revoke(globex_app, globex_secret, token)

    assert response.status_code == 200  # RFC 7009: no hint whether the token exists
    assert _api(token).get("/api/v1/tenant/").status_code == 200


def test_the_issuing_client_revokes_its_token(acme):
    app, secret = _client(acme)
    token = client_credentials_token(app, secret)
    assert _api(token).get("/api/v1/tenant/").status_code == 200

    assert _revoke(app, secret, token).status_code == 200

    response = _api(token).get("/api/v1/tenant/")
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/authentication-failed"
    assert _introspect(app, secret, token).json() == {"active": False}


# --- Suspension -----------------------------------------------------------------------------------


def test_a_suspended_tenants_token_is_refused_until_reactivation(acme):
    app, secret = _client(acme)
    token = client_credentials_token(app, secret)
    staff = Principal.for_staff(UserFactory(email="staff@console.test", is_staff=True))

    suspend_tenant(actor=staff, tenant=acme, reason="unpaid invoices")
    refused = _api(token).get("/api/v1/tenant/")
    no_new_token = _token_request({"grant_type": "client_credentials"}, app.client_id, secret)

    assert refused.status_code == 403
    assert refused.json()["type"] == "/problems/tenant-suspended"
    assert no_new_token.status_code in (400, 401)
    assert "access_token" not in no_new_token.json()

    reactivate_tenant(actor=staff, tenant=acme)

    assert _api(token).get("/api/v1/tenant/").status_code == 200


# --- Client secrets -------------------------------------------------------------------------------


def test_the_client_secret_is_stored_hashed(acme):
    app, secret = _client(acme)

    stored = Application.objects.across_tenants().get(pk=app.pk).client_secret

    assert stored != secret
    assert secret not in stored
    assert identify_hasher(stored)  # a Django password hash, checked in constant time


def test_rotating_the_secret_through_the_api_invalidates_the_old_one(acme, owner, token_client):
    app, old_secret = _client(acme)
    api = token_client(acme, ["clients:read", "clients:write"], user=owner)

    response = api.post(f"/api/v1/oauth-clients/{app.pk}/rotate-secret/")

    assert response.status_code == 200
    new_secret = response.json()["client_secret"]
    assert new_secret and new_secret != old_secret
    assert "client_secret" not in api.get(f"/api/v1/oauth-clients/{app.pk}/").json()
    old = _token_request({"grant_type": "client_credentials"}, app.client_id, old_secret)
    assert old.status_code == 401
    assert old.json()["error"] == "invalid_client"
    assert client_credentials_token(app, new_secret)
