"""Tracing and error reporting, each switched on by its variable and imported only then.

OTEL_EXPORTER_OTLP_ENDPOINT set: OpenTelemetry traces over OTLP/HTTP for Django requests, Celery
tasks (publish and run, linked), psycopg queries and Redis commands. The SDK reads the endpoint and
the rest of its configuration (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER, ...)
from the environment. Unset, no `opentelemetry` module is ever imported (keep_opentelemetry_out();
tests/platform/test_observability.py proves it).

SENTRY_DSN set: sentry-sdk reports unhandled exceptions of Django and Celery (no personal data,
credential headers scrubbed). Unset, sentry_sdk is never imported.

Celery's prefork pool forks after the app is set up: the SDK's batch span processor restarts its
export thread in each child (os.register_at_fork), so one setup per process tree suffices.
"""

from __future__ import annotations

import os
import sys

_state = {"tracing": False, "sentry": False}
SERVICE_NAME = "api-governance-console"


def keep_opentelemetry_out() -> None:
    """With tracing off, make `import opentelemetry...` fail (ModuleNotFoundError) in this process.
    Libraries that use it when present (redis-py 8 imports `opentelemetry.sdk.metrics` and
    `opentelemetry.metrics` at import time) catch the ImportError and go without. Called from
    config/__init__.py, which every entry point (manage.py, gunicorn, celery) imports first."""
    if not os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT"):
        sys.modules.setdefault("opentelemetry", None)  # type: ignore[arg-type]


def setup() -> None:
    """Once per process, from ConsoleConfig.ready()."""
    from django.conf import settings

    if settings.OTEL_EXPORTER_OTLP_ENDPOINT and not _state["tracing"]:
        _setup_opentelemetry()
        _state["tracing"] = True
    if settings.SENTRY_DSN and not _state["sentry"]:
        _setup_sentry(settings)
        _state["sentry"] = True


def enabled() -> bool:
    return _state["tracing"]


def _setup_opentelemetry() -> None:
    from opentelemetry import trace
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.celery import CeleryInstrumentor
    from opentelemetry.instrumentation.django import DjangoInstrumentor
    from opentelemetry.instrumentation.psycopg import PsycopgInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    os.environ.setdefault("OTEL_SERVICE_NAME", SERVICE_NAME)
    provider = TracerProvider(resource=Resource.create())
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    trace.set_tracer_provider(provider)
    # /healthz, /readyz and /metrics are polled every few seconds: not worth a trace each.
    os.environ.setdefault("OTEL_PYTHON_DJANGO_EXCLUDED_URLS", "healthz,readyz,metrics")
    DjangoInstrumentor().instrument()
    CeleryInstrumentor().instrument()
    PsycopgInstrumentor().instrument(enable_commenter=False)
    RedisInstrumentor().instrument()


def flush() -> None:
    """Send what is buffered (tests; a process about to exit)."""
    if _state["tracing"]:
        from opentelemetry import trace

        force_flush = getattr(trace.get_tracer_provider(), "force_flush", None)
        if force_flush is not None:
            force_flush()
    if _state["sentry"]:
        import sentry_sdk

        sentry_sdk.flush()


# Headers whose values Sentry must never receive (on top of its own default deny list).
_SENTRY_DENY = [
    "x-api-key",
    "x_api_key",
    "http_x_api_key",
    "client_secret",
    "apikey_pepper",
    "apikey_peppers",
    "metrics_token",
]


def _setup_sentry(settings) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration
    from sentry_sdk.scrubber import DEFAULT_DENYLIST, EventScrubber

    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment=settings.SENTRY_ENVIRONMENT,
        traces_sample_rate=settings.SENTRY_TRACES_SAMPLE_RATE,
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=[*DEFAULT_DENYLIST, *_SENTRY_DENY]),
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
