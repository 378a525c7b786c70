"""The tenant's rate budget: members may only lower a key's limit (API, portal), staff raise it (the
admin); every key, OAuth client and session of a tenant draws from one tenant-wide GCRA bucket,
checked in the same script call as the credential's own; a refusal charges neither bucket; the
headers report the tighter one; the gateway verify endpoint takes the same decision."""

import re

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from rest_framework.test import APIClient

from apikeys import services
from apikeys.models import ApiKey
from apikeys.requestpath import ratelimit, store
from apikeys.requestpath import verification as v
from tenants.models import AuditEvent, Tenant
from tenants.principal import Principal
from tests.apikeys.redis_monitor import client_commands
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def small_plan(settings, text):
    settings.RATELIMIT_PLANS = {**settings.RATELIMIT_PLANS, "free": text}


def codes(client, n, path="/api/v1/keys/"):
    return [client.get(path).status_code for _ in range(n)]


def key_tat(api_key):
    return store.client().get(ratelimit.key_bucket_prefix() + str(api_key.pk))


def budget_tat(tenant):
    return store.client().get(ratelimit.budget_bucket_prefix() + str(tenant.pk))


@pytest.fixture
def staff_user(db):
    return UserFactory(email="ops@console.test", is_staff=True, is_superuser=True)


@pytest.fixture
def staff_client(staff_user):
    client = Client()
    client.force_login(staff_user)
    return client


# --- members may only lower a key's limit ---------------------------------------------------------


@pytest.mark.parametrize(
    "quota,window",
    [
        (100000000, 1),  # the report: far above the plan (100 per 60s)
        (101, 60),  # a bigger burst and a faster rate
        (200, 3600),  # a slower rate, but a burst above the plan's
        (50, 10),  # a smaller burst, but a faster rate (5/s against 1.67/s)
    ],
)
def test_a_member_cannot_raise_a_key_above_the_plan_through_the_api(acme, owner, session_client, quota, window):
    response = session_client(owner).post(
        "/api/v1/keys/", {"name": "x", "rate_quota": quota, "rate_window": window}, format="json"
    )
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"] == "/problems/validation-error"
    assert "at most 100 requests per 60s" in body["errors"]["rate_quota"][0]
    assert not ApiKey.objects.across_tenants().exists()


def test_a_key_cannot_raise_a_key_either(acme, key_client):
    client = key_client(acme, scopes=["keys:read", "keys:write"])
    response = client.post("/api/v1/keys/", {"name": "x", "rate_quota": 1000, "rate_window": 60}, format="json")
    assert response.status_code == 400 and "rate_quota" in response.json()["errors"]


def test_a_member_cannot_raise_a_key_by_update(acme, owner, make_key):
    api_key, _ = make_key(acme, rate_quota=10, rate_window=60)
    actor = Principal.for_member(owner, acme, "owner")
    with pytest.raises(ValidationError) as refused:
        services.update_key(actor=actor, api_key=api_key, rate_quota=1000)
    assert "rate_quota" in refused.value.message_dict
    api_key.refresh_from_db()
    assert api_key.rate_quota == 10
    services.update_key(actor=actor, api_key=api_key, rate_quota=100)  # up to the plan is fine
    api_key.refresh_from_db()
    assert (api_key.rate_quota, api_key.rate_window) == (100, 60)


def test_a_lower_limit_is_accepted_and_enforced(acme, owner, session_client):
    response = session_client(owner).post(
        "/api/v1/keys/", {"name": "slow", "scopes": ["keys:read"], "rate_quota": 2, "rate_window": 3600}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["rate_policy"] == {"name": "key", "quota": 2, "window": 3600}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {response.json()['key']}")
    first = client.get("/api/v1/keys/")
    assert first.status_code == 200 and first["RateLimit-Policy"] == '"key";q=2;w=3600'
    assert codes(client, 2) == [200, 429]


def test_the_portal_form_refuses_a_raise_and_accepts_a_lower_limit(acme, owner):
    page = Client()
    page.force_login(owner)
    response = page.post(
        "/portal/keys/new/", {"name": "fast", "environment": "live", "rate_quota": "100000000", "rate_window": "1"}
    )
    assert response.status_code == 200
    assert "Your plan allows at most 100 requests per 60s" in response.content.decode()
    assert not ApiKey.objects.across_tenants().exists()
    response = page.post(
        "/portal/keys/new/", {"name": "slow", "environment": "live", "rate_quota": "5", "rate_window": "60"}
    )
    assert response.status_code == 200 and re.search(r'value="(gvk_live_[^"]+)"', response.content.decode())
    api_key = ApiKey.objects.across_tenants().get(name="slow")
    assert (api_key.rate_quota, api_key.rate_window) == (5, 60)


def test_a_staff_budget_above_the_plan_lets_members_go_up_to_it(acme, make_key):
    Tenant.objects.filter(pk=acme.pk).update(rate_quota=1000, rate_window=60)
    acme.refresh_from_db()
    api_key, _ = make_key(acme, rate_quota=1000, rate_window=60)
    assert api_key.rate_quota == 1000
    with pytest.raises(ValidationError):
        make_key(acme, rate_quota=1001, rate_window=60)


# --- staff raise a key in the admin ---------------------------------------------------------------


def test_staff_raise_a_key_in_the_admin_and_it_is_audited(
    acme, make_key, staff_client, staff_user, django_capture_on_commit_callbacks
):
    api_key, raw = make_key(acme, rate_quota=5, rate_window=60)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert client.get("/api/v1/keys/")["RateLimit-Policy"] == '"key";q=5;w=60'
    url = f"/admin/apikeys/apikey/{api_key.pk}/change/"
    form = staff_client.get(url).content.decode()
    assert 'name="rate_quota"' in form and 'name="rate_window"' in form
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"rate_quota": "5000", "rate_window": "60"})
    assert response.status_code == 302, response.content.decode()
    api_key.refresh_from_db()
    assert (api_key.rate_quota, api_key.rate_window) == (5000, 60)
    event = AuditEvent.objects.across_tenants().get(action="api_key.updated", target_id=str(api_key.pk))
    assert event.actor == staff_user and event.tenant_id == acme.pk
    assert event.changes == {"rate_quota": [5, 5000]}
    # The next request has the new key limit; the tenant's budget (the plan: 100 per 60s) is now the
    # tighter of the two, and the headers say so.
    response = client.get("/api/v1/keys/")
    assert response.status_code == 200
    assert response["RateLimit-Policy"] == '"tenant";q=100;w=60'


def test_the_admin_asks_for_both_quota_and_window(acme, make_key, staff_client):
    api_key, _ = make_key(acme)
    response = staff_client.post(
        f"/admin/apikeys/apikey/{api_key.pk}/change/", {"rate_quota": "500", "rate_window": ""}
    )
    assert response.status_code == 200 and "Give both a quota and a window" in response.content.decode()
    api_key.refresh_from_db()
    assert api_key.rate_quota is None


def test_a_revoked_keys_limit_is_read_only_in_the_admin(acme, make_key, staff_client):
    api_key, _ = make_key(acme)
    services.revoke_key(actor=Principal.system(acme), api_key=api_key)
    form = staff_client.get(f"/admin/apikeys/apikey/{api_key.pk}/change/").content.decode()
    assert 'name="rate_quota"' not in form


# --- one budget for the whole tenant --------------------------------------------------------------


def test_three_keys_together_get_exactly_the_plans_quota(acme, globex, key_client, settings):
    small_plan(settings, "5/3600")
    clients = [key_client(acme) for _ in range(3)]
    results = [c.get("/api/v1/keys/").status_code for _ in range(3) for c in clients]
    assert results.count(200) == 5 and results.count(429) == 4
    assert results[:5] == [200] * 5  # in order: the budget runs out, then every key is refused
    assert key_client(globex).get("/api/v1/keys/").status_code == 200  # another tenant's budget


def test_keys_oauth_clients_and_sessions_share_the_budget(
    acme, owner, key_client, token_client, session_client, settings
):
    small_plan(settings, "4/3600")
    key, token, session = key_client(acme), token_client(acme), session_client(owner)
    assert [c.get("/api/v1/keys/").status_code for c in (key, token, session, key)] == [200] * 4
    for client in (key, token, session):
        response = client.get("/api/v1/keys/")
        assert response.status_code == 429
        assert response["RateLimit-Policy"] == '"tenant";q=4;w=3600'
        assert "tenant's rate limit" in response.json()["detail"]


def test_a_refusal_by_the_key_charges_neither_bucket(acme, key_client, settings):
    small_plan(settings, "3/3600")
    limited = key_client(acme, rate_quota=1, rate_window=3600)
    other = key_client(acme)
    assert limited.get("/api/v1/keys/").status_code == 200
    tenant_before, key_before = budget_tat(acme), key_tat(limited.api_key)
    response = limited.get("/api/v1/keys/")
    assert response.status_code == 429 and response["RateLimit-Policy"] == '"key";q=1;w=3600'
    assert (budget_tat(acme), key_tat(limited.api_key)) == (tenant_before, key_before)
    assert codes(other, 3) == [200, 200, 429]  # the budget's 2 left, untouched by the refusal


def test_a_refusal_by_the_budget_charges_neither_bucket(acme, key_client, settings):
    small_plan(settings, "2/3600")
    first, second = key_client(acme), key_client(acme)
    assert codes(first, 2) == [200, 200]
    tenant_before = budget_tat(acme)
    response = second.get("/api/v1/keys/")
    assert response.status_code == 429 and response["RateLimit-Policy"] == '"tenant";q=2;w=3600'
    assert budget_tat(acme) == tenant_before
    assert key_tat(second.api_key) is None  # its own bucket was never charged
    assert 1790 <= int(response["Retry-After"]) <= 1800


def test_the_headers_report_the_tighter_bucket(acme, key_client, settings):
    small_plan(settings, "10/60")
    first, second = key_client(acme), key_client(acme)
    codes(first, 3)
    # second: its own bucket has 9 left after this call, the tenant's 6: the tenant's is reported.
    response = second.get("/api/v1/keys/")
    assert response["RateLimit-Policy"] == '"tenant";q=10;w=60'
    assert re.fullmatch(r'"tenant";r=6;t=2[34]', response["RateLimit"])
    # A key limited below the rest of the budget: its own bucket is the tighter one.
    slow = key_client(acme, rate_quota=2, rate_window=60)
    response = slow.get("/api/v1/keys/")
    assert response["RateLimit-Policy"] == '"key";q=2;w=60'
    assert re.fullmatch(r'"key";r=1;t=3[01]', response["RateLimit"])


def test_a_staff_set_budget_takes_effect_on_the_next_request(
    acme, key_client, token_client, staff_client, staff_user, django_capture_on_commit_callbacks
):
    key, token = key_client(acme), token_client(acme)
    assert key.get("/api/v1/keys/")["RateLimit-Policy"] == '"default";q=100;w=60'
    inline = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(
            f"/admin/tenants/tenant/{acme.pk}/change/",
            {"name": acme.name, "plan": acme.plan, "rate_quota": "3", "rate_window": "3600", **inline},
        )
    assert response.status_code == 302, response.content.decode()
    acme.refresh_from_db()
    assert (acme.rate_quota, acme.rate_window) == (3, 3600)
    event = AuditEvent.objects.across_tenants().filter(action="tenant.updated", tenant=acme).get()
    assert event.actor == staff_user and event.changes == {"rate_quota": [None, 3], "rate_window": [None, 3600]}
    response = key.get("/api/v1/keys/")  # the cached entry was dropped on commit
    assert response.status_code == 200 and response["RateLimit-Policy"] == '"tenant";q=3;w=3600'
    assert token.get("/api/v1/keys/")["RateLimit-Policy"] == '"tenant";q=3;w=3600'
    assert key.get("/api/v1/keys/").status_code == 429


def test_the_tenant_admin_asks_for_both_quota_and_window(acme, staff_client):
    inline = {"memberships-TOTAL_FORMS": "0", "memberships-INITIAL_FORMS": "0"}
    response = staff_client.post(
        f"/admin/tenants/tenant/{acme.pk}/change/",
        {"name": acme.name, "plan": acme.plan, "rate_quota": "3", "rate_window": "", **inline},
    )
    assert response.status_code == 200 and "Give both a quota and a window" in response.content.decode()
    acme.refresh_from_db()
    assert acme.rate_quota is None


# --- the gateway verify endpoint takes the same decision ------------------------------------------


@pytest.fixture
def gateway(globex, token_client):
    return token_client(globex, scopes=["keys:verify"], gateway=True)


def verify(gateway, raw, **body):
    response = gateway.post("/api/v1/keys/verify/", {"key": raw, **body}, format="json")
    assert response.status_code == 200, response.content
    return response.json()


def test_verify_draws_from_the_same_tenant_budget(acme, make_key, gateway, settings):
    small_plan(settings, "3/3600")
    (_first, first_raw), (second, second_raw) = make_key(acme), make_key(acme)
    assert verify(gateway, first_raw)["ratelimit"] == {"limit": 3, "remaining": 2, "reset": 1200}
    # The second key's own bucket is full, the tenant's has 1 left after this call: that is reported.
    assert verify(gateway, second_raw)["ratelimit"] == {"limit": 3, "remaining": 1, "reset": 2400}
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {first_raw}")
    assert client.get("/api/v1/keys/").status_code == 200  # the API request takes the last one
    answer = verify(gateway, second_raw)
    assert answer["code"] == "RATE_LIMITED" and answer["valid"] is False
    assert answer["ratelimit"]["remaining"] == 0 and 1190 <= answer["ratelimit"]["retry_after"] <= 1200
    assert key_tat(second) is not None and v.verify(second_raw).code == "RATE_LIMITED"


# --- still one Redis round trip per request --------------------------------------------------------


def test_one_round_trip_per_request_with_two_buckets(acme, key_client, token_client, request_path_redis):
    key, token = key_client(acme), token_client(acme)
    key.get("/api/v1/keys/")  # warm: the key's entry is cached
    token.get("/api/v1/keys/")
    commands = client_commands(request_path_redis, lambda: (codes(key, 5), codes(token, 5)))
    assert commands == ["EVALSHA"] * 10
