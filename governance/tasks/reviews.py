"""Celery tasks of reviews. Each takes ids, loads, calls a service; each is idempotent, so a retry or
a duplicate delivery changes nothing. acks_late: a worker that dies mid-task leaves the message to
be redelivered."""

import logging

from celery import shared_task
from django.db import DatabaseError

from governance.services import reviews

log = logging.getLogger(__name__)


@shared_task(
    name="governance.analyse_review", acks_late=True, autoretry_for=(DatabaseError,), retry_backoff=True, max_retries=5
)
def analyse_review(review_id: int) -> str:
    """Run the OpenAPI engine for a submitted review and store its findings (see
    governance.services.reviews.analyse_review). A hostile document ends the review `failed` with
    the engine's message; only a database error is retried."""
    status = reviews.analyse_review(review_id=review_id)
    log.info("Review %s analysed: %s", review_id, status)
    return status
