"""Celery tasks of deprecations: the notices beat task and webhook deliveries. Both take ids (or
nothing), load, and call a service; both are idempotent."""

import logging

from celery import shared_task
from django.conf import settings
from django.db import DatabaseError

from config import metrics
from governance.services import notices, webhooks

log = logging.getLogger(__name__)

# Exponential backoff between webhook attempts, from settings.WEBHOOK_RETRY_BASE_SECONDS (30 s by
# default: 30 s, 2 min, 8 min, 32 min, then every 55 min). Capped below the Redis broker's visibility
# timeout (1 h, kombu's default): a retry waiting longer than that would be handed out again and run
# twice. Keep the two in step if either changes.
BACKOFF_MAX_SECONDS = 55 * 60


def backoff(retries: int) -> int:
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 4**retries, BACKOFF_MAX_SECONDS)


@shared_task(
    name="governance.send_deprecation_notices",
    acks_late=True,
    autoretry_for=(DatabaseError,),
    retry_backoff=True,
    max_retries=5,
)
def send_deprecation_notices() -> dict:
    """Beat task: notify affected tenants of every due milestone (each at most once per tenant),
    resume notices a dead run claimed, and move the migration ledger on."""
    try:
        result = notices.run()
    except Exception:
        metrics.DEPRECATION_NOTICES.labels("failed_run").inc()
        raise
    metrics.DEPRECATION_NOTICES.labels("sent").inc(result.sent - result.resumed)
    metrics.DEPRECATION_NOTICES.labels("resumed").inc(result.resumed)
    if result.claimed or result.resumed or result.migrated:
        log.info("Deprecation notices: %s", result)
    return result.__dict__


@shared_task(name="governance.deliver_webhook", bind=True, acks_late=True, max_retries=None)
def deliver_webhook(self, delivery_id: int) -> str:
    """One attempt at a webhook delivery; failures are retried with exponential backoff until
    WEBHOOK_MAX_ATTEMPTS, then the delivery is marked gave_up."""
    final = self.request.retries + 1 >= settings.WEBHOOK_MAX_ATTEMPTS
    try:
        outcome = webhooks.attempt_delivery(delivery_id, final=final)
    except Exception:
        metrics.WEBHOOK_DELIVERIES.labels("error").inc()
        raise
    metrics.WEBHOOK_DELIVERIES.labels(outcome).inc()
    if outcome == webhooks.RETRY:
        raise self.retry(countdown=backoff(self.request.retries))
    return outcome
