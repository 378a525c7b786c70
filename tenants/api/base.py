"""The base of every tenant-owned API resource: scoping happens here, once."""

from django.core.exceptions import ImproperlyConfigured
from rest_framework import viewsets

from config.context import context_of
from tenants.querysets import TenantScopedQuerySet


class TenantScopedViewSet(viewsets.GenericViewSet):
    """Subclasses set `queryset` (a TenantScopedQuerySet, with its select_related) and the
    requirements:

        read_scope / read_permission     for GET, HEAD, OPTIONS
        write_scope / write_permission   for the rest
        action_requirements = {"rotate_secret": ("clients:write", "clients.manage")}

    `get_queryset` narrows the queryset to the principal's tenant; another tenant's object is
    therefore a 404, never a 403.
    """

    read_scope: str | None = None
    read_permission: str | None = None
    write_scope: str | None = None
    write_permission: str | None = None
    action_requirements: dict = {}

    def get_queryset(self):
        queryset = super().get_queryset()
        if not isinstance(queryset, TenantScopedQuerySet):  # never an assert: `python -O` drops those
            raise ImproperlyConfigured(f"{type(self).__name__} must use a tenant-scoped queryset")
        return queryset.for_principal(self.principal)

    @property
    def principal(self):
        return context_of(self.request).principal
