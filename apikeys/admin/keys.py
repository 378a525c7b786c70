"""Staff console for API keys. A secret is never shown here, not even its digest. Staff change
one thing on a key, its rate override (the only way to raise it above the tenant's budget: tenant
members may only lower it), through apikeys.services so it is audited; and revoke keys with the
audited Revoke action. Keys are never deleted: usage, audit events and rotations point at them.
A refusal of the service (a key revoked meanwhile, an incomplete policy) shows as a form error."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import ngettext

from apikeys import services
from apikeys.models import ApiKey
from tenants.admin.staff import (
    SERVICE_REFUSALS,
    AcrossTenantsMixin,
    ServiceRefusalsMixin,
    refusal_text,
    staff_principal,
)

RATE_FIELDS = ("rate_quota", "rate_window")


class ApiKeyAdminForm(forms.ModelForm):
    class Meta:
        model = ApiKey
        fields = RATE_FIELDS
        help_texts = {
            "rate_quota": "Requests per window for this key. Empty (with the window): the plan's limit. "
            "Staff may raise it above the tenant's budget, which still caps all its keys together "
            "(raise that on the tenant)."
        }

    def clean(self):
        # An early, friendly form error (before the model's check constraint); the service decides
        # again under the row lock.
        cleaned = super().clean()
        quota, window = cleaned.get("rate_quota"), cleaned.get("rate_window")
        if self.errors:
            return cleaned
        if (quota is None) != (window is None):
            raise ValidationError({"rate_quota": "Give both a quota and a window, or neither (the plan's limit)."})
        if quota is not None and (quota < 1 or window < 1):
            raise ValidationError({"rate_quota": "Quota and window must be positive."})
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceRefusalsMixin, AcrossTenantsMixin, admin.ModelAdmin):
    form = ApiKeyAdminForm
    list_display = (
        "lookup_id",
        "name",
        "tenant",
        "environment",
        "key_status",
        "last_used_at",
        "expires_at",
        "created_at",
    )
    list_filter = ("environment", ("revoked_at", admin.EmptyFieldListFilter), "revoked_reason")
    # By lookup id (the public part a key shows: gvk_live_<lookup id>_...). Never ask staff to paste a
    # whole key: a search is a GET, and its URL lands in access logs.
    search_fields = ("=lookup_id", "name", "=tenant__slug")
    list_select_related = ("tenant",)
    show_full_result_count = False
    date_hierarchy = "created_at"
    fields = (
        "tenant",
        "name",
        "environment",
        "lookup_id",
        "scopes",
        "allowed_cidrs",
        "expires_at",
        "rate_quota",
        "rate_window",
        "created_by",
        "created_at",
        "last_used_at",
        "revoked_at",
        "revoked_reason",
        "rotated_from",
        "valid_until",
    )
    readonly_fields = tuple(f for f in fields if f not in RATE_FIELDS)
    actions = ["revoke_keys"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "created_by", "rotated_from")

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not obj.is_usable:
            return self.fields  # a revoked or expired key can't be changed (services.update_key)
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        # Never obj.save(): the service writes (under lock), records the audit event, drops the cache.
        if change and any(name in form.changed_data for name in RATE_FIELDS):
            services.update_key(
                actor=staff_principal(request, tenant=obj.tenant),
                api_key=obj,
                rate_quota=form.cleaned_data["rate_quota"],
                rate_window=form.cleaned_data["rate_window"],
            )

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
            except SERVICE_REFUSALS as exc:  # e.g. already revoked: say so, go on with the others
                self.message_user(request, f"{api_key.lookup_id}: {refusal_text(exc)}", messages.WARNING)
                continue
            revoked += 1
        self.message_user(request, ngettext("%d key revoked.", "%d keys revoked.", revoked) % revoked, messages.SUCCESS)
