"""Notices with a REAL Celery worker against Redis: the worker is killed with SIGKILL while it sends
the first notice, then a new worker runs the task twice. Every tenant gets each milestone exactly
once: the dead worker's claim is resumed, nothing is claimed twice.

The workers are subprocesses (`celery -A config worker -P solo`) on this test's database, listening
on a queue of their own; waits poll the database, the spool and the worker log, with a hard timeout.
"""

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F
from django.utils import timezone

from governance.models import (
    DeprecationNotice,
    MigrationLedgerEntry,
)
from governance.tasks.deprecations import send_deprecation_notices
from tests.governance.deprecation_fixtures import add_traffic, payments_v1_announced_yesterday

pytestmark = pytest.mark.django_db(transaction=True)
ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 60.0
LEASE_SECONDS = 600


@pytest.fixture
def broker(settings):
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = False  # this test sends real messages
    yield settings.REDIS_URL
    app.conf.task_always_eager = before


@pytest.fixture
def worker(broker, tmp_path):
    """worker(**env) -> a started worker process on this test's queue (killed at teardown)."""
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"test-notices-{uuid.uuid4().hex[:10]}"
    spool = tmp_path / "spool"
    spool.mkdir()
    started = []

    def start(**extra):
        log = tmp_path / f"worker-{len(started)}.log"
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": str(ROOT),
            "DEBUG": "true",  # the development secrets, as the suite's own settings (tests/settings.py)
            "DATABASE_URL": database_url,
            "REDIS_URL": broker,
            "CELERY_BROKER_URL": broker,
            "EMAIL_BACKEND": "tests.governance.mail_spool.SpoolBackend",
            "MAIL_SPOOL_DIR": str(spool),
            "DEPRECATION_NOTICE_LEASE_SECONDS": str(LEASE_SECONDS),
            "APIKEY_REDIS_PREFIX": f"test:{queue}:",
            **extra,
        }
        process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-P",
                "solo",
                "-Q",
                queue,
                "-l",
                "info",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"{queue}-{len(started)}@%h",
            ],
            cwd=ROOT,
            env=env,
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        process.log = log
        started.append(process)
        return process

    start.queue, start.spool = queue, spool
    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait(timeout=10)


def wait_for(condition, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out after {TIMEOUT:.0f}s waiting for {what}")


def run_task(worker_process, queue) -> None:
    """Send the beat task to the worker and wait until the worker logs it succeeded."""
    result = send_deprecation_notices.apply_async(queue=queue)
    wait_for(
        lambda: f"[{result.id}] succeeded" in worker_process.log.read_text() or worker_process.poll() is not None,
        f"task {result.id}",
    )
    assert worker_process.poll() is None, worker_process.log.read_text()


def sent_mails(spool) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted(spool.glob("*.json"))]


def test_a_worker_killed_mid_send_is_resumed_and_nothing_is_sent_twice(worker, acme, globex, owner, outsider):
    now = timezone.now()
    v1 = payments_v1_announced_yesterday()
    add_traffic(acme, v1, at=now - timedelta(days=2))
    add_traffic(globex, v1, at=now - timedelta(days=3))

    # 1. A worker claims the first notice and hangs in the middle of sending it: kill -9.
    first = worker(MAIL_SPOOL_BLOCK="1")
    send_deprecation_notices.apply_async(queue=worker.queue)
    wait_for(lambda: (worker.spool / "blocked").exists() or first.poll() is not None, "the first e-mail")
    assert first.poll() is None, first.log.read_text()
    os.kill(first.pid, signal.SIGKILL)
    first.wait(timeout=10)
    [claimed] = DeprecationNotice.objects.across_tenants().all()
    assert (claimed.status, claimed.emailed_at) == ("claimed", None)
    assert sent_mails(worker.spool) == []

    # 2. The lease runs out (aged here rather than waited for).
    DeprecationNotice.objects.across_tenants().update(claimed_at=F("claimed_at") - timedelta(seconds=LEASE_SECONDS + 1))

    # 3. A new worker runs the task twice.
    second = worker()
    run_task(second, worker.queue)
    run_task(second, worker.queue)

    mails = sent_mails(worker.spool)
    assert sorted(m["to"][0] for m in mails) == ["alice@acme.test", "carol@globex.test"]
    assert all(m["subject"] == "[API console] payments v1 is deprecated" for m in mails)
    notices = {n.tenant_id: n for n in DeprecationNotice.objects.across_tenants().all()}
    assert set(notices) == {acme.pk, globex.pk}
    assert all(n.status == "sent" and n.emailed_at and n.sent_at for n in notices.values())
    assert notices[claimed.tenant_id].attempts == 2  # the dead worker's claim, resumed once
    assert MigrationLedgerEntry.objects.across_tenants().filter(state="notified").count() == 2
    assert settings.CELERY_TASK_ACKS_LATE  # the killed run's message was not acknowledged either


def test_a_worker_on_a_rotated_secret_key_signs_with_a_secret_stored_under_the_old_one(worker, acme):
    """SECRET_KEY rotated, the old one kept in SECRET_KEY_FALLBACKS: a real worker process reads a
    webhook secret stored under the old key and signs a delivery the receiver verifies with the
    `standardwebhooks` package."""
    from governance.models import WebhookDelivery, WebhookEndpoint
    from governance.services import webhooks
    from governance.tasks.deprecations import deliver_webhook
    from governance.webhooks import signing
    from tests.governance.webhook_receiver import Receiver

    with Receiver() as receiver:
        secret = signing.generate_secret()  # stored under this process's SECRET_KEY: the old one
        endpoint = WebhookEndpoint.objects.create(
            tenant=acme, url=receiver.url + "/hooks", secret_encrypted=signing.encrypt_secret(secret)
        )
        delivery = WebhookDelivery.objects.create(
            endpoint=endpoint,
            tenant=acme,
            message_id=webhooks.message_id("rotation", endpoint.pk),
            event_type="deprecation.milestone",
            payload={"type": "deprecation.milestone", "data": {"api": "payments"}},
        )
        rotated = worker(
            SECRET_KEY="rotated-" + uuid.uuid4().hex * 2,
            SECRET_KEY_FALLBACKS=settings.SECRET_KEY,
            WEBHOOK_ALLOW_PRIVATE_NETWORKS="true",  # only to reach the local receiver
        )
        result = deliver_webhook.apply_async(args=[delivery.pk], queue=worker.queue)
        finished = (f"[{result.id}] succeeded", f"[{result.id}] raised", f"[{result.id}] retry")
        wait_for(
            lambda: any(line in rotated.log.read_text() for line in finished) or rotated.poll() is not None,
            f"task {result.id}",
        )
        assert f"[{result.id}] succeeded" in rotated.log.read_text(), rotated.log.read_text()
    delivery.refresh_from_db()
    assert delivery.status == "succeeded", (delivery.last_error, rotated.log.read_text())
    assert receiver.verified(secret) == [{"type": "deprecation.milestone", "data": {"api": "payments"}}]
