"""Versioned peppers (APIKEY_PEPPERS): a key stored under an older pepper keeps working after a
rotation and moves to the current pepper on its next use; the warm path stays free of queries; a
wrong secret moves nothing; `manage.py apikey_peppers` says when the old pepper can go."""

import hmac
import json

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from prometheus_client import REGISTRY

from apikeys import keys, services
from apikeys.models import ApiKey
from apikeys.requestpath import cache, store
from config.settings import INSECURE_DEFAULT_APIKEY_PEPPER, _apikey_peppers
from tenants.principal import Principal
from tests.test_settings import PRODUCTION, manage

OLD, NEW = "old-pepper-" + "o" * 20, "new-pepper-" + "n" * 20


def hmac_hex(pepper: str, raw: str) -> str:
    return hmac.new(pepper.encode(), raw.encode(), "sha256").hexdigest()


@pytest.fixture
def peppers(settings):
    """peppers({version: pepper}, current=None): what APIKEY_PEPPERS / APIKEY_PEPPER_CURRENT say."""

    def configure(configured: dict[int, str], current: int | None = None) -> None:
        settings.APIKEY_PEPPERS = configured
        settings.APIKEY_PEPPER_CURRENT = max(configured) if current is None else current

    configure({1: OLD})
    return configure


def rewrites() -> float:
    return REGISTRY.get_sample_value("console_apikey_pepper_rewrites_total") or 0.0


def report(*args) -> tuple[int, str]:
    """`manage.py apikey_peppers`: (exit status, everything it wrote)."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("apikey_peppers", *args, stdout=out)
    except CommandError as exc:
        return exc.returncode, out.getvalue() + str(exc)
    return 0, out.getvalue()


# --- the setting --------------------------------------------------------------------------------------


def test_peppers_are_read_as_a_list_or_json_with_apikey_pepper_as_version_1():
    assert _apikey_peppers("2:new, 1:old", "") == {2: "new", 1: "old"}
    assert _apikey_peppers('{"2": "new", "1": "old"}', "") == {2: "new", 1: "old"}
    assert _apikey_peppers("2:n:e:w", "old") == {2: "n:e:w", 1: "old"}  # a colon may be part of a pepper
    assert _apikey_peppers("", "old") == {1: "old"}  # the setting of before, unchanged
    assert _apikey_peppers("1:old", "old") == {1: "old"}
    assert _apikey_peppers("", "") == {1: INSECURE_DEFAULT_APIKEY_PEPPER}


@pytest.mark.parametrize(
    "listed",
    ["new", "two:new", "2:", "2:a,2:b", "0:a", '{"2": 5}', '{"2": "a"', "1:other"],
)
def test_a_malformed_pepper_list_stops_start_up(listed):
    with pytest.raises(ImproperlyConfigured, match="APIKEY_PEPPER"):
        _apikey_peppers(listed, "old")


def test_production_refuses_the_development_pepper_and_an_unknown_current_version():
    secure = {k: v for k, v in PRODUCTION.items() if k != "APIKEY_PEPPER"}
    fine = manage("check", **secure, APIKEY_PEPPERS=f"2:{NEW},1:{OLD}")
    assert fine.returncode == 0, fine.stderr
    dev = manage("check", **secure, APIKEY_PEPPERS=f"2:{NEW},1:{INSECURE_DEFAULT_APIKEY_PEPPER}")
    assert dev.returncode != 0 and "APIKEY_PEPPER is the development default" in dev.stderr
    unknown = manage("check", **secure, APIKEY_PEPPERS=f"2:{NEW}", APIKEY_PEPPER_CURRENT="3")
    assert unknown.returncode != 0 and "APIKEY_PEPPER_CURRENT=3 is not a version" in unknown.stderr


# --- the request path ---------------------------------------------------------------------------------


def test_a_key_under_the_old_pepper_works_after_a_rotation_and_moves_on_use(
    acme, key_client, peppers, django_assert_num_queries
):
    client = key_client(acme, scopes=["keys:read"])
    api_key, raw = client.api_key, client.raw_key
    assert (api_key.pepper_version, api_key.digest) == (1, hmac_hex(OLD, raw))
    assert client.get("/api/v1/keys/").status_code == 200  # its entry is cached with the old digest

    peppers({2: NEW, 1: OLD})
    before = rewrites()
    assert client.get("/api/v1/keys/").status_code == 200
    api_key.refresh_from_db()
    assert (api_key.pepper_version, api_key.digest) == (2, hmac_hex(NEW, raw))
    assert rewrites() == before + 1

    # The rewrite tombstoned the cached entry (as every key write does: no fill read before it can
    # be stored for TOMBSTONE_SECONDS). Once that is over, the entry is filled with the new digest and
    # the warm path is back to no query at all.
    assert store.client().get(cache.entry_key(api_key.lookup_id)) == cache.TOMBSTONE
    store.client().delete(cache.entry_key(api_key.lookup_id))  # the tombstone's expiry, without the wait
    assert client.get("/api/v1/usage/").status_code == 403  # (lacks usage:read) fills the entry
    assert json.loads(store.client().get(cache.entry_key(api_key.lookup_id)))["digest"] == hmac_hex(NEW, raw)
    with django_assert_num_queries(0):
        assert client.get("/api/v1/usage/").status_code == 403
    # Moved once: the old pepper is no longer needed for this key.
    peppers({2: NEW})
    assert client.get("/api/v1/keys/").status_code == 200
    assert rewrites() == before + 1


def test_a_new_key_is_made_under_the_current_pepper(acme, make_key, peppers):
    peppers({2: NEW, 1: OLD})
    api_key, raw = make_key(acme)
    assert (api_key.pepper_version, api_key.digest) == (2, hmac_hex(NEW, raw))


def test_a_wrong_secret_for_a_key_under_the_old_pepper_moves_nothing(acme, make_key, peppers):
    api_key, _raw = make_key(acme)
    forged, _ = keys.generate(api_key.environment, lookup_id=api_key.lookup_id)  # well formed, wrong secret
    peppers({2: NEW, 1: OLD})
    response = key_request(forged)
    assert response.status_code == 401
    api_key.refresh_from_db()
    assert api_key.pepper_version == 1 and api_key.digest == hmac_hex(OLD, _raw)


def test_a_key_under_a_pepper_taken_away_no_longer_authenticates(acme, make_key, peppers):
    _api_key, raw = make_key(acme)
    peppers({2: NEW})  # version 1 removed before this key moved
    assert key_request(raw).status_code == 401
    status, text = report()
    assert status == 2 and "version 1: 1 (NOT CONFIGURED" in text


def test_during_a_deploy_a_task_on_the_lower_version_accepts_newer_digests_and_leaves_them(acme, make_key, peppers):
    """APIKEY_PEPPER_CURRENT raised by a rolling deploy: the tasks not yet replaced know the new
    pepper but still make digests under the old one. They accept a key already moved by a new task,
    and don't move it back (which would have the two kinds of task rewrite it in turn)."""
    peppers({2: NEW, 1: OLD})
    api_key, raw = make_key(acme)
    peppers({2: NEW, 1: OLD}, current=1)
    assert key_request(raw).status_code == 200
    assert key_request(raw).status_code == 200
    api_key.refresh_from_db()
    assert (api_key.pepper_version, api_key.digest) == (2, hmac_hex(NEW, raw))


def test_without_redis_a_key_under_the_old_pepper_moves_too(acme, make_key, peppers, settings):
    api_key, raw = make_key(acme)
    peppers({2: NEW, 1: OLD})
    settings.APIKEY_REDIS_URL = ""
    try:
        assert key_request(raw).status_code == 200
    finally:
        store.reset()
    api_key.refresh_from_db()
    assert api_key.pepper_version == 2


def test_a_leak_report_finds_a_key_under_the_old_pepper(acme, make_key, peppers):
    api_key, raw = make_key(acme)
    peppers({2: NEW, 1: OLD})
    assert services.report_leaks(strings=[f"leaked: {raw}"])["matched"] == 1
    api_key.refresh_from_db()
    assert api_key.revoked_reason == ApiKey.RevokedReason.LEAKED


def key_request(raw: str):
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client.get("/api/v1/keys/")


# --- the report -----------------------------------------------------------------------------------------


def test_the_report_counts_keys_per_version_until_every_usable_one_moved(acme, globex, make_key, peppers):
    _a, raw_a = make_key(acme)
    _g, raw_g = make_key(globex)
    revoked, _ = make_key(acme)
    services.revoke_key(actor=Principal.system(acme), api_key=revoked)
    assert report() == (0, report()[1]) and "version 1: 2 (current)" in report()[1]

    peppers({2: NEW, 1: OLD})
    status, text = report("--by-tenant")
    assert status == 1
    assert "version 1  acme: 1 (moves to the current pepper on its next use)" in text
    assert "version 1  globex: 1" in text
    assert "2 usable key(s) are still under older peppers" in text

    assert key_request(raw_a).status_code == 200
    status, text = report()
    assert status == 1 and "version 2: 1 (current)" in text and "version 1: 1 (moves" in text
    assert key_request(raw_g).status_code == 200
    status, text = report()
    # The revoked key never authenticates again, so it never moves; it doesn't hold the rotation back.
    assert status == 0 and "version 2: 2 (current)" in text
    assert "Revoked or expired keys under other peppers: 1" in text
    assert "Every usable key is under the current pepper (version 2)." in text
