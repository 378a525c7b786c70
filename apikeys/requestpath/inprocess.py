"""The in-process backend of the request path's state (apikeys/requestpath/limiter.py): what gcra.lua
does, in Python, in this process's memory. The embedded default (no REDIS_URL) runs on it.

Per process: every process (a gunicorn worker, a second runserver) has limits, cool-offs, a key
cache and usage counters of its own. A tenant's budget is then per process too, and a revocation made
in another process (a management command, another worker) can't tombstone this one's cache: entries
live here at most LOCAL_ENTRY_SECONDS, so it takes effect within that. One process (`make run`) is
exact; several processes that must share one limit need Redis.

Thread-safe: each operation runs under one lock, as a script runs alone in Redis. The arithmetic is
gcra.lua's, step for step, on the same numbers (integer microseconds, IEEE doubles where Lua divides),
so both backends answer the same sequence identically (tests/apikeys/test_limiter_parity.py).
"""

import math
import os
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from apikeys.requestpath import store
from apikeys.requestpath.limiter import MISS, TOMBSTONE, LastUsedUpdate, Limiter, Reply, UsageFold, decoded
from apikeys.requestpath.policies import RatePolicy

LOCAL_ENTRY_SECONDS = 5  # the most a revocation made by another process waits here (see above)
SWEEP_SECONDS = 60  # how often expired buckets, entries and cool-offs are dropped
_SECOND = 1_000_000


def _now() -> int:
    return time.time_ns() // 1000


class _Bucket:
    """gcra.lua's gcra_check result: what charging `cost` to one bucket would do."""

    __slots__ = ("name", "quota", "window", "which", "ok", "remaining", "reset", "retry", "new_tat")

    def __init__(self, name: str, quota: int, window: int, which: str):
        self.name, self.quota, self.window, self.which = name, quota, window, which
        self.ok, self.remaining, self.reset, self.retry, self.new_tat = False, 0, 0, 0, 0

    def reply(self, entry: Mapping | None = None) -> Reply:
        code = "VALID" if self.ok else "RATE_LIMITED"
        return Reply(code, self.quota, self.window, self.remaining, self.reset, self.retry, self.which, entry)


def _in_cidr(address: str, cidr: str) -> bool:
    """gcra.lua's in_cidr: both in 32 hex digits (cache.ip_hex, cache.cidr_hex), compared by prefix."""
    net, _, length = cidr.partition("/")
    bits = int(length)
    whole = bits // 4
    if whole > 0 and address[:whole] != net[:whole]:
        return False
    rest = bits % 4
    if rest == 0:
        return True
    mask = (0xF << (4 - rest)) & 0xF
    return int(address[whole], 16) & mask == int(net[whole], 16) & mask


def _ip_allowed(entry: Mapping, ip: str) -> bool:
    if not entry["cidrs"]:
        return True
    if not ip:
        return False
    return any(_in_cidr(ip, cidr) for cidr in entry["cidrs"])


def refusal(entry: Mapping, ip: str, required: Sequence[str], now: int) -> str | None:
    """gcra.lua's checks of a key whose digest matched, in its order; None: the key is good."""
    now_s = now / _SECOND
    if entry["revoked"]:
        return "REVOKED"
    if (entry["expires"] != 0 and now_s >= entry["expires"]) or (
        entry["valid_until"] != 0 and now_s >= entry["valid_until"]
    ):
        return "EXPIRED"
    if entry["tenant_status"] != "active":
        return "TENANT_SUSPENDED"
    if not _ip_allowed(entry, ip):
        return "FORBIDDEN_IP"
    if required and not set(required).issubset(entry["scopes"]):
        return "INSUFFICIENT_SCOPE"
    return None


class InProcessLimiter(Limiter):
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clear()

    def _clear(self) -> None:
        # name -> (value, expiry in µs, 0: none): buckets (TAT), entries ((JSON, decoded) or
        # TOMBSTONE), cool-off counters (int) and flags (True). Names from apikeys/requestpath/store.py.
        self._keys: dict[str, tuple[Any, int]] = {}
        self._usage: defaultdict[str, int] = defaultdict(int)  # usage field -> calls
        self._last_used: dict[int, int] = {}  # key id -> epoch seconds
        self._next_sweep = 0

    def clear(self) -> None:
        """Forget everything (tests; and a forked child, whose copy is its parent's)."""
        with self._lock:
            self._clear()

    def after_fork(self) -> None:
        self._lock = threading.Lock()  # the parent's may have been held by another thread
        self._clear()

    # --- Redis-like primitives, called with the lock held ---------------------------------------

    def _get(self, name: str, now: int) -> Any:
        item = self._keys.get(name)
        if item is None:
            return None
        value, expires = item
        if expires and expires <= now:
            del self._keys[name]
            return None
        return value

    def _set(self, name: str, value: Any, expires: int) -> None:
        self._keys[name] = (value, expires)

    def _sweep(self, now: int) -> None:
        """Drop what has expired (Redis does it by itself), at most once per SWEEP_SECONDS."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + SWEEP_SECONDS * _SECOND
        for name in [n for n, (_, expires) in self._keys.items() if expires and expires <= now]:
            del self._keys[name]

    # --- GCRA (gcra.lua's gcra_check, gcra_charge, decide) ---------------------------------------

    def _check(self, name: str, quota: int, window: int, cost: int, which: str, now: int) -> _Bucket:
        r = _Bucket(name, quota, window, which)
        interval = math.ceil(window * 1000000 / quota)
        burst = interval * quota
        tat = self._get(name, now) or 0
        if tat < now:
            tat = now
        new_tat = tat + interval * cost
        if new_tat - now > burst:
            r.remaining = max(0, math.floor((burst - (tat - now)) / interval))
            r.reset = math.ceil((tat - now) / 1000000)
            r.retry = -1 if cost > quota else math.ceil((new_tat - burst - now) / 1000000)
            return r
        r.ok, r.new_tat = True, new_tat
        r.remaining = math.floor((burst - (new_tat - now)) / interval)
        r.reset = math.ceil((new_tat - now) / 1000000)
        return r

    def _charge(self, r: _Bucket, now: int) -> None:
        # Redis: SET ... PX ceil((new_tat - now) / 1000) + 1
        self._set(r.name, r.new_tat, now + (math.ceil((r.new_tat - now) / 1000) + 1) * 1000)

    def _decide(self, own: _Bucket, budget: _Bucket, now: int) -> _Bucket:
        if own.ok and budget.ok:
            self._charge(own, now)
            self._charge(budget, now)
            return budget if budget.remaining < own.remaining else own
        if own.ok:
            return budget
        if budget.ok:
            return own
        if own.retry == -1:
            return own
        if budget.retry == -1 or budget.retry > own.retry:
            return budget
        return own

    # --- The interface ---------------------------------------------------------------------------

    def check_key(
        self,
        *,
        lookup_id: str,
        digest: str,
        ip: str,
        required: Sequence[str],
        cost: int,
        fill: str,
        fill_ttl: int,
        usage_field: str,
        cooloff_flag: str | None,
        now: int | None = None,
    ) -> Reply:
        now = _now() if now is None else now
        names = store.names()
        name = names.entry_prefix + lookup_id
        with self._lock:
            self._sweep(now)
            if cooloff_flag:
                left = self._pttl(cooloff_flag, now)
                if left > 0:
                    return Reply("COOLOFF", retry=math.ceil(left / 1000))
            if fill:
                entry = decoded(fill)
                if self._get(name, now) is None:  # SET NX: a tombstone or a fresher fill wins
                    ttl = min(fill_ttl, LOCAL_ENTRY_SECONDS)
                    self._set(name, entry, now + ttl * _SECOND)
            else:
                entry = self._get(name, now)
                if entry is None or entry is TOMBSTONE:
                    return Reply(MISS)
            # The digest comparison here only decides whether to spend the key's quota (see
            # gcra.lua); verification.py compares again in constant time.
            if entry.get("missing") or entry.get("digest") != digest:
                return Reply("NOT_FOUND")
            code = refusal(entry, ip, required, now)
            if code is not None:
                self._meter(entry, usage_field, "4xx")
                return Reply(code, entry["quota"], entry["window"], 0, 0, 0, "-", entry)
            self._last_used[entry["id"]] = now // _SECOND
            r = self._decide(
                self._check(
                    names.key_bucket_prefix + str(entry["id"]), entry["quota"], entry["window"], cost, "k", now
                ),
                self._check(
                    names.budget_bucket_prefix + str(entry["tenant"]),
                    entry["budget_quota"],
                    entry["budget_window"],
                    cost,
                    "t",
                    now,
                ),
                now,
            )
            self._meter(entry, usage_field, "2xx" if r.ok else "4xx")
            return r.reply(entry)

    def _meter(self, entry: Mapping, usage_field: str, status_class: str) -> None:
        if usage_field:
            self._usage[f"{entry['tenant']}|{usage_field}|{status_class}"] += 1

    def take(
        self,
        bucket: str,
        policy: RatePolicy,
        cost: int,
        usage_field: str,
        budget: tuple[str, RatePolicy] | None,
        *,
        now: int | None = None,
    ) -> Reply:
        now = _now() if now is None else now
        with self._lock:
            self._sweep(now)
            r = self._check(bucket, policy.quota, policy.window, cost, "k", now)
            if budget is not None:
                r = self._decide(r, self._check(budget[0], budget[1].quota, budget[1].window, cost, "t", now), now)
            elif r.ok:
                self._charge(r, now)
            if usage_field:
                self._usage[f"{usage_field}|{'2xx' if r.ok else '4xx'}"] += 1
            return r.reply()

    def add_usage(self, changes: Sequence[tuple[str, int]]) -> None:
        with self._lock:
            for field, amount in changes:
                self._usage[field] += amount

    def usage(self) -> dict[str, int]:
        """The counters not yet flushed (a copy)."""
        with self._lock:
            return dict(self._usage)

    def last_used(self) -> dict[int, int]:
        with self._lock:
            return dict(self._last_used)

    def flush_usage(self, fold: UsageFold) -> None:
        """Swap the counters for fresh ones and fold them; a fold that fails puts them back, so the
        next flush folds them (nothing lost while the process lives, nothing counted twice: the
        fold's transaction either committed with its UsageFlush row or didn't)."""
        with self._lock:
            data, self._usage = self._usage, defaultdict(int)
        if not data:
            return
        try:
            fold(store.usage_flush_prefix() + "local-" + uuid.uuid4().hex, data)
        except BaseException:
            self.add_usage(list(data.items()))
            raise

    def flush_last_used(self, update: LastUsedUpdate) -> int:
        with self._lock:
            data, self._last_used = self._last_used, {}
        if not data:
            return 0
        try:
            return update(data)
        except BaseException:
            with self._lock:
                for key_id, seconds in data.items():
                    self._last_used[key_id] = max(seconds, self._last_used.get(key_id, 0))
            raise

    def invalidate(self, entry_keys: Sequence[str], *, tombstone: bool, tombstone_seconds: int) -> None:
        now = _now()
        with self._lock:
            for name in entry_keys:
                if tombstone:
                    self._set(name, TOMBSTONE, now + tombstone_seconds * _SECOND)
                else:
                    self._keys.pop(name, None)

    def _pttl(self, flag: str, now: int) -> int:
        """Milliseconds left of `flag` (Redis PTTL, rounded up so that any time left counts)."""
        item = self._keys.get(flag)
        if item is None or item[1] <= now:
            return 0
        return -(-(item[1] - now) // 1000)

    def cooloff_left(self, flag: str, *, now: int | None = None) -> int:
        now = _now() if now is None else now
        with self._lock:
            return self._pttl(flag, now)

    def cooloff_fail(
        self, counter: str, flag: str, failures: int, seconds: int, *, now: int | None = None
    ) -> tuple[bool, int]:
        now = _now() if now is None else now
        with self._lock:
            self._sweep(now)
            left = self._pttl(flag, now)
            if left > 0:
                return False, left
            count = (self._get(counter, now) or 0) + 1
            if count == 1:
                self._set(counter, count, now + seconds * _SECOND)  # the window starts at the first
            else:
                self._set(counter, count, self._keys[counter][1])
            if count >= failures:
                self._set(flag, True, now + seconds * _SECOND)
                del self._keys[counter]
                return True, seconds * 1000
            return False, 0

    def cooloff_reset(self, counter: str) -> None:
        with self._lock:
            self._keys.pop(counter, None)


LIMITER = InProcessLimiter()
os.register_at_fork(after_in_child=LIMITER.after_fork)
