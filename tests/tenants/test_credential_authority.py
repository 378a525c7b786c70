"""A credential never exceeds the person behind it.

Each test replays one step of an attack a developer of acme (bob) can try on his own tenant, and
shows it refused: granting himself scopes his role lacks through a key or an OAuth client, acting
as admin through a machine credential, keeping a credential after he is removed or demoted, and
redirecting an owner's OAuth app to collect her authorization code.
"""

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlparse

import pytest
from django.core import mail
from django.test import Client
from rest_framework.test import APIClient

from apikeys.models import ApiKey
from tenants.models import Application, AuditEvent, Invitation, Membership
from tenants.principal import Principal
from tenants.roles import Role
from tenants.services import change_member_role, create_oauth_client, invite_member, remove_member
from tests.factories import issue_token

pytestmark = pytest.mark.django_db

ESCALATING_SCOPES = ["members:read", "members:write", "audit:read", "tenant:read"]
REDIRECT_URI = "https://partner.example.test/callback"
ATTACKER_URI = "https://attacker.example.test/cb"


def problem(response) -> dict:
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return response.json()


def as_member(user, tenant) -> Principal:
    role = Membership.objects.for_tenant(tenant).role_of(user.pk)
    return Principal.for_member(user, tenant, role)


def key_of(user, tenant, scopes) -> tuple[APIClient, ApiKey]:
    """A key `user` made through the API, presented by a program."""
    response = session(user).post("/api/v1/keys/", {"name": "ci", "scopes": scopes}, format="json")
    assert response.status_code == 201, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['key']}")
    return client, ApiKey.objects.across_tenants().get(pk=response.json()["id"])


def client_credentials_of(user, tenant, scopes) -> tuple[APIClient, Application]:
    """A client-credentials OAuth client `user` made, and a program holding its token."""
    app, secret = create_oauth_client(
        actor=as_member(user, tenant),
        name="server",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=scopes,
    )
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    response = Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": " ".join(scopes)},
        HTTP_AUTHORIZATION=f"Basic {basic}",
    )
    assert response.status_code == 200, response.content
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['access_token']}")
    return client, app


def session(user) -> APIClient:
    client = APIClient()
    client.force_login(user)
    return client


def bob_membership(acme, developer):
    return Membership.objects.across_tenants().get(tenant=acme, user=developer)


# --- High: a developer grants themselves admin through a credential -------------------------------


def test_a_developer_cannot_put_admin_scopes_on_a_key(acme, developer):
    response = session(developer).post("/api/v1/keys/", {"name": "x", "scopes": ESCALATING_SCOPES}, format="json")
    assert response.status_code == 400
    message = " ".join(problem(response)["errors"]["scopes"])
    assert "audit:read" in message and "members:write" in message and "developer" in message
    assert not ApiKey.objects.across_tenants().exists()


def test_a_developer_cannot_put_admin_scopes_on_an_oauth_client(acme, developer):
    response = session(developer).post(
        "/api/v1/oauth-clients/",
        {
            "name": "x",
            "authorization_grant_type": "client-credentials",
            "allowed_scopes": ESCALATING_SCOPES,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "members:write" in " ".join(problem(response)["errors"]["allowed_scopes"])
    assert not Application.objects.across_tenants().exists()


def test_a_key_can_not_mint_scopes_beyond_its_creators_role(acme, developer):
    client, _ = key_of(developer, acme, ["keys:write", "members:read"])
    response = client.post("/api/v1/keys/", {"name": "wider", "scopes": ["members:write"]}, format="json")
    assert response.status_code == 400 and "members:write" in str(problem(response)["errors"])


def test_the_portal_forms_offer_only_the_scopes_the_role_may_grant(acme, developer):
    browser = Client()
    browser.force_login(developer)
    for url in ("/portal/keys/new/", "/portal/clients/new/"):
        page = browser.get(url).content.decode()
        assert 'value="keys:write"' in page, url
        assert 'value="members:write"' not in page and 'value="audit:read"' not in page, url
    refused = browser.post("/portal/keys/new/", {"name": "x", "environment": "live", "scopes": ["members:write"]})
    assert refused.status_code == 200 and "members:write" in refused.content.decode()
    assert not ApiKey.objects.across_tenants().exists()


@pytest.mark.parametrize("credential", ["api key", "client credentials"])
def test_a_machine_credential_acts_with_its_creators_role_not_admin(acme, owner, developer, credential):
    """Even a credential that somehow carries members:write (made before this fix) can't promote
    its developer creator: it acts as the lower of admin and the creator's role."""
    if credential == "api key":
        client, api_key = key_of(developer, acme, ["members:read"])
        ApiKey.objects.across_tenants().filter(pk=api_key.pk).update(scopes=ESCALATING_SCOPES + ["members:write"])
        from apikeys.requestpath import cache

        cache.invalidate([api_key.lookup_id])
    else:
        app, _ = create_oauth_client(
            actor=as_member(developer, acme),
            name="server",
            authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
            allowed_scopes=["members:read"],
        )
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, ESCALATING_SCOPES)}")
    bob = bob_membership(acme, developer)

    assert client.get("/api/v1/members/").status_code == 200  # what a developer may do still works
    promote = client.patch(f"/api/v1/members/{bob.pk}/", {"role": "admin"}, format="json")
    assert promote.status_code == 403 and problem(promote)["type"] == "/problems/permission-denied"
    invite = client.post("/api/v1/invitations/", {"email": "mallory@example.test", "role": "admin"}, format="json")
    assert invite.status_code == 403
    assert client.get("/api/v1/audit-events/").status_code == 403
    bob.refresh_from_db()
    assert bob.role == Role.DEVELOPER and not Invitation.objects.across_tenants().exists()


def test_an_admins_key_still_manages_members(acme, admin_member, developer):
    client, _ = key_of(admin_member, acme, ["members:read", "members:write"])
    bob = bob_membership(acme, developer)
    assert client.patch(f"/api/v1/members/{bob.pk}/", {"role": "viewer"}, format="json").status_code == 200


def test_removing_a_member_revokes_their_keys_clients_and_tokens(
    acme, owner, developer, django_capture_on_commit_callbacks
):
    key_client, api_key = key_of(developer, acme, ["members:read"])
    oauth_client, app = client_credentials_of(developer, acme, ["members:read"])
    assert key_client.get("/api/v1/members/").status_code == 200  # the key's entry is now cached
    assert oauth_client.get("/api/v1/members/").status_code == 200
    invitation = invite_member(
        actor=Principal.for_member(developer, acme, Role.ADMIN), email="x@example.test", role=Role.VIEWER
    )

    with django_capture_on_commit_callbacks(execute=True):
        remove_member(actor=as_member(owner, acme), membership=bob_membership(acme, developer))

    assert key_client.get("/api/v1/members/").status_code == 401
    assert oauth_client.get("/api/v1/members/").status_code == 401
    api_key.refresh_from_db()
    app.refresh_from_db()
    invitation.refresh_from_db()
    assert api_key.revoked_reason == ApiKey.RevokedReason.MEMBER_REMOVED
    assert app.disabled_at is not None and not app.accesstoken_set.exists()
    assert invitation.status == "revoked"
    actions = set(AuditEvent.objects.across_tenants().filter(tenant=acme).values_list("action", flat=True))
    assert {"api_key.revoked", "oauth_client.disabled", "invitation.revoked"} <= actions
    notice = [m for m in mail.outbox if "narrowed or revoked" in m.subject]
    assert len(notice) == 1 and notice[0].to == [owner.email]
    assert api_key.name in notice[0].body and app.client_id in notice[0].body


def test_a_disabled_client_gets_no_new_token(acme, owner, developer):
    app, secret = create_oauth_client(
        actor=as_member(developer, acme),
        name="server",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["members:read"],
    )
    remove_member(actor=as_member(owner, acme), membership=bob_membership(acme, developer))
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    response = Client().post("/o/token/", {"grant_type": "client_credentials"}, HTTP_AUTHORIZATION=f"Basic {basic}")
    assert response.status_code == 401 and "access_token" not in response.json()


def test_a_demoted_admins_credentials_lose_what_the_new_role_lacks_on_the_next_request(
    acme, owner, admin_member, developer, django_capture_on_commit_callbacks
):
    key_client, api_key = key_of(admin_member, acme, ["members:read", "members:write", "keys:read"])
    oauth_client, app = client_credentials_of(admin_member, acme, ["members:read", "members:write"])
    bob = bob_membership(acme, developer)
    assert key_client.patch(f"/api/v1/members/{bob.pk}/", {"role": "viewer"}, format="json").status_code == 200

    adam = Membership.objects.across_tenants().get(tenant=acme, user=admin_member)
    with django_capture_on_commit_callbacks(execute=True):
        change_member_role(actor=as_member(owner, acme), membership=adam, role=Role.DEVELOPER)

    for client in (key_client, oauth_client):
        refused = client.patch(f"/api/v1/members/{bob.pk}/", {"role": "developer"}, format="json")
        assert refused.status_code in (401, 403), refused.content
    assert key_client.get("/api/v1/keys/").status_code == 200  # what a developer may do goes on
    api_key.refresh_from_db()
    app.refresh_from_db()
    assert api_key.scopes == ["keys:read", "members:read"]
    assert app.allowed_scopes == ["members:read"] and app.authorization_changed_at is not None
    assert not app.accesstoken_set.exists()  # its token carried members:write
    narrowed = AuditEvent.objects.across_tenants().filter(tenant=acme, action="api_key.narrowed").get()
    assert narrowed.changes["dropped_scopes"] == ["members:write"]
    assert any("narrowed or revoked" in m.subject for m in mail.outbox)


def test_a_key_whose_creator_left_by_any_path_is_refused(acme, developer):
    """Even if the membership disappears without the service (a staff deletion), the key's role
    is evaluated per request from the creator's current membership."""
    client, api_key = key_of(developer, acme, ["members:read"])
    Membership.objects.across_tenants().filter(tenant=acme, user=developer).delete()
    from apikeys.requestpath import cache

    cache.invalidate([api_key.lookup_id])
    response = client.get("/api/v1/members/")
    assert response.status_code == 401 and "no longer a member" in problem(response)["detail"]


# --- High: a developer redirects an owner's OAuth app and receives the owner's code -----------------


def _pkce():
    verifier = secrets.token_urlsafe(48)
    return verifier, base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _authorize(browser, app, redirect_uri, auto=False):
    _, challenge = _pkce()
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": redirect_uri,
        "scope": "tenant:read",
        "state": "s",
        "code_challenge": challenge,
        "code_challenge_method": "S256",
    }
    if auto:
        params["approval_prompt"] = "auto"
    return browser.get("/o/authorize/", params), params


@pytest.fixture
def alices_app(acme, owner):
    app, _ = create_oauth_client(
        actor=as_member(owner, acme),
        name="Alice's dashboard",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        allowed_scopes=["tenant:read"],
    )
    return app


@pytest.fixture
def alice_browser(owner):
    browser = Client()
    browser.force_login(owner)  # axes watches password sign-ins, which need a request
    return browser


def test_a_developer_cannot_redirect_or_rotate_someone_elses_client(acme, developer, alices_app):
    client = session(developer)
    response = client.patch(
        f"/api/v1/oauth-clients/{alices_app.pk}/", {"redirect_uris": f"{REDIRECT_URI} {ATTACKER_URI}"}, format="json"
    )
    assert response.status_code == 403 and "creator" in problem(response)["detail"]
    assert client.post(f"/api/v1/oauth-clients/{alices_app.pk}/rotate-secret/").status_code == 403
    alices_app.refresh_from_db()
    assert alices_app.redirect_uris == REDIRECT_URI
    # Renaming is still a developer's to do.
    assert (
        client.patch(f"/api/v1/oauth-clients/{alices_app.pk}/", {"name": "Dashboard"}, format="json").status_code == 200
    )


def test_a_developer_may_redirect_and_rotate_their_own_client(acme, developer):
    app, _ = create_oauth_client(
        actor=as_member(developer, acme),
        name="mine",
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=REDIRECT_URI,
        allowed_scopes=["tenant:read"],
    )
    client = session(developer)
    assert (
        client.patch(f"/api/v1/oauth-clients/{app.pk}/", {"redirect_uris": ATTACKER_URI}, format="json").status_code
        == 200
    )
    assert client.post(f"/api/v1/oauth-clients/{app.pk}/rotate-secret/").status_code == 200


def test_auto_approval_is_honoured_only_for_the_client_as_consented(
    acme, owner, admin_member, alices_app, alice_browser
):
    page, params = _authorize(alice_browser, alices_app, REDIRECT_URI)
    assert page.status_code == 200 and REDIRECT_URI in page.content.decode()  # consent names the target
    approved = alice_browser.post("/o/authorize/", {**params, "allow": "Authorize"})
    code = parse_qs(urlparse(approved["Location"]).query)["code"][0]
    assert code
    issue_token(alices_app, ["tenant:read"], user=owner)  # the token that consent produced
    again, _ = _authorize(alice_browser, alices_app, REDIRECT_URI, auto=True)
    assert again.status_code == 302  # unchanged client, consented before: auto is honoured

    # An admin (allowed to) adds a redirect URI: the client's grants and tokens go, consent returns.
    response = session(admin_member).patch(
        f"/api/v1/oauth-clients/{alices_app.pk}/", {"redirect_uris": f"{REDIRECT_URI} {ATTACKER_URI}"}, format="json"
    )
    assert response.status_code == 200, response.content
    alices_app.refresh_from_db()
    assert not alices_app.accesstoken_set.exists() and not alices_app.grant_set.exists()
    issue_token(alices_app, ["tenant:read"], user=owner)  # even a token made since can't skip consent
    from oauth2_provider.models import AccessToken

    AccessToken.objects.filter(application=alices_app).update(created=alices_app.authorization_changed_at)

    page, _ = _authorize(alice_browser, alices_app, ATTACKER_URI, auto=True)
    assert page.status_code == 200, page.get("Location")  # the consent page, not a redirect with a code
    assert ATTACKER_URI in page.content.decode()
    event = AuditEvent.objects.across_tenants().filter(action="oauth_client.updated").latest("seq")
    assert "redirect_uris" in event.changes and event.changes["revoked"]["access_tokens"] == 1


def test_a_scope_change_asks_for_consent_again(acme, owner, alices_app, alice_browser):
    issue_token(alices_app, ["tenant:read"], user=owner)
    from tenants.services import update_oauth_client

    update_oauth_client(
        actor=as_member(owner, acme), application=alices_app, allowed_scopes=["tenant:read", "members:read"]
    )
    from oauth2_provider.models import AccessToken

    alices_app.refresh_from_db()
    AccessToken.objects.filter(application=alices_app).update(created=alices_app.authorization_changed_at)
    page, _ = _authorize(alice_browser, alices_app, REDIRECT_URI, auto=True)
    assert page.status_code == 200


# --- Medium: governance rights never come from a tenant-managed client -----------------------------


def test_a_staff_bound_client_is_out_of_reach_of_the_tenants_members(acme, owner, developer):
    app, _ = create_oauth_client(
        actor=as_member(owner, acme),
        name="CI",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["governance:write"],
    )
    Application.objects.across_tenants().filter(pk=app.pk).update(governance_identity=owner)
    for client in (session(developer), session(owner)):
        assert client.post(f"/api/v1/oauth-clients/{app.pk}/rotate-secret/").status_code == 403
        assert client.patch(f"/api/v1/oauth-clients/{app.pk}/", {"name": "x"}, format="json").status_code == 403
        assert client.delete(f"/api/v1/oauth-clients/{app.pk}/").status_code == 403
    refused = session(owner).patch(
        f"/api/v1/oauth-clients/{app.pk}/", {"governance_identity": developer.pk}, format="json"
    )
    assert refused.status_code == 403
    app.refresh_from_db()
    assert app.governance_identity_id == owner.pk


# --- The role x scope table ---------------------------------------------------------------------------


def test_every_scope_has_a_grant_rule_and_the_readme_shows_the_table():
    from pathlib import Path

    from django.conf import settings

    from tenants.roles import SCOPE_GRANT_PERMISSIONS, scope_table_markdown

    assert set(SCOPE_GRANT_PERMISSIONS) == set(settings.API_SCOPES)
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    assert scope_table_markdown() in readme, "regenerate it: python manage.py scope_table"


def test_the_portal_offers_rotation_only_to_the_creator_and_admins(acme, owner, developer, admin_member, alices_app):
    confidential, _ = create_oauth_client(
        actor=as_member(owner, acme),
        name="Alice's server",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["tenant:read"],
    )
    url = f"/portal/clients/{confidential.pk}/"
    rotate = f"/portal/clients/{confidential.pk}/rotate/"
    for user, offered in ((developer, False), (owner, True), (admin_member, True)):
        browser = Client()
        browser.force_login(user)
        assert (rotate in browser.get(url).content.decode()) is offered, user.email
    browser = Client()
    browser.force_login(developer)
    assert browser.post(rotate).status_code == 403  # and refused if asked anyway
