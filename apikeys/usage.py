"""Reads of the usage table: the tenant's calls by day, key, version and status class."""

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Sum
from django.db.models.functions import TruncDate

from apikeys.models import UsageRecord

DEFAULT_DAYS = 30
MAX_DAYS = 366


def default_range(today: date | None = None) -> tuple[date, date]:
    today = today or datetime.now(UTC).date()
    return today - timedelta(days=DEFAULT_DAYS - 1), today


def calls_by_day(tenant, start: date, end: date, lookup_id: str | None = None) -> list[dict]:
    """One row per (day, credential, api, version, status class), oldest day first."""
    if (end - start).days >= MAX_DAYS:
        start = end - timedelta(days=MAX_DAYS - 1)
    records = UsageRecord.objects.for_tenant(tenant).filter(
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
        {"day": r["day"], "credential": r["credential"], "key_name": r["api_key__name"], "api": r["api"],
         "version": r["version"], "status_class": r["status_class"], "calls": r["calls"]}
        for r in rows
    ]
