"""Verify a presented key: the request path's one function.

Warm path: parse + checksum (offline), HMAC, then ONE Redis round trip (the GCRA script reads the
cached entry, checks it and takes the rate-limit decision), then a constant-time digest comparison.
No database query. Cold path (entry absent or tombstoned): one indexed query, then the script again
with the entry to store. Without Redis (the embedded default) the in-process backend does what the
script does (apikeys/requestpath/inprocess.py). Redis down: the database answers and the caller
decides fail-open/closed.
"""

import functools
import hmac
import ipaddress
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from apikeys import keys
from apikeys.requestpath import cache, store
from apikeys.requestpath.backends import backend
from apikeys.requestpath.limiter import MISS, Reply
from apikeys.requestpath.ratelimit import Decision

log = logging.getLogger(__name__)

VALID = "VALID"
NOT_FOUND = "NOT_FOUND"
EXPIRED = "EXPIRED"
REVOKED = "REVOKED"
TENANT_SUSPENDED = "TENANT_SUSPENDED"
FORBIDDEN_IP = "FORBIDDEN_IP"
INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
RATE_LIMITED = "RATE_LIMITED"
CODES = (VALID, NOT_FOUND, EXPIRED, REVOKED, TENANT_SUSPENDED, FORBIDDEN_IP, INSUFFICIENT_SCOPE, RATE_LIMITED)
# Not a verdict on the key (never answered by the gateway verify endpoint): the caller's address is
# cooled off after repeated bad keys (apikeys/requestpath/cooloff.py), so the key was not looked at.
COOLED_OFF = "COOLOFF"


@dataclass(frozen=True)
class Verification:
    code: str
    # The cached form of the key (apikeys.requestpath.cache.build_entry), read-only; None if unknown.
    entry: Mapping | None = None
    decision: Decision | None = None  # None when no rate-limit decision was taken
    redis_ok: bool = True
    retry_after: int = 0  # COOLED_OFF: seconds of cool-off left

    @property
    def valid(self) -> bool:
        return self.code == VALID


def _load_entry(lookup_id: str) -> dict:
    from apikeys.models import ApiKey

    # The presented key names its row (and so its tenant): the request path reads across tenants.
    api_key = ApiKey.objects.across_tenants().select_related("tenant").filter(lookup_id=lookup_id).first()
    return cache.build_entry(api_key) if api_key is not None else dict(cache.MISSING_ENTRY)


def _run(lookup_id, digest, ip, required, cost, fill, usage_field, cooloff_flag=None) -> Reply:
    """One atomic key check + rate-limit decision + usage count by the backend (limiter.py): one
    script call on Redis, or the same in this process's memory without Redis."""
    ttl = cache.MISSING_SECONDS if fill and '"missing"' in fill else settings.APIKEY_CACHE_SECONDS
    return backend().check_key(
        lookup_id=lookup_id,
        digest=digest,
        ip=cache.ip_hex(ip),
        required=required,
        cost=cost,
        fill=fill,
        fill_ttl=ttl,
        usage_field=usage_field,
        cooloff_flag=cooloff_flag,
    )


def refusal(entry: dict, digest: str, ip: str | None, required, now: float | None = None) -> str | None:
    """The script's checks, in Python, for when Redis can't be asked. None: the key is good."""
    now = time.time() if now is None else now
    if entry.get("missing") or not hmac.compare_digest(entry["digest"], digest):
        return NOT_FOUND
    if entry["revoked"]:
        return REVOKED
    if (entry["expires"] and now >= entry["expires"]) or (entry["valid_until"] and now >= entry["valid_until"]):
        return EXPIRED
    if entry["tenant_status"] != "active":
        return TENANT_SUSPENDED
    if entry["allowed_cidrs"]:
        try:
            address = ipaddress.ip_address(ip or "")
        except ValueError:
            return FORBIDDEN_IP
        if address.version == 6 and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        networks = [ipaddress.ip_network(c, strict=False) for c in entry["allowed_cidrs"]]
        if not any(address.version == n.version and address in n for n in networks):
            return FORBIDDEN_IP
    if not set(required) <= set(entry["scopes"]):
        return INSUFFICIENT_SCOPE
    return None


def verify(
    raw: str,
    *,
    client_ip: str | None = None,
    required_scopes=(),
    cost: int = 1,
    usage_field: str = "",
    cooloff_flag: str | None = None,
) -> Verification:
    """_verify_once, and during a pepper rotation (settings.APIKEY_PEPPERS) once more after a
    NOT_FOUND for a key stored under another pepper than the current one (apikeys/services/peppers.py
    moves it to the current one). A good key under the current pepper is never looked at twice."""
    once = functools.partial(
        _verify_once, raw, client_ip=client_ip, required_scopes=required_scopes, cost=cost, usage_field=usage_field
    )
    verification = once(cooloff_flag=cooloff_flag)
    if verification.code == NOT_FOUND and keys.several_peppers():
        from apikeys.services.peppers import settle  # lazily, as _load_entry imports the model

        parsed = keys.parse(raw)
        version = settle(parsed.lookup_id, raw) if parsed is not None else None
        if version is not None:  # (the first look checked the cool-off)
            verification = once(pepper_version=version)
    return verification


def _verify_once(
    raw: str,
    *,
    client_ip: str | None = None,
    required_scopes=(),
    cost: int = 1,
    usage_field: str = "",
    cooloff_flag: str | None = None,
    pepper_version: int | None = None,
) -> Verification:
    """Is `raw` a good key right now, for this address and these scopes, within its rate limit?

    `usage_field` ("<credential>|<api>|<version>|<hour>|<operation>", see apikeys/requestpath/metering.py) makes
    the same script call count the call (the gateway verify endpoint does; API requests are counted
    after the response instead, when their status is known).

    `cooloff_flag` (apikeys.requestpath.cooloff.flag_key of the caller's address) makes the same
    script call refuse first, with COOLED_OFF, while that address is cooled off."""
    parsed = keys.parse(raw)
    if parsed is None:
        return Verification(NOT_FOUND)
    digest = keys.digest(raw, pepper_version)
    try:
        reply = _run(parsed.lookup_id, digest, client_ip, required_scopes, cost, "", usage_field, cooloff_flag)
        if reply.code == MISS:
            fill = cache.encode(_load_entry(parsed.lookup_id))
            reply = _run(parsed.lookup_id, digest, client_ip, required_scopes, cost, fill, usage_field, cooloff_flag)
    except store.RedisError as exc:
        log.warning("Redis unavailable while verifying API key %s: %s", parsed.lookup_id, exc)
        return _verify_from_database(parsed.lookup_id, digest, client_ip, required_scopes, redis_ok=False)
    code = reply.code
    if code == COOLED_OFF:
        return Verification(COOLED_OFF, retry_after=reply.retry)
    if code == NOT_FOUND:
        return Verification(NOT_FOUND)
    entry = reply.entry
    # The backend compared digests only to protect the quota; this is the comparison that counts.
    if entry is None or not hmac.compare_digest(entry["digest"], digest):
        return Verification(NOT_FOUND)
    decision = Decision.from_reply(reply, entry["policy"]) if code in (VALID, RATE_LIMITED) else None
    return Verification(code, entry, decision)


def _verify_from_database(lookup_id, digest, client_ip, required_scopes, *, redis_ok) -> Verification:
    entry = _load_entry(lookup_id)
    code = refusal(entry, digest, client_ip, required_scopes)
    if code == NOT_FOUND:
        return Verification(NOT_FOUND, redis_ok=redis_ok)
    return Verification(code or VALID, entry, None, redis_ok=redis_ok)
