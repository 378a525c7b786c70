"""What every portal page shares: who is acting (a Principal built from the current membership),
the permission a page needs, and lookups that can only find the current tenant's objects."""

from django.contrib.auth.views import redirect_to_login
from django.shortcuts import get_object_or_404, redirect, render
from django.views import View

from config.context import context_of
from tenants.principal import Principal
from tenants.services.errors import NotAllowed


def portal_principal(request) -> Principal | None:
    """The principal of a signed-in person acting in their current tenant (None without one)."""
    membership = context_of(request).membership
    if not request.user.is_authenticated or not membership:
        return None
    return Principal.for_member(request.user, membership.tenant, membership.role)


def portal_context(request, principal: Principal | None = None) -> dict:
    """The acting principal for a page's template. (What its role may do, `portal_perms`, comes
    with the tenant switcher's data from tenants.context_processors.current_tenant.)"""
    if principal is None and getattr(request, "user", None) is not None:
        principal = portal_principal(request)
    return {"principal": principal}


def forbidden(request, detail: str = "Your role in this tenant does not allow this."):
    return render(request, "portal/forbidden.html", {**portal_context(request), "detail": detail}, status=403)


def method_not_allowed(request, view: View):
    """The answer to a GET (a bookmark, a pasted link, a reload) on an address that only takes a
    form's POST: a page that says so and leads back, rather than Django's empty 405."""
    allowed = [method.upper() for method in view.http_method_names if hasattr(view, method)]
    response = render(
        request,
        "portal/method_not_allowed.html",
        {**portal_context(request), "method": request.method, "allowed": allowed},
        status=405,
    )
    response["Allow"] = ", ".join(allowed)
    return response


class PortalView(View):
    """Base of every signed-in portal page.

    `permission` is what the page needs (e.g. "members.manage"); the check is made here for every
    method, so a hidden button is never the only guard. A form with errors is answered 200 (as
    Django does), so the browser logs no failed request; refusals are 403/404/410. Services check again, and a NotAllowed they
    raise (a role changed meanwhile) is answered with the same 403 page.
    """

    permission: str | None = None
    needs_tenant = True

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        self.principal = portal_principal(request)
        if self.principal is None and self.needs_tenant:
            return redirect("portal:home")
        if self.permission and not (self.principal and self.principal.can(self.permission)):
            return forbidden(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except NotAllowed as exc:
            return forbidden(request, str(exc.detail))

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(request, self)

    def can(self, permission: str) -> bool:
        return self.principal is not None and self.principal.can(permission)

    def scoped(self, model):
        """`model`'s rows of the current tenant only."""
        return model.objects.for_principal(self.principal)

    def get_scoped_or_404(self, model_or_queryset, **lookup):
        """One object of the current tenant; another tenant's object is a 404 (never a 403).
        Takes a model or a TenantScopedQuerySet (with its select_related); the scope is applied
        here either way, so a caller can't forget it."""
        queryset = model_or_queryset
        if isinstance(model_or_queryset, type):
            queryset = model_or_queryset.objects.all()
        return get_object_or_404(queryset.for_principal(self.principal), **lookup)

    def render(self, template: str, context: dict | None = None, status: int = 200):
        full = {**portal_context(self.request, self.principal), **(context or {})}
        return render(self.request, template, full, status=status)
