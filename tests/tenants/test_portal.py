"""The self-service pages (/portal/) through Django's test client, on PostgreSQL.

What a member relies on: signing in, switching tenant (never into someone else's), inviting and
joining, pages that only offer what the role allows while the server refuses the rest, another
tenant's objects answering 404, an OAuth client secret shown exactly once, and forms that say
what is wrong.
"""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from tenants import services
from tenants.models import Application, AuditEvent, Invitation, Membership, User
from tenants.principal import Principal
from tenants.roles import Role
from tests.factories import PASSWORD, ApplicationFactory, MembershipFactory, TenantFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in():
    """signed_in(user) -> a test Client with `user` signed in (current tenant: their first)."""

    def make(user):
        client = Client()
        client.force_login(user)
        return client

    return make


def _owner_principal(user, tenant):
    return Principal.for_member(user, tenant, Membership.objects.across_tenants().get(user=user, tenant=tenant).role)


def _link_from(message) -> str:
    """The path of the first portal link in an e-mail body."""
    match = re.search(r"https?://[^/\s]+(/portal/\S+)", message.body)
    assert match, message.body
    return match.group(1)


# --- Signing in and out ----------------------------------------------------------------------------


def test_sign_in_with_email_and_password_lands_on_the_tenant_dashboard(client, owner, acme):
    response = client.post(reverse("portal:login"), {"username": "Alice@Acme.test", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    home = client.get(reverse("portal:home"))
    assertContains(home, "<h1>Acme</h1>", html=False)
    assertContains(home, "alice@acme.test")


def test_wrong_password_is_refused_with_a_message(client, owner):
    response = client.post(reverse("portal:login"), {"username": "alice@acme.test", "password": "nope"})

    assert response.status_code == 200
    assertContains(response, "don&#x27;t match an account")
    assert "_auth_user_id" not in client.session


def test_pages_send_a_signed_out_visitor_to_sign_in(client, acme):
    response = client.get(reverse("portal:members"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("portal:login") + "?next=")


def test_sign_out_is_a_post(signed_in, owner):
    client = signed_in(owner)

    assert client.get(reverse("portal:logout")).status_code == 405
    response = client.post(reverse("portal:logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [("portal:logout", {}), ("portal:switch-tenant", {"slug": "acme"}), ("portal:member-role", {"pk": 1})],
)
def test_a_get_on_a_post_only_address_explains_itself(signed_in, owner, name, kwargs):
    client = signed_in(owner)
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 405
    assert "POST" in response["Allow"] and "GET" not in response["Allow"]
    assertContains(response, "This address is a button, not a page", status_code=405)
    assertContains(response, "nothing has changed", status_code=405)
    assert "_auth_user_id" in client.session  # a GET on the sign-out address signs no one out


def test_password_reset_by_email_link(client, owner):
    response = client.post(reverse("portal:password-reset"), {"email": "alice@acme.test"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1

    confirm = client.get(_link_from(mail.outbox[0]), follow=True)  # Django redirects to a set-password URL
    assertContains(confirm, "Choose a new password")
    response = client.post(
        confirm.redirect_chain[-1][0], {"new_password1": "a-new-long-pass-77", "new_password2": "a-new-long-pass-77"}
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-new-long-pass-77")


# --- Tenant switcher --------------------------------------------------------------------------------


def test_switching_to_another_of_my_tenants(signed_in, owner, acme, globex):
    MembershipFactory(user=owner, tenant=globex, role=Role.DEVELOPER)
    client = signed_in(owner)
    assertContains(client.get(reverse("portal:home")), "<h1>Acme</h1>")

    response = client.post(reverse("portal:switch-tenant", args=["globex"]))

    assert response.status_code == 302
    home = client.get(reverse("portal:home"))
    assertContains(home, "<h1>Globex</h1>")
    assertContains(home, "Developer")


def test_switching_to_a_foreign_tenant_is_a_404_and_changes_nothing(signed_in, owner, outsider, globex):
    client = signed_in(owner)

    assert client.post(reverse("portal:switch-tenant", args=["globex"])).status_code == 404
    assert client.get(reverse("portal:switch-tenant", args=["acme"])).status_code == 405
    home = client.get(reverse("portal:home"))
    assertContains(home, "<h1>Acme</h1>")
    assertNotContains(home, "Globex")


def test_a_user_without_tenant_sees_a_clear_page(signed_in, db):
    client = signed_in(UserFactory(email="lonely@example.test"))

    response = client.get(reverse("portal:home"))

    assertContains(response, "You don't belong to a tenant yet")
    # Tenant pages lead back to that explanation instead of failing.
    assert client.get(reverse("portal:members")).status_code == 302


def test_a_suspended_tenant_shows_the_suspended_page(signed_in, owner, acme):
    services.suspend_tenant(actor=Principal.system(), tenant=acme, reason="Unpaid invoices")
    client = signed_in(owner)

    for url in (reverse("portal:home"), reverse("portal:members"), reverse("portal:clients")):
        response = client.get(url)
        assert response.status_code == 403
        assertTemplateUsed(response, "portal/suspended.html")
        assertContains(response, "Acme is suspended", status_code=403)
        assertContains(response, "Unpaid invoices", status_code=403)
    # Signing out still works.
    assert client.post(reverse("portal:logout")).status_code == 302


# --- Members and invitations ------------------------------------------------------------------------


def test_invite_and_accept_end_to_end_with_a_new_account(
    signed_in, client, owner, acme, django_capture_on_commit_callbacks
):
    owner_client = signed_in(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("portal:invite"), {"email": "Nina@Example.test", "role": Role.DEVELOPER})
    assert response.status_code == 302
    assertContains(owner_client.get(reverse("portal:members")), "nina@example.test")
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["nina@example.test"]
    link = _link_from(mail.outbox[0])

    page = client.get(link)  # signed out, no account yet: the page offers to create one
    assertContains(page, "Join Acme")
    assertContains(page, "Developer")
    assertContains(page, "Create your account")

    response = client.post(
        link, {"full_name": "Nina N", "password1": "a-long-pass-2024", "password2": "a-long-pass-2024"}
    )

    assert response.status_code == 302
    nina = User.objects.get(email="nina@example.test")
    assert Membership.objects.across_tenants().get(user=nina, tenant=acme).role == Role.DEVELOPER
    home = client.get(reverse("portal:home"))  # signed in as the new member, in Acme
    assertContains(home, "<h1>Acme</h1>")
    assertContains(home, "nina@example.test")
    # The link worked once.
    again = client.get(link)
    assertContains(again, "This invitation is accepted", status_code=410)


def test_an_existing_account_signs_in_then_accepts(signed_in, client, owner, acme, globex, outsider):
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email=outsider.email, role=Role.VIEWER)
    link = reverse("portal:accept-invitation", args=[services.invitations.invitation_token(invitation)])

    page = client.get(link)
    assertContains(page, "Sign in to accept")
    assertNotContains(page, "Create your account")

    carol = signed_in(outsider)
    response = carol.post(link)
    assert response.status_code == 302
    assert Membership.objects.across_tenants().get(user=outsider, tenant=acme).role == Role.VIEWER
    assertContains(carol.get(reverse("portal:home")), "<h1>Acme</h1>")  # switched to the new tenant


def test_someone_else_signed_in_cannot_accept(signed_in, owner, acme, developer):
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email="new@example.test")
    link = reverse("portal:accept-invitation", args=[services.invitations.invitation_token(invitation)])
    bob = signed_in(developer)

    assertContains(bob.get(link), "this invitation is for new@example.test")
    response = bob.post(link)
    assertContains(response, "sign in with that address")
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


@pytest.mark.parametrize("spoil", ["revoked", "expired", "tampered"])
def test_unusable_invitation_links_say_why(client, owner, acme, spoil):
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email="late@example.test")
    token = services.invitations.invitation_token(invitation)
    if spoil == "revoked":
        services.revoke_invitation(actor=_owner_principal(owner, acme), invitation=invitation)
    elif spoil == "expired":
        Invitation.objects.across_tenants().filter(pk=invitation.pk).update(
            expires_at=timezone.now() - timedelta(minutes=1)
        )
    else:
        token = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    link = reverse("portal:accept-invitation", args=[token])

    response = client.get(link)

    expected = {
        "revoked": "This invitation is revoked",
        "expired": "This invitation is expired",
        "tampered": "This invitation link is not valid",
    }[spoil]
    assertContains(response, expected, status_code=410)
    response = client.post(link, {"password1": "a-long-pass-2024", "password2": "a-long-pass-2024"})
    assert response.status_code == 410
    assert not User.objects.filter(email="late@example.test").exists()


def test_owner_revokes_a_pending_invitation(signed_in, owner, acme):
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email="maybe@example.test")
    client = signed_in(owner)
    assertContains(client.get(reverse("portal:members")), reverse("portal:invitation-revoke", args=[invitation.pk]))

    client.post(reverse("portal:invitation-revoke", args=[invitation.pk]))

    invitation.refresh_from_db()
    assert invitation.status == "revoked"
    page = client.get(reverse("portal:members"))
    assert list(page.context["invitations"]) == []
    assertContains(page, "No invitations are waiting for an answer.")


def test_members_list_shows_roles_and_owner_actions(signed_in, owner, developer, viewer):
    response = signed_in(owner).get(reverse("portal:members"))

    for email in ("alice@acme.test", "bob@acme.test", "victor@acme.test"):
        assertContains(response, email)
    assertContains(response, "Invite a member")
    bob = Membership.objects.across_tenants().get(user=developer)
    assertContains(response, reverse("portal:member-role", args=[bob.pk]))
    assertContains(response, reverse("portal:member-remove", args=[bob.pk]))


def test_viewer_sees_no_invite_and_the_server_refuses_it(signed_in, viewer, developer):
    client = signed_in(viewer)

    page = client.get(reverse("portal:members"))
    assert page.status_code == 200
    assertNotContains(page, "Invite a member")
    assertNotContains(page, reverse("portal:invite"))
    bob = Membership.objects.across_tenants().get(user=developer)
    assertNotContains(page, reverse("portal:member-role", args=[bob.pk]))
    assertNotContains(page, reverse("portal:member-remove", args=[bob.pk]))

    assert client.get(reverse("portal:invite")).status_code == 403
    response = client.post(reverse("portal:invite"), {"email": "sneaky@example.test", "role": Role.VIEWER})
    assert response.status_code == 403
    assert not Invitation.objects.across_tenants().filter(email="sneaky@example.test").exists()
    assert client.post(reverse("portal:member-role", args=[bob.pk]), {"role": Role.VIEWER}).status_code == 403
    assert client.post(reverse("portal:member-remove", args=[bob.pk])).status_code == 403
    bob.refresh_from_db()
    assert bob.role == Role.DEVELOPER
    assert client.get(reverse("portal:audit")).status_code == 403
    assert client.get(reverse("portal:client-create")).status_code == 403


def test_admin_cannot_touch_owners_and_cannot_offer_the_owner_role(signed_in, owner, admin_member):
    client = signed_in(admin_member)
    alice = Membership.objects.across_tenants().get(user=owner)

    page = client.get(reverse("portal:members"))
    assertNotContains(page, reverse("portal:member-role", args=[alice.pk]))
    assertNotContains(page, reverse("portal:member-remove", args=[alice.pk]))
    assertNotContains(client.get(reverse("portal:invite")), 'value="owner"')
    # The service refuses (only an owner may unmake an owner): the same 403 page.
    response = client.post(reverse("portal:member-role", args=[alice.pk]), {"role": Role.VIEWER})
    assertContains(response, "Only an owner can make or unmake owners.", status_code=403)
    alice.refresh_from_db()
    assert alice.role == Role.OWNER
    assert client.post(reverse("portal:member-remove", args=[alice.pk])).status_code == 403
    assert Membership.objects.across_tenants().filter(pk=alice.pk).exists()


def test_change_role_with_htmx_swaps_the_row(signed_in, owner, developer):
    bob = Membership.objects.across_tenants().get(user=developer)

    response = signed_in(owner).post(
        reverse("portal:member-role", args=[bob.pk]), {"role": Role.ADMIN}, HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith(f'<tr id="member-{bob.pk}"')
    assert '<option value="admin" selected>' in body
    bob.refresh_from_db()
    assert bob.role == Role.ADMIN


def test_the_last_owner_cannot_be_demoted(signed_in, owner):
    alice = Membership.objects.across_tenants().get(user=owner)
    client = signed_in(owner)

    response = client.post(reverse("portal:member-role", args=[alice.pk]), {"role": Role.ADMIN}, follow=True)

    assertContains(response, "The last owner can&#x27;t be demoted")
    alice.refresh_from_db()
    assert alice.role == Role.OWNER


def test_remove_asks_for_confirmation_then_removes(signed_in, owner, developer):
    bob = Membership.objects.across_tenants().get(user=developer)
    client = signed_in(owner)
    url = reverse("portal:member-remove", args=[bob.pk])

    assertContains(client.get(url), "Remove bob@acme.test?")
    assert Membership.objects.across_tenants().filter(pk=bob.pk).exists()
    response = client.post(url)

    assert response.status_code == 302
    assert not Membership.objects.across_tenants().filter(pk=bob.pk).exists()
    assert AuditEvent.objects.across_tenants().filter(action="member.removed", tenant=bob.tenant).count() == 1


def test_leave_tenant(signed_in, owner, developer):
    bob = signed_in(developer)
    assertContains(bob.get(reverse("portal:leave")), "Leave Acme?")

    bob.post(reverse("portal:leave"))

    assert not Membership.objects.across_tenants().filter(user=developer).exists()
    assertContains(bob.get(reverse("portal:home")), "You don't belong to a tenant yet")
    # The last owner is told why they can't.
    response = signed_in(owner).post(reverse("portal:leave"))
    assertContains(response, "You are the last owner")


# --- Another tenant's objects -----------------------------------------------------------------------


def test_outsider_gets_404_on_another_tenants_members_invitations_and_clients(
    signed_in, owner, developer, acme, outsider
):
    bob = Membership.objects.across_tenants().get(user=developer)
    app = ApplicationFactory(tenant=acme)
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email="x@example.test")
    carol = signed_in(outsider)  # owner of globex: every permission, but in another tenant

    assert carol.post(reverse("portal:member-role", args=[bob.pk]), {"role": Role.VIEWER}).status_code == 404
    assert carol.get(reverse("portal:member-remove", args=[bob.pk])).status_code == 404
    assert carol.post(reverse("portal:member-remove", args=[bob.pk])).status_code == 404
    assert carol.post(reverse("portal:invitation-revoke", args=[invitation.pk])).status_code == 404
    for name in ("portal:client-detail", "portal:client-rotate", "portal:client-delete"):
        assert carol.get(reverse(name, args=[app.pk])).status_code == 404
    assert carol.post(reverse("portal:client-rotate", args=[app.pk])).status_code == 404
    assert carol.post(reverse("portal:client-delete", args=[app.pk])).status_code == 404

    bob.refresh_from_db()
    assert bob.role == Role.DEVELOPER
    assert Application.objects.across_tenants().filter(pk=app.pk).exists()
    assert Invitation.objects.across_tenants().get(pk=invitation.pk).status == "pending"
    assertNotContains(carol.get(reverse("portal:clients")), app.name)
    assertNotContains(carol.get(reverse("portal:members")), "bob@acme.test")


# --- OAuth clients ----------------------------------------------------------------------------------


def test_create_client_shows_the_secret_once(signed_in, owner, acme):
    client = signed_in(owner)
    form = client.get(reverse("portal:client-create"))
    assertContains(form, 'value="clients:write"')  # scopes offered from settings.API_SCOPES

    response = client.post(
        reverse("portal:client-create"),
        {
            "name": "Billing sync",
            "authorization_grant_type": Application.GRANT_CLIENT_CREDENTIALS,
            "client_type": Application.CLIENT_CONFIDENTIAL,
            "redirect_uris": "",
            "allowed_scopes": ["tenant:read", "clients:read"],
        },
    )

    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    app = Application.objects.across_tenants().get(tenant=acme, name="Billing sync")
    assert app.allowed_scopes == ["clients:read", "tenant:read"]
    secret = response.context["secret"]
    assert secret and len(secret) >= 32
    assertContains(response, secret)
    assertContains(response, 'data-copy-target="client-secret"')
    assert app.client_secret != secret  # stored hashed

    detail = client.get(reverse("portal:client-detail", args=[app.pk]))
    assertContains(detail, app.client_id)
    assertNotContains(detail, secret)
    assertNotContains(client.get(reverse("portal:clients")), secret)


def test_rotate_secret_confirms_then_shows_the_new_secret_once(signed_in, owner, acme):
    client = signed_in(owner)
    app, first_secret = services.create_oauth_client(
        actor=_owner_principal(owner, acme), name="Sync", authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS
    )
    url = reverse("portal:client-rotate", args=[app.pk])
    assertContains(client.get(url), "Rotate the secret of Sync?")

    response = client.post(url)

    new_secret = response.context["secret"]
    assert new_secret != first_secret
    assertContains(response, new_secret)
    assertContains(response, "The previous secret no longer works")
    assertNotContains(client.get(reverse("portal:client-detail", args=[app.pk])), new_secret)


def test_delete_client_after_confirmation(signed_in, owner, acme):
    app = ApplicationFactory(tenant=acme, name="Old one")
    client = signed_in(owner)

    assertContains(client.get(reverse("portal:client-delete", args=[app.pk])), "Delete Old one?")
    assert client.post(reverse("portal:client-delete", args=[app.pk])).status_code == 302
    assert not Application.objects.across_tenants().filter(pk=app.pk).exists()


def test_viewer_reads_clients_but_cannot_manage_them(signed_in, viewer, acme):
    app = ApplicationFactory(tenant=acme, name="Partner feed")
    client = signed_in(viewer)

    page = client.get(reverse("portal:client-detail", args=[app.pk]))
    assertContains(page, "Partner feed")
    assertNotContains(page, reverse("portal:client-rotate", args=[app.pk]))
    assertNotContains(client.get(reverse("portal:clients")), reverse("portal:client-create"))
    assert client.post(reverse("portal:client-rotate", args=[app.pk])).status_code == 403
    assert client.post(reverse("portal:client-delete", args=[app.pk])).status_code == 403
    assert client.post(reverse("portal:client-create"), {"name": "x"}).status_code == 403


# --- Form errors ------------------------------------------------------------------------------------


def test_form_field_errors_render_next_to_their_fields(signed_in, owner, developer):
    client = signed_in(owner)

    # A service's ValidationError (the toolkit's redirect URI check) lands on its field.
    response = client.post(
        reverse("portal:client-create"),
        {
            "name": "Web app",
            "authorization_grant_type": Application.GRANT_AUTHORIZATION_CODE,
            "client_type": Application.CLIENT_PUBLIC,
            "redirect_uris": "",
            "allowed_scopes": ["tenant:read"],
        },
    )
    assert response.status_code == 200
    assert "redirect_uris" in response.context["form"].errors
    assertContains(response, "redirect_uris cannot be empty")
    assertContains(response, 'class="field has-error"')
    assert not Application.objects.across_tenants().filter(name="Web app").exists()

    # A form's own validation.
    response = client.post(reverse("portal:invite"), {"email": "not-an-address", "role": Role.VIEWER})
    assert response.status_code == 200
    assertContains(response, "Enter a valid email address.")

    # A ServiceError (already a member) is shown above the form.
    response = client.post(reverse("portal:invite"), {"email": "bob@acme.test", "role": Role.VIEWER})
    assert response.status_code == 200
    assertContains(response, "bob@acme.test is already a member of Acme.")
    assertContains(response, 'class="errorlist nonfield"')


def test_signup_on_an_invitation_shows_password_errors(client, owner, acme):
    invitation = services.invite_member(actor=_owner_principal(owner, acme), email="weak@example.test")
    link = reverse("portal:accept-invitation", args=[services.invitations.invitation_token(invitation)])

    response = client.post(link, {"password1": "123", "password2": "456"})

    assertContains(response, "The two passwords differ.")
    assert not User.objects.filter(email="weak@example.test").exists()


# --- Audit log --------------------------------------------------------------------------------------


def test_audit_log_is_paginated_and_filters_by_action(signed_in, owner, acme):
    actor = _owner_principal(owner, acme)
    for n in range(30):
        services.invite_member(actor=actor, email=f"p{n}@example.test")
    services.create_oauth_client(actor=actor, name="One", authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS)
    client = signed_in(owner)

    first = client.get(reverse("portal:audit"))
    assertContains(first, "Page 1 of 2")
    assertContains(first, "oauth_client.created")
    assertContains(first, 'value="invitation.created"')  # the filter offers the tenant's actions

    filtered = client.get(reverse("portal:audit"), {"action": "oauth_client.created"})
    assertContains(filtered, "1 event")
    assertNotContains(filtered, "<code>invitation.created</code>")

    partial = client.get(reverse("portal:audit"), {"page": 2}, HTTP_HX_REQUEST="true")
    body = partial.content.decode()
    assert body.lstrip().startswith('<div id="audit-results">')
    assert "Page 2 of 2" in body


def test_audit_log_shows_only_the_current_tenant(signed_in, owner, acme, outsider, globex):
    services.invite_member(actor=_owner_principal(outsider, globex), email="globex-only@example.test")

    response = signed_in(owner).get(reverse("portal:audit"))

    assertNotContains(response, "globex-only@example.test")
    assertNotContains(response, "Globex")


def test_dashboard_counts_are_the_current_tenants(signed_in, owner, developer, acme, globex):
    ApplicationFactory(tenant=acme)
    ApplicationFactory.create_batch(3, tenant=globex)
    other = TenantFactory(slug="initech")
    MembershipFactory(tenant=other)

    response = signed_in(owner).get(reverse("portal:home"))

    assert response.context["member_count"] == 2
    assert response.context["client_count"] == 1
