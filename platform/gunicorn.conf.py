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
