"""Tasks of the process-model tests: each run is counted in Redis, so a test can tell a task that
ran once from one that was redelivered or cut short."""

import time

import redis
from celery import shared_task
from django.conf import settings


def _redis():
    return redis.Redis.from_url(settings.REDIS_URL)


@shared_task(name="tests.slow_task", acks_late=True)
def slow_task(key: str, seconds: float) -> None:
    _redis().incr(f"{key}:started")
    time.sleep(seconds)
    _redis().incr(f"{key}:finished")


@shared_task(name="tests.beat_tick")
def beat_tick() -> None:
    """Sent by beat every second; the test counts messages in the queue, no worker runs it."""
