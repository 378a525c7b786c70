"""Celery application: Redis broker, JSON only, settings read from Django's CELERY_* values."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("console")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def enqueue(task_name: str, *args, countdown: int = 0) -> None:
    """Send a task by its registered name, so that services never import task modules (tasks import
    services; the other direction would be an import circle). Eager mode (no broker) still runs it
    in process: the signature resolves to the registered task, which honours task_always_eager."""
    app.signature(task_name, args=args).apply_async(countdown=countdown)


def enqueue_on_commit(task_name: str, *args, countdown: int = 0) -> None:
    """enqueue() once the current transaction commits (at once outside one)."""
    from django.db import transaction

    transaction.on_commit(lambda: enqueue(task_name, *args, countdown=countdown))
