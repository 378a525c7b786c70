"""One permission class for every tenant endpoint: a scope for the credential, a role permission
for the person, both declared on the view (see TenantScopedViewSet)."""

from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS, BasePermission

from config.api.problems import InsufficientScope, Problem
from config.context import context_of


def required_for(view, request) -> tuple[str | None, str | None]:
    """(scope, role permission) the view requires for this request's action."""
    action = getattr(view, "action", None)
    overrides = getattr(view, "action_requirements", {})
    if action in overrides:
        return overrides[action]
    if request.method in SAFE_METHODS:
        return view.read_scope, view.read_permission
    return view.write_scope, view.write_permission


class ScopedRolePermission(BasePermission):
    def has_permission(self, request, view):
        principal = context_of(request).principal
        if principal is None:
            raise exceptions.NotAuthenticated()
        if principal.tenant is None:
            raise Problem("no-tenant")
        scope, permission = required_for(view, request)
        if scope and not principal.has_scope(scope):
            raise InsufficientScope([scope])
        if permission and not principal.can(permission):
            raise exceptions.PermissionDenied(f"Your role ({principal.role}) does not allow this.")
        return True
