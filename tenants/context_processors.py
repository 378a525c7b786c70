from config.context import context_of
from tenants.models import Membership
from tenants.roles import ROLE_PERMISSIONS


def current_tenant(request):
    """The tenant switcher's data for every portal page, and what the current role may do
    (`portal_perms`, which the navigation and the pages' buttons test)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/portal/"):
        return {}
    membership = context_of(request).membership
    return {
        "current_membership": membership or None,
        "current_tenant": membership.tenant if membership else None,
        "my_memberships": Membership.objects.of_user(user),
        "portal_perms": ROLE_PERMISSIONS.get(membership.role, frozenset()) if membership else frozenset(),
    }
