"""Production settings: `check --deploy` is clean with a real secret, and the console refuses to
start with DEBUG off and the development secret. Each runs `manage.py` in a fresh process with a
clean environment, as a deployment would."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def manage(*args, **env):
    clean_env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "PYTHONDONTWRITEBYTECODE": "1",
        **env,
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean_env, capture_output=True, text=True, timeout=120
    )


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": secrets.token_urlsafe(50),
    "APIKEY_PEPPER": secrets.token_urlsafe(32),
    "ALLOWED_HOSTS": "console.example.com",
    "SITE_URL": "https://console.example.com",
}


def test_check_deploy_reports_nothing_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.parametrize("secret", [None, "insecure-dev-secret-change-me-0123456789-abcdefghijklmnopqrstuvwxyz"])
def test_debug_off_with_the_default_secret_refuses_to_start(secret):
    env = {**PRODUCTION}
    del env["SECRET_KEY"]
    if secret is not None:
        env["SECRET_KEY"] = secret
    result = manage("check", **env)
    assert result.returncode != 0
    assert "DEBUG is off but SECRET_KEY is the development default" in result.stderr


def test_debug_is_off_unless_the_environment_turns_it_on():
    # A deployment that forgets DEBUG (and SECRET_KEY) must not run on the development secret.
    forgot = manage("check")
    assert forgot.returncode != 0
    assert "DEBUG is off but SECRET_KEY is the development default" in forgot.stderr
    show = ("shell", "--no-imports", "-c", "from django.conf import settings; print(settings.DEBUG)")
    assert manage(*show, **{k: v for k, v in PRODUCTION.items() if k != "DEBUG"}).stdout == "False\n"
    assert manage(*show, DEBUG="true").stdout == "True\n"


def test_make_run_turns_debug_on_for_each_command():
    result = subprocess.run(
        ["make", "--dry-run", "run", "worker", "beat"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    commands = [line for line in result.stdout.splitlines() if "manage.py" in line or "celery" in line]
    assert len(commands) == 6
    assert all(line.startswith("DEBUG=true ") for line in commands), commands


def test_the_default_secret_is_fine_for_development():
    result = manage("check", DEBUG="true")
    assert result.returncode == 0, result.stderr


def test_a_malformed_setting_stops_start_up_with_its_name():
    result = manage("check", **{**PRODUCTION, "DATABASE_CONN_MAX_AGE": "sixty"})
    assert result.returncode != 0
    assert "DATABASE_CONN_MAX_AGE" in result.stderr


def test_on_ecs_the_database_and_redis_come_from_parts_with_their_secrets_apart():
    """platform/aws injects the host, name and user as plain values and the password and the Redis
    auth token as secrets: the settings assemble them, and the real database at DATABASE_URL
    answers when reached that way."""
    from django.conf import settings as test_settings

    db = test_settings.DATABASES["default"]
    parts = {
        **PRODUCTION,
        "DATABASE_HOST": db["HOST"] or "127.0.0.1",
        "DATABASE_PORT": str(db["PORT"] or 5432),
        "DATABASE_NAME": "postgres",
        "DATABASE_USER": db["USER"],
        "DATABASE_PASSWORD": "not/a:url@safe",
        "DATABASE_SSLMODE": "disable",
        "REDIS_HOST": "cache.internal",
        "REDIS_TLS": "true",
        "REDIS_AUTH_TOKEN": "t/o:k@en",
    }
    show = (
        "shell",
        "--no-imports",
        "-c",
        "from django.conf import settings; from django.db import connection; "
        "d = settings.DATABASES['default']; connection.ensure_connection(); "
        "print(d['HOST'], d['NAME'], d['USER'], d['PASSWORD'], d['OPTIONS']['sslmode']); print(settings.REDIS_URL)",
    )
    result = manage(*show, **parts)
    assert result.returncode == 0, result.stderr
    db_line, redis_line = result.stdout.splitlines()[-2:]
    assert db_line == f"{parts['DATABASE_HOST']} postgres {db['USER']} not/a:url@safe disable"
    assert redis_line == "rediss://:t%2Fo%3Ak%40en@cache.internal:6379/0?ssl_cert_reqs=required"
