"""A Redis that hangs: it accepts the TCP connection and never answers (a wedged server, or a network
that drops packets after the handshake). Unlike a refused connection, only a socket timeout ends the
wait, so the request-path client and the cache must both have one: requests still answer, failing
open or closed as settings.RATELIMIT_FAIL_OPEN says, never a 5xx and never a hung worker.

The server is real (a listening socket in a thread); each request runs under an alarm that turns a
hang into a failure instead of a stalled suite. The alarm bounds a hang; it says nothing about speed.
"""

import signal
import socket
import threading
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings

from apikeys.requestpath import metrics, store

pytestmark = pytest.mark.django_db

HANG_BOUND_SECONDS = 20  # far above every socket timeout: only a request with none reaches it


class SilentServer:
    """Accepts connections, holds them open, never reads nor writes a byte."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.05)
        self.port = self.listener.getsockname()[1]
        self.connections: list[socket.socket] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def _serve(self):
        while not self._stop.is_set():
            try:
                connection, _ = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(connection)

    def close(self):
        self._stop.set()
        self._thread.join(timeout=5)
        for connection in self.connections:
            connection.close()
        self.listener.close()


class Hung(BaseException):
    """Raised by the alarm. A BaseException, so no `except Exception` on the request path swallows it
    and carries on into the next wait."""


@contextmanager
def bounded(seconds=HANG_BOUND_SECONDS):
    """Fail (instead of hanging the suite) if the block runs longer than `seconds`; the alarm then
    repeats every second, in case a handler caught it anyway."""

    def expired(signum, frame):
        raise Hung(f"still waiting after {seconds}s: a Redis call without a socket timeout")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds, 1.0)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def silent_server():
    server = SilentServer()
    yield server
    server.close()


@pytest.fixture
def hanging_request_path_redis(settings, silent_server):
    """The request path's Redis (key cache, rate limits, usage) hangs from here on."""
    working = settings.APIKEY_REDIS_URL
    settings.APIKEY_REDIS_URL = silent_server.url
    store.reset()
    yield silent_server
    settings.APIKEY_REDIS_URL = working  # before the autouse fixtures clean the test's keys up
    store.reset()


@pytest.fixture
def hanging_cache(settings, silent_server):
    """Django's cache (the lifecycle table, the sign-in throttles) hangs from here on."""
    working = settings.CACHES
    settings.CACHES = {"default": {**working["default"], "LOCATION": silent_server.url}}
    yield silent_server
    settings.CACHES = working  # before the autouse fixtures invalidate the lifecycle table


def test_the_request_path_client_and_the_cache_have_socket_timeouts():
    kwargs = store.client().connection_pool.connection_kwargs
    assert 0 < kwargs["socket_timeout"] <= 1 and 0 < kwargs["socket_connect_timeout"] <= 1
    options = django_settings.CACHES["default"]["OPTIONS"]
    assert 0 < options["SOCKET_TIMEOUT"] <= 1 and 0 < options["SOCKET_CONNECT_TIMEOUT"] <= 1


@pytest.mark.parametrize("fail_open", [True, False])
def test_a_hanging_redis_with_an_api_key(acme, key_client, settings, fail_open, request):
    client = key_client(acme)  # made while Redis answers
    request.getfixturevalue("hanging_request_path_redis")
    settings.RATELIMIT_FAIL_OPEN = fail_open
    before = metrics.value("ratelimit.redis_unavailable")

    with bounded():
        response = client.get("/api/v1/keys/")

    if fail_open:
        assert response.status_code == 200, response.content
        assert client.api_key.pk in [row["id"] for row in response.json()["results"]]
        assert "RateLimit" not in response
    else:
        assert response.status_code == 503, response.content
        assert response["Content-Type"].startswith("application/problem+json")
        assert response.json()["type"] == "/problems/service-unavailable"
    assert metrics.value("ratelimit.redis_unavailable") == before + 1


@pytest.mark.parametrize("fail_open", [True, False])
def test_a_hanging_redis_with_an_oauth_token(acme, token_client, settings, fail_open, hanging_request_path_redis):
    settings.RATELIMIT_FAIL_OPEN = fail_open
    client = token_client(acme)

    with bounded():
        response = client.get("/api/v1/keys/")

    assert response.status_code == (200 if fail_open else 503), response.content


def test_a_revoked_key_is_still_refused_when_redis_hangs(acme, key_client, request):
    from apikeys.models import ApiKey

    client = key_client(acme)
    ApiKey.objects.across_tenants().filter(tenant=acme, pk=client.api_key.pk).update(revoked_at="2020-01-01T00:00Z")
    request.getfixturevalue("hanging_request_path_redis")

    with bounded():
        response = client.get("/api/v1/keys/")

    assert response.status_code == 401  # the database answered


def test_a_hanging_cache_costs_no_api_request_its_answer(acme, key_client, request):
    client = key_client(acme)
    request.getfixturevalue("hanging_cache")

    with bounded():
        responses = [client.get("/api/v1/keys/") for _ in range(2)]

    assert [r.status_code for r in responses] == [200, 200], responses[0].content[:500]
    assert all(r.json()["results"] for r in responses)
