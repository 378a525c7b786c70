"""What every staff-console module shares: the staff principal and the audit of plain edits."""

from datetime import date, datetime
from decimal import Decimal

from django.db import models

from tenants import audit
from tenants.principal import Principal

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

    For models whose edits no service owns (users, a tenant's name and plan). The admin's change
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
