"""Webhook retries and the give-up, as real tasks on a REAL Celery worker (a subprocess on this test's
database and Redis, tests/governance/test_celery_worker.py's fixture) against a real receiver that
answers 500: no mocks, no eager mode. The delivery row records each attempt, the retries wait the
backoff, and after WEBHOOK_MAX_ATTEMPTS the delivery gives up and is never sent again."""

import time

import pytest
from celery.app.routes import MapRoute
from django.db import transaction
from standardwebhooks import Webhook

from governance.models import WebhookDelivery
from governance.services import webhooks
from governance.tasks.deprecations import backoff
from tenants.principal import Principal
from tests.governance.test_celery_worker import TIMEOUT, broker, worker  # noqa: F401  (fixtures)
from tests.governance.webhook_receiver import Receiver

pytestmark = pytest.mark.django_db(transaction=True)
MAX_ATTEMPTS = 3
RETRY_BASE_SECONDS = 1  # the worker's backoff: 1 s, then 4 s (30 s, then 2 min by default)


@pytest.fixture
def routed_to(worker):  # noqa: F811  (the imported fixture)
    """Send the webhook task, as the service enqueues it after commit, to this test's worker."""
    from config.celery import app

    route = MapRoute({"governance.deliver_webhook": {"queue": worker.queue}})
    app.amqp.routes.insert(0, route)
    yield worker
    app.amqp.routes.remove(route)


def history_of(delivery_id, until_status, seconds=TIMEOUT):
    """Each distinct (status, attempts, last status code) the row goes through, until `until_status`."""
    seen = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        row = (
            WebhookDelivery.objects.across_tenants()
            .filter(pk=delivery_id)
            .values_list("status", "attempts", "last_status_code")
            .get()
        )
        if not seen or seen[-1] != row:
            seen.append(row)
        if row[0] == until_status:
            return seen
        time.sleep(0.05)
    raise AssertionError(f"timed out after {seconds:.0f}s; the delivery went through {seen}")


def test_a_failing_receiver_is_retried_with_backoff_then_given_up(routed_to, settings, acme):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # registration, in this process: the receiver is local
    process = routed_to(
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
        WEBHOOK_MAX_ATTEMPTS=str(MAX_ATTEMPTS),
        WEBHOOK_RETRY_BASE_SECONDS=str(RETRY_BASE_SECONDS),
    )
    with Receiver(status=500, body=b"boom") as receiver:
        with transaction.atomic():
            endpoint, secret = webhooks.create_endpoint(actor=Principal.system(acme), url=receiver.url + "/hooks")
        with transaction.atomic():
            [delivery] = webhooks.enqueue_event(
                tenant=acme, event_type="deprecation.milestone", data={"milestone": "announcement"}, event_key="e-1"
            )
        # On commit, the service enqueued the first attempt; the worker does the rest.
        seen = history_of(delivery.pk, until_status="gave_up")
        assert process.poll() is None, process.log.read_text()

    assert [row for row in seen if row[1]] == [("failed", 1, 500), ("failed", 2, 500), ("gave_up", 3, 500)]
    delivery.refresh_from_db()
    assert delivery.delivered_at is None and delivery.last_error == "Answered 500: boom"

    # Three POSTs of the same message (one webhook-id, a fresh signature each), spaced by the backoff.
    assert len(receiver.requests) == MAX_ATTEMPTS
    ids = {r["headers"]["webhook-id"] for r in receiver.requests}
    assert ids == {delivery.message_id}
    for request in receiver.requests:
        Webhook(secret).verify(request["body"], request["headers"])  # raises when the signature is wrong
    sent_at = [int(r["headers"]["webhook-timestamp"]) for r in receiver.requests]
    gaps = [later - earlier for earlier, later in zip(sent_at, sent_at[1:], strict=False)]
    expected_waits = [RETRY_BASE_SECONDS * 4**n for n in range(MAX_ATTEMPTS - 1)]  # far below the cap
    assert all(gap >= wait for gap, wait in zip(gaps, expected_waits, strict=True)), (gaps, expected_waits)
    assert [backoff(n) for n in range(2)] == [30, 120]  # this process keeps the default

    # Given up is final: another run of the task (a duplicate message, a replay) sends nothing.
    assert webhooks.attempt_delivery(delivery.pk) == webhooks.SKIPPED
    assert len(receiver.requests) == MAX_ATTEMPTS
