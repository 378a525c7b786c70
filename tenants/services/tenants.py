from django.db import transaction

from tenants import audit
from tenants.models import Membership, Tenant
from tenants.roles import Role
from tenants.services.errors import NotAllowed, require
from tenants.signals import tenant_status_changed


@transaction.atomic
def create_tenant(*, actor, slug: str, name: str, plan: str = Tenant.Plan.FREE, owner=None) -> Tenant:
    tenant = Tenant.objects.create(slug=slug, name=name, plan=plan)
    audit.record(
        action="tenant.created",
        actor=actor,
        tenant=tenant,
        target=tenant,
        changes={"slug": slug, "name": name, "plan": plan},
    )
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


@transaction.atomic
def update_tenant(*, actor, tenant: Tenant, name: str) -> Tenant:
    require(actor, "tenant.manage")
    # Only the actor's own tenant (staff and the system: any). Another tenant is "not found", as
    # everywhere: its existence is not revealed.
    if actor.kind not in ("staff", "system") and (actor.tenant is None or actor.tenant.pk != tenant.pk):
        raise Tenant.DoesNotExist("No such tenant.")
    tenant = Tenant.objects.select_for_update().get(pk=tenant.pk)
    before = tenant.name
    tenant.name = name
    tenant.save(update_fields=["name", "updated_at"])
    audit.record(action="tenant.updated", actor=actor, tenant=tenant, target=tenant, changes={"name": [before, name]})
    return tenant


def _require_staff(actor):
    if actor.kind not in ("staff", "system"):
        raise NotAllowed("Only platform staff can suspend or reactivate a tenant.")


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
