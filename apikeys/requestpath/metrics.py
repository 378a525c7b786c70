"""Process-local counters of the request path's degraded modes (Redis down, fail-open decisions).

Small on purpose: a later metrics exporter reads `snapshot()`; tests read it to prove an event was
counted. Every increment is also logged by its caller.
"""

import threading
from collections import Counter

_lock = threading.Lock()
_counts: Counter = Counter()


def incr(name: str, amount: int = 1) -> None:
    with _lock:
        _counts[name] += amount


def value(name: str) -> int:
    with _lock:
        return _counts[name]


def snapshot() -> dict[str, int]:
    with _lock:
        return dict(_counts)
