"""Deprecation schedules, and what they do to tenants: exemptions, notices, the migration ledger."""

from django.conf import settings
from django.db import models

from governance.querysets import DeprecationScheduleQuerySet, MigrationLedgerQuerySet
from tenants.querysets import TenantScopedQuerySet


class DeprecationSchedule(models.Model):
    version = models.OneToOneField("governance.ApiVersion", on_delete=models.CASCADE, related_name="deprecation")
    announced_at = models.DateTimeField()
    deprecated_at = models.DateTimeField()
    sunset_at = models.DateTimeField()
    successor = models.ForeignKey(
        "governance.ApiVersion", on_delete=models.PROTECT, null=True, blank=True, related_name="succeeds"
    )
    migration_guide_url = models.URLField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = DeprecationScheduleQuerySet.as_manager()

    class Meta:
        ordering = ["sunset_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(announced_at__lte=models.F("deprecated_at"))
                & models.Q(deprecated_at__lt=models.F("sunset_at")),
                name="deprecation_dates_in_order",
            )
        ]

    def __str__(self):
        return f"Deprecation of {self.version}"


class BrownoutWindow(models.Model):
    """A planned outage of a deprecated version: calls get 410 inside [starts_at, ends_at)."""

    schedule = models.ForeignKey(DeprecationSchedule, on_delete=models.CASCADE, related_name="brownouts")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(starts_at__lt=models.F("ends_at")), name="brownout_ends_after_start"
            )
        ]

    def __str__(self):
        return f"Brownout {self.starts_at:%Y-%m-%d %H:%M}–{self.ends_at:%H:%M} of {self.schedule.version}"


class DeprecationExemption(models.Model):
    """A tenant that may keep calling through brownouts and after sunset, until expires_at."""

    schedule = models.ForeignKey(DeprecationSchedule, on_delete=models.CASCADE, related_name="exemptions")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="deprecation_exemptions")
    reason = models.TextField()
    expires_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.tenant} exempt from {self.schedule} until {self.expires_at:%Y-%m-%d}"


class DeprecationNotice(models.Model):
    """One milestone notice to one tenant. The unique constraint makes "at most once" hold however
    often the beat task runs or retries: the row is claimed before anything is sent."""

    class Milestone(models.TextChoices):
        ANNOUNCEMENT = "announcement", "Announcement"
        DAYS_90 = "sunset-90d", "90 days before sunset"
        DAYS_30 = "sunset-30d", "30 days before sunset"
        DAYS_7 = "sunset-7d", "7 days before sunset"
        DAYS_1 = "sunset-1d", "1 day before sunset"
        BROWNOUT = "brownout", "Brownout"  # milestone key is "brownout:<window id>"
        SUNSET = "sunset", "Sunset"

    schedule = models.ForeignKey(DeprecationSchedule, on_delete=models.CASCADE, related_name="notices")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="deprecation_notices")

    class Status(models.TextChoices):
        CLAIMED = "claimed", "Claimed (sending)"
        SENT = "sent", "Sent"

    milestone = models.CharField(max_length=40)
    created_at = models.DateTimeField(auto_now_add=True)
    # The claim is a lease: a run that died after claiming is resumed by a later run once
    # claimed_at is older than DEPRECATION_NOTICE_LEASE (governance/services/notices.py).
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.CLAIMED, db_index=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    emailed_at = models.DateTimeField(null=True, blank=True)
    webhooks_enqueued_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    objects = TenantScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["schedule", "tenant", "milestone"], name="notice_once_per_milestone")
        ]

    def __str__(self):
        return f"{self.milestone} notice to {self.tenant} for {self.schedule}"


class MigrationLedgerEntry(models.Model):
    """Per (schedule, tenant): notified → acknowledged → migrated (no calls for 7 days)."""

    class State(models.TextChoices):
        NOTIFIED = "notified", "Notified"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        MIGRATED = "migrated", "Migrated"

    schedule = models.ForeignKey(DeprecationSchedule, on_delete=models.CASCADE, related_name="ledger")
    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="migration_ledger")
    state = models.CharField(max_length=16, choices=State.choices, default=State.NOTIFIED)
    notified_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    migrated_at = models.DateTimeField(null=True, blank=True)
    last_call_at = models.DateTimeField(null=True, blank=True)

    objects = MigrationLedgerQuerySet.as_manager()

    class Meta:
        ordering = ["schedule", "tenant"]
        verbose_name_plural = "migration ledger entries"
        constraints = [models.UniqueConstraint(fields=["schedule", "tenant"], name="ledger_unique_schedule_tenant")]

    def __str__(self):
        return f"{self.tenant} on {self.schedule}: {self.state}"
