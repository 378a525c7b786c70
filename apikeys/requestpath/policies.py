"""Rate policies: one per tenant plan (settings.RATELIMIT_PLANS), overridable per key, and the
tenant-wide budget every credential of a tenant draws from as well."""

from dataclasses import dataclass

from django.conf import settings

BUDGET_POLICY_NAME = "tenant"


@dataclass(frozen=True)
class RatePolicy:
    name: str
    quota: int
    window: int  # seconds

    @classmethod
    def parse(cls, name: str, text: str) -> "RatePolicy":
        quota, _, window = text.partition("/")
        return cls(name=name, quota=int(quota), window=int(window))

    def describe(self) -> str:
        return f"{self.quota} requests per {self.window}s"


def plan_policy(plan: str) -> RatePolicy:
    plans = settings.RATELIMIT_PLANS
    return RatePolicy.parse("default", plans.get(plan) or plans["free"])


def anonymous_policy() -> RatePolicy:
    return RatePolicy.parse("anonymous", settings.RATELIMIT_ANONYMOUS)


def policy_for_key(api_key, tenant) -> RatePolicy:
    if api_key.rate_quota and api_key.rate_window:
        return RatePolicy("key", api_key.rate_quota, api_key.rate_window)
    return plan_policy(tenant.plan)


def tenant_budget(tenant) -> RatePolicy:
    """What all of a tenant's credentials together may spend: the budget staff set on the tenant,
    else its plan's policy."""
    quota, window = getattr(tenant, "rate_quota", None), getattr(tenant, "rate_window", None)
    if quota and window:
        return RatePolicy(BUDGET_POLICY_NAME, quota, window)
    plan = plan_policy(tenant.plan)
    return RatePolicy(BUDGET_POLICY_NAME, plan.quota, plan.window)


def within(override: RatePolicy, budget: RatePolicy) -> bool:
    """Is `override` no more than `budget`: its rate (quota / window, compared exactly, in integers)
    and its burst (the quota) both at most the budget's?"""
    return override.quota * budget.window <= budget.quota * override.window and override.quota <= budget.quota
