"""The cool-off of client addresses after repeated bad API keys, through the real API and a real
Redis: the address is refused (429 problem+json, Retry-After) before any key is verified, a valid
key included; another address is unaffected; a valid key still costs one EVALSHA."""

import time

import pytest
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from apikeys import keys
from apikeys.requestpath import cooloff, store
from tests.apikeys.redis_monitor import client_commands

pytestmark = pytest.mark.django_db

N = 3
BLOCKED, OTHER = "203.0.113.7", "198.51.100.9"
PATH = "/api/v1/keys/"
GARBAGE = keys.PREFIX + "garbage"  # presented as an API key, not well-formed


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.APIKEY_FAILURES_BEFORE_COOLOFF = N
    settings.APIKEY_COOLOFF_SECONDS = 300


def wrong_secret(raw: str) -> str:
    """A well-formed key (checksum right) with the real lookup id and a wrong secret."""
    body = raw[: -keys.CHECKSUM_LENGTH]
    position = 25
    body = body[:position] + ("A" if body[position] != "A" else "B") + body[position + 1 :]
    forged = body + keys.checksum(body)
    assert keys.parse(forged) is not None and forged != raw
    return forged


def call(raw, address):
    return APIClient().get(PATH, HTTP_AUTHORIZATION=f"Bearer {raw}", REMOTE_ADDR=address)


def assert_cooled_off(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 300
    body = response.json()
    assert body["type"] == "/problems/too-many-failures" and body["status"] == 429


def test_n_bad_keys_cool_the_address_off_for_every_key(acme, make_key):
    _key, raw = make_key(acme)
    bad = [wrong_secret(raw), "gvk_live_notakeyatall", wrong_secret(make_key(acme)[1])]
    assert [call(b, BLOCKED).status_code for b in bad[: N - 1]] == [401] * (N - 1)
    assert_cooled_off(call(bad[N - 1], BLOCKED))  # the N-th failure starts the cool-off
    assert_cooled_off(call(raw, BLOCKED))  # a valid key from the address is refused too
    assert_cooled_off(call(GARBAGE, BLOCKED))  # refused before the key is even parsed as good
    assert_cooled_off(APIClient().get(PATH, HTTP_X_API_KEY="not even a key", REMOTE_ADDR=BLOCKED))
    assert_cooled_off(APIClient().get(PATH, HTTP_X_API_KEY=raw, REMOTE_ADDR=BLOCKED))
    assert call(raw, OTHER).status_code == 200  # another address is unaffected


def test_a_cooled_off_request_charges_nothing(acme, make_key):
    api_key, raw = make_key(acme)
    for _ in range(N):
        call(GARBAGE, BLOCKED)
    assert_cooled_off(call(raw, BLOCKED))
    assert store.client().hget(store.key("last_used"), str(api_key.pk)) is None


def test_after_the_cool_off_the_valid_key_works(acme, make_key, settings):
    settings.APIKEY_COOLOFF_SECONDS = 1
    _key, raw = make_key(acme)
    for _ in range(N):
        call(wrong_secret(raw), BLOCKED)
    assert_cooled_off(call(raw, BLOCKED))
    time.sleep(1.2)
    assert call(raw, BLOCKED).status_code == 200


def test_deleting_the_flag_ends_the_cool_off(acme, make_key):
    _key, raw = make_key(acme)
    for _ in range(N):
        call(wrong_secret(raw), BLOCKED)
    assert_cooled_off(call(raw, BLOCKED))
    store.client().delete(cooloff.flag_key(cooloff.APIKEY_ADDRESS, BLOCKED))
    assert call(raw, BLOCKED).status_code == 200


def test_failures_are_counted_per_address(acme, make_key):
    _key, raw = make_key(acme)
    for _ in range(N - 1):
        assert call(wrong_secret(raw), BLOCKED).status_code == 401
        assert call(wrong_secret(raw), OTHER).status_code == 401
    assert call(raw, BLOCKED).status_code == 200
    assert call(raw, OTHER).status_code == 200


def test_a_cool_off_start_is_logged_and_counted(acme, make_key, caplog):
    def sample(name, **labels):
        return REGISTRY.get_sample_value(name, labels) or 0.0

    cooloffs = sample("console_auth_cooloffs_total", kind="apikey_address")
    refused = sample("console_auth_attempts_total", method="apikey", result="cooled_off")
    with caplog.at_level("WARNING", logger="apikeys.requestpath.cooloff"):
        for _ in range(N + 2):
            call(GARBAGE, BLOCKED)
    assert sample("console_auth_cooloffs_total", kind="apikey_address") == cooloffs + 1
    assert sample("console_auth_attempts_total", method="apikey", result="cooled_off") == refused + 3
    started = [r for r in caplog.records if getattr(r, "event", "") == "auth_cooloff.started"]
    assert len(started) == 1 and started[0].kind == "apikey_address" and started[0].client_ip == BLOCKED


def test_redis_down_fails_open(acme, make_key, settings):
    _key, raw = make_key(acme)
    settings.APIKEY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        for _ in range(N + 1):
            assert call(GARBAGE, BLOCKED).status_code == 401
        assert call(raw, BLOCKED).status_code == 200  # authenticated from the database
    finally:
        store.reset()


def test_a_valid_key_still_costs_one_evalsha(acme, make_key, request_path_redis):
    _key, raw = make_key(acme)
    assert call(raw, BLOCKED).status_code == 200  # warm: the entry is cached
    call(GARBAGE, BLOCKED)  # one failure on record: the warm path still doesn't read it
    commands = client_commands(request_path_redis, lambda: [call(raw, BLOCKED) for _ in range(5)])
    assert commands == ["EVALSHA"] * 5
