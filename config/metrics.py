"""The console's own Prometheus metrics (prefix `console_`) and the /metrics exposition.

Every metric is defined here, once, so the names an operator alerts on (platform/prometheus/alerts.yml)
and charts (platform/grafana/dashboard.json) live in one module; the code that counts imports it
(config is the base every app imports, never the other way round). django-prometheus adds the
standard `django_http_*` and `django_db_*` families.

Several processes, one answer
-----------------------------
gunicorn runs several workers and Celery several pool processes; each keeps its own counters. With
PROMETHEUS_MULTIPROC_DIR set (tools/prod.py and platform/gunicorn.conf.py set it up), prometheus_client
writes every value to a memory-mapped file per process in that directory and /metrics adds them up
(MultiProcessCollector): counters and histograms are summed, including those of workers that exited;
the gauges below say how they combine (`multiprocess_mode`). Without it (tests, `make run`) each
process answers for itself.

/metrics answers only `Authorization: Bearer <METRICS_TOKEN>` (compared in constant time) and is a
404 for anyone else, and for everyone when METRICS_TOKEN is unset: its existence is not revealed.

Celery workers and beat serve no HTTP. Where they share the web's host and directory (`make prod`)
the web's /metrics includes them; where each runs in a container of its own, METRICS_PORT makes
each serve the same /metrics on that port (serve(), started from config/celery.py).
"""

from __future__ import annotations

import hmac
import os
import threading
import time

from django.conf import settings
from django.http import Http404, HttpResponse
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily

# --- authentication and the request path ---------------------------------------------------------

AUTH_ATTEMPTS = Counter(
    "console_auth_attempts_total",
    "Credentials presented to the API, by method (apikey, oauth, session) and result.",
    ["method", "result"],
)
RATELIMIT_DECISIONS = Counter(
    "console_ratelimit_decisions_total",
    "Rate-limit decisions by policy (the bucket that decided: default, key, tenant, anonymous) and decision.",
    ["policy", "decision"],
)
RATELIMIT_FAIL_OPEN = Counter(
    "console_ratelimit_fail_open_total",
    "Requests served without a rate limit because Redis was unreachable (RATELIMIT_FAIL_OPEN).",
)
REQUESTPATH_REDIS_FAILURES = Counter(
    "console_requestpath_redis_failures_total",
    "Redis failures on the request path, by where they happened.",
    ["where"],
)
AUTH_COOLOFFS = Counter(
    "console_auth_cooloffs_total",
    "Cool-offs started after repeated failed credentials, by kind (oauth_client: per client id at the "
    "/o/ endpoints; apikey_address: per client address presenting API keys).",
    ["kind"],
)
# Rises after a pepper rotation (settings.APIKEY_PEPPERS) while keys are used, then falls to zero.
APIKEY_PEPPER_REWRITES = Counter(
    "console_apikey_pepper_rewrites_total",
    "API key digests rewritten under the current pepper on use (APIKEY_PEPPERS rotation).",
)
VERIFY_DURATION = Histogram(
    "console_gateway_verify_duration_seconds",
    "Latency of the gateway verify endpoint (POST /api/v1/keys/verify/), inside the application.",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)

# --- the database ---------------------------------------------------------------------------------

DATABASE_UNAVAILABLE = Counter(
    "console_database_unavailable_total",
    "API requests answered 503 database-unavailable: PostgreSQL refused, timed out or dropped the connection.",
)

# --- lifecycle enforcement --------------------------------------------------------------------------

DEPRECATION_HEADERS = Counter(
    "console_lifecycle_deprecation_headers_total",
    "Responses that wore Deprecation / Sunset headers, by api and version.",
    ["api", "version"],
)
GONE_RESPONSES = Counter(
    "console_lifecycle_gone_total",
    "410 Gone answers of retired, sunset or browned-out versions, by api, version and reason.",
    ["api", "version", "reason"],
)

# --- usage, notices, webhooks -------------------------------------------------------------------------

USAGE_FLUSHES = Counter("console_usage_flushes_total", "Usage flush runs by result.", ["result"])
USAGE_FLUSH_ROWS = Counter("console_usage_flush_rows_total", "Usage rows (fields) folded into PostgreSQL.")
USAGE_FLUSH_CALLS = Counter("console_usage_flush_calls_total", "API calls folded into PostgreSQL.")
USAGE_METERING_LOST = Counter(
    "console_usage_metering_lost_total", "API calls not counted because Redis was unreachable."
)
USAGE_FLUSH_LAST_SUCCESS = Gauge(
    "console_usage_flush_last_success_timestamp_seconds",
    "Unix time of the last successful usage flush (written by the flush task).",
    multiprocess_mode="max",
)
DEPRECATION_NOTICES = Counter(
    "console_deprecation_notices_total",
    "Deprecation notices by result (sent, resumed after a dead run, failed run).",
    ["result"],
)
WEBHOOK_DELIVERIES = Counter(
    "console_webhook_deliveries_total",
    "Webhook delivery attempts by result (succeeded, retry, gave_up, refused, skipped, error).",
    ["result"],
)

# --- Celery -------------------------------------------------------------------------------------------

CELERY_TASKS = Counter(
    "console_celery_tasks_total",
    "Celery task runs by task name and outcome (succeeded, failed, retried).",
    ["task", "outcome"],
)
CELERY_TASK_DURATION = Histogram(
    "console_celery_task_duration_seconds",
    "Celery task run time by task name.",
    ["task"],
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0),
)
CELERY_QUEUE_LENGTH = Gauge(
    "console_celery_queue_length",
    "Messages waiting in each Celery queue (LLEN, sampled by beat).",
    ["queue"],
    multiprocess_mode="mostrecent",
)
CELERY_QUEUE_OLDEST_AGE = Gauge(
    "console_celery_queue_oldest_age_seconds",
    "Age of the oldest waiting message of each queue (0 when empty; sampled by beat).",
    ["queue"],
    multiprocess_mode="mostrecent",
)
BEAT_LAST_TICK = Gauge(
    "console_beat_last_tick_timestamp_seconds",
    "Unix time of the schedule-holding beat's last tick.",
    multiprocess_mode="max",
)

# Bounded label sets start at zero, so rate() and ratios have a series before the first event.
for _where in ("key_verification", "throttle", "gateway_verify", "auth_cooloff"):
    REQUESTPATH_REDIS_FAILURES.labels(_where)
for _kind in ("oauth_client", "apikey_address"):
    AUTH_COOLOFFS.labels(_kind)
for _result in ("success", "failure"):
    USAGE_FLUSHES.labels(_result)
for _result in ("sent", "resumed", "failed_run"):
    DEPRECATION_NOTICES.labels(_result)
for _result in ("succeeded", "retry", "gave_up", "refused", "skipped", "error"):
    WEBHOOK_DELIVERIES.labels(_result)

# Derived at scrape time from the gauges above (a frozen timestamp can't alert by itself).
FLUSH_LAG_NAME = "console_usage_flush_lag_seconds"
BEAT_AGE_NAME = "console_beat_heartbeat_age_seconds"
DERIVED = {
    FLUSH_LAG_NAME: (
        "console_usage_flush_last_success_timestamp_seconds",
        "Seconds since the last successful usage flush.",
    ),
    BEAT_AGE_NAME: ("console_beat_last_tick_timestamp_seconds", "Seconds since the last beat tick."),
}


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _Snapshot:
    """A collector that replays families collected once (plus the derived ones)."""

    def __init__(self, families):
        self.families = families

    def collect(self):
        return self.families


def collect_families(now: float | None = None) -> list:
    """Every family of this host's processes (multiprocess mode) or of this process, plus the
    derived ages (seconds since a timestamp gauge), computed once per scrape."""
    if multiprocess_dir():
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        families = list(registry.collect())
    else:
        families = list(REGISTRY.collect())
    now = time.time() if now is None else now
    latest = {
        sample.name: sample.value
        for family in families
        for sample in family.samples
        if sample.name in {source for source, _ in DERIVED.values()}
    }
    for name, (source, documentation) in DERIVED.items():
        if latest.get(source):
            families.append(GaugeMetricFamily(name, documentation, value=max(0.0, now - latest[source])))
    return families


def exposition() -> bytes:
    return generate_latest(_Snapshot(collect_families()))


def token_matches(authorization: str) -> bool:
    """Is this Authorization header `Bearer <METRICS_TOKEN>`? Never with METRICS_TOKEN unset."""
    token = settings.METRICS_TOKEN
    if not token:
        return False
    scheme, _, presented = authorization.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(presented.strip().encode(), token.encode())


def authorized(request) -> bool:
    return token_matches(request.headers.get("Authorization", ""))


def metrics_view(request):
    """GET /metrics: Prometheus text, only for the bearer of METRICS_TOKEN; a 404 otherwise."""
    if request.method != "GET" or not authorized(request):
        raise Http404("Not found")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


def serve(port: int, host: str = "0.0.0.0"):  # noqa: S104 (a container's port, behind the token)
    """/metrics of a process without a web server (a Celery worker, beat), on its own port, with the
    same token and the same 404s; started by config/celery.py when METRICS_PORT is set. A prefork
    worker's pool processes write to PROMETHEUS_MULTIPROC_DIR and this answers for all of them."""
    from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

    def app(environ, start_response):
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("PATH_INFO") != "/metrics":
            authorized_request = False
        else:
            authorized_request = token_matches(environ.get("HTTP_AUTHORIZATION", ""))
        if not authorized_request:
            start_response("404 Not Found", [("Content-Type", "text/plain")])
            return [b"Not found"]
        start_response("200 OK", [("Content-Type", CONTENT_TYPE_LATEST)])
        return [exposition()]

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, format, *args):  # noqa: A002 (the base class's signature)
            pass

    class Server(WSGIServer):
        allow_reuse_address = True

    server = make_server(host, port, app, server_class=Server, handler_class=QuietHandler)
    threading.Thread(target=server.serve_forever, name="console-metrics", daemon=True).start()
    return server
