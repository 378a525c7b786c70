"""What each tenant endpoint does beyond access control (that is the harness's job): the rules of
members and owners, invitations, OAuth client secrets shown once, audit filters, pagination."""

from datetime import timedelta

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone

from tenants import audit
from tenants.models import Application, AuditEvent, Invitation, Membership
from tenants.principal import Principal
from tenants.roles import Role
from tests.factories import MembershipFactory, UserFactory
from tests.harness import session_client

pytestmark = pytest.mark.django_db


def _membership(user, tenant):
    return Membership.objects.across_tenants().get(user=user, tenant=tenant)


# --- Tenant ---------------------------------------------------------------------------------------


def test_the_owner_renames_the_tenant_and_it_is_audited(acme, owner):
    response = session_client(owner).patch("/api/v1/tenant/", {"name": "Acme Corp"}, format="json")

    assert response.status_code == 200
    assert response.json()["name"] == "Acme Corp"
    acme.refresh_from_db()
    assert acme.name == "Acme Corp"
    event = AuditEvent.objects.for_tenant(acme).get(action="tenant.updated")
    assert event.changes == {"name": ["Acme", "Acme Corp"]}
    assert event.actor_id == owner.pk


def test_a_machine_token_cannot_rename_the_tenant(acme, token_client):
    machine = token_client(acme, ["tenant:read", "tenant:write"])  # client credentials act as admin

    response = machine.patch("/api/v1/tenant/", {"name": "Hijacked"}, format="json")

    assert response.status_code == 403
    assert response.json()["type"] == "/problems/permission-denied"  # the scope is there; the role isn't
    acme.refresh_from_db()
    assert acme.name == "Acme"


def test_an_empty_tenant_name_is_a_validation_problem(owner):
    response = session_client(owner).patch("/api/v1/tenant/", {"name": ""}, format="json")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/validation-error"
    assert "name" in response.json()["errors"]


# --- Members --------------------------------------------------------------------------------------


def test_members_list_shows_people_and_roles(acme, owner, viewer):
    rows = session_client(owner).get("/api/v1/members/").json()["results"]

    assert {(r["user"]["email"], r["role"]) for r in rows} == {
        ("alice@acme.test", Role.OWNER),
        ("victor@acme.test", Role.VIEWER),
    }


def test_members_filter_by_role(acme, owner, viewer, developer):
    rows = session_client(owner).get("/api/v1/members/", {"role": Role.DEVELOPER}).json()["results"]

    assert [r["user"]["email"] for r in rows] == ["bob@acme.test"]


def test_changing_a_role_is_audited(acme, owner, viewer):
    membership = _membership(viewer, acme)

    response = session_client(owner).patch(f"/api/v1/members/{membership.pk}/", {"role": "developer"}, format="json")

    assert response.status_code == 200
    assert response.json()["role"] == Role.DEVELOPER
    event = AuditEvent.objects.for_tenant(acme).get(action="member.role_changed")
    assert event.changes == {"user": "victor@acme.test", "role": ["viewer", "developer"]}


def test_an_unknown_role_is_a_validation_problem(acme, owner, viewer):
    membership = _membership(viewer, acme)

    response = session_client(owner).patch(f"/api/v1/members/{membership.pk}/", {"role": "god"}, format="json")

    assert response.status_code == 400
    assert "role" in response.json()["errors"]


def test_the_last_owner_cannot_be_demoted_or_removed(acme, owner):
    membership = _membership(owner, acme)
    client = session_client(owner)

    demote = client.patch(f"/api/v1/members/{membership.pk}/", {"role": "admin"}, format="json")
    remove = client.delete(f"/api/v1/members/{membership.pk}/")

    for response in (demote, remove):
        assert response.status_code == 409
        assert response.json()["type"] == "/problems/conflict"
    assert _membership(owner, acme).role == Role.OWNER


def test_an_admin_cannot_make_an_owner(acme, admin_member, viewer):
    membership = _membership(viewer, acme)

    response = session_client(admin_member).patch(f"/api/v1/members/{membership.pk}/", {"role": "owner"}, format="json")

    assert response.status_code == 403
    assert _membership(viewer, acme).role == Role.VIEWER


def test_removing_a_member_deletes_the_membership_only(acme, owner, viewer):
    membership = _membership(viewer, acme)

    response = session_client(owner).delete(f"/api/v1/members/{membership.pk}/")

    assert response.status_code == 204
    assert not Membership.objects.across_tenants().filter(pk=membership.pk).exists()
    viewer.refresh_from_db()  # the person still exists
    assert AuditEvent.objects.for_tenant(acme).filter(action="member.removed").count() == 1


# --- Invitations ----------------------------------------------------------------------------------


def test_inviting_creates_a_pending_invitation_and_sends_the_link(
    acme, owner, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = session_client(owner).post(
            "/api/v1/invitations/", {"email": "New@Example.test", "role": "developer"}, format="json"
        )

    assert response.status_code == 201
    body = response.json()
    assert (body["email"], body["role"], body["status"], body["invited_by"]) == (
        "new@example.test",
        "developer",
        "pending",
        "alice@acme.test",
    )
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["new@example.test"]


def test_inviting_twice_or_a_member_is_a_conflict(acme, owner, viewer):
    client = session_client(owner)
    assert client.post("/api/v1/invitations/", {"email": "x@example.test"}, format="json").status_code == 201

    again = client.post("/api/v1/invitations/", {"email": "x@example.test"}, format="json")
    member = client.post("/api/v1/invitations/", {"email": viewer.email}, format="json")

    assert again.status_code == member.status_code == 409


def test_an_invalid_email_is_a_validation_problem(owner):
    response = session_client(owner).post("/api/v1/invitations/", {"email": "not-an-email"}, format="json")

    assert response.status_code == 400
    assert "email" in response.json()["errors"]


@pytest.mark.parametrize("how", ["delete", "post-revoke"])
def test_revoking_an_invitation(acme, owner, how):
    client = session_client(owner)
    invitation_id = client.post("/api/v1/invitations/", {"email": "x@example.test"}, format="json").json()["id"]

    if how == "delete":
        response = client.delete(f"/api/v1/invitations/{invitation_id}/")
        assert response.status_code == 204
    else:
        response = client.post(f"/api/v1/invitations/{invitation_id}/revoke/")
        assert response.status_code == 200
        assert response.json()["status"] == "revoked"

    assert Invitation.objects.across_tenants().get(pk=invitation_id).status == "revoked"
    again = client.post(f"/api/v1/invitations/{invitation_id}/revoke/")
    assert again.status_code == 409
    listed = client.get("/api/v1/invitations/", {"status": "pending"}).json()["results"]
    assert invitation_id not in [row["id"] for row in listed]
    revoked = client.get("/api/v1/invitations/", {"status": "revoked"}).json()["results"]
    assert [row["id"] for row in revoked] == [invitation_id]


# --- OAuth clients --------------------------------------------------------------------------------


def test_a_client_secret_is_shown_once(acme, developer):
    client = session_client(developer)

    created = client.post(
        "/api/v1/oauth-clients/",
        {
            "name": "Partner",
            "authorization_grant_type": "client-credentials",
            "allowed_scopes": ["tenant:read"],
        },
        format="json",
    )

    assert created.status_code == 201
    body = created.json()
    assert body["client_secret"] and body["created_by"] == "bob@acme.test"
    stored = Application.objects.across_tenants().get(pk=body["id"])
    assert stored.client_secret != body["client_secret"] and stored.tenant == acme
    for response in (client.get(f"/api/v1/oauth-clients/{body['id']}/"), client.get("/api/v1/oauth-clients/")):
        assert body["client_secret"] not in response.content.decode()
        assert b"client_secret" not in response.content


def test_a_public_client_has_no_secret(acme, owner):
    created = session_client(owner).post(
        "/api/v1/oauth-clients/",
        {
            "name": "SPA",
            "authorization_grant_type": "authorization-code",
            "client_type": "public",
            "redirect_uris": "https://spa.example.test/cb",
            "allowed_scopes": ["tenant:read"],
        },
        format="json",
    )

    assert created.status_code == 201
    assert created.json()["client_secret"] is None
    rotate = session_client(owner).post(f"/api/v1/oauth-clients/{created.json()['id']}/rotate-secret/")
    assert rotate.status_code == 409


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "x", "authorization_grant_type": "password"}, "authorization_grant_type"),
        ({"name": "x", "authorization_grant_type": "implicit"}, "authorization_grant_type"),
        ({"name": "x", "authorization_grant_type": "client-credentials", "allowed_scopes": ["root"]}, "allowed_scopes"),
        ({"name": "x", "authorization_grant_type": "client-credentials", "client_type": "public"}, "client_type"),
        ({"name": "x", "authorization_grant_type": "authorization-code"}, "redirect_uris"),
    ],
)
def test_invalid_clients_are_refused_with_field_errors(owner, payload, field):
    response = session_client(owner).post("/api/v1/oauth-clients/", payload, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_token_cannot_give_a_client_more_scopes_than_it_holds(acme, token_client):
    api = token_client(acme, ["clients:write", "tenant:read"])

    response = api.post(
        "/api/v1/oauth-clients/",
        {
            "name": "x",
            "authorization_grant_type": "client-credentials",
            "allowed_scopes": ["audit:read"],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "allowed_scopes" in response.json()["errors"]


def test_updating_and_deleting_a_client(acme, owner):
    client = session_client(owner)
    app_id = client.post(
        "/api/v1/oauth-clients/",
        {
            "name": "Old",
            "authorization_grant_type": "client-credentials",
        },
        format="json",
    ).json()["id"]

    updated = client.patch(
        f"/api/v1/oauth-clients/{app_id}/", {"name": "New", "allowed_scopes": ["members:read"]}, format="json"
    )
    put = client.put(f"/api/v1/oauth-clients/{app_id}/", {"name": "Other"}, format="json")
    deleted = client.delete(f"/api/v1/oauth-clients/{app_id}/")

    assert updated.status_code == 200
    assert (updated.json()["name"], updated.json()["allowed_scopes"]) == ("New", ["members:read"])
    assert put.status_code == 405
    assert deleted.status_code == 204
    assert not Application.objects.across_tenants().filter(pk=app_id).exists()
    actions = set(AuditEvent.objects.for_tenant(acme).values_list("action", flat=True))
    assert {"oauth_client.created", "oauth_client.updated", "oauth_client.deleted"} <= actions


# --- Audit events ---------------------------------------------------------------------------------


def _event(tenant, action, user, at=None):
    with time_machine.travel(at or timezone.now(), tick=False), transaction.atomic():
        return audit.record(action=action, actor=Principal.for_member(user, tenant, Role.OWNER), tenant=tenant)


def _ids(client, **params):
    response = client.get("/api/v1/audit-events/", params)
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_audit_events_filter_by_action_actor_and_date(acme, owner, admin_member):
    now = timezone.now()
    old = _event(acme, "member.role_changed", owner, at=now - timedelta(days=10))
    recent = _event(acme, "member.removed", admin_member, at=now - timedelta(days=1))
    client = session_client(owner)

    assert _ids(client, action="member.removed") == [recent.pk]
    assert set(_ids(client, action="member.")) == {old.pk, recent.pk}
    assert _ids(client, actor=owner.email.upper()) == [old.pk]
    assert _ids(client, actor=str(admin_member.pk)) == [recent.pk]
    assert _ids(client, created_after=(now - timedelta(days=2)).isoformat()) == [recent.pk]
    assert _ids(client, created_before=(now - timedelta(days=2)).date().isoformat()) == [old.pk]
    bad = client.get("/api/v1/audit-events/", {"created_after": "yesterday"})
    assert bad.status_code == 400 and "created_after" in bad.json()["errors"]


def test_audit_events_are_newest_first_and_carry_the_chain(acme, owner):
    first = _event(acme, "a.first", owner)
    second = _event(acme, "a.second", owner)

    rows = session_client(owner).get("/api/v1/audit-events/").json()["results"]

    assert [r["id"] for r in rows] == [second.pk, first.pk]
    assert rows[0]["prev_hash"] == rows[1]["hash"]
    assert rows[0]["actor_label"] == "alice@acme.test"


def test_audit_events_are_read_only(acme, owner):
    event = _event(acme, "a.thing", owner)
    client = session_client(owner)

    assert client.delete(f"/api/v1/audit-events/{event.pk}/").status_code == 405
    assert client.patch(f"/api/v1/audit-events/{event.pk}/", {"action": "x"}, format="json").status_code == 405
    assert client.post("/api/v1/audit-events/", {"action": "x"}, format="json").status_code == 405


# --- Pagination -----------------------------------------------------------------------------------


def test_lists_paginate_with_a_cursor_and_cap_the_page_size(acme, owner, settings):
    settings.API_MAX_PAGE_SIZE = 3
    for _ in range(4):
        MembershipFactory(tenant=acme, user=UserFactory())
    client = session_client(owner)

    first = client.get("/api/v1/members/", {"page_size": 1000}).json()
    second = client.get(first["next"]).json()

    assert len(first["results"]) == 3
    assert "cursor=" in first["next"]
    assert len(second["results"]) == 2
    seen = [r["id"] for r in first["results"] + second["results"]]
    assert len(set(seen)) == 5


# --- Browsable API ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/api/v1/tenant/", "/api/v1/members/", "/api/v1/invitations/", "/api/v1/oauth-clients/", "/api/v1/audit-events/"],
)
def test_the_browsable_api_renders_for_a_signed_in_owner(owner, path):
    response = session_client(owner).get(path, HTTP_ACCEPT="text/html")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
