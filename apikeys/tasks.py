"""Beat tasks of the request path. Both are idempotent: run them as often as you like."""

import logging
import time

from celery import shared_task

from apikeys.requestpath import metering
from config import metrics

log = logging.getLogger(__name__)


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def flush_usage() -> dict:
    """Fold the Redis usage counters into UsageRecord (crash-safe; see apikeys/requestpath/metering.py)."""
    try:
        result = metering.flush_usage()
    except Exception:
        metrics.USAGE_FLUSHES.labels("failure").inc()
        raise
    metrics.USAGE_FLUSHES.labels("success").inc()
    metrics.USAGE_FLUSH_ROWS.inc(result.fields)
    metrics.USAGE_FLUSH_CALLS.inc(result.calls)
    metrics.USAGE_FLUSH_LAST_SUCCESS.set(time.time())
    if result.calls or result.skipped:
        log.info("Usage flushed: %s", result)
    return result.__dict__


@shared_task(acks_late=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def fold_last_used() -> int:
    return metering.fold_last_used()
