"""gunicorn's configuration for the `web` role (platform/Procfile, the container's entrypoint).

Every value can be set from the environment, so the same file serves `make prod`, the container and
ECS. The access log is off: the console writes its own structured line per request (request id,
tenant, principal, route, status, duration), which an access log would only repeat without them.
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


bind = f"{os.environ.get('HOST', '0.0.0.0')}:{_int('PORT', 8000)}"  # noqa: S104 (in a container, behind the ALB)
# CPU-bound Django workers: 2 per core + 1 is gunicorn's own advice; WEB_CONCURRENCY overrides it.
workers = _int("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# A request running longer than this is killed (and logged by gunicorn): the API's slowest path,
# a spec upload, stays far below it.
timeout = _int("GUNICORN_TIMEOUT", 30)
# On SIGTERM, in-flight requests get this long to finish before the workers are killed. Keep it below
# the orchestrator's stop timeout (ECS stopTimeout, platform/aws), so nothing is cut mid-response.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 25)
keepalive = _int("GUNICORN_KEEPALIVE", 5)  # under the load balancer's idle timeout (60 s)
max_requests = _int("GUNICORN_MAX_REQUESTS", 5000)  # recycle workers, bounded memory growth
max_requests_jitter = max_requests // 10
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108 (heartbeat off the disk)
accesslog = None
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
# The load balancer terminates TLS and sets X-Forwarded-*: trust them only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "console-web"
# No control socket: gunicorn 27 opens one at ~/.gunicorn/gunicorn.ctl, shared by every gunicorn
# of the user, so a second one on the host (a rolling restart, the test suite's) takes it over.
# Nothing here uses gunicornc; the signals (TERM, HUP, TTIN/TTOU) do what it would.
control_socket_disable = True


# --- Prometheus multiprocess mode (config/metrics.py) -------------------------------------------
# Each worker writes its metric values to files in PROMETHEUS_MULTIPROC_DIR and /metrics adds them
# up, so a scrape that reaches any worker answers for all of them. The directory must exist before
# a worker imports prometheus_client and must not hold a previous run's files: on_starting (in the
# master, before any worker forks) creates it, or a private one when the variable is unset, and
# removes the files of processes that are gone. Files of live processes stay: `make prod` shares
# the directory with the Celery workers and beat it starts beside gunicorn (tools/prod.py).


_private_dirs: list[str] = []  # made by on_starting (the variable was unset), removed by on_exit


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def on_starting(server):
    import glob
    import re
    import tempfile

    path = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not path:
        path = tempfile.mkdtemp(prefix="console-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = path  # inherited by every worker
        _private_dirs.append(path)
    os.makedirs(path, exist_ok=True)
    removed = 0
    for name in glob.glob(os.path.join(path, "*.db")):
        match = re.search(r"_(\d+)\.db$", name)
        if match is None or not _pid_alive(int(match.group(1))):
            os.unlink(name)
            removed += 1
    server.log.info("Prometheus multiprocess directory %s (%d stale files removed)", path, removed)


def child_exit(server, worker):
    """A worker exited (recycled, timed out, killed): its live gauges leave /metrics; its counters
    stay counted."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    import shutil

    for path in _private_dirs:
        shutil.rmtree(path, ignore_errors=True)
