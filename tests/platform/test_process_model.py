"""The production process model as real processes: `tools/prod.py` (what `make prod` runs) starts
migrate, then gunicorn, the two workers and beat with DEBUG off; requests are served, a task runs
end to end on a worker, and SIGTERM in the middle of a slow request and of a running task lets the
request complete and the task finish exactly once. A second beat never doubles a schedule.

The child processes use tests/platform/prod_settings.py: the production settings plus a slow page,
a slow task and a one-second beat schedule, on a database and a Redis database of their own.
"""

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import psycopg
import pytest
import redis
from django.conf import settings

from tests.faults.processes import free_port, wait_until  # the process helpers the fault tests share

ROOT = Path(__file__).resolve().parents[2]
REDIS_DB = 12


def get(url: str, headers: dict | None = None, timeout: float = 15) -> tuple[int, bytes, dict]:
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **(headers or {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (localhost)
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


@pytest.fixture(scope="module")
def prod_env():
    """A fresh database and Redis database for the processes, and their environment."""
    db = settings.DATABASES["default"]
    server = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}"
    name = f"console_pm_{uuid.uuid4().hex[:8]}"
    redis_url = re.sub(r"/\d*$", f"/{REDIS_DB}", settings.REDIS_URL)
    redis.Redis.from_url(redis_url).flushdb()
    env = {
        "PATH": f"{ROOT / '.venv' / 'bin'}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "DJANGO_SETTINGS_MODULE": "tests.platform.prod_settings",
        "DATABASE_URL": f"{server}/{name}",
        "REDIS_URL": redis_url,
        "PORT": str(free_port()),
        "WEB_CONCURRENCY": "2",
        "PROD_GRACE_SECONDS": "25",
        "BEAT_LOCK_SECONDS": "3",
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": str(ROOT),
    }
    yield env
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    redis.Redis.from_url(redis_url).flushdb()


def manage(env, *args, timeout=120) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**env, "DEBUG": "false", "SECRET_KEY": env["SECRET_KEY"], "APIKEY_PEPPER": env["APIKEY_PEPPER"]},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def prod(prod_env):
    """`make prod`'s process tree, started once for the module; stopped (SIGTERM) by the last test."""
    env = {**prod_env, "SECRET_KEY": "pm-" + uuid.uuid4().hex * 2, "APIKEY_PEPPER": "pm-" + uuid.uuid4().hex}
    (ROOT / ".services").mkdir(exist_ok=True)
    with open(ROOT / ".services" / "prod-test.log", "w") as log:  # the processes' output, for a failure
        process = subprocess.Popen(
            [sys.executable, "tools/prod.py"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{env['PORT']}"
    try:
        wait_until(lambda: _answers(base + "/healthz"), 90, "gunicorn to answer /healthz")
        yield {"process": process, "base": base, "env": env}
    finally:
        _stop(process)


def _children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _stop(process) -> None:
    """honcho runs each process in a group of its own: stop them all, whatever happened."""
    if process.poll() is not None:
        return
    groups = _children(process.pid)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(40)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)
    for group in groups:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(group, signal.SIGKILL)


def _answers(url: str) -> bool:
    try:
        return get(url, timeout=2)[0] == 200
    except OSError:
        return False


def test_it_serves_with_debug_off(prod):
    status, body, headers = get(prod["base"] + "/api/v1/schema/")
    assert status == 200 and b"openapi" in body
    assert headers.get("X-Request-ID")
    status, body, _ = get(prod["base"] + "/no-such-page/")
    assert status == 404 and b"Traceback" not in body and b"DEBUG = True" not in body
    # Without the load balancer's X-Forwarded-Proto, a page is redirected to https (DEBUG off).
    plain = urllib.request.Request(prod["base"] + "/api/v1/schema/")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    with pytest.raises(urllib.error.HTTPError) as redirect:
        urllib.request.build_opener(NoRedirect).open(plain, timeout=10)
    assert redirect.value.code == 301 and redirect.value.headers["Location"].startswith("https://")


def test_a_task_runs_end_to_end_on_the_reviews_worker(prod):
    env = prod["env"]
    seeded = manage(env, "seed_demo", "--force")
    assert seeded.returncode == 0, seeded.stderr
    spec = ROOT / "governance" / "demo_specs" / "payments_v2_proposed.yaml"
    submitted = manage(env, "submit_spec", "--api", "payments", "--version", "v2", str(spec), "--wait")
    assert submitted.returncode in (0, 1), submitted.stderr  # 1: the review found breaking changes
    assert "ready" in submitted.stdout and "ERR" in submitted.stdout, submitted.stdout


def _beat(env, log_path):
    return subprocess.Popen(
        ["platform/docker/entrypoint.sh", "beat"],
        cwd=ROOT,
        env=env,
        stdout=open(log_path, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def test_a_second_beat_never_fires_a_schedule_twice_and_takes_over_when_the_first_dies(prod, tmp_path):
    """Two beats on one broker (a Redis database of their own), a one-second schedule, no worker:
    the queue grows by about one message a second, not two. Killing the lock holder (SIGKILL: no
    clean release) hands the schedule to the other within the lock's life (BEAT_LOCK_SECONDS=3)."""
    env = {
        **prod["env"],
        "DEBUG": "false",
        "REDIS_URL": re.sub(r"/\d+$", "/13", prod["env"]["REDIS_URL"]),
        "LOG_LEVEL": "INFO",
    }
    broker = redis.Redis.from_url(env["REDIS_URL"])
    broker.flushdb()
    beats = [_beat(env, tmp_path / f"beat{i}.log") for i in range(2)]
    try:
        holder = wait_until(lambda: broker.get("console:beat:lock"), 30, "a beat to take the lock").decode()
        holder_pid = int(holder.split(":")[1])
        assert holder_pid in [b.pid for b in beats]
        broker.delete("default")
        time.sleep(6)
        sent = broker.llen("default")
        assert 4 <= sent <= 8, f"{sent} messages in 6 s from two beats on a 1 s schedule"

        os.kill(holder_pid, signal.SIGKILL)
        survivor = next(b for b in beats if b.pid != holder_pid)
        wait_until(
            lambda: (broker.get("console:beat:lock") or b"").decode().split(":")[1:2] == [str(survivor.pid)],
            10,
            "the surviving beat to take the lock over",
        )
        before = broker.llen("default")
        time.sleep(4)
        assert 2 <= broker.llen("default") - before <= 6
        assert survivor.poll() is None
    finally:
        for beat in beats:
            if beat.poll() is None:
                beat.send_signal(signal.SIGTERM)
                beat.wait(15)
        broker.flushdb()


def test_sigterm_lets_the_slow_request_finish_and_the_running_task_run_exactly_once(prod):
    """Last in the module: it stops the processes."""
    env, base = prod["env"], prod["base"]
    counters = redis.Redis.from_url(env["REDIS_URL"])
    key = f"pm-{uuid.uuid4().hex[:8]}"
    enqueued = manage(
        env, "shell", "-c", f"from config.celery import enqueue; enqueue('tests.slow_task', '{key}', 4.0)"
    )
    assert enqueued.returncode == 0, enqueued.stderr
    wait_until(lambda: counters.get(f"{key}:started"), 30, "the slow task to start on a worker")

    answer = {}
    request = threading.Thread(
        target=lambda: answer.update(zip(("status", "body", "headers"), get(base + "/slow/?seconds=4", timeout=30)))
    )
    request.start()
    time.sleep(1.0)  # the request is in gunicorn's hands, the task mid-run
    prod["process"].send_signal(signal.SIGTERM)  # as the orchestrator stops a deployment

    request.join(30)
    assert answer.get("status") == 200 and b'"slept": 4.0' in answer["body"]
    prod["process"].wait(40)
    assert counters.get(f"{key}:started") == b"1"
    assert counters.get(f"{key}:finished") == b"1"  # finished during the soft shutdown, never redelivered
