"""/healthz and /readyz: is the process alive, and do its dependencies answer?

/healthz (liveness) touches nothing: 200 while the process can serve a request. A failing database
must not make the orchestrator kill every web task at once.

/readyz (readiness) runs django-health-check's checks concurrently, each bounded by
READINESS_TIMEOUT_SECONDS, and answers JSON, 200 when all pass and 503 naming the failing ones:

    database     SELECT 1 on the default database
    migrations   no migration left unapplied (a web task started before `migrate` finished is not ready)
    cache        a set/get round trip on the Django cache (Redis in production)
    redis        PING on the request path's Redis (APIKEY_REDIS_URL), when there is one
    broker       a connection to the Celery broker, when there is one (no worker is needed)

Both are exempt from the HTTPS redirect (SECURE_REDIRECT_EXEMPT): load balancers probe over HTTP.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime

from asgiref.sync import async_to_sync
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers
from health_check import Cache, Database, HealthCheck
from health_check.contrib.redis import Redis
from health_check.exceptions import ServiceUnavailable


def _timeout() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.READINESS_TIMEOUT_SECONDS)


@dataclasses.dataclass
class Migrations(HealthCheck):
    """Every migration on disk is applied to the database."""

    alias: str = DEFAULT_DB_ALIAS

    def run(self) -> None:
        connection = connections[self.alias]
        try:
            executor = MigrationExecutor(connection)
            pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
        except Exception as exc:
            raise ServiceUnavailable("Could not read the applied migrations") from exc
        finally:
            connection.close()  # this check's own thread's connection
        if pending:
            names = ", ".join(f"{m.app_label}.{m.name}" for m, _ in pending[:5])
            raise ServiceUnavailable(f"{len(pending)} unapplied migration(s): {names}")


@dataclasses.dataclass
class Broker(HealthCheck):
    """The Celery broker accepts a connection (what enqueueing needs; no worker has to answer)."""

    timeout: datetime.timedelta = dataclasses.field(default_factory=_timeout, repr=False)

    def run(self) -> None:
        from config.celery import app

        try:
            with app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=0, timeout=max(1, round(self.timeout.total_seconds())))
        except Exception as exc:
            # The message names no URL: it may carry a password.
            raise ServiceUnavailable(f"The Celery broker is unreachable ({type(exc).__name__})") from exc


def _redis_client():
    from redis.asyncio import Redis as AsyncRedis

    seconds = settings.READINESS_TIMEOUT_SECONDS
    return AsyncRedis.from_url(settings.APIKEY_REDIS_URL, socket_connect_timeout=seconds, socket_timeout=seconds)


def checks() -> dict[str, HealthCheck]:
    found: dict[str, HealthCheck] = {
        "database": Database(),
        "migrations": Migrations(),
        "cache": Cache(timeout=_timeout()),
    }
    if settings.APIKEY_REDIS_URL:
        found["redis"] = Redis(client_factory=_redis_client)
    if settings.CELERY_BROKER_URL:
        found["broker"] = Broker()
    for check in found.values():
        check.timeout = _timeout()
    return found


async def _results(named: dict[str, HealthCheck]) -> dict[str, str | None]:
    results = await asyncio.gather(*(check.get_result() for check in named.values()))
    return {name: (str(result.error) if result.error else None) for name, result in zip(named, results, strict=True)}


def readiness() -> dict[str, str | None]:
    """{component: None when it answers, else why not}."""
    return async_to_sync(_results)(checks())


def healthz(request):
    response = JsonResponse({"status": "ok"})
    add_never_cache_headers(response)
    return response


def readyz(request):
    results = readiness()
    failing = sorted(name for name, error in results.items() if error)
    body = {
        "status": "unavailable" if failing else "ok",
        "failing": failing,
        "checks": {name: error or "ok" for name, error in results.items()},
    }
    response = JsonResponse(body, status=503 if failing else 200)
    add_never_cache_headers(response)
    return response


class InternalEndpointsMiddleware:
    """/healthz, /readyz and /metrics answer whatever the Host header says.

    The load balancer's health checks and Prometheus reach a task by its private address (Host:
    10.0.3.7:8000), which is not, and should not be, in ALLOWED_HOSTS: CommonMiddleware would answer
    400 and every deployment would roll back as unhealthy. These three views read nothing of the
    host (the metrics one still wants its token), so they are served here, before host validation."""

    def __init__(self, get_response):
        self.get_response = get_response
        from config import metrics

        self.views = {"/healthz": healthz, "/readyz": readyz, "/metrics": metrics.metrics_view}

    def __call__(self, request):
        view = self.views.get(request.path_info)
        if view is not None:
            return view(request)
        return self.get_response(request)
