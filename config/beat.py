"""Exactly one beat: django-celery-beat's DatabaseScheduler (schedules editable in the admin) that
fires only while it holds a lock in Redis.

A deploy, a restart or a mistake can start a second beat; without a lock both would send every
periodic task. The lock is a Redis key with a TTL, taken with SET NX and renewed on every tick by its
holder only (compare-and-renew in one Lua call). A beat that doesn't hold it sends nothing and asks
again every LOCK_RETRY_SECONDS; when the holder dies its lock expires after BEAT_LOCK_SECONDS and
another beat takes over. On a clean shutdown the holder releases the lock at once.

The holder also reports on the system it drives (config/metrics.py): its heartbeat
(console_beat_last_tick_timestamp_seconds, on every tick) and, every BEAT_SAMPLE_SECONDS, each
Celery queue's depth (LLEN) and the age of its oldest message (the publish time config/celery.py
stamps into every message's headers): console_celery_queue_length / _oldest_age_seconds.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid

import redis
from django.conf import settings
from django_celery_beat.schedulers import DatabaseScheduler

from config import metrics

log = logging.getLogger(__name__)

LOCK_KEY = "console:beat:lock"
LOCK_RETRY_SECONDS = 1.0
_RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) and 1 or 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class SingleBeatScheduler(DatabaseScheduler):
    def __init__(self, *args, **kwargs):
        self.lock_token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self.lock_ms = int(settings.BEAT_LOCK_SECONDS * 1000)
        self.holding = False
        self._redis = redis.Redis.from_url(settings.CELERY_BROKER_URL or settings.REDIS_URL)
        self._sampled_at = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args, **kwargs):
        if not self._hold_lock():
            return LOCK_RETRY_SECONDS
        now = time.time()
        metrics.BEAT_LAST_TICK.set(now)
        if now - self._sampled_at >= settings.BEAT_SAMPLE_SECONDS:
            self._sampled_at = now
            sample_queues(self._redis, now=now)
        # Sleep no longer than a third of the lock's life, so the holder renews it in time.
        return min(super().tick(*args, **kwargs), settings.BEAT_LOCK_SECONDS / 3)

    def _hold_lock(self) -> bool:
        try:
            held = bool(self._redis.eval(_RENEW, 1, LOCK_KEY, self.lock_token, self.lock_ms))
        except redis.RedisError as exc:
            log.error("beat: the lock in Redis is unreachable (%s); sending nothing until it answers", exc)
            held = False
        if held != self.holding:
            log.warning("beat %s %s the schedule lock", self.lock_token, "holds" if held else "lost")
            self.holding = held
        return held

    def close(self):
        if self.holding:
            try:
                self._redis.eval(_RELEASE, 1, LOCK_KEY, self.lock_token)
                log.warning("beat %s released the schedule lock", self.lock_token)
            except redis.RedisError:
                pass  # it expires by itself
        super().close()


def queue_names() -> list[str]:
    """The queues the console routes tasks to (settings.CELERY_TASK_ROUTES) and the default one."""
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values() if "queue" in route}
    return sorted(routed | {settings.CELERY_TASK_DEFAULT_QUEUE})


def _published_at(raw: bytes | None) -> float | None:
    if not raw:
        return None
    try:
        value = json.loads(raw).get("headers", {}).get("published_at")
    except (ValueError, AttributeError):
        return None
    return float(value) if isinstance(value, int | float) else None


def sample_queues(client, *, now: float | None = None) -> dict[str, tuple[int, float]]:
    """LLEN and the oldest message (kombu pushes left, workers pop right) of every queue, in one
    round trip; sets the gauges and returns {queue: (length, oldest age in seconds)}."""
    now = time.time() if now is None else now
    names = queue_names()
    try:
        pipe = client.pipeline(transaction=False)
        for name in names:
            pipe.llen(name)
            pipe.lindex(name, -1)
        replies = pipe.execute()
    except redis.RedisError as exc:
        log.warning("beat: could not sample the queues (%s)", exc)
        return {}
    sampled = {}
    for index, name in enumerate(names):
        length, oldest = int(replies[2 * index]), _published_at(replies[2 * index + 1])
        age = max(0.0, now - oldest) if length and oldest is not None else 0.0
        metrics.CELERY_QUEUE_LENGTH.labels(name).set(length)
        metrics.CELERY_QUEUE_OLDEST_AGE.labels(name).set(age)
        sampled[name] = (length, age)
    stage = os.environ.get("CONSOLE_STAGE")
    if stage:
        publish_to_cloudwatch(stage, sampled, now)
    return sampled


def publish_to_cloudwatch(stage: str, sampled: dict[str, tuple[int, float]], now: float) -> None:
    """On ECS (CONSOLE_STAGE set by platform/aws): one CloudWatch embedded-metric-format line per
    queue on stdout, which the awslogs driver ships and CloudWatch turns into the metrics the
    worker autoscaling and the queue-age alarms read (namespace Console/Celery). Printed whole, not
    through the JSON logger: the document must be the entire line."""
    for queue, (length, age) in sampled.items():
        document = {
            "_aws": {
                "Timestamp": int(now * 1000),
                "CloudWatchMetrics": [
                    {
                        "Namespace": "Console/Celery",
                        "Dimensions": [["Stage", "Queue"]],
                        "Metrics": [
                            {"Name": "console_celery_queue_length", "Unit": "Count"},
                            {"Name": "console_celery_queue_oldest_age_seconds", "Unit": "Seconds"},
                        ],
                    }
                ],
            },
            "Stage": stage,
            "Queue": queue,
            "console_celery_queue_length": length,
            "console_celery_queue_oldest_age_seconds": round(age, 3),
        }
        print(json.dumps(document, separators=(",", ":")), flush=True)
