"""Verify a presented key: the request path's one function.

Warm path: parse + checksum (offline), HMAC, then ONE Redis round trip (the GCRA script reads the
cached entry, checks it and takes the rate-limit decision), then a constant-time digest comparison.
No database query. Cold path (entry absent or tombstoned): one indexed query, then the script again
with the entry to store. Redis down: the database answers and the caller decides fail-open/closed.
"""

import functools
import hmac
import ipaddress
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from django.conf import settings

from apikeys import keys
from apikeys.requestpath import cache, store
from apikeys.requestpath.ratelimit import Decision, budget_bucket_prefix, key_bucket_prefix, script, split_reply

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
_CODE_OF = {code.encode(): code for code in (*CODES, COOLED_OFF)}


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

    api_key = ApiKey.objects.select_related("tenant").filter(lookup_id=lookup_id).first()
    return cache.build_entry(api_key) if api_key is not None else dict(cache.MISSING_ENTRY)


def _run(lookup_id, digest, ip, required, cost, fill, usage_field, cooloff_flag=None) -> list[bytes]:
    """One script call; its answer split as ratelimit.split_reply does."""
    ttl = cache.MISSING_SECONDS if fill and '"missing"' in fill else settings.APIKEY_CACHE_SECONDS
    keys = [cache.entry_key(lookup_id), store.key("last_used"), store.key("usage", "live")]
    if cooloff_flag:
        keys.append(cooloff_flag)
    reply = script()(
        keys=keys,
        args=[
            "key",
            digest,
            cache.ip_hex(ip),
            " ".join(required),
            cost,
            fill,
            ttl,
            usage_field,
            key_bucket_prefix(),
            budget_bucket_prefix(),
        ],
    )
    return split_reply(reply)


@functools.lru_cache(maxsize=1024)
def _decoded(raw: bytes) -> Mapping:
    """The entry JSON the script returned, decoded once per process for the same bytes.

    Keyed by the exact bytes Redis holds, so this caches parsing, never validity: every request
    still reads the entry from Redis, and a revocation (a tombstone, then a refill with
    "revoked": true) is different bytes. Read-only, because one object serves many requests."""
    entry = json.loads(raw)
    return MappingProxyType({k: tuple(v) if isinstance(v, list) else v for k, v in entry.items()})


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
    """Is `raw` a good key right now, for this address and these scopes, within its rate limit?

    `usage_field` ("<credential>|<api>|<version>|<hour>|<operation>", see apikeys/requestpath/metering.py) makes
    the same script call count the call (the gateway verify endpoint does; API requests are counted
    after the response instead, when their status is known).

    `cooloff_flag` (apikeys.requestpath.cooloff.flag_key of the caller's address) makes the same
    script call refuse first, with COOLED_OFF, while that address is cooled off."""
    parsed = keys.parse(raw)
    if parsed is None:
        return Verification(NOT_FOUND)
    digest = keys.digest(raw)
    if not store.enabled():
        return _verify_from_database(parsed.lookup_id, digest, client_ip, required_scopes, redis_ok=True)
    try:
        reply = _run(parsed.lookup_id, digest, client_ip, required_scopes, cost, "", usage_field, cooloff_flag)
        if reply[0] == b"MISS":
            fill = cache.encode(_load_entry(parsed.lookup_id))
            reply = _run(parsed.lookup_id, digest, client_ip, required_scopes, cost, fill, usage_field, cooloff_flag)
    except store.RedisError as exc:
        log.warning("Redis unavailable while verifying API key %s: %s", parsed.lookup_id, exc)
        return _verify_from_database(parsed.lookup_id, digest, client_ip, required_scopes, redis_ok=False)
    code = _CODE_OF[reply[0]]
    if code == COOLED_OFF:
        return Verification(COOLED_OFF, retry_after=int(reply[5]))
    if code == NOT_FOUND:
        return Verification(NOT_FOUND)
    entry = _decoded(reply[7])
    # The script compared digests only to protect the quota; this is the comparison that counts.
    if not hmac.compare_digest(entry["digest"], digest):
        return Verification(NOT_FOUND)
    decision = Decision.from_script(reply, entry["policy"]) if code in (VALID, RATE_LIMITED) else None
    return Verification(code, entry, decision)


def _verify_from_database(lookup_id, digest, client_ip, required_scopes, *, redis_ok) -> Verification:
    entry = _load_entry(lookup_id)
    code = refusal(entry, digest, client_ip, required_scopes)
    if code == NOT_FOUND:
        return Verification(NOT_FOUND, redis_ok=redis_ok)
    return Verification(code or VALID, entry, None, redis_ok=redis_ok)
