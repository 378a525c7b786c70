"""Staff console: tenants, with suspend / reactivate actions that ask for confirmation first.

Creation and edits go through tenants.services (create_tenant, update_tenant), so the audit event
is the service's; a tenant is suspended, never deleted here."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import ngettext

from tenants import services
from tenants.admin.staff import AcrossTenantsMixin, ServiceRefusalsMixin, staff_principal
from tenants.models import Membership, Tenant


class SuspendForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text="Recorded in the audit trail and kept on the tenant while it is suspended.",
    )


class ReactivateForm(forms.Form):
    pass


class MembershipOfTenantInline(AcrossTenantsMixin, admin.TabularInline):
    """Who belongs to the tenant. Read-only here; each membership's own page changes the role."""

    model = Membership
    fk_name = "tenant"
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user", "tenant")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Tenant)
class TenantAdmin(ServiceRefusalsMixin, admin.ModelAdmin):
    list_display = ("slug", "name", "status", "plan", "member_count", "created_at")
    list_filter = ("status", "plan")
    search_fields = ("slug", "name")
    readonly_fields = ("status", "suspended_reason", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "name", "plan")}),
        (
            "Rate budget",
            {
                "fields": ("rate_quota", "rate_window"),
                "description": "What all the tenant's API keys, OAuth clients and sessions may spend "
                "together. Empty: the plan's limit. Members may only set lower limits on their keys; "
                "raise a key's own limit on its API key page.",
            },
        ),
        (
            "Status",
            {
                "fields": ("status", "suspended_reason"),
                "description": "Change it with the Suspend / Reactivate actions of the tenant list.",
            },
        ),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )
    inlines = [MembershipOfTenantInline]

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # nobody belongs to it before it exists

    actions = ["suspend_tenants", "reactivate_tenants"]
    # The member count annotation makes a GROUP BY query, which drops Meta.ordering: order explicitly
    # so pagination (and the autocomplete) is stable.
    ordering = ("slug",)

    def get_readonly_fields(self, request, obj=None):
        # The slug names the tenant in URLs and logs: fixed once created.
        return self.readonly_fields + (("slug",) if obj is not None else ())

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(member_count=Count("memberships"))

    def has_delete_permission(self, request, obj=None):
        # Suspend instead. Deleting would cascade to the members, keys, clients, usage and the
        # tenant's audit chain (the record of who did what), and free the slug for someone else;
        # suspension stops every credential at once and can be undone.
        return False

    def save_model(self, request, obj, form, change):
        # Never obj.save(): the service validates, writes under lock and records the audit event.
        values = {name: form.cleaned_data[name] for name in ("name", "plan", "rate_quota", "rate_window")}
        if change:
            services.update_tenant(actor=staff_principal(request, tenant=obj), tenant=obj, **values)
        else:
            created = services.create_tenant(actor=staff_principal(request), slug=form.cleaned_data["slug"], **values)
            obj.pk = created.pk
        obj.refresh_from_db()

    @admin.display(description="members", ordering="member_count")
    def member_count(self, obj):
        return obj.member_count

    # --- actions: a confirmation page first, then the service for each tenant -------------------

    def _confirm(self, request, queryset, *, action, form, title, verb):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "verb": verb,
            "action_name": action,
            "form": form,
            "tenants": queryset,
            "opts": self.model._meta,
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            # Posted back (without "index", like Django's delete confirmation) to run the action.
            "selected_ids": [str(pk) for pk in queryset.values_list("pk", flat=True)],
            "media": self.media + form.media,
        }
        return TemplateResponse(request, "admin/tenants/tenant/status_confirmation.html", context)

    @admin.action(description="Suspend selected tenants…", permissions=["change"])
    def suspend_tenants(self, request, queryset):
        form = SuspendForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._confirm(
                request, queryset, action="suspend_tenants", form=form, title="Suspend tenants", verb="Suspend"
            )
        actor = staff_principal(request)
        changed = [t for t in queryset if t.is_active]
        for tenant in changed:
            services.suspend_tenant(actor=actor, tenant=tenant, reason=form.cleaned_data["reason"])
        self.message_user(
            request,
            ngettext("Suspended %d tenant.", "Suspended %d tenants.", len(changed)) % len(changed),
            messages.SUCCESS,
        )
        return None

    @admin.action(description="Reactivate selected tenants…", permissions=["change"])
    def reactivate_tenants(self, request, queryset):
        form = ReactivateForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            return self._confirm(
                request, queryset, action="reactivate_tenants", form=form, title="Reactivate tenants", verb="Reactivate"
            )
        actor = staff_principal(request)
        changed = [t for t in queryset if not t.is_active]
        for tenant in changed:
            services.reactivate_tenant(actor=actor, tenant=tenant)
        self.message_user(
            request,
            ngettext("Reactivated %d tenant.", "Reactivated %d tenants.", len(changed)) % len(changed),
            messages.SUCCESS,
        )
        return None
