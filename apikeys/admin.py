"""Staff console for keys and usage. Keys are read-only here (a secret is never shown, not even its
digest); the one change staff make is the audited Revoke action."""

from django.contrib import admin, messages
from django.utils.translation import ngettext

from apikeys import services
from apikeys.models import ApiKey, UsageFlush, UsageRecord
from tenants.admin.staff import ReadOnlyAdminMixin, staff_principal
from tenants.services.errors import ServiceError


@admin.register(ApiKey)
class ApiKeyAdmin(admin.ModelAdmin):
    list_display = ("lookup_id", "name", "tenant", "environment", "key_status", "last_used_at", "expires_at",
                    "created_at")
    list_filter = ("environment", ("revoked_at", admin.EmptyFieldListFilter), "revoked_reason")
    # By lookup id (the public part a key shows: gvk_live_<lookup id>_...). Never ask staff to paste a
    # whole key: a search is a GET, and its URL lands in access logs.
    search_fields = ("=lookup_id", "name", "=tenant__slug")
    list_select_related = ("tenant",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    fields = ("tenant", "name", "environment", "lookup_id", "scopes", "allowed_cidrs", "expires_at",
              "rate_quota", "rate_window", "created_by", "created_at", "last_used_at", "revoked_at",
              "revoked_reason", "rotated_from", "valid_until")
    readonly_fields = fields
    actions = ["revoke_keys"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "created_by", "rotated_from")

    @admin.display(description="status")
    def key_status(self, obj):
        return obj.status

    def has_add_permission(self, request):
        return False  # keys are issued by their tenant (portal, API), shown once to them

    def has_delete_permission(self, request, obj=None):
        return False  # revoke instead: usage and audit keep pointing at the key

    @admin.action(description="Revoke the selected keys (audited)", permissions=["change"])
    def revoke_keys(self, request, queryset):
        revoked = 0
        for api_key in queryset.select_related("tenant"):
            try:
                services.revoke_key(actor=staff_principal(request, tenant=api_key.tenant), api_key=api_key)
            except ServiceError:
                continue  # already revoked
            revoked += 1
        self.message_user(request, ngettext("%d key revoked.", "%d keys revoked.", revoked) % revoked,
                          messages.SUCCESS)


@admin.register(UsageRecord)
class UsageRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
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
