"""Usage metering: every authenticated call counted by its dimensions, folded into PostgreSQL with
an upsert, and a flush killed half-way loses and double-counts nothing."""

import signal
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.db.models import Sum

from apikeys.models import ApiKey, UsageFlush, UsageRecord
from apikeys.requestpath import metering, store

ROOT = Path(__file__).resolve().parents[2]


def total(**filters) -> int:
    return UsageRecord.objects.across_tenants().filter(**filters).aggregate(n=Sum("count"))["n"] or 0


def flush_keys() -> list:
    return list(store.client().scan_iter(match=metering.flush_prefix() + "*"))


@pytest.mark.django_db
def test_each_call_is_counted_by_credential_version_operation_and_status(acme, key_client, token_client):
    client = key_client(acme, scopes=["keys:read"])
    for _ in range(3):
        assert client.get("/api/v1/keys/").status_code == 200
    assert client.get(f"/api/v1/keys/{client.api_key.pk}/").status_code == 200
    assert client.get("/api/v1/usage/").status_code == 403
    oauth = token_client(acme)
    assert oauth.get("/api/v1/keys/").status_code == 200
    result = metering.flush_usage()
    assert result.calls == 6
    rows = {
        (r.credential, r.api, r.version, r.operation, r.status_class): r.count
        for r in UsageRecord.objects.for_tenant(acme)
    }
    key = f"key:{client.api_key.lookup_id}"
    assert rows == {
        (key, "console", "v1", "GET apikey-list", "2xx"): 3,
        (key, "console", "v1", "GET apikey-detail", "2xx"): 1,
        (key, "console", "v1", "GET usage", "4xx"): 1,
        (f"oauth:{oauth.application.client_id}", "console", "v1", "GET apikey-list", "2xx"): 1,
    }
    record = UsageRecord.objects.across_tenants().get(credential=key, operation="GET apikey-list")
    assert record.api_key_id == client.api_key.pk
    assert record.hour == datetime.now(UTC).replace(minute=0, second=0, microsecond=0)


@pytest.mark.django_db
def test_unauthenticated_calls_are_not_counted(acme, anon_client):
    assert anon_client.get("/api/v1/keys/").status_code == 401
    assert metering.flush_usage().calls == 0


@pytest.mark.django_db
def test_flushes_add_up(acme, key_client):
    client = key_client(acme)
    for _ in range(2):
        client.get("/api/v1/keys/")
    metering.flush_usage()
    for _ in range(3):
        client.get("/api/v1/keys/")
    metering.flush_usage()
    assert total(tenant=acme) == 5
    assert metering.flush_usage().calls == 0  # nothing new: nothing added
    assert total(tenant=acme) == 5
    assert UsageFlush.objects.count() == 2 and flush_keys() == []


@pytest.mark.django_db
def test_a_redis_failure_while_counting_never_fails_the_call(acme, key_client, settings):
    client = key_client(acme)
    from apikeys.requestpath import metrics

    before = metrics.value("metering.lost")
    settings.APIKEY_REDIS_URL = "redis://127.0.0.1:1/0"
    try:
        assert client.get("/api/v1/keys/").status_code == 200
    finally:
        store.reset()
    assert metrics.value("metering.lost") == before + 1


@pytest.mark.django_db
def test_last_used_is_folded_from_redis_not_written_per_request(acme, key_client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = key_client(acme)
    client.get("/api/v1/keys/")  # cold: fills the cache
    with CaptureQueriesContext(connection) as queries:
        client.get("/api/v1/keys/")
    assert [q["sql"] for q in queries if not q["sql"].startswith("SELECT")] == []
    assert ApiKey.objects.across_tenants().get(pk=client.api_key.pk).last_used_at is None
    assert metering.fold_last_used() == 1
    used = ApiKey.objects.across_tenants().get(pk=client.api_key.pk).last_used_at
    assert used is not None and abs((datetime.now(UTC) - used).total_seconds()) < 60
    assert metering.fold_last_used() == 0


# --- Crash safety: a real process killed mid-flush --------------------------------------------

FLUSHER = """
import os, signal, sys, django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from apikeys.requestpath import metering
stage = sys.argv[1]

def hook(reached):
    if reached == stage:
        os.kill(os.getpid(), signal.SIGKILL)

print(metering.flush_usage(hook=hook))
"""


def flush_in_a_process_killed_at(stage: str, env) -> int:
    child = subprocess.run(
        [sys.executable, "-c", FLUSHER, stage], cwd=ROOT, env=env, timeout=120, capture_output=True, text=True
    )
    return child.returncode


def calls(client, n):
    for _ in range(n):
        assert client.get("/api/v1/keys/").status_code == 200


@pytest.mark.django_db(transaction=True)
def test_a_flush_killed_after_the_commit_is_not_counted_twice(acme, key_client, child_env):
    client = key_client(acme)  # the plan's 100 per minute is plenty
    calls(client, 7)
    assert flush_in_a_process_killed_at("after_commit", child_env) == -signal.SIGKILL
    assert total(tenant=acme) == 7  # committed...
    assert len(flush_keys()) == 1  # ...but the flush key was never deleted
    calls(client, 3)
    result = metering.flush_usage()
    assert result.skipped == 1 and result.calls == 3
    assert total(tenant=acme) == 10
    assert flush_keys() == []


@pytest.mark.django_db(transaction=True)
def test_a_flush_killed_before_the_commit_loses_nothing(acme, key_client, child_env):
    client = key_client(acme)  # the plan's 100 per minute is plenty
    calls(client, 5)
    assert flush_in_a_process_killed_at("before_commit", child_env) == -signal.SIGKILL
    assert total(tenant=acme) == 0  # rolled back with the dead connection
    assert len(flush_keys()) == 1
    calls(client, 2)
    result = metering.flush_usage()
    assert result.skipped == 0 and result.calls == 7 and result.flush_keys == 2
    assert total(tenant=acme) == 7
    # And a normal flush in a process, for good measure: nothing new, nothing added.
    assert flush_in_a_process_killed_at("never", child_env) == 0
    assert total(tenant=acme) == 7


@pytest.mark.django_db(transaction=True)
def test_two_kills_in_a_row_then_a_flush(acme, key_client, child_env):
    client = key_client(acme)  # the plan's 100 per minute is plenty
    calls(client, 4)
    assert flush_in_a_process_killed_at("before_commit", child_env) == -signal.SIGKILL
    calls(client, 6)
    assert flush_in_a_process_killed_at("after_commit", child_env) == -signal.SIGKILL
    calls(client, 1)
    metering.flush_usage()
    assert total(tenant=acme) == 11
    assert flush_keys() == []


@pytest.mark.django_db
def test_the_beat_tasks_fold_usage_and_last_use(acme, key_client, settings):
    from apikeys import tasks

    assert "apikeys-flush-usage" in settings.CELERY_BEAT_SCHEDULE
    client = key_client(acme)
    calls(client, 2)
    assert tasks.flush_usage.run()["calls"] == 2
    assert tasks.fold_last_used.run() == 1
    assert total(tenant=acme) == 2
