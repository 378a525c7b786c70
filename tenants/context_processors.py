from tenants.models import Membership


def current_tenant(request):
    """The tenant switcher's data for every portal page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not request.path.startswith("/portal/"):
        return {}
    membership = request.membership
    return {
        "current_membership": membership or None,
        "current_tenant": membership.tenant if membership else None,
        "my_memberships": Membership.objects.filter(user=user).select_related("tenant").order_by("tenant__slug"),
    }
