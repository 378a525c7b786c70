import os

# OpenTelemetry stays out of the process unless tracing is on (config/tracing.py): redis-py imports it
# by itself whenever it is installed, so it is marked unavailable here, before anything imports redis.
from config.tracing import keep_opentelemetry_out

keep_opentelemetry_out()

# Prometheus multiprocess mode (config/metrics.py) writes into this directory from the first metric
# created on; make sure it exists in every process that is given one (gunicorn, Celery, beat).
# A worker or beat that serves its own metrics (METRICS_PORT) needs one for its pool processes.
if os.environ.get("METRICS_PORT") and not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    import tempfile

    os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="console-metrics-")
if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.makedirs(os.environ["PROMETHEUS_MULTIPROC_DIR"], exist_ok=True)

# Load the Celery app whenever Django starts so @shared_task binds to it.
from config.celery import app as celery_app  # noqa: E402

__all__ = ("celery_app",)
