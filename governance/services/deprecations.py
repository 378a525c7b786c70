"""Deprecation schedules: their dates, brownout windows and per-tenant exemptions; the tenant's
acknowledgement; and the reads of "which deprecations affect this tenant".

Every write is keyword-only, runs in one transaction, checks the actor owns the API
(governance.permissions) and writes one audit event. After commit the enforcement table
(governance/enforcement.py) is invalidated, so headers and 410s follow at once.

Dates: announced_at ≤ deprecated_at < sunset_at (also a database constraint); brownout windows lie
inside [deprecated_at, sunset_at) and don't overlap; the successor is another version of the same
API. The notice-period policy is the "deprecate" transition's guard (governance/services/lifecycle.py);
a schedule may be drafted before it satisfies it.
"""

from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Prefetch, Q
from django.utils import timezone

from apikeys.models import UsageRecord
from governance import enforcement, permissions
from governance.models import (
    Api,
    ApiVersion,
    BrownoutWindow,
    DeprecationExemption,
    DeprecationSchedule,
    LifecycleState,
    MigrationLedgerEntry,
)
from tenants import audit
from tenants.services.errors import ServiceError, require

TRAFFIC_WINDOW = timedelta(days=30)
_SCHEDULE_FIELDS = ("announced_at", "deprecated_at", "sunset_at", "successor", "migration_guide_url")


def _iso(value):
    return value.isoformat() if isinstance(value, datetime) else value


def _validate_schedule(version: ApiVersion, *, announced_at, deprecated_at, sunset_at, successor, migration_guide_url):
    errors = {}
    if announced_at and deprecated_at and announced_at > deprecated_at:
        errors["announced_at"] = ["The announcement can't come after the deprecation."]
    if deprecated_at and sunset_at and deprecated_at >= sunset_at:
        errors["sunset_at"] = ["The sunset must come after the deprecation."]
    if successor is not None:
        if successor.pk == version.pk:
            errors["successor"] = ["A version can't succeed itself."]
        elif successor.api_id != version.api_id:
            errors["successor"] = [f"The successor must be a version of the API {version.api.slug}."]
        elif successor.state in (LifecycleState.DEPRECATED, LifecycleState.SUNSET, LifecycleState.RETIRED):
            errors["successor"] = [f"The successor {successor} is {successor.state}; clients can't move to it."]
    if migration_guide_url:
        try:
            URLValidator(schemes=["https", "http"])(migration_guide_url)
        except ValidationError:
            errors["migration_guide_url"] = ["Enter the http(s) address of the migration guide."]
    if errors:
        raise ValidationError(errors)


def _invalidate_on_commit():
    transaction.on_commit(enforcement.invalidate)


@transaction.atomic
def create_schedule(
    *, actor, version: ApiVersion, announced_at, deprecated_at, sunset_at, successor=None, migration_guide_url: str = ""
) -> DeprecationSchedule:
    version = ApiVersion.objects.select_related("api").select_for_update(of=("self",)).get(pk=version.pk)
    permissions.require_api_owner(actor, version.api)
    if DeprecationSchedule.objects.filter(version=version).exists():
        raise ServiceError(f"{version} already has a deprecation schedule; change it instead.")
    _validate_schedule(
        version,
        announced_at=announced_at,
        deprecated_at=deprecated_at,
        sunset_at=sunset_at,
        successor=successor,
        migration_guide_url=migration_guide_url,
    )
    schedule = DeprecationSchedule.objects.create(
        version=version,
        announced_at=announced_at,
        deprecated_at=deprecated_at,
        sunset_at=sunset_at,
        successor=successor,
        migration_guide_url=migration_guide_url,
        created_by=permissions.actor_user(actor),
    )
    audit.record(
        action="deprecation.scheduled",
        actor=actor,
        target=schedule,
        changes={
            "version": str(version),
            "announced_at": _iso(announced_at),
            "deprecated_at": _iso(deprecated_at),
            "sunset_at": _iso(sunset_at),
            "successor": str(successor) if successor else None,
            "migration_guide_url": migration_guide_url,
        },
    )
    _invalidate_on_commit()
    return schedule


@transaction.atomic
def update_schedule(*, actor, schedule: DeprecationSchedule, **changes) -> DeprecationSchedule:
    """Change any of announced_at, deprecated_at, sunset_at, successor, migration_guide_url."""
    unknown = set(changes) - set(_SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"update_schedule got unknown fields {sorted(unknown)}")
    schedule = (
        DeprecationSchedule.objects.select_for_update(of=("self",))
        .select_related("version__api", "successor")
        .get(pk=schedule.pk)
    )
    permissions.require_api_owner(actor, schedule.version.api)
    values = {name: changes.get(name, getattr(schedule, name)) for name in _SCHEDULE_FIELDS}
    _validate_schedule(schedule.version, **values)
    diff = {}
    for name, value in values.items():
        before = getattr(schedule, name)
        if before != value:
            diff[name] = [
                str(before) if name == "successor" else _iso(before),
                str(value) if name == "successor" else _iso(value),
            ]
            setattr(schedule, name, value)
    if not diff:
        return schedule
    outside = [
        w for w in schedule.brownouts.all() if w.starts_at < schedule.deprecated_at or w.ends_at > schedule.sunset_at
    ]
    if outside:
        raise ValidationError(
            {
                "sunset_at": [
                    f"{len(outside)} brownout window(s) would fall outside the new deprecation period; move them first."
                ]
            }
        )
    schedule.save()
    audit.record(action="deprecation.changed", actor=actor, target=schedule, changes=diff)
    _invalidate_on_commit()
    return schedule


@transaction.atomic
def add_brownout(*, actor, schedule: DeprecationSchedule, starts_at, ends_at) -> BrownoutWindow:
    schedule = (
        DeprecationSchedule.objects.select_for_update(of=("self",)).select_related("version__api").get(pk=schedule.pk)
    )
    permissions.require_api_owner(actor, schedule.version.api)
    if starts_at >= ends_at:
        raise ValidationError({"ends_at": ["A brownout must end after it starts."]})
    if starts_at < schedule.deprecated_at or ends_at > schedule.sunset_at:
        raise ValidationError(
            {
                "starts_at": [
                    f"A brownout must lie inside the deprecation period ({schedule.deprecated_at:%Y-%m-%d %H:%M} – "
                    f"{schedule.sunset_at:%Y-%m-%d %H:%M} UTC)."
                ]
            }
        )
    if schedule.brownouts.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError({"starts_at": ["This window overlaps another brownout of the schedule."]})
    window = BrownoutWindow.objects.create(schedule=schedule, starts_at=starts_at, ends_at=ends_at)
    audit.record(
        action="deprecation.brownout_added",
        actor=actor,
        target=schedule,
        changes={"window": window.pk, "starts_at": _iso(starts_at), "ends_at": _iso(ends_at)},
    )
    _invalidate_on_commit()
    return window


@transaction.atomic
def remove_brownout(*, actor, window: BrownoutWindow) -> None:
    window = BrownoutWindow.objects.select_related("schedule__version__api").get(pk=window.pk)
    permissions.require_api_owner(actor, window.schedule.version.api)
    audit.record(
        action="deprecation.brownout_removed",
        actor=actor,
        target=window.schedule,
        changes={"window": window.pk, "starts_at": _iso(window.starts_at), "ends_at": _iso(window.ends_at)},
    )
    window.delete()
    _invalidate_on_commit()


@transaction.atomic
def grant_exemption(*, actor, schedule: DeprecationSchedule, tenant, reason: str, expires_at) -> DeprecationExemption:
    """Let `tenant` keep calling through brownouts and after sunset until `expires_at`. Written on
    the tenant's audit chain: its members see who exempted them and why."""
    schedule = DeprecationSchedule.objects.select_related("version__api").get(pk=schedule.pk)
    permissions.require_api_owner(actor, schedule.version.api)
    if not reason.strip():
        raise ValidationError({"reason": ["Say why the tenant is exempted."]})
    if expires_at <= timezone.now():
        raise ValidationError({"expires_at": ["An exemption must expire in the future."]})
    exemption = DeprecationExemption.objects.create(
        schedule=schedule,
        tenant=tenant,
        reason=reason.strip(),
        expires_at=expires_at,
        created_by=permissions.actor_user(actor),
    )
    audit.record(
        action="deprecation.exemption_granted",
        actor=actor,
        tenant=tenant,
        target=exemption,
        changes={
            "schedule": schedule.pk,
            "version": str(schedule.version),
            "reason": exemption.reason,
            "expires_at": _iso(expires_at),
        },
    )
    _invalidate_on_commit()
    return exemption


@transaction.atomic
def end_exemption(*, actor, exemption: DeprecationExemption) -> DeprecationExemption:
    """End an exemption now (it stays as history, expired)."""
    exemption = (
        DeprecationExemption.objects.across_tenants()  # staff: checked against the API's owners below
        .select_for_update(of=("self",))
        .select_related("schedule__version__api", "tenant")
        .get(pk=exemption.pk)
    )
    permissions.require_api_owner(actor, exemption.schedule.version.api)
    now = timezone.now()
    if exemption.expires_at <= now:
        raise ServiceError("This exemption has already expired.")
    before = exemption.expires_at
    exemption.expires_at = now
    exemption.save(update_fields=["expires_at"])
    audit.record(
        action="deprecation.exemption_ended",
        actor=actor,
        tenant=exemption.tenant,
        target=exemption,
        changes={"expires_at": [_iso(before), _iso(now)]},
    )
    _invalidate_on_commit()
    return exemption


# --- the tenant's side ---------------------------------------------------------------------------


def called_versions(tenant, *, since=None) -> set[tuple[str, str]]:
    """(api slug, version label) pairs the tenant called since `since` (default: 30 days ago)."""
    since = since or timezone.now() - TRAFFIC_WINDOW
    rows = (
        UsageRecord.objects.for_tenant(tenant)
        .filter(hour__gte=since)
        .order_by()
        .values_list("api", "version")
        .distinct()
    )
    return set(rows)


def affecting(tenant, *, now=None):
    """The announced schedules that touch `tenant`: of versions it called in the last 30 days, of
    any deprecated or sunset public version, or already in its migration ledger. With the tenant's
    own ledger entry and exemptions prefetched (`my_ledger`, `my_exemptions`)."""
    now = now or timezone.now()
    if tenant is None:
        return DeprecationSchedule.objects.none()
    touches = Q(
        version__state__in=[LifecycleState.DEPRECATED, LifecycleState.SUNSET],
        version__api__visibility=Api.Visibility.PUBLIC,
    )
    touches |= Q(ledger__tenant=tenant)
    for api, label in called_versions(tenant, since=now - TRAFFIC_WINDOW):
        touches |= Q(version__api__slug=api, version__version=label)
    ids = DeprecationSchedule.objects.filter(touches, announced_at__lte=now).values("pk")
    return (
        DeprecationSchedule.objects.filter(pk__in=ids)
        .select_related("version__api", "successor__api")
        .prefetch_related(
            "brownouts",
            Prefetch("ledger", queryset=MigrationLedgerEntry.objects.for_tenant(tenant), to_attr="my_ledger"),
            Prefetch(
                "exemptions",
                queryset=DeprecationExemption.objects.for_tenant(tenant).order_by("-expires_at"),
                to_attr="my_exemptions",
            ),
        )
        .order_by("sunset_at", "pk")
    )


@transaction.atomic
def acknowledge(*, actor, schedule: DeprecationSchedule) -> MigrationLedgerEntry:
    """The tenant has seen the deprecation and plans its move: notified → acknowledged. A tenant
    that acknowledges before any notice reached it gets its ledger entry now. Migrated stays
    migrated; acknowledging twice changes nothing."""
    require(actor, "deprecations.acknowledge")
    tenant = actor.tenant
    if not affecting(tenant).filter(pk=schedule.pk).exists():
        raise ServiceError("This deprecation does not affect your tenant.")
    now = timezone.now()
    MigrationLedgerEntry.objects.bulk_create(
        [MigrationLedgerEntry(schedule=schedule, tenant=tenant, state=MigrationLedgerEntry.State.NOTIFIED)],
        ignore_conflicts=True,
    )
    entry = MigrationLedgerEntry.objects.select_for_update().get(schedule=schedule, tenant=tenant)
    if entry.state != MigrationLedgerEntry.State.NOTIFIED or entry.acknowledged_at is not None:
        return entry
    entry.state = MigrationLedgerEntry.State.ACKNOWLEDGED
    entry.acknowledged_at = now
    entry.acknowledged_by = actor.user if actor.user is not None and actor.user.pk else None
    entry.save(update_fields=["state", "acknowledged_at", "acknowledged_by"])
    audit.record(
        action="deprecation.acknowledged",
        actor=actor,
        tenant=tenant,
        target=entry,
        changes={"schedule": schedule.pk, "version": str(schedule.version)},
    )
    return entry
