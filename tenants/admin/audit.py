"""Staff console: the audit trail, read-only. Nobody adds, edits or deletes events here (the
database refuses it too, on PostgreSQL); `manage.py verify_audit` checks the chains."""

from django.contrib import admin

from tenants.admin.staff import AcrossTenantsMixin, ReadOnlyAdminMixin
from tenants.models import AuditChainHead, AuditEvent


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


@admin.register(AuditEvent)
class AuditEventAdmin(AcrossTenantsMixin, ReadOnlyAdmin):
    list_display = ("created_at", "tenant", "actor_label", "action", "target_type", "target_repr", "request_id")
    list_filter = ("action", "target_type")
    list_select_related = ("tenant",)
    search_fields = ("actor_label", "action", "target_repr", "target_id", "request_id", "tenant__slug", "=hash")
    date_hierarchy = "created_at"
    # The trail only grows: skip the unfiltered COUNT(*) on every page (as healthchecks does).
    show_full_result_count = False
    fieldsets = (
        (None, {"fields": ("created_at", "tenant", "actor", "actor_label", "action")}),
        ("Target", {"fields": ("target_type", "target_id", "target_repr", "changes")}),
        ("Request", {"fields": ("request_id", "ip")}),
        ("Chain", {"fields": ("chain", "seq", "prev_hash", "hash")}),
    )
    readonly_fields = [field for fieldset in fieldsets for field in fieldset[1]["fields"]]  # type: ignore[misc]


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(ReadOnlyAdmin):
    list_display = ("chain", "seq", "last_hash")
    search_fields = ("chain",)
    readonly_fields = ("chain", "seq", "last_hash")
