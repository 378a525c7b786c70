"""Rate limiting: GCRA in one Lua script (apikeys/requestpath/gcra.lua), one Redis round trip per
decision; without Redis, the same GCRA in this process (apikeys/requestpath/inprocess.py).

An API key's decision is made by the same script call that reads its cached entry (see
apikeys/requestpath/verification.py), so a key-authenticated request costs one round trip before the view.
Other principals (OAuth clients, sessions, anonymous callers) get a bucket-only call here.

Every decision of a tenant's credential takes two buckets at once: the credential's own (a key's
override or the plan's policy; an OAuth client's or a person's plan policy) and the tenant's budget
(`budget:<tenant id>`, apikeys.requestpath.policies.tenant_budget), which all its keys, clients and sessions
share. Allowed only if both have room; a refusal charges neither; the headers show the tighter.

Headers follow the IETF RateLimit header fields draft (-11):
    RateLimit-Policy: "default";q=100;w=60
    RateLimit: "default";r=42;t=17
When Redis is configured but can't be reached, settings.RATELIMIT_FAIL_OPEN decides: serve (log + metric) or refuse
with 503 service-unavailable. Never a 500.
"""

import functools
import logging
from dataclasses import dataclass

from django.conf import settings
from rest_framework import exceptions
from rest_framework.throttling import BaseThrottle

from apikeys.requestpath import metrics, redis_limiter, store
from apikeys.requestpath.backends import backend
from apikeys.requestpath.limiter import Reply
from apikeys.requestpath.policies import BUDGET_POLICY_NAME, RatePolicy, anonymous_policy, plan_policy, tenant_budget
from config.api.problems import Problem
from config.context import context_of
from config.metrics import RATELIMIT_DECISIONS

log = logging.getLogger(__name__)


def script() -> store.Script:
    """gcra.lua as the Redis backend runs it (EVALSHA on a connection of the thread's own)."""
    return redis_limiter.LIMITER.script


@dataclass(frozen=True)
class Decision:
    allowed: bool
    policy: str
    limit: int
    window: int
    remaining: int
    reset: int  # seconds until the quota is whole again
    retry_after: int  # seconds; 0 when allowed, -1 when the cost can never fit the quota

    @classmethod
    def from_reply(cls, reply: Reply, policy_name: str, budget_name: str = BUDGET_POLICY_NAME) -> "Decision":
        """From a backend's answer: the figures of the credential's own bucket (`policy_name`) or of
        the tenant's budget (`budget_name`), whichever is tighter."""
        decision = cls(
            allowed=reply.code == "VALID",
            policy=budget_name if reply.which == "t" else policy_name,
            limit=reply.limit,
            window=reply.window,
            remaining=max(0, reply.remaining),
            reset=max(0, reply.reset),
            retry_after=reply.retry,
        )
        # Every decision of the request path (API calls and gateway verifications) is built here.
        _decision_counter(decision.policy, decision.allowed).inc()
        return decision

    def headers(self) -> dict[str, str]:
        name = self.policy.replace('"', "")
        return {
            "RateLimit-Policy": f'"{name}";q={self.limit};w={self.window}',
            "RateLimit": f'"{name}";r={self.remaining};t={self.reset}',
        }


@functools.lru_cache(maxsize=64)
def _decision_counter(policy: str, allowed: bool):
    """console_ratelimit_decisions_total's child for (policy, outcome), looked up once per process:
    `labels()` takes a lock and builds its key on every call, and there are a handful of policies.
    (A child stays valid across a fork: in multiprocess mode its value follows the pid.)"""
    return RATELIMIT_DECISIONS.labels(policy, "allowed" if allowed else "limited")


key_bucket_prefix = store.key_bucket_prefix
budget_bucket_prefix = store.budget_bucket_prefix


def budget_bucket(tenant_id) -> str:
    """The tenant's budget bucket (a name for `take`; the script's key prefix is budget_bucket_prefix)."""
    return f"budget:{tenant_id}"


def take(
    bucket: str, policy: RatePolicy, cost: int = 1, usage_field: str = "", budget: tuple[str, RatePolicy] | None = None
) -> Decision:
    """One GCRA decision on a bucket and, with `budget` ((bucket, policy): the tenant's), on that
    one too: allowed only if both have room, neither charged otherwise. With `usage_field`, the
    call is counted in the same step (one round trip on Redis). Raises store.RedisError when Redis
    can't answer."""
    full_budget = (store.key("rl", budget[0]), budget[1]) if budget is not None else None
    reply = backend().take(store.key("rl", bucket), policy, cost, usage_field, full_budget)
    return Decision.from_reply(reply, policy.name, budget[1].name if budget is not None else BUDGET_POLICY_NAME)


def redis_unavailable(where: str, exc: Exception | None = None) -> None:
    """Count and log one request served (or refused) without Redis."""
    metrics.incr("ratelimit.redis_unavailable", where=where.replace(" ", "_"))
    if settings.RATELIMIT_FAIL_OPEN:
        metrics.incr("ratelimit.fail_open")
    log.warning(
        "Redis unavailable in %s (%s); rate limit %s",
        where,
        exc or "no answer",
        "skipped (fail-open)" if settings.RATELIMIT_FAIL_OPEN else "refused (fail-closed)",
    )


class ServiceUnavailable(Problem):
    def __init__(self):
        super().__init__("service-unavailable", "Rate limiting is unavailable; retry shortly.")


class RateLimited(exceptions.Throttled):
    """429 quota-exceeded (the problem handler adds Retry-After from `wait`)."""

    def __init__(self, decision: Decision):
        wait = decision.retry_after if decision.retry_after >= 0 else None
        whose = (
            "The tenant's rate limit (shared by all its keys, clients and sessions)"
            if decision.policy == BUDGET_POLICY_NAME
            else "Rate limit"
        )
        detail = (
            f"{whose} of {decision.limit} requests per {decision.window}s exceeded."
            if decision.retry_after >= 0
            else f"This request costs more than the whole quota ({decision.limit} per {decision.window}s)."
        )
        super().__init__(wait=wait, detail=detail)


def bucket_for(request) -> tuple[str, RatePolicy, tuple[str, RatePolicy] | None]:
    """(the caller's own bucket, its policy, the tenant's budget bucket and policy or None)."""
    principal = context_of(request).principal
    if principal is not None and principal.tenant is not None:
        tenant = principal.tenant
        policy = plan_policy(tenant.plan)
        budget = (budget_bucket(tenant.pk), tenant_budget(tenant))
        if principal.application is not None:
            return f"oauth:{principal.application.pk}", policy, budget
        if principal.user is not None:
            return f"user:{principal.user.pk}:{tenant.pk}", policy, budget
        return f"tenant:{tenant.pk}", policy, budget
    if principal is not None and principal.user is not None:
        return f"user:{principal.user.pk}", anonymous_policy(), None
    return f"ip:{request.META.get('REMOTE_ADDR', '')}", anonymous_policy(), None


def remember(request, decision: Decision | None) -> None:
    """Keep the decision for the response headers (see apikeys/requestpath/metering.py)."""
    context_of(request).ratelimit_decision = decision


class PolicyThrottle(BaseThrottle):
    """Every endpoint's throttle. An API key's decision was already taken with its verification;
    the rest take one here."""

    def allow_request(self, request, view):
        context = context_of(request)
        decision = context.ratelimit_decision
        if context.ratelimit_unavailable:
            return self._unavailable("key verification")
        if decision is None:
            from apikeys.requestpath import metering

            bucket, policy, budget = bucket_for(request)
            field = metering.field_for(request._request, context.principal)
            try:
                decision = take(bucket, policy, usage_field=field or "", budget=budget)
            except store.RedisError as exc:
                context.ratelimit_unavailable = True
                return self._unavailable("throttle", exc)
            remember(request, decision)
            if field:
                metering.mark_counted(request._request, field, decision.allowed)
        if not decision.allowed:
            raise RateLimited(decision)
        return True

    def _unavailable(self, where, exc=None):
        redis_unavailable(where, exc)
        if settings.RATELIMIT_FAIL_OPEN:
            return True
        raise ServiceUnavailable()

    def wait(self):
        return None
