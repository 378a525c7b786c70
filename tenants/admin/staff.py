"""What every staff-console module shares: the staff principal and the audit of plain edits."""

from datetime import date, datetime
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse

from tenants import audit
from tenants.principal import Principal
from tenants.querysets import TenantScopedQuerySet, is_tenant_owned
from tenants.services.errors import NotAllowed, ServiceError

# Values never written into the audit trail, only the fact that they changed.
REDACTED_FIELDS = frozenset({"password", "client_secret", "nonce"})


class ReadOnlyAdminMixin:
    """Records staff may look at but never add, change or delete here (history, counters, append-only
    logs): they are written by services and tasks only."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class AcrossTenantsMixin:
    """Staff work across tenants: the admin's querysets of tenant-owned models (its own list, its
    inlines and its foreign-key choices) take the one explicit escape from the tenant scope,
    `across_tenants()`. Every admin and inline of a tenant-owned model, or with a foreign key to
    one, inherits this (tests/test_architecture.py checks it)."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.across_tenants() if isinstance(queryset, TenantScopedQuerySet) else queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "queryset" not in kwargs and is_tenant_owned(db_field.related_model):
            kwargs["queryset"] = db_field.related_model._default_manager.across_tenants()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def staff_principal(request, tenant=None) -> Principal:
    """The signed-in staff member as the actor of a service call."""
    return Principal.for_staff(request.user, tenant=tenant)


def jsonable(value):
    """A form value as the audit trail stores it (JSON; model instances by primary key)."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, models.QuerySet):
        return sorted(str(obj.pk) for obj in value)
    if isinstance(value, (datetime, date, Decimal)):
        return str(value)
    if isinstance(value, (list, tuple, set, frozenset)):
        return [jsonable(v) for v in value]
    return value


def form_changes(form) -> dict:
    """{field: [before, after]} for every changed field of a ModelAdmin form."""
    changes: dict[str, object] = {}
    for name in form.changed_data:
        if name in REDACTED_FIELDS or name.startswith("password"):
            changes[name] = "changed"
            continue
        before = form[name].initial
        after = form.cleaned_data.get(name)
        changes[name] = [jsonable(before), jsonable(after)]
    return changes


class StaffAuditMixin:
    """Record one audit event for each add, change and delete made in the admin.

    For models whose edits no service owns (staff users). The admin's change
    and delete views already run in a transaction, so the event commits with the row or not at all.
    `audit_name` is the action prefix ("user" gives "user.created", "user.changed", "user.deleted").
    """

    audit_name = ""

    def audit_tenant(self, obj):
        """The tenant whose chain the event joins (None: the platform chain)."""
        return None

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        changes = form_changes(form)
        if change and not changes:
            return
        audit.record(
            action=f"{self.audit_name}.{'changed' if change else 'created'}",
            actor=staff_principal(request),
            tenant=self.audit_tenant(obj),
            target=obj,
            changes=changes,
        )

    def delete_model(self, request, obj):
        audit.record(
            action=f"{self.audit_name}.deleted",
            actor=staff_principal(request),
            tenant=self.audit_tenant(obj),
            target=obj,
            changes={"deleted": str(obj)},
        )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        # The bulk action deletes with one query; delete one by one so each deletion is recorded.
        for obj in queryset:
            self.delete_model(request, obj)


# What a service raises when it refuses a change (NotAllowed and ServiceError are API problems).
SERVICE_REFUSALS = (ValidationError, ServiceError, NotAllowed)


def refusal_messages(exc) -> dict[str | None, list[str]]:
    """A service's refusal as {field or None: [messages]}."""
    if isinstance(exc, ValidationError):
        if hasattr(exc, "error_dict"):
            return {field: list(field_messages) for field, field_messages in exc.message_dict.items()}
        return {None: exc.messages}
    return {None: [str(exc.detail)]}


def refusal_text(exc) -> str:
    return "; ".join(message for messages_ in refusal_messages(exc).values() for message in messages_)


def refused_form(form_class, exc):
    """`form_class`, made to fail with the service's refusal: the page shows the form again with the
    staff member's input and the reason, as for any invalid form."""

    class RefusedForm(form_class):
        def clean(self):
            cleaned = super().clean()
            for field, field_messages in refusal_messages(exc).items():
                self.add_error(field if field in self.fields else None, field_messages)
            return cleaned

    RefusedForm.__name__ = form_class.__name__
    return RefusedForm


class ServiceRefusalsMixin:
    """Show a service's refusal (ValidationError, ServiceError, NotAllowed) to staff instead of a 500.

    The admins of this console save and delete through the services, which decide under a row lock
    and may still refuse what the form accepted. The admin's change and delete views run in one
    transaction, so a refusal rolls back everything the view did; the change form is then shown
    again with the refusal as its errors, a deletion goes back to the object with an error message.
    Actions catch refusals themselves, row by row (`refusal_text`)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except SERVICE_REFUSALS as exc:
            if request.method != "POST":
                raise
            # Once more, with a form that fails validation with the refusal: nothing is saved.
            request._service_refusal = exc
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form_class = super().get_form(request, obj, change, **kwargs)
        refusal = getattr(request, "_service_refusal", None)
        return form_class if refusal is None else refused_form(form_class, refusal)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_REFUSALS as exc:
            self.message_user(request, f"Not deleted: {refusal_text(exc)}", messages.ERROR)
            opts = self.model._meta
            change = reverse(f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change", args=[object_id])
            return HttpResponseRedirect(change)
