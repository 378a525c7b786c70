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

    def roster(self):
        """The members page: each membership with its user and tenant, by e-mail."""
        return self.with_users().order_by("user__email")

    def of_user(self, user):
        """The user's memberships with their tenants, by tenant slug (the tenant switcher's order)."""
        return self.filter(user=user).select_related("tenant").order_by("tenant__slug")

    def owners(self):
        return self.filter(role="owner")

    def co_owners_of(self, membership):
        """The other owners of the membership's tenant (none: it is the last owner)."""
        return self.filter(tenant_id=membership.tenant_id, role="owner").exclude(pk=membership.pk)

    def role_of(self, user_id) -> str | None:
        """The user's role in the queryset's tenant (call after for_tenant), or None."""
        if user_id is None:
            return None
        return self.filter(user_id=user_id).values_list("role", flat=True).first()


class InvitationQuerySet(TenantScopedQuerySet):
    def pending(self):
        from django.utils import timezone

        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now())

    def for_listing(self):
        """With who invited, by e-mail (the members page)."""
        return self.select_related("invited_by").order_by("email")


class ApplicationQuerySet(TenantScopedQuerySet):
    def with_creator(self):
        return self.select_related("created_by")

    def for_listing(self):
        """With their creators, by name (the clients page)."""
        return self.with_creator().order_by("name", "pk")


class AuditEventQuerySet(TenantScopedQuerySet):
    def action_names(self):
        """The distinct actions of these events, alphabetically (the audit page's filter choices)."""
        return self.order_by("action").values_list("action", flat=True).distinct()

    def with_action(self, action: str):
        return self.filter(action=action)

    def newest_first(self):
        return self.order_by("-created_at", "-id")


class UserQuerySet(models.QuerySet):
    def with_email(self, email: str):
        """The accounts of this e-mail address, whatever its case."""
        return self.filter(email__iexact=email)
