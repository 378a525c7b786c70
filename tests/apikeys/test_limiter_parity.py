"""The two backends of the request path's state (apikeys/requestpath/limiter.py) answer alike: one
sequence of calls, on one clock, through gcra.lua on a real Redis and through the in-process
implementation gives identical replies (code, limit, window, remaining, reset, retry-after, which
bucket, entry), identical usage counters and last-use times. And the key check, verdict by verdict,
is the same in the script, in the in-process backend and in verification.refusal (the database path
taken when Redis is down).

The clock: the in-process backend takes `now`; for Redis the test-only clocked variant of gcra.lua
(redis_limiter.clocked_source) reads it from its arguments. The production script reads Redis's
TIME and a production RedisLimiter refuses a `now`."""

import json
import random
import time

import pytest

from apikeys.requestpath import cache, inprocess, redis_limiter, store, verification
from apikeys.requestpath.limiter import MISS, Reply
from apikeys.requestpath.policies import RatePolicy

pytestmark = pytest.mark.django_db

SECOND = 1_000_000


@pytest.fixture
def redis_side(redis_client):
    return redis_limiter.RedisLimiter(clocked=True)


@pytest.fixture
def local_side():
    return inprocess.InProcessLimiter()


class Clock:
    """Microseconds of the epoch, starting now (the Redis keys' own expiry runs on real time, which
    never gets ahead of this clock)."""

    def __init__(self):
        self.now = time.time_ns() // 1000

    def advance(self, microseconds: int) -> int:
        self.now += microseconds
        return self.now


def take_both(redis_side, local_side, now, bucket, policy, cost=1, usage_field="", budget=None) -> Reply:
    names = store.key("rl", bucket), (store.key("rl", budget[0]), budget[1]) if budget else None
    theirs = redis_side.take(names[0], policy, cost, usage_field, names[1], now=now)
    ours = local_side.take(names[0], policy, cost, usage_field, names[1], now=now)
    assert ours == theirs
    return ours


def redis_usage() -> dict[str, int]:
    raw: dict[bytes, bytes] = store.client().hgetall(store.usage_key())  # type: ignore[assignment]
    return {k.decode(): int(v) for k, v in raw.items()}


def redis_last_used() -> dict[int, int]:
    return {int(k): int(v) for k, v in store.client().hgetall(store.last_used_key()).items()}


def test_a_production_redis_limiter_takes_no_clock_from_its_caller(redis_client):
    production = redis_limiter.LIMITER
    assert not production.clocked and "TIME" in production.script.source
    with pytest.raises(ValueError):
        production.take(store.key("rl", "x"), RatePolicy("p", 1, 1), 1, "", None, now=1)
    assert redis_limiter.CLOCK_LINE not in redis_limiter.clocked_source()


def test_gcra_by_hand_edges(redis_side, local_side):
    """Burst to the limit, a refusal with its wait, a refill, a cost above the quota, the budget
    tighter than the credential, both refusing (the longer wait wins)."""
    clock = Clock()
    policy = RatePolicy("default", 3, 60)  # one slot every 20 s
    replies = [take_both(redis_side, local_side, clock.now, "a", policy) for _ in range(4)]
    assert [r.code for r in replies] == ["VALID", "VALID", "VALID", "RATE_LIMITED"]
    assert [r.remaining for r in replies] == [2, 1, 0, 0]
    assert (replies[3].retry, replies[3].reset) == (20, 60)
    clock.advance(20 * SECOND)
    assert take_both(redis_side, local_side, clock.now, "a", policy).code == "VALID"
    too_big = take_both(redis_side, local_side, clock.now, "b", policy, cost=4)
    assert (too_big.code, too_big.retry) == ("RATE_LIMITED", -1)

    budget = ("budget:t", RatePolicy("tenant", 2, 60))
    own = RatePolicy("default", 5, 60)
    first = take_both(redis_side, local_side, clock.now, "c", own, budget=budget)
    assert (first.code, first.which, first.remaining) == ("VALID", "t", 1)
    take_both(redis_side, local_side, clock.now, "d", own, budget=budget)
    refused = take_both(redis_side, local_side, clock.now, "e", own, budget=budget)
    assert (refused.code, refused.which, refused.retry) == ("RATE_LIMITED", "t", 30)
    # A refusal charged neither bucket: "e" has its whole quota once the budget refills.
    clock.advance(30 * SECOND)
    assert take_both(redis_side, local_side, clock.now, "e", own, budget=budget).remaining == 0  # the budget's


def test_one_random_sequence_of_bucket_decisions_is_answered_alike(redis_side, local_side):
    rng = random.Random(20261206)
    clock = Clock()
    policies = [RatePolicy("p1", 5, 10), RatePolicy("p2", 7, 3), RatePolicy("p3", 100, 60), RatePolicy("p4", 1, 1)]
    budgets = [None, ("budget:1", RatePolicy("tenant", 6, 10)), ("budget:2", RatePolicy("tenant", 13, 7))]
    codes = set()
    for step in range(600):
        clock.advance(rng.choice([0, 0, 1, 999, 12_345, 250_000, 1_000_000, 2_500_001, 9 * SECOND]))
        bucket = f"b{rng.randrange(6)}"
        reply = take_both(
            redis_side,
            local_side,
            clock.now,
            bucket,
            policies[int(bucket[1:]) % len(policies)],
            cost=rng.choice([1, 1, 1, 2, 3, 8]),
            usage_field=f"1|oauth:{bucket}|console|v1|0|GET x" if step % 3 else "",
            budget=rng.choice(budgets),
        )
        codes.add((reply.code, reply.which, reply.retry == -1))
    assert {("VALID", "k", False), ("VALID", "t", False), ("RATE_LIMITED", "k", False)} <= codes
    assert ("RATE_LIMITED", "t", False) in codes and ("RATE_LIMITED", "k", True) in codes
    assert local_side.usage() == redis_usage() != {}


# --- API keys: the key check, both buckets, usage and last use --------------------------------


@pytest.fixture
def base_entry(acme, make_key):
    """A real key's cache entry (cache.build_entry), the model of every variant below."""
    api_key, raw = make_key(acme, scopes=["keys:read", "usage:read"], rate_quota=4, rate_window=8)
    return cache.build_entry(api_key)


def variants(base: dict, now_s: float) -> dict[str, tuple[dict, str]]:
    """name -> (entry, the verdict it gets from 198.51.100.9 asking for keys:read)."""
    cidrs = ["198.51.100.0/24", "2001:db8::/32"]
    allowed = {"cidrs": [cache.cidr_hex(c) for c in cidrs], "allowed_cidrs": cidrs}
    odd = ["198.51.100.8/29"]  # .8 - .15: a prefix length that is no multiple of 4
    far = ["192.0.2.0/22"]
    return {
        "valid": ({**base}, "VALID"),
        "revoked": ({**base, "revoked": True}, "REVOKED"),
        "expired": ({**base, "expires": now_s - 1}, "EXPIRED"),
        "overlap_over": ({**base, "valid_until": now_s - 0.5}, "EXPIRED"),
        "not_yet_expired": ({**base, "expires": now_s + 3600}, "VALID"),
        "suspended": ({**base, "tenant_status": "suspended"}, "TENANT_SUSPENDED"),
        "revoked_and_suspended": ({**base, "revoked": True, "tenant_status": "suspended"}, "REVOKED"),
        "ip_allowed": ({**base, **allowed}, "VALID"),
        "ip_odd_prefix": ({**base, "cidrs": [cache.cidr_hex(c) for c in odd], "allowed_cidrs": odd}, "VALID"),
        "ip_forbidden": ({**base, "cidrs": [cache.cidr_hex(c) for c in far], "allowed_cidrs": far}, "FORBIDDEN_IP"),
        "scope_missing": ({**base, "scopes": ["usage:read"]}, "INSUFFICIENT_SCOPE"),
        "no_quota_left": ({**base, "quota": 1, "window": 3600}, "VALID"),  # the second call is refused
        "budget_tight": ({**base, "budget_quota": 1, "budget_window": 3600}, "VALID"),
    }


def check_both(redis_side, local_side, now, entry, *, digest=None, ip="198.51.100.9", required=("keys:read",), **kw):
    """verification.verify's two steps (no entry: fill it and ask again), on each backend."""
    args = {
        "lookup_id": entry["lookup_id"],
        "digest": entry.get("digest") if digest is None else digest,
        "ip": cache.ip_hex(ip),
        "required": required,
        "cost": kw.get("cost", 1),
        "fill_ttl": 300,
        "usage_field": kw.get("usage_field", f"key:{entry['lookup_id']}|console|v1|0|GET x"),
        "cooloff_flag": kw.get("cooloff_flag"),
        "now": now,
    }
    fill = cache.encode(entry)
    replies = []
    for side in (redis_side, local_side):
        reply = side.check_key(fill="", **args)
        if reply.code == MISS:
            reply = side.check_key(fill=fill, **args)
        replies.append(reply)
    assert replies[0] == replies[1]
    return replies[0]


def test_every_verdict_of_the_key_check_is_the_same_in_both_backends(redis_side, local_side, base_entry):
    clock = Clock()
    seen = set()
    for n, (name, (entry, verdict)) in enumerate(variants(base_entry, clock.now / SECOND).items()):
        entry = {**entry, "lookup_id": f"parity{n:06d}", "id": 10_000 + n, "tenant": 5_000 + n}
        first = check_both(redis_side, local_side, clock.now, entry)
        assert first.code == verdict, name
        seen.add(first.code)
        if verdict == "VALID":
            second = check_both(redis_side, local_side, clock.advance(1), entry)
            seen.add(second.code)
            if name in ("no_quota_left", "budget_tight"):
                assert (second.code, second.which) == ("RATE_LIMITED", "k" if name == "no_quota_left" else "t"), name
        wrong = check_both(redis_side, local_side, clock.now, entry, digest="0" * 64)
        assert wrong == Reply("NOT_FOUND")
        seen.add(wrong.code)
    unknown = {"missing": True, "lookup_id": "parityunknown"}
    assert check_both(redis_side, local_side, clock.now, unknown, digest="0" * 64) == Reply("NOT_FOUND")
    assert seen == set(verification.CODES)
    assert local_side.usage() == redis_usage()
    assert local_side.last_used() == redis_last_used() != {}


def test_the_database_path_gives_the_same_verdicts(base_entry):
    """verification.refusal (Redis down) against the verdicts both backends gave above."""
    now_s = time.time()
    for name, (entry, verdict) in variants(base_entry, now_s).items():
        code = verification.refusal(entry, entry["digest"], "198.51.100.9", ("keys:read",), now_s)
        assert (code or "VALID") == verdict, name
        assert verification.refusal(entry, "0" * 64, "198.51.100.9", (), now_s) == "NOT_FOUND"


@pytest.mark.parametrize("ip", [None, "not an address", "198.51.100.9", "::ffff:198.51.100.9", "2001:db8::1"])
def test_addresses_are_judged_alike_by_the_script_the_backend_and_the_database_path(
    redis_side, local_side, base_entry, ip
):
    clock = Clock()
    cidrs = ["198.51.100.0/25", "2001:db8::/33"]
    entry = {**base_entry, "cidrs": [cache.cidr_hex(c) for c in cidrs], "allowed_cidrs": cidrs}
    reply = check_both(redis_side, local_side, clock.now, entry, ip=ip)
    database = verification.refusal(entry, entry["digest"], ip, ("keys:read",), clock.now / SECOND)
    assert reply.code == (database or "VALID")


def test_one_random_sequence_of_key_calls_is_answered_alike(redis_side, local_side, base_entry):
    """Keys of two tenants with small quotas and budgets, varying costs and times, revocations
    (tombstones) and refills: every reply, the counters and the last-use times agree."""
    rng = random.Random(7)
    clock = Clock()
    entries = []
    for n in range(5):
        entries.append(
            {
                **base_entry,
                "lookup_id": f"seq{n:09d}",
                "id": 20_000 + n,
                "tenant": 900 + n % 2,
                "quota": [3, 5, 2, 10, 4][n],
                "window": [10, 7, 60, 1, 5][n],
                "budget_quota": [8, 6][n % 2],
                "budget_window": [20, 9][n % 2],
            }
        )
    codes = set()
    for step in range(500):
        clock.advance(rng.choice([0, 1, 777, 150_000, 1_000_000, 3 * SECOND]))
        n = rng.randrange(len(entries))
        if step % 97 == 96:  # revoke or restore one key: a tombstone in both, then a refill
            entries[n] = {**entries[n], "revoked": not entries[n]["revoked"]}
            for side in (redis_side, local_side):
                side.invalidate([store.entry_key(entries[n]["lookup_id"])], tombstone=True, tombstone_seconds=10)
        reply = check_both(redis_side, local_side, clock.now, entries[n], cost=rng.choice([1, 1, 2, 6]))
        codes.add(reply.code)
    assert {"VALID", "RATE_LIMITED", "REVOKED"} <= codes
    assert local_side.usage() == redis_usage()
    assert local_side.last_used() == redis_last_used()


def test_cooloffs_start_and_refuse_alike(redis_side, local_side, base_entry):
    """The cool-off step (failures counted in a window, the N-th starts it) and the key check it
    stops, on each backend's own clock (Redis keeps cool-offs as TTLs on its own)."""
    counter, flag = store.key("failures", "apikey_address", "s"), store.key("cooloff", "apikey_address", "s")
    steps = []
    for side in (redis_side, local_side):
        results = [side.cooloff_fail(counter, flag, 3, 300) for _ in range(2)]
        side.cooloff_reset(counter)  # a success: the two so far no longer count
        results += [side.cooloff_fail(counter, flag, 3, 300) for _ in range(4)]
        seconds_left = -(-side.cooloff_left(flag) // 1000)
        reply = side.check_key(
            lookup_id=base_entry["lookup_id"],
            digest=base_entry["digest"],
            ip="",
            required=(),
            cost=1,
            fill=cache.encode(base_entry),
            fill_ttl=300,
            usage_field="",
            cooloff_flag=flag,
            now=time.time_ns() // 1000,
        )
        steps.append(([(started, -(-left // 1000)) for started, left in results], seconds_left, reply))
    assert steps[0] == steps[1]
    results, seconds_left, reply = steps[0]
    assert results == [(False, 0), (False, 0), (False, 0), (False, 0), (True, 300), (False, 300)]
    assert seconds_left == 300 and reply == Reply("COOLOFF", retry=300)


def test_in_process_cooloffs_and_entries_expire_on_their_clock(local_side, base_entry):
    clock = Clock()
    counter, flag = "c", "f"
    for _ in range(2):
        local_side.cooloff_fail(counter, flag, 2, 300, now=clock.now)
    assert local_side.cooloff_left(flag, now=clock.advance(299 * SECOND)) == 1000
    assert local_side.cooloff_left(flag, now=clock.advance(SECOND)) == 0
    # A failure window ends 300 s after its first failure.
    local_side.cooloff_fail(counter, flag, 2, 300, now=clock.now)
    assert local_side.cooloff_fail(counter, flag, 2, 300, now=clock.advance(301 * SECOND)) == (False, 0)
    # A key entry lives at most LOCAL_ENTRY_SECONDS here (another process's revocation can't purge it).
    args = {
        "lookup_id": base_entry["lookup_id"],
        "digest": base_entry["digest"],
        "ip": "",
        "required": (),
        "cost": 1,
        "fill_ttl": 300,
        "usage_field": "",
        "cooloff_flag": None,
    }
    assert local_side.check_key(fill=json.dumps(base_entry), now=clock.now, **args).code == "VALID"
    assert (
        local_side.check_key(fill="", now=clock.advance(inprocess.LOCAL_ENTRY_SECONDS * SECOND - 1), **args).code
        == "VALID"
    )
    assert local_side.check_key(fill="", now=clock.advance(1), **args).code == MISS
