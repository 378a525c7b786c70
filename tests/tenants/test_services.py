"""The services: the role table is what they enforce, the last owner stays, invitations are single
use, and every change leaves one audit event naming who, where, what and which request."""

from datetime import timedelta

import pytest
from django.core import signing
from django.db import transaction
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone

from config.middleware import RequestContextMiddleware
from tenants import services
from tenants.models import Application, AuditEvent, Invitation, Membership
from tenants.principal import Principal
from tenants.roles import ROLE_PERMISSIONS, Role, role_allows
from tenants.services.errors import NotAllowed, NotInScope, ServiceError
from tenants.services.invitations import InvalidInvitation, invitation_token
from tests.factories import ApplicationFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def as_member(user, tenant):
    membership = Membership.objects.across_tenants().get(user=user, tenant=tenant)
    return Principal.for_member(user, tenant, membership.role)


def membership_of(user):
    return Membership.objects.across_tenants().get(user=user)


# --- the role table -----------------------------------------------------------------------------

# permission -> a call that needs it (and only it), made by `actor` in acme.
GUARDED_CALLS = {
    "tenant.manage": lambda actor, acme: services.update_tenant(actor=actor, tenant=acme, name="Acme 2"),
    "invitations.manage": lambda actor, acme: services.invite_member(actor=actor, email="new@acme.test"),
    "members.manage": lambda actor, acme: services.change_member_role(
        actor=actor, membership=MembershipFactory.create(tenant=acme, role=Role.VIEWER), role=Role.DEVELOPER
    ),
    "clients.manage": lambda actor, acme: services.create_oauth_client(
        actor=actor,
        name="ci",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["tenant:read"],
    ),
}


@pytest.mark.parametrize("role", Role.values)
@pytest.mark.parametrize("permission", sorted(GUARDED_CALLS))
def test_services_allow_exactly_what_the_role_table_grants(acme, role, permission):
    actor = Principal.for_member(UserFactory(), acme, role)
    call = GUARDED_CALLS[permission]
    if role_allows(role, permission):
        call(actor, acme)
    else:
        with pytest.raises(NotAllowed):
            call(actor, acme)


def test_the_role_table_is_cumulative_from_viewer_to_owner():
    order = [Role.VIEWER, Role.DEVELOPER, Role.ADMIN, Role.OWNER]
    for lower, higher in zip(order, order[1:], strict=False):
        assert ROLE_PERMISSIONS[lower] < ROLE_PERMISSIONS[higher]


# --- the last owner -----------------------------------------------------------------------------


def test_the_last_owner_cannot_leave(acme, owner):
    with pytest.raises(ServiceError, match="last owner"):
        services.leave_tenant(actor=as_member(owner, acme))
    assert membership_of(owner).role == Role.OWNER


def test_the_last_owner_cannot_be_demoted_even_by_staff(acme, owner, admin_user):
    with pytest.raises(ServiceError, match="last owner"):
        services.change_member_role(actor=as_member(owner, acme), membership=membership_of(owner), role=Role.ADMIN)
    with pytest.raises(ServiceError, match="last owner"):
        services.change_member_role(
            actor=Principal.for_staff(admin_user, tenant=acme), membership=membership_of(owner), role=Role.VIEWER
        )
    assert membership_of(owner).role == Role.OWNER


def test_the_last_owner_cannot_be_removed(acme, owner):
    with pytest.raises(ServiceError, match="last owner"):
        services.remove_member(actor=as_member(owner, acme), membership=membership_of(owner))
    assert Membership.objects.across_tenants().filter(user=owner).exists()


def test_an_owner_may_leave_once_another_owner_exists(acme, owner, admin_member):
    services.change_member_role(actor=as_member(owner, acme), membership=membership_of(admin_member), role=Role.OWNER)
    services.leave_tenant(actor=as_member(owner, acme))
    assert not Membership.objects.across_tenants().filter(user=owner).exists()
    assert membership_of(admin_member).role == Role.OWNER


def test_an_admin_cannot_make_unmake_or_invite_owners(acme, owner, admin_member, developer):
    actor = as_member(admin_member, acme)
    with pytest.raises(NotAllowed):
        services.change_member_role(actor=actor, membership=membership_of(developer), role=Role.OWNER)
    with pytest.raises(NotAllowed):
        services.change_member_role(actor=actor, membership=membership_of(owner), role=Role.ADMIN)
    with pytest.raises(NotAllowed):
        services.remove_member(actor=actor, membership=membership_of(owner))
    with pytest.raises((NotAllowed, ServiceError)):
        services.invite_member(actor=actor, email="boss@acme.test", role=Role.OWNER)
    assert membership_of(developer).role == Role.DEVELOPER
    assert membership_of(owner).role == Role.OWNER
    assert not Invitation.objects.across_tenants().filter(email="boss@acme.test").exists()


def test_a_member_of_another_tenant_is_out_of_reach(acme, owner, outsider, globex):
    with pytest.raises(NotInScope):
        services.remove_member(actor=as_member(outsider, globex), membership=membership_of(owner))
    assert membership_of(owner).role == Role.OWNER


# --- invitations --------------------------------------------------------------------------------


@pytest.fixture
def invitation(acme, owner):
    return services.invite_member(actor=as_member(owner, acme), email="dora@example.test", role=Role.DEVELOPER)


@pytest.fixture
def dora(db):
    return UserFactory(email="dora@example.test")


def test_accepting_an_invitation_creates_the_membership_once(acme, invitation, dora, mailoutbox):
    token = invitation_token(invitation)
    membership = services.accept_invitation(token=token, user=dora)
    assert (membership.tenant, membership.role) == (acme, Role.DEVELOPER)
    with pytest.raises(InvalidInvitation, match="accepted"):
        services.accept_invitation(token=token, user=dora)
    assert Membership.objects.across_tenants().filter(user=dora).count() == 1


def test_the_invitation_email_carries_a_working_link(invitation, dora, mailoutbox, django_capture_on_commit_callbacks):
    # invite_member sends after commit; the fixture's invitation was made before we listened.
    with django_capture_on_commit_callbacks(execute=True):
        again = services.invite_member(actor=Principal.system(invitation.tenant), email="erin@example.test")
    assert len(mailoutbox) == 1 and mailoutbox[0].to == ["erin@example.test"]
    assert invitation_token(again) in mailoutbox[0].body


def test_an_expired_invitation_is_refused(invitation, dora):
    Invitation.objects.across_tenants().filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(InvalidInvitation, match="expired"):
        services.accept_invitation(token=invitation_token(invitation), user=dora)
    assert not Membership.objects.across_tenants().filter(user=dora).exists()


def test_a_link_older_than_its_signature_allows_is_refused(invitation, dora, settings):
    settings.INVITATION_MAX_AGE = timedelta(seconds=-1)
    with pytest.raises(InvalidInvitation, match="expired"):
        services.accept_invitation(token=invitation_token(invitation), user=dora)


def test_a_revoked_invitation_is_refused(acme, owner, invitation, dora):
    services.revoke_invitation(actor=as_member(owner, acme), invitation=invitation)
    with pytest.raises(InvalidInvitation, match="revoked"):
        services.accept_invitation(token=invitation_token(invitation), user=dora)
    assert not Membership.objects.across_tenants().filter(user=dora).exists()


def test_a_link_with_a_wrong_signature_or_nonce_is_refused(invitation, dora):
    token = invitation_token(invitation)
    forged_signature = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    forged_nonce = signing.dumps({"i": invitation.pk, "n": "guessed"}, salt="tenants.invitation", compress=True)
    other_salt = signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt="something-else")
    for bad in (forged_signature, forged_nonce, other_salt, "not-a-token"):
        with pytest.raises(InvalidInvitation, match="not valid"):
            services.accept_invitation(token=bad, user=dora)
    assert not Membership.objects.across_tenants().filter(user=dora).exists()


def test_an_invitation_is_only_for_the_address_it_was_sent_to(invitation, outsider):
    with pytest.raises(InvalidInvitation, match="dora@example.test"):
        services.accept_invitation(token=invitation_token(invitation), user=outsider)
    assert Invitation.objects.across_tenants().get(pk=invitation.pk).status == "pending"


# --- the audit event of each change -------------------------------------------------------------


def _in_request(request_id, call):
    """Run `call` the way a view does: inside RequestContextMiddleware, from 203.0.113.7."""
    result = {}

    def view(request):
        result["value"] = call()
        return HttpResponse()

    request = RequestFactory().post("/", HTTP_X_REQUEST_ID=request_id, REMOTE_ADDR="203.0.113.7")
    RequestContextMiddleware(view)(request)
    return result["value"]


def _change_role(owner, acme):
    target = MembershipFactory(tenant=acme, role=Role.VIEWER)
    services.change_member_role(actor=as_member(owner, acme), membership=target, role=Role.DEVELOPER)
    return {"user": target.user.email, "role": ["viewer", "developer"]}


def _remove(owner, acme):
    target = MembershipFactory(tenant=acme, role=Role.VIEWER)
    services.remove_member(actor=as_member(owner, acme), membership=target)
    return {"user": target.user.email, "role": "viewer"}


def _invite(owner, acme):
    services.invite_member(actor=as_member(owner, acme), email="zed@example.test", role=Role.VIEWER)
    return {"email": "zed@example.test", "role": "viewer"}


def _revoke(owner, acme):
    invitation = services.invite_member(actor=as_member(owner, acme), email="zed@example.test")
    services.revoke_invitation(actor=as_member(owner, acme), invitation=invitation)
    return {"email": "zed@example.test"}


def _rename(owner, acme):
    services.update_tenant(actor=as_member(owner, acme), tenant=acme, name="Acme Worldwide")
    return {"name": ["Acme", "Acme Worldwide"]}


def _create_client(owner, acme):
    app, _ = services.create_oauth_client(
        actor=as_member(owner, acme),
        name="ci",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["tenant:read"],
    )
    return {"name": "ci", "client_id": app.client_id}


def _rotate(owner, acme):
    app = ApplicationFactory(tenant=acme)
    services.rotate_client_secret(actor=as_member(owner, acme), application=app)
    return {"client_id": app.client_id}


def _update_client(owner, acme):
    app = ApplicationFactory(tenant=acme, name="old")
    services.update_oauth_client(actor=as_member(owner, acme), application=app, name="new")
    return {"name": ["old", "new"]}


def _delete_client(owner, acme):
    app = ApplicationFactory(tenant=acme)
    services.delete_oauth_client(actor=as_member(owner, acme), application=app)
    return {"client_id": app.client_id}


AUDITED_CHANGES = {
    "member.role_changed": _change_role,
    "member.removed": _remove,
    "invitation.created": _invite,
    "invitation.revoked": _revoke,
    "tenant.updated": _rename,
    "oauth_client.created": _create_client,
    "oauth_client.updated": _update_client,
    "oauth_client.secret_rotated": _rotate,
    "oauth_client.deleted": _delete_client,
}


@pytest.mark.parametrize("action", sorted(AUDITED_CHANGES))
def test_each_change_records_one_event_with_actor_tenant_changes_and_request(acme, owner, action):
    before = set(AuditEvent.objects.across_tenants().values_list("pk", flat=True))
    expected_changes = _in_request("req-audit-0001", lambda: AUDITED_CHANGES[action](owner, acme))
    new = AuditEvent.objects.across_tenants().exclude(pk__in=before).filter(action=action)
    assert new.count() == 1
    event = new.get()
    assert event.actor == owner and event.actor_label == owner.email
    assert event.tenant == acme and event.chain == f"tenant:{acme.pk}"
    assert event.request_id == "req-audit-0001" and event.ip == "203.0.113.7"
    assert event.target_type and event.target_id
    for key, value in expected_changes.items():
        assert event.changes[key] == value
    assert event.hash == event.compute_hash()


def test_staff_suspension_is_audited_and_members_cannot_suspend(acme, owner, admin_user):
    with pytest.raises(NotAllowed):
        services.suspend_tenant(actor=as_member(owner, acme), tenant=acme, reason="no")
    services.suspend_tenant(actor=Principal.for_staff(admin_user), tenant=acme, reason="unpaid invoices")
    acme.refresh_from_db()
    assert acme.status == "suspended" and acme.suspended_reason == "unpaid invoices"
    event = AuditEvent.objects.across_tenants().filter(action="tenant.suspended").get()
    assert event.actor == admin_user and event.tenant == acme
    assert event.changes == {"status": ["active", "suspended"], "reason": "unpaid invoices"}


def test_a_refused_change_leaves_no_event_and_no_change(acme, owner, viewer):
    before = AuditEvent.objects.across_tenants().count()
    with pytest.raises(NotAllowed), transaction.atomic():
        services.invite_member(actor=as_member(viewer, acme), email="x@example.test")
    assert AuditEvent.objects.across_tenants().count() == before
    assert not Invitation.objects.across_tenants().exists()


def test_an_owner_cannot_rename_another_tenant(acme, globex, owner):
    """The tenant argument must be the actor's own: another tenant is 'not found', left unchanged."""
    with pytest.raises(NotInScope):
        services.update_tenant(actor=as_member(owner, acme), tenant=globex, name="Pwned")
    globex.refresh_from_db()
    assert globex.name == "Globex" and not AuditEvent.objects.across_tenants().filter(action="tenant.updated").exists()
