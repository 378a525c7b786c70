"""The rate limiter's figures, exactly: how long a bucket lives in Redis, and the RateLimit / Retry-After
values, computed here from the GCRA math (apikeys/requestpath/gcra.lua) and the bucket's own clock
(its theoretical arrival time, in microseconds of Redis's clock), never as a range."""

import math

import pytest

from apikeys.requestpath import ratelimit

pytestmark = pytest.mark.django_db

QUOTA, WINDOW = 2, 3600  # 2 requests per hour
INTERVAL_US = math.ceil(WINDOW * 1_000_000 / QUOTA)  # one request's share of the window: 30 minutes
BURST_US = INTERVAL_US * QUOTA


def gcra(tat_us: int, now_us: int) -> dict:
    """What gcra.lua answers for one request of cost 1 on a bucket at `tat_us` at `now_us`."""
    tat = max(tat_us, now_us)
    new_tat = tat + INTERVAL_US
    if new_tat - now_us > BURST_US:
        return {
            "allowed": False,
            "remaining": max(0, (BURST_US - (tat - now_us)) // INTERVAL_US),
            "reset": math.ceil((tat - now_us) / 1_000_000),
            "retry": math.ceil((new_tat - BURST_US - now_us) / 1_000_000),
        }
    return {
        "allowed": True,
        "remaining": (BURST_US - (new_tat - now_us)) // INTERVAL_US,
        "reset": math.ceil((new_tat - now_us) / 1_000_000),
        "retry": 0,
    }


def redis_now_us(redis_client) -> int:
    seconds, micros = redis_client.time()
    return seconds * 1_000_000 + micros


@pytest.fixture
def limited(acme, key_client, redis_client):
    """A 2-per-hour key, its bucket's Redis key, and a reader of (TAT, absolute expiry in ms)."""
    client = key_client(acme, rate_quota=QUOTA, rate_window=WINDOW)
    bucket = ratelimit.key_bucket_prefix() + str(client.api_key.pk)

    def read():
        tat = redis_client.get(bucket)
        return (int(tat) if tat is not None else None), redis_client.pexpiretime(bucket)

    return client, bucket, read


def test_the_bucket_of_a_2_per_hour_key_lives_as_long_as_its_theoretical_arrival_time(limited, redis_client):
    client, bucket, read = limited
    assert read() == (None, -2)  # no bucket yet

    assert client.get("/api/v1/keys/").status_code == 200
    first_tat, first_expiry = read()
    # GCRA: the first request moves an empty bucket from "now" by one interval; the key must
    # outlive that instant (PX = ceil(interval in ms) + 1, from the script's clock), so the bucket
    # can't vanish and hand back the quota early. (±1 ms: Redis's expiry clock is in milliseconds,
    # the script's TIME in microseconds.)
    assert abs(first_expiry - (math.ceil(first_tat / 1000) + 1)) <= 1
    first_call_us = first_tat - INTERVAL_US

    assert client.get("/api/v1/keys/").status_code == 200
    second_tat, second_expiry = read()
    assert second_tat == first_call_us + 2 * INTERVAL_US  # the whole window is now spent
    assert abs(second_expiry - (math.ceil(second_tat / 1000) + 1)) <= 1
    # Seen from now: the key holds for the rest of the hour, not a few seconds.
    left_ms = redis_client.pttl(bucket)
    elapsed_ms = (redis_now_us(redis_client) - first_call_us) / 1000
    assert abs(left_ms - (WINDOW * 1000 + 1 - elapsed_ms)) <= 2

    refused = client.get("/api/v1/keys/")
    assert refused.status_code == 429
    assert read() == (second_tat, second_expiry)  # a refusal charges nothing and keeps the expiry


def test_ratelimit_and_retry_after_values_are_the_gcra_figures(limited, redis_client):
    client, _bucket, read = limited

    first = client.get("/api/v1/keys/")
    first_tat, _ = read()
    # Time-independent: an empty bucket's first request leaves one slot, whole again in one interval.
    assert first["RateLimit"] == '"key";r=1;t=1800'
    assert first["RateLimit-Policy"] == '"key";q=2;w=3600'

    second = client.get("/api/v1/keys/")
    now = redis_now_us(redis_client)  # the script ran a moment before: the same whole second
    expected = gcra(first_tat, now)
    assert expected["allowed"] and expected["remaining"] == 0
    assert second["RateLimit"] == f'"key";r=0;t={expected["reset"]}'

    second_tat, _ = read()
    third = client.get("/api/v1/keys/")
    expected = gcra(second_tat, redis_now_us(redis_client))
    assert third.status_code == 429 and not expected["allowed"]
    assert third["Retry-After"] == str(expected["retry"])
    assert third["RateLimit"] == f'"key";r=0;t={expected["reset"]}'


def test_the_gcra_figures_of_a_2_per_hour_policy():
    """The model above, pinned on known instants: 10 ms after the first of two requests, the second
    leaves nothing and is whole again in an hour; a third waits half an hour for the next slot."""
    start = 1_700_000_000_000_000
    assert gcra(0, start) == {"allowed": True, "remaining": 1, "reset": 1800, "retry": 0}
    assert gcra(start + INTERVAL_US, start + 10_000) == {"allowed": True, "remaining": 0, "reset": 3600, "retry": 0}
    spent = start + 2 * INTERVAL_US
    assert gcra(spent, start + 20_000) == {"allowed": False, "remaining": 0, "reset": 3600, "retry": 1800}
    # 30 minutes and one second later a slot is free again.
    assert gcra(spent, start + INTERVAL_US + 1_000_000)["allowed"]
