"""Rate limiting: GCRA in one Lua script, standard headers, exact under concurrency, and a dead
Redis never turns into a 500."""

import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.db import connections

from apikeys.requestpath import metrics, ratelimit, store
from apikeys.requestpath import verification as v
from apikeys.requestpath.policies import RatePolicy
from tenants.models import Tenant

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1: connection refused at once


@pytest.fixture
def dead_redis(settings):
    settings.APIKEY_REDIS_URL = DEAD_REDIS
    yield
    store.reset()


def test_headers_follow_the_ratelimit_fields_draft(acme, key_client):
    client = key_client(acme, rate_quota=5, rate_window=60)
    response = client.get("/api/v1/keys/")
    assert response["RateLimit-Policy"] == '"key";q=5;w=60'
    assert re.fullmatch(r'"key";r=4;t=1[12]', response["RateLimit"])
    response = client.get("/api/v1/keys/")
    assert re.fullmatch(r'"key";r=3;t=2[34]', response["RateLimit"])


def test_the_tenant_plan_policy_applies_without_an_override(acme, key_client, settings):
    settings.RATELIMIT_PLANS = {**settings.RATELIMIT_PLANS, "standard": "7/10"}
    Tenant.objects.filter(pk=acme.pk).update(plan="standard")
    acme.refresh_from_db()
    response = key_client(acme).get("/api/v1/keys/")
    assert response["RateLimit-Policy"] == '"default";q=7;w=10'


def test_over_the_limit_is_429_quota_exceeded_with_retry_after(acme, key_client):
    client = key_client(acme, rate_quota=2, rate_window=3600)
    assert [client.get("/api/v1/keys/").status_code for _ in range(2)] == [200, 200]
    response = client.get("/api/v1/keys/")
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/problem+json")
    assert response.json()["type"] == "/problems/quota-exceeded"
    assert 1790 <= int(response["Retry-After"]) <= 1800  # the next slot: window / quota
    assert re.fullmatch(r'"key";r=0;t=\d+', response["RateLimit"])


def test_oauth_clients_are_limited_by_their_tenants_plan(acme, token_client, settings):
    settings.RATELIMIT_PLANS = {**settings.RATELIMIT_PLANS, "free": "3/3600"}
    client = token_client(acme)
    codes = [client.get("/api/v1/keys/").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    other = token_client(acme)  # its own bucket, but the tenant's budget is spent
    response = other.get("/api/v1/keys/")
    assert response.status_code == 429
    assert response["RateLimit-Policy"] == '"tenant";q=3;w=3600'


def test_every_key_has_its_own_bucket(acme, key_client):
    first = key_client(acme, rate_quota=1, rate_window=3600)
    second = key_client(acme, rate_quota=1, rate_window=3600)
    assert first.get("/api/v1/keys/").status_code == 200
    assert first.get("/api/v1/keys/").status_code == 429
    assert second.get("/api/v1/keys/").status_code == 200


def test_gcra_refills_one_slot_per_interval(redis_client):
    bucket = f"refill-{uuid.uuid4().hex}"
    policy = RatePolicy("p", quota=2, window=1)
    decisions = [ratelimit.take(bucket, policy) for _ in range(3)]
    assert [d.allowed for d in decisions] == [True, True, False]
    assert decisions[2].retry_after == 1
    # Move the bucket's clock back by one interval instead of sleeping.
    key = store.key("rl", bucket)
    redis_client.set(key, int(redis_client.get(key)) - 500_000)
    assert ratelimit.take(bucket, policy).allowed
    assert not ratelimit.take(bucket, policy).allowed


def test_a_cost_above_the_quota_is_never_allowed(redis_client):
    decision = ratelimit.take(f"big-{uuid.uuid4().hex}", RatePolicy("p", 3, 60), cost=4)
    assert not decision.allowed and decision.retry_after == -1


def test_concurrent_threads_against_limit_l_allow_exactly_l(acme, key_client):
    limit = 50
    client = key_client(acme, rate_quota=limit, rate_window=3600)
    raw = client.raw_key
    assert v.verify(raw).valid  # warm: from here on no thread needs the database
    store.client().delete(ratelimit.key_bucket_prefix() + str(client.api_key.pk))  # a full quota again

    def hammer(_):
        try:
            return [v.verify(raw).code for _ in range(10)]
        finally:
            connections.close_all()  # a thread that did touch the database must not keep it open

    with ThreadPoolExecutor(max_workers=16) as pool:
        codes = [code for batch in pool.map(hammer, range(16)) for code in batch]
    assert codes.count(v.VALID) == limit
    assert codes.count(v.RATE_LIMITED) == 16 * 10 - limit


CONCURRENT_SCRIPT = """
import os, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from apikeys.requestpath import ratelimit
from apikeys.requestpath.policies import RatePolicy
allowed = sum(ratelimit.take(sys.argv[1], RatePolicy("p", int(sys.argv[2]), 3600)).allowed for _ in range(int(sys.argv[3])))
print(allowed)
"""


def test_concurrent_processes_against_limit_l_allow_exactly_l(redis_client, settings):
    bucket, limit, processes, calls = f"procs-{uuid.uuid4().hex}", 37, 4, 25
    env = {
        "APIKEY_REDIS_URL": settings.APIKEY_REDIS_URL,
        "APIKEY_REDIS_PREFIX": settings.APIKEY_REDIS_PREFIX,
        "PATH": "/usr/bin:/bin",
        "DEBUG": "true",
    }
    children = [
        subprocess.Popen(
            [sys.executable, "-c", CONCURRENT_SCRIPT, bucket, str(limit), str(calls)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(processes)
    ]
    allowed = [int(child.communicate(timeout=120)[0].strip()) for child in children]
    assert sum(allowed) == limit


@pytest.mark.parametrize("fail_open", [True, False])
def test_dead_redis_with_a_key(acme, key_client, settings, fail_open, dead_redis):
    client = key_client(acme)
    settings.RATELIMIT_FAIL_OPEN = fail_open
    before = metrics.value("ratelimit.redis_unavailable")
    response = client.get("/api/v1/keys/")
    if fail_open:
        assert response.status_code == 200, response.content
        assert "RateLimit" not in response
    else:
        assert response.status_code == 503
        assert response.json()["type"] == "/problems/service-unavailable"
    assert metrics.value("ratelimit.redis_unavailable") == before + 1


@pytest.mark.parametrize("fail_open", [True, False])
def test_dead_redis_with_an_oauth_token(acme, token_client, settings, fail_open, dead_redis):
    settings.RATELIMIT_FAIL_OPEN = fail_open
    before = metrics.value("ratelimit.fail_open")
    response = token_client(acme).get("/api/v1/keys/")
    assert response.status_code == (200 if fail_open else 503)
    assert metrics.value("ratelimit.fail_open") == before + (1 if fail_open else 0)


def test_dead_redis_still_refuses_a_revoked_key(acme, key_client, dead_redis, settings):
    from apikeys.models import ApiKey

    client = key_client(acme)
    ApiKey.objects.across_tenants().filter(pk=client.api_key.pk).update(revoked_at="2020-01-01T00:00Z")
    assert client.get("/api/v1/keys/").status_code == 401  # the database answered


# --- The script's own connection (apikeys/requestpath/store.py Script) ------------------------------------------


def test_a_script_redis_has_not_seen_is_loaded_on_first_use(redis_client):
    """NOSCRIPT (after a Redis restart or SCRIPT FLUSH) loads the script and runs it once."""
    source = f"-- {uuid.uuid4().hex}\nreturn redis.call('INCR', KEYS[1])"
    counter = store.key("script-test", uuid.uuid4().hex)
    assert store.Script(source)(keys=[counter], args=[]) == 1
    assert int(redis_client.get(counter)) == 1  # ran once, not once per attempt


def test_a_connection_redis_closed_is_replaced_and_the_call_counted_once(acme, make_key, redis_client):
    api_key, raw = make_key(acme, rate_quota=100, rate_window=3600)
    field = "key:x|console|v1|0|GET test"
    assert v.verify(raw, usage_field=field).valid
    connection = ratelimit.script()._connection()
    connection.send_command("CLIENT", "ID")
    redis_client.client_kill_filter(_id=connection.read_response())  # as a Redis restart would

    result = v.verify(raw, usage_field=field)

    assert result.valid and result.redis_ok
    assert result.decision.remaining == 98  # two calls charged, not three
    assert int(redis_client.hget(store.key("usage", "live"), f"{acme.pk}|{field}|2xx")) == 2
