"""Tenant-scoped reads of keys and usage (the default managers): every read of the app lives here."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from tenants.querysets import TenantScopedQuerySet


class ApiKeyQuerySet(TenantScopedQuerySet):
    def usable(self, at=None):
        """Keys that authenticate right now: not revoked, not expired, not past a rotation overlap."""
        at = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=at),
            Q(valid_until__isnull=True) | Q(valid_until__gt=at),
        )

    def for_listing(self):
        return self.select_related("tenant", "created_by", "rotated_from")

    def count_by_pepper_version(self, *, by_tenant: bool = False) -> list[dict]:
        """[{"pepper_version", ("tenant__slug",) "keys"}], by version (and tenant): how many keys
        of this queryset are stored under each pepper (settings.APIKEY_PEPPERS). One query."""
        fields = ("pepper_version", "tenant__slug") if by_tenant else ("pepper_version",)
        return list(self.order_by().values(*fields).annotate(keys=Count("id")).order_by(*fields))


DEFAULT_USAGE_DAYS = 30
MAX_USAGE_DAYS = 366


def default_usage_range(today: date | None = None) -> tuple[date, date]:
    """The last DEFAULT_USAGE_DAYS days, today included (UTC)."""
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=DEFAULT_USAGE_DAYS - 1), today


class UsageRecordQuerySet(TenantScopedQuerySet):
    def calls_by_day(self, start: date, end: date, lookup_id: str | None = None) -> list[dict]:
        """One row per (day, credential, api, version, status class), oldest day first. Call it on a
        tenant's records: UsageRecord.objects.for_tenant(tenant).calls_by_day(start, end)."""
        if (end - start).days >= MAX_USAGE_DAYS:
            start = end - timedelta(days=MAX_USAGE_DAYS - 1)
        records = self.filter(
            hour__gte=datetime.combine(start, time.min, tzinfo=UTC),
            hour__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
        )
        if lookup_id:
            records = records.filter(credential=f"key:{lookup_id}")
        rows = (
            records.annotate(day=TruncDate("hour", tzinfo=UTC))
            .values("day", "credential", "api_key__name", "api", "version", "status_class")
            .annotate(calls=Sum("count"))
            .order_by("day", "credential", "api", "version", "status_class")
        )
        return [
            {
                "day": r["day"],
                "credential": r["credential"],
                "key_name": r["api_key__name"],
                "api": r["api"],
                "version": r["version"],
                "status_class": r["status_class"],
                "calls": r["calls"],
            }
            for r in rows
        ]
