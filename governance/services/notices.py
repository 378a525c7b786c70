"""Deprecation notices: each milestone of a schedule, to each tenant that called the version in the
last 30 days, by e-mail (owners and admins) and by webhook — at most once per milestone and tenant.

Milestones: the announcement; 90, 30, 7 and 1 days before sunset; each brownout (BROWNOUT_LEAD
before it starts); the sunset. A schedule notifies only while its version is deprecated or sunset
(the "deprecate" transition is what puts a schedule in force; see governance/enforcement.py). When
several countdown milestones are due at once (a schedule announced late) only the nearest is sent.

How "at most once" survives retries, concurrent runs and dead workers
----------------------------------------------------------------------
1. Claim: insert the DeprecationNotice row (unique schedule + tenant + milestone) in its own
   transaction, status "claimed", claimed_at = now. Whoever inserts it owns it; every other run,
   retry or concurrent worker finds the row and moves on. A milestone is never claimed twice.
2. Send: the e-mail, then record emailed_at; the webhook deliveries (idempotent: their message id
   derives from the notice), then record webhooks_enqueued_at. Each step is skipped when its
   timestamp is already set.
3. Mark: status "sent", sent_at.

A run that dies between 1 and 3 leaves a "claimed" row. A later run takes it over once the claim is
older than DEPRECATION_NOTICE_LEASE_SECONDS (a conditional UPDATE on the old claimed_at, so only one
run wins) and finishes only the steps whose timestamps are missing.

The trade-off: a claimed notice is never dropped (at-least-once delivery of each step), and the
only way to send one twice is to die in the instant between the SMTP server accepting the e-mail
and the UPDATE of emailed_at committing — a window of one round trip, against the alternative
(mark before sending) that silently loses the notice whenever a worker dies mid-send. Webhooks
carry the same webhook-id on any resend, so receivers deduplicate them (Standard Webhooks).
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.urls import reverse
from django.utils import timezone

from apikeys.models import UsageRecord
from governance.models import DeprecationNotice, DeprecationSchedule, LifecycleState, MigrationLedgerEntry
from governance.services import webhooks
from tenants.models import Membership, Tenant
from tenants.roles import Role

log = logging.getLogger(__name__)

M = DeprecationNotice.Milestone
TRAFFIC_WINDOW = timedelta(days=30)
MIGRATED_AFTER = timedelta(days=7)
BROWNOUT_LEAD = timedelta(days=3)
COUNTDOWN = [
    (M.DAYS_90, timedelta(days=90)),
    (M.DAYS_30, timedelta(days=30)),
    (M.DAYS_7, timedelta(days=7)),
    (M.DAYS_1, timedelta(days=1)),
]
NOTIFYING_STATES = (LifecycleState.DEPRECATED, LifecycleState.SUNSET)


@dataclass
class RunResult:
    claimed: int = 0
    resumed: int = 0
    sent: int = 0
    migrated: int = 0


def lease() -> timedelta:
    return timedelta(seconds=settings.DEPRECATION_NOTICE_LEASE_SECONDS)


def due_milestones(schedule: DeprecationSchedule, now) -> list[str]:
    """The milestone keys due at `now` (not whether they were sent already)."""
    due = []
    if schedule.announced_at <= now:
        due.append(M.ANNOUNCEMENT.value)
    if now >= schedule.sunset_at:
        due.append(M.SUNSET.value)
        return due
    # A countdown point that passed before the announcement is covered by the announcement itself.
    countdown = [key for key, before in COUNTDOWN if schedule.announced_at <= schedule.sunset_at - before <= now]
    if countdown:
        due.append(countdown[-1].value)  # only the nearest of those due
    for window in schedule.brownouts.all():
        if window.starts_at - BROWNOUT_LEAD <= now < window.ends_at:
            due.append(f"{M.BROWNOUT.value}:{window.pk}")
    return due


def affected_tenant_ids(schedule: DeprecationSchedule, now) -> list[int]:
    version = schedule.version
    return list(
        UsageRecord.objects.across_tenants()
        .filter(
            api=version.api.slug,
            version=version.version,
            hour__gte=now - TRAFFIC_WINDOW,
            tenant__status=Tenant.Status.ACTIVE,
        )
        .values_list("tenant_id", flat=True)
        .distinct()
        .order_by("tenant_id")
    )


def recipients(tenant_id: int) -> list[str]:
    return sorted(
        Membership.objects.filter(
            tenant_id=tenant_id, role__in=[Role.OWNER, Role.ADMIN], user__is_active=True
        ).values_list("user__email", flat=True)
    )


def claim(schedule, tenant_id: int, milestone: str, now) -> DeprecationNotice | None:
    """Insert the notice row in its own transaction; None when it exists already (someone else's)."""
    try:
        with transaction.atomic():
            return DeprecationNotice.objects.create(
                schedule=schedule,
                tenant_id=tenant_id,
                milestone=milestone,
                status=DeprecationNotice.Status.CLAIMED,
                claimed_at=now,
                attempts=1,
            )
    except IntegrityError:
        return None


def take_over(notice: DeprecationNotice, now) -> bool:
    """Renew the lease of a stale claim; True for the one run whose UPDATE matched."""
    return bool(
        DeprecationNotice.objects.for_tenant(notice.tenant_id)
        .filter(pk=notice.pk, status=DeprecationNotice.Status.CLAIMED, claimed_at=notice.claimed_at)
        .update(claimed_at=now, attempts=F("attempts") + 1)
    )


# --- what is said -------------------------------------------------------------------------------


def _brownout(schedule, milestone):
    if not milestone.startswith(M.BROWNOUT.value + ":"):
        return None
    window_id = int(milestone.split(":", 1)[1])
    return next((w for w in schedule.brownouts.all() if w.pk == window_id), None)


def milestone_label(schedule, milestone: str) -> str:
    version = f"{schedule.version.api.slug} {schedule.version.version}"
    if milestone == M.ANNOUNCEMENT:
        return f"{version} is deprecated"
    if milestone == M.SUNSET:
        return f"{version} has been sunset"
    window = _brownout(schedule, milestone)
    if window is not None:
        return f"{version} brownout on {window.starts_at:%Y-%m-%d %H:%M} UTC"
    return f"{version} sunsets in {M(milestone).label.split(' ')[0]} day{'s' if milestone != M.DAYS_1 else ''}"


def event_data(schedule, milestone: str) -> dict:
    version, successor = schedule.version, schedule.successor
    window = _brownout(schedule, milestone)
    return {
        "milestone": milestone.split(":")[0],
        "schedule": schedule.pk,
        "api": version.api.slug,
        "version": version.version,
        "base_path": version.base_path,
        "announced_at": schedule.announced_at.isoformat(),
        "deprecated_at": schedule.deprecated_at.isoformat(),
        "sunset_at": schedule.sunset_at.isoformat(),
        "successor": {"version": successor.version, "base_path": successor.base_path} if successor else None,
        "migration_guide_url": schedule.migration_guide_url or None,
        "brownout": {"starts_at": window.starts_at.isoformat(), "ends_at": window.ends_at.isoformat()}
        if window
        else None,
        "portal_url": settings.SITE_URL + reverse("governance:deprecations"),
    }


def email_body(schedule, milestone: str, tenant_name: str) -> str:
    data = event_data(schedule, milestone)
    lines = [
        f"Hello {tenant_name},",
        "",
        f"{milestone_label(schedule, milestone)}. Your programs called it in the last 30 days.",
        "",
        f"  Deprecated since  {schedule.deprecated_at:%Y-%m-%d %H:%M} UTC",
        f"  Sunset            {schedule.sunset_at:%Y-%m-%d %H:%M} UTC (calls then answer 410 Gone)",
    ]
    for window in schedule.brownouts.all():
        lines.append(
            f"  Brownout          {window.starts_at:%Y-%m-%d %H:%M} – {window.ends_at:%H:%M} UTC "
            "(calls answer 410 Gone)"
        )
    if data["successor"]:
        lines.append(
            f"  Move to           {schedule.version.api.slug} {data['successor']['version']} "
            f"({data['successor']['base_path']})"
        )
    if data["migration_guide_url"]:
        lines.append(f"  Migration guide   {data['migration_guide_url']}")
    lines += ["", f"Acknowledge it and follow your calls to the old version: {data['portal_url']}", ""]
    return "\n".join(lines)


# --- sending ------------------------------------------------------------------------------------


def deliver(notice: DeprecationNotice, *, hook=None) -> None:
    """Finish the steps of a claimed notice whose timestamps are missing, then mark it sent."""
    schedule = notice.schedule
    tenant = notice.tenant
    if notice.emailed_at is None:
        to = recipients(tenant.pk)
        if to:
            send_mail(
                subject=f"[API console] {milestone_label(schedule, notice.milestone)}",
                message=email_body(schedule, notice.milestone, tenant.name),
                from_email=None,
                recipient_list=to,
            )
        if hook:
            hook("emailed", notice)
        DeprecationNotice.objects.for_tenant(notice.tenant_id).filter(pk=notice.pk).update(emailed_at=timezone.now())
    if notice.webhooks_enqueued_at is None:
        with transaction.atomic():
            webhooks.enqueue_event(
                tenant=tenant,
                event_type="deprecation.milestone",
                data=event_data(schedule, notice.milestone),
                event_key=f"notice|{notice.pk}",
            )
            DeprecationNotice.objects.for_tenant(notice.tenant_id).filter(pk=notice.pk).update(
                webhooks_enqueued_at=timezone.now()
            )
    now = timezone.now()
    with transaction.atomic():
        DeprecationNotice.objects.for_tenant(notice.tenant_id).filter(pk=notice.pk).update(
            status=DeprecationNotice.Status.SENT, sent_at=now
        )
        MigrationLedgerEntry.objects.bulk_create(
            [
                MigrationLedgerEntry(
                    schedule=schedule, tenant=tenant, state=MigrationLedgerEntry.State.NOTIFIED, notified_at=now
                )
            ],
            ignore_conflicts=True,
        )
        MigrationLedgerEntry.objects.filter(schedule=schedule, tenant=tenant, notified_at__isnull=True).update(
            notified_at=now
        )


def _schedules(now):
    return (
        DeprecationSchedule.objects.filter(version__state__in=NOTIFYING_STATES, announced_at__lte=now)
        .select_related("version__api", "successor")
        .prefetch_related("brownouts")
    )


def run(*, now=None, hook=None) -> RunResult:
    """One pass of the beat task. `hook(stage, notice)` is a seam for the crash tests ("claimed"
    after the claim committed, "emailed" after the e-mail went out, before it is recorded)."""
    now = now or timezone.now()
    result = RunResult()
    # The beat task works across tenants by design: every stale claim, whoever it is for.
    stale = (
        DeprecationNotice.objects.across_tenants()
        .filter(status=DeprecationNotice.Status.CLAIMED, claimed_at__lt=now - lease())
        .select_related("schedule__version__api", "schedule__successor", "tenant")
    )
    for notice in stale:
        if take_over(notice, now):
            result.resumed += 1
            deliver(notice, hook=hook)
            result.sent += 1
    for schedule in _schedules(now):
        milestones = due_milestones(schedule, now)
        if not milestones:
            continue
        tenant_ids = affected_tenant_ids(schedule, now)
        claimed_already = set(
            DeprecationNotice.objects.filter(
                tenant_id__in=tenant_ids, schedule=schedule, milestone__in=milestones
            ).values_list("tenant_id", "milestone")
        )
        for tenant_id in tenant_ids:
            for milestone in milestones:
                if (tenant_id, milestone) in claimed_already:
                    continue
                claimed = claim(schedule, tenant_id, milestone, now)
                if claimed is None:
                    continue
                result.claimed += 1
                if hook:
                    hook("claimed", claimed)
                deliver(claimed, hook=hook)
                result.sent += 1
    result.migrated = update_ledger(now=now)
    return result


# --- the migration ledger -----------------------------------------------------------------------


def update_ledger(*, now=None) -> int:
    """Record each ledger entry's last call to the old version; an entry with no call for 7 days is
    migrated (and one that calls again goes back). Returns the number newly migrated."""
    now = now or timezone.now()
    migrated = 0
    entries = (
        MigrationLedgerEntry.objects.across_tenants().select_related("schedule__version__api").order_by("schedule_id")
    )
    by_schedule: dict[int, list] = {}
    for entry in entries:
        by_schedule.setdefault(entry.schedule_id, []).append(entry)
    for group in by_schedule.values():
        version = group[0].schedule.version
        last_calls = dict(
            UsageRecord.objects.filter(
                api=version.api.slug, version=version.version, tenant_id__in=[e.tenant_id for e in group]
            )
            .values("tenant_id")
            .annotate(last=Max("hour"))
            .values_list("tenant_id", "last")
        )
        for entry in group:
            last = last_calls.get(entry.tenant_id)
            last_call_at = last + timedelta(hours=1) if last is not None else None  # the hour's end
            quiet = last_call_at is None or last_call_at <= now - MIGRATED_AFTER
            changes = {}
            if last_call_at != entry.last_call_at:
                changes["last_call_at"] = last_call_at
            if quiet and entry.state != MigrationLedgerEntry.State.MIGRATED:
                changes.update(state=MigrationLedgerEntry.State.MIGRATED, migrated_at=now)
                migrated += 1
            elif not quiet and entry.state == MigrationLedgerEntry.State.MIGRATED:
                changes.update(
                    state=MigrationLedgerEntry.State.ACKNOWLEDGED
                    if entry.acknowledged_at
                    else MigrationLedgerEntry.State.NOTIFIED,
                    migrated_at=None,
                )
            if changes:
                MigrationLedgerEntry.objects.for_tenant(entry.tenant_id).filter(pk=entry.pk).update(**changes)
    return migrated
