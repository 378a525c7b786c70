"""The verified-key cache: one JSON entry per key in Redis (or, without Redis, in this process:
apikeys/requestpath/inprocess.py), read by the rate-limit script.

The entry holds what a request needs to decide without the database: the digest, revocation,
expiry, rotation overlap, tenant status and identity, scopes, IP allow-list, rate policy and the
tenant's rate budget. Writes invalidate on commit by writing a short-lived tombstone (not a DEL): a
request that read the database before the commit can't put its stale entry back, because fills use
SET NX.
"""

import functools
import ipaddress
import json
import logging

from django.conf import settings
from django.db import transaction

from apikeys.requestpath import store
from apikeys.requestpath.backends import backend
from apikeys.requestpath.limiter import TOMBSTONE as _TOMBSTONE
from apikeys.requestpath.policies import policy_for_key, tenant_budget

log = logging.getLogger(__name__)

TOMBSTONE = _TOMBSTONE.encode()  # as Redis answers it
TOMBSTONE_SECONDS = 10
MISSING_SECONDS = 60  # how long an unknown lookup id is remembered (scanners, typos)


entry_key = store.entry_key


def _epoch(value) -> float:
    return value.timestamp() if value is not None else 0


def cidr_hex(cidr: str) -> str:
    """A network as "<32 hex digits>/<prefix length>" in IPv6 space (IPv4 mapped to ::ffff:0:0/96),
    the form the Lua script compares by prefix."""
    network = ipaddress.ip_network(cidr, strict=False)
    if network.version == 4:
        return f"{(0xFFFF << 32 | int(network.network_address)):032x}/{network.prefixlen + 96}"
    return f"{int(network.network_address):032x}/{network.prefixlen}"


@functools.lru_cache(maxsize=4096)
def ip_hex(address: str | None) -> str:
    """A client address in the script's form ("" when there is none or it isn't an address).
    Cached per process: `ipaddress` parsing is the slowest step of a key's Python work on the
    request path, and a server sees the same addresses (proxies, gateways) over and over."""
    if not address:
        return ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return ""
    if ip.version == 4:
        return f"{(0xFFFF << 32 | int(ip)):032x}"
    if ip.ipv4_mapped is not None:
        return f"{(0xFFFF << 32 | int(ip.ipv4_mapped)):032x}"
    return f"{int(ip):032x}"


def build_entry(api_key) -> dict:
    """The cached form of a key row (with its tenant loaded). One query more: the creator's role."""
    from tenants.models import Membership
    from tenants.principal import credential_role

    tenant = api_key.tenant
    policy = policy_for_key(api_key, tenant)
    budget = tenant_budget(tenant)
    creator_role = Membership.objects.for_tenant(tenant).role_of(api_key.created_by_id)
    return {
        "id": api_key.pk,
        "lookup_id": api_key.lookup_id,
        "digest": api_key.digest,
        "name": api_key.name,
        "environment": api_key.environment,
        "tenant": tenant.pk,
        "tenant_slug": tenant.slug,
        "tenant_name": tenant.name,
        "tenant_status": tenant.status,
        "plan": tenant.plan,
        "scopes": sorted(api_key.scopes),
        "created_by": api_key.created_by_id,
        "role": credential_role(api_key.created_by_id, creator_role),
        "revoked": api_key.revoked_at is not None,
        "expires": _epoch(api_key.expires_at),
        "valid_until": _epoch(api_key.valid_until),
        "cidrs": [cidr_hex(c) for c in api_key.allowed_cidrs],
        "allowed_cidrs": list(api_key.allowed_cidrs),
        "policy": policy.name,
        "quota": policy.quota,
        "window": policy.window,
        # The tenant-wide budget (a second GCRA bucket the script checks with the key's own).
        "tenant_rate_quota": tenant.rate_quota,
        "tenant_rate_window": tenant.rate_window,
        "budget_quota": budget.quota,
        "budget_window": budget.window,
    }


MISSING_ENTRY = {"missing": True}


def encode(entry: dict) -> str:
    return json.dumps(entry, separators=(",", ":"))


def invalidate(lookup_ids, *, tombstone: bool = True) -> None:
    """Tombstone the entries now (call it from transaction.on_commit). A new key needs no
    tombstone (nothing stale can exist, only a "missing" entry): `tombstone=False` deletes."""
    lookup_ids = list(lookup_ids)
    if not lookup_ids:
        return
    try:
        backend().invalidate(
            [entry_key(lookup_id) for lookup_id in lookup_ids], tombstone=tombstone, tombstone_seconds=TOMBSTONE_SECONDS
        )
    except store.RedisError:
        # The entries expire on their own after APIKEY_CACHE_SECONDS; say so loudly.
        log.error(
            "Could not invalidate %d API key cache entries; they expire within %ss",
            len(lookup_ids),
            settings.APIKEY_CACHE_SECONDS,
        )


def invalidate_on_commit(lookup_ids, *, tombstone: bool = True) -> None:
    lookup_ids = list(lookup_ids)
    transaction.on_commit(lambda: invalidate(lookup_ids, tombstone=tombstone))


def invalidate_created_by_on_commit(tenant, user_id) -> None:
    """The keys a person made in a tenant carry their role: drop the entries when it changes."""
    from apikeys.models import ApiKey

    def run():
        invalidate(
            ApiKey.objects.for_tenant(tenant)
            .filter(created_by_id=user_id)
            .values_list("lookup_id", flat=True)
            .iterator()
        )

    transaction.on_commit(run)


def invalidate_tenant_on_commit(tenant) -> None:
    from apikeys.models import ApiKey

    def run():
        invalidate(ApiKey.objects.for_tenant(tenant).values_list("lookup_id", flat=True).iterator())

    transaction.on_commit(run)
