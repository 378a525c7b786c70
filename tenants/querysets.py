"""Tenant-scoped reads. Every tenant-owned model's default manager is built from these querysets,
and the API's base viewset calls `for_principal` in one place, so a view can't forget the scope."""

from django.db import models


class TenantScopedQuerySet(models.QuerySet):
    tenant_field = "tenant"

    def for_tenant(self, tenant):
        return self.filter(**{self.tenant_field: tenant})

    def for_principal(self, principal):
        if principal is None or principal.tenant is None:
            return self.none()
        return self.for_tenant(principal.tenant)


class MembershipQuerySet(TenantScopedQuerySet):
    def with_users(self):
        return self.select_related("user", "tenant")

    def owners(self):
        return self.filter(role="owner")

    def role_of(self, user_id) -> str | None:
        """The user's role in the queryset's tenant (call after for_tenant), or None."""
        if user_id is None:
            return None
        return self.filter(user_id=user_id).values_list("role", flat=True).first()


class InvitationQuerySet(TenantScopedQuerySet):
    def pending(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())


class ApplicationQuerySet(TenantScopedQuerySet):
    pass


class AuditEventQuerySet(TenantScopedQuerySet):
    pass
