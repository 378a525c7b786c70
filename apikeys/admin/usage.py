"""Staff console for usage: the hourly usage records and the flush ledger, read-only (written by the
flush task only)."""

from django.contrib import admin

from apikeys.models import UsageFlush, UsageRecord
from tenants.admin.staff import AcrossTenantsMixin, ReadOnlyAdminMixin


@admin.register(UsageRecord)
class UsageRecordAdmin(AcrossTenantsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("hour", "tenant", "credential", "api", "version", "operation", "status_class", "count")
    list_filter = ("status_class", "api", "version")
    search_fields = ("=tenant__slug", "=credential")
    list_select_related = ("tenant",)
    show_full_result_count = False
    date_hierarchy = "hour"


@admin.register(UsageFlush)
class UsageFlushAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("flush_key", "flushed_at", "fields", "calls")
    show_full_result_count = False
