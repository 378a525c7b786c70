"""Rate policies: one per tenant plan (settings.RATELIMIT_PLANS), overridable per key."""

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class RatePolicy:
    name: str
    quota: int
    window: int  # seconds

    @classmethod
    def parse(cls, name: str, text: str) -> "RatePolicy":
        quota, _, window = text.partition("/")
        return cls(name=name, quota=int(quota), window=int(window))


def plan_policy(plan: str) -> RatePolicy:
    plans = settings.RATELIMIT_PLANS
    return RatePolicy.parse("default", plans.get(plan) or plans["free"])


def anonymous_policy() -> RatePolicy:
    return RatePolicy.parse("anonymous", settings.RATELIMIT_ANONYMOUS)


def policy_for_key(api_key, tenant) -> RatePolicy:
    if api_key.rate_quota and api_key.rate_window:
        return RatePolicy("key", api_key.rate_quota, api_key.rate_window)
    return plan_policy(tenant.plan)
