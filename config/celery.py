"""Celery application: Redis broker, JSON only, settings read from Django's CELERY_* values.

Observability, through Celery's signals (one place for every task):
- the request id travels with the task: before_task_publish stamps it (and the publish time) into
  the message headers, task_prerun makes it the current one again in the worker, so every log line
  of the task names the request that enqueued it;
- one log line per task run (event "task": task, task_id, outcome, duration_ms) and the metrics
  console_celery_tasks_total{task, outcome} and console_celery_task_duration_seconds{task};
- workers keep the console's logging (config/logs.py) instead of Celery's own;
- with METRICS_PORT set, a worker or beat serves its own /metrics there (behind METRICS_TOKEN).
"""

import logging.config
import os
import time

import structlog
from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "request_id"
PUBLISHED_AT_HEADER = "published_at"
_OUTCOMES = {"SUCCESS": "succeeded", "FAILURE": "failed", "RETRY": "retried"}
task_log = structlog.get_logger("console.task")
_running: dict[str, tuple[float, object | None]] = {}  # task id -> (start, request-id token)


def enqueue(task_name: str, *args, countdown: int = 0) -> None:
    """Send a task by its registered name, so that services never import task modules (tasks import
    services; the other direction would be an import circle). Eager mode (no broker) still runs it
    in process: the signature resolves to the registered task, which honours task_always_eager."""
    app.signature(task_name, args=args).apply_async(countdown=countdown)


def enqueue_on_commit(task_name: str, *args, countdown: int = 0) -> None:
    """enqueue() once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: enqueue(task_name, *args, countdown=countdown))


@signals.setup_logging.connect
def keep_console_logging(**_kwargs) -> None:
    """A receiver here stops Celery from configuring logging; apply the console's (settings.LOGGING)."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


@signals.before_task_publish.connect
def stamp_request_id(headers=None, **_kwargs) -> None:
    from config.middleware import current_request_id

    if headers is None:
        return
    request_id = current_request_id()
    if request_id != "-":
        headers.setdefault(REQUEST_ID_HEADER, request_id)
    headers.setdefault(PUBLISHED_AT_HEADER, time.time())


@signals.task_prerun.connect
def task_started(task_id=None, task=None, **_kwargs) -> None:
    from config.middleware import bind_request_id, well_formed_request_id

    # A worker puts a message's headers on the request itself; apply(headers=...) keeps them apart.
    request = task.request if task is not None else None
    headers = (getattr(request, "headers", None) or {}) if request is not None else {}
    offered = well_formed_request_id(getattr(request, REQUEST_ID_HEADER, None) or headers.get(REQUEST_ID_HEADER))
    token = bind_request_id(offered) if offered else None  # eager: the request's id is current already
    _running[task_id] = (time.perf_counter(), token)


@signals.task_postrun.connect
def task_finished(task_id=None, task=None, state=None, **_kwargs) -> None:
    from config.metrics import CELERY_TASK_DURATION, CELERY_TASKS
    from config.middleware import reset_request_id

    started, token = _running.pop(task_id, (None, None))
    name = task.name if task is not None else "unknown"
    outcome = _OUTCOMES.get(state or "", (state or "unknown").lower())
    duration = time.perf_counter() - started if started is not None else 0.0
    CELERY_TASKS.labels(name, outcome).inc()
    CELERY_TASK_DURATION.labels(name).observe(duration)
    try:
        log = task_log.warning if outcome == "failed" else task_log.info
        log("task", task=name, task_id=task_id, outcome=outcome, duration_ms=round(duration * 1000, 2))
    finally:
        if token is not None:
            reset_request_id(token)  # type: ignore[arg-type]


@signals.worker_ready.connect
@signals.beat_init.connect
def serve_metrics(**_kwargs) -> None:
    """METRICS_PORT set: this worker's (or beat's) /metrics on that port (config/metrics.py serve)."""
    port = os.environ.get("METRICS_PORT")
    if port:
        from config.metrics import serve

        serve(int(port))
        logging.getLogger(__name__).info("metrics served on port %s", port)


@signals.worker_process_shutdown.connect
def mark_pool_process_dead(**_kwargs) -> None:
    """A pool process exits: its live gauges leave /metrics (multiprocess mode)."""
    from config.metrics import multiprocess_dir

    if multiprocess_dir():
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(os.getpid())
