"""`make prod`: the production process model (platform/Procfile) on this machine, as real processes.

DEBUG off; PostgreSQL and Redis from DATABASE_URL / REDIS_URL, or the ones tools/test_services.py
finds or starts (database "console_prod", created if missing). SECRET_KEY and APIKEY_PEPPER are
generated for this run only when unset, and it says so. Then: collect static files, migrate (the
one-off that runs before web serves), and honcho runs web, the workers and beat until Ctrl-C or
SIGTERM, which each process handles gracefully (PROD_GRACE_SECONDS before honcho kills what's left).

TLS is the load balancer's job in production: requests here must say `X-Forwarded-Proto: https`
(as the ALB does) or they are redirected; /healthz, /readyz and /metrics answer plain HTTP.

Metrics: every process (gunicorn's workers, the Celery workers, beat) writes to one fresh
PROMETHEUS_MULTIPROC_DIR (made for this run unless given, emptied first, removed at the end), so
GET /metrics with `Authorization: Bearer $METRICS_TOKEN` answers for all of them. METRICS_TOKEN is
generated for the run when unset, and printed.
"""

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = ROOT / ".venv" / "bin"


def say(message: str) -> None:
    print(f"make prod: {message}", flush=True)


def services(env: dict) -> None:
    if env.get("DATABASE_URL") and env.get("REDIS_URL"):
        return
    out = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "test_services.py"), "env"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name, value in re.findall(r"^export (\w+)=(\S+)$", out, re.M):
        if name == "DATABASE_URL":
            value = re.sub(r"/[^/]*$", "/console_prod", value)
        env.setdefault(name, value)


def create_database(url: str) -> None:
    import psycopg

    match = re.match(r"^(postgres(?:ql)?://[^/]+)/([^/?]+)", url)
    if match is None:
        return
    server, name = match.groups()
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone() is None:
            conn.execute(f'CREATE DATABASE "{name}"')
            say(f"created database {name}")


def prepare_env() -> dict:
    env = dict(os.environ)
    env["DEBUG"] = "false"
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.setdefault("PORT", "8000")
    env.setdefault("HOST", "127.0.0.1")
    env.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    env.setdefault("WEB_CONCURRENCY", "2")
    for name, length in (("SECRET_KEY", 50), ("APIKEY_PEPPER", 32)):
        if not env.get(name):
            env[name] = secrets.token_urlsafe(length)
            say(
                f"{name} is unset: generated a throwaway one for this run "
                "(sessions and API keys made now won't survive a restart)"
            )
    if not env.get("METRICS_TOKEN"):
        env["METRICS_TOKEN"] = secrets.token_urlsafe(24)
        say(f"METRICS_TOKEN is unset: generated {env['METRICS_TOKEN']} for this run (GET /metrics with it)")
    services(env)
    return env


def metrics_dir(env: dict) -> tuple[str, bool]:
    """An empty PROMETHEUS_MULTIPROC_DIR shared by every process of the run; (path, made here)."""
    given = env.get("PROMETHEUS_MULTIPROC_DIR")
    if given:
        os.makedirs(given, exist_ok=True)
        for name in os.listdir(given):
            if name.endswith(".db"):
                os.unlink(os.path.join(given, name))
        return given, False
    env["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="console-metrics-")
    return env["PROMETHEUS_MULTIPROC_DIR"], True


def _terminate_main_process(self, pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGTERM)


def main() -> int:
    env = prepare_env()
    create_database(env["DATABASE_URL"])
    say(f"DATABASE_URL={env['DATABASE_URL']} REDIS_URL={env['REDIS_URL']} PORT={env['PORT']}")
    python = str(VENV_BIN / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(["platform/docker/entrypoint.sh", "migrate"], cwd=ROOT, env=env, check=True)
    directory, made_here = metrics_dir(env)
    say(f"PROMETHEUS_MULTIPROC_DIR={directory}")
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    from honcho import compat, manager
    from honcho.command import main as honcho

    # honcho gives processes 5 s after SIGTERM; gunicorn and the workers need their graceful time.
    manager.KILL_WAIT = int(env.get("PROD_GRACE_SECONDS", "30"))
    # ...and it sends SIGTERM to each process group, reaching Celery's pool children and gunicorn's
    # workers directly, which then die mid-task. An orchestrator (ECS, docker stop) signals only the
    # main process, which then stops its children gracefully: do as it does.
    compat.ProcessManager.terminate = _terminate_main_process
    try:
        honcho(["start", "--procfile", "platform/Procfile", "--app-root", str(ROOT)])
    finally:
        if made_here:
            shutil.rmtree(directory, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
