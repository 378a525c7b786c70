"""Real processes for the fault tests: a private redis-server and PostgreSQL cluster that a test may
stop and start (never the machine's shared ones on :6379 and :5432), gunicorn and Celery workers on
them, and a small HTTP client.

Every wait is bounded: a process that can't start fails the test with its log, never hangs it. A
missing binary fails with the package to install (tools/system_deps.py installs them in CI).
"""

import contextlib
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pytest

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = ROOT / ".venv" / "bin"
START_SECONDS = 60.0

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def wait_until(predicate: Callable[[], T], seconds: float, what: str, log: Path | None = None) -> T:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out after {seconds:.0f}s waiting for {what}{tail(log)}")


def tail(log: Path | None, lines: int = 40) -> str:
    if log is None or not log.exists():
        return ""
    return "\n--- " + str(log) + " ---\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])


def binary(name: str, package: str) -> str:
    found = shutil.which(name) or next(iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        pytest.fail(f"{name} is not installed: install {package} (tools/system_deps.py does it as root)")
    return found


# --- HTTP -----------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


def request(url: str, *, method: str = "GET", headers=None, body: dict | None = None, timeout: float = 20) -> Answer:
    """One HTTP request; an error status is an Answer too. The load balancer's X-Forwarded-Proto
    is sent, as the processes run with DEBUG off (else every call is redirected to https)."""
    data = json.dumps(body).encode() if body is not None else None
    sent = {"X-Forwarded-Proto": "https", **({"Content-Type": "application/json"} if data else {}), **(headers or {})}
    req = urllib.request.Request(url, data=data, method=method, headers=sent)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as response:  # noqa: S310 (localhost)
            return Answer(response.status, dict(response.headers), response.read())
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, dict(exc.headers), exc.read())


# --- Redis ----------------------------------------------------------------------------------------


class RedisServer:
    """A redis-server of this test's own, without persistence: stopping it loses its data, as a
    Redis restarted without RDB/AOF does. start() again comes back on the same port."""

    def __init__(self, directory: Path):
        self.binary = binary("redis-server", "redis-server")
        self.directory = directory
        self.port = free_port()
        self.log = directory / "redis.log"
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> "RedisServer":
        process = subprocess.Popen(  # noqa: S603
            [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
            + ["--dir", str(self.directory), "--logfile", str(self.log)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
        )
        self.process = process
        wait_until(lambda: answers(self.port) or process.poll() is not None, 10, "redis-server", self.log)
        if process.poll() is not None:
            pytest.fail(f"redis-server did not start{tail(self.log)}")
        return self

    def kill(self) -> None:
        """SIGKILL: the server is gone at once, its clients' connections reset."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
            wait_until(lambda: not answers(self.port), 10, "redis-server to stop answering")


# --- PostgreSQL -----------------------------------------------------------------------------------


class PostgresCluster:
    """A PostgreSQL cluster of this test's own (initdb + pg_ctl, as tools/test_services.py makes
    one), run as the postgres user when this is root (initdb refuses root)."""

    def __init__(self, directory: Path):
        self.initdb = binary("initdb", "postgresql")
        self.pg_ctl = binary("pg_ctl", "postgresql")
        self.pg_dump = binary("pg_dump", "postgresql")
        self.psql = binary("psql", "postgresql")
        self.directory = directory
        self.data = directory / "pg"
        self.log = directory / "pg.log"
        self.port = free_port()
        self.run_as: list[str] = []
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
            self.run_as = ["runuser", "-u", "postgres", "--"]

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, *args: str, timeout: float = START_SECONDS) -> None:
        done = subprocess.run(  # noqa: S603
            [*self.run_as, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
        if done.returncode != 0:
            pytest.fail(f"{' '.join(args[:2])} failed: {done.stdout}{done.stderr}{tail(self.log)}")

    def create(self) -> "PostgresCluster":
        self._run(self.initdb, "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8")
        return self.start()

    def start(self) -> "PostgresCluster":
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(self.pg_ctl, "start", "-D", str(self.data), "-w", "-t", "30", "-l", str(self.log), "-o", options)
        return self

    def stop(self, mode: str = "immediate") -> None:
        """`immediate`: as a crash; every session is cut, the next start runs crash recovery."""
        self._run(self.pg_ctl, "stop", "-D", str(self.data), "-m", mode, "-w", "-t", "30")

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def copy_database(self, source_url: str, name: str) -> str:
        """A copy of `source_url` (schema and rows: the suite's migrated test database) as `name`:
        much faster than migrating a new one."""
        self._psql("postgres", f'CREATE DATABASE "{name}"')
        dump = subprocess.run(  # noqa: S603
            [self.pg_dump, "--no-owner", "--no-privileges", source_url],
            capture_output=True,
            timeout=START_SECONDS,
            check=True,
        )
        loaded = subprocess.run(  # noqa: S603
            [self.psql, "-q", "-v", "ON_ERROR_STOP=1", self.url(name)],
            input=dump.stdout,
            capture_output=True,
            timeout=START_SECONDS,
            check=False,
        )
        if loaded.returncode != 0:
            pytest.fail(f"restoring the test database failed: {loaded.stderr.decode(errors='replace')[-2000:]}")
        return self.url(name)

    def _psql(self, database: str, sql: str) -> None:
        subprocess.run([self.psql, "-q", "-c", sql, self.url(database)], check=True, timeout=30, capture_output=True)  # noqa: S603

    def destroy(self) -> None:
        if self.running():
            with contextlib.suppress(BaseException):
                self.stop()


# --- the console's processes ----------------------------------------------------------------------


def console_env(*, database_url: str, redis_url: str, **extra: str) -> dict[str, str]:
    """The environment of a console process with DEBUG off (production settings) on the given stores.
    The caller passes the secrets (SECRET_KEY, APIKEY_PEPPER) the test process uses as well."""
    return {
        "PATH": f"{VENV_BIN}:{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "false",
        "DATABASE_URL": database_url,
        "REDIS_URL": redis_url,
        "LOG_FORMAT": "json",
        "LOG_LEVEL": "INFO",
        **extra,
    }


@dataclass
class Process:
    popen: subprocess.Popen
    log: Path
    env: dict[str, str] = field(repr=False)

    def alive(self) -> bool:
        return self.popen.poll() is None

    def stop(self, sig: int = signal.SIGTERM, seconds: float = 30) -> None:
        if not self.alive():
            return
        self.popen.send_signal(sig)
        try:
            self.popen.wait(seconds)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(10)

    def kill(self) -> None:
        """SIGKILL, as the OOM killer or a lost host does: no cleanup, no acknowledgement."""
        if self.alive():
            os.kill(self.popen.pid, signal.SIGKILL)
            self.popen.wait(10)

    def read_log(self) -> str:
        return self.log.read_text(errors="replace")


def _spawn(args: list[str], env: dict[str, str], log: Path) -> Process:
    with log.open("a") as out:  # O_APPEND: several processes (gunicorn workers) write whole lines
        popen = subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)  # noqa: S603
    return Process(popen, log, env)


class Gunicorn:
    """gunicorn with the production configuration (platform/gunicorn.conf.py), `workers` sync
    workers, metrics summed across them (PROMETHEUS_MULTIPROC_DIR of its own)."""

    def __init__(self, env: dict[str, str], directory: Path, workers: int = 2):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.metrics_token = "faults-" + os.urandom(8).hex()
        metrics_dir = tempfile.mkdtemp(prefix="metrics-", dir=directory)
        self.env = {
            **env,
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "WEB_CONCURRENCY": str(workers),
            "METRICS_TOKEN": self.metrics_token,
            "PROMETHEUS_MULTIPROC_DIR": metrics_dir,
        }
        self.log = directory / f"gunicorn-{self.port}.log"
        self.process: Process | None = None

    def start(self) -> "Gunicorn":
        # (platform/gunicorn.conf.py turns gunicorn 27's shared control socket off)
        args = [str(VENV_BIN / "gunicorn"), "config.wsgi", "-c", "platform/gunicorn.conf.py"]
        self.process = _spawn(args, self.env, self.log)

        def up():
            if not self.process.alive():
                pytest.fail(f"gunicorn exited at start{tail(self.log)}")
            try:
                return request(self.base + "/healthz", timeout=2).status == 200
            except OSError:
                return False

        wait_until(up, START_SECONDS, "gunicorn to answer /healthz", self.log)
        return self

    def stop(self) -> None:
        """SIGINT: gunicorn's quick shutdown (the graceful one is tests/platform's business)."""
        if self.process is not None:
            self.process.stop(signal.SIGINT)

    def metric(self, name: str) -> float:
        """The sum of every sample of the counter family `name` (all labels, all workers)."""
        answer = request(self.base + "/metrics", headers={"Authorization": f"Bearer {self.metrics_token}"})
        assert answer.status == 200, answer
        total = 0.0
        for line in answer.body.decode().splitlines():
            if line.startswith(name + "{") or line.startswith(name + " "):
                total += float(line.rsplit(" ", 1)[1])
        return total


def celery_worker(env: dict[str, str], log: Path, *, queues: str, name: str) -> Process:
    """One Celery worker (solo pool: one task at a time, in the process a test kills)."""
    args = [sys.executable, "-m", "celery", "-A", "config", "worker", "-P", "solo", "-Q", queues, "-l", "info"]
    args += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"{name}@%h"]
    process = _spawn(args, env, log)
    ready = re.compile(rf"{re.escape(name)}@\S+ ready\.")  # Celery's "<node name> ready." line
    wait_until(
        lambda: ready.search(process.read_log()) or not process.alive(),
        START_SECONDS,
        f"worker {name} to be ready",
        log,
    )
    if not process.alive():
        pytest.fail(f"worker {name} exited at start{tail(log)}")
    return process
