"""Staff console: deprecation schedules (with brownout windows and exemptions), the notices sent and
the migration ledger. Every write goes through governance.services.deprecations (audited, guarded by
API ownership); notices and the ledger are written only by the beat task (governance.services.notices)
and read here: their admins are read-only (no add, change, delete, no actions), so no admin path
writes them. A service's refusal shows as a form error or a message, never a 500."""

from django import forms
from django.contrib import admin, messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from governance import permissions
from governance.models import (
    BrownoutWindow,
    DeprecationExemption,
    DeprecationNotice,
    DeprecationSchedule,
    MigrationLedgerEntry,
)
from governance.services import deprecations
from tenants.admin.staff import (
    SERVICE_REFUSALS,
    AcrossTenantsMixin,
    ReadOnlyAdminMixin,
    ServiceRefusalsMixin,
    refusal_text,
    staff_principal,
)


class BrownoutInline(admin.TabularInline):
    """Windows are added, moved and removed through the service (checked inside the period)."""

    model = BrownoutWindow
    extra = 1
    fields = ("starts_at", "ends_at")


class ExemptionInline(AcrossTenantsMixin, admin.TabularInline):
    model = DeprecationExemption
    extra = 0
    fields = ("tenant", "reason", "expires_at", "created_by", "created_at")
    readonly_fields = ("created_by", "created_at")
    autocomplete_fields = ("tenant",)
    can_delete = False


class ScheduleForm(forms.ModelForm):
    # A guide URL typed without a scheme means https (Django 6's default, chosen explicitly now).
    migration_guide_url = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = DeprecationSchedule
        fields = ["version", "announced_at", "deprecated_at", "sunset_at", "successor", "migration_guide_url"]


@admin.register(DeprecationSchedule)
class DeprecationScheduleAdmin(ServiceRefusalsMixin, admin.ModelAdmin):
    form = ScheduleForm
    list_display = (
        "version",
        "version_state",
        "announced_at",
        "deprecated_at",
        "sunset_at",
        "successor",
        "notified",
        "acknowledged",
        "migrated",
        "ledger_link",
    )
    list_filter = ("version__state", "version__api")
    search_fields = ("version__api__slug", "version__version", "version__base_path")
    list_select_related = ("version__api", "successor__api")
    autocomplete_fields = ("version", "successor")
    date_hierarchy = "sunset_at"
    inlines = [BrownoutInline, ExemptionInline]
    readonly_fields = ("created_by", "created_at", "updated_at")

    def get_queryset(self, request):
        return super().get_queryset(request).with_ledger_counts()

    @admin.display(description="state", ordering="version__state")
    def version_state(self, obj):
        return obj.version.get_state_display()

    @admin.display(description="notified", ordering="n_notified")
    def notified(self, obj):
        return obj.n_notified

    @admin.display(description="acknowledged", ordering="n_acknowledged")
    def acknowledged(self, obj):
        return obj.n_acknowledged

    @admin.display(description="migrated", ordering="n_migrated")
    def migrated(self, obj):
        return obj.n_migrated

    @admin.display(description="ledger")
    def ledger_link(self, obj):
        url = reverse("admin:governance_migrationledgerentry_changelist") + f"?schedule__id__exact={obj.pk}"
        return format_html('<a href="{}">tenants</a>', url)

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("version")
        return fields

    def has_change_permission(self, request, obj=None):
        if not super().has_change_permission(request, obj):
            return False
        return obj is None or permissions.owns_api(request.user, obj.version.api)

    def has_delete_permission(self, request, obj=None):
        return False  # notices and the ledger point at it; un-deprecate the version instead

    def save_model(self, request, obj, form, change):
        actor = staff_principal(request)
        values = {
            name: form.cleaned_data.get(name)
            for name in ("announced_at", "deprecated_at", "sunset_at", "successor", "migration_guide_url")
        }
        if change:
            saved = deprecations.update_schedule(actor=actor, schedule=obj, **values)
        else:
            saved = deprecations.create_schedule(actor=actor, version=form.cleaned_data["version"], **values)
        obj.pk = saved.pk
        obj.refresh_from_db()

    def save_formset(self, request, form, formset, change):
        """Inline rows through the services: brownouts added / removed, exemptions granted."""
        actor = staff_principal(request)
        schedule = form.instance
        rows = formset.save(commit=False)  # writes nothing; lists the new, changed and deleted rows
        for deleted in formset.deleted_objects:
            if isinstance(deleted, BrownoutWindow):
                deprecations.remove_brownout(actor=actor, window=deleted)
        for row in rows:
            if isinstance(row, BrownoutWindow):
                if row.pk:
                    deprecations.remove_brownout(actor=actor, window=row)
                deprecations.add_brownout(actor=actor, schedule=schedule, starts_at=row.starts_at, ends_at=row.ends_at)
            elif isinstance(row, DeprecationExemption) and row.pk is None:
                deprecations.grant_exemption(
                    actor=actor, schedule=schedule, tenant=row.tenant, reason=row.reason, expires_at=row.expires_at
                )


@admin.register(DeprecationExemption)
class DeprecationExemptionAdmin(AcrossTenantsMixin, admin.ModelAdmin):
    list_display = ("tenant", "schedule", "expires_at", "active", "reason", "created_by", "created_at")
    list_filter = ("schedule__version__api",)
    search_fields = ("=tenant__slug", "tenant__name", "schedule__version__api__slug", "reason")
    list_select_related = ("tenant", "schedule__version__api", "created_by")
    readonly_fields = ("schedule", "tenant", "reason", "expires_at", "created_by", "created_at")
    actions = ["end_now"]

    @admin.display(boolean=True)
    def active(self, obj):
        return obj.expires_at > timezone.now()

    def has_add_permission(self, request):
        return False  # granted on the schedule's page (audited through the service)

    def save_model(self, request, obj, form, change):
        pass  # every field is read-only: "Save" changes nothing (end one with the action)

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="End the selected exemptions now (audited)", permissions=["change"])
    def end_now(self, request, queryset):
        ended = 0
        for exemption in queryset.select_related("schedule__version__api", "tenant"):
            try:
                deprecations.end_exemption(actor=staff_principal(request, tenant=exemption.tenant), exemption=exemption)
            except SERVICE_REFUSALS as exc:
                self.message_user(request, f"{exemption.tenant}: {refusal_text(exc)}", messages.WARNING)
                continue
            ended += 1
        self.message_user(request, f"{ended} exemption(s) ended.", messages.SUCCESS)


@admin.register(DeprecationNotice)
class DeprecationNoticeAdmin(AcrossTenantsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "schedule",
        "tenant",
        "milestone",
        "status",
        "claimed_at",
        "attempts",
        "emailed_at",
        "webhooks_enqueued_at",
        "sent_at",
    )
    list_filter = ("status", "milestone")
    search_fields = ("=tenant__slug", "schedule__version__api__slug")
    list_select_related = ("schedule__version__api", "tenant")
    show_full_result_count = False


@admin.register(MigrationLedgerEntry)
class MigrationLedgerEntryAdmin(AcrossTenantsMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    """The migration table: per schedule, each tenant's state, last call and calls of the last 30 days."""

    list_display = (
        "schedule",
        "tenant",
        "state",
        "last_call_at",
        "calls_30d",
        "notified_at",
        "acknowledged_at",
        "migrated_at",
    )
    list_filter = ("state", "schedule__version__api", "schedule")
    search_fields = ("=tenant__slug", "tenant__name", "schedule__version__api__slug")
    list_select_related = ("schedule__version__api", "tenant")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).with_recent_calls(days=30)

    @admin.display(description="calls (30 days)", ordering="calls")
    def calls_30d(self, obj):
        return obj.calls or 0
