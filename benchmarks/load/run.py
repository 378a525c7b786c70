"""Load test of the production process model: locust against `make prod`, keyed and open.

    .venv/bin/python benchmarks/load/run.py [--users 50] [--seconds 60]

1. A database of its own (console_load next to DATABASE_URL's, dropped and recreated each run) and a
   Redis database index of its own (--redis-db, default 11: flushed before and after; refused if it
   holds keys another program left there), then `tools/prod.py` (what `make prod` runs: migrate,
   gunicorn with WEB_CONCURRENCY sync workers, the two Celery workers, one beat, DEBUG off) on a
   free port with throwaway SECRET_KEY / APIKEY_PEPPER / METRICS_TOKEN, until /healthz answers.
   WEB_CONCURRENCY defaults to 2: this machine has 2 cores (gunicorn.conf.py would take 2 x 2 + 1).
   It runs a copy of the work tree taken at the start (`git ls-files`: tracked files and untracked
   ones not ignored; --in-place runs the tree itself): gunicorn re-imports the code in every worker
   it forks, and recycles each one every ~5000 requests, so in place a run would measure, or crash
   on, whatever someone saves meanwhile. Static files are collected into
   $TMPDIR/console-load-static (kept: the next run's collectstatic is quick). If make prod stops
   serving during the test, the run stops there and shows the processes' last lines.
   The child processes use benchmarks.load.settings: the production settings with the URLconf of
   benchmarks/load/urls.py, config.urls plus the open twins.
2. Data through the console's services (benchmarks/load/prepare.py in `manage.py shell -c`): a
   tenant whose staff-set rate budget and a key (tenant:read, staff-raised own limit) are both
   10**9 requests per 60 s, so the load never sees a 429 while every keyed call still goes through
   key verification, both GCRA buckets and the usage counter.
3. Sanity checks (keyed and open answers byte-identical, the key's RateLimit headers, the real
   endpoint refusing a call without a key), then for each pair of endpoints a warm-up of both
   sides, then locust (headless, FastHttpUser, USERS users with no wait time, all started within
   the first second, stopped by --run-time) on the keyed side and on the open side, alternating
   which goes first from round to round:
     tenant  GET /api/v1/tenant/ with X-API-Key   vs  GET /api/v1/load/open/tenant/  (the headline)
     echo    GET /api/v1/load/echo/ with the key  vs  GET /api/v1/load/open/echo/    (a constant)
4. Any answer outside 2xx (or a body of the wrong tenant) is an error; the run fails unless there
   are none. At the end, the usage the console metered for the key (flushed into PostgreSQL) is
   compared with the calls locust made. Prints p50 / p99 / requests per second of each run, where
   the CPU went meanwhile (gunicorn, Celery, honcho, PostgreSQL, Redis, locust, the rest, idle) and
   gunicorn's CPU per request, and last the throughput ratio keyed / open of the tenant endpoint
   (goal >= 80 %). Writes benchmarks/results/load.json. Stops tools/prod.py with SIGTERM (honcho
   then stops its children gracefully), drops the database, flushes the Redis database.

Figures, not assertions (except the error count): on a 2-core machine the load generator, Redis
and PostgreSQL share the cores with gunicorn's 2 workers, and so does whatever else runs there.
"""

import argparse
import contextlib
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
VENV_BIN = ROOT / ".venv" / "bin"
PYTHON = str(VENV_BIN / "python") if (VENV_BIN / "python").exists() else sys.executable
LOCUST = str(VENV_BIN / "locust")
LOCUSTFILE = ROOT / "benchmarks" / "load" / "locustfile.py"
RESULTS = ROOT / "benchmarks" / "results" / "load.json"
SETTINGS = "benchmarks.load.settings"
DB_NAME = "console_load"
REDIS_MARKER = "console-load:owner"  # set in the Redis database this test uses, to recognise it next time
GOAL = 0.80
# tools/prod.py runs collectstatic: into a directory of this test's, kept between runs (a fresh one
# takes most of a minute of CPU on this machine; an up-to-date one a second), never the work tree's.
STATIC_CACHE = Path(tempfile.gettempdir()) / "console-load-static"

BASE_DB = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console")
LOAD_DB = re.sub(r"/[^/]*$", "/" + DB_NAME, BASE_DB)
ADMIN_DB = re.sub(r"/[^/]*$", "/postgres", BASE_DB)
BASE_REDIS = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")

PAIRS = {
    # name: (keyed path, open path, a piece of every right answer)
    "tenant": ("/api/v1/tenant/", "/api/v1/load/open/tenant/", '"slug":"load"'),
    "echo": ("/api/v1/load/echo/", "/api/v1/load/open/echo/", '"ok":true'),
}


def say(message: str) -> None:
    print(f"load: {message}", flush=True)


# --- database, Redis -----------------------------------------------------------------------------


def recreate_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_DB, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DB_NAME}"')


def drop_database() -> None:
    import psycopg

    with psycopg.connect(ADMIN_DB, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}" WITH (FORCE)')


def redis_url(index: int) -> str:
    return re.sub(r"(/\d*)?$", f"/{index}", BASE_REDIS.rstrip("/"), count=1)


def claim_redis(url: str) -> None:
    """The database index must be empty or this test's own (its marker: a previous run that died)."""
    import redis

    client = redis.Redis.from_url(url)
    if client.dbsize() and not client.exists(REDIS_MARKER):
        raise SystemExit(
            f"load: Redis {url} holds {client.dbsize()} keys that are not this test's: "
            "choose an empty database index with --redis-db"
        )
    client.flushdb()
    client.set(REDIS_MARKER, str(os.getpid()))


def flush_redis(url: str) -> None:
    import redis

    redis.Redis.from_url(url).flushdb()


# --- make prod -----------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def snapshot(dest: Path) -> Path:
    """A copy of the work tree as it is now (tracked files and untracked ones git doesn't ignore,
    read with `git ls-files`), with the venv linked in. gunicorn imports the code anew in every
    worker it forks, and it recycles each worker every ~5000 requests (gunicorn.conf.py max_requests):
    run in place, a measurement would pick up, or crash on, edits other people save meanwhile."""
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = ROOT / name
        if source.is_file() and not source.is_symlink():
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    (dest / ".venv").symlink_to(ROOT / ".venv")
    return dest


def prod_env(args, port: int, redis: str, source: Path) -> dict:
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "CELERY_BROKER_URL",
            "APIKEY_REDIS_URL",
            "APIKEY_REDIS_PREFIX",
            "PROMETHEUS_MULTIPROC_DIR",
            "SITE_URL",
            "ALLOWED_HOSTS",
            "HOST",
        }
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": SETTINGS,
            "PYTHONPATH": str(source),
            "DATABASE_URL": LOAD_DB,
            "REDIS_URL": redis,
            "PORT": str(port),
            "WEB_CONCURRENCY": str(args.web_concurrency),
            "DEBUG": "false",
            "SECRET_KEY": "load-" + secrets.token_urlsafe(48),
            "APIKEY_PEPPER": "load-" + secrets.token_urlsafe(32),
            "METRICS_TOKEN": secrets.token_urlsafe(24),
            "PROD_GRACE_SECONDS": "25",
            "LOG_LEVEL": args.log_level,
            "LOAD_STATIC_ROOT": str(STATIC_CACHE),
        }
    )
    return env


def answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 (localhost)
            return response.status == 200
    except OSError:
        return False


def start_prod(env: dict, log_path: Path, source: Path) -> subprocess.Popen:
    log = open(log_path, "wb")  # noqa: SIM115 (the child writes it until it stops)
    process = subprocess.Popen(
        [PYTHON, "tools/prod.py"], cwd=source, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    log.close()
    return process


def wait_healthy(process: subprocess.Popen, env: dict, log_path: Path) -> None:
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"load: tools/prod.py exited ({process.returncode}):\n{tail(log_path)}")
        if answers(base + "/healthz"):
            return
        time.sleep(0.3)
    raise SystemExit(f"load: /healthz did not answer within 180 s:\n{tail(log_path)}")


def tail(path: Path, lines: int = 40) -> str:
    """The end of the processes' output, without the one-line-per-request log lines."""
    try:
        text = path.read_text(errors="replace").splitlines()
    except OSError:
        return ""
    return "\n".join([line for line in text if '"event": "request"' not in line][-lines:])


def check_alive(process: subprocess.Popen, base: str, log_path: Path) -> None:
    """Stop at once, with the processes' last words, when make prod is no longer serving."""
    if process.poll() is not None or not answers(base + "/healthz"):
        state = f"exited ({process.returncode})" if process.poll() is not None else "stopped answering /healthz"
        raise SystemExit(f"load: tools/prod.py {state} during the test:\n{tail(log_path)}")


def children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        for child in children(todo.pop()):
            found.append(child)
            todo.append(child)
    return found


def stop_prod(process: subprocess.Popen) -> dict:
    """SIGTERM to tools/prod.py, as an orchestrator stops a deployment; honcho stops its children
    (each gracefully). Whatever is still there after the grace period is killed, and said."""
    tree = descendants(process.pid)
    groups = {group for group in map(_group_of, tree) if group is not None and group != os.getpgid(0)}
    started = time.monotonic()
    report: dict[str, Any] = {"signal": "SIGTERM"}
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(45)
        except subprocess.TimeoutExpired:
            report["killed"] = "tools/prod.py did not stop within 45 s"
            process.kill()
            process.wait(10)
    report["returncode"] = process.returncode
    report["seconds"] = round(time.monotonic() - started, 1)
    left = [pid for pid in tree if _alive(pid)]
    if left:
        report["left_behind_killed"] = left
        for group in groups:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(group, signal.SIGKILL)
    return report


def _group_of(pid: int) -> int | None:
    try:
        return os.getpgid(pid)
    except ProcessLookupError:
        return None


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def manage_shell(env: dict, code: str, marker: str) -> Any:
    out = subprocess.run(
        [PYTHON, "manage.py", "shell", "-c", code],
        cwd=env["PYTHONPATH"],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    for line in out.stdout.splitlines():
        if line.startswith(marker + " "):
            return json.loads(line[len(marker) + 1 :])
    raise SystemExit(f"load: `manage.py shell` gave no {marker} line ({out.returncode}):\n{out.stdout}\n{out.stderr}")


# --- HTTP checks ---------------------------------------------------------------------------------


def get(url: str, key: str | None = None) -> tuple[int, bytes, dict]:
    headers = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
    if key:
        headers["X-API-Key"] = key
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 (localhost)
            return response.status, response.read(), dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


def sanity(base: str, key: str) -> dict:
    """Both sides answer the same thing; the keyed one went through the rate limiter; the real
    endpoint refuses a call without a key. Returns the checks and the keyed calls they made."""
    checks: dict[str, Any] = {"keyed_calls": {}}
    for name, (keyed, open_, expect) in PAIRS.items():
        status_k, body_k, headers_k = get(base + keyed, key)
        status_o, body_o, _ = get(base + open_)
        checks["keyed_calls"][keyed] = 1
        if status_k != 200 or status_o != 200 or expect.encode() not in body_k:
            raise SystemExit(f"load: {name}: keyed {status_k} {body_k[:300]!r}, open {status_o} {body_o[:300]!r}")
        if body_k != body_o:
            raise SystemExit(f"load: {name}: keyed and open answers differ:\n{body_k!r}\n{body_o!r}")
        checks[name] = {
            "same_body": True,
            "body": body_k.decode(),
            "ratelimit_policy": headers_k.get("RateLimit-Policy"),
            "ratelimit": headers_k.get("RateLimit"),
        }
        if "q=1000000000" not in (headers_k.get("RateLimit-Policy") or ""):
            raise SystemExit(f"load: {name}: the keyed answer has no RateLimit-Policy of the load key: {headers_k}")
    status, body, _ = get(base + PAIRS["tenant"][0])
    if status != 401:
        raise SystemExit(f"load: {PAIRS['tenant'][0]} without a key answered {status}, not 401: {body[:300]!r}")
    checks["tenant_without_key"] = status
    return checks


# --- CPU accounting (Linux /proc) ----------------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, str, int, int] | None:
    """(ppid, name, own user+system ticks, waited-for children's ticks)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    name = text[text.index("(") + 1 : text.rindex(")")]
    fields = text.rsplit(")", 1)[1].split()
    return int(fields[1]), name, int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def cpu_snapshot(prod_pid: int, locust_pid: int | None) -> dict[str, float]:
    """CPU seconds used so far by each part. A process counts with the children it has reaped
    (a recycled gunicorn worker stays in gunicorn's figure, a PostgreSQL backend that ended in
    PostgreSQL's), so the difference of two snapshots is what each part used in between."""
    used = {"gunicorn": 0, "celery": 0, "honcho": 0, "postgres": 0, "redis": 0, "locust": 0}
    for pid in [prod_pid, *descendants(prod_pid)]:
        stat = _stat(pid)
        if stat is None:
            continue
        cmd = _cmdline(pid)
        part = "gunicorn" if "gunicorn" in cmd else "celery" if "celery" in cmd else "honcho"
        used[part] += stat[2] + stat[3]
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        stat = _stat(int(entry.name))
        if stat is None:
            continue
        if stat[1] == "postgres" or stat[1].startswith("redis-server"):
            part = "postgres" if stat[1] == "postgres" else "redis"
            parent = _stat(stat[0])
            reaped = stat[3] if parent is None or parent[1] != stat[1] else 0  # the server's root process
            used[part] += stat[2] + reaped
    if locust_pid is not None:
        stat = _stat(locust_pid)
        used["locust"] += (stat[2] + stat[3]) if stat else 0
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    snapshot = {part: ticks / TICK for part, ticks in used.items()}
    snapshot["busy"] = (sum(values) - values[3] - values[4]) / TICK  # all but idle and iowait
    snapshot["wall"] = time.monotonic()
    return snapshot


def cpu_between(before: dict, after: dict, requests: int) -> dict:
    wall = after["wall"] - before["wall"]
    cores = {part: (after[part] - before[part]) / wall for part in before if part not in ("busy", "wall")}
    busy = (after["busy"] - before["busy"]) / wall
    cores["rest"] = max(0.0, busy - sum(cores.values()))
    cores["idle"] = max(0.0, (os.cpu_count() or 1) - busy)
    rps = requests / wall if wall else 0
    return {
        "window_seconds": round(wall, 2),
        "cores": {part: round(value, 3) for part, value in cores.items()},
        # CPU per request hardly depends on what else the machine did meanwhile, unlike requests/s.
        "cpu_us_per_request": {
            part: round(cores[part] / rps * 1e6) if rps else None for part in ("gunicorn", "redis", "postgres")
        },
    }


# --- locust --------------------------------------------------------------------------------------


def locust(
    base: str, path: str, expect: str, key: str | None, args, seconds: int, workdir: Path, prod_pid: int, label: str
) -> dict:
    """One headless locust run: its stats (the whole run, the one-second ramp included, so every
    call it made is in them) and the CPU used from its first to its last second."""
    prefix = workdir / label
    env = {
        **os.environ,
        "LOAD_PATH": path,
        "LOAD_EXPECT": expect,
        "LOAD_API_KEY": key or "",
        "LOAD_STATS_FILE": f"{prefix}.json",
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [
        LOCUST,
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--host",
        base,
        "-u",
        str(args.users),
        "-r",
        str(args.spawn_rate or args.users),
        "-t",
        f"{seconds}s",
        "--stop-timeout",
        "0",
        "--only-summary",
        "--loglevel",
        "INFO",
        "--exit-code-on-error",
        "0",
    ]
    process = subprocess.Popen(
        cmd,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    marks: dict[str, dict] = {}
    lines: list[str] = []

    def read():
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if "Ramping to" in line and "started" not in marks:
                marks["started"] = cpu_snapshot(prod_pid, process.pid)
            elif "run-time limit reached" in line and "stopped" not in marks:
                marks["stopped"] = cpu_snapshot(prod_pid, process.pid)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        process.wait(seconds + 90)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(10)
        raise SystemExit(f"load: locust did not stop by itself within {seconds + 90} s") from None
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)
    reader.join(10)
    stats = read_stats(prefix, path, lines)
    stats["locust_exit"] = process.returncode
    stats["locust_cpu_warning"] = any("CPU usage above" in line for line in lines)
    if "started" in marks and "stopped" in marks:
        stats["cpu"] = cpu_between(marks["started"], marks["stopped"], stats["requests"])
    return stats


def read_stats(prefix: Path, path: str, lines: list[str]) -> dict:
    try:
        stats = json.loads(Path(f"{prefix}.json").read_text())
    except (OSError, ValueError):
        raise SystemExit("load: locust wrote no statistics:\n" + "\n".join(lines[-40:])) from None
    if not stats["requests"]:
        raise SystemExit("load: locust made no request:\n" + "\n".join(lines[-40:]))
    return {"path": path, **stats}


def show(name: str, side: str, run: dict) -> None:
    cpu = run.get("cpu", {})
    cores = cpu.get("cores", {})
    per = cpu.get("cpu_us_per_request", {})
    parts = " ".join(f"{p} {cores[p]:.2f}" for p in cores)
    say(
        f"{name:6} {side:5} {run['path']:28} {run['rps']:7.1f} req/s  p50 {run['p50_ms']:5.0f} ms  "
        f"p99 {run['p99_ms']:5.0f} ms  {run['requests']:6d} requests  {run['errors']} errors"
        + (f"  | gunicorn {per.get('gunicorn')} µs/request | cores: {parts}" if cpu else "")
        + ("  | locust warned its CPU was above 90 %" if run["locust_cpu_warning"] else "")
    )


def median_run(runs: list[dict]) -> dict:
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


# --- main ----------------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent locust users (no wait time)")
    parser.add_argument("--spawn-rate", type=float, default=None, help="users started per second (default: all in 1 s)")
    parser.add_argument("--seconds", type=int, default=60, help="locust run time of each side of the tenant endpoint")
    parser.add_argument(
        "--echo-seconds", type=int, default=20, help="run time of each side of the constant endpoint (0: skip it)"
    )
    parser.add_argument("--warmup", type=int, default=5, help="seconds of load on each side before measuring")
    parser.add_argument("--rounds", type=int, default=1, help="keyed + open runs per endpoint (order alternates)")
    parser.add_argument("--web-concurrency", type=int, default=2, help="gunicorn workers (2: this machine has 2 cores)")
    parser.add_argument("--redis-db", type=int, default=11, help="the Redis database index of this test")
    parser.add_argument("--log-level", default="INFO", help="LOG_LEVEL of the processes (production: INFO)")
    parser.add_argument("--output", type=Path, default=RESULTS, help=f"where the JSON goes (default {RESULTS})")
    parser.add_argument(
        "--in-place", action="store_true", help="run the work tree itself, not a copy taken at the start"
    )
    args = parser.parse_args()

    redis = redis_url(args.redis_db)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    workdir = Path(tempfile.mkdtemp(prefix="console-load-"))
    source = ROOT if args.in_place else snapshot(workdir / "src")
    env = prod_env(args, port, redis, source)
    log_path = workdir / "prod.log"
    results: dict[str, Any] = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_before": [round(x, 2) for x in os.getloadavg()],
        },
        "setup": {
            "process_model": "tools/prod.py (make prod): honcho, gunicorn sync workers, 2 Celery workers, beat",
            "code": "the work tree itself" if args.in_place else "a copy of the work tree taken at the start",
            "web_concurrency": args.web_concurrency,
            "debug": False,
            "database": DB_NAME,
            "redis": redis,
            "log_level": args.log_level,
            "locust": {
                "users": args.users,
                "spawn_rate": args.spawn_rate or args.users,
                "seconds": args.seconds,
                "echo_seconds": args.echo_seconds,
                "warmup_seconds": args.warmup,
                "rounds": args.rounds,
                "user_class": "FastHttpUser, no wait time",
            },
        },
    }
    failed = False
    process = None
    say(f"database {DB_NAME}, Redis {redis}, port {port}, WEB_CONCURRENCY={args.web_concurrency}")
    recreate_database()
    try:
        claim_redis(redis)
        say("starting tools/prod.py (collectstatic, migrate, then honcho) ...")
        process = start_prod(env, log_path, source)
        wait_healthy(process, env, log_path)
        say(f"/healthz answers (tools/prod.py pid {process.pid})")
        prepared = manage_shell(env, "from benchmarks.load.prepare import prepare; prepare()", "LOAD-PREPARED")
        key = prepared.pop("key")
        results["prepared"] = prepared
        say(
            f"tenant {prepared['tenant']} (budget {prepared['tenant_rate']}), key {prepared['key_lookup_id']} "
            f"(scopes {prepared['key_scopes']}, limit {prepared['key_rate']})"
        )
        checks = sanity(base, key)
        results["checks"] = checks
        keyed_calls = dict(checks.pop("keyed_calls"))
        gunicorn = [p for p in descendants(process.pid) if "gunicorn" in _cmdline(p)]
        results["setup"]["gunicorn_processes"] = len(gunicorn)  # the master and its workers

        pairs = [("tenant", args.seconds)] + ([("echo", args.echo_seconds)] if args.echo_seconds > 0 else [])
        endpoints: dict[str, Any] = {}
        for name, seconds in pairs:
            keyed_path, open_path, expect = PAIRS[name]
            sides = {"keyed": (keyed_path, key), "open": (open_path, None)}
            runs: dict[str, list] = {"keyed": [], "open": []}
            warmups = {}
            for side, (path, side_key) in sides.items():
                if args.warmup > 0:
                    warm = locust(
                        base, path, expect, side_key, args, args.warmup, workdir, process.pid, f"{name}-{side}-warmup"
                    )
                    check_alive(process, base, log_path)
                    warmups[side] = {k: warm[k] for k in ("requests", "errors", "error_kinds", "rps")}
                    if side_key:
                        keyed_calls[path] = keyed_calls.get(path, 0) + warm["requests"] - warm["errors"]
            for round_ in range(args.rounds):
                order = ["keyed", "open"] if round_ % 2 == 0 else ["open", "keyed"]
                for side in order:
                    path, side_key = sides[side]
                    run = locust(
                        base, path, expect, side_key, args, seconds, workdir, process.pid, f"{name}-{side}-{round_}"
                    )
                    show(name, side, run)
                    check_alive(process, base, log_path)
                    runs[side].append(run)
                    if side_key:
                        keyed_calls[path] = keyed_calls.get(path, 0) + run["requests"] - run["errors"]
            ratios = [k["rps"] / o["rps"] for k, o in zip(runs["keyed"], runs["open"], strict=True) if o["rps"]]
            keyed, open_ = median_run(runs["keyed"]), median_run(runs["open"])
            endpoints[name] = {
                "keyed": keyed,
                "open": open_,
                "throughput_ratio": round(statistics.median(ratios), 3) if ratios else None,
                "round_ratios": [round(r, 3) for r in ratios],
                "gunicorn_cpu_ratio_open_over_keyed": _cpu_ratio(keyed, open_),
                "warmup": warmups,
                "runs": runs,
            }
        results["endpoints"] = endpoints
        errors = sum(
            r["errors"] for e in endpoints.values() for side in ("keyed", "open") for r in e["runs"][side]
        ) + sum(w["errors"] for e in endpoints.values() for w in e["warmup"].values())
        results["errors"] = errors
        failed = errors > 0

        metered = manage_shell(env, "from benchmarks.load.prepare import metered; metered()", "LOAD-METERED")
        results["metering"] = metering_check(metered, keyed_calls, args)
        failed = failed or not results["metering"]["ok"]
    finally:
        if process is not None:
            results["stop"] = stop_prod(process)
            say(f"tools/prod.py stopped: {results['stop']}")
        drop_database()
        flush_redis(redis)
        shutil.rmtree(workdir, ignore_errors=True)
    results["machine"]["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(results, indent=2) + "\n")

    m = results["machine"]
    say(
        f"load average before {m['load_average_before'][0]:.2f}, after {m['load_average_after'][0]:.2f} "
        f"({m['cpus']} CPUs); metering: {results['metering']['summary']}"
    )
    for name, e in results["endpoints"].items():
        k, o = e["keyed"], e["open"]
        say(
            f"{name}: keyed {k['rps']:.1f} req/s (p50 {k['p50_ms']:.0f} ms, p99 {k['p99_ms']:.0f} ms), "
            f"open {o['rps']:.1f} req/s (p50 {o['p50_ms']:.0f} ms, p99 {o['p99_ms']:.0f} ms); "
            f"errors {k['errors'] + o['errors']}; gunicorn CPU per request open/keyed {e['gunicorn_cpu_ratio_open_over_keyed']}"
        )
    say(f"errors in all runs: {results['errors']} (any non-2xx counts)")
    say(f"wrote {args.output}")
    ratio = results["endpoints"]["tenant"]["throughput_ratio"] or 0.0
    if failed:
        say(f"FAILED: {results['errors']} errors / metering {'ok' if results['metering']['ok'] else 'MISMATCH'}")
        return 1
    say(
        f"throughput authenticated / unauthenticated, GET /api/v1/tenant/: {ratio:.1%} "
        f"(goal >= {GOAL:.0%}: {'met' if ratio >= GOAL else 'NOT met'})"
    )
    return 0


def _cpu_ratio(keyed: dict, open_: dict) -> float | None:
    try:
        return round(open_["cpu"]["cpu_us_per_request"]["gunicorn"] / keyed["cpu"]["cpu_us_per_request"]["gunicorn"], 3)
    except (KeyError, TypeError, ZeroDivisionError):
        return None


def metering_check(metered: list[dict], keyed_calls: dict, args) -> dict:
    """Every keyed call is counted once. A call in flight when locust stops is served (and metered)
    but not in locust's count: at most one per user per keyed locust run."""
    operations = {"/api/v1/tenant/": "GET tenant", "/api/v1/load/echo/": "GET load-echo"}
    report: dict[str, Any] = {"rows": metered, "endpoints": {}}
    ok = True
    for path, sent in keyed_calls.items():
        rows = [r for r in metered if r["operation"] == operations[path]]
        counted = sum(r["calls"] for r in rows if r["status_class"] == "2xx")
        other = sum(r["calls"] for r in rows if r["status_class"] != "2xx")
        runs = args.rounds + (1 if args.warmup > 0 else 0)
        slack = args.users * runs
        fine = sent <= counted <= sent + slack and other == 0
        ok = ok and fine
        report["endpoints"][path] = {
            "locust_and_checks_2xx": sent,
            "metered_2xx": counted,
            "metered_other": other,
            "allowed_excess": slack,
            "ok": fine,
        }
    report["ok"] = ok
    report["summary"] = ", ".join(
        f"{path} metered {e['metered_2xx']} for {e['locust_and_checks_2xx']} seen by locust and the checks"
        f" ({'ok' if e['ok'] else 'MISMATCH'})"
        for path, e in report["endpoints"].items()
    )
    return report


if __name__ == "__main__":
    sys.exit(main())
