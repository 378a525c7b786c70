"""The embedded default (no REDIS_URL): over HTTP, API calls are limited and metered by the in-process
backend (apikeys/requestpath/inprocess.py) as they are on Redis: the same RateLimit headers, 429
problem+json with Retry-After at the limit, the tenant budget, the cool-off after bad keys, and usage
and last use folded into PostgreSQL by the same flush, which the process runs itself on a request
once USAGE_FLUSH_SECONDS have passed."""

import re
from datetime import UTC, datetime

import pytest
import time_machine
from rest_framework.test import APIClient

from apikeys.models import ApiKey, UsageRecord
from apikeys.requestpath import backends, inprocess, metering, store

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def embedded_default(settings, monkeypatch, redis_client):
    """No Redis for the request path, a clean in-process state, and no flush due at the start.
    (After redis_client, which the key fixtures ask for: nothing here sends it a command.)"""
    settings.APIKEY_REDIS_URL = ""
    inprocess.LIMITER.clear()
    monkeypatch.setattr(metering, "_next_in_process_flush", float("inf"))
    yield
    inprocess.LIMITER.clear()
    store.reset()


def test_the_embedded_default_uses_the_in_process_backend():
    assert backends.backend() is inprocess.LIMITER


def test_headers_and_429_at_the_limit_without_redis(acme, key_client):
    client = key_client(acme, rate_quota=2, rate_window=3600)
    first = client.get("/api/v1/keys/")
    assert first.status_code == 200
    assert first["RateLimit-Policy"] == '"key";q=2;w=3600'
    assert re.fullmatch(r'"key";r=1;t=(1799|1800)', first["RateLimit"])
    assert client.get("/api/v1/keys/").status_code == 200
    refused = client.get("/api/v1/keys/")
    assert refused.status_code == 429
    assert refused["Content-Type"].startswith("application/problem+json")
    assert refused.json()["type"] == "/problems/quota-exceeded"
    assert 1790 <= int(refused["Retry-After"]) <= 1800
    assert re.fullmatch(r'"key";r=0;t=\d+', refused["RateLimit"])


def test_oauth_clients_and_the_tenant_budget_without_redis(acme, token_client, settings):
    settings.RATELIMIT_PLANS = {**settings.RATELIMIT_PLANS, "free": "2/3600"}
    client = token_client(acme)
    assert [client.get("/api/v1/keys/").status_code for _ in range(3)] == [200, 200, 429]
    other = token_client(acme)  # a bucket of its own, but the tenant's budget is spent
    response = other.get("/api/v1/keys/")
    assert response.status_code == 429
    assert response["RateLimit-Policy"] == '"tenant";q=2;w=3600'


def test_bad_keys_cool_the_address_off_without_redis(acme, key_client, settings):
    settings.APIKEY_FAILURES_BEFORE_COOLOFF = 2
    good = key_client(acme)
    address = "203.0.113.40"
    bad = APIClient()
    bad.credentials(HTTP_AUTHORIZATION="Bearer gvk_live_notakeyatall")
    assert bad.get("/api/v1/keys/", REMOTE_ADDR=address).status_code == 401
    cooled = bad.get("/api/v1/keys/", REMOTE_ADDR=address)
    assert cooled.status_code == 429 and cooled.json()["type"] == "/problems/too-many-failures"
    assert 1 <= int(cooled["Retry-After"]) <= 300
    assert good.get("/api/v1/keys/", REMOTE_ADDR=address).status_code == 429  # a valid key too
    assert good.get("/api/v1/keys/", REMOTE_ADDR="198.51.100.41").status_code == 200


def test_a_revocation_is_seen_on_the_next_call_without_redis(acme, key_client, django_capture_on_commit_callbacks):
    from apikeys import services
    from tenants.principal import Principal

    client = key_client(acme)
    assert client.get("/api/v1/keys/").status_code == 200  # the entry is cached in the process now
    with django_capture_on_commit_callbacks(execute=True):
        services.revoke_key(actor=Principal.system(acme), api_key=client.api_key)
    assert client.get("/api/v1/keys/").status_code == 401


def test_usage_is_metered_and_flushed_into_usage_records_without_redis(acme, key_client):
    client = key_client(acme, scopes=["keys:read"])
    for _ in range(3):
        assert client.get("/api/v1/keys/").status_code == 200
    assert client.get("/api/v1/usage/").status_code == 403  # counted as 4xx
    assert UsageRecord.objects.for_tenant(acme).count() == 0  # counted in the process, not yet folded

    result = metering.flush_usage()  # what the beat task calls
    assert result.calls == 4
    key = f"key:{client.api_key.lookup_id}"
    rows = {(r.credential, r.operation, r.status_class): r.count for r in UsageRecord.objects.for_tenant(acme)}
    assert rows == {(key, "GET apikey-list", "2xx"): 3, (key, "GET usage", "4xx"): 1}
    assert UsageRecord.objects.for_tenant(acme).get(operation="GET apikey-list").api_key_id == client.api_key.pk
    assert metering.flush_usage().calls == 0  # folded once
    assert metering.fold_last_used() == 1
    assert ApiKey.objects.for_tenant(acme).get(pk=client.api_key.pk).last_used_at is not None


def test_the_process_folds_its_counters_on_a_request_once_the_flush_is_due(acme, key_client, settings, monkeypatch):
    monkeypatch.setattr(metering, "_next_in_process_flush", 0.0)
    client = key_client(acme)
    assert client.get("/api/v1/keys/").status_code == 200  # the first request: nothing to fold yet
    assert client.get("/api/v1/keys/").status_code == 200
    assert UsageRecord.objects.for_tenant(acme).count() == 0  # not due
    with time_machine.travel(datetime.now(UTC).timestamp() + settings.USAGE_FLUSH_SECONDS + 1, tick=False):
        assert client.get("/api/v1/tenant/").status_code == 200  # folds the calls before it first
    assert sum(r.count for r in UsageRecord.objects.for_tenant(acme)) == 2
    assert ApiKey.objects.for_tenant(acme).get(pk=client.api_key.pk).last_used_at is not None


def test_a_failed_fold_keeps_the_counters_for_the_next_one(acme, key_client, monkeypatch):
    client = key_client(acme)
    client.get("/api/v1/keys/")

    def broken(*args, **kwargs):
        raise RuntimeError("database gone")

    with monkeypatch.context() as patch:
        patch.setattr(metering, "_upsert", broken)
        with pytest.raises(RuntimeError):
            metering.flush_usage()
    assert UsageRecord.objects.for_tenant(acme).count() == 0
    assert metering.flush_usage().calls == 1
