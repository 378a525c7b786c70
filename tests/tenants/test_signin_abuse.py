"""Sign-in abuse (tenants/signin_abuse.py): lockouts of password sign-in (portal and admin) per
account and per client address, their cool-off, the staff's unlock, the throttles of password reset
requests and invitation links, and answers that never tell a known address from an unknown one."""

import re
from datetime import timedelta
from unittest import mock

import pytest
import time_machine
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.auth.hashers import get_hasher
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.asserts import assertTemplateUsed

from tenants import services
from tenants.models import AuditEvent
from tenants.principal import Principal
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LOGIN = "portal:login"


def sign_in(client, email, password, **extra):
    return client.post(reverse(LOGIN), {"username": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def assert_locked_out(response):
    assert response.status_code == 429
    assertTemplateUsed(response, "portal/locked_out.html")
    assert b"Too many attempts" in response.content
    retry_after = int(response["Retry-After"])
    assert 0 < retry_after <= 15 * 60
    return retry_after


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, owner):
    for _ in range(30):
        assert sign_in(client, owner.email, "wrong-password").status_code in (200, 429)

    response = sign_in(client, owner.email, PASSWORD)

    assert_locked_out(response)
    assert b"Try again in 15 minutes" in response.content
    assert not signed_in(client)
    # Audited: axes' rows and our own platform event.
    assert AccessAttempt.objects.filter(username=owner.email).exists()
    assert AccessFailureLog.objects.filter(username=owner.email, locked_out=True).exists()
    event = AuditEvent.objects.across_tenants().filter(action="auth.locked_out").first()
    assert event is not None and event.changes["login"] == owner.email and event.ip == "127.0.0.1"


def test_the_lockout_starts_at_the_fifth_failure_for_an_account(client, owner):
    for _ in range(4):
        assert sign_in(client, owner.email, "wrong-password").status_code == 200
    assert sign_in(client, owner.email, PASSWORD).status_code == 302  # 4 failures: still allowed

    other = Client()
    for _ in range(4):
        sign_in(other, owner.email.upper(), "wrong-password")  # the login's case doesn't matter
    assert_locked_out(sign_in(other, owner.email, "wrong-password"))
    assert_locked_out(sign_in(Client(), owner.email, PASSWORD))


def test_sign_in_works_again_after_the_cool_off(client, owner):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for _ in range(5):
            sign_in(client, owner.email, "wrong-password")
        retry_after = assert_locked_out(sign_in(client, owner.email, PASSWORD))
        assert retry_after == 15 * 60

        traveller.shift(timedelta(minutes=14))
        assert_locked_out(sign_in(client, owner.email, PASSWORD))  # a refused try restarts the pause

        traveller.shift(timedelta(minutes=15, seconds=1))
        response = sign_in(client, owner.email, PASSWORD)

    assert response.status_code == 302
    assert signed_in(client)


def test_one_address_is_locked_out_across_different_logins(client, owner):
    for n in range(20):
        sign_in(client, f"guess{n}@acme.test", "wrong-password", REMOTE_ADDR="198.51.100.7")

    assert_locked_out(sign_in(client, owner.email, PASSWORD, REMOTE_ADDR="198.51.100.7"))
    # The owner's account has no failures of its own: from another address they sign in.
    elsewhere = Client()
    assert sign_in(elsewhere, owner.email, PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302


def test_one_account_is_locked_out_across_addresses(owner):
    for n in range(5):
        sign_in(Client(), owner.email, "wrong-password", REMOTE_ADDR=f"198.51.100.{n + 1}")

    assert_locked_out(sign_in(Client(), owner.email, PASSWORD, REMOTE_ADDR="203.0.113.9"))


@pytest.fixture
def staff():
    user = UserFactory(email="ops@console.test")
    user.is_staff = user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    return user


def test_admin_sign_in_is_locked_out_too(client, staff):
    url = reverse("admin:login")
    for _ in range(5):
        client.post(url, {"username": staff.email, "password": "wrong-password", "next": "/admin/"})

    response = client.post(url, {"username": staff.email, "password": PASSWORD, "next": "/admin/"})

    assert_locked_out(response)
    assert not signed_in(client)


def test_staff_unlock_an_account_in_the_admin(client, owner, staff):
    for _ in range(5):
        sign_in(client, owner.email, "wrong-password")
    assert_locked_out(sign_in(client, owner.email, PASSWORD))

    admin = Client()
    admin.force_login(staff)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert admin.get(changelist).status_code == 200
    attempts = list(AccessAttempt.objects.filter(username=owner.email).values_list("pk", flat=True))
    response = admin.post(changelist, {"action": "delete_selected", "_selected_action": attempts, "post": "yes"})
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=owner.email).exists()

    assert sign_in(client, owner.email, PASSWORD).status_code == 302


def test_axes_reset_command_unlocks_an_account(client, owner):
    for _ in range(5):
        sign_in(client, owner.email, "wrong-password")
    assert_locked_out(sign_in(client, owner.email, PASSWORD))

    call_command("axes_reset_username", owner.email)

    assert sign_in(client, owner.email, PASSWORD).status_code == 302


def _normalised(response, email=None):
    """The page without what differs on every request anyway: CSRF tokens, CSP nonces."""
    body = response.content.decode()
    if email:
        body = body.replace(email, "EMAIL")
    body = re.sub(r"\b[A-Za-z0-9]{64}\b", "CSRF", body)
    return re.sub(r'nonce="[^"]*"', "", body)


def _hasher_work(email, password):
    hasher = type(get_hasher())
    with mock.patch.object(hasher, "encode", autospec=True, side_effect=hasher.encode) as encode:
        response = sign_in(Client(), email, password)
    return response, encode.call_count


def test_a_known_and_an_unknown_address_get_the_same_answer_and_the_same_work(owner):
    known, known_work = _hasher_work(owner.email, "wrong-password")
    unknown, unknown_work = _hasher_work("nobody@acme.test", "wrong-password")

    assert known.status_code == unknown.status_code == 200
    assert _normalised(known, owner.email) == _normalised(unknown, "nobody@acme.test")
    assert known_work == unknown_work >= 1  # a password hash is computed either way

    # Locked out, too, the answers are the same: unknown logins are counted like known ones.
    for _ in range(4):
        sign_in(Client(), owner.email, "wrong-password")
        sign_in(Client(), "nobody@acme.test", "wrong-password")
    known = sign_in(Client(), owner.email, PASSWORD)
    unknown = sign_in(Client(), "nobody@acme.test", PASSWORD)
    assert known.status_code == unknown.status_code == 429
    assert _normalised(known, owner.email) == _normalised(unknown, "nobody@acme.test")


def reset(client, email, **extra):
    return client.post(reverse("portal:password-reset"), {"email": email}, **extra)


def test_password_reset_requests_are_limited_per_address_with_the_same_page(client, owner):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        for email in [owner.email, "nobody@acme.test"] * 2 + [owner.email]:
            response = reset(client, email)
            assert response.status_code == 302
            assert response["Location"] == reverse("portal:password-reset-done")
        assert len(mail.outbox) == 3  # only the known address gets mail

        known = reset(client, owner.email)
        unknown = reset(client, "nobody@acme.test")
        assert_locked_out(known)
        assert_locked_out(unknown)
        assert _normalised(known) == _normalised(unknown)
        assert len(mail.outbox) == 3
        assert reset(Client(), owner.email, REMOTE_ADDR="203.0.113.9").status_code == 302  # another address

        traveller.shift(timedelta(minutes=15, seconds=1))
        assert reset(client, owner.email).status_code == 302


def test_failed_invitation_links_are_limited_per_address(client, owner, acme, settings, viewer):
    settings.INVITATION_FAILURES_PER_ADDRESS = 3
    client.force_login(viewer)
    principal = Principal.for_member(owner, acme, "owner")
    invitation = services.invite_member(actor=principal, email=viewer.email.replace("@", "+x@"))
    good = reverse("portal:accept-invitation", args=[services.invitations.invitation_token(invitation)])

    for n in range(3):
        assert client.get(reverse("portal:accept-invitation", args=[f"guess-{n}"])).status_code == 410

    assert_locked_out(client.get(good))
    assert_locked_out(client.post(good))
    assert AuditEvent.objects.across_tenants().filter(action="auth.locked_out", changes__kind="invitation").exists()
