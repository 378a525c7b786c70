"""Every write to API keys: keyword-only, one transaction, one audit event, cache invalidated on
commit. The plain key exists only in the return value of create_key / rotate_key."""

import ipaddress
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apikeys import keys
from apikeys.models import ApiKey
from apikeys.requestpath import cache, policies
from tenants import audit
from tenants.grants import check_grantable, kept_scopes
from tenants.services.errors import ServiceError, require, require_own

# How long a rotated key keeps working next to its replacement.
ROTATION_OVERLAPS = {
    "now": timedelta(0),
    "1h": timedelta(hours=1),
    "24h": timedelta(hours=24),
    "7d": timedelta(days=7),
}


MAX_CIDRS = 50


def checked_scopes(actor, scopes) -> list[str]:
    """Known scopes, each one the actor may hand out (tenants.grants.check_grantable)."""
    return check_grantable(actor, scopes, field="scopes")


def checked_cidrs(cidrs) -> list[str]:
    cidrs = [c.strip() for c in (cidrs or []) if c and c.strip()]
    if len(cidrs) > MAX_CIDRS:
        raise ValidationError({"allowed_cidrs": [f"At most {MAX_CIDRS} networks."]})
    normalised, errors = [], []
    for cidr in cidrs:
        try:
            normalised.append(str(ipaddress.ip_network(cidr, strict=False)))
        except ValueError:
            errors.append(f"{cidr!r} is not an IP address or network (e.g. 203.0.113.0/24).")
    if errors:
        raise ValidationError({"allowed_cidrs": errors})
    return sorted(set(normalised), key=normalised.index)


def _checked_rate(rate_quota, rate_window, *, actor, tenant):
    """A key's rate override. Tenant members (every principal but staff) may only lower the limit:
    its rate and its burst (the quota) at most the tenant's budget (apikeys.requestpath.policies.within).
    Raising it is for staff, in the admin; the tenant budget still caps all keys together."""
    if (rate_quota is None) != (rate_window is None):
        raise ValidationError({"rate_quota": ["Give both a quota and a window, or neither."]})
    if rate_quota is not None and (rate_quota < 1 or rate_window < 1):
        raise ValidationError({"rate_quota": ["Quota and window must be positive."]})
    if rate_quota is not None and actor.kind != "staff":
        budget = policies.tenant_budget(tenant)
        if not policies.within(policies.RatePolicy("key", rate_quota, rate_window), budget):
            raise ValidationError(
                {
                    "rate_quota": [
                        f"Your plan allows at most {budget.describe()} (a burst of at most {budget.quota}); a key's "
                        f"limit can only be lowered below that. Ask platform support to raise it."
                    ]
                }
            )
    return rate_quota, rate_window


def _checked_expiry(expires_at):
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["The expiry must be in the future."]})
    return expires_at


def _new_key_row(*, tenant, environment, **fields) -> tuple[ApiKey, str]:
    raw, lookup_id = keys.generate(environment)
    api_key = ApiKey(tenant=tenant, environment=environment, lookup_id=lookup_id, digest=keys.digest(raw), **fields)
    api_key.full_clean(exclude=["tenant", "created_by", "rotated_from", "digest", "lookup_id"])
    api_key.save()
    return api_key, raw


@transaction.atomic
def create_key(
    *,
    actor,
    name: str,
    environment: str = ApiKey.Environment.LIVE,
    scopes=None,
    expires_at=None,
    allowed_cidrs=None,
    rate_quota=None,
    rate_window=None,
) -> tuple[ApiKey, str]:
    """Issue a key for the actor's tenant; returns (key, the plain key shown once)."""
    require(actor, "keys.manage")
    if environment not in ApiKey.Environment.values:
        raise ValidationError({"environment": [f"Choose one of: {', '.join(ApiKey.Environment.values)}."]})
    scopes = checked_scopes(actor, scopes)
    cidrs = checked_cidrs(allowed_cidrs)
    rate_quota, rate_window = _checked_rate(rate_quota, rate_window, actor=actor, tenant=actor.tenant)
    api_key, raw = _new_key_row(
        tenant=actor.tenant,
        environment=environment,
        name=name.strip(),
        scopes=scopes,
        expires_at=_checked_expiry(expires_at),
        allowed_cidrs=cidrs,
        rate_quota=rate_quota,
        rate_window=rate_window,
        created_by_id=actor.person_id,
    )
    audit.record(
        action="api_key.created",
        actor=actor,
        tenant=api_key.tenant,
        target=api_key,
        changes={
            "name": api_key.name,
            "lookup_id": api_key.lookup_id,
            "environment": environment,
            "scopes": scopes,
            "allowed_cidrs": cidrs,
            "expires_at": expires_at.isoformat() if expires_at else None,
            "rate": f"{rate_quota}/{rate_window}" if rate_quota else None,
        },
    )
    cache.invalidate_on_commit([api_key.lookup_id], tombstone=False)  # forget a "missing" entry, if any
    return api_key, raw


def _locked(actor, api_key) -> ApiKey:
    """The key, reloaded under lock, inside the actor's tenant (404 semantics otherwise)."""
    require_own(actor, api_key)
    return ApiKey.objects.for_principal(actor).select_for_update().select_related("tenant").get(pk=api_key.pk)


@transaction.atomic
def update_key(*, actor, api_key: ApiKey, **fields) -> ApiKey:
    """Change name, scopes, IP allow-list, expiry or rate policy."""
    require(actor, "keys.manage")
    api_key = _locked(actor, api_key)
    if not api_key.is_usable:
        raise ServiceError(f"The key is {api_key.status}; it can't be changed.")
    if "scopes" in fields:
        fields["scopes"] = checked_scopes(actor, fields["scopes"])
    if "allowed_cidrs" in fields:
        fields["allowed_cidrs"] = checked_cidrs(fields["allowed_cidrs"])
    if "name" in fields:
        fields["name"] = (fields["name"] or "").strip()
    if "expires_at" in fields:
        _checked_expiry(fields["expires_at"])
    if "rate_quota" in fields or "rate_window" in fields:
        fields["rate_quota"], fields["rate_window"] = _checked_rate(
            fields.get("rate_quota", api_key.rate_quota),
            fields.get("rate_window", api_key.rate_window),
            actor=actor,
            tenant=api_key.tenant,
        )
    changes = {}
    for name in ("name", "scopes", "allowed_cidrs", "expires_at", "rate_quota", "rate_window"):
        if name in fields and getattr(api_key, name) != fields[name]:
            before, after = getattr(api_key, name), fields[name]
            changes[name] = [
                before.isoformat() if hasattr(before, "isoformat") else before,
                after.isoformat() if hasattr(after, "isoformat") else after,
            ]
            setattr(api_key, name, after)
    if not changes:
        return api_key
    api_key.full_clean(exclude=["tenant", "created_by", "rotated_from", "digest", "lookup_id"])
    api_key.save()
    audit.record(action="api_key.updated", actor=actor, tenant=api_key.tenant, target=api_key, changes=changes)
    cache.invalidate_on_commit([api_key.lookup_id])
    return api_key


@transaction.atomic
def rotate_key(*, actor, api_key: ApiKey, overlap: str = "24h") -> tuple[ApiKey, str]:
    """Issue a replacement with the same settings; the old key keeps working for `overlap` ("now",
    "1h", "24h", "7d") so deployments can switch without an outage. Returns (new key, plain key)."""
    require(actor, "keys.manage")
    if overlap not in ROTATION_OVERLAPS:
        raise ValidationError({"overlap": [f"Choose one of: {', '.join(ROTATION_OVERLAPS)}."]})
    old = _locked(actor, api_key)
    if old.status != "active":
        raise ServiceError(f"Only an active key can be rotated; this one is {old.status}.")
    checked_scopes(actor, old.scopes)  # a narrower credential can't re-mint a stronger key
    now = timezone.now()
    new, raw = _new_key_row(
        tenant=old.tenant,
        environment=old.environment,
        name=old.name,
        scopes=list(old.scopes),
        expires_at=old.expires_at,
        allowed_cidrs=list(old.allowed_cidrs),
        rate_quota=old.rate_quota,
        rate_window=old.rate_window,
        rotated_from=old,
        created_by_id=actor.person_id,
    )
    if ROTATION_OVERLAPS[overlap]:
        old.valid_until = now + ROTATION_OVERLAPS[overlap]
        old.save(update_fields=["valid_until"])
    else:
        old.valid_until = now
        old.revoked_at = now
        old.revoked_reason = ApiKey.RevokedReason.ROTATED
        old.save(update_fields=["valid_until", "revoked_at", "revoked_reason"])
    audit.record(
        action="api_key.rotated",
        actor=actor,
        tenant=old.tenant,
        target=new,
        changes={
            "old_lookup_id": old.lookup_id,
            "new_lookup_id": new.lookup_id,
            "overlap": overlap,
            "old_valid_until": old.valid_until.isoformat(),
        },
    )
    cache.invalidate_on_commit([old.lookup_id])
    cache.invalidate_on_commit([new.lookup_id], tombstone=False)
    return new, raw


def mark_revoked(api_key: ApiKey, reason: str) -> ApiKey:
    api_key.revoked_at = timezone.now()
    api_key.revoked_reason = reason
    api_key.save(update_fields=["revoked_at", "revoked_reason"])
    cache.invalidate_on_commit([api_key.lookup_id])
    return api_key


@transaction.atomic
def revoke_key(*, actor, api_key: ApiKey, reason: str = ApiKey.RevokedReason.MANUAL) -> ApiKey:
    """Stop the key on the next request, on every server."""
    if actor.kind == "staff":
        api_key = ApiKey.objects.across_tenants().select_for_update().select_related("tenant").get(pk=api_key.pk)
        reason = ApiKey.RevokedReason.STAFF
    else:
        require(actor, "keys.manage")
        api_key = _locked(actor, api_key)
    if api_key.revoked_at is not None:
        raise ServiceError("The key is already revoked.")
    mark_revoked(api_key, reason)
    audit.record(
        action="api_key.revoked",
        actor=actor,
        tenant=api_key.tenant,
        target=api_key,
        changes={"lookup_id": api_key.lookup_id, "reason": reason},
    )
    return api_key


def follow_creator_change(*, actor, tenant, user_id, role) -> list[str]:
    """The keys `user_id` made in `tenant` follow their new role: scopes it can't grant are dropped,
    or (role None: they left) the keys are revoked. Runs inside the members service's transaction;
    every entry of theirs is dropped from the cache either way, because it carries their role."""
    require_own(actor, tenant)
    changed = []
    for api_key in ApiKey.objects.for_tenant(tenant).select_for_update().filter(created_by_id=user_id):
        if not api_key.is_usable:
            continue
        if role is None:
            mark_revoked(api_key, ApiKey.RevokedReason.MEMBER_REMOVED)
            audit.record(
                action="api_key.revoked",
                actor=actor,
                tenant=tenant,
                target=api_key,
                changes={"lookup_id": api_key.lookup_id, "reason": ApiKey.RevokedReason.MEMBER_REMOVED},
            )
            changed.append(f"API key {api_key.name} ({api_key.display_prefix}) revoked")
            continue
        keep = kept_scopes(api_key.scopes, role)
        if keep != list(api_key.scopes):
            dropped = sorted(set(api_key.scopes) - set(keep))
            api_key.scopes = keep
            api_key.save(update_fields=["scopes"])
            audit.record(
                action="api_key.narrowed",
                actor=actor,
                tenant=tenant,
                target=api_key,
                changes={"lookup_id": api_key.lookup_id, "dropped_scopes": dropped, "role": role},
            )
            changed.append(f"API key {api_key.name} ({api_key.display_prefix}) lost {', '.join(dropped)}")
    cache.invalidate_created_by_on_commit(tenant, user_id)
    return changed
