"""The portal in a real browser: Debian's headless Chromium driven by Playwright against a live
server. An owner signs in, invites a member, changes a role (htmx), creates an OAuth client and
sees its secret exactly once, and browses the audit log — and no page logs a JavaScript error.
"""

import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from tenants.models import Application, Invitation, Membership
from tenants.roles import Role

SCREENSHOT = Path("/tmp/portal_client_secret.png")

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_owner_invites_a_member_and_sees_a_new_client_secret_exactly_once(browser_page, owner, developer, acme):
    page = browser_page

    # Sign in.
    page.goto("/portal/login/")
    page.get_by_label("E-mail address").fill("alice@acme.test")
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Acme", exact=True)).to_be_visible()

    # Invite a member.
    page.get_by_role("link", name="Members", exact=True).click()
    page.get_by_role("link", name="Invite a member").click()
    page.get_by_label("E-mail address").fill("nina@example.test")
    page.get_by_label("Role").select_option(Role.DEVELOPER)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".message-success")).to_contain_text("Invitation sent to nina@example.test")
    expect(page.locator("#invitations")).to_contain_text("nina@example.test")
    assert Invitation.objects.across_tenants().get(tenant=acme, email="nina@example.test").role == Role.DEVELOPER
    assert [m.to for m in mail.outbox] == [["nina@example.test"]]

    # Change a role in place (htmx posts the select and swaps the row).
    bob = Membership.objects.across_tenants().get(user=developer)
    # It asks first: answering no changes nothing and puts the old role back in the select.
    questions = []
    page.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.dismiss()))
    page.get_by_label("Role of bob@acme.test").select_option(Role.VIEWER)
    expect(page.get_by_label("Role of bob@acme.test")).to_have_value(Role.DEVELOPER)
    assert questions == ["Change the role of bob@acme.test from Developer to Viewer?"]
    bob.refresh_from_db()
    assert bob.role == Role.DEVELOPER
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_response(lambda r: r.url.endswith(f"/portal/members/{bob.pk}/role/")) as answer:
        page.get_by_label("Role of bob@acme.test").select_option(Role.VIEWER)
    assert answer.value.status == 200
    assert answer.value.request.headers.get("hx-request") == "true"  # htmx, not a full form post
    expect(page.locator(f"#member-{bob.pk} option[selected]")).to_have_text("Viewer")
    assert page.url.endswith("/portal/members/")
    bob.refresh_from_db()
    assert bob.role == Role.VIEWER

    # Create an OAuth client: the secret is on the result page, once.
    page.get_by_role("link", name="OAuth clients").click()
    page.get_by_role("link", name="New client").click()
    page.get_by_label("Name", exact=True).fill("Billing sync")
    page.get_by_label("Client credentials").check()
    page.get_by_role("checkbox", name=re.compile(r"^\s*clients:read ")).check()
    page.get_by_role("button", name="Create client").click()
    expect(page.get_by_role("heading", name="Billing sync is ready")).to_be_visible()
    secret = page.locator("#client-secret").input_value()
    assert len(secret) >= 32
    app = Application.objects.across_tenants().get(tenant=acme, name="Billing sync")
    assert app.allowed_scopes == ["clients:read", "tenant:read"]
    assert app.client_secret != secret  # only a hash is stored

    page.get_by_role("button", name="Copy").click()
    expect(page.get_by_role("button", name="Copied")).to_be_visible()
    assert page.evaluate("navigator.clipboard.readText()") == secret
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    # The page's history entry now points at the client's page: a reload shows it without the
    # secret and does not submit the form again.
    assert page.url.endswith(f"/portal/clients/{app.pk}/")
    page.reload()
    expect(page.get_by_role("heading", name="Billing sync", exact=True)).to_be_visible()
    assert secret not in page.content()
    assert Application.objects.across_tenants().filter(tenant=acme, name="Billing sync").count() == 1

    # Back and forward again, then the way a person would come back: never the secret.
    page.go_back()
    expect(page.get_by_role("heading", name="New OAuth client")).to_be_visible()
    page.go_forward()
    assert secret not in page.content()
    page.get_by_role("link", name="OAuth clients").first.click()
    page.get_by_role("link", name="Billing sync").click()
    expect(page.locator("#client-id")).to_have_text(app.client_id)
    assert secret not in page.content()

    # The audit log lists what happened; the action filter reloads only the results (htmx).
    page.get_by_role("link", name="Audit log").click()
    expect(page.locator("#audit-results")).to_contain_text("oauth_client.created")
    page.get_by_label("Action").select_option("invitation.created")
    expect(page.locator("#audit-results")).not_to_contain_text("oauth_client.created")
    expect(page.locator("#audit-results")).to_contain_text("invitation.created")
    assert "action=invitation.created" in page.url

    assert page.js_errors == []
    assert page.csp_violations == []
