"""Staff console: tenants' webhook endpoints (never their secrets) and every delivery, read-only,
with one action: retry deliveries that failed or gave up."""

from django.contrib import admin, messages

from governance.models import WebhookDelivery, WebhookEndpoint
from governance.services import webhooks
from tenants.admin.staff import AcrossTenantsMixin, ReadOnlyAdminMixin, staff_principal


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(AcrossTenantsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("url", "tenant", "is_active", "event_types", "created_at")
    list_filter = ("is_active",)
    search_fields = ("=tenant__slug", "url")
    list_select_related = ("tenant",)
    fields = ("tenant", "url", "description", "event_types", "is_active", "created_at")
    readonly_fields = fields  # registered by the tenant, who alone is shown the secret, once


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(AcrossTenantsMixin, admin.ModelAdmin):
    list_display = (
        "message_id",
        "event_type",
        "tenant",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "created_at",
        "delivered_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("=message_id", "=tenant__slug", "endpoint__url")
    list_select_related = ("tenant", "endpoint")
    show_full_result_count = False
    date_hierarchy = "created_at"
    fields = (
        "message_id",
        "event_type",
        "tenant",
        "endpoint",
        "status",
        "attempts",
        "last_status_code",
        "last_error",
        "payload",
        "created_at",
        "delivered_at",
    )
    readonly_fields = fields
    actions = ["retry"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only: "Save" changes nothing (retry with the action)

    @admin.action(description="Retry the selected deliveries now (audited)", permissions=["change"])
    def retry(self, request, queryset):
        retried = 0
        for delivery in queryset.retryable().select_related("tenant"):
            if webhooks.retry_delivery(actor=staff_principal(request, tenant=delivery.tenant), delivery=delivery):
                retried += 1
        self.message_user(request, f"{retried} deliveries queued again.", messages.SUCCESS)
