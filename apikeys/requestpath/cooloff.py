"""Cool-offs after repeated failed credentials: per OAuth client id (the /o/ endpoints that
authenticate clients) and per client address (API keys).

Two keys per subject (the subject hashed, so a caller can't choose long or odd key names), in Redis
or, without Redis, in this process (apikeys/requestpath/inprocess.py, the same semantics):

- failures:<kind>:<subject>  a fixed-window counter, INCR'd on every failure; its TTL (set by the
  first failure) is the cool-off length, so it counts failures "within the window".
- cooloff:<kind>:<subject>   present while the subject is cooled off; its TTL is what is left of the
  cool-off (Retry-After). Reaching the limit sets it and drops the counter.

A failure is recorded in one atomic step (on Redis one script call: check the flag, count, start
the cool-off), only ever on a failure path. The check a request makes before its credential is
looked at is a PTTL; for API keys it runs inside the verification script (gcra.lua, KEYS[4]), so a
valid key still costs one round trip. Redis down: fail open, with a log line and
console_requestpath_redis_failures_total{where="auth_cooloff"}.
"""

import functools
import hashlib
import logging
import math

from django.conf import settings

from apikeys.requestpath import metrics as requestpath_metrics
from apikeys.requestpath import store
from apikeys.requestpath.backends import backend
from config import metrics
from config.middleware import current_request_id

log = logging.getLogger(__name__)

OAUTH_CLIENT = "oauth_client"
APIKEY_ADDRESS = "apikey_address"
KINDS = (OAUTH_CLIENT, APIKEY_ADDRESS)


def limits(kind: str) -> tuple[int, int]:
    """(failures before the cool-off, cool-off seconds) of `kind`."""
    if kind == OAUTH_CLIENT:
        return settings.OAUTH_CLIENT_FAILURES_BEFORE_COOLOFF, settings.OAUTH_CLIENT_COOLOFF_SECONDS
    return settings.APIKEY_FAILURES_BEFORE_COOLOFF, settings.APIKEY_COOLOFF_SECONDS


@functools.lru_cache(maxsize=4096)
def _subject(identity: str) -> str:
    """Cached per process: every API-key call hashes its client address, and addresses repeat."""
    return hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def flag_key(kind: str, identity: str) -> str:
    return store.key("cooloff", kind, _subject(identity))


def counter_key(kind: str, identity: str) -> str:
    return store.key("failures", kind, _subject(identity))


def _seconds(milliseconds) -> int:
    return max(1, math.ceil(int(milliseconds) / 1000)) if int(milliseconds) > 0 else 0


def _redis_down(action: str, kind: str, exc: Exception) -> None:
    log.warning(
        "Redis unavailable while %s the %s cool-off; failing open: %s",
        action,
        kind,
        exc,
        extra={"event": "auth_cooloff.redis_unavailable", "kind": kind, "request_id": current_request_id()},
    )
    requestpath_metrics.incr("ratelimit.redis_unavailable", where="auth_cooloff")


def remaining(kind: str, identity: str) -> int:
    """Seconds of cool-off left for this subject (0: not cooled off, or Redis can't say)."""
    if not identity:
        return 0
    try:
        return _seconds(backend().cooloff_left(flag_key(kind, identity)))
    except store.RedisError as exc:
        _redis_down("checking", kind, exc)
        return 0


def fail(kind: str, identity: str, **context) -> tuple[bool, int]:
    """Count one failed credential of this subject: (whether this failure started a cool-off,
    seconds of cool-off left, 0 when none). `context` goes into the log line of a start."""
    if not identity:
        return False, 0
    failures, seconds = limits(kind)
    try:
        started, left = backend().cooloff_fail(counter_key(kind, identity), flag_key(kind, identity), failures, seconds)
    except store.RedisError as exc:
        _redis_down("counting a failure for", kind, exc)
        return False, 0
    if started:
        metrics.AUTH_COOLOFFS.labels(kind).inc()
        log.warning(
            "auth cool-off started: %s after %s failures, for %ss",
            kind,
            failures,
            seconds,
            extra={
                "event": "auth_cooloff.started",
                "kind": kind,
                "failures": failures,
                "cooloff_seconds": seconds,
                "request_id": current_request_id(),
                **context,
            },
        )
    return bool(started), _seconds(left)


def reset(kind: str, identity: str) -> None:
    """A success: the subject's failures so far no longer count (a running cool-off stays)."""
    if not identity:
        return
    try:
        backend().cooloff_reset(counter_key(kind, identity))
    except store.RedisError as exc:
        _redis_down("resetting", kind, exc)
