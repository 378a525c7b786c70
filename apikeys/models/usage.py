"""The usage the request path meters, folded into hourly rows by the flush task."""

from django.db import models

from apikeys.models.keys import ApiKey
from apikeys.querysets import UsageRecordQuerySet


class UsageRecord(models.Model):
    """Calls in one hour, by credential, API, version, operation and status class. Written only by
    the flush task, as an upsert that adds to `count`."""

    tenant = models.ForeignKey("tenants.Tenant", on_delete=models.CASCADE, related_name="usage_records")
    # "key:<lookup id>", "oauth:<client id>" or "session:<user id>": the unique dimension.
    credential = models.CharField(max_length=120)
    api_key = models.ForeignKey(ApiKey, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    api = models.CharField(max_length=100)
    version = models.CharField(max_length=32)
    operation = models.CharField(max_length=200)
    status_class = models.CharField(max_length=3)  # "2xx" ... "5xx"
    hour = models.DateTimeField()
    count = models.BigIntegerField(default=0)

    objects = UsageRecordQuerySet.as_manager()

    class Meta:
        ordering = ["-hour", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "credential", "api", "version", "operation", "status_class", "hour"],
                name="usage_record_unique_dimensions",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "hour"])]

    def __str__(self):
        return f"{self.tenant_id} {self.credential} {self.api} {self.version} {self.operation} {self.status_class} {self.hour:%Y-%m-%d %H}h: {self.count}"


class UsageFlush(models.Model):
    """One row per Redis hash folded into UsageRecord, written in the same transaction as the
    upsert: a flush key whose row exists was counted already and is only deleted."""

    flush_key = models.CharField(max_length=120, unique=True)
    flushed_at = models.DateTimeField(auto_now_add=True)
    fields = models.PositiveIntegerField(default=0)
    calls = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["-flushed_at"]
        verbose_name_plural = "usage flushes"

    def __str__(self):
        return self.flush_key
