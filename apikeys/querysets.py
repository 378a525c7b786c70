"""Tenant-scoped reads of keys and usage (the default managers)."""

from django.db.models import Q
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


class UsageRecordQuerySet(TenantScopedQuerySet):
    pass
