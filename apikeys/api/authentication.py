"""DRF authentication for API keys: `Authorization: Bearer gvk_...` or `X-API-Key: gvk_...`.

A key resolves to the same Principal as an OAuth client-credentials token (kind "apikey", the key's
tenant and scopes, the lower of the machine role and its creator's current role), so every endpoint
works with a key. The warm path makes no
database query: the tenant and key come from the cached entry, and the rate-limit decision taken by
the same Redis call is kept for the throttle and the response headers.
"""

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication

from apikeys.keys import PREFIX
from apikeys.requestpath import cooloff, metering
from apikeys.requestpath import verification as v
from apikeys.requestpath.ratelimit import remember
from config.api.problems import Problem, TooManyFailures
from config.context import context_of
from tenants.api.authentication import count_attempt, set_principal
from tenants.models import Tenant
from tenants.principal import Principal

API_KEY_HEADER = "HTTP_X_API_KEY"

_FAILURES = {
    v.NOT_FOUND: "The API key is not valid.",
    v.EXPIRED: "The API key has expired.",
    v.REVOKED: "The API key has been revoked.",
}
# The verification code -> the result label of console_auth_attempts_total{method="apikey"}.
_RESULTS = {
    v.NOT_FOUND: "invalid",
    v.EXPIRED: "expired",
    v.REVOKED: "revoked",
    v.TENANT_SUSPENDED: "suspended",
    v.FORBIDDEN_IP: "forbidden_ip",
}


@dataclass(frozen=True)
class AuthenticatedKey:
    """What `request.auth` and `principal.api_key` hold for a key: its identity, never its secret."""

    pk: int
    lookup_id: str
    name: str
    environment: str
    scopes: frozenset

    @property
    def id(self):
        return self.pk


def presented_key(request) -> str | None:
    """The key in the request, or None when the request carries no API key (an OAuth bearer token,
    a session, nothing)."""
    header = request.META.get("HTTP_AUTHORIZATION", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip().startswith(PREFIX):
        return value.strip()
    value = request.META.get(API_KEY_HEADER)
    return value.strip() if value is not None else None


def tenant_from_entry(entry: dict) -> Tenant:
    """The key's tenant, built from the cache entry (no query). Enough for scoping (its pk) and for
    display (slug, name, plan, status) and for its rate budget."""
    tenant = Tenant(
        id=entry["tenant"],
        slug=entry["tenant_slug"],
        name=entry["tenant_name"],
        status=entry["tenant_status"],
        plan=entry["plan"],
        rate_quota=entry["tenant_rate_quota"],
        rate_window=entry["tenant_rate_window"],
    )
    tenant._state.adding = False
    tenant._state.db = "default"
    return tenant


def principal_for(entry: dict) -> Principal:
    scopes = frozenset(entry["scopes"])
    api_key = AuthenticatedKey(
        pk=entry["id"],
        lookup_id=entry["lookup_id"],
        name=entry["name"],
        environment=entry["environment"],
        scopes=scopes,
    )
    # The entry's role is the creator's current one (apikeys.requestpath.cache.build_entry), refreshed whenever
    # their membership changes: a demoted or removed creator's key loses it on the next request.
    return Principal(
        tenant=tenant_from_entry(entry),
        role=entry["role"],
        kind="apikey",
        scopes=scopes,
        api_key=api_key,
        creator_id=entry["created_by"],
    )


def _cooled_off(retry_after: int) -> TooManyFailures:
    count_attempt("apikey", "cooled_off")
    return TooManyFailures(
        f"Too many invalid API keys came from your address; retry in {retry_after} seconds.", retry_after
    )


class ApiKeyAuthentication(BaseAuthentication):
    """APIKEY_FAILURES_BEFORE_COOLOFF invalid keys (unknown, malformed, wrong secret) from one client
    address within APIKEY_COOLOFF_SECONDS refuse every API-key request from it for
    APIKEY_COOLOFF_SECONDS (429 too-many-failures), a valid key included. The check rides in the
    verification script (one round trip); failures are counted only on the failure path."""

    def authenticate(self, request):
        raw = presented_key(request)
        if raw is None:
            return None
        # The script counts the call too; the field's credential is the lookup id in the key.
        field = metering.call_field(request._request, f"key:{raw[9:21]}")
        address = request.META.get("REMOTE_ADDR") or ""
        flag = cooloff.flag_key(cooloff.APIKEY_ADDRESS, address) if address else None
        result = v.verify(raw, client_ip=address or None, usage_field=field, cooloff_flag=flag)
        if result.code == v.COOLED_OFF:
            raise _cooled_off(result.retry_after)
        if result.code in _RESULTS:
            count_attempt("apikey", _RESULTS[result.code])
        if result.code == v.NOT_FOUND:
            _, wait = cooloff.fail(cooloff.APIKEY_ADDRESS, address, client_ip=address)
            if wait:
                raise _cooled_off(wait)
        if result.code in _FAILURES:
            raise exceptions.AuthenticationFailed(_FAILURES[result.code])
        if result.code == v.TENANT_SUSPENDED:
            raise Problem(
                "tenant-suspended",
                f"The tenant {result.entry['tenant_slug']} is suspended; every credential is refused.",
            )
        if result.code == v.FORBIDDEN_IP:
            raise Problem("permission-denied", "This API key may not be used from your address.")
        if result.entry["role"] is None:
            # Removing a member revokes their keys; this holds even if that revocation was missed.
            count_attempt("apikey", "creator_gone")
            raise exceptions.AuthenticationFailed("The API key's creator is no longer a member of its tenant.")
        count_attempt("apikey", "success")
        principal = principal_for(result.entry)
        set_principal(request, principal)
        if not result.redis_ok:
            context_of(request).ratelimit_unavailable = True
        elif result.decision is not None:
            remember(request, result.decision)  # VALID or RATE_LIMITED: the throttle enforces it
            metering.mark_counted(request._request, f"{principal.tenant.pk}|{field}", result.decision.allowed)
        return (AnonymousUser(), principal.api_key)

    def authenticate_header(self, request):
        return 'Bearer realm="api"'
