"""Seeing inside it: structured logs, Prometheus metrics (across gunicorn workers), traces and error
reports only when configured, liveness and readiness, alert rules and the dashboard.

The live test runs gunicorn (2 workers, multiprocess metrics) and a real Prometheus scraping it
with the bearer token, and reads a request counter back through Prometheus's HTTP API. promtool and
prometheus come from Debian's `prometheus` package: the tests that need them fail (never skip) with
a message saying so when they are missing.
"""

import base64
import io
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from contextlib import contextmanager
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import structlog
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from prometheus_client import REGISTRY
from rest_framework.test import APIClient

from config import metrics
from config.logs import make_formatter
from config.middleware import bind_request_id, reset_request_id
from tenants.models import Application
from tenants.principal import Principal
from tenants.services import create_oauth_client
from tests.apikeys.conftest import key_client, make_key, redis_client  # noqa: F401 (fixtures)
from tests.governance.deprecation_fixtures import BROWNOUT_START, T0, console_api  # noqa: F401 (fixture)

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
ALERTS = ROOT / "platform" / "prometheus" / "alerts.yml"
ALERT_TESTS = ROOT / "platform" / "prometheus" / "alerts.test.yml"
DASHBOARD = ROOT / "platform" / "grafana" / "dashboard.json"


# --- helpers ----------------------------------------------------------------------------------------


@contextmanager
def captured_logs(level=logging.DEBUG):
    """Every log line written meanwhile, rendered by the production (JSON) formatter; yields a
    function returning the raw text."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(make_formatter("json"))
    root = logging.getLogger()
    before = root.level
    root.addHandler(handler)
    root.setLevel(level)
    try:
        yield stream.getvalue
    finally:
        root.removeHandler(handler)
        root.setLevel(before)


def json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def request_lines(text: str) -> list[dict]:
    return [line for line in json_lines(text) if line.get("event") == "request"]


def sample(name: str, **labels) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def child_env(**extra) -> dict:
    """The environment of a child process on this test's database and Redis (no tracing, no Sentry
    unless `extra` says so)."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "true",
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "APIKEY_REDIS_PREFIX": settings.APIKEY_REDIS_PREFIX,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
    }
    env.update(extra)
    return env


def run_python(code: str, env: dict, timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def need(program: str) -> str:
    found = shutil.which(program)
    if found is None:
        pytest.fail(
            f"`{program}` is not installed: it comes with Debian's prometheus package "
            "(apt-get install -y prometheus). These tests never skip."
        )
    return found


class Receiver:
    """A local HTTP server that records every POST (an OTLP collector, a Sentry ingest endpoint)."""

    def __init__(self):
        received = self.received = []

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.append((self.path, body))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.close()


def oauth_client_with_secret(tenant, scopes=("tenant:read",)):
    return create_oauth_client(
        actor=Principal.system(tenant),
        name="observability client",
        authorization_grant_type=Application.GRANT_CLIENT_CREDENTIALS,
        allowed_scopes=list(scopes),
    )


# --- logs -------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_one_json_line_per_request(acme, owner, key_client, token_client, session_client):  # noqa: F811
    """route, principal, tenant, status and duration; the request id of the request."""
    keyed = key_client(acme, ["tenant:read"])
    oauth = token_client(acme, ["tenant:read"])
    with captured_logs() as text:
        keyed.get("/api/v1/tenant/", HTTP_X_REQUEST_ID="obs-request-0001")
        oauth.get("/api/v1/tenant/", HTTP_X_REQUEST_ID="obs-request-0002")
        session_client(owner).get("/api/v1/tenant/", HTTP_X_REQUEST_ID="obs-request-0003")
        APIClient().get("/api/v1/tenant/", HTTP_X_REQUEST_ID="obs-request-0004")
    lines = {line["request_id"]: line for line in request_lines(text())}
    assert len(request_lines(text())) == 4 == len(lines)  # exactly one per request
    key_line = lines["obs-request-0001"]
    assert key_line["method"] == "GET" and key_line["route"] == "api/<version>/tenant/"
    assert key_line["status"] == 200 and isinstance(key_line["duration_ms"], float)
    assert (key_line["tenant"], key_line["principal_kind"], key_line["principal_id"]) == (
        "acme",
        "apikey",
        keyed.api_key.lookup_id,
    )
    assert (lines["obs-request-0002"]["principal_kind"], lines["obs-request-0002"]["principal_id"]) == (
        "oauth",
        oauth.application.client_id,
    )
    session = lines["obs-request-0003"]
    assert (session["tenant"], session["principal_kind"], session["principal_id"]) == ("acme", "session", str(owner.pk))
    anonymous = lines["obs-request-0004"]
    assert (anonymous["status"], anonymous["principal_kind"], anonymous["tenant"]) == (401, "anonymous", None)
    assert all(line["level"] and line["timestamp"] and line["process"] == os.getpid() for line in lines.values())


@pytest.mark.django_db
def test_the_request_line_names_the_route_pattern_never_the_raw_path(client):
    with captured_logs() as text:
        client.get("/problems/gone?token=not-for-logs")
        client.get("/no/such/page-4242")
    found, missing = request_lines(text())
    assert found["route"] == "problems/<slug:slug>" and found["status"] == 200
    assert missing["route"] is None and missing["status"] == 404
    assert "not-for-logs" not in text() and "page-4242" not in text()


@pytest.mark.django_db
def test_no_api_key_token_or_client_secret_ever_reaches_a_log_line(acme, key_client, make_key, token_client):  # noqa: F811
    keyed = key_client(acme, ["tenant:read"])
    _, other_key = make_key(acme, ["tenant:read"])
    _, revoked_key = make_key(acme, ["tenant:read"])
    app, secret = oauth_client_with_secret(acme)
    basic = base64.b64encode(f"{app.client_id}:{secret}".encode()).decode()
    gateway = token_client(acme, ["keys:verify"], gateway=True)
    gateway_token = gateway._credentials["HTTP_AUTHORIZATION"].split()[1]
    bogus_key = other_key[:-6] + "AAAAAA"
    with captured_logs() as text:
        keyed.get("/api/v1/tenant/")
        APIClient().get("/api/v1/tenant/", HTTP_X_API_KEY=other_key)
        APIClient().get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {bogus_key}")
        issued = Client().post(
            "/o/token/",
            {"grant_type": "client_credentials", "scope": "tenant:read"},
            HTTP_AUTHORIZATION=f"Basic {basic}",
        )
        token = issued.json()["access_token"]
        Client().post(
            "/o/token/",
            {"grant_type": "client_credentials", "client_id": app.client_id, "client_secret": secret + "x"},
        )
        APIClient().get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {token}")
        APIClient().get("/api/v1/tenant/", HTTP_AUTHORIZATION=f"Bearer {token}x")
        gateway.post("/api/v1/keys/verify/", {"key": revoked_key}, format="json")
        # And code that slips: a key or a token handed to a logger by mistake is scrubbed.
        logging.getLogger("tests.slip").warning("presented %s with Bearer %s", other_key, token)
        structlog.get_logger("tests.slip").warning("slip", client_secret=secret, headers={"Authorization": basic})
    assert issued.status_code == 200
    written = text()
    assert len(request_lines(written)) == 8
    for raw in (keyed.raw_key, other_key, bogus_key, revoked_key, secret, basic, token, gateway_token):
        assert raw not in written
    # What may appear instead: the lookup ids and the client id, which are not secrets.
    assert keyed.api_key.lookup_id in written and app.client_id in written


def test_the_log_format_is_console_with_debug_json_without_and_log_format_overrides_it():
    secrets_env = {"SECRET_KEY": "s" * 60, "APIKEY_PEPPER": "p" * 40, "PATH": os.environ["PATH"]}
    code = "import config.settings as s; print(s.LOG_FORMAT)"
    outcomes = {}
    for debug, log_format in (("true", None), ("false", None), ("true", "json"), ("false", "yaml")):
        env = {**secrets_env, "DEBUG": debug, "PYTHONPATH": str(ROOT)}
        if log_format:
            env["LOG_FORMAT"] = log_format
        done = run_python(code, env)
        outcomes[(debug, log_format)] = done.stdout.strip() or done.stderr.strip().splitlines()[-1]
    assert outcomes[("true", None)] == "console"
    assert outcomes[("false", None)] == "json"
    assert outcomes[("true", "json")] == "json"
    assert "LOG_FORMAT must be one of json, console" in outcomes[("false", "yaml")]


@pytest.mark.django_db
def test_an_eagerly_run_task_logs_one_line_with_the_request_id_and_is_counted():
    from apikeys.tasks import fold_last_used

    before = sample("console_celery_tasks_total", task="apikeys.tasks.fold_last_used", outcome="succeeded")
    with captured_logs() as text:
        fold_last_used.apply(headers={"request_id": "obs-task-eager-0001"})
    (line,) = [line for line in json_lines(text()) if line.get("event") == "task"]
    assert line["request_id"] == "obs-task-eager-0001" and line["task"] == "apikeys.tasks.fold_last_used"
    assert line["outcome"] == "succeeded" and line["duration_ms"] >= 0
    assert sample("console_celery_tasks_total", task="apikeys.tasks.fold_last_used", outcome="succeeded") == before + 1
    assert sample("console_celery_task_duration_seconds_count", task="apikeys.tasks.fold_last_used") >= 1


@pytest.mark.django_db(transaction=True)
def test_a_worker_logs_its_task_with_the_request_id_that_enqueued_it_and_serves_its_metrics(tmp_path):
    """A real worker on a queue of its own: the request id crosses the broker in the headers; with
    METRICS_PORT it serves its own /metrics (behind the same token)."""
    from config.celery import app

    queue = f"test-obs-{uuid.uuid4().hex[:10]}"
    metrics_port, metrics_token = free_port(), uuid.uuid4().hex
    worker = subprocess.Popen(
        [
            str(VENV_BIN / "celery"),
            "-A",
            "config",
            "worker",
            "-P",
            "solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            f"{queue}@%h",
        ],
        cwd=ROOT,
        env=child_env(
            CELERY_BROKER_URL=settings.REDIS_URL,
            METRICS_PORT=str(metrics_port),
            METRICS_TOKEN=metrics_token,
            PROMETHEUS_MULTIPROC_DIR=str(tmp_path),
        ),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(worker.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        bound = bind_request_id("obs-request-celery-0001")  # as inside a request
        try:
            app.send_task("apikeys.tasks.fold_last_used", queue=queue)
        finally:
            reset_request_id(bound)
        deadline = time.monotonic() + 45
        task_lines = []
        while time.monotonic() < deadline and not task_lines:
            task_lines = [line for line in json_lines("".join(lines)) if line.get("event") == "task"]
            time.sleep(0.2)
        assert task_lines, "no task line from the worker:\n" + "".join(lines)[-3000:]
        (line,) = task_lines
        assert line["request_id"] == "obs-request-celery-0001" and line["outcome"] == "succeeded"
        assert line["task"] == "apikeys.tasks.fold_last_used" and line["logger"] == "console.task"
        # Celery's own line about the task carries it too: the id is the task's context, not one field.
        celery_lines = [row for row in json_lines("".join(lines)) if "succeeded in" in str(row.get("event"))]
        assert celery_lines and celery_lines[0]["request_id"] == "obs-request-celery-0001"
        exporter = f"http://127.0.0.1:{metrics_port}/metrics"
        assert _get(exporter)[0] == 404 and _get(exporter, "wrong")[0] == 404
        status, body = _get(exporter, metrics_token)
        assert status == 200
        assert (
            'console_celery_tasks_total{outcome="succeeded",task="apikeys.tasks.fold_last_used"} 1.0' in body.decode()
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        reader.join(timeout=5)
        from apikeys.requestpath import store

        store.client().delete(queue)


# --- /metrics ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_metrics_is_a_404_without_the_token_with_a_wrong_one_and_when_no_token_is_set(client, settings):
    settings.METRICS_TOKEN = "metrics-token-0123456789"
    assert client.get("/metrics").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-012345678").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Basic metrics-token-0123456789").status_code == 404
    assert client.post("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-0123456789").status_code == 404
    ok = client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-0123456789")
    assert ok.status_code == 200 and ok["Content-Type"].startswith("text/plain")
    text = ok.content.decode()
    assert "django_http_requests_total_by_method_total" in text and "console_ratelimit_decisions_total" in text
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 404
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer metrics-token-0123456789").status_code == 404


@pytest.mark.django_db
def test_authentication_outcomes_are_counted_by_method_and_result(acme, owner, key_client, make_key, token_client):  # noqa: F811
    from apikeys.models import ApiKey
    from apikeys.services import revoke_key

    def auth(method, result):
        return sample("console_auth_attempts_total", method=method, result=result)

    keyed = key_client(acme, ["tenant:read"])
    revoked, revoked_raw = make_key(acme, ["tenant:read"])
    revoke_key(actor=Principal.system(acme), api_key=ApiKey.objects.across_tenants().get(pk=revoked.pk))
    before = {
        (m, r): auth(m, r)
        for m, r in [
            ("apikey", "success"),
            ("apikey", "revoked"),
            ("apikey", "invalid"),
            ("oauth", "success"),
            ("oauth", "invalid"),
            ("session", "success"),
        ]
    }
    keyed.get("/api/v1/tenant/")
    APIClient().get("/api/v1/tenant/", HTTP_X_API_KEY=revoked_raw)
    APIClient().get("/api/v1/tenant/", HTTP_X_API_KEY="gvk_live_" + "A" * 40)
    token_client(acme, ["tenant:read"]).get("/api/v1/tenant/")
    APIClient().get("/api/v1/tenant/", HTTP_AUTHORIZATION="Bearer not-a-token-at-all")
    session = APIClient()
    session.force_login(owner)
    session.get("/api/v1/tenant/")
    for key, value in before.items():
        assert auth(*key) == value + 1, key


@pytest.mark.django_db
def test_rate_limit_decisions_are_counted_by_policy_and_decision(acme, key_client):  # noqa: F811
    client = key_client(acme, ["tenant:read"], rate_quota=1, rate_window=60)
    allowed, limited = (
        sample("console_ratelimit_decisions_total", policy="key", decision=d) for d in ("allowed", "limited")
    )
    assert client.get("/api/v1/tenant/").status_code == 200
    assert client.get("/api/v1/tenant/").status_code == 429
    assert sample("console_ratelimit_decisions_total", policy="key", decision="allowed") == allowed + 1
    assert sample("console_ratelimit_decisions_total", policy="key", decision="limited") == limited + 1


@pytest.mark.django_db
def test_deprecation_headers_and_410s_are_counted_by_api_and_version(console_api, acme, token_client):  # noqa: F811
    client = token_client(acme, ["tenant:read"])
    headers = sample("console_lifecycle_deprecation_headers_total", api="console", version="v1")
    gone = sample("console_lifecycle_gone_total", api="console", version="v1", reason="brownout")
    with time_machine.travel(T0 + timedelta(days=1), tick=False):
        assert client.get("/api/v1/tenant/")["Deprecation"]
    with time_machine.travel(BROWNOUT_START + timedelta(minutes=5), tick=False):
        assert client.get("/api/v1/tenant/").status_code == 410
    assert sample("console_lifecycle_deprecation_headers_total", api="console", version="v1") == headers + 1
    assert sample("console_lifecycle_gone_total", api="console", version="v1", reason="brownout") == gone + 1


@pytest.mark.django_db
def test_the_verify_endpoint_is_timed(acme, make_key, token_client):  # noqa: F811
    _, raw = make_key(acme, ["tenant:read"])
    before = sample("console_gateway_verify_duration_seconds_count")
    response = token_client(acme, ["keys:verify"], gateway=True).post(
        "/api/v1/keys/verify/", {"key": raw}, format="json"
    )
    assert response.status_code == 200 and response.json()["valid"]
    assert sample("console_gateway_verify_duration_seconds_count") == before + 1


@pytest.mark.django_db
def test_a_flush_records_its_time_rows_and_calls_and_the_lag_is_derived_at_scrape(acme, key_client):  # noqa: F811
    from apikeys.tasks import flush_usage

    key_client(acme, ["tenant:read"]).get("/api/v1/tenant/")
    rows, calls = sample("console_usage_flush_rows_total"), sample("console_usage_flush_calls_total")
    successes = sample("console_usage_flushes_total", result="success")
    started = time.time()
    flush_usage()
    assert sample("console_usage_flushes_total", result="success") == successes + 1
    assert (
        sample("console_usage_flush_rows_total") == rows + 1 and sample("console_usage_flush_calls_total") == calls + 1
    )
    last = sample("console_usage_flush_last_success_timestamp_seconds")
    assert started <= last <= time.time()
    families = {family.name: family for family in metrics.collect_families(now=last + 42)}
    assert families[metrics.FLUSH_LAG_NAME].samples[0].value == pytest.approx(42)


@pytest.mark.django_db
def test_webhook_deliveries_and_notice_runs_are_counted_by_result():
    from governance.tasks.deprecations import deliver_webhook, send_deprecation_notices

    skipped = sample("console_webhook_deliveries_total", result="skipped")
    assert deliver_webhook.apply(args=[987654321]).get() == "skipped"  # no such delivery
    assert sample("console_webhook_deliveries_total", result="skipped") == skipped + 1
    send_deprecation_notices.apply().get()
    assert REGISTRY.get_sample_value("console_deprecation_notices_total", {"result": "sent"}) is not None


@pytest.mark.django_db
def test_beat_writes_its_heartbeat_and_samples_queue_depth_and_age(settings, redis_client, monkeypatch):  # noqa: F811
    from django_celery_beat.schedulers import DatabaseScheduler

    from config.beat import SingleBeatScheduler

    queue = f"test-obs-{uuid.uuid4().hex[:10]}"
    settings.CELERY_TASK_ROUTES = {"tests.*": {"queue": queue}}
    settings.CELERY_TASK_DEFAULT_QUEUE = queue + "-default"
    message = {"body": "", "headers": {"published_at": time.time() - 30}, "properties": {}}
    redis_client.lpush(queue, json.dumps(message), json.dumps({**message, "headers": {"published_at": time.time()}}))
    monkeypatch.setattr(DatabaseScheduler, "tick", lambda self, *a, **k: 5.0)
    beat = object.__new__(SingleBeatScheduler)  # no database scheduler behind it: only the tick
    beat._hold_lock = lambda: True
    beat._redis, beat._sampled_at = redis_client, 0.0
    try:
        started = time.time()
        assert beat.tick() == 5.0
    finally:
        redis_client.delete(queue)
    assert started <= sample("console_beat_last_tick_timestamp_seconds") <= time.time()
    assert sample("console_celery_queue_length", queue=queue) == 2
    assert sample("console_celery_queue_oldest_age_seconds", queue=queue) == pytest.approx(30, abs=2)
    assert sample("console_celery_queue_length", queue=queue + "-default") == 0


# --- health -----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_readyz_is_200_when_every_dependency_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200, response.content
    assert response.json() == {
        "status": "ok",
        "failing": [],
        "checks": {name: "ok" for name in ("database", "migrations", "cache", "redis", "broker")},
    }


@pytest.mark.django_db
def test_readyz_is_503_naming_unapplied_migrations(client, monkeypatch):
    from django.db.migrations.executor import MigrationExecutor

    class Pending:
        app_label, name = "governance", "9999_not_yet"

    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, targets: [(Pending, False)])
    response = client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["migrations"] and "governance.9999_not_yet" in body["checks"]["migrations"]


def test_healthz_needs_nothing_and_readyz_names_every_dependency_that_is_down():
    """A process whose database, Redis and broker are all unreachable: alive, and not ready."""
    dead = free_port()
    code = (
        "import django, json; django.setup()\n"
        "from django.test import Client\n"
        "live, ready = Client().get('/healthz'), Client().get('/readyz')\n"
        "print(json.dumps([live.status_code, live.json(), ready.status_code, ready.json()]))\n"
    )
    env = child_env(
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{dead}/nowhere",
        REDIS_URL=f"redis://127.0.0.1:{dead}/0",
        READINESS_TIMEOUT_SECONDS="1",
        LOG_LEVEL="CRITICAL",
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr[-3000:]
    live_status, live, ready_status, ready = json.loads(done.stdout.strip().splitlines()[-1])
    assert (live_status, live) == (200, {"status": "ok"})
    assert ready_status == 503 and ready["status"] == "unavailable"
    assert ready["failing"] == ["broker", "cache", "database", "migrations", "redis"]
    assert all(ready["checks"][name] not in ("", "ok") for name in ready["failing"]), ready
    assert str(dead) not in json.dumps(ready)  # names the component, not its address


# --- tracing and error reporting ----------------------------------------------------------------------


@pytest.mark.django_db
def test_without_their_variables_neither_opentelemetry_nor_sentry_is_imported():
    code = (
        "import django, json, sys; django.setup()\n"
        "import config.wsgi, redis, django_redis.cache  # everything a request may reach\n"
        "from django.test import Client\n"
        "Client().get('/problems/gone'); Client().get('/healthz')\n"
        "loaded = sorted(m for m, mod in sys.modules.items() if m.split('.')[0] in ('opentelemetry', 'sentry_sdk')"
        " and mod is not None)\n"
        "print(json.dumps(loaded))\n"
    )
    done = run_python(code, child_env(LOG_LEVEL="ERROR"))
    assert done.returncode == 0, done.stderr[-3000:]
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


@pytest.mark.django_db
def test_with_their_variables_traces_reach_the_otlp_endpoint_and_errors_reach_sentry(receiver):
    code = (
        "import django, json, sys, sentry_sdk; django.setup()\n"
        "from django.test import Client\n"
        "from config import tracing\n"
        "assert Client().get('/problems/gone').status_code == 200\n"
        "sentry_sdk.capture_message('observability test message')\n"
        "tracing.flush()\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('opentelemetry.instrumentation.'))))\n"
    )
    env = child_env(
        OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{receiver.port}",
        OTEL_SERVICE_NAME="console-test",
        SENTRY_DSN=f"http://publickey@127.0.0.1:{receiver.port}/42",
        LOG_LEVEL="ERROR",
    )
    done = run_python(code, env)
    assert done.returncode == 0, done.stderr[-3000:]
    instrumented = json.loads(done.stdout.strip().splitlines()[-1])
    for part in ("django", "celery", "psycopg", "redis"):
        assert f"opentelemetry.instrumentation.{part}" in instrumented
    traces = b"".join(body for path, body in receiver.received if path == "/v1/traces")
    assert b"problems/<slug:slug>" in traces and b"console-test" in traces  # the route's span, our service
    assert b"SELECT" in traces  # a psycopg span of the same request (the lifecycle table)
    # Sentry's envelope (compressed) for project 42 of the DSN.
    assert [path for path, _ in receiver.received if path.startswith("/api/42/envelope")]


# --- alerts and dashboard ---------------------------------------------------------------------------


def test_the_alert_rules_pass_promtool_check_and_their_unit_tests():
    promtool = need("promtool")
    checked = subprocess.run([promtool, "check", "rules", str(ALERTS)], capture_output=True, text=True, timeout=60)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    tested = subprocess.run(
        [promtool, "test", "rules", ALERT_TESTS.name],
        cwd=ALERT_TESTS.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert tested.returncode == 0 and "SUCCESS" in tested.stdout, tested.stdout + tested.stderr


def _metric_names(expression: str) -> set[str]:
    return set(re.findall(r"\b((?:console|django)_[a-z0-9_]+)", expression))


def _exposed_names() -> set[str]:
    names = set()
    for family in metrics.collect_families(now=time.time()):
        names.add(family.name)
        names.update(s.name for s in family.samples)
    return names


@pytest.mark.django_db
def test_every_metric_the_alerts_and_the_dashboard_use_is_exposed(client, acme, key_client):  # noqa: F811
    import yaml

    from apikeys.tasks import fold_last_used

    # Labelled families show their first child once something happened: a call and a task.
    key_client(acme, ["tenant:read"]).get("/api/v1/tenant/")
    fold_last_used.apply()
    exposed = _exposed_names()
    rules = yaml.safe_load(ALERTS.read_text())
    alert_exprs = [rule["expr"] for group in rules["groups"] for rule in group["rules"]]
    dashboard = json.loads(DASHBOARD.read_text())
    panel_exprs = [t["expr"] for panel in dashboard["panels"] for t in panel.get("targets", [])]
    used = set().union(*(_metric_names(e) for e in alert_exprs + panel_exprs))
    assert len(used) > 20
    unknown = sorted(name for name in used if name not in exposed)
    assert unknown == [], f"not exposed at /metrics: {unknown}"
    console_families = {f.name for f in metrics.collect_families() if f.name.startswith("console_")}
    charted = {n.removesuffix("_bucket").removesuffix("_total") for n in used}
    # A derived age (seconds since a timestamp) is charted as time() minus its timestamp.
    charted |= {derived for derived, (source, _) in metrics.DERIVED.items() if source in charted}
    uncharted = sorted(n for n in console_families if n.removesuffix("_total") not in charted)
    assert uncharted == [], f"on /metrics but on no dashboard panel: {uncharted}"


# --- live: gunicorn workers, multiprocess metrics, a real Prometheus ----------------------------------


def _get(url: str, token: str | None = None, timeout: float = 5.0) -> tuple[int, bytes]:
    request = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"} if token else {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (loopback only)
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def _wait(predicate, timeout: float, message: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(message)


def _worker_pids(directory: Path) -> set[int]:
    return {int(m.group(1)) for path in directory.glob("*.db") if (m := re.search(r"_(\d+)\.db$", path.name))}


def _scraped_value(text: str, view: str) -> float:
    total = 0.0
    for line in text.splitlines():
        if line.startswith("django_http_responses_total_by_status_view_method_total{") and f'view="{view}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.mark.django_db
def test_prometheus_scrapes_two_gunicorn_workers_with_the_token_and_counts_every_request(tmp_path):
    prometheus_binary = need("prometheus")
    token = uuid.uuid4().hex
    multiproc = tmp_path / "multiproc"
    multiproc.mkdir()
    (multiproc / "counter_999999999.db").write_bytes(b"stale from a previous run")
    port, prometheus_port = free_port(), free_port()
    log_path = tmp_path / "gunicorn.log"
    with log_path.open("w") as log:
        web = subprocess.Popen(
            [str(VENV_BIN / "gunicorn"), "--config", "platform/gunicorn.conf.py", "config.wsgi:application"],
            cwd=ROOT,
            env=child_env(
                HOST="127.0.0.1",
                PORT=str(port),
                WEB_CONCURRENCY="2",
                METRICS_TOKEN=token,
                PROMETHEUS_MULTIPROC_DIR=str(multiproc),
                GUNICORN_MAX_REQUESTS="0",
            ),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    prometheus = None
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(lambda: _get(f"{base}/healthz")[0] == 200, 30, "gunicorn did not answer /healthz")
        assert not (multiproc / "counter_999999999.db").exists()  # on_starting cleaned the directory
        assert _get(f"{base}/metrics")[0] == 404 and _get(f"{base}/metrics", "wrong")[0] == 404

        # Both workers loaded the app: each wrote its metric files (and /healthz may only know one).
        _wait(lambda: len(_worker_pids(multiproc)) == 2, 60, "the second gunicorn worker never booted")

        def served():
            return [line for line in request_lines(log_path.read_text()) if line["route"] == "problems/<slug:slug>"]

        requests = 0
        for _round in range(10):  # concurrent rounds until both workers served some (bounded)
            threads = [
                threading.Thread(target=lambda: [_get(f"{base}/problems/gone") for _ in range(4)]) for _ in range(8)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=60)
            requests += 32
            if len({line["process"] for line in served()}) == 2:
                break
        assert len(served()) == requests
        pids = {line["process"] for line in served()}
        assert len(pids) == 2, "both workers must have served some of the requests"
        # Any worker answers for both: every scrape sees all the requests.
        for _ in range(4):
            status, body = _get(f"{base}/metrics", token)
            assert status == 200 and _scraped_value(body.decode(), "problem-type") == requests

        config = tmp_path / "prometheus.yml"
        config.write_text(
            json.dumps(
                {
                    "global": {"scrape_interval": "1s", "scrape_timeout": "1s"},
                    "scrape_configs": [
                        {
                            "job_name": "console",
                            "metrics_path": "/metrics",
                            "authorization": {"type": "Bearer", "credentials": token},
                            "static_configs": [{"targets": [f"127.0.0.1:{port}"]}],
                        }
                    ],
                }
            )
        )
        prometheus = subprocess.Popen(
            [
                prometheus_binary,
                f"--config.file={config}",
                f"--storage.tsdb.path={tmp_path / 'tsdb'}",
                f"--web.listen-address=127.0.0.1:{prometheus_port}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        query = urllib.parse.quote(
            'sum(django_http_responses_total_by_status_view_method_total{job="console",view="problem-type"})'
        )

        def counted():
            status, body = _get(f"http://127.0.0.1:{prometheus_port}/api/v1/query?query={query}")
            if status != 200:
                return None
            result = json.loads(body)["data"]["result"]
            return result and float(result[0]["value"][1])

        assert _wait(counted, 45, "Prometheus never read the request counter") == requests

        # A worker dies: gunicorn replaces it and marks it dead; what it counted stays counted.
        os.kill(pids.pop(), signal.SIGKILL)
        time.sleep(1.0)
        _wait(lambda: _get(f"{base}/healthz")[0] == 200, 30, "gunicorn did not replace the worker")
        for _ in range(4):
            status, body = _get(f"{base}/metrics", token)
            assert status == 200 and _scraped_value(body.decode(), "problem-type") == requests
    finally:
        if prometheus is not None:
            _stop(prometheus)
        _stop(web)


def test_health_and_metrics_answer_a_load_balancer_that_sends_a_private_address_as_host(db, client, settings):
    """The ALB's health check says Host: <task IP>:8000, which ALLOWED_HOSTS rightly doesn't list."""
    settings.METRICS_TOKEN = "probe-token-123"
    assert client.get("/healthz", HTTP_HOST="10.40.3.7:8000").status_code == 200
    assert client.get("/readyz", HTTP_HOST="10.40.3.7:8000").status_code == 200
    assert (
        client.get("/metrics", HTTP_HOST="10.40.3.7:8000", HTTP_AUTHORIZATION="Bearer probe-token-123").status_code
        == 200
    )
    assert client.get("/metrics", HTTP_HOST="10.40.3.7:8000").status_code == 404
    assert client.get("/api/v1/", HTTP_HOST="10.40.3.7:8000").status_code == 400  # everything else: host checked


def test_on_ecs_beat_publishes_the_queue_gauges_as_cloudwatch_embedded_metrics(redis_client, monkeypatch, capsys):  # noqa: F811
    """platform/aws's worker autoscaling and queue-age alarms read Console/Celery metrics: beat
    prints one embedded-metric-format line per queue when CONSOLE_STAGE is set, and none otherwise."""
    from config.beat import sample_queues

    queue = "default"
    before = redis_client.llen(queue)
    sample_queues(redis_client, now=time.time())
    assert capsys.readouterr().out == ""
    monkeypatch.setenv("CONSOLE_STAGE", "production")
    sampled = sample_queues(redis_client, now=time.time())
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {line["Queue"] for line in lines} == set(sampled)
    default = next(line for line in lines if line["Queue"] == queue)
    assert default["Stage"] == "production" and default["console_celery_queue_length"] == before
    spec = default["_aws"]["CloudWatchMetrics"][0]
    assert spec["Namespace"] == "Console/Celery" and spec["Dimensions"] == [["Stage", "Queue"]]
    assert {m["Name"] for m in spec["Metrics"]} == {
        "console_celery_queue_length",
        "console_celery_queue_oldest_age_seconds",
    }
