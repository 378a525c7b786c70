"""Every API response names its request (X-Request-ID), and the audit event an API write leaves
behind carries that id and the caller's address, so a support ticket leads to the exact change."""

import re

import pytest

from tenants.models import AuditEvent, Membership
from tests.harness import session_client

pytestmark = pytest.mark.django_db

GENERATED = re.compile(r"^[0-9a-f]{32}$")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/v1/tenant/", 200),
        ("/api/v1/members/", 200),
        ("/api/v1/members/999999/", 404),
        ("/api/v1/no-such-endpoint/", 404),
    ],
)
def test_every_api_response_has_a_request_id(owner, path, status):
    response = session_client(owner).get(path)

    assert response.status_code == status
    assert GENERATED.match(response["X-Request-ID"])


def test_an_error_without_credentials_has_a_request_id(anon_client, acme):
    response = anon_client.get("/api/v1/tenant/")

    assert response.status_code == 401
    assert GENERATED.match(response["X-Request-ID"])


def test_a_well_formed_caller_id_is_kept_and_a_malformed_one_replaced(owner):
    client = session_client(owner)

    kept = client.get("/api/v1/tenant/", HTTP_X_REQUEST_ID="partner-trace-0001")
    replaced = client.get("/api/v1/tenant/", HTTP_X_REQUEST_ID="bad id\r\nSet-Cookie: x=1")

    assert kept["X-Request-ID"] == "partner-trace-0001"
    assert GENERATED.match(replaced["X-Request-ID"])


def test_each_request_gets_its_own_id(owner):
    client = session_client(owner)

    assert client.get("/api/v1/tenant/")["X-Request-ID"] != client.get("/api/v1/tenant/")["X-Request-ID"]


def test_an_api_write_is_audited_with_the_request_id_and_ip(acme, owner, viewer, token_client):
    membership = Membership.objects.across_tenants().get(user=viewer, tenant=acme)
    api = token_client(acme, ["members:write"], user=owner)

    response = api.patch(
        f"/api/v1/members/{membership.pk}/",
        {"role": "developer"},
        format="json",
        HTTP_X_REQUEST_ID="ticket-4242-abcdef",
        REMOTE_ADDR="203.0.113.9",
    )

    assert response.status_code == 200
    assert response["X-Request-ID"] == "ticket-4242-abcdef"
    event = AuditEvent.objects.for_tenant(acme).get(action="member.role_changed")
    assert event.request_id == "ticket-4242-abcdef"
    assert event.ip == "203.0.113.9"
    assert event.actor_id == owner.pk
    assert event.actor_label.startswith("alice@acme.test via ")
    # And the API shows it to whoever reads the trail.
    row = session_client(owner).get(f"/api/v1/audit-events/{event.pk}/").json()
    assert (row["request_id"], row["ip"]) == ("ticket-4242-abcdef", "203.0.113.9")


def test_a_generated_request_id_is_audited_too(acme, owner):
    response = session_client(owner).patch("/api/v1/tenant/", {"name": "Acme Two"}, format="json")

    event = AuditEvent.objects.for_tenant(acme).get(action="tenant.updated")
    assert event.request_id == response["X-Request-ID"]
    assert event.ip == "127.0.0.1"
