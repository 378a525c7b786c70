"""Suspending or reactivating a tenant changes what every one of its keys answers: drop their
cached entries when the change commits. A member's role change or departure narrows or revokes the
keys they made."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from apikeys.requestpath import cache
from tenants.models import Tenant
from tenants.signals import member_access_changed, tenant_status_changed


@receiver(tenant_status_changed, dispatch_uid="apikeys.tenant_status_changed")
def forget_tenant_keys(sender, tenant, **kwargs):
    cache.invalidate_tenant_on_commit(tenant)


@receiver(post_save, sender=Tenant, dispatch_uid="apikeys.tenant_saved")
def forget_keys_of_changed_tenant(sender, instance, created, update_fields=None, **kwargs):
    """A key's entry carries its tenant's name, slug, plan (its rate policy) and rate budget: a staff
    edit of the plan or the budget must not wait for the entries to expire."""
    if not created:
        cache.invalidate_tenant_on_commit(instance)


@receiver(member_access_changed, dispatch_uid="apikeys.member_access_changed")
def follow_member_change(sender, actor, tenant, user_id, role, **kwargs):
    from apikeys.services import follow_creator_change

    return follow_creator_change(actor=actor, tenant=tenant, user_id=user_id, role=role)
