"""The Redis backend of the request path's state (apikeys/requestpath/limiter.py): one state for every
process and server.

An API-key call or a bucket decision is one EVALSHA of gcra.lua (store.Script: one round trip);
the cool-off failure step is a small script of its own; the rest are single commands or one
pipeline. Every method raises store.RedisError when Redis can't answer, and the caller decides
fail-open or fail-closed.
"""

import uuid
from collections.abc import Sequence
from pathlib import Path

from apikeys.requestpath import store
from apikeys.requestpath.limiter import MISS, TOMBSTONE, LastUsedUpdate, Limiter, Reply, UsageFold, decoded
from apikeys.requestpath.policies import RatePolicy

SCRIPT_SOURCE = (Path(__file__).parent / "gcra.lua").read_text()
# The script's one read of the clock. The test-only clocked variant (clocked_source) replaces it.
CLOCK_LINE = 'local clock = redis.call("TIME")'
if SCRIPT_SOURCE.count(CLOCK_LINE) != 1:
    raise RuntimeError(f"gcra.lua must read the clock exactly once, as {CLOCK_LINE!r}")


def clocked_source() -> str:
    """gcra.lua taking its clock from the caller (ARGV[1] seconds, ARGV[2] microseconds, before the
    script's own arguments) instead of Redis's TIME: only for the parity test, which gives both
    backends one clock. A different script (another SHA): production's never reads a time it is given.
    """
    header = "local clock = {ARGV[1], ARGV[2]}\nlocal ARGV = {unpack(ARGV, 3)}\n"
    return header + SCRIPT_SOURCE.replace(CLOCK_LINE, "")


# KEYS = {failures counter, cool-off flag}; ARGV = {failures before the cool-off, cool-off seconds}.
# Returns {started (0/1), milliseconds of cool-off left (0: none)}.
COOLOFF_FAIL_SOURCE = """
local left = redis.call("PTTL", KEYS[2])
if left > 0 then return {0, left} end
local n = redis.call("INCR", KEYS[1])
if n == 1 then redis.call("EXPIRE", KEYS[1], ARGV[2]) end
if n >= tonumber(ARGV[1]) then
  redis.call("SET", KEYS[2], "1", "EX", ARGV[2])
  redis.call("DEL", KEYS[1])
  return {1, tonumber(ARGV[2]) * 1000}
end
return {0, 0}
"""

_CODES = {
    code.encode(): code
    for code in (
        "VALID",
        "NOT_FOUND",
        "EXPIRED",
        "REVOKED",
        "TENANT_SUSPENDED",
        "FORBIDDEN_IP",
        "INSUFFICIENT_SCOPE",
        "RATE_LIMITED",
        "COOLOFF",
    )
}
_WHICH = {b"k": "k", b"t": "t", b"-": "-"}


def parse_reply(reply: bytes) -> Reply:
    """The script's one-string answer "<code> <limit> <window> <remaining> <reset> <retry after>
    <bucket> <entry JSON>" (just "MISS" for a cache miss): see the top of gcra.lua."""
    parts = reply.split(b" ", 7)
    if parts[0] == b"MISS":
        return Reply(MISS)
    code, limit, window, remaining, reset, retry, which, raw = parts
    return Reply(
        _CODES[code],
        int(limit),
        int(window),
        int(remaining),
        int(reset),
        int(retry),
        _WHICH[which],
        decoded(raw) if raw else None,
    )


class RedisLimiter(Limiter):
    def __init__(self, *, clocked: bool = False):
        # clocked: the test-only script that takes `now` from the caller (see clocked_source).
        self.clocked = clocked
        self.script = store.Script(clocked_source() if clocked else SCRIPT_SOURCE)
        self.cooloff_script = store.Script(COOLOFF_FAIL_SOURCE)

    def _eval(self, keys: list, args: list, now: int | None) -> bytes:
        if now is not None:
            if not self.clocked:
                raise ValueError("this RedisLimiter reads Redis's clock; `now` needs RedisLimiter(clocked=True)")
            args = [now // 1_000_000, now % 1_000_000, *args]
        elif self.clocked:
            raise ValueError("a clocked RedisLimiter needs `now`")
        return self.script(keys=keys, args=args)

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
        names = store.names()
        keys = [names.entry_prefix + lookup_id, names.last_used, names.usage]
        if cooloff_flag:
            keys.append(cooloff_flag)
        args = [
            "key",
            digest,
            ip,
            " ".join(required),
            cost,
            fill,
            fill_ttl,
            usage_field,
            names.key_bucket_prefix,
            names.budget_bucket_prefix,
        ]
        return parse_reply(self._eval(keys, args, now))

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
        keys = [bucket, store.usage_key()]
        args: list = ["bucket", policy.quota, policy.window, cost, usage_field]
        if budget is not None:
            keys.append(budget[0])
            args += [budget[1].quota, budget[1].window]
        return parse_reply(self._eval(keys, args, now))

    def add_usage(self, changes: Sequence[tuple[str, int]]) -> None:
        client = store.client()
        if len(changes) == 1:
            client.hincrby(store.usage_key(), *changes[0])
            return
        pipe = client.pipeline(transaction=True)
        for field, amount in changes:
            pipe.hincrby(store.usage_key(), field, amount)
        pipe.execute()

    def flush_usage(self, fold: UsageFold) -> None:
        """RENAME the live hash to a unique flush key (new calls start a fresh one), fold it, DEL it.
        Flush keys left by a flush that died are folded first (fold knows the ones already counted)."""
        client = store.client()
        for orphan in list(client.scan_iter(match=store.usage_flush_prefix() + "*", count=1000)):
            self._fold(client, orphan.decode(), fold)
        flush_key = store.usage_flush_prefix() + uuid.uuid4().hex
        try:
            client.rename(store.usage_key(), flush_key)
        except store.redis.exceptions.ResponseError:
            return  # no live hash: no call since the last flush
        self._fold(client, flush_key, fold)

    @staticmethod
    def _fold(client, flush_key: str, fold: UsageFold) -> None:
        fold(flush_key, client.hgetall(flush_key))
        client.delete(flush_key)

    def flush_last_used(self, update: LastUsedUpdate) -> int:
        """The same rename-then-delete; no ledger needed, since the update only moves times forward."""
        client = store.client()
        prefix = store.last_used_flush_prefix()
        pending = [k.decode() for k in client.scan_iter(match=prefix + "*", count=1000)]
        flush_key = prefix + uuid.uuid4().hex
        try:
            client.rename(store.last_used_key(), flush_key)
            pending.append(flush_key)
        except store.redis.exceptions.ResponseError:
            pass
        updated = 0
        for key in pending:
            data = {int(k): int(v) for k, v in client.hgetall(key).items()}
            if data:
                updated += update(data)
            client.delete(key)
        return updated

    def invalidate(self, entry_keys: Sequence[str], *, tombstone: bool, tombstone_seconds: int) -> None:
        pipe = store.client().pipeline(transaction=False)
        for entry_key in entry_keys:
            if tombstone:
                pipe.set(entry_key, TOMBSTONE, ex=tombstone_seconds)
            else:
                pipe.delete(entry_key)
        pipe.execute()

    def cooloff_left(self, flag: str, *, now: int | None = None) -> int:
        return max(0, int(store.client().pttl(flag)))  # -2: no flag

    def cooloff_fail(
        self, counter: str, flag: str, failures: int, seconds: int, *, now: int | None = None
    ) -> tuple[bool, int]:
        started, left = self.cooloff_script(keys=[counter, flag], args=[failures, seconds])
        return bool(started), int(left)

    def cooloff_reset(self, counter: str) -> None:
        store.client().delete(counter)


LIMITER = RedisLimiter()
