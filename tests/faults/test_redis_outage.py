"""Redis dies under load and comes back: API-key requests to a real gunicorn never get a 5xx while it
is gone (fail-open: served without a rate limit, each such request counted and logged), and when it
returns rate limits and metering work again. The usage lost is exactly what the README documents:
the calls counted in Redis since the last flush (a Redis without persistence restarts empty) and
the calls served while it was gone (console_usage_metering_lost_total counts those).

gunicorn (2 workers, DEBUG off) runs on this test's database and on a redis-server of its own, which
serves it as cache, broker and request-path store, as one Redis does in production.
"""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db.models import Sum

from apikeys import services
from apikeys.models import UsageRecord
from apikeys.requestpath import metering
from tenants.models import Tenant
from tenants.principal import Principal
from tests.factories import TenantFactory
from tests.faults.processes import Answer, Gunicorn, console_env, request, wait_until

pytestmark = pytest.mark.django_db(transaction=True)

ENDPOINT = "/api/v1/tenant/"
KEY_QUOTA = 20  # the second key's own limit, per hour: nothing refills during the test
LOAD_THREADS = 4
CALLS_AFTER_THE_KILL = 40


@pytest.fixture
def web(settings, redis_server, shared_secrets, test_database_url, tmp_path):
    settings.APIKEY_REDIS_URL = redis_server.url()  # this process issues keys and flushes usage there
    env = console_env(
        database_url=test_database_url,
        redis_url=redis_server.url(),
        APIKEY_REDIS_PREFIX=settings.APIKEY_REDIS_PREFIX,
        **shared_secrets,
    )
    server = Gunicorn(env, tmp_path).start()
    yield server
    server.stop()


def call(web, raw_key: str) -> Answer:
    return request(web.base + ENDPOINT, headers={"X-API-Key": raw_key}, timeout=20)


def metered_calls(tenant) -> int:
    return UsageRecord.objects.across_tenants().filter(tenant=tenant).aggregate(n=Sum("count"))["n"] or 0


def test_requests_are_served_while_redis_is_down_and_limits_and_metering_come_back(web, redis_server):
    tenant = TenantFactory(slug="acme", plan=Tenant.Plan.ENTERPRISE)
    system = Principal.system(tenant)
    _, busy = services.create_key(actor=system, name="busy", scopes=["tenant:read"])
    _, limited = services.create_key(
        actor=system, name="limited", scopes=["tenant:read"], rate_quota=KEY_QUOTA, rate_window=3600
    )

    # 1. Redis up: 10 calls, folded into PostgreSQL; 5 more, counted in Redis only.
    for _ in range(10):
        answer = call(web, busy)
        assert answer.status == 200 and "RateLimit" in answer.headers, answer
    assert metering.flush_usage().calls == 10
    for _ in range(5):
        assert call(web, busy).status == 200

    # 2. Under load, Redis is killed; the load goes on until 40 calls have started after it died.
    answers: list[tuple[float, Answer]] = []  # (start, answer)
    stop = threading.Event()

    def load():
        while not stop.is_set():
            started = time.monotonic()
            answers.append((started, call(web, busy)))

    with ThreadPoolExecutor(LOAD_THREADS) as pool:
        for _ in range(LOAD_THREADS):
            pool.submit(load)
        wait_until(lambda: len(answers) >= 20, 30, "the load to run")
        redis_server.kill()
        died = time.monotonic()
        readiness = request(web.base + "/readyz")
        wait_until(
            lambda: sum(1 for started, _ in answers if started > died) >= CALLS_AFTER_THE_KILL,
            60,
            "calls while Redis is down",
        )
        stop.set()

    assert [a.status for _, a in answers if a.status >= 500] == []
    assert {a.status for _, a in answers} == {200}
    after_the_kill = [a for started, a in answers if started > died]
    assert all("RateLimit" not in a.headers for a in after_the_kill)  # served without a decision
    served_open = sum(1 for _, a in answers if "RateLimit" not in a.headers)
    assert served_open >= CALLS_AFTER_THE_KILL
    assert readiness.status == 503 and "redis" in readiness.json()["failing"], readiness

    # Each call served without Redis is counted (summed across the gunicorn workers) and logged.
    assert web.metric("console_ratelimit_fail_open_total") == served_open
    assert web.metric("console_usage_metering_lost_total") == served_open
    assert web.metric("console_requestpath_redis_failures_total") == served_open
    assert web.process.read_log().count("rate limit skipped (fail-open)") == served_open

    # 3. Redis comes back (empty: no persistence). Limits and metering work again at once.
    redis_server.start()
    for _ in range(5):
        answer = call(web, busy)
        assert answer.status == 200 and "RateLimit" in answer.headers, answer
    statuses = []
    for _ in range(KEY_QUOTA + 3):
        answer = call(web, limited)
        statuses.append(answer.status)
        if answer.status == 200:
            assert answer.headers["RateLimit-Policy"] == f'"key";q={KEY_QUOTA};w=3600'
        else:
            assert answer.headers["Content-Type"] == "application/problem+json"
            assert answer.json()["type"] == "/problems/quota-exceeded" and int(answer.headers["Retry-After"]) > 0
    assert statuses == [200] * KEY_QUOTA + [429] * 3
    assert wait_until(lambda: request(web.base + "/readyz").status == 200, 20, "/readyz to recover")

    # Metered: the 10 flushed before, and the 5 + 23 calls after; lost: the 5 counted in Redis
    # when it died, and every call of the outage (the metric above counts those served without it).
    assert metering.flush_usage().calls == 5 + KEY_QUOTA + 3
    assert metered_calls(tenant) == 10 + 5 + KEY_QUOTA + 3
