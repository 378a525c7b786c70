"""Signing in and out, password reset, the tenant switcher and the dashboard."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse_lazy

from tenants.forms import SignInForm
from tenants.middleware import switch_tenant
from tenants.models import Application, AuditEvent, Invitation, Membership
from tenants.portal.base import PortalView, method_not_allowed
from tenants.signin_abuse import password_reset_throttle


class SignInView(auth_views.LoginView):
    template_name = "portal/login.html"
    authentication_form = SignInForm
    redirect_authenticated_user = True


class SignOutView(auth_views.LogoutView):
    """POST only (Django's LogoutView refuses GET), so a link or an image can't sign anyone out.
    A GET gets the page that says so, with the Sign out button."""

    def http_method_not_allowed(self, request, *args, **kwargs):
        return method_not_allowed(request, self)


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("portal:password-reset-done")

    def post(self, request, *args, **kwargs):
        # Every request counts against the caller's address, whatever address it names (known or
        # not, well-formed or not), so the throttle's answer reveals no account either.
        retry_after = password_reset_throttle.blocked(request)
        if retry_after is not None:
            return password_reset_throttle.refuse(request, retry_after)
        password_reset_throttle.hit(request)
        return super().post(request, *args, **kwargs)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("portal:password-reset-complete")


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"


class SwitchTenantView(PortalView):
    """Make another of the user's tenants the current one. Only tenants they belong to: the
    lookup goes through their own memberships, so any other slug is a 404."""

    needs_tenant = False
    http_method_names = ["post"]

    def post(self, request, slug):
        membership = get_object_or_404(Membership.objects.of_user(request.user), tenant__slug=slug)
        switch_tenant(request, membership.tenant)
        messages.success(request, f"You are now working in {membership.tenant.name}.")
        # Back to the dashboard, not the page the switch came from: that page's object belongs
        # to the previous tenant and would now be a 404.
        return redirect("portal:home")


class HomeView(PortalView):
    needs_tenant = False
    recent_events = 8

    def get(self, request):
        if self.principal is None:
            return self.render("portal/no_tenant.html")
        context = {
            "member_count": self.scoped(Membership).count(),
            "client_count": self.scoped(Application).count(),
            "pending_invitation_count": self.scoped(Invitation).pending().count(),
        }
        if self.can("audit.view"):
            context["recent_events"] = list(self.scoped(AuditEvent)[: self.recent_events])
        return self.render("portal/home.html", context)
