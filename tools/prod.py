"""`make prod`: the production process model (platform/Procfile) on this machine, as real processes.

DEBUG off; PostgreSQL and Redis from DATABASE_URL / REDIS_URL, or the ones tools/test_services.py
finds or starts (database "console_prod", created if missing). SECRET_KEY and APIKEY_PEPPER are
generated for this run only when unset, and it says so. Then: collect static files, migrate (the
one-off that runs before web serves), and honcho runs web, the workers and beat until Ctrl-C or
SIGTERM, which each process handles gracefully (PROD_GRACE_SECONDS before honcho kills what's left).

TLS is the load balancer's job in production: requests here must say `X-Forwarded-Proto: https`
(as the ALB does) or they are redirected; /healthz, /readyz and /metrics answer plain HTTP.
"""

import os
import re
import secrets
import subprocess
import sys
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
    services(env)
    return env


def main() -> int:
    env = prepare_env()
    create_database(env["DATABASE_URL"])
    say(f"DATABASE_URL={env['DATABASE_URL']} REDIS_URL={env['REDIS_URL']} PORT={env['PORT']}")
    python = str(VENV_BIN / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(["platform/docker/entrypoint.sh", "migrate"], cwd=ROOT, env=env, check=True)
    os.environ.clear()
    os.environ.update(env)
    os.chdir(ROOT)
    from honcho import manager
    from honcho.command import main as honcho

    # honcho gives processes 5 s after SIGTERM; gunicorn and the workers need their graceful time.
    manager.KILL_WAIT = int(env.get("PROD_GRACE_SECONDS", "30"))
    honcho(["start", "--procfile", "platform/Procfile", "--app-root", str(ROOT)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
