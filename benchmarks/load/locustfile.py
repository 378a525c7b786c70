"""The load test's locust user (benchmarks/load/run.py runs `locust --headless` with this file).

Every user calls one path in a loop with no wait time (a closed loop: the throughput is what the
server gives USERS concurrent callers), as the load balancer would send it (`X-Forwarded-Proto:
https`), with `X-API-Key` when LOAD_API_KEY is set. FastHttpUser (geventhttpclient) rather than
HttpUser (requests): several times less CPU per request, which matters when the load generator
shares 2 cores with the server. Any answer outside 2xx is a failure (redirects are not followed),
and so is a 2xx body without LOAD_EXPECT (the answer of another tenant or of an error page).

When locust quits (after its --run-time, every user stopped), the final figures of the run go to
LOAD_STATS_FILE as JSON, computed by locust itself: its CSV files are rewritten once a second and
miss the last one, and --json-file has no percentiles nor the errors.

Environment: LOAD_PATH (e.g. /api/v1/tenant/), LOAD_API_KEY, LOAD_EXPECT, LOAD_STATS_FILE (optional).
"""

import json
import os

from locust import FastHttpUser, constant, events, task

PATH = os.environ["LOAD_PATH"]
HEADERS = {"X-Forwarded-Proto": "https", "Accept": "application/json"}
if os.environ.get("LOAD_API_KEY"):
    HEADERS["X-API-Key"] = os.environ["LOAD_API_KEY"]
EXPECT = os.environ.get("LOAD_EXPECT", "").encode()


class ConsoleCaller(FastHttpUser):
    wait_time = constant(0)

    @task
    def call(self) -> None:
        with self.client.get(PATH, headers=HEADERS, name=PATH, catch_response=True, allow_redirects=False) as response:
            if not 200 <= response.status_code < 300:
                response.failure(f"HTTP {response.status_code}")
            elif EXPECT and EXPECT not in (response.content or b""):
                response.failure("unexpected body")
            else:
                response.success()


_ENVIRONMENT: list = []  # locust's Environment, kept at init for the quit listener


@events.init.add_listener
def remember_environment(environment, **_kwargs) -> None:
    _ENVIRONMENT.append(environment)


@events.quit.add_listener
def write_stats(**_kwargs) -> None:
    target = os.environ.get("LOAD_STATS_FILE")
    if not target or not _ENVIRONMENT or _ENVIRONMENT[0].runner is None:
        return
    stats = _ENVIRONMENT[0].runner.stats
    total = stats.total
    duration = (stats.last_request_timestamp or 0) - (stats.start_time or 0)
    figures = {
        "requests": total.num_requests,
        "errors": total.num_failures,
        "error_kinds": {error.to_name(): error.occurrences for error in stats.errors.values()},
        "seconds": round(duration, 2),
        "rps": round(total.total_rps, 1),
        "p50_ms": total.get_response_time_percentile(0.50),
        "p90_ms": total.get_response_time_percentile(0.90),
        "p99_ms": total.get_response_time_percentile(0.99),
        "max_ms": round(total.max_response_time, 1),
        "avg_ms": round(total.avg_response_time, 2),
    }
    with open(target, "w") as f:
        json.dump(figures, f)
