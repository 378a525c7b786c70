"""The current tenant of a signed-in person, chosen in the portal's tenant switcher and kept in the
session. Resolved lazily (one query, only when something asks)."""

from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from config.context import context_of
from tenants.models import Membership

SESSION_KEY = "current_tenant_id"


def current_membership(request):
    user = request.user
    if not user.is_authenticated:
        return None
    memberships = Membership.objects.of_user(user)
    wanted = request.session.get(SESSION_KEY)
    if wanted is not None:
        chosen = memberships.for_tenant(wanted).first()
        if chosen is not None:
            return chosen
    return memberships.first()


def switch_tenant(request, tenant) -> None:
    request.session[SESSION_KEY] = tenant.pk


class CurrentTenantMiddleware:
    # Pages a member of a suspended tenant may still reach: signing out and switching tenant.
    SUSPENDED_EXEMPT = ("/portal/logout/", "/portal/switch/", "/portal/login/")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        membership = SimpleLazyObject(lambda: current_membership(request) or _NoMembership())
        context_of(request).membership = membership
        portal = request.path.startswith("/portal/") and not request.path.startswith(self.SUSPENDED_EXEMPT)
        if portal and membership and not membership.tenant.is_active:
            return render(request, "portal/suspended.html", {"tenant": membership.tenant}, status=403)
        return self.get_response(request)


class _NoMembership:
    """Falsy stand-in so templates and views can test `if membership`."""

    tenant = None
    role = None

    def __bool__(self):
        return False
