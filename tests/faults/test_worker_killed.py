"""A Celery worker is killed (SIGKILL: no cleanup, no acknowledgement) in the middle of POSTing a
webhook of a deprecation notice to a real local receiver. After a new worker starts, each notice
and each delivery row exists exactly once, and every delivery reached the receiver: the one cut
short twice (the killed attempt and its redelivery, with the same webhook-id and a valid signature
each time), the others once. That is the promise (README, "Notices and webhooks survive a worker that dies"):
at-least-once delivery of each row, one stable webhook-id to deduplicate on (Standard Webhooks).

The broker is a redis-server of this test's own; the workers use tests/faults/worker_settings.py,
which only shortens the broker's visibility timeout (the wait before a dead worker's task goes to
another) from an hour to seconds.
"""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import standardwebhooks
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from config.celery import app
from governance.models import (
    DeprecationNotice,
    WebhookDelivery,
)
from governance.services import webhooks
from tenants.principal import Principal
from tests.factories import TenantFactory
from tests.faults.processes import celery_worker, console_env, wait_until
from tests.governance.deprecation_fixtures import add_traffic, payments_v1_announced_yesterday

pytestmark = pytest.mark.django_db(transaction=True)
NOTICES_TASK = "governance.send_deprecation_notices"


class HoldingReceiver:
    """Records every POST; the first one it holds unanswered (the worker is killed meanwhile),
    the rest it answers 204."""

    def __init__(self):
        self.requests: list[dict] = []
        self.held = threading.Event()
        self.release = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                receiver.requests.append({"headers": dict(self.headers), "body": body})
                if not receiver.held.is_set():
                    receiver.held.set()
                    receiver.release.wait(60)
                    return  # never answered: its worker is dead by now
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def ids(self) -> list[str]:
        return [r["headers"]["webhook-id"] for r in self.requests]

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    with HoldingReceiver() as running:
        yield running


@pytest.fixture
def worker_env(settings, redis_server, test_database_url):
    settings.WEBHOOK_ALLOW_PRIVATE_NETWORKS = True  # the receiver is on loopback
    return console_env(
        database_url=test_database_url,
        redis_url=redis_server.url(),
        CELERY_BROKER_URL=redis_server.url(),
        DJANGO_SETTINGS_MODULE="tests.faults.worker_settings",
        DEBUG="true",  # the suite's development SECRET_KEY: the worker decrypts the webhook secrets
        SECRET_KEY=settings.SECRET_KEY,
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",
        APIKEY_REDIS_PREFIX=settings.APIKEY_REDIS_PREFIX,
    )


def send_notices_task(broker_url: str) -> None:
    """What beat does: send the notices task, to this test's broker."""
    with app.connection_for_write(broker_url) as connection:
        app.send_task(NOTICES_TASK, connection=connection, queue="notices")


def task_runs(worker, task: str) -> list[str]:
    """The outcomes of `task` in the worker's log (config/celery.py writes one JSON line per run)."""
    outcomes = []
    for line in worker.read_log().splitlines():
        if line.startswith("{"):
            entry = json.loads(line)
            if entry.get("event") == "task" and entry.get("task") == task:
                outcomes.append(entry["outcome"])
    return outcomes


def deprecation_with_traffic(tenants):
    v1 = payments_v1_announced_yesterday()
    for tenant in tenants:
        add_traffic(tenant, v1, at=timezone.now() - timedelta(days=2))


def test_a_worker_killed_mid_webhook_leaves_one_notice_and_one_delivery_each_sent_again(
    receiver, worker_env, redis_server, tmp_path
):
    tenants = [TenantFactory(slug="acme"), TenantFactory(slug="globex")]
    secrets = {}
    for tenant in tenants:
        with transaction.atomic():
            _, secrets[tenant.pk] = webhooks.create_endpoint(actor=Principal.system(tenant), url=receiver.url)
    deprecation_with_traffic(tenants)

    # 1. The notices task claims and sends both notices and enqueues their deliveries; the worker is
    #    killed while the first delivery's POST waits for its answer.
    first = celery_worker(worker_env, tmp_path / "worker-1.log", queues="notices", name="faults-1")
    send_notices_task(redis_server.url())
    wait_until(lambda: receiver.held.is_set() or not first.alive(), 60, "the first webhook POST", first.log)
    first.kill()
    receiver.release.set()
    scope = {"tenant__in": tenants}
    deliveries = list(WebhookDelivery.objects.across_tenants().filter(**scope))
    assert len(deliveries) == 2 and {d.status for d in deliveries} == {"pending"}
    assert len(DeprecationNotice.objects.across_tenants().filter(**scope)) == 2

    # 2. A new worker: the delivery left in the queue goes out, and the one the dead worker held comes
    #    back from the broker after the visibility timeout and goes out again. Beat fires again too.
    second = celery_worker(worker_env, tmp_path / "worker-2.log", queues="notices", name="faults-2")
    wait_until(
        lambda: (
            WebhookDelivery.objects.across_tenants().filter(**scope, status="succeeded").count() == 2
            or not second.alive()
        ),
        60,
        "both deliveries to succeed",
        second.log,
    )
    send_notices_task(redis_server.url())
    wait_until(lambda: task_runs(second, NOTICES_TASK) == ["succeeded"], 30, "the second notices run", second.log)
    second.stop()

    # Exactly one notice per tenant and milestone, one delivery per notice and endpoint, each sent.
    notices = list(DeprecationNotice.objects.across_tenants().filter(**scope))
    assert sorted((n.tenant_id, n.milestone, n.status) for n in notices) == sorted(
        (t.pk, "announcement", "sent") for t in tenants
    )
    deliveries = list(WebhookDelivery.objects.across_tenants().filter(**scope).order_by("pk"))
    assert len(deliveries) == 2 and len({d.message_id for d in deliveries}) == 2
    assert all((d.status, d.attempts, d.last_status_code) == ("succeeded", 1, 204) for d in deliveries)

    # The receiver: the cut-short delivery twice under one webhook-id, the other once; all signed.
    held_id = receiver.ids()[0]
    assert sorted(receiver.ids()) == sorted([held_id, *(d.message_id for d in deliveries)])
    by_id = {d.message_id: d for d in deliveries}
    for posted in receiver.requests:
        delivery = by_id[posted["headers"]["webhook-id"]]
        payload = standardwebhooks.Webhook(secrets[delivery.tenant_id]).verify(posted["body"], posted["headers"])
        assert payload["type"] == "deprecation.milestone" and payload["data"]["api"] == "payments"
    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
