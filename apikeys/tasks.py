"""Beat tasks of the request path. Both are idempotent: run them as often as you like."""

import logging

from celery import shared_task

from apikeys.requestpath import metering

log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def flush_usage() -> dict:
    """Fold the Redis usage counters into UsageRecord (crash-safe; see apikeys/requestpath/metering.py)."""
    result = metering.flush_usage()
    if result.calls or result.skipped:
        log.info("Usage flushed: %s", result)
    return result.__dict__


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def fold_last_used() -> int:
    return metering.fold_last_used()
