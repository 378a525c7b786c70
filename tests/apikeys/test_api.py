"""The keys API, the gateway verify endpoint, leak reports and usage."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core import mail
from rest_framework.test import APIClient

from apikeys import keys
from apikeys.models import ApiKey
from apikeys.requestpath import metering
from tenants.models import AuditEvent
from tenants.principal import Principal
from tenants.services import suspend_tenant

pytestmark = pytest.mark.django_db


def ptype(response):
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return response.json()["type"]


# --- keys CRUD --------------------------------------------------------------------------------


def test_create_shows_the_key_once_and_stores_only_its_hmac(acme, owner, session_client):
    client = session_client(owner)
    response = client.post(
        "/api/v1/keys/",
        {"name": "billing sync", "scopes": ["keys:read", "usage:read"], "allowed_cidrs": ["203.0.113.7"]},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    raw = body["key"]
    assert keys.parse(raw).lookup_id == body["lookup_id"]
    assert body["allowed_cidrs"] == ["203.0.113.7/32"] and body["status"] == "active"
    assert body["created_by"] == owner.email
    stored = ApiKey.objects.across_tenants().get(pk=body["id"])
    assert stored.digest == keys.digest(raw) and raw not in str(stored.__dict__)
    again = client.get(f"/api/v1/keys/{body['id']}/").json()
    assert "key" not in again and again["prefix"].startswith(f"gvk_live_{body['lookup_id']}_")
    event = AuditEvent.objects.across_tenants().filter(action="api_key.created").latest("seq")
    assert raw not in str(event.changes) and event.changes["lookup_id"] == body["lookup_id"]


def test_create_validates_scopes_cidrs_and_expiry(acme, owner, session_client):
    client = session_client(owner)
    past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
    response = client.post(
        "/api/v1/keys/",
        {"name": "x", "scopes": ["nope:read"], "allowed_cidrs": ["10.0.0.0/33"], "expires_at": past},
        format="json",
    )
    assert response.status_code == 400 and ptype(response) == "/problems/validation-error"
    assert "scopes" in response.json()["errors"]
    response = client.post("/api/v1/keys/", {"name": "x", "allowed_cidrs": ["10.0.0.0/33"]}, format="json")
    assert "allowed_cidrs" in response.json()["errors"]
    response = client.post("/api/v1/keys/", {"name": "x", "expires_at": past}, format="json")
    assert "expires_at" in response.json()["errors"]


def test_a_key_cannot_mint_a_key_with_more_scopes(acme, key_client):
    client = key_client(acme, scopes=["keys:read", "keys:write"])
    response = client.post("/api/v1/keys/", {"name": "wider", "scopes": ["keys:write", "members:write"]}, format="json")
    assert response.status_code == 400
    assert "members:write" in response.json()["errors"]["scopes"][0]
    response = client.post("/api/v1/keys/", {"name": "same", "scopes": ["keys:read"]}, format="json")
    assert response.status_code == 201


def test_a_key_cannot_widen_a_key_by_update_either(acme, key_client, make_key):
    client = key_client(acme, scopes=["keys:read", "keys:write"])
    other, _ = make_key(acme, scopes=["keys:read"])
    response = client.patch(f"/api/v1/keys/{other.pk}/", {"scopes": ["audit:read"]}, format="json")
    assert response.status_code == 400


def test_update_name_scopes_and_allow_list(acme, owner, session_client, make_key):
    api_key, _ = make_key(acme, scopes=["keys:read"])
    response = session_client(owner).patch(
        f"/api/v1/keys/{api_key.pk}/",
        {"name": "renamed", "scopes": ["usage:read"], "allowed_cidrs": ["2001:db8::/48"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    api_key.refresh_from_db()
    assert (api_key.name, api_key.scopes, api_key.allowed_cidrs) == ("renamed", ["usage:read"], ["2001:db8::/48"])


def test_rotate_with_overlap(acme, owner, session_client, key_client):
    old = key_client(acme)
    response = session_client(owner).post(f"/api/v1/keys/{old.api_key.pk}/rotate/", {"overlap": "24h"}, format="json")
    assert response.status_code == 201, response.content
    new_body = response.json()
    assert new_body["rotated_from"] == old.api_key.lookup_id and new_body["key"] != old.raw_key
    old.api_key.refresh_from_db()
    assert old.api_key.status == "rotating"
    assert abs((old.api_key.valid_until - datetime.now(UTC)) - timedelta(hours=24)) < timedelta(minutes=1)
    assert old.get("/api/v1/keys/").status_code == 200  # still good during the overlap
    new = APIClient()
    new.credentials(HTTP_AUTHORIZATION=f"Bearer {new_body['key']}")
    assert new.get("/api/v1/keys/").status_code == 200
    again = session_client(owner).post(f"/api/v1/keys/{old.api_key.pk}/rotate/", {}, format="json")
    assert again.status_code == 409 and ptype(again) == "/problems/conflict"


def test_after_the_overlap_the_old_key_is_expired(acme, key_client, django_capture_on_commit_callbacks):
    from apikeys.requestpath import cache

    old = key_client(acme)
    from apikeys import services

    with django_capture_on_commit_callbacks(execute=True):
        services.rotate_key(actor=Principal.system(acme), api_key=old.api_key, overlap="1h")
    ApiKey.objects.across_tenants().filter(pk=old.api_key.pk).update(
        valid_until=datetime.now(UTC) - timedelta(seconds=1)
    )
    cache.invalidate([old.api_key.lookup_id])
    response = old.get("/api/v1/keys/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_revoke(acme, owner, session_client, make_key):
    api_key, _ = make_key(acme)
    client = session_client(owner)
    response = client.post(f"/api/v1/keys/{api_key.pk}/revoke/")
    assert response.status_code == 200 and response.json()["status"] == "revoked"
    assert client.post(f"/api/v1/keys/{api_key.pk}/revoke/").status_code == 409
    assert AuditEvent.objects.across_tenants().filter(action="api_key.revoked", target_id=str(api_key.pk)).count() == 1


def test_a_viewer_can_list_but_not_create(acme, viewer, session_client):
    client = session_client(viewer)
    assert client.get("/api/v1/keys/").status_code == 200
    response = client.post("/api/v1/keys/", {"name": "x"}, format="json")
    assert response.status_code == 403 and ptype(response) == "/problems/permission-denied"


# --- verify (gateways) ----------------------------------------------------------------------


@pytest.fixture
def gateway(globex, token_client):
    return token_client(globex, scopes=["keys:verify"], gateway=True)


def verify(gateway, **body):
    response = gateway.post("/api/v1/keys/verify/", body, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_verify_a_good_key(acme, gateway, make_key):
    api_key, raw = make_key(acme, scopes=["catalog:read"], rate_quota=10, rate_window=60)
    body = verify(gateway, key=raw, api="payments", version="v2", cost=3)
    assert body == {
        "valid": True,
        "code": "VALID",
        "key_id": api_key.lookup_id,
        "tenant": "acme",
        "scopes": ["catalog:read"],
        "ratelimit": {"limit": 10, "remaining": 7, "reset": 18},
        "lifecycle": None,
    }  # payments v2 is not in this test's catalog


@pytest.mark.parametrize(
    "case,code",
    [
        ("unknown", "NOT_FOUND"),
        ("garbage", "NOT_FOUND"),
        ("revoked", "REVOKED"),
        ("expired", "EXPIRED"),
        ("suspended", "TENANT_SUSPENDED"),
        ("ip", "FORBIDDEN_IP"),
        ("scope", "INSUFFICIENT_SCOPE"),
        ("limited", "RATE_LIMITED"),
    ],
)
def test_verify_codes(acme, gateway, make_key, case, code, django_capture_on_commit_callbacks):
    from apikeys import services

    api_key, raw = make_key(
        acme, scopes=["catalog:read"], allowed_cidrs=["198.51.100.0/24"], rate_quota=1, rate_window=3600
    )
    body = {"key": raw, "client_ip": "198.51.100.9"}
    with django_capture_on_commit_callbacks(execute=True):
        if case == "unknown":
            body["key"] = keys.generate()[0]
        elif case == "garbage":
            body["key"] = "not-a-key"
        elif case == "revoked":
            services.revoke_key(actor=Principal.system(acme), api_key=api_key)
        elif case == "expired":
            ApiKey.objects.across_tenants().filter(pk=api_key.pk).update(
                expires_at=datetime.now(UTC) - timedelta(seconds=1)
            )
        elif case == "suspended":
            suspend_tenant(actor=Principal.system(), tenant=acme)
        elif case == "ip":
            body["client_ip"] = "192.0.2.1"
        elif case == "scope":
            body["scope"] = "catalog:read webhooks:write"
        elif case == "limited":
            assert verify(gateway, **body)["code"] == "VALID"
    answer = verify(gateway, **body)
    assert answer["code"] == code and answer["valid"] is False
    if code == "NOT_FOUND":
        assert answer["tenant"] is None and answer["key_id"] is None and answer["scopes"] == []
    if code == "RATE_LIMITED":
        assert answer["ratelimit"]["remaining"] == 0 and answer["ratelimit"]["retry_after"] > 3000


def test_verify_counts_the_call_as_the_keys_usage(acme, gateway, make_key):
    api_key, raw = make_key(acme)
    verify(gateway, key=raw, api="payments", version="v2")
    metering.flush_usage()
    from apikeys.models import UsageRecord

    record = UsageRecord.objects.for_tenant(acme).get()
    assert (record.credential, record.api, record.version, record.operation, record.status_class, record.count) == (
        f"key:{api_key.lookup_id}",
        "payments",
        "v2",
        "gateway",
        "2xx",
        1,
    )
    assert record.api_key_id == api_key.pk


def test_only_a_gateway_client_with_keys_verify_may_verify(acme, owner, session_client, token_client, key_client):
    body = {"key": keys.generate()[0]}
    no_scope = token_client(acme, scopes=["keys:read"])
    assert ptype(no_scope.post("/api/v1/keys/verify/", body, format="json")) == "/problems/insufficient-scope"
    for client in (session_client(owner), key_client(acme)):
        response = client.post("/api/v1/keys/verify/", body, format="json")
        assert response.status_code == 403
    assert APIClient().post("/api/v1/keys/verify/", body, format="json").status_code == 401


@pytest.mark.parametrize("fail_open", [True, False])
def test_verify_with_a_dead_redis(acme, gateway, make_key, settings, fail_open):
    from apikeys.requestpath import store

    _, raw = make_key(acme)
    settings.APIKEY_REDIS_URL = "redis://127.0.0.1:1/0"
    settings.RATELIMIT_FAIL_OPEN = fail_open
    try:
        response = gateway.post("/api/v1/keys/verify/", {"key": raw}, format="json")
    finally:
        store.reset()
    if fail_open:
        assert response.status_code == 200 and response.json()["code"] == "VALID"
        assert response.json()["ratelimit"] is None
    else:
        assert response.status_code == 503 and ptype(response) == "/problems/service-unavailable"


# --- leak reports -----------------------------------------------------------------------------


def test_a_leak_report_revokes_valid_keys_and_tells_the_owners(
    acme, globex, owner, outsider, make_key, django_capture_on_commit_callbacks
):
    acme_key, acme_raw = make_key(acme)
    globex_key, globex_raw = make_key(globex)
    bystander, _ = make_key(acme)
    unknown = keys.generate()[0]
    look_alike = acme_raw[:-1] + ("A" if acme_raw[-1] != "A" else "B")
    wrong_secret_body = acme_raw[:22] + "B" * 22
    wrong_secret = wrong_secret_body + keys.checksum(wrong_secret_body)
    report = [
        f"const key = '{acme_raw}';",
        {"token": globex_raw, "type": "gvk", "url": "https://example.test/x"},
        unknown,
        look_alike,
        wrong_secret,
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = APIClient().post("/api/v1/keys/leaks/", report, format="json")
    assert response.status_code == 200, response.content
    assert response.json() == {"received": 5, "well_formed": 4, "matched": 2, "revoked": 2}
    assert "acme" not in response.content.decode() and "globex" not in response.content.decode()
    acme_key.refresh_from_db()
    globex_key.refresh_from_db()
    bystander.refresh_from_db()
    assert acme_key.revoked_reason == "leaked" and globex_key.revoked_reason == "leaked"
    assert bystander.revoked_at is None
    assert sorted(m.to[0] for m in mail.outbox) == [owner.email, outsider.email]
    assert acme_key.lookup_id in next(m.body for m in mail.outbox if m.to == [owner.email])
    again = APIClient().post("/api/v1/keys/leaks/", {"strings": [acme_raw]}, format="json")
    assert again.json() == {"received": 1, "well_formed": 1, "matched": 1, "revoked": 0}


def test_a_leak_report_is_bounded(acme):
    response = APIClient().post("/api/v1/keys/leaks/", {"strings": ["x"] * 1001}, format="json")
    assert response.status_code == 400


# --- usage ------------------------------------------------------------------------------------


def test_usage_by_day_key_version_and_status(acme, globex, key_client, owner, session_client):
    client = key_client(acme)
    for _ in range(3):
        client.get("/api/v1/keys/")
    client.get("/api/v1/keys/999999/")
    key_client(globex).get("/api/v1/keys/")  # another tenant's usage never shows
    metering.flush_usage()
    response = session_client(owner).get("/api/v1/usage/")
    assert response.status_code == 200, response.content
    body = response.json()
    today = datetime.now(UTC).date().isoformat()
    key = f"key:{client.api_key.lookup_id}"
    assert body["total"] == 4
    assert body["results"] == [
        {
            "day": today,
            "credential": key,
            "key_name": "test key",
            "api": "console",
            "version": "v1",
            "status_class": "2xx",
            "calls": 3,
        },
        {
            "day": today,
            "credential": key,
            "key_name": "test key",
            "api": "console",
            "version": "v1",
            "status_class": "4xx",
            "calls": 1,
        },
    ]
    filtered = session_client(owner).get(f"/api/v1/usage/?key=nothere&start={today}&end={today}")
    assert filtered.json()["total"] == 0
    bad = session_client(owner).get("/api/v1/usage/?start=2025-02-02&end=2025-01-01")
    assert bad.status_code == 400
