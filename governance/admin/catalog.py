"""Staff console: the catalog (APIs, versions, spec revisions) and the lifecycle actions.

Every write goes through governance.services (audited, guarded). Who may change what:
platform admins everything; API owners (guardian `own_api`) the APIs they own and their versions;
everyone else with access to the admin only reads. APIs and versions are never deleted here: a
version is retired through its lifecycle.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from governance import permissions
from governance.models import Api, ApiVersion, SpecRevision
from governance.services import catalog as catalog_services
from governance.services import lifecycle
from tenants.admin.staff import ReadOnlyAdminMixin, staff_principal
from tenants.services.errors import NotAllowed, ServiceError


class ApiForm(forms.ModelForm):
    class Meta:
        model = Api
        fields = [
            "slug",
            "name",
            "description",
            "visibility",
            "owners",
            "min_notice_days_preview",
            "min_notice_days_active",
            "require_successor_for_active",
        ]


@admin.register(Api)
class ApiAdmin(admin.ModelAdmin):
    form = ApiForm
    list_display = ("slug", "name", "visibility", "min_notice_days_preview", "min_notice_days_active", "updated_at")
    list_filter = ("visibility",)
    search_fields = ("slug", "name", "description")
    autocomplete_fields = ("owners",)
    readonly_fields = ("created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("slug", "name", "description", "visibility")}),
        (
            "Owners",
            {
                "fields": ("owners",),
                "description": "Owners hold the object permission own_api: they manage this API's versions, "
                "lifecycle, reviews and deprecations. Only platform admins change this list.",
            },
        ),
        ("Policy", {"fields": ("min_notice_days_preview", "min_notice_days_active", "require_successor_for_active")}),
        ("Dates", {"fields": ("created_at", "updated_at")}),
    )

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields.append("slug")  # names the API in URLs, usage records and enforcement
            if not permissions.is_platform_admin(request.user):
                fields.append("owners")
        return fields

    def has_add_permission(self, request):
        return super().has_add_permission(request) and permissions.is_platform_admin(request.user)

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.owns_api(request.user, obj))

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        actor = staff_principal(request)
        data = form.cleaned_data
        policy = {name: data[name] for name in catalog_services.API_FIELDS if name in data}
        if change:
            changed = {name: policy[name] for name in form.changed_data if name in policy}
            if changed:
                catalog_services.update_api(actor=actor, api=obj, **changed)
        else:
            api = catalog_services.create_api(actor=actor, slug=data["slug"], **policy)
            obj.pk = api.pk
            obj.refresh_from_db()

    def save_related(self, request, form, formsets, change):
        # Owners through the service: the guardian permission follows the list, and it is audited.
        if "owners" in form.cleaned_data and (not change or "owners" in form.changed_data):
            catalog_services.set_api_owners(
                actor=staff_principal(request), api=form.instance, owners=list(form.cleaned_data["owners"])
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)


class ApiVersionForm(forms.ModelForm):
    class Meta:
        model = ApiVersion
        fields = ["api", "version", "base_path"]

    def clean_base_path(self):
        # The service's rules, checked here too so a refusal is a form error, not a failed save.
        base_path = catalog_services.normalised_base_path(self.cleaned_data["base_path"])
        instance = self.instance
        if instance.pk and base_path != instance.base_path and instance.state != "draft":
            raise ValidationError("The base path can only change while the version is a draft.")
        return base_path


@admin.register(ApiVersion)
class ApiVersionAdmin(admin.ModelAdmin):
    form = ApiVersionForm
    list_display = ("__str__", "api", "version", "base_path", "state", "spec", "state_changed_at")
    list_filter = ("state", "api")
    list_select_related = ("api", "published_revision")
    search_fields = ("api__slug", "api__name", "version", "base_path")
    autocomplete_fields = ("api",)
    readonly_fields = ("state", "state_changed_at", "published_revision", "created_at", "updated_at")
    actions = [f"transition_{name}" for name in lifecycle.TRANSITIONS]

    def get_readonly_fields(self, request, obj=None):
        fields = list(self.readonly_fields)
        if obj is not None:
            fields += ["api", "version"]
        return fields

    def get_fields(self, request, obj=None):
        return [
            "api",
            "version",
            "base_path",
            "state",
            "state_changed_at",
            "published_revision",
            "created_at",
            "updated_at",
        ]

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or permissions.owns_api(request.user, obj.api))

    def has_delete_permission(self, request, obj=None):
        return False

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "api":
            kwargs["queryset"] = permissions.owned_apis(request.user, Api.objects.all())
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description="published spec")
    def spec(self, obj):
        revision = obj.published_revision
        if revision is None:
            return "—"
        url = reverse("admin:governance_specrevision_change", args=[revision.pk])
        return format_html('<a href="{}">{}</a>', url, revision.content_hash[:12])

    def save_model(self, request, obj, form, change):
        actor = staff_principal(request)
        if change:
            catalog_services.update_version(actor=actor, version=obj, base_path=form.cleaned_data["base_path"])
        else:
            version = catalog_services.create_version(
                actor=actor,
                api=form.cleaned_data["api"],
                version=form.cleaned_data["version"],
                base_path=form.cleaned_data["base_path"],
            )
            obj.pk = version.pk
            obj.refresh_from_db()

    # --- lifecycle actions: a confirmation page with each version's guard result, then the service --

    def _transition(self, request, queryset, name):
        transition = lifecycle.TRANSITIONS[name]
        versions = list(queryset.select_related("api", "published_revision", "deprecation__successor"))
        if "confirm" in request.POST:
            actor = staff_principal(request)
            done = 0
            for version in versions:
                try:
                    lifecycle.apply_transition(actor=actor, version=version, name=name)
                    done += 1
                except (ServiceError, NotAllowed) as exc:
                    self.message_user(request, f"{version}: refused — {exc.detail}", messages.ERROR)
            if done:
                self.message_user(
                    request, f"{transition.label}: {done} version(s) now {transition.target}.", messages.SUCCESS
                )
            return None
        rows = []
        for version in versions:
            reasons = lifecycle.check_transition(version, name)
            if not permissions.owns_api(request.user, version.api):
                reasons.insert(0, f"You are not an owner of the API {version.api.slug}.")
            rows.append({"version": version, "reasons": reasons})
        context = {
            **self.admin_site.each_context(request),
            "title": f"{transition.label}: confirm",
            "transition": transition,
            "rows": rows,
            "can_proceed": any(not row["reasons"] for row in rows),
            "opts": self.model._meta,
            "action_name": f"transition_{name}",
            "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            "selected_ids": [str(v.pk) for v in versions],
        }
        return TemplateResponse(request, "admin/governance/apiversion/transition_confirmation.html", context)


def _make_action(name):
    transition = lifecycle.TRANSITIONS[name]

    def action(self, request, queryset):
        return self._transition(request, queryset, name)

    action.__name__ = f"transition_{name}"
    return admin.action(description=f"{transition.label}…", permissions=["change"])(action)


for _name in lifecycle.TRANSITIONS:
    setattr(ApiVersionAdmin, f"transition_{_name}", _make_action(_name))


@admin.register(SpecRevision)
class SpecRevisionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Revisions are immutable: stored by submissions, published by merging a review."""

    list_display = ("__str__", "version", "source", "size", "author", "created_at")
    list_filter = ("source",)
    list_select_related = ("version__api", "author")
    search_fields = ("version__api__slug", "version__version", "=content_hash", "author__email")
    fields = ("version", "content_hash", "size", "source", "author", "created_at", "document_text")
    readonly_fields = fields

    @admin.display(description="document")
    def document_text(self, obj):
        return format_html('<pre style="max-height: 40em; overflow: auto">{}</pre>', obj.document)
