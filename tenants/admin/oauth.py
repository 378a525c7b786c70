"""Staff console: tenant-owned OAuth clients and the toolkit's tokens.

django-oauth-toolkit registers these classes itself (settings.OAUTH2_PROVIDER `*_ADMIN_CLASS`).
The token admins extend the toolkit's, which already mask tokens and codes and refuse hand-made
ones; ours add the tenant, select related rows up front and use raw-id widgets, so neither a
changelist nor a change form loads a table row by row.

This module is imported while `oauth2_provider.admin` is still loading (that module asks for the
classes named in settings); the classes imported from it below are defined before that point.
"""

from django import forms
from django.conf import settings
from django.contrib import admin
from oauth2_provider.admin import AccessTokenAdmin as ToolkitAccessTokenAdmin
from oauth2_provider.admin import GrantAdmin as ToolkitGrantAdmin
from oauth2_provider.admin import IDTokenAdmin as ToolkitIDTokenAdmin
from oauth2_provider.admin import RefreshTokenAdmin as ToolkitRefreshTokenAdmin

from tenants import services
from tenants.admin.staff import AcrossTenantsMixin, ServiceRefusalsMixin, staff_principal
from tenants.models import Application

CREDENTIAL_SEARCH_FIELDS = ("application__client_id", "application__name", "application__tenant__slug", "user__email")


class ApplicationForm(forms.ModelForm):
    allowed_scopes = forms.MultipleChoiceField(
        choices=list(settings.API_SCOPES.items()),
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text="Scopes tokens of this client may carry.",
    )

    class Meta:
        model = Application
        fields = ("name", "redirect_uris", "is_gateway", "governance_identity", "allowed_scopes")


class ApplicationAdmin(ServiceRefusalsMixin, AcrossTenantsMixin, admin.ModelAdmin):
    """A tenant's OAuth client. Created by the tenant (portal or API), where its secret is shown
    once; staff can rename it, adjust redirect URIs and scopes, or delete it. The secret (stored
    hashed) is never a field here."""

    form = ApplicationForm
    list_display = ("name", "client_id", "tenant", "authorization_grant_type", "client_type", "created")
    list_filter = ("is_gateway", "authorization_grant_type", "client_type")
    list_select_related = ("tenant",)
    search_fields = ("client_id", "name", "tenant__slug", "tenant__name")
    fieldsets = (
        (None, {"fields": ("tenant", "name", "client_id", "client_type", "authorization_grant_type")}),
        ("Access", {"fields": ("is_gateway", "allowed_scopes", "redirect_uris")}),
        (
            "Governance",
            {
                "fields": ("governance_identity",),
                "description": "Bind the client to a platform API owner: its client-credentials tokens "
                "then submit specs with that person's rights, and only staff can edit, "
                "rotate or delete it.",
            },
        ),
        ("State", {"fields": ("authorization_changed_at", "disabled_at", "disabled_reason")}),
        (
            "Secret",
            {
                "fields": ("hash_client_secret", "secret_rotated_at"),
                "description": "The secret is stored hashed and shown only to the tenant, once.",
            },
        ),
        ("History", {"fields": ("created_by", "created", "updated", "registration_source")}),
    )
    raw_id_fields = ("governance_identity",)
    readonly_fields = (
        "tenant",
        "client_id",
        "client_type",
        "authorization_grant_type",
        "hash_client_secret",
        "secret_rotated_at",
        "authorization_changed_at",
        "disabled_at",
        "disabled_reason",
        "created_by",
        "created",
        "updated",
        "registration_source",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("tenant", "created_by", "governance_identity")

    def get_actions(self, request):
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)  # bulk delete would skip the audited service
        return actions

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        services.update_oauth_client(
            actor=staff_principal(request, tenant=obj.tenant),
            application=obj,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )

    def delete_model(self, request, obj):
        services.delete_oauth_client(actor=staff_principal(request, tenant=obj.tenant), application=obj)


class TenantColumnMixin:
    @admin.display(description="tenant", ordering="application__tenant__slug")
    def tenant(self, obj):
        return obj.application.tenant if obj.application_id else None


class AccessTokenAdmin(AcrossTenantsMixin, TenantColumnMixin, ToolkitAccessTokenAdmin):
    list_display = ("pk", "masked_token", "tenant", "application", "user", "scope", "expires")
    list_select_related = ("application__tenant", "user")
    list_filter = ("application__tenant",)
    raw_id_fields = ("user", "source_refresh_token", "id_token")
    autocomplete_fields = ("application",)
    search_fields = CREDENTIAL_SEARCH_FIELDS


class RefreshTokenAdmin(AcrossTenantsMixin, TenantColumnMixin, ToolkitRefreshTokenAdmin):
    list_display = ("pk", "masked_token", "tenant", "application", "user", "revoked")
    list_select_related = ("application__tenant", "user")
    list_filter = ("application__tenant",)
    raw_id_fields = ("user", "access_token")
    autocomplete_fields = ("application",)
    search_fields = CREDENTIAL_SEARCH_FIELDS


class GrantAdmin(AcrossTenantsMixin, TenantColumnMixin, ToolkitGrantAdmin):
    list_display = ("pk", "masked_code", "tenant", "application", "user", "expires")
    list_select_related = ("application__tenant", "user")
    list_filter = ("application__tenant",)
    raw_id_fields = ("user",)
    autocomplete_fields = ("application",)
    search_fields = CREDENTIAL_SEARCH_FIELDS


class IDTokenAdmin(AcrossTenantsMixin, TenantColumnMixin, ToolkitIDTokenAdmin):
    list_display = ("jti", "tenant", "application", "user", "expires")
    list_select_related = ("application__tenant", "user")
    list_filter = ("application__tenant",)
    raw_id_fields = ("user",)
    autocomplete_fields = ("application",)
    search_fields = CREDENTIAL_SEARCH_FIELDS
