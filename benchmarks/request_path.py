"""Benchmark of the request path: API-key verification, rate limiting and metering, on both
backends of its state (apikeys/requestpath/limiter.py: Redis, and the in-process one of the
embedded default).

    .venv/bin/python benchmarks/request_path.py [--seconds 10] [--rounds 3] [--connections 8]

Needs PostgreSQL and Redis (DATABASE_URL / REDIS_URL, default the local ones); uses its own database
(<DATABASE_URL name>_bench, e.g. console_bench) and Redis key prefix (the same name + ":"),
removed keys afterwards. Parts:

1. In-process, warm cache: microseconds per `apikeys.requestpath.verification.verify` with a usage
   field (the key check, the rate-limit decision on the key's and the tenant's buckets and the usage
   count of an API call), on each backend: Redis (one round trip, no query) and in-process (no round
   trip, no query), next to djangorestframework-api-key's `APIKey.objects.is_valid` on the same
   PostgreSQL (one query + its hash; requirements-dev.txt pins it; its table is migrated in the
   benchmark's database through benchmarks/request_path_settings.py, never in the product's
   INSTALLED_APPS). Rounds alternate between the three. Each is checked to refuse a revoked key on
   the very next call.
2. A cProfile of the keyed path: `verify` alone on each backend, and whole keyed requests through
   Django's test client (no socket) next to the open twin: the functions with the most own time.
3. Over HTTP on 127.0.0.1, once per backend (Redis; then the embedded default, no REDIS_URL at all):
   gunicorn with 2 sync workers, wrk (1 thread, 8 connections) as the load generator; the same
   endpoint with no authentication and behind key auth + rate limit + metering, for two endpoints
   (benchmarks/request_path_urls.py): `echo` (a constant: the worst case, the request path is all
   the work) and `keys` (one tenant-scoped query + a serializer, 10 rows). After a warm-up of every
   endpoint, `--rounds` rounds each run open and keyed back to back (alternating which goes first);
   the figures are the median run per side and the median of the rounds' keyed/open ratios. Each
   run also reports where the CPU went (gunicorn workers, wrk, Redis, the rest of the machine, idle)
   and the workers' and Redis's CPU time per request, which, unlike requests per second, hardly
   depends on what else the machine was doing: on a 2-core machine shared with other programs,
   compare those, and the load average printed at the end.
4. Redis commands per keyed request (Redis backend), counted with MONITOR (commands sent by
   clients; the commands a Lua script runs inside Redis are not round trips and are reported apart).

Prints the figures and writes benchmarks/results/request_path.json. Figures, not assertions.
"""

import argparse
import contextlib
import functools
import json
import os
import platform
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _group(pattern: str, text: str, flags: int = 0) -> str:
    """The first group of `pattern` in `text`; a clear error when the text doesn't have it."""
    match = re.search(pattern, text, flags)
    if match is None:
        raise SystemExit(f"request_path: {pattern!r} not found in:\n{text}")
    return match.group(1)


BASE_DB = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/console")
# Its own database next to DATABASE_URL's ("console" -> "console_bench"), so a run never touches the
# data of the console or of a test run using the same server.
BENCH_DB_NAME = _group(r"/([^/?]*)(?:\?.*)?$", BASE_DB) + "_bench"
BENCH_DB = re.sub(r"/[^/]*$", "/" + BENCH_DB_NAME, BASE_DB)
ENV = {
    "DATABASE_URL": BENCH_DB,
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
    "APIKEY_REDIS_PREFIX": BENCH_DB_NAME + ":",
    "CELERY_BROKER_URL": "memory://",
    "DJANGO_SETTINGS_MODULE": "benchmarks.request_path_settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-secret-key-not-for-production-0123456789abcdefghijklmnop",
    "APIKEY_PEPPER": "bench-pepper-not-for-production",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "ERROR",
}
os.environ.update(ENV)
RESULTS = ROOT / "benchmarks" / "results" / "request_path.json"


def ensure_database():
    import psycopg

    admin_url = re.sub(r"/[^/]*$", "/postgres", BASE_DB)
    with psycopg.connect(admin_url, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [BENCH_DB_NAME]).fetchone():
            conn.execute(f'CREATE DATABASE "{BENCH_DB_NAME}"')
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, check=True, env={**os.environ}
    )


def setup_django():
    import django

    django.setup()


def make_key(**fields):
    from django.db import transaction

    from apikeys import services
    from tenants.models import Tenant
    from tenants.principal import Principal

    tenant, _ = Tenant.objects.get_or_create(slug="bench", defaults={"name": "Bench", "plan": "enterprise"})
    if (tenant.rate_quota, tenant.rate_window) != (10**9, 60):
        # A tenant budget (staff set) as high as the bench key's own limit: the load is never refused.
        tenant.rate_quota, tenant.rate_window = 10**9, 60
        tenant.save(update_fields=["rate_quota", "rate_window"])
    with transaction.atomic():
        return services.create_key(actor=Principal.system(tenant), name="bench", scopes=["keys:read"], **fields)


def timed_round(fn, n) -> float:
    """One round of `n` calls, in microseconds per call."""
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1e6


BACKENDS = ("redis", "in_process")  # apikeys/requestpath/limiter.py: APIKEY_REDIS_URL set, or empty


@contextlib.contextmanager
def request_path_backend(name):
    """Run the block with the request path on Redis or on the in-process backend (the embedded default)."""
    from django.conf import settings

    saved = settings.APIKEY_REDIS_URL
    settings.APIKEY_REDIS_URL = ENV["REDIS_URL"] if name == "redis" else ""
    try:
        yield
    finally:
        settings.APIKEY_REDIS_URL = saved


def in_process(rounds=7) -> dict:
    """Each backend and djangorestframework-api-key in alternating rounds (so a change in the
    machine's load hits all alike), each the median of its rounds; a speed-up is the median of the
    rounds' ratios. Each backend gets a key of its own, which is then revoked under it and must be
    refused on the very next call."""
    from django.conf import settings
    from django.db import transaction

    from apikeys import services
    from apikeys.requestpath import metering, verification
    from tenants.principal import Principal

    calls, keys = {}, {}
    for name in BACKENDS:
        api_key, raw = make_key(rate_quota=10**9, rate_window=60)
        # The whole per-request work of a keyed API call: check, rate-limit decision, usage count.
        field = metering.usage_field(
            credential=f"key:{api_key.lookup_id}", api=metering.CONSOLE_API, version="v1", operation="GET bench"
        )
        keys[name] = api_key
        calls[name] = functools.partial(verification.verify, raw, client_ip="127.0.0.1", usage_field=field)
        with request_path_backend(name):
            assert calls[name]().valid
    theirs = None
    if getattr(settings, "HAS_DRF_API_KEY", False):
        from rest_framework_api_key.models import APIKey

        drf_keys: Any = APIKey.objects  # type: ignore[misc]  # (its manager is typed generically)
        drf_key, drf_raw = drf_keys.create_key(name="bench")
        assert drf_keys.is_valid(drf_raw)

        def theirs():
            return drf_keys.is_valid(drf_raw)

    our_rounds: dict[str, list[float]] = {name: [] for name in BACKENDS}
    their_rounds = []
    for _ in range(rounds):
        for name in BACKENDS:
            with request_path_backend(name):
                our_rounds[name].append(timed_round(calls[name], 2000))
        if theirs is not None:
            their_rounds.append(timed_round(theirs, 500))
    result: dict[str, Any] = {}
    for name in BACKENDS:
        with request_path_backend(name):
            with transaction.atomic():
                services.revoke_key(actor=Principal.system(keys[name].tenant), api_key=keys[name])
            revoked = calls[name]().code
        us = statistics.median(our_rounds[name])
        result[name] = {"verify_warm_us": round(us, 1), "revoked_next_call": revoked}
        print(
            f"in-process verify + rate limit + usage count, {name:10} backend: {us:8.1f} µs/call   "
            f"(revoked key on the next call: {revoked})"
        )
    if theirs is None:
        print("djangorestframework-api-key is not installed: comparison skipped (pip install -r requirements-dev.txt)")
        result["drf_api_key"] = "skipped: not installed"
        return result
    drf_key.revoked = True
    drf_key.save()
    theirs_revoked = not drf_keys.is_valid(drf_raw)
    theirs_us = statistics.median(their_rounds)
    result["drf_api_key"] = {"is_valid_us": round(theirs_us, 1), "revoked_refused_next_call": theirs_revoked}
    print(
        f"djangorestframework-api-key is_valid (one query + its hash): {theirs_us:8.1f} µs/call   "
        f"(revoked refused: {theirs_revoked})"
    )
    for name in BACKENDS:
        ratios = [t / o for o, t in zip(our_rounds[name], their_rounds, strict=True)]
        speedup = statistics.median(ratios)
        result[name].update({"speedup": round(speedup, 2), "speedup_rounds": [round(r, 2) for r in ratios]})
        print(f"speed-up of the {name} backend: {speedup:.1f}x (median of {rounds} alternating rounds; goal 5x)")
    return result


def profile_keyed(n=3000, top=12) -> dict:
    """cProfile of the keyed request path: `verify` alone on each backend, and whole keyed requests
    (Django's test client, no socket) to the `echo` endpoint next to the open twin. Prints and
    returns, per profile, the functions with the most own time."""
    import cProfile
    import pstats

    from django.test import Client

    from apikeys.requestpath import metering, verification

    api_key, raw = make_key(rate_quota=10**9, rate_window=60)
    field = metering.usage_field(
        credential=f"key:{api_key.lookup_id}", api=metering.CONSOLE_API, version="v1", operation="GET bench"
    )
    client = Client(SERVER_NAME="127.0.0.1")  # an ALLOWED_HOSTS name

    def verify():
        return verification.verify(raw, client_ip="127.0.0.1", usage_field=field)

    def keyed():
        return client.get("/api/v1/bench/keyed/", headers={"Authorization": f"Bearer {raw}"})

    def open_():
        return client.get("/api/v1/bench/open/")

    runs: dict[str, tuple[str, Callable[[], object]]] = {}
    for name in BACKENDS:
        runs[f"verify/{name}"] = (name, verify)
        runs[f"request keyed/{name}"] = (name, keyed)
    runs["request open"] = ("redis", open_)
    report = {}
    for label, (backend, fn) in runs.items():
        with request_path_backend(backend):
            fn()  # warm
            profiler = cProfile.Profile()
            started = time.perf_counter()
            for _ in range(n):
                profiler.runcall(fn)
            wall = (time.perf_counter() - started) / n * 1e6
        stats = pstats.Stats(profiler)
        total = sum(v[2] for v in stats.stats.values()) or 1  # type: ignore[attr-defined]
        rows = sorted(stats.stats.items(), key=lambda item: item[1][2], reverse=True)[:top]  # type: ignore[attr-defined]
        functions = [
            {
                "function": f"{Path(file).name}:{line}({func})",
                "own_share": round(own / total, 3),
                "own_us_per_call": round(own / n * 1e6, 1),
            }
            for (file, line, func), (_cc, _nc, own, _cum, _callers) in rows
        ]
        report[label] = {"us_per_call_profiled": round(wall, 1), "top_own_time": functions}
        print(f"profile {label}: {wall:.1f} µs/call under cProfile; most own time:")
        for row in functions[:8]:
            print(f"    {row['own_share']:6.1%} {row['own_us_per_call']:7.1f} µs  {row['function']}")
    return report


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def backend_env(backend) -> dict[str, str]:
    """The environment of a gunicorn run: Redis, or the embedded default (no REDIS_URL at all)."""
    if backend == "redis":
        return {**os.environ}
    return {**os.environ, "REDIS_URL": "", "APIKEY_REDIS_URL": ""}


def start_gunicorn(port, backend="redis"):
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [
            gunicorn,
            "config.wsgi:application",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "error",
            "--access-logfile",
            "/dev/null",
        ],
        cwd=ROOT,
        env=backend_env(backend),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/bench/open/", timeout=1).read()
            return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise SystemExit("gunicorn did not start: " + process.stderr.read().decode()[-2000:])


def parse_wrk(output: str) -> dict:
    def seconds(text):
        value, unit = re.match(r"([\d.]+)(us|ms|s|m)", text).groups()
        return float(value) * {"us": 1e-6, "ms": 1e-3, "s": 1, "m": 60}[unit]

    rps = float(_group(r"Requests/sec:\s+([\d.]+)", output))
    p50 = seconds(_group(r"^\s+50%\s+(\S+)", output, re.M))
    p99 = seconds(_group(r"^\s+99%\s+(\S+)", output, re.M))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rps": rps,
        "p50_ms": round(p50 * 1000, 3),
        "p99_ms": round(p99 * 1000, 3),
        "non_2xx": int(non2xx.group(1)) if non2xx else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def cpu_seconds_of(pids) -> float:
    """User + system CPU seconds the given processes have used so far (Linux /proc)."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU seconds all CPUs spent busy so far (everything but idle and iowait in /proc/stat)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return (sum(values) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")


def redis_cpu_seconds() -> float:
    from apikeys.requestpath import store

    info = store.client().info("cpu")
    return info["used_cpu_user"] + info["used_cpu_sys"]


def worker_pids(master_pid, count=2) -> list[int]:
    """The gunicorn workers (the master's children), once all `count` have been forked."""
    children = Path(f"/proc/{master_pid}/task/{master_pid}/children")
    for _ in range(100):
        pids = [int(pid) for pid in children.read_text().split()] if children.exists() else []
        if len(pids) >= count:
            return pids
        time.sleep(0.1)
    raise SystemExit(f"gunicorn forked {len(pids)} of {count} workers")


def wrk(url, seconds, connections, threads, header=None, workers=()) -> dict:
    """One wrk run, with where the CPU went meanwhile: wrk itself, the gunicorn workers, Redis and
    the rest of the machine (PostgreSQL, the kernel's softirqs, other programs), in cores."""
    cmd = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{seconds}s", "--latency", url]
    if header:
        cmd[1:1] = ["-H", header]
    before = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        cpu_seconds_of(workers),
        redis_cpu_seconds(),
        machine_busy_seconds(),
        time.perf_counter(),
    )
    output = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    after = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        cpu_seconds_of(workers),
        redis_cpu_seconds(),
        machine_busy_seconds(),
        time.perf_counter(),
    )
    wall = after[4] - before[4]
    load_generator = (after[0].ru_utime + after[0].ru_stime - before[0].ru_utime - before[0].ru_stime) / wall
    server = (after[1] - before[1]) / wall
    redis = (after[2] - before[2]) / wall
    busy = (after[3] - before[3]) / wall
    try:
        result = parse_wrk(output)
    except AttributeError:
        raise SystemExit(f"could not read wrk's output:\n{output}") from None
    result["cpu_cores"] = {
        "wrk": round(load_generator, 2),
        "gunicorn": round(server, 2),
        "redis": round(redis, 2),
        "rest": round(max(0.0, busy - load_generator - server - redis), 2),
        "idle": round(max(0.0, (os.cpu_count() or 1) - busy), 2),
    }
    # CPU per request does not depend on how much of the machine other programs took meanwhile.
    result["cpu_us_per_request"] = {
        "gunicorn": round(server / result["rps"] * 1e6),
        "redis": round(redis / result["rps"] * 1e6),
    }
    return result


def median_run(runs) -> dict:
    """The run of median throughput (its latencies go with it)."""
    return sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]


def over_http(seconds, connections, threads, rounds, warmup) -> dict:
    if not shutil.which("wrk"):
        print("wrk is not installed (apt-get install -y wrk): HTTP part skipped")
        return {"skipped": "wrk not installed"}
    for _ in range(9):
        make_key()  # the "keys" endpoints list 10 rows
    return {backend: over_http_on(backend, seconds, connections, threads, rounds, warmup) for backend in BACKENDS}


def over_http_on(backend, seconds, connections, threads, rounds, warmup) -> dict:
    """gunicorn with the request path on `backend`: each endpoint open and keyed."""
    _, raw = make_key(rate_quota=10**9, rate_window=60)
    port = free_port()
    server = start_gunicorn(port, backend)
    try:
        workers = worker_pids(server.pid)
        base = f"http://127.0.0.1:{port}/api/v1/bench"
        header = f"Authorization: Bearer {raw}"
        request = urllib.request.Request(f"{base}/keyed/", headers={"Authorization": f"Bearer {raw}"})
        pairs = {"echo": ("open", "keyed"), "keys": ("open-keys", "keyed-keys")}
        # Warm both workers on every endpoint under load (imports, database and Redis connections,
        # the script loaded, the key's cache entry), so the first measured run isn't the cold one.
        for open_path, keyed_path in pairs.values():
            wrk(f"{base}/{open_path}/", warmup, connections, threads)
            wrk(f"{base}/{keyed_path}/", warmup, connections, threads, header)
        runs: dict[str, dict[str, list]] = {name: {"open": [], "keyed": []} for name in pairs}
        for round_ in range(rounds):
            for name, (open_path, keyed_path) in pairs.items():
                # open/keyed adjacent in time, alternating which goes first, so drift in the
                # machine's load hits both sides alike; each round's ratio compares neighbours.
                order = [("open", open_path, None), ("keyed", keyed_path, header)]
                for side, path, with_header in order if round_ % 2 == 0 else reversed(order):
                    runs[name][side].append(wrk(f"{base}/{path}/", seconds, connections, threads, with_header, workers))
        time.sleep(2)  # let gunicorn drain the requests wrk left in its backlog before counting
        commands = redis_commands_per_request(request, 200) if backend == "redis" else None
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    summary = {}
    for name in pairs:
        for side in ("open", "keyed"):
            r = median_run(runs[name][side])
            cores = r["cpu_cores"]
            per_request = r["cpu_us_per_request"]
            print(
                f"HTTP [{backend}] {name:4} {side:5}: {r['rps']:8.0f} req/s   p50 {r['p50_ms']:6.2f} ms   "
                f"p99 {r['p99_ms']:6.2f} ms   non-2xx {r['non_2xx']}   CPU/request: gunicorn "
                f"{per_request['gunicorn']} µs, redis {per_request['redis']} µs   cores: gunicorn "
                f"{cores['gunicorn']:.2f} wrk {cores['wrk']:.2f} redis {cores['redis']:.2f} "
                f"rest {cores['rest']:.2f} idle {cores['idle']:.2f}"
            )
        ratios = [k["rps"] / o["rps"] for o, k in zip(runs[name]["open"], runs[name]["keyed"], strict=True)]
        ratio = statistics.median(ratios)
        print(
            f"HTTP [{backend}] {name:4} throughput keyed / open: {ratio:.1%} (median of {len(ratios)} rounds: "
            f"{', '.join(f'{x:.0%}' for x in ratios)})"
        )
        summary[name] = {
            "open": median_run(runs[name]["open"]),
            "keyed": median_run(runs[name]["keyed"]),
            "throughput_ratio": round(ratio, 3),
            "round_ratios": [round(x, 3) for x in ratios],
        }
    if commands is not None:
        print(
            f"Redis commands per keyed request: {commands['client_commands_per_request']:.2f} "
            f"({commands['by_command']}); inside the script: {commands['script_commands_per_request']:.2f}"
        )
    return {
        "endpoints": summary,
        "runs": runs,
        "redis": commands,
        "gunicorn_workers": 2,
        "wrk": {"threads": threads, "connections": connections, "seconds": seconds, "rounds": rounds},
    }


def redis_commands_per_request(request, n) -> dict:
    """MONITOR the bench prefix while `n` keyed requests run one after another."""
    from apikeys.requestpath import store

    prefix = ENV["APIKEY_REDIS_PREFIX"]
    seen: dict[str, Any] = {"client": {}, "script": 0}
    done = threading.Event()
    ready = threading.Event()

    def listen():
        with store.client().monitor() as monitor:
            ready.set()
            for command in monitor.listen():
                text = command["command"]
                if text.startswith("ECHO bench-monitor-done"):
                    break
                if prefix not in text:
                    continue  # another program's traffic on this Redis
                if command.get("client_type") == "lua":
                    seen["script"] += 1
                else:
                    name = text.split()[0].upper()
                    seen["client"][name] = seen["client"].get(name, 0) + 1
        done.set()

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    ready.wait(5)
    time.sleep(0.2)
    for _ in range(n):
        urllib.request.urlopen(request).read()
    time.sleep(0.2)
    store.client().echo("bench-monitor-done")
    done.wait(10)
    total = sum(seen["client"].values())
    return {
        "requests": n,
        "client_commands_per_request": total / n,
        "by_command": {k: round(v / n, 2) for k, v in sorted(seen["client"].items())},
        "script_commands_per_request": seen["script"] / n,
    }


def cleanup():
    from apikeys.requestpath import store

    client = store.client()
    stale = list(client.scan_iter(match=ENV["APIKEY_REDIS_PREFIX"] + "*", count=1000))
    if stale:
        client.delete(*stale)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=int, default=10, help="wrk duration per run")
    parser.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="runs per endpoint and side (open and keyed alternate); medians are reported",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=8,
        help="wrk connections: enough to keep 2 sync workers busy while wrk reconnects "
        "(they close every connection), not so many that p99 is queueing",
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="wrk threads: one keeps up with this server and leaves the 2 workers the CPU",
    )
    parser.add_argument("--warmup", type=int, default=2, help="seconds of load per endpoint before measuring")
    parser.add_argument("--skip-http", action="store_true")
    args = parser.parse_args()
    ensure_database()
    setup_django()
    cleanup()
    try:
        results = {
            "machine": {
                "python": platform.python_version(),
                "cpus": os.cpu_count(),
                "platform": platform.platform(),
                "load_average_before": os.getloadavg(),
            },
            "in_process": in_process(),
            "profile": profile_keyed(),
            "http": {"skipped": "--skip-http"}
            if args.skip_http
            else over_http(args.seconds, args.connections, args.threads, args.rounds, args.warmup),
        }
        results["machine"]["load_average_after"] = os.getloadavg()
    finally:
        cleanup()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    machine = results["machine"]
    print(
        f"load average before {machine['load_average_before'][0]:.2f}, after {machine['load_average_after'][0]:.2f} "
        f"({machine['cpus']} CPUs)"
    )
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
