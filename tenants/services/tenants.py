from typing import Any

from django.db import transaction

from tenants import audit
from tenants.models import Membership, Tenant
from tenants.roles import Role
from tenants.services.errors import NotAllowed, require, require_own
from tenants.signals import tenant_status_changed


@transaction.atomic
def create_tenant(
    *,
    actor,
    slug: str,
    name: str,
    plan: str = Tenant.Plan.FREE,
    owner=None,
    rate_quota: int | None = None,
    rate_window: int | None = None,
) -> Tenant:
    """A new tenant (platform staff, the system). The rate budget is optional: empty means the plan's."""
    tenant = Tenant(slug=slug, name=name, plan=plan, rate_quota=rate_quota, rate_window=rate_window)
    tenant.full_clean()  # slug format and uniqueness, a known plan, a complete budget
    tenant.save()
    changes: dict[str, object] = {"slug": slug, "name": name, "plan": plan}
    if rate_quota is not None:
        changes |= {"rate_quota": rate_quota, "rate_window": rate_window}
    audit.record(action="tenant.created", actor=actor, tenant=tenant, target=tenant, changes=changes)
    if owner is not None:
        membership = Membership.objects.create(user=owner, tenant=tenant, role=Role.OWNER)
        audit.record(
            action="member.added",
            actor=actor,
            tenant=tenant,
            target=membership,
            changes={"user": owner.email, "role": Role.OWNER},
        )
    return tenant


# "Leave it as it is" for arguments where None is a value (an empty budget means the plan's).
KEEP: Any = object()

# What only platform staff may change: they decide what the tenant may spend.
STAFF_ONLY_FIELDS = ("plan", "rate_quota", "rate_window")


@transaction.atomic
def update_tenant(
    *, actor, tenant: Tenant, name: str | None = None, plan: str | None = None, rate_quota=KEEP, rate_window=KEEP
) -> Tenant:
    """Rename the tenant (its owners: tenant.manage); change its plan or its rate budget (platform
    staff only). One audit event with what changed; none when nothing did."""
    require(actor, "tenant.manage")
    require_own(actor, tenant)  # another tenant is "not found", as everywhere
    wanted: dict[str, Any] = {}
    if name is not None:
        wanted["name"] = name
    if plan is not None:
        wanted["plan"] = plan
    if rate_quota is not KEEP:
        wanted["rate_quota"] = rate_quota
    if rate_window is not KEEP:
        wanted["rate_window"] = rate_window
    if any(field in STAFF_ONLY_FIELDS for field in wanted):
        _require_staff(actor, "Only platform staff can change a tenant's plan or rate budget.")
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    changes = {
        field: [getattr(tenant, field), value] for field, value in wanted.items() if getattr(tenant, field) != value
    }
    if not changes:
        return tenant
    for field, (_, value) in changes.items():
        setattr(tenant, field, value)
    tenant.full_clean(exclude=["slug"])  # a known plan, a complete budget (Tenant.clean), a name that fits
    # Saving a tenant drops its keys' cached entries on commit (apikeys.receivers): they carry the
    # plan and the budget.
    tenant.save(update_fields=[*changes, "updated_at"])
    audit.record(action="tenant.updated", actor=actor, tenant=tenant, target=tenant, changes=changes)
    return tenant


def _require_staff(actor, message: str = "Only platform staff can suspend or reactivate a tenant."):
    if actor.kind not in ("staff", "system"):
        raise NotAllowed(message)


@transaction.atomic
def suspend_tenant(*, actor, tenant: Tenant, reason: str = "") -> Tenant:
    """Stop every credential of the tenant at once: sessions see the suspended page, tokens and keys
    are refused (authentication reads the tenant's status on every request). Reversible."""
    _require_staff(actor)
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status == Tenant.Status.SUSPENDED:
        return tenant
    tenant.status = Tenant.Status.SUSPENDED
    tenant.suspended_reason = reason
    tenant.save(update_fields=["status", "suspended_reason", "updated_at"])
    audit.record(
        action="tenant.suspended",
        actor=actor,
        tenant=tenant,
        target=tenant,
        changes={"status": ["active", "suspended"], "reason": reason},
    )
    _on_tenant_status_changed(tenant)
    return tenant


@transaction.atomic
def reactivate_tenant(*, actor, tenant: Tenant) -> Tenant:
    _require_staff(actor)
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    if tenant.status == Tenant.Status.ACTIVE:
        return tenant
    tenant.status = Tenant.Status.ACTIVE
    tenant.suspended_reason = ""
    tenant.save(update_fields=["status", "suspended_reason", "updated_at"])
    audit.record(
        action="tenant.reactivated",
        actor=actor,
        tenant=tenant,
        target=tenant,
        changes={"status": ["suspended", "active"]},
    )
    _on_tenant_status_changed(tenant)
    return tenant


def _on_tenant_status_changed(tenant):
    tenant_status_changed.send(sender=Tenant, tenant=tenant)
