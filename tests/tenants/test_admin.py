"""The staff console: suspend / reactivate through a confirmation page (audited), a read-only
audit trail, secrets that never show, services behind every edit, and changelists whose query
count does not grow with the number of rows."""

import itertools
import secrets
import uuid
from datetime import timedelta

import pytest
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
    set_token_value,
)

from tenants import audit, services
from tenants.models import Application, AuditChainHead, AuditEvent, Invitation, Membership, Tenant, User
from tenants.principal import Principal
from tenants.roles import Role
from tests.factories import ApplicationFactory, MembershipFactory, TenantFactory, UserFactory, issue_token

pytestmark = pytest.mark.django_db

AccessToken = get_access_token_model()
RefreshToken = get_refresh_token_model()
Grant = get_grant_model()
IDToken = get_id_token_model()


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def run_action(client, model, action, objects, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [str(o.pk) for o in objects], **extra}
    return client.post(changelist(model), data)


# --- suspend / reactivate -----------------------------------------------------------------------


def test_suspending_asks_for_a_reason_then_suspends_and_audits(admin_client, admin_user, acme, globex):
    page = run_action(admin_client, Tenant, "suspend_tenants", [acme], index=0)
    assert page.status_code == 200
    assert b'name="reason"' in page.content and b"Acme" in page.content
    acme.refresh_from_db()
    assert acme.status == Tenant.Status.ACTIVE  # nothing happens before the confirmation

    done = run_action(
        admin_client,
        Tenant,
        "suspend_tenants",
        [acme],
        confirm="Suspend",
        reason="Unpaid invoices",
        HTTP_X_REQUEST_ID="staff-req-0001",
    )
    assert done.status_code == 302
    acme.refresh_from_db()
    globex.refresh_from_db()
    assert (acme.status, acme.suspended_reason) == (Tenant.Status.SUSPENDED, "Unpaid invoices")
    assert globex.status == Tenant.Status.ACTIVE
    event = AuditEvent.objects.across_tenants().get(action="tenant.suspended")
    assert (event.tenant, event.actor, event.actor_label) == (acme, admin_user, admin_user.email)
    assert event.changes["reason"] == "Unpaid invoices"


def test_suspending_without_a_reason_shows_the_form_again(admin_client, acme):
    page = run_action(admin_client, Tenant, "suspend_tenants", [acme], confirm="Suspend", reason="")
    assert page.status_code == 200
    assert b"This field is required" in page.content
    acme.refresh_from_db()
    assert acme.is_active and not AuditEvent.objects.across_tenants().filter(action="tenant.suspended").exists()


def test_reactivating_confirms_then_reactivates_and_audits(admin_client, admin_user, acme):
    services.suspend_tenant(actor=Principal.for_staff(admin_user), tenant=acme, reason="Fraud check")
    page = run_action(admin_client, Tenant, "reactivate_tenants", [acme], index=0)
    assert page.status_code == 200 and b"Fraud check" in page.content
    done = run_action(admin_client, Tenant, "reactivate_tenants", [acme], confirm="Reactivate")
    assert done.status_code == 302
    acme.refresh_from_db()
    assert acme.is_active and acme.suspended_reason == ""
    assert AuditEvent.objects.across_tenants().get(action="tenant.reactivated").actor == admin_user


def test_staff_without_change_permission_cannot_suspend(client, acme):
    viewer = UserFactory(email="support@console.test", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_tenant"))
    client.force_login(viewer)
    run_action(client, Tenant, "suspend_tenants", [acme], confirm="Suspend", reason="no")
    acme.refresh_from_db()
    assert acme.is_active


def test_the_status_is_not_an_editable_field(admin_client, acme):
    page = admin_client.get(change_url(acme))
    assert page.status_code == 200
    assert b'name="status"' not in page.content and b'name="slug"' not in page.content


# --- audit events: read-only --------------------------------------------------------------------


@pytest.fixture
def event(acme, owner):
    with transaction.atomic():
        return audit.record(
            action="tenant.updated",
            actor=Principal.for_member(owner, acme, Role.OWNER),
            tenant=acme,
            target=acme,
            changes={"name": ["A", "B"]},
        )


def test_audit_events_are_read_only_in_the_admin(admin_client, admin_user, rf, event):
    opts = AuditEvent._meta
    assert admin_client.get(reverse("admin:tenants_auditevent_add")).status_code == 403
    page = admin_client.get(change_url(event))
    assert page.status_code == 200
    assert event.hash.encode() in page.content and event.prev_hash.encode() in page.content
    assert b'name="_save"' not in page.content and b"<textarea" not in page.content
    posted = admin_client.post(change_url(event), {"action": "tenant.hidden"})
    assert posted.status_code == 403
    delete = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[event.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.across_tenants().get(pk=event.pk).action == "tenant.updated"
    request = rf.get("/")
    request.user = admin_user
    assert "delete_selected" not in admin.site._registry[AuditEvent].get_actions(request)


# --- secrets ------------------------------------------------------------------------------------


def test_the_client_secret_is_never_displayed_nor_editable(admin_client, acme, owner):
    app, secret = services.create_oauth_client(
        actor=Principal.for_member(owner, acme, Role.OWNER),
        name="partner",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=["tenant:read"],
    )
    stored_hash = Application.objects.across_tenants().get(pk=app.pk).client_secret
    for url in (changelist(Application), change_url(app), changelist(Application) + "?q=partner"):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert app.client_id.encode() in page.content
        assert secret.encode() not in page.content
        assert stored_hash.encode() not in page.content
        assert b'name="client_secret"' not in page.content


def test_token_values_never_show(admin_client, acme):
    app = ApplicationFactory(tenant=acme)
    value = issue_token(app, ["tenant:read"])
    token = AccessToken.objects.get(application=app)
    for url in (changelist(AccessToken), change_url(token)):
        page = admin_client.get(url)
        assert page.status_code == 200
        assert value.encode() not in page.content and value[-8:].encode() not in page.content
        assert app.client_id.encode() in page.content or app.name.encode() in page.content


def test_the_invitation_nonce_is_never_shown(admin_client, acme, owner):
    invitation = services.invite_member(actor=Principal.for_member(owner, acme, Role.OWNER), email="d@example.test")
    for url in (changelist(Invitation), change_url(invitation)):
        page = admin_client.get(url)
        assert page.status_code == 200 and b"d@example.test" in page.content
        assert invitation.nonce.encode() not in page.content


# --- edits go through the services -------------------------------------------------------------


def test_staff_revoke_invitations_through_the_service(admin_client, admin_user, acme, owner):
    invitation = services.invite_member(actor=Principal.for_member(owner, acme, Role.OWNER), email="d@example.test")
    assert run_action(admin_client, Invitation, "revoke_invitations", [invitation], index=0).status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    assert AuditEvent.objects.across_tenants().get(action="invitation.revoked").actor == admin_user


def test_changing_a_role_in_the_admin_is_audited(admin_client, admin_user, acme, owner, developer):
    membership = Membership.objects.across_tenants().get(user=developer)
    response = admin_client.post(change_url(membership), {"role": Role.ADMIN})
    assert response.status_code == 302
    membership.refresh_from_db()
    assert membership.role == Role.ADMIN
    event = AuditEvent.objects.across_tenants().get(action="member.role_changed")
    assert event.actor == admin_user and event.changes["role"] == ["developer", "admin"]


def test_adding_a_member_in_the_admin_goes_through_the_service(admin_client, admin_user, acme, owner):
    newcomer = UserFactory(email="newcomer@example.test")
    response = admin_client.post(
        reverse("admin:tenants_membership_add"), {"user": newcomer.pk, "tenant": acme.pk, "role": Role.DEVELOPER}
    )
    assert response.status_code == 302
    membership = Membership.objects.across_tenants().get(user=newcomer, tenant=acme)
    assert membership.role == Role.DEVELOPER
    event = AuditEvent.objects.across_tenants().get(action="member.added")
    assert (event.actor, event.tenant, event.target_id) == (admin_user, acme, str(membership.pk))
    assert event.changes == {"user": "newcomer@example.test", "role": "developer"}


def test_the_admin_cannot_demote_or_delete_the_last_owner(admin_client, acme, owner):
    membership = Membership.objects.across_tenants().get(user=owner)
    page = admin_client.post(change_url(membership), {"role": Role.VIEWER})
    assert page.status_code == 200 and b"last owner" in page.content
    delete = reverse("admin:tenants_membership_delete", args=[membership.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    membership.refresh_from_db()
    assert membership.role == Role.OWNER


def test_editing_a_client_goes_through_the_service(admin_client, admin_user, acme):
    app = ApplicationFactory(tenant=acme, name="old", allowed_scopes=["tenant:read"])
    response = admin_client.post(
        change_url(app), {"name": "new", "redirect_uris": "", "allowed_scopes": ["tenant:read", "audit:read"]}
    )
    assert response.status_code == 302
    app.refresh_from_db()
    assert (app.name, app.allowed_scopes) == ("new", ["audit:read", "tenant:read"])
    event = AuditEvent.objects.across_tenants().get(action="oauth_client.updated")
    assert event.actor == admin_user and event.changes["name"] == ["old", "new"]


def test_deleting_a_client_goes_through_the_service(admin_client, acme):
    app = ApplicationFactory(tenant=acme)
    delete = reverse("admin:tenants_application_delete", args=[app.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 302
    assert not Application.objects.across_tenants().filter(pk=app.pk).exists()
    assert AuditEvent.objects.across_tenants().get(action="oauth_client.deleted").changes["client_id"] == app.client_id


def test_staff_create_users_by_email_and_it_is_audited(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:tenants_user_add"),
        {
            "email": "new.staff@console.test",
            "full_name": "New Staff",
            "usable_password": "true",
            "password1": "a-long-pass-phrase-42",
            "password2": "a-long-pass-phrase-42",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="new.staff@console.test")
    assert user.check_password("a-long-pass-phrase-42")
    event = AuditEvent.objects.across_tenants().get(action="user.created")
    assert event.actor == admin_user and event.chain == "platform"
    assert event.changes["password1"] == "changed"


def test_staff_setting_a_password_is_audited_without_the_value(admin_client, admin_user, owner):
    url = reverse("admin:auth_user_password_change", args=[owner.pk])  # Django's name, whatever the model
    response = admin_client.post(
        url, {"password1": "another-long-phrase-7", "password2": "another-long-phrase-7", "usable_password": "true"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("another-long-phrase-7")
    event = AuditEvent.objects.across_tenants().get(action="user.password_set")
    assert event.actor == admin_user and event.changes == {"password": "changed"}
    assert "another-long-phrase-7" not in str(event.content())


def test_staff_create_and_edit_tenants_with_an_audit_event(admin_client, admin_user):
    response = admin_client.post(
        reverse("admin:tenants_tenant_add"), {"slug": "initech", "name": "Initech", "plan": "free"}
    )
    assert response.status_code == 302
    tenant = Tenant.objects.get(slug="initech")
    inline = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    response = admin_client.post(change_url(tenant), {"name": "Initech Ltd", "plan": "enterprise", **inline})
    assert response.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.name, tenant.plan) == ("Initech Ltd", "enterprise")
    created, changed = AuditEvent.objects.across_tenants().filter(tenant=tenant).order_by("seq")
    assert (created.action, created.actor) == ("tenant.created", admin_user)
    assert changed.action == "tenant.updated"
    assert changed.changes == {"name": ["Initech", "Initech Ltd"], "plan": ["free", "enterprise"]}


def test_autocomplete_finds_tenants_and_users(admin_client, acme, owner):
    url = reverse("admin:autocomplete")
    found = admin_client.get(
        url, {"app_label": "tenants", "model_name": "membership", "field_name": "tenant", "term": "acm"}
    ).json()
    assert [r["text"] for r in found["results"]] == ["Acme"]
    found = admin_client.get(
        url, {"app_label": "tenants", "model_name": "membership", "field_name": "user", "term": "alice"}
    ).json()
    assert [r["text"] for r in found["results"]] == ["alice@acme.test"]


# --- changelist query counts --------------------------------------------------------------------

_n = itertools.count()


def _event(n):
    tenant = TenantFactory()
    with transaction.atomic():
        return audit.record(
            action="test.recorded",
            actor=Principal.for_member(UserFactory(), tenant, Role.OWNER),
            tenant=tenant,
            target=tenant,
            changes={"n": n},
        )


def _invitation(n):
    return Invitation.objects.create(
        tenant=TenantFactory(),
        email=f"i{n}@example.test",
        nonce=secrets.token_hex(8),
        invited_by=UserFactory(),
        expires_at=timezone.now() + timedelta(days=1),
    )


def _refresh_token(n):
    app = ApplicationFactory()
    token = RefreshToken(application=app, user=UserFactory())
    set_token_value(token, secrets.token_urlsafe(20))
    token.save()
    return token


def _grant(n):
    return Grant.objects.create(
        application=ApplicationFactory(),
        user=UserFactory(),
        code=uuid.uuid4().hex,
        expires=timezone.now() + timedelta(minutes=1),
        redirect_uri="https://x.test/cb",
    )


def _id_token(n):
    return IDToken.objects.create(
        application=ApplicationFactory(), user=UserFactory(), expires=timezone.now() + timedelta(minutes=5)
    )


ROW_MAKERS = {
    User: lambda n: UserFactory(),
    Tenant: lambda n: MembershipFactory().tenant,
    Membership: lambda n: MembershipFactory(),
    Invitation: _invitation,
    Application: lambda n: ApplicationFactory(created_by=UserFactory()),
    AuditEvent: _event,
    AuditChainHead: _event,
    AccessToken: lambda n: issue_token(ApplicationFactory.create(), ["tenant:read"], user=UserFactory()),
    RefreshToken: _refresh_token,
    Grant: _grant,
    IDToken: _id_token,
}


def test_every_console_model_is_registered_and_has_a_row_maker():
    registered = {m for m in admin.site._registry if m._meta.app_label in ("tenants", "oauth2_provider")}
    assert registered == set(ROW_MAKERS)


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("model", list(ROW_MAKERS), ids=lambda m: m._meta.label)
def test_changelist_query_count_does_not_grow_with_rows(admin_client, model):
    make = ROW_MAKERS[model]
    make(next(_n))
    admin_client.get(changelist(model))  # warm the process caches (e.g. the lifecycle table) first
    one, _ = _queries(admin_client, changelist(model))
    for _ in range(49):
        make(next(_n))
    fifty, response = _queries(admin_client, changelist(model))
    assert response.context["cl"].result_count >= 50
    assert fifty == one, f"{model._meta.label}: {one} queries for 1 row, {fifty} for 50"
    # And the search box works on every changelist.
    assert admin_client.get(changelist(model), {"q": "example"}).status_code == 200


@pytest.mark.parametrize("model", list(ROW_MAKERS), ids=lambda m: m._meta.label)
def test_every_change_page_renders(admin_client, model):
    ROW_MAKERS[model](next(_n))
    obj = model._base_manager.order_by("-pk").first()
    assert admin_client.get(change_url(obj)).status_code == 200
