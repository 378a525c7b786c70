"""Counters of the request path's degraded modes (Redis down, fail-open decisions, calls not metered),
as Prometheus counters (config/metrics.py; exported at /metrics, summed across workers).

The small function API stays: callers `incr(name)`, tests read `value(name)` (this process's count,
every label summed) to prove an event was counted. Every increment is also logged by its caller.
"""

from config import metrics as m

_COUNTERS = {
    "ratelimit.redis_unavailable": m.REQUESTPATH_REDIS_FAILURES,  # label: where
    "ratelimit.fail_open": m.RATELIMIT_FAIL_OPEN,
    "metering.lost": m.USAGE_METERING_LOST,
}


def incr(name: str, amount: int = 1, **labels: str) -> None:
    counter = _COUNTERS[name]
    (counter.labels(**labels) if labels else counter).inc(amount)


def _total(counter) -> float:
    return sum(
        sample.value for family in counter.collect() for sample in family.samples if sample.name.endswith("_total")
    )


def value(name: str) -> int:
    return int(_total(_COUNTERS[name]))


def snapshot() -> dict[str, int]:
    return {name: value(name) for name in _COUNTERS}
