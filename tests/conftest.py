"""Shared fixtures: two tenants (acme, globex), one person per role, and clients that call the API
as a session, as an OAuth token, or as nobody.

Three people matter in almost every test, as in healthchecks' base test case: an owner, a member of
lower role, and an outsider from another tenant.
"""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from tenants.roles import Role
from tests.factories import ApplicationFactory, MembershipFactory, TenantFactory, UserFactory, issue_token


def pytest_collection_finish(session):
    """The suite runs on PostgreSQL and a real Redis, never on stand-ins: refuse to run otherwise
    (`make test` finds or starts both; see tools/test_services.py). Only the OpenAPI engine's tests,
    pure Python, may run alone without them."""
    if all("tests/openapi/" in item.nodeid for item in session.items):
        return
    engine = settings.DATABASES["default"]["ENGINE"]
    missing = []
    if "postgresql" not in engine:
        missing.append(f"DATABASE_URL must point at PostgreSQL (the engine is {engine})")
    if not settings.REDIS_URL:
        missing.append("REDIS_URL must point at a Redis server")
    if missing:
        pytest.exit("; ".join(missing) + ". Run the suite with `make test`.", returncode=4)


ALL_SCOPES = [
    "tenant:read",
    "tenant:write",
    "members:read",
    "members:write",
    "clients:read",
    "clients:write",
    "audit:read",
    "keys:read",
    "keys:write",
    "usage:read",
    "catalog:read",
    "deprecations:read",
    "deprecations:write",
    "webhooks:read",
    "webhooks:write",
    "governance:write",
]


@pytest.fixture
def acme(db):
    return TenantFactory(slug="acme", name="Acme")


@pytest.fixture
def globex(db):
    return TenantFactory(slug="globex", name="Globex")


def _member(tenant, email, role):
    return MembershipFactory(tenant=tenant, user=UserFactory(email=email), role=role).user


@pytest.fixture
def owner(acme):
    return _member(acme, "alice@acme.test", Role.OWNER)


@pytest.fixture
def admin_member(acme):
    return _member(acme, "adam@acme.test", Role.ADMIN)


@pytest.fixture
def developer(acme):
    return _member(acme, "bob@acme.test", Role.DEVELOPER)


@pytest.fixture
def viewer(acme):
    return _member(acme, "victor@acme.test", Role.VIEWER)


@pytest.fixture
def outsider(globex):
    return _member(globex, "carol@globex.test", Role.OWNER)


@pytest.fixture
def anon_client():
    return APIClient()


@pytest.fixture
def session_client():
    """session_client(user) -> an APIClient signed in as `user` (current tenant: their first)."""

    def make(user):
        client = APIClient()
        client.force_login(user)
        return client

    return make


@pytest.fixture
def token_client():
    """token_client(tenant, scopes, user=None) -> an APIClient with a bearer token of a fresh client
    of `tenant` carrying `scopes` (a person's token when `user` is given)."""

    def make(tenant, scopes=ALL_SCOPES, user=None, gateway=False):
        app = ApplicationFactory(tenant=tenant, allowed_scopes=list(scopes), is_gateway=gateway)
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token(app, scopes, user=user)}")
        client.application = app
        return client

    return make


@pytest.fixture(autouse=True)
def fresh_lifecycle_table():
    """The enforcement table of catalogued versions is cached (Django cache + a per-process copy)
    and invalidated by signals on commit; a test's rolled-back catalog rows send none, so start and
    end every test with an empty table."""
    from governance import enforcement

    enforcement.invalidate()
    yield
    enforcement.invalidate()


@pytest.fixture(autouse=True)
def request_path_redis(settings):
    """Each test gets its own Redis key prefix for the request path (key cache, rate-limit buckets,
    usage counters), so tests never share a quota or a counter; its keys are deleted afterwards."""
    import uuid

    from apikeys.requestpath import store

    settings.APIKEY_REDIS_PREFIX = f"test:{uuid.uuid4().hex[:12]}:"
    yield settings.APIKEY_REDIS_PREFIX
    if store.enabled():
        try:
            client = store.client()
            stale = list(client.scan_iter(match=settings.APIKEY_REDIS_PREFIX + "*", count=1000))
            if stale:
                client.delete(*stale)
        except store.RedisError:
            pass


@pytest.fixture(autouse=True)
def signin_abuse_counters(settings):
    """The password-reset and invitation throttles count per client address in the cache, and every
    test client is 127.0.0.1: give each test counters of its own (they expire by themselves). The
    sign-in lockouts (axes) are database rows, rolled back with the test."""
    import uuid

    settings.SIGNIN_ABUSE_KEY_PREFIX = f"test:{uuid.uuid4().hex[:12]}:signin-abuse:"
    return settings.SIGNIN_ABUSE_KEY_PREFIX


def pytest_terminal_summary(terminalreporter):
    """Print the figures tests recorded with record_property("summary_line", ...) (e.g. the oasdiff
    conformance agreement) at the end of the run, whichever xdist worker ran them."""
    lines = [
        value
        for report in terminalreporter.stats.get("passed", []) + terminalreporter.stats.get("failed", [])
        if report.when == "call"
        for name, value in getattr(report, "user_properties", [])
        if name == "summary_line"
    ]
    if lines:
        terminalreporter.section("figures")
        for line in lines:
            terminalreporter.write_line(line)
