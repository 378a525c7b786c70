from django.db import transaction

from tenants import audit
from tenants.models import Membership
from tenants.roles import Role
from tenants.services.credentials import follow_member_change
from tenants.services.errors import ServiceError, require, require_own


def _locked_membership(principal, membership) -> Membership:
    """Reload the membership under lock, inside the caller's tenant (404 semantics otherwise)."""
    require_own(principal, membership)
    return (
        Membership.objects.for_principal(principal)
        .select_for_update()
        .select_related("user", "tenant")
        .get(pk=membership.pk)
    )


def _other_owners_exist(membership) -> bool:
    owners = (
        Membership.objects.for_tenant(membership.tenant_id)
        .select_for_update()
        .filter(role=Role.OWNER)
        .exclude(pk=membership.pk)
    )
    return bool(list(owners.values_list("pk", flat=True)))


@transaction.atomic
def add_member(*, actor, tenant, user, role: str) -> Membership:
    """Make `user` a member of `tenant` with `role` (the staff console; tenants add people by
    invitation)."""
    require(actor, "members.manage")
    require_own(actor, tenant)
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.")
    if role == Role.OWNER:
        require(actor, "members.manage_owners", "Only an owner can make owners.")
    membership = Membership.objects.create(user=user, tenant=tenant, role=role)
    audit.record(
        action="member.added",
        actor=actor,
        tenant=tenant,
        target=membership,
        changes={"user": user.email, "role": role},
    )
    return membership


@transaction.atomic
def change_member_role(*, actor, membership: Membership, role: str) -> Membership:
    require(actor, "members.manage")
    if role not in Role.values:
        raise ServiceError(f"Unknown role {role!r}.")
    membership = _locked_membership(actor, membership)
    if membership.role == role:
        return membership
    if Role.OWNER in (role, membership.role):
        require(actor, "members.manage_owners", "Only an owner can make or unmake owners.")
    if membership.role == Role.OWNER and not _other_owners_exist(membership):
        raise ServiceError("The last owner can't be demoted; make another member owner first.")
    before = membership.role
    membership.role = role
    membership.save(update_fields=["role", "updated_at"])
    audit.record(
        action="member.role_changed",
        actor=actor,
        tenant=membership.tenant,
        target=membership,
        changes={"user": membership.user.email, "role": [before, role]},
    )
    follow_member_change(actor=actor, tenant=membership.tenant, user=membership.user, role=role)
    return membership


@transaction.atomic
def remove_member(*, actor, membership: Membership) -> None:
    require(actor, "members.manage")
    membership = _locked_membership(actor, membership)
    if membership.role == Role.OWNER:
        require(actor, "members.manage_owners", "Only an owner can remove an owner.")
        if not _other_owners_exist(membership):
            raise ServiceError("The last owner can't be removed.")
    audit.record(
        action="member.removed",
        actor=actor,
        tenant=membership.tenant,
        target=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
    follow_member_change(actor=actor, tenant=membership.tenant, user=membership.user, role=None)


@transaction.atomic
def leave_tenant(*, actor) -> None:
    """The signed-in person leaves the principal's tenant."""
    membership = (
        Membership.objects.for_principal(actor)
        .select_for_update()
        .select_related("user", "tenant")
        .get(user=actor.user)
    )
    if membership.role == Role.OWNER and not _other_owners_exist(membership):
        raise ServiceError("You are the last owner; make another member owner before you leave.")
    audit.record(
        action="member.left",
        actor=actor,
        tenant=membership.tenant,
        target=membership,
        changes={"user": membership.user.email, "role": membership.role},
    )
    membership.delete()
    follow_member_change(actor=actor, tenant=membership.tenant, user=membership.user, role=None)
