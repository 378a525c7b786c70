"""The request path's state behind one interface, with two backends that take the same decisions:

    RedisLimiter      (redis_limiter.py)  gcra.lua and a few commands on APIKEY_REDIS_URL: one state
                                          shared by every process and server
    InProcessLimiter  (inprocess.py)      the same checks and the same GCRA in Python, in this process's
                                          memory: the embedded default (no REDIS_URL), where limits,
                                          cool-offs and counters are per process

What a backend keeps: the cached key entries (with tombstones), the GCRA buckets (a key's, an OAuth
client's or a person's, and each tenant's budget), the cool-off counters and flags, the usage
counters and the keys' last-use times. What it does with them, each in one atomic step: the key
check + both buckets + usage count of one API-key call (`check_key`, what gcra.lua's "key" mode
does), a bucket decision for the other principals (`take`), the cool-off steps, the usage
corrections after a response, and handing the counters over to the PostgreSQL fold.

`now` (integer microseconds of the epoch) exists for the parity test
(tests/apikeys/test_limiter_parity.py), which drives one sequence through both backends on one
clock. Production never passes it: the Redis backend then runs the script that reads Redis's TIME,
and refuses a `now` unless it was built with the test-only clocked script.
"""

import abc
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import NamedTuple

from apikeys.requestpath.policies import RatePolicy

MISS = "MISS"  # check_key: no entry (or a tombstone): load the key and call again with `fill`
TOMBSTONE = "!"


class Reply(NamedTuple):
    """One decision: a verification code (apikeys.requestpath.verification), the figures of the
    bucket that was tighter (`which`: "k" the credential's own, "t" the tenant budget, "-" none
    taken) and, for a key, its entry."""

    code: str
    limit: int = 0
    window: int = 0
    remaining: int = 0
    reset: int = 0  # seconds until the quota is whole again
    retry: int = 0  # seconds; -1 when the cost can never fit; COOLOFF: seconds of cool-off left
    which: str = "-"
    entry: Mapping | None = None


@functools.lru_cache(maxsize=1024)
def decoded(raw: bytes | str) -> Mapping:
    """A cached entry's JSON, decoded once per process for the same bytes.

    Keyed by the exact bytes the backend holds, so this caches parsing, never validity: every request
    still reads the entry, and a revocation (a tombstone, then a refill with "revoked": true) is
    different bytes. Read-only (lists become tuples), because one object serves many requests."""
    entry = json.loads(raw)
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})


# fold(flush key, {field: calls}) folds one batch of usage counters into PostgreSQL, in one
# transaction with its UsageFlush(flush key) row (apikeys/requestpath/metering.py).
UsageFold = Callable[[str, Mapping], None]
# update({key id: epoch seconds}) moves ApiKey.last_used_at forward; returns the rows updated.
LastUsedUpdate = Callable[[Mapping[int, int]], int]


class Limiter(abc.ABC):
    """What the request path asks of its state. Names of state (entry keys, buckets, cool-off
    flags) are the ones apikeys/requestpath/store.py gives, in both backends."""

    @abc.abstractmethod
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
        """An API-key call, atomically: refuse with COOLOFF while `cooloff_flag` is set; read the
        cached entry (or store `fill`, the entry JSON, unless an entry or tombstone is there, and
        use it); compare the digest; check revocation, expiry, tenant status, the IP allow-list
        (`ip` in cache.ip_hex form) and `required` scopes; then GCRA on the key's bucket and its
        tenant's budget (both charged or neither), the key's last use and, with `usage_field`, the
        call counted under its tenant. MISS when there is no entry and no fill."""

    @abc.abstractmethod
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
        """GCRA on `bucket` and, with `budget` (bucket, policy), on that one too: allowed only if
        both have room, neither charged otherwise; with `usage_field` (tenant included), counted."""

    @abc.abstractmethod
    def add_usage(self, changes: Sequence[tuple[str, int]]) -> None:
        """Add to usage counters atomically (a call no script counted, or a status-class move)."""

    @abc.abstractmethod
    def flush_usage(self, fold: UsageFold) -> None:
        """Hand every pending batch of usage counters to `fold`; a batch is gone once it folded."""

    @abc.abstractmethod
    def flush_last_used(self, update: LastUsedUpdate) -> int:
        """Hand the pending last-use times to `update`; returns the rows it updated."""

    @abc.abstractmethod
    def invalidate(self, entry_keys: Sequence[str], *, tombstone: bool, tombstone_seconds: int) -> None:
        """Tombstone (or, `tombstone=False`, delete) cached entries."""

    @abc.abstractmethod
    def cooloff_left(self, flag: str, *, now: int | None = None) -> int:
        """Milliseconds left of the cool-off `flag` (0: none)."""

    @abc.abstractmethod
    def cooloff_fail(
        self, counter: str, flag: str, failures: int, seconds: int, *, now: int | None = None
    ) -> tuple[bool, int]:
        """One failure, atomically: while cooled off, nothing but (False, ms left); else count it in
        a window of `seconds` from the first one, and the `failures`-th sets the flag for `seconds`
        and drops the counter: (True, seconds in ms). Otherwise (False, 0)."""

    @abc.abstractmethod
    def cooloff_reset(self, counter: str) -> None:
        """A success: forget the failures counted so far (a running cool-off stays)."""
