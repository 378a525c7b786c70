"""A key authenticates like an OAuth token: same principal, every endpoint, refusals as problems."""

import pytest
from rest_framework.test import APIClient

from apikeys import services
from apikeys.models import ApiKey
from apikeys.requestpath import cache, store
from tenants.principal import Principal
from tenants.services import reactivate_tenant, suspend_tenant

pytestmark = pytest.mark.django_db


def problem(response):
    assert response["Content-Type"].startswith("application/problem+json"), response.content
    return response.json()["type"]


@pytest.mark.parametrize("header", ["bearer", "x-api-key"])
def test_a_key_lists_its_tenants_keys(acme, globex, key_client, make_key, header):
    client = key_client(acme, header=header)
    make_key(globex)  # another tenant's key never shows
    response = client.get("/api/v1/keys/")
    assert response.status_code == 200, response.content
    assert [row["lookup_id"] for row in response.json()["results"]] == [client.api_key.lookup_id]
    assert "key" not in response.json()["results"][0]


def test_every_foundation_endpoint_works_with_a_key(acme, key_client):
    client = key_client(acme)
    response = client.get("/api/v1/tenant/")
    assert response.status_code == 200, response.content
    body = response.json()
    # The whole tenant, as with a token or a session (not the key's cached summary of it).
    assert body["slug"] == "acme" and body["name"] == acme.name
    assert body["created_at"] is not None and body["updated_at"] is not None


def test_the_principal_is_the_keys_tenant_scopes_and_the_machine_role(acme, key_client):
    client = key_client(acme, scopes=["keys:read"])
    assert client.get("/api/v1/keys/").status_code == 200
    response = client.get("/api/v1/tenant/")
    assert response.status_code == 403 and problem(response) == "/problems/insufficient-scope"


def test_the_audit_trail_names_the_key_as_actor(acme, key_client):
    client = key_client(acme)
    response = client.post("/api/v1/keys/", {"name": "ci", "scopes": ["keys:read"]}, format="json")
    assert response.status_code == 201, response.content
    from tenants.models import AuditEvent

    event = AuditEvent.objects.across_tenants().filter(action="api_key.created").latest("seq")
    assert event.actor_label == f"api-key:{client.api_key.lookup_id}"


@pytest.mark.parametrize(
    "mangle",
    [
        lambda raw: raw[:-1] + ("A" if raw[-1] != "A" else "B"),  # bad checksum: refused offline
        lambda raw: raw[:25] + ("x" if raw[25] != "x" else "y") + raw[26:-6] + raw[-6:],  # wrong secret
    ],
)
def test_a_wrong_key_is_401(acme, key_client, mangle):
    good = key_client(acme)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {mangle(good.raw_key)}")
    response = client.get("/api/v1/keys/")
    assert response.status_code == 401
    assert problem(response) == "/problems/authentication-failed"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_wrong_secret_does_not_spend_the_keys_quota(acme, key_client):
    good = key_client(acme, rate_quota=2, rate_window=3600)
    from apikeys import keys

    forged_body = good.raw_key[:22] + "A" * 22
    forged = forged_body + keys.checksum(forged_body)
    attacker = APIClient()
    attacker.credentials(HTTP_X_API_KEY=forged)
    for _ in range(5):
        assert attacker.get("/api/v1/keys/").status_code == 401
    assert good.get("/api/v1/keys/").status_code == 200
    assert good.get("/api/v1/keys/").status_code == 200
    assert good.get("/api/v1/keys/").status_code == 429


def test_a_revoked_key_stops_on_the_next_request(acme, key_client, django_capture_on_commit_callbacks):
    client = key_client(acme)
    assert client.get("/api/v1/keys/").status_code == 200  # the entry is cached now
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_key(actor=Principal.system(acme), api_key=client.api_key)
    response = client.get("/api/v1/keys/")
    assert response.status_code == 401 and "revoked" in response.json()["detail"]


def test_an_expired_key_is_refused(acme, key_client):
    client = key_client(acme)
    assert client.get("/api/v1/keys/").status_code == 200
    ApiKey.objects.across_tenants().filter(pk=client.api_key.pk).update(expires_at="2000-01-01T00:00Z")
    cache.invalidate([client.api_key.lookup_id])
    response = client.get("/api/v1/keys/")
    assert response.status_code == 401 and "expired" in response.json()["detail"]


def test_a_suspended_tenants_keys_are_refused_at_once_and_work_again_after(
    acme, key_client, django_capture_on_commit_callbacks
):
    client = key_client(acme)
    assert client.get("/api/v1/keys/").status_code == 200
    staff = Principal.system()
    with django_capture_on_commit_callbacks(execute=True):
        suspend_tenant(actor=staff, tenant=acme, reason="unpaid")
    response = client.get("/api/v1/keys/")
    assert response.status_code == 403 and problem(response) == "/problems/tenant-suspended"
    with django_capture_on_commit_callbacks(execute=True):
        reactivate_tenant(actor=staff, tenant=acme)
    assert client.get("/api/v1/keys/").status_code == 200


def test_ip_allow_list(acme, key_client):
    client = key_client(acme, allowed_cidrs=["10.1.0.0/16", "2001:db8::/32"])
    assert client.get("/api/v1/keys/", REMOTE_ADDR="10.1.200.3").status_code == 200
    assert client.get("/api/v1/keys/", REMOTE_ADDR="2001:db8:1::5").status_code == 200
    refused = client.get("/api/v1/keys/", REMOTE_ADDR="10.2.0.1")
    assert refused.status_code == 403 and problem(refused) == "/problems/permission-denied"
    assert client.get("/api/v1/keys/", REMOTE_ADDR="2001:db9::1").status_code == 403


def test_ip_allow_list_with_an_odd_prefix_length(acme, key_client):
    client = key_client(acme, allowed_cidrs=["192.168.4.0/22"])  # .4.0 - .7.255
    assert client.get("/api/v1/keys/", REMOTE_ADDR="192.168.7.255").status_code == 200
    assert client.get("/api/v1/keys/", REMOTE_ADDR="192.168.8.0").status_code == 403
    assert client.get("/api/v1/keys/", REMOTE_ADDR="192.168.3.255").status_code == 403


def test_the_warm_path_makes_no_database_query(acme, key_client, django_assert_num_queries):
    client = key_client(acme, scopes=["keys:read"])
    assert client.get("/api/v1/usage/").status_code == 403  # warms the cache (and lacks usage:read)
    with django_assert_num_queries(0):
        response = client.get("/api/v1/usage/")
    assert response.status_code == 403


def test_an_oauth_bearer_token_still_goes_to_oauth(acme, token_client):
    assert token_client(acme).get("/api/v1/keys/").status_code == 200


def test_without_redis_keys_authenticate_from_the_database(acme, key_client, settings):
    client = key_client(acme)
    settings.APIKEY_REDIS_URL = ""
    try:
        assert client.get("/api/v1/keys/").status_code == 200
    finally:
        store.reset()


def test_a_fill_read_before_a_revocation_cannot_outlive_it(acme, make_key, django_capture_on_commit_callbacks):
    """A request that read the key from the database just before another process revoked it may
    still be answered with what it read, but it can't store that stale entry: the next request
    sees the revocation."""
    from apikeys import keys
    from apikeys.requestpath import verification

    api_key, raw = make_key(acme)
    stale = cache.encode(verification._load_entry(api_key.lookup_id))  # read before the revocation
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_key(actor=Principal.system(acme), api_key=api_key)
    reply = verification._run(api_key.lookup_id, keys.digest(raw), None, (), 1, stale, "")
    assert reply.code == "VALID"  # the racing request itself
    assert store.client().get(cache.entry_key(api_key.lookup_id)) == cache.TOMBSTONE  # SET NX lost
    assert verification.verify(raw).code == "REVOKED"


def test_a_plan_change_reaches_cached_keys(acme, key_client, settings, django_capture_on_commit_callbacks):
    settings.RATELIMIT_PLANS = {"free": "10/60", "standard": "20/60", "enterprise": "30/60"}
    client = key_client(acme)
    assert client.get("/api/v1/keys/")["RateLimit-Policy"] == '"default";q=10;w=60'
    with django_capture_on_commit_callbacks(execute=True):
        acme.plan = "enterprise"
        acme.save()
    assert client.get("/api/v1/keys/")["RateLimit-Policy"] == '"default";q=30;w=60'
