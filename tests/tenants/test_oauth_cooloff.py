"""The cool-off of OAuth client ids after repeated failed client authentications, through the real
/o/ endpoints and a real Redis: the right secret is refused during it, unknown client ids are
treated alike, a success resets the count, a start is audited, logged and counted."""

import base64
import time

import pytest
from django.test import Client
from prometheus_client import REGISTRY

from apikeys.requestpath import cooloff, store
from tenants.models import Application, AuditEvent
from tenants.principal import Principal
from tenants.services import create_oauth_client

pytestmark = pytest.mark.django_db

N = 3


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.OAUTH_CLIENT_FAILURES_BEFORE_COOLOFF = N
    settings.OAUTH_CLIENT_COOLOFF_SECONDS = 300


def _basic(client_id, secret) -> str:
    return "Basic " + base64.b64encode(f"{client_id}:{secret}".encode()).decode()


def _client(tenant):
    return create_oauth_client(
        actor=Principal.system(tenant),
        name="cool-off client",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        client_type=Application.CLIENT_CONFIDENTIAL,
        redirect_uris="",
        allowed_scopes=["tenant:read"],
    )


def token(client_id, secret):
    return Client().post(
        "/o/token/",
        {"grant_type": "client_credentials", "scope": "tenant:read"},
        HTTP_AUTHORIZATION=_basic(client_id, secret),
    )


def assert_cooled_off(response):
    assert response.status_code == 429, response.content
    assert response["Content-Type"] == "application/problem+json"
    assert 1 <= int(response["Retry-After"]) <= 300
    body = response.json()
    assert body["type"] == "/problems/too-many-failures" and body["status"] == 429


def test_n_wrong_secrets_cool_the_client_off_even_for_the_right_secret(acme):
    app, secret = _client(acme)
    codes = [token(app.client_id, "wrong").status_code for _ in range(N - 1)]
    assert codes == [401] * (N - 1)
    assert_cooled_off(token(app.client_id, "wrong"))  # the N-th failure starts the cool-off
    assert_cooled_off(token(app.client_id, secret))
    # The other endpoints that authenticate clients refuse it too.
    assert_cooled_off(Client().post("/o/introspect/", {"token": "x"}, HTTP_AUTHORIZATION=_basic(app.client_id, secret)))
    assert_cooled_off(
        Client().post("/o/revoke_token/", {"token": "x"}, HTTP_AUTHORIZATION=_basic(app.client_id, secret))
    )
    # Another client is unaffected.
    other, other_secret = _client(acme)
    assert token(other.client_id, other_secret).status_code == 200


def test_after_the_cool_off_the_right_secret_works(acme, settings):
    settings.OAUTH_CLIENT_COOLOFF_SECONDS = 1
    app, secret = _client(acme)
    for _ in range(N):
        token(app.client_id, "wrong")
    assert_cooled_off(token(app.client_id, secret))
    time.sleep(1.2)
    assert token(app.client_id, secret).status_code == 200


def test_deleting_the_flag_ends_the_cool_off(acme):
    app, secret = _client(acme)
    for _ in range(N):
        token(app.client_id, "wrong")
    assert_cooled_off(token(app.client_id, secret))
    store.client().delete(cooloff.flag_key(cooloff.OAUTH_CLIENT, app.client_id))
    assert token(app.client_id, secret).status_code == 200


def test_an_unknown_client_id_is_treated_alike(acme):
    codes = [token("no-such-client", "guess").status_code for _ in range(N - 1)]
    assert codes == [401] * (N - 1)
    assert_cooled_off(token("no-such-client", "guess"))
    assert_cooled_off(token("no-such-client", "guess"))
    event = AuditEvent.objects.across_tenants().get(action="oauth_client.cooloff_started")
    assert event.tenant is None and event.changes["client_id"] == "no-such-client"


def test_a_success_resets_the_count(acme):
    app, secret = _client(acme)
    for _ in range(N - 1):
        assert token(app.client_id, "wrong").status_code == 401
    assert token(app.client_id, secret).status_code == 200
    for _ in range(N - 1):
        assert token(app.client_id, "wrong").status_code == 401
    assert token(app.client_id, secret).status_code == 200


def test_body_credentials_behind_a_decoy_basic_header_are_counted(acme):
    """The toolkit falls back to the body's credentials when the Basic ones fail: both are charged."""
    app, secret = _client(acme)
    for _ in range(N):
        Client().post(
            "/o/token/",
            {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": "wrong"},
            HTTP_AUTHORIZATION=_basic("decoy", "x"),
        )
    assert_cooled_off(token(app.client_id, secret))


def test_failed_introspection_authentications_count(acme):
    app, secret = _client(acme)
    for _ in range(N):
        Client().post("/o/introspect/", {"token": "x"}, HTTP_AUTHORIZATION=_basic(app.client_id, "wrong"))
    assert_cooled_off(token(app.client_id, secret))


def test_a_cool_off_start_is_audited_logged_and_counted(acme, caplog):
    before = sample("console_auth_cooloffs_total", kind="oauth_client")
    app, _secret = _client(acme)
    with caplog.at_level("WARNING", logger="apikeys.requestpath.cooloff"):
        for _ in range(N + 2):
            token(app.client_id, "wrong")
    event = AuditEvent.objects.across_tenants().get(action="oauth_client.cooloff_started")
    assert event.tenant_id == acme.pk and event.target_id == str(app.pk)
    assert event.actor_label == Principal.system(acme).actor_label
    assert event.changes["failures"] == N and event.changes["cooloff_seconds"] == 300
    assert sample("console_auth_cooloffs_total", kind="oauth_client") == before + 1  # once per cool-off
    started = [r for r in caplog.records if getattr(r, "event", "") == "auth_cooloff.started"]
    assert len(started) == 1 and started[0].kind == "oauth_client"


def test_redis_down_fails_open_with_a_metric(acme, settings):
    from apikeys.requestpath import metrics as requestpath_metrics

    app, secret = _client(acme)
    before = requestpath_metrics.value("ratelimit.redis_unavailable")
    settings.APIKEY_REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    try:
        assert token(app.client_id, "wrong").status_code == 401
        assert token(app.client_id, secret).status_code == 200
    finally:
        store.reset()
    assert requestpath_metrics.value("ratelimit.redis_unavailable") > before
